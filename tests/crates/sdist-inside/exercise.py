"""Run inside a venv where the wheel is installed: exercises the Rust and Python code."""

import sdist_inside

assert sdist_inside.greet("ada") == "hello, ada, from a path dependency"
assert sdist_inside.checked_double(21) == 42
assert sdist_inside.shout("hi") == "HI!"
try:
    sdist_inside.checked_double(3_000_000_000)
except BaseException as exc:  # pyo3's PanicException derives from BaseException
    assert "too large" in str(exc), exc
else:
    raise AssertionError("expected a panic")
print("ok")
