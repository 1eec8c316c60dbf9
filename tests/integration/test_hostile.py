"""Issue 9: hostile trees. Nothing outside the project is ever packed.

Each case builds (or tries to) a copy of a mixed-layout crate with something
planted in it, and checks the outcome: a clear refusal and no wheel, or a wheel
whose every entry comes from inside the project.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(CRATES / "layout-mixed", dest, ignore=shutil.ignore_patterns("target"))
    return dest


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET-CONTENT")
    return outside / "secret.txt"


def build(project: Path, tmp_path: Path) -> tuple[int, str, list[Path]]:
    out = tmp_path / "out"
    proc = ferrule("build", "-i", sys.executable, "-o", out, cwd=project, check=False)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stderr, sorted(out.glob("*")) if out.exists() else []


def assert_refused(project: Path, tmp_path: Path, *fragments: str) -> None:
    code, err, outputs = build(project, tmp_path)
    assert code == 1, err
    assert outputs == []
    for fragment in fragments:
        assert fragment in err


def add_tool_keys(project: Path, text: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.maturin]\n", "[tool.maturin]\n" + text)
    )


def test_file_link_out_of_the_project(project: Path, secret: Path, tmp_path: Path) -> None:
    os.symlink(secret, project / "layout_mixed" / "leak.txt")
    assert_refused(project, tmp_path, "leak.txt is a link to", "outside the project")


def test_directory_link_out_of_the_project(project: Path, secret: Path, tmp_path: Path) -> None:
    os.symlink(secret.parent, project / "layout_mixed" / "leakdir")
    assert_refused(project, tmp_path, "leakdir is a link to", "outside the project")


def test_dangling_link(project: Path, tmp_path: Path) -> None:
    os.symlink(project / "nowhere", project / "layout_mixed" / "dangling.py")
    assert_refused(project, tmp_path, "dangling.py is a broken link")


def test_link_loop(project: Path, tmp_path: Path) -> None:
    os.symlink(project / "layout_mixed", project / "layout_mixed" / "again")
    assert_refused(project, tmp_path, "symbolic link loop")


def test_include_reaching_out(project: Path, secret: Path, tmp_path: Path) -> None:
    add_tool_keys(project, 'include = ["../outside/secret.txt"]\n')
    assert_refused(project, tmp_path, "tool.maturin.include[0]", "reaches outside the project")


def test_absolute_include(project: Path, secret: Path, tmp_path: Path) -> None:
    add_tool_keys(project, f'include = [{{ path = "{secret}", format = "wheel" }}]\n')
    assert_refused(project, tmp_path, "tool.maturin.include[0].path", "is an absolute path")


def test_include_through_a_link_out(project: Path, secret: Path, tmp_path: Path) -> None:
    os.symlink(secret, project / "innocent.txt")
    add_tool_keys(project, 'include = ["innocent.txt"]\n')
    assert_refused(project, tmp_path, "innocent.txt", "outside the project")


def test_python_source_outside(project: Path, secret: Path, tmp_path: Path) -> None:
    # A python-source outside the project is allowed (maturin's external-python-source,
    # tests/integration/test_layout_compat.py), but it must hold the package: nothing else is taken.
    add_tool_keys(project, 'python-source = "../outside"\n')
    assert_refused(project, tmp_path, "tool.maturin.python-source", "does not exist")


def test_names_with_dots_are_packed_where_they_belong(project: Path, tmp_path: Path) -> None:
    package = project / "layout_mixed"
    (package / "..hidden.py").write_text("X = 1\n")
    (package / "a..b.txt").write_text("dots\n")
    (package / "...").mkdir()
    (package / "..." / "deep.txt").write_text("deep\n")
    code, err, outputs = build(project, tmp_path)
    assert code == 0, err
    (wheel,) = outputs
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    assert {
        "layout_mixed/..hidden.py",
        "layout_mixed/a..b.txt",
        "layout_mixed/.../deep.txt",
    } <= set(names)
    for name in names:
        assert not name.startswith("/") and ".." not in name.split("/")


def test_nothing_outside_is_packed_when_links_stay_inside(
    project: Path, secret: Path, tmp_path: Path
) -> None:
    """Links that stay inside the project are followed; the wheel holds no outside bytes."""
    (project / "shared.txt").write_text("inside")
    os.symlink(project / "shared.txt", project / "layout_mixed" / "linked.txt")
    code, err, outputs = build(project, tmp_path)
    assert code == 0, err
    (wheel,) = outputs
    with zipfile.ZipFile(wheel) as z:
        assert z.read("layout_mixed/linked.txt") == b"inside"
        assert all(b"TOP-SECRET-CONTENT" not in z.read(n) for n in z.namelist())
