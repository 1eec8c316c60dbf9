"""Issue 19: sdists of projects maturin 1.16 packs, packed the same way and rebuilt alone.

The expected file lists come from maturin run on the same copy; every sdist is
unpacked and built without the tree (``ferrule build --sdist``), and the wheel
is installed and exercised.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ferrule
from tests.helpers.sdists import tar_names, tar_read
from tests.helpers.venv import VEnv, clean_env
from tests.integration.test_layout_compat import copy, file_list, maturin, one

pytestmark = pytest.mark.slow


def add_tool_keys(pyproject: Path, text: str) -> None:
    content = pyproject.read_text()
    assert "[tool.maturin]\n" in content
    pyproject.write_text(content.replace("[tool.maturin]\n", f"[tool.maturin]\n{text}\n", 1))


def test_include_of_a_manifest_the_sdist_rewrites(tmp_path: Path) -> None:
    """``include`` naming Cargo.toml / pyproject.toml: the rewritten manifest wins (maturin)."""
    project = copy("sdist-workspace", tmp_path)
    ferrule("sdist", "-o", tmp_path / "plain", cwd=project)
    plain = one(tmp_path / "plain", "*.tar.gz")
    add_tool_keys(
        project / "pyproject.toml",
        'include = [{ path = "Cargo.*", format = ["sdist"] }, '
        '{ path = "crates/python/Cargo.*", format = "sdist" }, '
        '{ path = "pyproject.toml", format = "sdist" }]',
    )
    maturin("sdist", "-o", tmp_path / "maturin", cwd=project)
    ferrule("build", "--sdist", "-o", tmp_path / "out", cwd=project)
    sdist = one(tmp_path / "out", "*.tar.gz")

    assert sorted(tar_names(sdist)) == sorted(tar_names(one(tmp_path / "maturin", "*.tar.gz")))
    for manifest in ("Cargo.toml", "crates/python/Cargo.toml"):
        # The workspace is pruned to the members shipped: a rewrite, not the file.
        assert tar_read(sdist, manifest) == tar_read(plain, manifest)
    assert tar_read(sdist, "Cargo.toml") != (project / "Cargo.toml").read_bytes()

    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", one(tmp_path / "out", "*.whl"))
    assert venv.exercise(project / "exercise.py").endswith("ok")


def test_include_of_a_pyproject_that_moves(tmp_path: Path) -> None:
    """pyproject.toml below the sdist root is rewritten; including it keeps the rewrite."""
    project = copy("sdist-member", tmp_path) / "bindings" / "python"
    add_tool_keys(
        project / "pyproject.toml", 'include = [{ path = "pyproject.toml", format = "sdist" }]'
    )
    maturin("sdist", "-o", tmp_path / "maturin", cwd=project)
    ferrule("sdist", "-o", tmp_path / "out", cwd=project)
    sdist = one(tmp_path / "out", "*.tar.gz")
    theirs = one(tmp_path / "maturin", "*.tar.gz")
    assert "pyproject.toml" in tar_names(sdist)
    assert b'manifest-path = "bindings/python/Cargo.toml"' in tar_read(sdist, "pyproject.toml")
    assert b'manifest-path = "bindings/python/Cargo.toml"' in tar_read(theirs, "pyproject.toml")


def test_path_dependency_inheriting_from_a_parent_workspace(tmp_path: Path) -> None:
    """parent_workspace_sdist: the path dependency inherits from a manifest above both crates.

    Release builds go through the stable root (``cargo/stable_root.py``), which must
    show that manifest too; the sdist carries what the dependency inherits, as maturin's.
    (The two wheels' compiled code differs: docs/compat.md, "Layout and sdist".)
    """
    project = copy("sdist-parent-workspace", tmp_path) / "crates" / "py"
    ferrule("build", "--release", "-o", tmp_path / "tree", cwd=project)
    # The sdist's build remaps another path than the tree's (its shared crate sits elsewhere
    # in the stable root): rustflags of its own, so a target directory of its own, kept
    # across runs (sharing one, each build would recompile pyo3 after the other).
    sdist_env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-sdist-layout")
    ferrule("build", "--release", "--sdist", "-o", tmp_path / "sdist", cwd=project, env=sdist_env)
    maturin("build", "--release", "-o", tmp_path / "maturin", cwd=project)
    maturin("sdist", "-o", tmp_path / "maturin", cwd=project)
    tree, from_sdist = one(tmp_path / "tree", "*.whl"), one(tmp_path / "sdist", "*.whl")
    theirs = one(tmp_path / "maturin", "*.whl")

    assert tree.name == from_sdist.name == theirs.name
    assert file_list(tree) == file_list(from_sdist) == file_list(theirs)
    sdist = one(tmp_path / "sdist", "*.tar.gz")
    assert sorted(tar_names(sdist)) == sorted(tar_names(one(tmp_path / "maturin", "*.tar.gz")))

    for wheel in (tree, from_sdist):
        venv = VEnv(tmp_path / f"venv-{wheel.parent.name}")
        venv.pip("install", "-q", wheel)
        assert venv.exercise(project / "exercise.py").endswith("ok")
