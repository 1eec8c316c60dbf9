"""The wheel stamp's key (ferrule.wheel.stamp): the project's own files stand for
themselves by their stat, staged copies by their content; every change is seen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ferrule.wheel import stamp
from ferrule.wheel.manifest import Entry
from ferrule.wheel.stamp import WheelStamp


def _key(tmp_path: Path, entry: Entry) -> str:
    environ = {"FERRULE_CACHE_DIR": str(tmp_path / "cache")}
    return WheelStamp(tmp_path / "demo.whl", [entry], environ).key


def _rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    before = path.stat()
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns


@pytest.mark.parametrize("project_file", [True, False])
def test_a_rewrite_keeping_size_and_mtime_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project_file: bool
) -> None:
    monkeypatch.setattr(stamp, "_RACY_NS", 0)  # trust every stat, however fresh
    source = tmp_path / "a.py"
    source.write_bytes(b"A = 1\n")
    entry = Entry("demo/a.py", source=source, project_file=project_file)
    before = _key(tmp_path, entry)
    assert _key(tmp_path, entry) == before
    _rewrite_keeping_size_and_mtime(source, b"A = 2\n")
    assert _key(tmp_path, entry) != before


def test_a_project_file_is_keyed_by_its_stat_a_staged_copy_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "_RACY_NS", 0)
    source = tmp_path / "lib.so"
    source.write_bytes(b"native")
    own, staged = (Entry("demo/lib.so", source=source, project_file=p) for p in (True, False))
    own_key, staged_key = _key(tmp_path, own), _key(tmp_path, staged)
    # The same bytes written again (a new copy of cargo's artifact): same content, new ctime.
    _rewrite_keeping_size_and_mtime(source, b"native")
    assert _key(tmp_path, staged) == staged_key
    assert _key(tmp_path, own) != own_key


def test_a_project_file_changed_moments_ago_is_read(tmp_path: Path) -> None:
    """Within the racy window the content decides, as for a staged copy."""
    source = tmp_path / "a.py"
    source.write_bytes(b"A = 1\n")
    own, staged = (Entry("demo/a.py", source=source, project_file=p) for p in (True, False))
    own_key, staged_key = _key(tmp_path, own), _key(tmp_path, staged)
    _rewrite_keeping_size_and_mtime(source, b"A = 1\n")
    assert _key(tmp_path, own) == own_key
    assert _key(tmp_path, staged) == staged_key
