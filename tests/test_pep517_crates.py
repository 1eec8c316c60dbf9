"""The drop-in cases of issue 19 through PEP 517 frontends, not only the CLI.

Each crate below pins one case (its own tests build it with ``ferrule build`` and compare
with maturin). Here the same crate goes through ``pip wheel`` or ``python -m build``
(isolated, offline: ferrule from the session's wheelhouse); the wheel must hold the same
files as the CLI's for the same interpreter, and is installed and called. PEP 517 builds
are tagged ``linux_*`` (maturin's shim passes ``--compatibility off``), so crates whose
case is the manylinux repair (audit-chain) are not here: maturin does not repair there
either.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow

# crate -> the frontend it goes through (one each keeps the suite's time in check; both
# frontends call the same hooks, which tests/test_build_pyo3.py shows for either).
CASES = {
    "bind-uniffi-bindgen": "pip",  # the crate's uniffi-bindgen run with its required-features
    "bind-cffi-edition2024": "build",  # the pinned cbindgen, not Debian's
    "bind-cffi-cbindgen-toml": "pip",  # maturin's overrides of cbindgen.toml
    "layout-abi3-ext": "build",  # extra extensions in an abi3 wheel
    "layout-strip": "pip",  # --strip (MATURIN_STRIP=1 for PEP 517) adds to rustc-args
    "layout-twin": "build",  # artifacts cargo reports for this build only
}


def _members(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.parametrize(("crate", "frontend"), sorted(CASES.items()))
def test_pep517_frontend_builds_what_the_cli_builds(
    crate: str, frontend: str, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    project = tmp_path / crate
    shutil.copytree(CRATES / crate, project, ignore=shutil.ignore_patterns("target"))
    cli_out, pep517_out = tmp_path / "cli", tmp_path / "pep517"
    ferrule(
        "build", "--release", "-i", sys.executable, "--compatibility", "off", "-o", cli_out,
        *(["--strip"] if crate == "layout-strip" else []), cwd=project,
    )  # fmt: skip
    if frontend == "pip":
        argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", pep517_out, project]
    else:
        argv = [sys.executable, "-m", "build", "--wheel", "--outdir", pep517_out, project]
    env = dict(offline_pip_env, **({"MATURIN_STRIP": "1"} if crate == "layout-strip" else {}))
    run(argv, env=env)
    (cli_wheel,) = cli_out.glob("*.whl")
    (wheel,) = pep517_out.glob("*.whl")
    assert wheel.name == cli_wheel.name
    assert _members(wheel) == _members(cli_wheel)
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel)
    assert venv.exercise(CRATES / crate / "exercise.py") == "ok"
