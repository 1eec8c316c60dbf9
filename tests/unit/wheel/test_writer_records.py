"""ferrule.wheel.writer's smaller parts pinned: the chunked read, the bzip2 path through
zipfile (levels, stored entries), an interrupted wheel, the RECORD hash text."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from ferrule.errors import WheelError
from ferrule.wheel import writer
from ferrule.wheel.writer import WheelWriter, zip_compression


def _read_all(path: Path, first: bytes | None = None) -> list[tuple[int, bool]]:
    fd = os.open(path, os.O_RDONLY)
    try:
        got = []
        chunk, end = writer._read_chunk(fd) if first is None else writer._read_chunk(fd, first)
        got.append((len(chunk), end))
        while not end:
            chunk, end = writer._read_chunk(fd)
            got.append((len(chunk), end))
        return got
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, [(0, True)]),
        (10, [(10, True)]),
        (65536, [(65536, False), (0, True)]),
        (100_000, [(65536, False), (34464, True)]),
        (131072, [(65536, False), (65536, False), (0, True)]),
    ],
)
def test_read_chunk_sizes_and_ends(
    tmp_path: Path, size: int, expected: list[tuple[int, bool]]
) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"z" * size)
    assert _read_all(path) == expected


def test_read_chunk_completes_a_given_head(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * 300)
    fd = os.open(path, os.O_RDONLY)
    try:
        chunk, end = writer._read_chunk(fd, b"HEAD")
        assert (chunk, end) == (b"HEAD" + (bytes(range(256)) * 300)[:65532], False)
    finally:
        os.close(fd)


def _short_reads(monkeypatch: pytest.MonkeyPatch, most: int) -> None:
    """os.read returning at most ``most`` bytes, as a pipe or a network file may."""
    read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read(fd, min(n, most)))


def test_read_chunk_gathers_short_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f"
    data = bytes(range(256)) * 300  # 76,800 bytes
    path.write_bytes(data)
    _short_reads(monkeypatch, 1000)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert writer._read_chunk(fd) == (data[:65536], False)
        assert writer._read_chunk(fd) == (data[65536:], True)
        assert writer._read_chunk(fd) == (b"", True)
    finally:
        os.close(fd)


def test_a_short_first_read_of_a_large_file_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first read shorter than the file (but under one chunk) is not its end."""
    src = tmp_path / "big.bin"
    data = b"ab" * 50_000
    src.write_bytes(data)
    src.chmod(0o755)
    target = tmp_path / "w.whl"
    _short_reads(monkeypatch, 1000)
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/big.bin", src)
    monkeypatch.undo()
    with zipfile.ZipFile(target) as z:
        assert z.read("w/big.bin") == data
        assert z.getinfo("w/big.bin").external_attr >> 16 == 0o100755
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert z.read("w-1.dist-info/RECORD").decode().splitlines()[0] == (
            f"w/big.bin,sha256={digest},100000"
        )


@pytest.mark.parametrize(("size", "zip64"), [(99_999, False), (100_000, False), (100_001, True)])
def test_a_file_over_the_zip64_size_is_written_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, zip64: bool
) -> None:
    """Past ``_ZIP64_AT`` (1 GiB; lowered here) a file's entry is zip64 from the start."""
    monkeypatch.setattr(writer, "_ZIP64_AT", 100_000)
    src = tmp_path / "f.bin"
    src.write_bytes(b"q" * size)
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/f.bin", src)
    raw = target.read_bytes()
    assert int.from_bytes(raw[4:6], "little") == (45 if zip64 else 20)
    assert int.from_bytes(raw[28:30], "little") == (20 if zip64 else 0)  # the extra's length


def test_generated_bytes_over_the_zip64_size_are_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "_ZIP64_AT", 100)
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/a", b"a" * 100)
        w.add_bytes("w/b", b"b" * 101, executable=True)
    with zipfile.ZipFile(target) as z:
        assert z.read("w/b") == b"b" * 101
        assert z.getinfo("w/b").external_attr >> 16 == 0o100755
        offsets = {i.filename: i.header_offset for i in z.infolist()}
    raw = target.read_bytes()
    assert raw[offsets["w/a"] + 4] == 20
    assert raw[offsets["w/b"] + 4] == 45


def test_record_rows_read_back_keep_line_breaks_in_names(tmp_path: Path) -> None:
    """Once the order breaks, RECORD's rows are read back and sorted: a name with a
    CR LF in it (quoted) comes back unchanged."""
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/b\r\nc.py", b"")
        w.add_bytes("w/a.py", b"")  # out of order
    empty = base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).rstrip(b"=").decode()
    with zipfile.ZipFile(target) as z:
        assert z.read("w-1.dist-info/RECORD").decode() == (
            f'w/a.py,sha256={empty},0\n"w/b\r\nc.py",sha256={empty},0\nw-1.dist-info/RECORD,,\n'
        )


@pytest.mark.parametrize("name", ["w/a\rb.py", "w/a\nb.py", 'w/a"b.py', "w/a,b.py", "w/\r"])
def test_a_record_row_reads_back_as_written(name: str) -> None:
    """A lone CR is quoted too (Python 3.11's csv writer left it bare: a reader then
    split the row in two); RECORD is read with csv by installers and by the writer."""
    import csv
    import io

    line = writer._record_line(name, "sha256=h", "1")
    assert line == '"' + name.replace('"', '""') + '",sha256=h,1\n'
    assert list(csv.reader(io.StringIO(line, newline=""))) == [[name, "sha256=h", "1"]]


def test_a_name_with_a_carriage_return_survives_the_sort(tmp_path: Path) -> None:
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/b\rc.py", b"")
        w.add_bytes("w/a.py", b"")  # out of order: the rows are read back
    empty = base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).rstrip(b"=").decode()
    with zipfile.ZipFile(target) as z:
        assert z.read("w-1.dist-info/RECORD").decode() == (
            f'w/a.py,sha256={empty},0\n"w/b\rc.py",sha256={empty},0\nw-1.dist-info/RECORD,,\n'
        )


def test_record_hash_text() -> None:
    digest = hashlib.sha256(b"").digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert writer._record_hash(digest) == "sha256=" + expected
    assert writer._record_hash(b"\xfb\xff") == "sha256=-_8"
    assert writer._record_line("a\nb", "", "") == '"a\nb",,\n'


def _entry_data(target: Path, name: str) -> tuple[int, bytes]:
    """An entry's method and its raw (compressed) bytes."""
    with zipfile.ZipFile(target) as z:
        info = z.getinfo(name)
    raw = target.read_bytes()
    at = info.header_offset
    name_len = int.from_bytes(raw[at + 26 : at + 28], "little")
    extra_len = int.from_bytes(raw[at + 28 : at + 30], "little")
    start = at + 30 + name_len + extra_len
    return info.compress_type, raw[start : start + info.compress_size]


@pytest.mark.parametrize(("level", "block"), [(None, b"BZh6"), (0, b"BZh1"), (9, b"BZh9")])
def test_bzip2_wheels_go_through_zipfile_with_the_level(
    tmp_path: Path, level: int | None, block: bytes
) -> None:
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(70_000))
    text = tmp_path / "text.py"
    text.write_bytes(b"VALUE = 1\n" * 10_000)
    tool = tmp_path / "tool"
    tool.write_bytes(b"#!/bin/sh\n")
    tool.chmod(0o755)
    method, lvl = zip_compression("bzip2", level)
    target = tmp_path / "w.whl"
    with WheelWriter(
        target, "w-1.dist-info", {"SOURCE_DATE_EPOCH": "1700000000"}, method, lvl
    ) as w:
        assert not w._own
        w.add_file("w/noise.bin", noise)
        w.add_file("w/text.py", text)
        w.add_file("w/tool", tool)
        w.add_bytes("w/gen.py", b"X = 1\n" * 100)
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None
        infos = {i.filename: i for i in z.infolist()}
        assert {n: i.compress_type for n, i in infos.items()} == {
            "w/noise.bin": zipfile.ZIP_BZIP2,  # only deflate is judged worth it
            "w/text.py": zipfile.ZIP_BZIP2,
            "w/tool": zipfile.ZIP_BZIP2,
            "w/gen.py": zipfile.ZIP_BZIP2,
            "w-1.dist-info/RECORD": zipfile.ZIP_BZIP2,
        }
        assert {i.create_system for i in infos.values()} == {3}
        assert {n: i.external_attr >> 16 for n, i in infos.items()} == {
            "w/noise.bin": 0o100644,
            "w/text.py": 0o100644,
            "w/tool": 0o100755,
            "w/gen.py": 0o100644,
            "w-1.dist-info/RECORD": 0o100644,
        }
        assert {i.date_time for i in infos.values()} == {(2023, 11, 14, 22, 13, 20)}
        assert {i.extra for i in infos.values()} == {b""}
    for name in ("w/text.py", "w/gen.py"):
        assert _entry_data(target, name)[1][:4] == block


def test_bzip2_large_file_is_zip64(tmp_path: Path) -> None:
    method, level = zip_compression("bzip2", None)
    for large in (False, True):
        target = tmp_path / f"{large}.whl"
        with WheelWriter(target, "w-1.dist-info", {}, method, level, large_file=large) as w:
            w.add_bytes("w/a.py", b"a")
        with zipfile.ZipFile(target) as z:
            extras = {i.filename: i.extra for i in z.infolist()}
        # zipfile drops the zip64 extra from the central directory of small entries; the
        # local headers keep it.
        raw = target.read_bytes()
        assert (b"\x01\x00\x10\x00" in raw) is large, extras


@pytest.mark.parametrize("compression", ["deflated", "bzip2"])
def test_an_interrupted_wheel_leaves_nothing(tmp_path: Path, compression: str) -> None:
    target = tmp_path / "w.whl"
    method, level = zip_compression(compression, None)
    with (
        pytest.raises(RuntimeError, match="stop"),
        WheelWriter(target, "w-1.dist-info", {}, method, level) as w,
    ):
        w.add_bytes("w/a.py", b"a")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_an_unsafe_name_is_refused_whole(tmp_path: Path) -> None:
    with pytest.raises(WheelError) as e, WheelWriter(tmp_path / "w.whl", "w-1.dist-info", {}) as w:
        w.add_bytes("w/a.py", b"a")
        w.add_bytes("w\\b.py", b"b")
    assert str(e.value) == "unsafe archive name 'w\\\\b.py': contains a backslash"
    assert list(tmp_path.iterdir()) == []


def test_a_record_over_several_chunks_is_whole_with_one_kill_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RECORD is streamed in 64 KiB pieces with the ``record`` kill point inside it, once."""
    reached: list[str] = []
    monkeypatch.setattr(writer._faults, "point", reached.append)
    names = [f"w/{'m' * 90}{i:05d}.py" for i in range(2000)]  # ~300 KB of RECORD
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        for name in names:
            w.add_bytes(name, b"")
    empty = base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).rstrip(b"=").decode()
    with zipfile.ZipFile(target) as z:
        assert z.read("w-1.dist-info/RECORD").decode() == "".join(
            f"{name},sha256={empty},0\n" for name in names
        ) + ("w-1.dist-info/RECORD,,\n")
    assert reached.count("record") == 1


@pytest.mark.parametrize(("extra", "zip64"), [(0, False), (1, True)])
def test_a_record_over_the_zip64_size_is_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: int, zip64: bool
) -> None:
    record = "w/a.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nw-1.dist-info/RECORD,,\n"
    monkeypatch.setattr(writer, "_ZIP64_AT", len(record) - extra)
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/a.py", b"")
    with zipfile.ZipFile(target) as z:
        assert z.read("w-1.dist-info/RECORD").decode() == record
        at = z.getinfo("w-1.dist-info/RECORD").header_offset
    assert target.read_bytes()[at + 4] == (45 if zip64 else 20)


def test_scratch_files_go_next_to_the_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RECORD's rows and the central directory wait in the target's directory, not in
    the system's temporary one (often a small tmpfs): here that one does not exist."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-dir"))
    target = tmp_path / "out" / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/b.py", b"b")
        w.add_bytes("w/a.py", b"a")  # out of order: RECORD's rows are rewritten sorted
    with zipfile.ZipFile(target) as z:
        assert z.namelist() == ["w/b.py", "w/a.py", "w-1.dist-info/RECORD"]


def test_a_duplicate_after_the_order_broke_is_refused(tmp_path: Path) -> None:
    with WheelWriter(tmp_path / "w.whl", "w-1.dist-info", {}) as w:
        w.add_bytes("w/b.py", b"")
        w.add_bytes("w/a.py", b"")  # the order breaks: a set of names from here
        w.add_bytes("w/c.py", b"")
        w.add_bytes("w/d.py", b"")
        for name in ("w/c.py", "w/a.py", "w/b.py"):
            with pytest.raises(WheelError) as e:
                w.add_bytes(name, b"")
            assert str(e.value) == f"two files map to the same path in the wheel: {name}"


def test_a_name_with_a_nul_character_is_refused_whole() -> None:
    from ferrule.wheel.writer import check_archive_name

    with pytest.raises(WheelError) as e:
        check_archive_name("w/a\0b.py")
    assert str(e.value) == "unsafe archive name 'w/a\\x00b.py': contains a NUL character"
