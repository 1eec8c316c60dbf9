"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import sys

import tags_pypy

assert tags_pypy.implementation() == sys.implementation.name
assert tags_pypy.double(21) == 42
print("ok", sys.implementation.name)
