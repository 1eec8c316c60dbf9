"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import config_loose

assert config_loose.double(21) == 42
assert config_loose.__doc__ == "Built from a pyproject.toml that ferrule warns about."
print("ok")
