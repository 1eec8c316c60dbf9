"""Run inside a venv where the wheel is installed."""

import sdist_outside

assert sdist_outside.word_count("a path dependency outside") == 4
assert sdist_outside.count_byte("banana", ord("a")) == 3
assert sdist_outside.triangle(4) == 10
try:
    sdist_outside.triangle(2**63)
except BaseException as exc:
    assert "overflows" in str(exc), exc
else:
    raise AssertionError("expected a panic")
print("ok")
