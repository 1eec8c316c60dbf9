"""Issue 4: every layout and binding, built, installed, exercised, and compared with maturin.

Each crate in ``tests/crates`` listed below carries an ``exercise.py`` that
imports and calls what the wheel installed. All wheels go into one shared venv
(their module names differ), so the expensive parts happen once per session.

The file lists are compared with the crate's SBOM (``.dist-info/sboms/``) in
them: ferrule writes it as maturin does (docs/compat.md, "SBOM").
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import tomllib

from tests.conftest import CRATES, ferrule
from tests.helpers.host import python_abi
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

# Where pyproject.toml is not at the crate's top.
PROJECT_DIR = {"layout-parent": "python"}

#: The python-abi part of this interpreter's own extension wheels (e.g. cp311-cp311).
CPYTHON = python_abi()

# crate -> (compare with maturin?, the wheel tag's python-abi part)
CASES = {
    "layout-mixed": (True, CPYTHON),
    "layout-pysource": (True, CPYTHON),
    "layout-srcrust": (True, CPYTHON),
    "layout-dotted": (True, CPYTHON),
    "layout-packages": (True, CPYTHON),
    "layout-workspace": (True, CPYTHON),
    "layout-parent": (True, CPYTHON),
    "layout-stubs-data": (True, CPYTHON),
    "layout-includes": (True, CPYTHON),
    "bind-pyo3-ffi": (True, CPYTHON),
    "bind-cffi": (True, "py3-none"),
    "bind-cffi-mixed": (True, "py3-none"),
    "bind-uniffi": (True, "py3-none"),
    "bind-bin": (True, "py3-none"),
    # ferrule only: maturin cannot put several native artifacts in one wheel.
    "multi-extension": (False, CPYTHON),
    "lib-and-bin": (False, CPYTHON),
}


class Wheels:
    """Build each crate's wheel once per session, with ferrule or with maturin."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple[str, str], Path] = {}

    def ferrule(self, crate: str) -> Path:
        key = ("ferrule", crate)
        if key not in self.cache:
            out = self.root / "ferrule" / crate
            ferrule(
                "build",
                "-i",
                sys.executable,
                "--report",
                self.root / "reports" / f"{crate}.json",
                "-o",
                out,
                cwd=CRATES / crate / PROJECT_DIR.get(crate, ""),
            )
            (self.cache[key],) = out.glob("*.whl")
        return self.cache[key]

    def report(self, crate: str) -> dict[str, Any]:
        """The ``--report`` of ferrule's build of ``crate``."""
        self.ferrule(crate)
        data: dict[str, Any] = json.loads((self.root / "reports" / f"{crate}.json").read_text())
        return data

    def maturin(self, crate: str) -> Path:
        key = ("maturin", crate)
        if key not in self.cache:
            out = self.root / "maturin" / crate
            env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
            env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
            run(
                ["maturin", "build", "-i", sys.executable, "-o", out],
                cwd=CRATES / crate / PROJECT_DIR.get(crate, ""),
                env=env,
            )
            (self.cache[key],) = out.glob("*.whl")
        return self.cache[key]


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Wheels:
    return Wheels(tmp_path_factory.mktemp("layouts"))


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> VEnv:
    return VEnv(tmp_path_factory.mktemp("layouts-venv") / "venv")


@pytest.mark.parametrize("crate", sorted(CASES))
def test_builds_installs_and_runs(crate: str, wheels: Wheels, shared_venv: VEnv) -> None:
    wheel = wheels.ferrule(crate)
    assert wheel.name.split("-", 2)[2].startswith(CASES[crate][1] + "-")
    shared_venv.pip("install", "-q", wheel)
    assert shared_venv.exercise(CRATES / crate / "exercise.py").endswith("ok")
    # W009 (several top-level packages) is the point of python-packages and
    # top-level includes; W007 (no library) the point of a binary-only wheel.
    ignore = {"layout-packages": "W009", "layout-includes": "W009,W010", "bind-bin": "W007"}
    extra = ["--ignore", ignore[crate]] if crate in ignore else []
    run([sys.executable, "-m", "check_wheel_contents", *extra, wheel])


def _cargo_targets(manifest: Path) -> set[tuple[str, str, str]]:
    """(crate type, package, target) of the cdylib and binaries a Cargo.toml declares."""
    data = tomllib.loads(manifest.read_text())
    package = data["package"]["name"]
    found = {("cdylib", package, data["lib"]["name"])} if "lib" in data else set()
    return found | {("bin", package, b["name"]) for b in data.get("bin", [])}


@pytest.mark.parametrize(
    ("crate", "manifests"),
    [("multi-extension", ["Cargo.toml", "second/Cargo.toml"]), ("lib-and-bin", ["Cargo.toml"])],
)
def test_the_report_lists_every_cargo_run(crate: str, manifests: list[str], wheels: Wheels) -> None:
    """``--report``'s ``cargo_artifacts``: the library's run, an extra extension crate's and
    the binaries', each under the package that made it, each file in the wheel."""
    report = wheels.report(crate)
    listed = {(a["kind"], a["crate"], a["target"]) for a in report["cargo_artifacts"]}
    expected = set().union(*(_cargo_targets(CRATES / crate / m) for m in manifests))
    assert listed == expected
    names = {Path(n).name for n in file_list(wheels.ferrule(crate))}
    for artifact in report["cargo_artifacts"]:
        built = Path(artifact["path"])
        assert built.is_file()
        # The wheel holds it under its module or script name: same bytes, other name.
        assert any(n.startswith(artifact["target"]) for n in names), (artifact, names)


def test_the_report_of_a_build_from_the_sdist_lists_every_cargo_run(tmp_path: Path) -> None:
    """``build --sdist --report``: the wheels built from the unpacked sdist report their
    cargo runs as a build from the tree does (the library's and the binary's)."""
    report = tmp_path / "report.json"
    ferrule(
        "build", "--sdist", "--report", report, "-o", tmp_path / "out", cwd=CRATES / "lib-and-bin"
    )
    data = json.loads(report.read_text())
    listed = {(a["kind"], a["crate"], a["target"]) for a in data["cargo_artifacts"]}
    assert listed == _cargo_targets(CRATES / "lib-and-bin" / "Cargo.toml")
    (wheel,) = data["wheels"]
    # The wheel built from the sdist works as the one from the tree does.
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel["path"])
    assert venv.exercise(CRATES / "lib-and-bin" / "exercise.py").endswith("ok")


def file_list(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        return z.namelist()


# Files maturin ships and ferrule leaves out on purpose (docs/differences.md).
NOT_SHIPPED = {"layout-includes": {"layout_includes/.gitignore"}}


@pytest.mark.maturin
@pytest.mark.parametrize("crate", sorted(c for c, (compare, _) in CASES.items() if compare))
def test_file_list_matches_maturin(crate: str, wheels: Wheels) -> None:
    ours, theirs = wheels.ferrule(crate), wheels.maturin(crate)
    assert ours.name == theirs.name
    left_out = NOT_SHIPPED.get(crate, set())
    assert left_out <= set(file_list(theirs))
    assert file_list(ours) == [n for n in file_list(theirs) if n not in left_out]


def test_cffi_through_an_isolated_pip_build(
    offline_pip_env: dict[str, str], tmp_path: Path, shared_venv: VEnv
) -> None:
    """pip's isolated environment gets cffi from get_requires_for_build_wheel."""
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path, "."],
        cwd=CRATES / "bind-cffi",
        env=offline_pip_env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    shared_venv.pip("install", "-q", "cffi")
    shared_venv.pip("install", "-q", "--force-reinstall", "--no-deps", wheel)
    assert shared_venv.exercise(CRATES / "bind-cffi" / "exercise.py").endswith("ok")
