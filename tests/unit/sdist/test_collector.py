"""The sdist's entries by archive name (ferrule.sdist.collector)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.errors import FerruleError
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.collector import Collector, join, rel, toml_bytes
from ferrule.sdist.files import GlobSet
from ferrule.sdist.tomldoc import TomlDocument


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra/scratch.txt").write_text("scratch\n")
    (tmp_path / "a.txt").write_text("a\n")
    (tmp_path / "b.txt").write_text("b\n")
    tool = tmp_path / "configure"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    (tmp_path / "a.txt").chmod(0o644)
    return tmp_path


def test_paths() -> None:
    assert rel(Path("/a/b/c"), Path("/a")) == "b/c"
    assert rel(Path("/a/x"), Path("/a/b")) == "../x"
    assert join("", "f") == "f"
    assert join(".", "f") == "f"
    assert join("core", "f") == "core/f"
    assert toml_bytes(TomlDocument("a = 1")) == b"a = 1\n"
    assert toml_bytes(TomlDocument("a = 1\n")) == b"a = 1\n"


def test_files_and_executable_bits(project: Path) -> None:
    collector = Collector(project, GlobSet([]))
    collector.add_file("configure", project / "configure")
    collector.add_file("a.txt", project / "a.txt")
    assert collector.entries == {
        "configure": SdistEntry("configure", source=project / "configure", executable=True),
        "a.txt": SdistEntry("a.txt", source=project / "a.txt", executable=False),
    }
    assert collector.has("a.txt")
    assert not collector.has("b.txt")


def test_excludes_match_relative_to_the_project(project: Path) -> None:
    collector = Collector(project, GlobSet(["extra/*"]))
    collector.add_file("moved/scratch.txt", project / "extra/scratch.txt")
    assert not collector.has("moved/scratch.txt")
    # not excludable (a readme, pyproject.toml): kept
    collector.add_file("moved/scratch.txt", project / "extra/scratch.txt", excludable=False)
    assert collector.has("moved/scratch.txt")
    # a file outside the project is matched by its archive name
    outside = Collector(project / "extra", GlobSet(["a.txt"]))
    outside.add_file("a.txt", project / "a.txt")
    outside.add_file("b.txt", project / "b.txt")
    assert list(outside.entries) == ["b.txt"]


def test_the_same_file_twice_is_one_entry_and_a_rewrite_wins(project: Path) -> None:
    collector = Collector(project, GlobSet([]))
    collector.add_file("a.txt", project / "a.txt")
    collector.add_file("a.txt", project / "extra/../a.txt")
    assert collector.entries["a.txt"].source == project / "a.txt"
    collector.add_data("a.txt", b"rewritten\n", project / "a.txt")
    collector.add_file("a.txt", project / "a.txt")
    assert collector.entries["a.txt"] == SdistEntry(
        "a.txt", data=b"rewritten\n", origin=project / "a.txt"
    )


def test_two_files_for_one_name_are_an_error(project: Path) -> None:
    collector = Collector(project, GlobSet([]))
    collector.add_file("a.txt", project / "a.txt")
    with pytest.raises(FerruleError) as caught:
        collector.add_file("a.txt", project / "b.txt")
    assert str(caught.value) == (
        f"two files would be a.txt in the sdist: {project / 'a.txt'} and {project / 'b.txt'}; "
        "rename one, or leave one out with tool.maturin.exclude (format 'sdist')"
    )
    collector.add_data("PKG-INFO", b"x")
    with pytest.raises(FerruleError, match="generated file and a generated file"):
        collector.add_data("PKG-INFO", b"y")
