"""ferrule.wheel.manifest's walk and package entries, pinned whole: every Entry field
(project_file included), the .gitignore read, a root reached through a link."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.errors import LayoutError
from ferrule.wheel.manifest import Entry, FileSelection, package_entries, walk_paths
from tests.unit.wheel.test_manifest import layout, metadata, tree


def test_package_entries_are_project_files_named_by_their_path_end(tmp_path: Path) -> None:
    py = tmp_path / "python"
    tree(py, ["demo/__init__.py", "demo/sub/m.py", "demo.pyi", "d/scripts/tool", "one.py"])
    entries = package_entries(
        layout(py, root_stub=py / "demo.pyi", data_dir=py / "d", python_packages=(py / "one.py",)),
        metadata(),
        FileSelection(tmp_path),
    )
    assert entries == [
        Entry("demo/__init__.py", source=py / "demo/__init__.py", project_file=True),
        Entry("demo/sub/m.py", source=py / "demo/sub/m.py", project_file=True),
        Entry("one.py", source=py / "one.py", project_file=True),
        Entry("demo/__init__.pyi", source=py / "demo.pyi", project_file=True),
        Entry("demo/py.typed", data=b""),
        Entry("demo-1.0.data/scripts/tool", source=py / "d/scripts/tool", project_file=True),
    ]
    # The walked files keep one string: the name is where it starts in the source.
    assert [type(e._name) for e in entries[:2]] == [int, int]
    assert [type(e.source_path) for e in entries] == [str, str, type(py), type(py), type(None), str]


def test_stub_package_entries_are_project_files(tmp_path: Path) -> None:
    py = tmp_path / "python"
    tree(py, ["demo/__init__.py", "stubs/__init__.pyi"])
    entries = package_entries(
        layout(py, stub_package=py / "stubs"), metadata(), FileSelection(tmp_path)
    )
    assert entries[1:] == [
        Entry("demo/__init__.pyi", source=py / "stubs/__init__.pyi", project_file=True),
        Entry("demo/py.typed", data=b""),
    ]


def test_a_gitignore_that_is_not_utf8_is_read_with_replacements(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg/a.py", "pkg/gen.py", "pkg/b\u00e9.py"])
    (tmp_path / ".gitignore").write_bytes(b"# caf\xe9\ngen.py\n")
    paths = list(walk_paths(tmp_path / "pkg", FileSelection(tmp_path)))
    assert paths == [str(tmp_path / "pkg" / "a.py"), str(tmp_path / "pkg" / "b\u00e9.py")]


def test_a_root_gitignore_applies_below_with_paths_from_the_root(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg/gen.py", "pkg/sub/gen.py", "pkg/keep.py"])
    (tmp_path / ".gitignore").write_text("/pkg/gen.py\n")
    paths = list(walk_paths(tmp_path / "pkg", FileSelection(tmp_path)))
    assert paths == [str(tmp_path / "pkg/keep.py"), str(tmp_path / "pkg/sub/gen.py")]


def test_nested_gitignore_files_are_ignored_when_asked(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg/gen.py", "pkg/keep.py"])
    (tmp_path / "pkg" / ".gitignore").write_text("gen.py\n")
    paths = list(walk_paths(tmp_path / "pkg", FileSelection(tmp_path, gitignore=False)))
    assert paths == [str(tmp_path / "pkg/gen.py"), str(tmp_path / "pkg/keep.py")]


def test_directory_names_ending_in_a_space_are_kept(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg /a.py", "pkg/b.py"])
    paths = list(walk_paths(tmp_path, FileSelection(tmp_path)))
    assert paths == [str(tmp_path / "pkg/b.py"), str(tmp_path / "pkg /a.py")]


def test_a_root_reached_through_a_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    tree(outside, ["m.py"])
    project.mkdir()
    (project / "pkg").symlink_to(outside)
    with pytest.raises(LayoutError) as e:
        list(walk_paths(project / "pkg", FileSelection(project)))
    assert str(e.value) == (
        f"{project / 'pkg' / 'm.py'} is a link to {outside / 'm.py'}, outside the project {project}"
    )
