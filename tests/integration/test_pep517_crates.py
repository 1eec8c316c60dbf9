"""The drop-in cases of issue 19 through PEP 517 frontends, not only the CLI.

Each crate below pins one case (its own tests build it with ``ferrule build`` and compare
with maturin). Here the same crate goes through ``pip wheel`` or ``python -m build``
(isolated, offline: ferrule from the session's wheelhouse); the wheel must hold the same
files as the CLI's for the same interpreter, and is installed and called. PEP 517 builds
are tagged ``linux_*`` unless their build-args name a policy (maturin's shim passes
``--compatibility off``), so the repair case names one.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    frontend: str  # "pip" (pip wheel) or "build" (python -m build)
    # Build arguments given to both: on the CLI, and as PEP 517 config_settings build-args.
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    own_target_dir: bool = False


# One frontend each keeps the suite's time in check; both call the same hooks, which
# tests/integration/test_build_pyo3.py shows for either.
CASES = {
    # the crate's uniffi-bindgen run with its required-features
    "bind-uniffi-bindgen": Case("pip"),
    # header.h from the build script in cargo's target directory (its own: every cffi
    # crate built in that directory would take this header)
    "bind-cffi-header": Case("build", own_target_dir=True),
    # the pinned cbindgen, not Debian's; maturin's overrides of cbindgen.toml
    "bind-cffi-edition2024": Case("build"),
    "bind-cffi-cbindgen-toml": Case("pip"),
    # a repaired wheel whose bundled libraries need each other (PEP 517 builds are tagged
    # linux unless build-args name a policy, as maturin's; `pypi` makes it audit and repair)
    "audit-chain": Case("pip", args=("--compatibility", "pypi")),
    # extra extensions in an abi3 wheel
    "layout-abi3-ext": Case("build"),
    # --strip (MATURIN_STRIP=1 for PEP 517) adds to rustc-args
    "layout-strip": Case("pip", env=(("MATURIN_STRIP", "1"),)),
    # artifacts cargo reports for this build only
    "layout-twin": Case("build"),
}


def _members(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.parametrize("crate", sorted(CASES))
def test_pep517_frontend_builds_what_the_cli_builds(
    crate: str, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    case = CASES[crate]
    project = tmp_path / crate
    shutil.copytree(CRATES / crate, project, ignore=shutil.ignore_patterns("target"))
    env = dict(offline_pip_env, **dict(case.env))
    if case.own_target_dir:
        env["CARGO_TARGET_DIR"] = str(tmp_path / "target")
    cli_out, pep517_out = tmp_path / "cli", tmp_path / "pep517"
    cli_args = case.args or ("--compatibility", "off")  # what PEP 517 builds get by default
    strip = ["--strip"] if dict(case.env).get("MATURIN_STRIP") else []
    ferrule(
        "build", "--release", "-i", sys.executable, *cli_args, *strip, "-o", cli_out,
        cwd=project, env=env,
    )  # fmt: skip
    settings = [f"--config-settings=build-args={shlex.join(case.args)}"] if case.args else []
    if case.frontend == "pip":
        argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", pep517_out, *settings]
    else:
        argv = [sys.executable, "-m", "build", "--wheel", "--outdir", pep517_out, *settings]
    run([*argv, project], env=env)
    (cli_wheel,) = cli_out.glob("*.whl")
    (wheel,) = pep517_out.glob("*.whl")
    assert wheel.name == cli_wheel.name
    assert _members(wheel) == _members(cli_wheel)
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel)
    assert venv.exercise(CRATES / crate / "exercise.py") == "ok"
