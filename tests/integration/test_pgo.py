"""``--pgo`` (issue 19 item 3): maturin's three-phase profile-guided build, for real.

Phase 1 builds the wheel instrumented, phase 2 runs ``pgo-command`` in a fresh
environment holding it and merges the profiles with the ``llvm-profdata`` of
rustc's LLVM (setup installs Debian's ``llvm-<major>``), phase 3 builds with the
profile. The builds use a target directory of their own: the instrumented
rustflags would otherwise rebuild the shared one's release artifacts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from tests.conftest import CRATES, ROOT, ferrule
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

CRATE = CRATES / "pgo-mini"
TARGET = ROOT / ".cache" / "target-pgo"


def _llvm_major() -> str:
    text = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"LLVM version: (\d+)\.", text)
    assert match, text
    return match.group(1)


def _profdata() -> Path:
    """The llvm-profdata of rustc's LLVM (scripts/setup.sh installs it)."""
    found = shutil.which(f"llvm-profdata-{_llvm_major()}")
    if found is None:
        pytest.skip(f"llvm-profdata-{_llvm_major()} missing: run scripts/setup.sh")
    return Path(found)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "pgo-mini"
    shutil.copytree(CRATE, copy)
    return copy


def _env(**extra: str) -> dict[str, str]:
    return clean_env(**{"CARGO_TARGET_DIR": str(TARGET), **extra})


def _members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return sorted(n for n in zf.namelist() if ".dist-info/sboms/" not in n)


def test_build_runs_three_phases_like_maturin(project: Path, tmp_path: Path, venv: VEnv) -> None:
    _profdata()
    out = tmp_path / "ferrule"
    proc = ferrule(
        "build", "--release", "--pgo", "-v", "-i", str(venv.python), "-o", out,
        cwd=project, env=_env(),
    )  # fmt: skip
    log = proc.stderr
    # Every crate (pyo3 too) built instrumented, then with the merged profile.
    generate = re.search(r"-Cprofile-generate=(\S+?)/profiles\b", log)
    use = re.search(r"-Cprofile-use=(\S+?)/merged\.profdata", log)
    assert generate and use, log
    assert generate.group(1) == use.group(1)
    assert log.index("-Cprofile-generate=") < log.index("exercise.py") < log.index("-Cprofile-use=")
    assert re.search(r"merging [1-9]\d* profile", log), log
    # The cycle's temporary directory is gone.
    assert not Path(generate.group(1)).exists()
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (so,) = [n for n in zf.namelist() if n.endswith(".so")]
        library = zf.read(so)
    # The shipped library is the optimised one, not the instrumented one.
    assert b"__llvm_profile_runtime" not in library
    assert b"__llvm_profile_write_file" not in library
    venv.pip("install", "-q", "--no-index", wheel)
    assert venv.exercise(project / "exercise.py") == "ok"
    # The same command again, nothing changed: a new profile is made, never a replay of
    # the last optimised cargo run (its profile was in a directory that is gone).
    again = ferrule(
        "build", "--release", "--pgo", "-i", str(venv.python), "-o", out, cwd=project, env=_env()
    )
    assert "PGO phase 3/3" in again.stderr, again.stderr
    assert re.search(r"merging [1-9]\d* profile", again.stderr), again.stderr

    # The pinned maturin, given the same llvm-profdata under the name it looks for.
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "llvm-profdata").symlink_to(_profdata())
    maturin_out = tmp_path / "maturin"
    subprocess.run(
        [ROOT / ".cache" / "refbin" / "maturin", "build", "--release", "--pgo",
         "-i", str(venv.python), "-o", maturin_out],
        cwd=project, check=True, capture_output=True, text=True,
        env=_env(PATH=f"{tools}{os.pathsep}{os.environ['PATH']}",
                 CARGO_TARGET_DIR=str(TARGET.with_name("target-pgo-maturin"))),
    )  # fmt: skip
    (reference,) = maturin_out.glob("*.whl")
    assert wheel.name == reference.name
    assert parse_wheel_filename(wheel.name) == parse_wheel_filename(reference.name)
    assert _members(wheel) == _members(reference)


def test_develop_pgo_installs_the_optimised_module(project: Path, venv: VEnv) -> None:
    _profdata()
    proc = ferrule(
        "develop", "--pgo", "-v", cwd=project, env=_env(VIRTUAL_ENV=str(venv.path)),
    )  # fmt: skip
    assert "-Cprofile-generate=" in proc.stderr and "-Cprofile-use=" in proc.stderr
    # --pgo implies the release profile, as maturin's develop.
    assert "--profile release" in proc.stderr or "--release" in proc.stderr, proc.stderr
    assert venv.exercise(project / "exercise.py") == "ok"


def test_binaries_are_profiled_and_a_command_that_runs_nothing_is_named(tmp_path: Path) -> None:
    """bin bindings (cheap to build): the script runs from the environment's PATH; a
    command that never runs the compiled code is named, though the instrumented build
    scripts of phase 1 wrote profiles of their own."""
    _profdata()
    project = tmp_path / "pgo-bin"
    shutil.copytree(CRATES / "pgo-bin", project)
    out = tmp_path / "out"
    proc = ferrule("build", "--release", "--pgo", "-o", out, cwd=project, env=_env())
    assert re.search(r"merging [1-9]\d* profile", proc.stderr), proc.stderr
    (wheel,) = out.glob("*.whl")
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", "--no-index", wheel)
    assert run([venv.path / "bin" / "pgo-bin", "3"]).stdout.strip() == "14"

    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"pgo-bin 30"', '"python -c pass"'))
    shutil.rmtree(out)
    proc = ferrule("build", "--release", "--pgo", "-o", out, cwd=project, env=_env(), check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "`python -c pass` ran, but wrote no profile" in proc.stderr, proc.stderr
    assert "tool.maturin.pgo-command" in proc.stderr
    assert not list(out.glob("*.whl"))
