"""Issue 5: abi3 and PyPy wheels, their tags against maturin's, and where they install."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.host import auditwheel_platform
from tests.helpers.pythons import installed_cpythons, path_with_all_pythons
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

ENV = clean_env(PATH=path_with_all_pythons())
#: The CPython running the tests, by the name discovery finds it under.
THIS_PYTHON = f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="session")
def abi3_wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """tags-abi3 built with -f: every CPython found shares one abi3 build."""
    out = tmp_path_factory.mktemp("abi3-wheels")
    ferrule("build", "--release", "-f", "-o", out, cwd=CRATES / "tags-abi3", env=ENV)
    return sorted(out.glob("*.whl"))


@pytest.fixture(scope="session")
def pypy_crate_wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """tags-pypy (abi3 via Cargo.toml, pyo3 0.26) for this CPython and PyPy 3.9 in one run."""
    out = tmp_path_factory.mktemp("pypy-wheels")
    ferrule(
        "build", "--release", "-i", THIS_PYTHON, "pypy3.9", "-o", out,
        cwd=CRATES / "tags-pypy", env=ENV,
    )  # fmt: skip
    return sorted(out.glob("*.whl"))


def maturin_build(crate: str, out: Path, *args: str) -> list[str]:
    env = dict(ENV, CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    run(["maturin", "build", "--release", "-o", out, *args], cwd=CRATES / crate, env=env)
    return sorted(p.name for p in out.glob("*.whl"))


def test_one_abi3_wheel_for_every_cpython(abi3_wheels: list[Path]) -> None:
    # cp38-abi3: the crate's abi3-py38; the platform is auditwheel's for what this machine linked.
    (wheel,) = abi3_wheels
    assert wheel.name == f"tags_abi3-1.2.0-cp38-abi3-{auditwheel_platform(wheel)}.whl"


def test_abi3_wheel_passes_abi3audit(abi3_wheels: list[Path]) -> None:
    proc = run([sys.executable, "-m", "abi3audit", "--strict", "--report", abi3_wheels[0]])
    (spec,) = json.loads(proc.stdout)["specs"].values()
    (result,) = spec["wheel"]
    assert result["name"] == "tags_abi3.abi3.so"
    assert result["result"]["is_abi3"] and result["result"]["is_abi3_baseline_compatible"]
    assert result["result"]["non_abi3_symbols"] == []
    assert result["result"]["computed"] == "3.8"


@pytest.mark.parametrize(
    "version", sorted(installed_cpythons((3, 8))), ids=lambda v: f"{v[0]}.{v[1]}"
)
def test_abi3_wheel_installs_and_runs_on(
    version: tuple[int, int], abi3_wheels: list[Path], tmp_path: Path
) -> None:
    venv = VEnv(tmp_path / "venv", python=installed_cpythons((3, 8))[version])
    venv.pip("install", "-q", abi3_wheels[0])
    assert venv.run_python(CRATES / "tags-abi3" / "exercise.py").strip() == "ok"


def test_pypy_and_cpython_wheels_from_one_run(pypy_crate_wheels: list[Path]) -> None:
    abi3, pypy = pypy_crate_wheels
    assert [abi3.name, pypy.name] == [
        f"tags_pypy-0.1.0-cp38-abi3-{auditwheel_platform(abi3)}.whl",
        f"tags_pypy-0.1.0-pp39-pypy39_pp73-{auditwheel_platform(pypy)}.whl",
    ]


@pytest.mark.skipif(shutil.which("pypy3.9") is None, reason="pypy3 missing: run scripts/setup.sh")
def test_pypy_wheel_installs_and_runs(pypy_crate_wheels: list[Path], tmp_path: Path) -> None:
    venv = VEnv(tmp_path / "venv", python=shutil.which("pypy3.9") or "pypy3.9")
    venv.pip("install", "-q", pypy_crate_wheels[1])
    assert venv.run_python(CRATES / "tags-pypy" / "exercise.py").strip() == "ok pypy"


def test_pypy_crate_abi3_wheel_runs_on_cpython(pypy_crate_wheels: list[Path], venv: VEnv) -> None:
    venv.pip("install", "-q", pypy_crate_wheels[0])
    assert venv.run_python(CRATES / "tags-pypy" / "exercise.py").strip() == "ok cpython"


@pytest.mark.maturin
def test_wheel_names_equal_maturins(
    abi3_wheels: list[Path], pypy_crate_wheels: list[Path], pure_wheel_cli: Path, tmp_path: Path
) -> None:
    assert maturin_build("tags-pypy", tmp_path / "pypy", "-i", THIS_PYTHON, "pypy3.9") == [
        w.name for w in pypy_crate_wheels
    ]
    assert maturin_build("tags-abi3", tmp_path / "abi3") == [w.name for w in abi3_wheels]
    assert maturin_build("pyo3-pure", tmp_path / "pure", "-i", THIS_PYTHON) == [pure_wheel_cli.name]
