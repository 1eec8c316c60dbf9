"""The wheel writer's pure parts and each entry's zip header (ferrule.wheel.writer).

Exact error messages, the clamping of SOURCE_DATE_EPOCH, maturin's compression levels, and
what every entry of a written wheel declares (mode, system, method, level, zip64), read back
with the standard library's zipfile.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from pathlib import Path

import pytest

from ferrule.errors import WheelError
from ferrule.wheel.deflate import BLOCK
from ferrule.wheel.writer import WheelWriter, check_archive_name, zip_compression, zip_timestamp
from tests.helpers.deflate import deflate_blocks


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (1980, 1, 1, 0, 0, 0)),
        ("  ", (1980, 1, 1, 0, 0, 0)),
        (" 1700000000\n", (2023, 11, 14, 22, 13, 20)),
        ("315532800", (1980, 1, 1, 0, 0, 0)),
        ("315532801", (1980, 1, 1, 0, 0, 1)),
        ("-5", (1980, 1, 1, 0, 0, 0)),
        ("4354819199", (2107, 12, 31, 23, 59, 59)),
        ("99999999999", (2107, 12, 31, 23, 59, 59)),
    ],
)
def test_zip_timestamp(value: str, expected: tuple[int, ...]) -> None:
    assert zip_timestamp({"SOURCE_DATE_EPOCH": value}) == expected


def test_zip_timestamp_refuses_a_non_number() -> None:
    with pytest.raises(WheelError) as e:
        zip_timestamp({"SOURCE_DATE_EPOCH": " 1.5 "})
    assert str(e.value) == "SOURCE_DATE_EPOCH='1.5' is not a whole number of seconds"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty or a directory"),
        ("pkg/", "empty or a directory"),
        ("/etc/passwd", "absolute"),
        ("C:evil", "absolute"),
        ("C:", "absolute"),
        ("pkg\\mod.py", "contains a backslash"),
        ("..", "contains '..'"),
        ("pkg/../x", "contains '..'"),
        ("pkg//x", "contains an empty or '.' component"),
        ("./x", "contains an empty or '.' component"),
        ("pkg/./x", "contains an empty or '.' component"),
    ],
)
def test_unsafe_archive_names(name: str, problem: str) -> None:
    with pytest.raises(WheelError) as e:
        check_archive_name(name)
    assert str(e.value) == f"unsafe archive name {name!r}: {problem}"


@pytest.mark.parametrize(
    "name", ["a", "pkg/mod.py", "pkg/..x/y", "pkg/.hidden", "xy:z", "pkg-1.0.data/scripts/t"]
)
def test_safe_archive_names(name: str) -> None:
    check_archive_name(name)


@pytest.mark.parametrize(
    ("method", "level", "expected"),
    [
        ("deflated", None, (zipfile.ZIP_DEFLATED, 6)),
        ("deflated", 0, (zipfile.ZIP_DEFLATED, 0)),
        ("deflated", 9, (zipfile.ZIP_DEFLATED, 9)),
        ("stored", None, (zipfile.ZIP_STORED, None)),
        ("stored", 0, (zipfile.ZIP_STORED, None)),
        ("bzip2", None, (zipfile.ZIP_BZIP2, 6)),
        ("bzip2", 0, (zipfile.ZIP_BZIP2, 1)),
        ("bzip2", 1, (zipfile.ZIP_BZIP2, 1)),
        ("bzip2", 9, (zipfile.ZIP_BZIP2, 9)),
    ],
)
def test_zip_compression(method: str, level: int | None, expected: tuple[int, int | None]) -> None:
    assert zip_compression(method, level) == expected


@pytest.mark.parametrize(
    ("method", "level", "range_"),
    [
        ("deflated", -1, "0 to 9"),
        ("deflated", 10, "0 to 9"),
        ("stored", 1, "0 to 0"),
        ("bzip2", 10, "0 to 9"),
        ("zstd", 23, "-7 to 22"),
        ("zstd", -8, "-7 to 22"),
    ],
)
def test_zip_compression_level_out_of_range(method: str, level: int, range_: str) -> None:
    with pytest.raises(WheelError) as e:
        zip_compression(method, level)
    assert str(e.value) == (
        f"--compression-level {level} is out of range for --compression-method {method} ({range_})"
    )


def test_zip_compression_unknown_method() -> None:
    with pytest.raises(WheelError) as e:
        zip_compression("lzma", None)
    assert str(e.value) == "--compression-method 'lzma': use one of deflated, stored, bzip2, zstd"


def test_zstd_needs_python_3_14() -> None:
    zstd = getattr(zipfile, "ZIP_ZSTANDARD", None)
    if zstd is not None:
        assert zip_compression("zstd", None) == (zstd, 3)
        assert zip_compression("zstd", -7) == (zstd, -7)
        return
    with pytest.raises(WheelError) as e:
        zip_compression("zstd", 22)
    import sys

    assert str(e.value) == (
        "--compression-method zstd needs Python 3.14's zipfile (ZIP_ZSTANDARD); "
        f"ferrule runs on Python {sys.version_info[0]}.{sys.version_info[1]}: "
        "use deflated or stored, or run ferrule with Python 3.14"
    )


def deflated_size(data: bytes, level: int) -> int:
    """What raw deflate at ``level`` makes of ``data`` (the zip entry's compressed size):
    one stream up to one block, blocks past it (ferrule.wheel.deflate)."""
    if len(data) > BLOCK:
        return len(deflate_blocks(data, level))
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(c.compress(data) + c.flush())


# Text that deflate levels 1, 4, 6 and 9 compress to different sizes.
TEXT = " ".join(f"{(i * 7919) % 1013:x}{'ab'[i % 2]}" for i in range(30_000)).encode()


def test_entry_headers(tmp_path: Path) -> None:
    script = tmp_path / "tool.sh"
    script.write_bytes(b"#!/bin/sh\n")
    script.chmod(0o750)
    plain = tmp_path / "mod.py"
    plain.write_bytes(TEXT)
    plain.chmod(0o600)
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(70_000))  # incompressible, over one chunk: stored
    target = tmp_path / "out" / "demo-1.0-py3-none-any.whl"
    with WheelWriter(target, "demo-1.0.dist-info", {}, zipfile.ZIP_DEFLATED, 4) as w:
        w.add_file("demo-1.0.data/scripts/tool", script)
        w.add_file("demo/mod.py", plain)
        w.add_file("demo/noise.bin", noise)
        w.add_file("demo/forced.py", script, executable=False)
        w.add_bytes("demo/x.py", b"y = 2\n", executable=True)
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    with zipfile.ZipFile(target) as z:
        infos = {i.filename: i for i in z.infolist()}
        assert list(infos) == [
            "demo-1.0.data/scripts/tool",
            "demo/mod.py",
            "demo/noise.bin",
            "demo/forced.py",
            "demo/x.py",
            "demo-1.0.dist-info/RECORD",
        ]
        modes = {n: i.external_attr >> 16 for n, i in infos.items()}
        assert modes["demo-1.0.data/scripts/tool"] == 0o100755
        assert modes["demo/mod.py"] == 0o100644
        assert modes["demo/forced.py"] == 0o100644
        assert modes["demo/x.py"] == 0o100755
        assert {i.create_system for i in infos.values()} == {3}
        assert {n: i.compress_type for n, i in infos.items()} == {
            n: zipfile.ZIP_STORED if n == "demo/noise.bin" else zipfile.ZIP_DEFLATED for n in infos
        }
        assert infos["demo/mod.py"].compress_size == deflated_size(TEXT, 4)
        assert z.read("demo/noise.bin") == noise.read_bytes()
        assert (
            z.read("demo-1.0.dist-info/RECORD").decode().splitlines()[-1]
            == "demo-1.0.dist-info/RECORD,,"
        )


def test_stored_wheels_store_every_entry(tmp_path: Path) -> None:
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}, zipfile.ZIP_STORED, 9) as w:
        w.add_bytes("w/a.py", b"a = 1\n" * 1000)
    with zipfile.ZipFile(target) as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
        assert z.getinfo("w/a.py").compress_size == 6000


def test_compressible_large_files_are_deflated(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(TEXT)
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/big.txt", big)
    with zipfile.ZipFile(target) as z:
        info = z.getinfo("w/big.txt")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size == deflated_size(TEXT, 6)


def test_large_file_forces_zip64(tmp_path: Path) -> None:
    sizes = {}
    for large in (False, True):
        target = tmp_path / f"{large}.whl"
        with WheelWriter(target, "w-1.dist-info", {}, large_file=large) as w:
            w.add_bytes("w/a.py", b"a")
        with zipfile.ZipFile(target) as z:
            assert z.read("w/a.py") == b"a"
        sizes[large] = target.stat().st_size
    assert sizes[True] > sizes[False]  # the zip64 extra fields
    default = tmp_path / "default.whl"
    with WheelWriter(default, "w-1.dist-info", {}) as w:
        w.add_bytes("w/a.py", b"a")
    assert default.read_bytes() == (tmp_path / "False.whl").read_bytes()


def test_record_rows_exact(tmp_path: Path) -> None:
    src = tmp_path / "data.bin"
    src.write_bytes(b"\x01" * 150_000)
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/data.bin", src)
        w.add_bytes("w,odd.py", b"")
    import base64

    def h(data: bytes) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    with zipfile.ZipFile(target) as z:
        assert z.read("w-1.dist-info/RECORD").decode() == (
            f"w/data.bin,sha256={h(src.read_bytes())},150000\n"
            f'"w,odd.py",sha256={h(b"")},0\n'
            "w-1.dist-info/RECORD,,\n"
        )


def test_the_kill_points_are_reached_where_tests_kill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/integration/test_kill.py stops a build at these points; here, where each is reached."""
    from ferrule import _faults
    from ferrule.wheel import writer

    reached: list[str] = []
    monkeypatch.setattr(writer._faults, "point", reached.append)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00" * 150_000)  # three chunks: two points inside, none at the end
    small = tmp_path / "small.txt"
    small.write_bytes(b"x")
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/big.bin", big)
        assert reached == ["wheel-member", "wheel-member"]
        w.add_file("w-1.data/scripts/s", small)
        assert reached[2:] == ["data-dir"]
        w.add_bytes("w/x.py", b"x")
    assert reached[3:] == ["record", "before-replace", "after-replace"]
    assert set(reached) <= set(_faults.PHASES)


def test_the_temporary_wheel_carries_the_pid_and_parents_are_made(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "w-1-py3-none-any.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/x.py", b"x")
        (part,) = target.parent.iterdir()
        assert part.name.startswith(f".{target.name}.ferrule-{os.getpid()}-")
        assert part.name.endswith(".part")
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_any_execute_bit_makes_an_executable_entry(tmp_path: Path) -> None:
    target = tmp_path / "w.whl"
    sources = {}
    for mode in (0o604, 0o605, 0o614, 0o644, 0o744):
        src = tmp_path / f"f{mode:o}"
        src.write_bytes(b"x")
        src.chmod(mode)
        sources[f"w/f{mode:o}"] = src
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        for name, src in sources.items():
            w.add_file(name, src)
    with zipfile.ZipFile(target) as z:
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert modes == {
        "w/f604": 0o100644,
        "w/f605": 0o100755,
        "w/f614": 0o100755,
        "w/f644": 0o100644,
        "w/f744": 0o100755,
        "w-1.dist-info/RECORD": 0o100644,
    }


def test_generated_entries_are_not_executable_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/generated.py", b"")
        w.add_bytes("w/tool", b"", executable=True)
    with zipfile.ZipFile(target) as z:
        assert z.getinfo("w/generated.py").external_attr >> 16 == 0o100644
        assert z.getinfo("w/tool").external_attr >> 16 == 0o100755


def test_compressibility_is_judged_from_the_first_64_kib(tmp_path: Path) -> None:
    random_head = tmp_path / "head.bin"
    random_head.write_bytes(os.urandom(65536) + b"\x00" * 1_000_000)
    exactly_one_chunk = tmp_path / "chunk.bin"
    exactly_one_chunk.write_bytes(os.urandom(65536))
    just_under = tmp_path / "under.bin"
    just_under.write_bytes(os.urandom(65535))
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_file("w/head.bin", random_head)
        w.add_file("w/chunk.bin", exactly_one_chunk)
        w.add_file("w/under.bin", just_under)
    with zipfile.ZipFile(target) as z:
        assert z.getinfo("w/head.bin").compress_type == zipfile.ZIP_STORED
        assert z.getinfo("w/chunk.bin").compress_type == zipfile.ZIP_STORED
        # Below one chunk the test is not worth its time: deflated whatever it holds.
        assert z.getinfo("w/under.bin").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize("method", ["deflated", "stored"])
@pytest.mark.parametrize("large_file", [False, True])
@pytest.mark.parametrize("limit", [1 << 20, 100])
def test_the_archive_is_what_zipfile_alone_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, large_file: bool, limit: int
) -> None:
    """The writer writes the zip structures itself (ferrule.wheel.zipout), through a
    buffer it patches instead of seeking (``limit``: how much it gathers): the bytes
    are still exactly what zipfile writes to a plain file, entry by entry. (Entries of
    up to one deflate block: larger ones are deflated in blocks, tested below.)"""
    from ferrule.wheel import writer

    sources = {
        "w/a.py": b"VALUE = 1\n" * 50,
        "w/empty.py": b"",
        "w/chunk.bin": b"\x01" * 65536,
        "w/big.txt": b"compressible line\n" * 7_000,  # streamed in pieces, one block
        "w/random.bin": os.urandom(150_000),
        "w/tool": b"#!/bin/sh\n",
        "w/\u00e9t\u00e9.py": b"# non-ASCII name: zipfile's UTF-8 flag\n",
    }
    for i, (name, data) in enumerate(sources.items()):
        src = tmp_path / f"src{i}"
        src.write_bytes(data)
        if name == "w/tool":
            src.chmod(0o755)

    def write(target: Path, own: bool) -> bytes:
        method_id, level = zip_compression(method, None)
        w = WheelWriter(target, "w-1.dist-info", {}, method_id, level, large_file=large_file)
        w._own = own
        with w:
            for i, name in enumerate(sources):
                w.add_file(name, tmp_path / f"src{i}")
            w.add_bytes("w/generated.py", b"X = 2\n" * 10)
        return target.read_bytes()

    gathering = writer.PatchBuffer
    monkeypatch.setattr(writer, "PatchBuffer", lambda raw: gathering(raw, limit))
    ours = write(tmp_path / "ours.whl", own=True)
    monkeypatch.setattr(writer, "PatchBuffer", lambda raw: raw)
    plain = write(tmp_path / "plain.whl", own=False)
    assert ours == plain
    with zipfile.ZipFile(tmp_path / "ours.whl") as z:
        assert z.testzip() is None
        assert z.read("w/big.txt") == sources["w/big.txt"]


def test_zip64_end_records_over_65535_entries_are_zipfiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More entries than the zip end record counts: the zip64 end record and locator,
    as zipfile writes them."""
    from ferrule.wheel import writer

    monkeypatch.setattr(writer, "PatchBuffer", lambda raw: raw)

    def write(target: Path, own: bool) -> bytes:
        w = WheelWriter(target, "w-1.dist-info", {})
        w._own = own
        with w:
            for i in range(66_000):
                w.add_bytes(f"w/{i:05d}", b"")
        return target.read_bytes()

    ours = write(tmp_path / "ours.whl", own=True)
    assert ours == write(tmp_path / "plain.whl", own=False)
    assert b"PK\x06\x06" in ours[-200:]
    with zipfile.ZipFile(tmp_path / "ours.whl") as z:
        assert len(z.infolist()) == 66_001


def test_entries_out_of_order_still_give_a_sorted_record_and_refuse_duplicates(
    tmp_path: Path,
) -> None:
    """Names in RECORD's order need no set of names; once the order breaks, every
    earlier name is still known (here a duplicate of the first one)."""
    target = tmp_path / "w.whl"
    with WheelWriter(target, "w-1.dist-info", {}) as w:
        w.add_bytes("w/b.py", b"b")
        w.add_bytes('w/"q",.py', b"q")  # quoted in RECORD
        w.add_bytes("w/a/x.py", b"x")  # before w/b.py: the order breaks here
        with pytest.raises(WheelError, match=r"same path in the wheel: w/b\.py"):
            w.add_bytes("w/b.py", b"again")
        with pytest.raises(WheelError, match=r"same path in the wheel: w/a/x\.py"):
            w.add_bytes("w/a/x.py", b"again")
        w.add_bytes("w/a.py", b"a")
    with zipfile.ZipFile(target) as z:
        rows = z.read("w-1.dist-info/RECORD").decode().splitlines()
        assert z.namelist() == ["w/b.py", 'w/"q",.py', "w/a/x.py", "w/a.py", "w-1.dist-info/RECORD"]
    assert [row.rsplit(",", 2)[0] for row in rows] == [
        '"w/""q"",.py"',
        "w/a/x.py",
        "w/a.py",
        "w/b.py",
        "w-1.dist-info/RECORD",
    ]


def test_a_name_given_twice_in_a_row_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(WheelError, match=r"same path in the wheel: w/a\.py"),
        WheelWriter(tmp_path / "w.whl", "w-1.dist-info", {}) as w,
    ):
        w.add_bytes("w/a.py", b"")
        w.add_bytes("w/a.py", b"")


def _retained_bytes(tmp_path: Path, count: int) -> int:
    """Memory the writer still holds (traced by tracemalloc) after ``count`` entries."""
    import tracemalloc

    names = [f"pkg/mod{i // 500:03d}/m{i:05d}.py" for i in range(count)]
    data = b"VALUE = 1\n"
    with WheelWriter(tmp_path / f"w{count}.whl", "pkg-1.dist-info", {}) as w:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for name in names:
                w.add_bytes(name, data)
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()


def test_the_writer_holds_no_memory_per_entry(tmp_path: Path) -> None:
    """Memory stays flat with the number of entries: their zip central directory records
    and RECORD rows wait in temporary files, not in memory. (zipfile's ZipInfo objects
    and a list of rows cost over 400 bytes per entry; the same as bytes in memory, 160.)"""
    small, large = _retained_bytes(tmp_path, 2_000), _retained_bytes(tmp_path, 20_000)
    per_entry = (large - small) / 18_000
    assert per_entry < 16, per_entry


def test_the_cyclic_collector_is_paused_while_writing_and_restored(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    with WheelWriter(tmp_path / "w.whl", "w-1.dist-info", {}) as w:
        assert not gc.isenabled()
        w.add_bytes("w/x.py", b"x")
    assert gc.isenabled()
    with pytest.raises(WheelError), WheelWriter(tmp_path / "v.whl", "v-1.dist-info", {}) as w:
        w.add_bytes("../x", b"")
    assert gc.isenabled()
    gc.disable()
    try:
        with WheelWriter(tmp_path / "u.whl", "u-1.dist-info", {}) as w:
            w.add_bytes("u/x.py", b"x")
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
