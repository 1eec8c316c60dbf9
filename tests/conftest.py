"""Shared fixtures: one cargo target directory, one wheelhouse, wheels built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.venv import VEnv, clean_env, offline_installs, run

ROOT = Path(__file__).resolve().parents[1]
CRATES = Path(__file__).resolve().parent / "crates"
#: Every distribution a test installs (tests/wheelhouse.txt, ferrule's build requirements
#: and dependencies), downloaded by scripts/setup.sh: the tests never reach an index.
WHEELHOUSE = ROOT / ".cache" / "wheelhouse"


def pytest_configure(config: pytest.Config) -> None:
    # One target directory for every crate and every frontend: pyo3 compiles
    # once per profile per run (and not at all on a warm machine).
    target = Path(os.environ.get("FERRULE_TEST_TARGET_DIR", ROOT / ".cache" / "target"))
    os.environ["CARGO_TARGET_DIR"] = str(target)
    os.environ.pop("VIRTUAL_ENV", None)
    # The metadata hook's cache (ferrule._metadata_cache): empty at the start of
    # each session, and never the user's own.
    # Tools ferrule installs on first use (the pinned cbindgen): where scripts/setup.sh
    # installed them, ferrule's default tool directory (kept across clones and sessions).
    from ferrule.bindings.cbindgen import tools_dir

    os.environ.setdefault("FERRULE_TOOLS_DIR", str(tools_dir(os.environ)))
    cache = ROOT / ".cache" / "test-metadata-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["FERRULE_CACHE_DIR"] = str(cache)
    # Offline: every pip and uv the tests start (directly, through a frontend's isolated
    # build, or through ferrule develop) installs from the setup's wheelhouse only.
    os.environ.update(offline_installs(WHEELHOUSE))
    _pin_reference_maturin()


#: The reference every comparison is made against (pinned in pyproject's test extra).
MATURIN_VERSION = "1.16.0"


def _pin_reference_maturin() -> None:
    """Make ``maturin`` on PATH the pinned one installed next to this interpreter.

    Only a directory holding that one link goes in front of PATH, so ``python3`` and every
    other tool still resolve as they would for a user.
    """
    ours = Path(sys.executable).parent / "maturin"
    if not ours.exists():
        return  # tests that need it fail with "run scripts/setup.sh"
    refbin = ROOT / ".cache" / "refbin"
    refbin.mkdir(parents=True, exist_ok=True)
    link = refbin / "maturin"
    if not link.is_symlink() or os.readlink(link) != str(ours):
        tmp = refbin / f".maturin.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(ours)
        os.replace(tmp, link)
    version = subprocess.run(
        [str(link), "--version"], capture_output=True, text=True, check=True
    ).stdout.split()
    if version[-1:] != [MATURIN_VERSION]:
        raise pytest.UsageError(
            f"{ours} is maturin {version}, the tests compare against {MATURIN_VERSION}: "
            "run scripts/setup.sh"
        )
    os.environ["PATH"] = f"{refbin}{os.pathsep}{os.environ.get('PATH', '')}"


#: Reasons a test may still skip under CI=true: platforms this machine cannot be.
ALLOWED_SKIP_PREFIX = "platform:"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under ``CI=true`` a skip is a failure, unless it names a platform this host cannot be.

    Setup installs every tool the suite needs, so a skip for a missing tool in CI means the
    promise was not tested.
    """
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return
    if getattr(report, "wasxfail", None) is not None:
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if reason.startswith(ALLOWED_SKIP_PREFIX):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true (setup must provide what it needs): {reason}"


@pytest.fixture(scope="session")
def cargo_target_dir() -> Path:
    return Path(os.environ["CARGO_TARGET_DIR"])


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ferrule's own wheel, built from this tree, next to links to everything in the
    setup's wheelhouse: what isolated builds of the test crates need, offline."""
    if not (WHEELHOUSE / ".stamp").exists():
        pytest.fail(f"{WHEELHOUSE} is missing: run scripts/setup.sh")
    house = tmp_path_factory.mktemp("wheelhouse")
    # An isolated build whose flit_core comes from the wheelhouse (the environment is offline).
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", house, ROOT])
    for dist in WHEELHOUSE.glob("*.whl"):
        (house / dist.name).symlink_to(dist)
    return house


@pytest.fixture(scope="session")
def offline_pip_env(wheelhouse: Path) -> dict[str, str]:
    """Environment variables that make pip and uv resolve build requirements (ferrule
    itself too) from the wheelhouse."""
    return clean_env(**offline_installs(wheelhouse))


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


@pytest.fixture(autouse=True)
def _no_early_commands_left() -> Iterator[None]:
    """A command a test started early (ferrule._run.start) and never collected, because
    the test replaced ``_run.run`` or stopped first, is ended with the test."""
    yield
    from ferrule import _run

    _run._end_started()
