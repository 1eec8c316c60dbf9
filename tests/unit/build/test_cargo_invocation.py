"""One cargo recipe for every artifact kind: the same options, environment and remapping.

For each kind (pyo3, pyo3-ffi, cffi, uniffi, bin, extra extension) the plan's
artifact is rendered by :class:`~ferrule.build.cargo_invocation.CargoRecipe` and
the build-wide parts of its argv and environment must be identical: ``--zig``'s
linker, the path remapping (rustc arguments and rustflags), target, profile,
target directory, ``--config`` and ``-Z``; features are the build's own except
for an extra extension, which is another crate with its own list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ferrule import _run, zig
from ferrule.build.cargo_invocation import cargo_recipe
from ferrule.build.plan import ARTIFACT_KINDS, PlannedArtifact, PlannedUnit, work_dir
from ferrule.cargo.command import CargoInvocation, global_flags
from ferrule.cargo.metadata import CargoTarget
from ferrule.cargo.remap import PathRemap
from ferrule.config.model import FeatureSpec, Settings
from tests.unit.build.planning import KIND_CRATES, crate_settings, plan

TARGET = "x86_64-unknown-linux-gnu"
LINKER = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER"
OPTIONS: dict[str, Any] = {
    "profile": "fast",
    "target": TARGET,
    "features": (FeatureSpec("extra"),),
    "config": ("profile.fast.inherits='release'",),
    "unstable_flags": ("build-std",),
}
REMAP = PathRemap(("--remap-path-prefix=/w=.",), ("--remap-path-prefix=/d=d-1.0.0",))


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"rendering started a process: {args}")

    monkeypatch.setattr(_run, "run", refuse)
    # --zig without ziglang installed: the wrapper script is still written.
    monkeypatch.setattr(zig, "zig_executable", lambda: Path("/zig"))


def _zig_settings(name: str, tmp_path: Path) -> Settings:
    settings = crate_settings(name, tmp_path, **OPTIONS)
    return dataclasses.replace(settings, platform=dataclasses.replace(settings.platform, zig=True))


def _rendered(kind: str, tmp_path: Path) -> tuple[PlannedArtifact, CargoInvocation]:
    name = KIND_CRATES[kind]
    settings = _zig_settings(name, tmp_path)
    (unit,) = plan(name, settings).units
    artifact = next(a for a in unit.artifacts if a.kind == kind)
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, REMAP, work_dir(settings))
    return artifact, recipe.invocation(artifact, unit)


def _pairs(argv: Sequence[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, word in enumerate(argv) if word == flag]


def _shared(inv: CargoInvocation) -> dict[str, object]:
    """The build-wide parts of one invocation."""
    argv = inv.argv
    after = list(argv[argv.index("--") + 1 :]) if "--" in argv else []
    return {
        "profile": _pairs(argv, "--profile"),
        "target": _pairs(argv, "--target"),
        # (less pyo3's own place in the target dir, which follows its configuration:
        # cargo/command.pyo3_own_units)
        "config": [c for c in _pairs(argv, "--config") if ".package.pyo3-build-config." not in c],
        "unstable": _pairs(argv, "-Z"),
        "rustc remap": [a for a in after if a.startswith("--remap-path-prefix")],
        "zig linker": Path(inv.env.get(LINKER, "")).name,
    }


def test_every_kind_gets_the_same_build_wide_options(tmp_path: Path) -> None:
    shared = {}
    for kind in ARTIFACT_KINDS:
        artifact, inv = _rendered(kind, tmp_path)
        shared[kind] = _shared(inv)
        features = _pairs(inv.argv, "--features")
        # An extra extension is another crate: its features are its own (none here).
        assert features == ([] if kind == "extension" else ["extra"]), kind
        assert inv.argv[1:3] == ("rustc", "--bin" if artifact.crate_type == "bin" else "--lib")
    expected = {
        "profile": ["fast"],
        "target": [TARGET],
        "config": [
            "profile.fast.inherits='release'",
            'build.rustflags=["--remap-path-prefix=/d=d-1.0.0"]',
        ],
        "unstable": ["build-std"],
        "rustc remap": ["--remap-path-prefix=/w=."],
        "zig linker": f"zigcc-{zig.zig_target(TARGET, (2, 17))}.sh",
    }
    for kind, parts in shared.items():
        assert parts == expected, kind


def test_pyo3_configuration_follows_the_artifact_not_its_kind(tmp_path: Path) -> None:
    for kind in ARTIFACT_KINDS:
        artifact, inv = _rendered(kind, tmp_path)
        configured = "PYO3_PYTHON" in inv.env or "PYO3_CONFIG_FILE" in inv.env
        assert configured == (artifact.pyo3 is not None), kind


def test_uniffi_bindgen_runs_with_the_global_flags(tmp_path: Path) -> None:
    settings = _zig_settings("bind-uniffi-bindgen", tmp_path)
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, REMAP, work_dir(settings))
    tool = recipe.tool_run(
        CargoTarget("uniffi-bindgen", ("bin",), ("bindgen",)), settings.project_dir
    )
    argv = list(tool.argv)
    assert argv[:5] == [recipe.cargo, "run", "--quiet", "--bin", "uniffi-bindgen"]
    assert _pairs(argv, "--features") == ["bindgen"]
    for flag in global_flags(settings.cargo_options):
        assert flag in argv
    # A host tool: never the target, the profile or the remapping.
    assert "--target" not in argv and "--profile" not in argv
    assert not any("remap" in word for word in argv)
    assert argv[-1] == "--"


def test_abi3_unit_hands_cargo_its_config_file(tmp_path: Path) -> None:
    settings = crate_settings("tags-abi3", tmp_path)
    (unit,) = plan("tags-abi3", settings).units
    if unit.pyo3_config is None:
        pytest.skip("the running interpreter does not share the abi3 build")
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, PathRemap(), work_dir(settings))
    inv = recipe.invocation(unit.artifacts[0], unit)
    assert inv.env["PYO3_CONFIG_FILE"] == str(unit.pyo3_config)
    no_config = dataclasses.replace(unit.artifacts[0], abi3_config=False)
    assert "PYO3_CONFIG_FILE" not in recipe.invocation(no_config, unit).env


def test_no_unit_means_no_interpreter(tmp_path: Path) -> None:
    settings = crate_settings("pyo3-pure", tmp_path)
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, PathRemap(), work_dir(settings))
    (unit,) = plan("pyo3-pure", settings).units
    inv = recipe.invocation(unit.artifacts[0])
    assert "PYO3_PYTHON" not in inv.env
    assert isinstance(unit, PlannedUnit)
