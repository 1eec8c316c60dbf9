"""A small PE/COFF reader: what the Windows audit needs from a DLL or ``.pyd``.

The machine (as the wheel architecture it fits), the COFF and DLL
characteristics, the DLLs named by the import directory, in order, and the
names the export directory lists. PE32 and PE32+; every RVA is mapped through
the section table and checked against the data's size, and anything malformed
is a :class:`BinaryError`. Standard library only.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ferrule._record import record
from ferrule.errors import BinaryError

__all__ = ["BinaryError", "PeFile", "is_pe", "parse_pe", "read_pe_file"]

# IMAGE_FILE_MACHINE_* -> (the name Microsoft's headers use, the wheel platform's arch).
MACHINES: dict[int, tuple[str, str]] = {
    0x14C: ("I386", "win32"),
    0x8664: ("AMD64", "win_amd64"),
    0xAA64: ("ARM64", "win_arm64"),
    0x1C4: ("ARMNT", "win_arm32"),
}
# IMAGE_DLLCHARACTERISTICS_* flags, by name.
DLL_CHARACTERISTICS: dict[int, str] = {
    0x0020: "HIGH_ENTROPY_VA",
    0x0040: "DYNAMIC_BASE",
    0x0080: "FORCE_INTEGRITY",
    0x0100: "NX_COMPAT",
    0x0200: "NO_ISOLATION",
    0x0400: "NO_SEH",
    0x0800: "NO_BIND",
    0x1000: "APPCONTAINER",
    0x2000: "WDM_DRIVER",
    0x4000: "GUARD_CF",
    0x8000: "TERMINAL_SERVER_AWARE",
}
_IMAGE_FILE_DLL = 0x2000
_PE32, _PE32_PLUS = 0x10B, 0x20B
_MAX_SECTIONS = 96  # the loader's own limit
_MAX_ENTRIES = 1 << 16


@record
class PeFile:
    machine: str  # "AMD64", "I386", "ARM64", or "0x<number>"
    wheel_arch: str | None  # "win_amd64", "win32", "win_arm64"
    pe32_plus: bool
    is_dll: bool
    dll_characteristics: frozenset[str]
    imports: tuple[str, ...]  # DLL names as written (case kept)
    exports: tuple[str, ...]


def is_pe(head: bytes) -> bool:
    return head[:2] == b"MZ"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sections: list[tuple[int, int, int, int]] = []  # va, virtual size, raw size, raw at

    def unpack(self, fmt: str, offset: int, what: str) -> tuple[int, ...]:
        if offset < 0 or offset + struct.calcsize(fmt) > len(self.data):
            raise BinaryError(f"truncated PE data: {what} at offset {offset} is past the end")
        return struct.unpack_from(fmt, self.data, offset)

    def offset(self, rva: int, what: str) -> int:
        for va, vsize, rsize, raw in self.sections:
            if va <= rva < va + max(vsize, rsize):
                if rva - va >= rsize:
                    break
                return raw + (rva - va)
        raise BinaryError(f"{what}: address {rva:#x} is in no section's file data")

    def cstring(self, rva: int, what: str) -> str:
        start = self.offset(rva, what)
        end = self.data.find(b"\0", start, start + 4096)
        if end < 0:
            raise BinaryError(f"{what}: unterminated name at {rva:#x}")
        return self.data[start:end].decode("ascii", "replace")


def parse_pe(data: bytes) -> PeFile:
    r = _Reader(data)
    if data[:2] != b"MZ":
        raise BinaryError("not a PE file (no MZ header)")
    (pe_at,) = r.unpack("<I", 0x3C, "e_lfanew")
    if data[pe_at : pe_at + 4] != b"PE\0\0":
        raise BinaryError("not a PE file (no PE signature)")
    machine, nsections, _, _, _, opt_size, characteristics = r.unpack(
        "<HHIIIHH", pe_at + 4, "the COFF header"
    )
    opt = pe_at + 24
    (magic,) = r.unpack("<H", opt, "the optional header")
    if magic not in (_PE32, _PE32_PLUS):
        raise BinaryError(f"unknown PE optional header magic {magic:#x}")
    plus = magic == _PE32_PLUS
    (dll_flags,) = r.unpack("<H", opt + 70, "DllCharacteristics")
    count_at = opt + (108 if plus else 92)
    (ndirs,) = r.unpack("<I", count_at, "NumberOfRvaAndSizes")
    dirs = [
        r.unpack("<II", count_at + 4 + 8 * i, f"data directory {i}") for i in range(min(ndirs, 16))
    ]
    if count_at + 4 + 8 * min(ndirs, 16) > opt + opt_size:
        raise BinaryError("the PE data directories overrun the optional header")
    if nsections > _MAX_SECTIONS:
        raise BinaryError(f"a PE file with {nsections} sections")
    table = opt + opt_size
    for i in range(nsections):
        vsize, va, rsize, raw = r.unpack("<IIII", table + 40 * i + 8, f"section {i}")
        if rsize and raw + rsize > len(data):
            raise BinaryError(f"truncated PE data: section {i} ends past the file's end")
        r.sections.append((va, vsize, rsize, raw))
    name, arch = MACHINES.get(machine, (f"{machine:#x}", ""))
    return PeFile(
        machine=name,
        wheel_arch=arch or None,
        pe32_plus=plus,
        is_dll=bool(characteristics & _IMAGE_FILE_DLL),
        dll_characteristics=frozenset(
            n for bit, n in DLL_CHARACTERISTICS.items() if dll_flags & bit
        ),
        imports=_imports(r, dirs[1] if len(dirs) > 1 else (0, 0)),
        exports=_exports(r, dirs[0] if dirs else (0, 0)),
    )


def _imports(r: _Reader, directory: tuple[int, ...]) -> tuple[str, ...]:
    rva, size = directory
    if not rva or not size:
        return ()
    at = r.offset(rva, "the import directory")
    names: list[str] = []
    for index in range(_MAX_ENTRIES):
        fields = r.unpack("<IIIII", at + 20 * index, f"import descriptor {index}")
        if not any(fields):
            return tuple(names)
        names.append(r.cstring(fields[3], f"import descriptor {index}"))
    raise BinaryError("the PE import directory has no terminating entry")


def _exports(r: _Reader, directory: tuple[int, ...]) -> tuple[str, ...]:
    rva, size = directory
    if not rva or not size:
        return ()
    at = r.offset(rva, "the export directory")
    count, names_rva = r.unpack("<I4xI", at + 24, "the export directory")
    if count > _MAX_ENTRIES:
        raise BinaryError(f"a PE export directory with {count} names")
    if not count:
        return ()
    table = r.offset(names_rva, "the export name table")
    return tuple(
        r.cstring(r.unpack("<I", table + 4 * i, "an export name")[0], "an export name")
        for i in range(count)
    )


def read_pe_file(path: Path) -> PeFile:
    return parse_pe(path.read_bytes())
