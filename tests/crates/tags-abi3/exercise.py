"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import sys

import tags_abi3

assert tags_abi3.python_version() == tuple(sys.version_info[:2]), tags_abi3.python_version()
assert tags_abi3.total([1, 2, 3, 40]) == 46
assert tags_abi3.tags_abi3.__file__.endswith(".abi3.so"), tags_abi3.tags_abi3.__file__
print("ok")
