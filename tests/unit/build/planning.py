"""Plans of the test crates, made in-process without cargo: the fast layer's fixtures.

The cargo metadata answer (:class:`~ferrule.cargo.metadata.CargoProject`) is
written out by hand from each crate's Cargo.toml; interpreters come from the
running Python (probed in-process).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from ferrule.build.plan import BuildPlan, make_plan
from ferrule.cargo.metadata import CargoProject, CargoTarget
from ferrule.config import load_settings
from ferrule.config.model import Settings
from ferrule.interpreter import Interpreter, probe
from ferrule.layout import determine_layout
from ferrule.metadata import build_metadata
from tests.conftest import CRATES

# What `cargo metadata` says about each crate: its targets and bindings crates.
ANSWERS: dict[str, tuple[tuple[CargoTarget, ...], frozenset[str]]] = {
    "pyo3-pure": ((CargoTarget("pyo3_pure", ("cdylib",)),), frozenset({"pyo3"})),
    "tags-abi3": ((CargoTarget("tags_abi3", ("cdylib",)),), frozenset({"pyo3"})),
    "bind-pyo3-ffi": ((CargoTarget("bind_pyo3_ffi", ("cdylib",)),), frozenset({"pyo3-ffi"})),
    "bind-cffi": ((CargoTarget("bind_cffi", ("cdylib",)),), frozenset()),
    "bind-uniffi-bindgen": (
        (
            CargoTarget("bind_uniffi_bindgen", ("cdylib",)),
            CargoTarget("uniffi-bindgen", ("bin",), ("bindgen",)),
        ),
        frozenset({"uniffi"}),
    ),
    "bind-bin": (
        (CargoTarget("bind-bin", ("bin",)), CargoTarget("bind-bin-extra", ("bin",))),
        frozenset(),
    ),
    "bin-embed": ((CargoTarget("bin-embed", ("bin",)),), frozenset({"pyo3"})),
    "lib-and-bin": (
        (CargoTarget("lib_and_bin", ("cdylib",)), CargoTarget("lib-and-bin-cli", ("bin",))),
        frozenset({"pyo3"}),
    ),
    "multi-extension": ((CargoTarget("_first", ("cdylib",)),), frozenset({"pyo3"})),
}

# Every artifact kind, and a crate whose plan has it.
KIND_CRATES = {
    "pyo3": "pyo3-pure",
    "pyo3-ffi": "bind-pyo3-ffi",
    "cffi": "bind-cffi",
    "uniffi": "bind-uniffi-bindgen",
    "bin": "bind-bin",
    "extension": "multi-extension",
}


def running() -> Interpreter:
    return probe(sys.executable, {})


def copy_crate(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    if not dest.exists():
        shutil.copytree(CRATES / name, dest, ignore=shutil.ignore_patterns("target"))
    return dest


def crate_settings(name: str, tmp_path: Path, **options: object) -> Settings:
    """Settings of a copy of test crate ``name``, with ``options`` over its cargo options."""
    environ = {"PATH": "/usr/bin:/bin", "CARGO_TARGET_DIR": str(tmp_path / "target")}
    settings = load_settings(copy_crate(name, tmp_path), environ=environ, report=False)
    if options:
        cargo_options = dataclasses.replace(settings.cargo_options, **options)  # type: ignore[arg-type]
        settings = dataclasses.replace(settings, cargo_options=cargo_options)
    return settings


def cargo_answer(name: str, settings: Settings) -> CargoProject:
    targets, crates = ANSWERS[name]
    versions = dict.fromkeys(crates, "0.29.3")
    return CargoProject(
        settings.cargo.manifest_path,
        settings.cargo.name,
        targets,
        crates,
        versions,
        settings.cargo.manifest_path.parent / "target",
    )


def plan(
    name: str, settings: Settings, interpreters: Sequence[Interpreter] | None = None
) -> BuildPlan:
    return make_plan(
        settings,
        cargo_answer(name, settings),
        list(interpreters or [running()]),
        determine_layout(settings),
        build_metadata(settings),
    )
