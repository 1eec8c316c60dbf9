"""Run inside a venv where the wheel is installed: exercises the Rust code."""

from importlib.metadata import entry_points, metadata

import config_loose

assert config_loose.double(21) == 42
assert config_loose.__doc__ == "Built from a pyproject.toml that ferrule warns about."
# The entry-point group whose name is no dotted name was written, as maturin writes it.
(plugin,) = entry_points(group="my-plugins")
assert plugin.load()(2) == 4
# A static license expression and Cargo's license, as maturin writes them.
assert metadata("config-loose")["License-Expression"] == "MIT"
assert metadata("config-loose")["License"] == "Apache-2.0"
print("ok")
