"""Run inside a venv where the wheel is installed."""

import layout_abi3_ext

assert layout_abi3_ext.both() == ("first", "second")
assert layout_abi3_ext._first.__file__.endswith(".abi3.so")
assert layout_abi3_ext._second.__file__.endswith(".abi3.so")
print("ok")
