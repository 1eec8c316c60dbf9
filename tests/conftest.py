"""Shared fixtures: one cargo target directory, one wheelhouse, wheels built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.venv import VEnv, clean_env, run

ROOT = Path(__file__).resolve().parents[1]
CRATES = Path(__file__).resolve().parent / "crates"


def pytest_configure(config: pytest.Config) -> None:
    # One target directory for every crate and every frontend: pyo3 compiles
    # once per profile per run (and not at all on a warm machine).
    target = Path(os.environ.get("FERRULE_TEST_TARGET_DIR", ROOT / ".cache" / "target"))
    os.environ["CARGO_TARGET_DIR"] = str(target)
    os.environ.pop("VIRTUAL_ENV", None)
    # The metadata hook's cache (ferrule._metadata_cache): empty at the start of
    # each session, and never the user's own.
    cache = ROOT / ".cache" / "test-metadata-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["FERRULE_CACHE_DIR"] = str(cache)
    # Tools ferrule installs on first use (the pinned cbindgen): kept across sessions;
    # scripts/setup.sh installs them there.
    os.environ.setdefault("FERRULE_TOOLS_DIR", str(ROOT / ".cache" / "tools"))


@pytest.fixture(scope="session")
def cargo_target_dir() -> Path:
    return Path(os.environ["CARGO_TARGET_DIR"])


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ferrule's own wheel and its dependencies, for offline isolated builds."""
    house = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", house, ROOT])
    (own,) = house.glob("ferrule-*.whl")
    # ferrule's runtime dependencies, as its metadata lists them.
    run([sys.executable, "-m", "pip", "download", "-q", "-d", house, own])
    # What get_requires_for_build_wheel asks for cffi bindings.
    run([sys.executable, "-m", "pip", "download", "-q", "-d", house, "cffi"])
    return house


@pytest.fixture(scope="session")
def offline_pip_env(wheelhouse: Path) -> dict[str, str]:
    """Environment variables that make pip and uv resolve build requirements from the wheelhouse."""
    return clean_env(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_NO_INDEX="1",
        UV_FIND_LINKS=str(wheelhouse),
    )


def ferrule(
    *args: str | os.PathLike[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ferrule CLI in a subprocess, as a user would."""
    return run([sys.executable, "-m", "ferrule", *args], cwd=cwd, check=check, env=env)


@pytest.fixture(scope="session")
def crate_copy(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Copy a test crate into a temporary directory (for tests that edit it)."""

    def copy(name: str) -> Path:
        dest = tmp_path_factory.mktemp(name) / name
        shutil.copytree(CRATES / name, dest, ignore=shutil.ignore_patterns("target"))
        return dest

    return copy


@pytest.fixture(scope="session")
def pure_wheel_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-wheels")
    ferrule("build", "--release", "-o", out, cwd=CRATES / "pyo3-pure")
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="session")
def pure_wheel_pip(
    tmp_path_factory: pytest.TempPathFactory, offline_pip_env: dict[str, str]
) -> Path:
    out = tmp_path_factory.mktemp("pip-wheels")
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, "."],
        cwd=CRATES / "pyo3-pure",
        env=offline_pip_env,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="session")
def maturin_pure_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("maturin") is None:
        pytest.fail("maturin is not installed: run scripts/setup.sh")
    out = tmp_path_factory.mktemp("maturin-wheels")
    # maturin gets a target directory of its own: it configures pyo3 differently,
    # and sharing would make cargo rebuild pyo3 each time the tools alternate.
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    run(
        ["maturin", "build", "--release", "-o", out],
        cwd=CRATES / "pyo3-pure",
        env=env,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture
def venv(tmp_path: Path) -> Iterator[VEnv]:
    yield VEnv(tmp_path / "venv")
