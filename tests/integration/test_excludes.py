"""``exclude`` means the same for wheels and sdists, and what it means in maturin.

maturin matches each file's path relative to pyproject.toml with Rust's
``glob`` defaults, where ``*`` also matches ``/``: ``*.txt`` leaves out every
``.txt`` file at any depth, even one that ``include`` names. ferrule does the
same for both archive kinds, and (a documented difference) a pattern naming a
directory also leaves out what is below it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

EXTRA = {
    "top.txt": "c",
    "layout_mixed/y.txt": "b",
    "layout_mixed/sub/x.txt": "a",
    "layout_mixed/sub/keep.dat": "k",
    "layout_mixed/skipdir/z.dat": "d",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("excludes") / "layout-mixed"
    shutil.copytree(CRATES / "layout-mixed", root, ignore=shutil.ignore_patterns("target"))
    for rel, text in EXTRA.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + 'include = ["top.txt"]\nexclude = ["*.txt", "layout_mixed/skipdir"]\n'
    )
    return root


def _sdist_files(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}


@pytest.mark.maturin
def test_sdists_leave_out_what_maturin_leaves_out(project: Path, tmp_path: Path) -> None:
    for tool in ("ferrule", "maturin"):
        argv = [sys.executable, "-m", "ferrule"] if tool == "ferrule" else ["maturin"]
        env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
        run([*argv, "sdist", "-o", tmp_path / tool], cwd=project, env=env)
    (ours,) = (tmp_path / "ferrule").glob("*.tar.gz")
    (theirs,) = (tmp_path / "maturin").glob("*.tar.gz")
    ours_extra = _sdist_files(ours) & set(EXTRA)
    theirs_extra = _sdist_files(theirs) & set(EXTRA)
    assert not any(p.endswith(".txt") for p in theirs_extra | ours_extra)
    # The one intended difference: the excluded directory.
    assert theirs_extra - ours_extra == {"layout_mixed/skipdir/z.dat"}
    assert ours_extra == {"layout_mixed/sub/keep.dat"}


def test_wheel_and_sdist_agree(project: Path, tmp_path: Path) -> None:
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"])
    run([sys.executable, "-m", "ferrule", "sdist", "-o", tmp_path], cwd=project, env=env)
    run([sys.executable, "-m", "ferrule", "build", "-o", tmp_path], cwd=project, env=env)
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        in_wheel = set(z.namelist()) & set(EXTRA)
    assert in_wheel == _sdist_files(sdist) & set(EXTRA) == {"layout_mixed/sub/keep.dat"}
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", str(wheel))
    assert venv.exercise(project / "exercise.py")
