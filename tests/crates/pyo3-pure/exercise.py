"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import pyo3_pure

assert pyo3_pure.sum_as_string(2, 3) == "5"
assert pyo3_pure.scale(1.5) == 3.0
assert pyo3_pure.scale(2.0, y=4.0) == 8.0
c = pyo3_pure.Counter(10)
assert c.increment(5) == 15
assert c.value == 15
assert pyo3_pure.__doc__ == "A pure-Rust test module."
print("ok")
