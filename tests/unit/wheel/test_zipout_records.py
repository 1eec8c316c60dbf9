"""ferrule.wheel.zipout's structures pinned byte for byte against zipfile's, including
the zip64 ones (their thresholds lowered in both, so no test writes 2 GiB), and its
patching buffer and spill file on their own."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from ferrule.errors import WheelError
from ferrule.wheel import zipout
from ferrule.wheel.writer import _ZipfileOut
from ferrule.wheel.zipout import DEFLATED, STORED, PatchBuffer, Spill, ZipOut

WHEN = (2023, 11, 14, 22, 13, 20)
Script = Callable[["ZipOut | _ZipfileOut"], None]


def _both(
    tmp_path: Path, method: int, level: int | None, large_file: bool, script: Script
) -> tuple[bytes, bytes]:
    """The same entries written by ZipOut and by zipfile (writer._ZipfileOut)."""
    results = []
    for own in (True, False):
        path = tmp_path / f"{own}.zip"
        with path.open("wb") as raw:
            out: ZipOut | _ZipfileOut
            if own:
                out = ZipOut(PatchBuffer(raw), WHEN, method, level, large_file, str(tmp_path))
            else:
                out = _ZipfileOut(raw, WHEN, method, level, large_file)  # type: ignore[arg-type]
            script(out)
            out.close()
        results.append(path.read_bytes())
    return results[0], results[1]


def _entries(out: ZipOut | _ZipfileOut) -> None:
    out.add("a.py", b"VALUE = 1\n" * 40, False)
    out.add("bin/tool", b"#!/bin/sh\n", True)
    out.add("stored.txt", b"stored anyway\n" * 20, False, compress=False)
    out.add("\u00e9t\u00e9.py", b"# UTF-8 name\n", False)
    out.add("empty", b"", False)
    with out.stream("streamed.txt", False, False) as write:
        write(b"line one\n" * 30)
        write(memoryview(b"line two\n" * 30))
    with out.stream("big.bin", True, True) as write:  # declared zip64
        write(b"\x00" * 500)
    with out.stream("plain.bin", False, False, compress=False) as write:
        write(b"abc" * 50)


@pytest.mark.parametrize(
    ("method", "level"), [(STORED, None), (DEFLATED, None), (DEFLATED, 1), (DEFLATED, 9)]
)
@pytest.mark.parametrize("large_file", [False, True])
def test_entries_are_zipfiles_bytes(
    tmp_path: Path, method: int, level: int | None, large_file: bool
) -> None:
    ours, theirs = _both(tmp_path, method, level, large_file, _entries)
    assert ours == theirs
    with zipfile.ZipFile(io.BytesIO(ours)) as z:
        assert z.testzip() is None
        assert z.read("streamed.txt") == b"line one\n" * 30 + b"line two\n" * 30


@pytest.mark.parametrize("method", [STORED, DEFLATED])
@pytest.mark.parametrize("limit", [150, 400, 2000])
def test_zip64_thresholds_are_zipfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: int, limit: int
) -> None:
    """Sizes, offsets and the central directory past the zip64 limit, and more entries
    than the end record counts: the limits lowered in zipfile and here alike."""
    monkeypatch.setattr(zipout, "_ZIP64_LIMIT", limit)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", limit)
    monkeypatch.setattr(zipout, "_COUNT_LIMIT", 12)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 12)

    def script(out: ZipOut | _ZipfileOut) -> None:
        with out.stream("huge.bin", False, True) as write:  # over the limit: zip64 sizes
            write(bytes(range(256)) * 3)
        for i in range(12):  # offsets past the limit, 14 entries in all
            out.add(f"m{i:02d}.py", b"x = %d\n" % i * 7, i % 3 == 0)
        with out.stream("late.bin", False, True, compress=False) as write:
            write(b"\xff" * 20)

    ours, theirs = _both(tmp_path, method, None, False, script)
    assert ours == theirs
    assert b"PK\x06\x06" in ours and b"PK\x06\x07" in ours
    monkeypatch.undo()
    with zipfile.ZipFile(io.BytesIO(ours)) as z:
        assert len(z.infolist()) == 14
        assert z.read("huge.bin") == bytes(range(256)) * 3


@pytest.mark.parametrize("count", [11, 12, 13])
def test_the_entry_count_limit_is_zipfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    monkeypatch.setattr(zipout, "_COUNT_LIMIT", 12)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 12)

    def script(out: ZipOut | _ZipfileOut) -> None:
        for i in range(count):
            out.add(f"m{i:02d}", b"", False)

    ours, theirs = _both(tmp_path, DEFLATED, None, False, script)
    assert ours == theirs
    assert (b"PK\x06\x06" in ours) == (count > 12)


@pytest.mark.parametrize("size", [99, 100, 101])
def test_the_size_limit_is_zipfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Exactly at the limit is no zip64 yet; one byte over is (sizes, offset, directory)."""
    for name in ("_ZIP64_LIMIT",):
        monkeypatch.setattr(zipout, name, 100)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 100)

    def script(out: ZipOut | _ZipfileOut) -> None:
        with out.stream("s", False, True, compress=False) as write:
            write(b"s" * size)

    ours, theirs = _both(tmp_path, STORED, None, False, script)
    assert ours == theirs


def test_a_stream_past_the_limit_without_zip64_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipout, "_ZIP64_LIMIT", 100)
    for compress, data in ((False, b"s" * 101), (True, bytes(range(256)))):
        with (tmp_path / "w.zip").open("wb") as raw:
            out = ZipOut(PatchBuffer(raw), WHEN, DEFLATED, None, False)
            with (
                pytest.raises(WheelError) as e,
                out.stream("w/big.bin", False, False, compress) as w,
            ):
                w(data)
            out.discard()
        assert str(e.value) == "w/big.bin grew past 2 GiB while it was written (use --zip64)"
    with (tmp_path / "w.zip").open("wb") as raw:  # exactly at the limit: fine
        out = ZipOut(PatchBuffer(raw), WHEN, STORED, None, False)
        with out.stream("w/ok.bin", False, False) as w:
            w(b"s" * 100)
        out.close()


def test_the_local_header_fields(tmp_path: Path) -> None:
    """One stored entry's header read field by field (what zipfile's reader ignores)."""
    buf = io.BytesIO()
    out = ZipOut(PatchBuffer(buf), (1980, 1, 1, 0, 0, 0), STORED, None, False)
    out.add("n", b"data", True)
    out.close()
    data = buf.getvalue()
    head = struct.unpack("<4s2B4HL2L2H", data[:30])
    assert head == (b"PK\x03\x04", 20, 0, 0, 0, 0, 33, zlib.crc32(b"data"), 4, 4, 1, 0)
    assert data[30:35] == b"ndata"
    central = struct.unpack("<4s4B4HL2L5H2L", data[35:81])
    assert central == (
        b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 33, zlib.crc32(b"data"), 4, 4, 1, 0, 0, 0, 0,
        0o100755 << 16, 0,
    )  # fmt: skip
    assert data[81:82] == b"n"
    assert data[82:] == struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, 47, 35, 0)


def test_dos_time_and_names() -> None:
    assert zipout._dos_time((2107, 12, 31, 23, 59, 58)) == (
        23 << 11 | 59 << 5 | 29,
        127 << 9 | 12 << 5 | 31,
    )
    assert zipout._dos_time((1999, 6, 7, 8, 9, 11)) == (8 << 11 | 9 << 5 | 5, 19 << 9 | 6 << 5 | 7)
    assert zipout._encoded("a/b.py") == (b"a/b.py", 0)
    assert zipout._encoded("\u00e9") == (b"\xc3\xa9", 0x800)


class _Raw(io.BytesIO):
    """A file that records its writes and accepts at most ``most`` bytes per write."""

    def __init__(self, most: int = 1 << 30) -> None:
        super().__init__()
        self.most = most
        self.writes: list[tuple[int, bytes]] = []
        self.flushes = 0
        self.final = b""

    def close(self) -> None:
        self.final = self.getvalue()
        super().close()

    def write(self, data: object) -> int:
        chunk = bytes(data)[: self.most]  # type: ignore[call-overload]
        self.writes.append((self.tell(), chunk))
        return super().write(chunk)

    def flush(self) -> None:
        self.flushes += 1


def test_patch_buffer_gathers_patches_and_flushes() -> None:
    raw = _Raw()
    buf = PatchBuffer(raw, limit=10)
    assert buf.seekable() is True
    assert buf.write(b"abcd") == 4
    assert buf.tell() == 4
    assert raw.writes == []  # gathered
    assert buf.seek(1) == 1
    assert buf.write(b"XY") == 2  # patched in memory
    assert buf.tell() == 3
    assert raw.writes == []
    assert buf.seek(1, 1) == 4
    assert buf.write(b"efghij") == 6  # 10 bytes gathered: the limit, flushed
    assert raw.writes == [(0, b"aXYdefghij")]
    assert buf.tell() == 10
    buf.write(b"kl")
    buf.seek(2)  # behind what is gathered: straight to the file
    assert buf.write(b"ZZ") == 2
    assert raw.getvalue() == b"aXZZefghijkl"
    assert buf.tell() == 4
    buf.seek(0, 2)
    assert buf.tell() == 12
    buf.write(b"mn")
    buf.seek(-1, 1)
    buf.write(b"N")
    buf.close()
    assert raw.final == b"aXZZefghijklmN"
    assert raw.closed


def test_patch_buffer_flushes_a_patch_that_reaches_the_limit() -> None:
    raw = _Raw()
    buf = PatchBuffer(raw, limit=6)
    buf.write(b"abcde")
    buf.seek(3)
    buf.write(b"DEF")  # a patch past the end: 6 gathered, at the end, flushed
    assert raw.writes == [(0, b"abcDEF")]
    buf.write(b"g")
    buf.seek(6)
    buf.write(b"G")  # patched, not at the end of 7 gathered: kept
    assert raw.writes == [(0, b"abcDEF")]
    buf.seek(0, 2)
    assert buf.tell() == 7
    assert raw.getvalue() == b"abcDEFG"


def test_patch_buffer_writes_all_of_a_short_writing_file() -> None:
    raw = _Raw(most=3)
    buf = PatchBuffer(raw, limit=1 << 20)
    buf.write(b"0123456789")
    buf.flush()
    assert raw.getvalue() == b"0123456789"
    assert raw.flushes == 1
    buf.seek(4)
    buf.write(b"abcdefg")  # outside what is gathered (nothing): straight, in pieces
    assert raw.getvalue() == b"0123abcdefg"
    assert buf.tell() == 11
    buf.write(b"!")
    buf.flush()
    assert raw.getvalue() == b"0123abcdefg!"


def test_patch_buffer_flush_moves_the_base_to_the_position() -> None:
    raw = _Raw()
    buf = PatchBuffer(raw)
    buf.write(b"abc")
    buf.seek(10)
    buf.flush()  # nothing gathered; the next bytes go to 10
    buf.write(b"xy")
    buf.flush()
    assert raw.getvalue() == b"abc" + b"\0" * 7 + b"xy"


def test_spill_appends_and_reads_back_in_chunks(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    assert spill.size == 0
    assert spill.read() == b""
    spill.append(b"abc")
    spill.append(b"defgh")
    assert spill.size == 8
    assert list(spill.chunks(3)) == [b"abc", b"def", b"gh"]
    spill.append(b"ij")  # appended after a read: at the end
    assert spill.read() == b"abcdefghij"
    assert list(spill.chunks()) == [b"abcdefghij"]
    assert spill.size == 10
    spill.close()
    assert list(tmp_path.iterdir()) == []  # anonymous


def test_discard_closes_the_central_directory_spill(tmp_path: Path) -> None:
    with (tmp_path / "w.zip").open("wb") as raw:
        out = ZipOut(PatchBuffer(raw), WHEN, DEFLATED, None, False)
        out.add("a", b"a", False)
        out.discard()
        assert out._central._file.closed


def test_spill_reads_back_more_than_one_chunk_whole(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    data = bytes(range(256)) * 300  # 76,800 bytes: two of read()'s chunks
    spill.append(data[:50_000])
    spill.append(data[50_000:])
    assert spill.read() == data
    assert [len(c) for c in spill.chunks()] == [65536, 11264]
    spill.close()


@pytest.mark.parametrize(
    "names",
    [
        [("a", 69)],  # the central directory starts exactly at the limit
        [("a", 69), ("b", 5)],  # the second entry starts exactly at the limit
        [("abcd", 0), ("efgh", 0)],  # the central directory is exactly the limit long
    ],
)
def test_exactly_at_the_zip64_limit_is_no_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[tuple[str, int]]
) -> None:
    """zipfile's limits are "more than": an offset, a start or a size equal to the limit
    (100 here; 30 + 1 + 69 bytes for a stored entry "a") needs no zip64 record."""
    monkeypatch.setattr(zipout, "_ZIP64_LIMIT", 100)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 100)

    def script(out: ZipOut | _ZipfileOut) -> None:
        for name, size in names:
            out.add(name, b"s" * size, False)

    ours, theirs = _both(tmp_path, STORED, None, False, script)
    assert ours == theirs
    assert b"\x01\x00\x08\x00" not in ours  # no zip64 extra in the central directory
    assert (b"PK\x06\x06" in ours) == (len(names) == 2 and names[1][1] == 5)


def test_patch_buffer_seeks_from_the_end() -> None:
    raw = _Raw()
    buf = PatchBuffer(raw)
    buf.write(b"abcdef")
    assert buf.seek(-2, 2) == 4
    buf.write(b"EF")
    buf.flush()
    assert raw.getvalue() == b"abcdEF"
