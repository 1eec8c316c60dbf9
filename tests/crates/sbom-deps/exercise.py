"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import platform

import sbom_deps

assert sbom_deps.double(21) == 42
assert sbom_deps.host() == platform.machine(), (sbom_deps.host(), platform.machine())
print("ok")
