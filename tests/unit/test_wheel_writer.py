"""The wheel writer: streaming hashes, RECORD, reproducibility, atomicity, safe names."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from ferrule.errors import WheelError
from ferrule.wheel.writer import WheelWriter

DIST_INFO = "demo-1.0.dist-info"


def write_demo(target: Path, env: dict[str, str] | None = None) -> None:
    src = target.parent / "payload.bin"
    src.write_bytes(b"\x00" * 200_000 + b"end")
    src.chmod(0o600)
    with WheelWriter(target, DIST_INFO, env or {}) as w:
        w.add_file("demo/payload.bin", src)
        w.add_bytes("demo/__init__.py", b"x = 1\n")
        w.add_bytes("demo/tool", b"#!/bin/sh\n", executable=True)
        w.add_bytes(f"{DIST_INFO}/METADATA", b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n\n")


def test_record_matches_contents(tmp_path: Path) -> None:
    target = tmp_path / "demo-1.0-py3-none-any.whl"
    write_demo(target)
    with zipfile.ZipFile(target) as z:
        rows = list(csv.reader(io.StringIO(z.read(f"{DIST_INFO}/RECORD").decode())))
        assert rows[-1] == [f"{DIST_INFO}/RECORD", "", ""]
        for name, digest, size in rows[:-1]:
            data = z.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}"
            assert int(size) == len(data)
        assert z.namelist()[-1] == f"{DIST_INFO}/RECORD"


def test_modes_and_timestamps_are_normalised(tmp_path: Path) -> None:
    target = tmp_path / "demo-1.0-py3-none-any.whl"
    write_demo(target, {"SOURCE_DATE_EPOCH": "1700000000"})
    with zipfile.ZipFile(target) as z:
        modes = {i.filename: i.external_attr >> 16 & 0o777 for i in z.infolist()}
        assert modes["demo/payload.bin"] == 0o644  # 0600 on disk
        assert modes["demo/tool"] == 0o755
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_byte_identical_across_runs(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "demo.whl", tmp_path / "b" / "demo.whl"
    a.parent.mkdir()
    b.parent.mkdir()
    write_demo(a)
    write_demo(b)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("name", ["../x", "/abs", "a/../b", "./a", "a\\b", "a//b", "C:/x", ""])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with (
        pytest.raises(WheelError, match="unsafe archive name"),
        WheelWriter(tmp_path / "x.whl", DIST_INFO, {}) as w,
    ):
        w.add_bytes(name, b"")
    assert list(tmp_path.iterdir()) == []


def test_duplicates_are_refused_and_nothing_is_left(tmp_path: Path) -> None:
    with (
        pytest.raises(WheelError, match="same path"),
        WheelWriter(tmp_path / "x.whl", DIST_INFO, {}) as w,
    ):
        w.add_bytes("a.py", b"")
        w.add_bytes("a.py", b"")
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_previous_wheel(tmp_path: Path) -> None:
    target = tmp_path / "demo.whl"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), WheelWriter(target, DIST_INFO, {}) as w:
        w.add_bytes("a.py", b"")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.whl"]


def test_bad_source_date_epoch(tmp_path: Path) -> None:
    with pytest.raises(WheelError, match="SOURCE_DATE_EPOCH"):
        WheelWriter(tmp_path / "x.whl", DIST_INFO, {"SOURCE_DATE_EPOCH": "soon"})


def test_stale_parts_of_dead_processes_are_removed(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f".demo.whl.ferrule-{dead}-abc.part"
    alive = tmp_path / f".demo.whl.ferrule-{os.getpid()}-abc.part"
    stale.write_bytes(b"partial")
    alive.write_bytes(b"in progress")
    write_demo(tmp_path / "demo.whl")
    assert not stale.exists()
    assert alive.exists()  # a live build's file is left alone


def test_incompressible_files_are_stored_compressible_ones_deflated(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(os.urandom(300_000))
    text = tmp_path / "text.txt"
    text.write_bytes(b"compress me please\n" * 20_000)
    target = tmp_path / "demo-1.0-py3-none-any.whl"
    with WheelWriter(target, DIST_INFO, {}) as w:
        w.add_file("demo/blob.bin", blob)
        w.add_file("demo/text.txt", text)
    with zipfile.ZipFile(target) as z:
        assert z.getinfo("demo/blob.bin").compress_type == zipfile.ZIP_STORED
        assert z.getinfo("demo/text.txt").compress_type == zipfile.ZIP_DEFLATED
        assert z.read("demo/blob.bin") == blob.read_bytes()
        assert z.testzip() is None
