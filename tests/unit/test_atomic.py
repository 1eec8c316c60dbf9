"""ferrule._atomic: a file is replaced whole, or left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ferrule import _atomic


def test_replaces_and_sets_the_mode(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "file.txt"
    _atomic.write_text(dest, "one\n")
    _atomic.write_text(dest, "two\n", 0o640)
    assert dest.read_text() == "two\n"
    assert dest.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in dest.parent.iterdir()) == ["file.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"old")
    with pytest.raises(RuntimeError), _atomic.replacing(dest) as tmp:
        tmp.write_bytes(b"half")
        assert tmp.name == f".file.bin.{os.getpid()}{_atomic.TMP_SUFFIX}"
        raise RuntimeError
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_a_process_holding_the_old_file_keeps_it(tmp_path: Path) -> None:
    """A rename, not a write in place: an open handle (a loaded extension) sees the old inode."""
    source, dest = tmp_path / "new.so", tmp_path / "mod.so"
    source.write_bytes(b"new")
    dest.write_bytes(b"old")
    with dest.open("rb") as held:
        _atomic.copy_file(source, dest, 0o755)
        assert held.read() == b"old"
    assert dest.read_bytes() == b"new"
    assert dest.stat().st_mode & 0o777 == 0o755
