"""Issue 19: a binary that embeds Python (pyo3's auto-initialize) links libpython.

maturin's audit allows libpython for bin bindings (auditwheel/linux.rs,
``allow_linking_libpython``) and never bundles it, so such a wheel gets the
manylinux tag its other symbols allow; ferrule tagged it ``linux_x86_64``.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from ferrule.elf import parse_elf
from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

CRATE = CRATES / "bin-embed"
SCRIPT = "bin_embed-0.1.0.data/scripts/bin-embed"


@pytest.fixture(scope="session")
def embed_wheels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(ferrule's wheel, maturin's wheel) of the bin-embed crate."""
    ours = tmp_path_factory.mktemp("embed-ferrule")
    ferrule("build", "--release", "-o", ours, cwd=CRATE)
    if shutil.which("maturin") is None:
        pytest.fail("maturin is not installed: run scripts/setup.sh")
    theirs = tmp_path_factory.mktemp("embed-maturin")
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    run(["maturin", "build", "--release", "-o", theirs], cwd=CRATE, env=env)
    (wheel,) = ours.glob("*.whl")
    (maturin_wheel,) = theirs.glob("*.whl")
    return wheel, maturin_wheel


def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as z:
        # maturin also writes an SBOM (.dist-info/sboms/): not this audit's concern.
        return {n: z.read(n) for n in z.namelist() if "/sboms/" not in n}


def test_embedding_binary_gets_maturins_manylinux_tag(embed_wheels: tuple[Path, Path]) -> None:
    ours, theirs = embed_wheels
    assert ours.name == theirs.name
    platform = ours.name.removesuffix(".whl").split("-")[-1]
    assert platform.startswith("manylinux_"), ours.name  # not the host's linux_x86_64
    ours_files, theirs_files = _members(ours), _members(theirs)
    assert sorted(ours_files) == sorted(theirs_files)  # libpython is not bundled
    # The script is left as cargo linked it, as maturin's: it needs libpython, no rpath.
    script, maturin_script = parse_elf(ours_files[SCRIPT]), parse_elf(theirs_files[SCRIPT])
    assert any(n.startswith("libpython3") for n in script.needed), script.needed
    assert (script.needed, script.rpath, script.runpath) == (
        maturin_script.needed,
        maturin_script.rpath,
        maturin_script.runpath,
    )


def _run_installed(venv: VEnv, **env: str) -> tuple[int, str, str]:
    proc = run(
        [venv.path / "bin" / "bin-embed", "1", "2", "3"], env={**venv.env, **env}, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_installed_embedding_binary_runs_as_maturins(
    embed_wheels: tuple[Path, Path], tmp_path: Path
) -> None:
    venvs = []
    for wheel, name in zip(embed_wheels, ("ferrule", "maturin")):
        venv = VEnv(tmp_path / name)
        venv.pip("install", "-q", wheel)
        venvs.append(venv)
    ours, theirs = venvs
    # Where the interpreter's libpython lies outside the loader's paths, the binary
    # finds it through LD_LIBRARY_PATH, as maturin's check_installed sets it.
    libdir = sysconfig.get_config_var("LIBDIR")
    code, out, err = _run_installed(ours, LD_LIBRARY_PATH=libdir)
    assert code == 0, err
    major, minor = sys.version_info[:2]
    assert out.strip() == f"bin-embed: Python {major}.{minor} sum 6"
    assert _run_installed(theirs, LD_LIBRARY_PATH=libdir)[:2] == (code, out)
    # Without it, ferrule's binary does what maturin's does (runs, or fails the same way).
    assert _run_installed(ours)[:2] == _run_installed(theirs)[:2]
