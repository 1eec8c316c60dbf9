"""``ferrule.pe`` against zig-built DLLs whose facts are known, and malformed input.

Machine, PE32/PE32+, exported names and imported DLLs are the values
scripts/make-binary-fixtures.py built each fixture with (manifest.json): the
import libraries it links come from ``.def`` files naming python3.dll,
python311.dll and zlib1.dll.
"""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferrule.errors import BinaryError
from ferrule.pe import parse_pe
from tests.helpers.binary_fixtures import fixture, manifest, names

PES = names("pe")
WHEEL_ARCH = {"AMD64": "win_amd64", "I386": "win32", "ARM64": "win_arm64"}


@pytest.mark.parametrize("name", PES)
def test_pe_fixture_facts(name: str) -> None:
    facts = manifest()[name]
    pe = parse_pe(fixture(name))
    assert pe.machine == facts["machine"]
    assert pe.wheel_arch == WHEEL_ARCH[facts["machine"]]
    assert pe.pe32_plus is facts["pe32_plus"]
    assert pe.is_dll
    assert list(pe.exports) == facts["exports"]
    if "imports" in facts:
        assert list(pe.imports) == facts["imports"]
    else:
        # Linked with zig's C runtime: ours first, then the UCRT's API sets and KERNEL32.
        linked = facts["imports_linked"]
        assert list(pe.imports[: len(linked)]) == linked
        rest = pe.imports[len(linked) :]
        assert rest and all(d.startswith("api-ms-win-crt-") or d == "KERNEL32.dll" for d in rest)
    # lld's defaults for a DLL: ASLR and DEP, high-entropy ASLR for 64-bit code.
    assert {"DYNAMIC_BASE", "NX_COMPAT"} <= pe.dll_characteristics
    assert ("HIGH_ENTROPY_VA" in pe.dll_characteristics) is facts["pe32_plus"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no MZ header"),
        (b"MZ", "e_lfanew"),
        (b"MZ" + b"\0" * 58 + struct.pack("<I", 64) + b"NE\0\0", "no PE signature"),
        (b"MZ" + b"\0" * 58 + struct.pack("<I", 64) + b"PE\0\0" + b"\0" * 20 + b"\x0b\x02", "past"),
    ],
    ids=["empty", "dos-stub-only", "not-pe", "truncated-optional-header"],
)
def test_malformed_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(BinaryError, match=message):
        parse_pe(data)


def test_an_import_name_outside_every_section() -> None:
    data = bytearray(fixture("x86-zlib.pyd"))
    pe_at = struct.unpack_from("<I", data, 0x3C)[0]
    struct.pack_into("<II", data, pe_at + 24 + 96 + 8, 0x7FFF0000, 40)  # import directory RVA
    with pytest.raises(BinaryError, match="import directory: address 0x7fff0000 is in no section"):
        parse_pe(bytes(data))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(PES), cut=st.integers(0, 1 << 16))
def test_truncated_fixtures_raise_binary_error_or_parse(name: str, cut: int) -> None:
    data = fixture(name)
    with contextlib.suppress(BinaryError):
        parse_pe(data[: cut % len(data)])


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(PES), at=st.integers(0, 4095), value=st.integers(0, 255))
def test_corrupted_headers_raise_binary_error_or_parse(name: str, at: int, value: int) -> None:
    data = bytearray(fixture(name))
    data[at % len(data)] = value
    with contextlib.suppress(BinaryError):
        parse_pe(bytes(data))


def _section_headers(data: bytes) -> tuple[int, int]:
    """Where the section table starts and how many entries it has (read here with struct)."""
    pe_at = struct.unpack_from("<I", data, 0x3C)[0]
    count, opt_size = (
        struct.unpack_from("<H", data, pe_at + 6)[0],
        struct.unpack_from("<H", data, pe_at + 20)[0],
    )
    return pe_at + 24 + opt_size, count


def test_an_address_past_a_sections_file_data_is_an_error() -> None:
    # The import directory's section told to have no file data (only virtual size):
    # its bytes are zeros when loaded, so names read from the file there would be wrong.
    data = bytearray(fixture("x86-zlib.pyd"))
    table, count = _section_headers(data)
    pe_at = struct.unpack_from("<I", data, 0x3C)[0]
    imports_rva = struct.unpack_from("<I", data, pe_at + 24 + 96 + 8)[0]
    for i in range(count):
        vsize, va = struct.unpack_from("<II", data, table + 40 * i + 8)
        if va <= imports_rva < va + vsize:
            struct.pack_into("<I", data, table + 40 * i + 16, 0)  # SizeOfRawData
    with pytest.raises(BinaryError, match="is in no section's file data"):
        parse_pe(bytes(data))


def test_a_file_cut_inside_its_last_section_is_an_error() -> None:
    data = fixture("x86-zlib.pyd")
    _table, count = _section_headers(data)
    with pytest.raises(BinaryError, match=f"section {count - 1} ends past the file's end"):
        parse_pe(data[:-16])
