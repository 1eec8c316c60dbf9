"""``ferrule.macho`` against zig-built dylibs whose facts are known, and malformed input.

Each fixture's arch, minimum macOS (and which load command carries it),
install name, rpaths and dylibs (with weak ones) are the values
scripts/make-binary-fixtures.py built it with (tests/fixtures/binaries/manifest.json).
The universal2 fixture was packed by that script by hand (and compared with
``llvm-lipo -create``): ``make_fat`` must give the same bytes.
"""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferrule.errors import BinaryError
from ferrule.macho import (
    LC_BUILD_VERSION,
    LC_REEXPORT_DYLIB,
    LC_VERSION_MIN_MACOSX,
    Dylib,
    fat_slices,
    make_fat,
    parse_macho,
)
from tests.helpers.binary_fixtures import fixture, manifest, names, version

THIN = names("macho")


def _load_commands(data: bytes) -> list[int]:
    """The load command numbers, read with struct here (not with ferrule)."""
    ncmds = struct.unpack_from("<I", data, 16)[0]
    offset, found = 32, []
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, offset)
        found.append(cmd)
        offset += size
    return found


@pytest.mark.parametrize("name", THIN)
def test_thin_fixture_facts(name: str) -> None:
    facts = manifest()[name]
    macho = parse_macho(fixture(name))
    assert not macho.fat
    (image,) = macho.images
    assert image.arch == facts["arch"]
    assert image.bits == 64
    assert image.platform == facts["platform"]
    assert image.minos == version(facts["minos"])
    assert image.minos_text == facts["minos"]
    assert image.install_name == facts["install_name"]
    assert list(image.rpaths) == facts["rpaths"]
    assert [Dylib(d["name"], d["kind"]) for d in facts["dylibs"]] == list(image.dylibs)
    wanted = {"LC_BUILD_VERSION": LC_BUILD_VERSION, "LC_VERSION_MIN_MACOSX": LC_VERSION_MIN_MACOSX}
    assert wanted[facts["load_command"]] in _load_commands(fixture(name))


def test_fat_fixture_slices_are_the_thin_fixtures() -> None:
    facts = manifest()["universal2.dylib"]
    data = fixture("universal2.dylib")
    macho = parse_macho(data)
    assert macho.fat
    assert list(macho.archs) == facts["archs"]
    assert [i.minos_text for i in macho.images] == facts["minos"]
    slices = [data[offset : offset + size] for _, _, offset, size, _ in fat_slices(data)]
    assert slices == [fixture(name) for name in facts["slices"]]
    assert [align for *_, align in fat_slices(data)] == [12, 14]


def test_make_fat_matches_the_independently_packed_fixture() -> None:
    parts = manifest()["universal2.dylib"]["slices"]
    thin = [fixture(p) for p in parts]
    made = make_fat(thin)
    assert made == fixture("universal2.dylib")
    assert make_fat(thin[::-1]) == made  # lipo's order, whatever the argument order
    assert [i.arch for i in parse_macho(made).images] == ["x86_64", "arm64"]


def test_make_fat_refuses_what_lipo_refuses() -> None:
    x86 = fixture("x86_64-macos12.dylib")
    with pytest.raises(BinaryError, match="same architecture"):
        make_fat([x86, fixture("x86_64-macos10.13.dylib")])
    with pytest.raises(BinaryError, match="thin images"):
        make_fat([fixture("universal2.dylib")])
    with pytest.raises(BinaryError, match="at least one"):
        make_fat([])


def _image(commands: list[bytes], *, bits: int = 64, cputype: int = 0x01000007) -> bytes:
    """A minimal MH_DYLIB with ``commands`` (each a whole load command)."""
    body = b"".join(commands)
    if bits == 64:
        header = struct.pack("<IiiIIIII", 0xFEEDFACF, cputype, 3, 6, len(commands), len(body), 0, 0)
    else:
        header = struct.pack("<IiiIIII", 0xFEEDFACE, cputype, 3, 6, len(commands), len(body), 0)
    return header + body


def _dylib_command(cmd: int, name: str) -> bytes:
    raw = name.encode() + b"\0"
    raw += b"\0" * (-(24 + len(raw)) % 8)
    return struct.pack("<IIIIII", cmd, 24 + len(raw), 24, 0, 0x10000, 0x10000) + raw


def test_reexport_and_version_min_from_a_hand_made_image() -> None:
    # zig's linker cannot emit LC_REEXPORT_DYLIB: a hand-made 32-bit i386 image has one.
    version_min = struct.pack("<IIII", LC_VERSION_MIN_MACOSX, 16, (10 << 16) | (9 << 8), 0)
    data = _image(
        [_dylib_command(LC_REEXPORT_DYLIB, "@rpath/libinner.dylib"), version_min],
        bits=32,
        cputype=7,
    )
    (image,) = parse_macho(data).images
    assert (image.arch, image.bits) == ("i386", 32)
    assert image.dylibs == (Dylib("@rpath/libinner.dylib", "reexport"),)
    assert (image.platform, image.minos, image.minos_text) == ("macos", (10, 9, 0), "10.9")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated"),
        (b"\x7fELF" + b"\0" * 60, "not a Mach-O image"),
        (b"\xfe\xed\xfa\xcf" + b"\0" * 60, "big-endian"),
        (struct.pack(">II", 0xCAFEBABE, 0), "0 architectures"),
        (struct.pack(">II", 0xCAFEBABE, 50_000), "50000 architectures"),  # a Java class file
        (struct.pack(">IIiiIII", 0xCAFEBABE, 1, 7, 3, 4096, 100, 12), "outside the file"),
        (_image([struct.pack("<II", LC_BUILD_VERSION, 4)]), "bad size"),
        (_image([struct.pack("<IIIIII", 0x0C, 24, 999, 0, 0, 0)]), "outside its load command"),
    ],
    ids=["empty", "elf", "big-endian", "no-archs", "java", "slice-past-end", "lc-size", "name"],
)
def test_malformed_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(BinaryError, match=message):
        parse_macho(data)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from([*THIN, "universal2.dylib"]), cut=st.integers(0, 1 << 16))
def test_truncated_fixtures_raise_binary_error_or_parse(name: str, cut: int) -> None:
    data = fixture(name)
    cut %= len(data)
    with contextlib.suppress(BinaryError):
        parse_macho(data[:cut])


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(THIN), at=st.integers(0, 2000), value=st.integers(0, 255))
def test_corrupted_load_commands_raise_binary_error_or_parse(
    name: str, at: int, value: int
) -> None:
    data = bytearray(fixture(name))
    data[at % 2048] = value
    with contextlib.suppress(BinaryError):
        parse_macho(bytes(data))


def test_a_fat_magic_64_header_reads_the_same_slices() -> None:
    # The universal2 fixture's slices behind a hand-packed FAT_MAGIC_64 header
    # (fat_arch_64: 64-bit offset and size, then align and a reserved word).
    data = fixture("universal2.dylib")
    entries = fat_slices(data)
    header = struct.pack(">II", 0xCAFEBABF, len(entries))
    for cputype, cpusub, offset, size, align in entries:
        header += struct.pack(">iiQQII", cputype, cpusub, offset, size, align, 0)
    wide = header + data[len(header) :]
    assert parse_macho(wide) == parse_macho(data)
    assert [e[2:4] for e in fat_slices(wide)] == [e[2:4] for e in entries]
