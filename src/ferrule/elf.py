"""A small ELF reader: the dynamic section, dynamic symbols and their versions.

What ferrule needs from a shared object or executable, and nothing more: the
machine, the ``DT_NEEDED`` / ``DT_SONAME`` / ``DT_RPATH`` / ``DT_RUNPATH``
entries, the dynamic symbols (defined or imported, binding, type) and the
symbol versions (``.gnu.version`` and ``.gnu.version_r``). ELF32 and ELF64,
either byte order. The file is mapped, not read, so large binaries cost no
memory; every offset is checked against the file's size, and anything
malformed is an :class:`ElfError`. Standard library only: this replaced
pyelftools, which was ferrule's largest dependency (and is installed into
every isolated build environment).
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

from ferrule._record import record
from ferrule.errors import ElfError

__all__ = [
    "DynamicSymbol",
    "ElfError",
    "ElfFile",
    "SymbolContents",
    "parse_elf",
    "read_elf_file",
    "symbol_contents",
    "wheel_arch",
]

# e_machine numbers -> the names pyelftools and the ELF specification use, and the
# architecture wheels and auditwheel's policies name (None: ferrule has no policy for it).
MACHINES: dict[int, tuple[str, str | None]] = {
    2: ("EM_SPARC", None),
    3: ("EM_386", "i686"),
    8: ("EM_MIPS", None),
    20: ("EM_PPC", None),
    21: ("EM_PPC64", "ppc64"),  # ppc64le when little-endian
    22: ("EM_S390", "s390x"),
    40: ("EM_ARM", "armv7l"),
    62: ("EM_X86_64", "x86_64"),
    183: ("EM_AARCH64", "aarch64"),
    243: ("EM_RISCV", "riscv64"),
    258: ("EM_LOONGARCH", "loongarch64"),
}
_WHEEL_ARCH = dict(MACHINES.values())

_SHT_SYMTAB = 2
_SHT_DYNAMIC = 6
_SHT_NOBITS = 8
_SHT_DYNSYM = 11
_SHN_LORESERVE = 0xFF00
_SHT_GNU_VERNEED = 0x6FFFFFFE
_SHT_GNU_VERSYM = 0x6FFFFFFF
_DT_NEEDED, _DT_SONAME, _DT_RPATH, _DT_RUNPATH = 1, 14, 15, 29


@record
class DynamicSymbol:
    name: str
    defined: bool  # st_shndx != SHN_UNDEF
    weak: bool  # STB_WEAK
    function: bool  # STT_FUNC
    version: str | None = None  # for imported symbols: the version it was bound to
    library: str | None = None  # ... and the library that version belongs to


@record
class ElfFile:
    machine: str  # "EM_X86_64", or "EM_<number>" for machines not in MACHINES
    elfclass: int  # 32 or 64
    little_endian: bool
    needed: tuple[str, ...]
    soname: str | None
    rpath: str | None
    runpath: str | None
    # library -> version names needed from it (.gnu.version_r)
    version_needs: dict[str, tuple[str, ...]]
    symbols: tuple[DynamicSymbol, ...]  # .dynsym without its null entry 0


@record
class SymbolContents:
    """A defined symbol and the file's bytes from its value to the end of its section."""

    name: str
    content: memoryview
    little_endian: bool


@record
class _Section:
    type: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


class _Reader:
    def __init__(self, data: bytes | mmap.mmap) -> None:
        self.data = data
        if len(data) < 16 or data[:4] != b"\x7fELF":
            raise ElfError("not an ELF file (bad magic number)")
        cls, order = data[4], data[5]
        if cls not in (1, 2) or order not in (1, 2):
            raise ElfError(f"unknown ELF class {cls} or byte order {order}")
        self.is64 = cls == 2
        self.little = order == 1
        self.prefix = "<" if self.little else ">"

    def unpack(self, fmt: str, offset: int) -> tuple[int, ...]:
        fmt = self.prefix + fmt
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > len(self.data):
            raise ElfError(f"truncated: {size} bytes at offset {offset} are past the end")
        return struct.unpack_from(fmt, self.data, offset)

    def cstring(self, table: _Section, offset: int) -> str:
        start = table.offset + offset
        end_of_table = table.offset + table.size
        if offset < 0 or start >= min(end_of_table, len(self.data)):
            raise ElfError(f"string offset {offset} is outside its table")
        end = self.data.find(b"\0", start, min(end_of_table, len(self.data)))
        if end < 0:
            raise ElfError("unterminated string")
        return bytes(self.data[start:end]).decode("utf-8", "replace")

    def sections(self) -> tuple[int, list[_Section]]:
        if self.is64:
            (machine,) = self.unpack("H", 18)
            (shoff,) = self.unpack("Q", 40)
            shentsize, shnum, _shstrndx = self.unpack("HHH", 58)
            fmt, want = "IIQQQQIIQQ", 64
        else:
            (machine,) = self.unpack("H", 18)
            (shoff,) = self.unpack("I", 32)
            shentsize, shnum, _shstrndx = self.unpack("HHH", 46)
            fmt, want = "IIIIIIIIII", 40
        if shoff == 0:
            return machine, []
        if shentsize != want:
            raise ElfError(f"section header size {shentsize}, expected {want}")
        if shnum == 0:  # extended numbering: the count is in section 0's sh_size
            shnum = self.unpack(fmt, shoff)[5]
        if shnum > len(self.data) // want:
            raise ElfError(f"{shnum} section headers cannot fit in the file")
        out = []
        for i in range(shnum):
            _name, kind, _flags, addr, offset, size, link, info, _align, entsize = self.unpack(
                fmt, shoff + i * want
            )
            out.append(_Section(kind, addr, offset, size, link, info, entsize))
        return machine, out

    def symbol(self, offset: int) -> tuple[int, int, int, int]:
        """The symbol table entry at ``offset``: (st_name, st_info, st_shndx, st_value)."""
        if self.is64:
            name, info, _other, shndx, value, _size = self.unpack("IBBHQQ", offset)
        else:
            name, value, _size, info, _other, shndx = self.unpack("IIIBBH", offset)
        return name, info, shndx, value


def _linked(sections: list[_Section], section: _Section) -> _Section:
    if not 0 < section.link < len(sections):
        raise ElfError(f"section link {section.link} is out of range")
    return sections[section.link]


def parse_elf(data: bytes | mmap.mmap) -> ElfFile:
    """Parse an ELF image held in memory (or mapped).

    >>> parse_elf(b"MZ\\x90\\x00" + bytes(60))
    Traceback (most recent call last):
    ...
    ferrule.errors.ElfError: not an ELF file (bad magic number)
    """
    r = _Reader(data)
    machine, sections = r.sections()
    needed: list[str] = []
    soname = rpath = runpath = None
    version_needs: dict[str, list[str]] = {}
    index_to_version: dict[int, tuple[str, str]] = {}
    dynsym = versym = None
    for section in sections:
        if section.type == _SHT_DYNAMIC:
            strtab = _linked(sections, section)
            entry = 16 if r.is64 else 8
            for i in range(section.size // entry):
                tag, value = r.unpack("qQ" if r.is64 else "iI", section.offset + i * entry)
                if tag == 0:
                    break
                if tag == _DT_NEEDED:
                    needed.append(r.cstring(strtab, value))
                elif tag == _DT_SONAME:
                    soname = r.cstring(strtab, value)
                elif tag == _DT_RPATH:
                    rpath = r.cstring(strtab, value)
                elif tag == _DT_RUNPATH:
                    runpath = r.cstring(strtab, value)
        elif section.type == _SHT_GNU_VERNEED:
            strtab = _linked(sections, section)
            offset = section.offset
            # sh_info counts the 16-byte entries: no more can fit in the section (a
            # forged count with tiny vn_next steps would otherwise walk the file byte by byte).
            for _ in range(min(section.info, section.size // 16)):
                _version, count, file, aux, next_need = r.unpack("HHIII", offset)
                library = r.cstring(strtab, file)
                aux_offset = offset + aux
                for _ in range(count):
                    _hash, _flags, other, name_at, next_aux = r.unpack("IHHII", aux_offset)
                    version = r.cstring(strtab, name_at)
                    version_needs.setdefault(library, []).append(version)
                    index_to_version[other] = (version, library)
                    if next_aux == 0:
                        break
                    aux_offset += next_aux
                if next_need == 0:
                    break
                offset += next_need
        elif section.type == _SHT_GNU_VERSYM:
            versym = section
        elif section.type == _SHT_DYNSYM:
            dynsym = section
    symbols: list[DynamicSymbol] = []
    if dynsym is not None:
        strtab = _linked(sections, dynsym)
        size = 24 if r.is64 else 16
        for i in range(1, dynsym.size // size):
            name_offset, info, shndx, _value = r.symbol(dynsym.offset + i * size)
            bound: tuple[str | None, str | None] = (None, None)
            if shndx == 0 and versym is not None and versym.offset + 2 * i + 2 <= len(r.data):
                (ndx,) = r.unpack("H", versym.offset + 2 * i)
                bound = index_to_version.get(ndx & 0x7FFF, (None, None))
            symbols.append(
                DynamicSymbol(
                    r.cstring(strtab, name_offset),
                    defined=shndx != 0,
                    weak=info >> 4 == 2,
                    function=info & 0xF == 2,
                    version=bound[0],
                    library=bound[1],
                )
            )
    return ElfFile(
        machine=MACHINES[machine][0] if machine in MACHINES else f"EM_{machine}",
        elfclass=64 if r.is64 else 32,
        little_endian=r.little,
        needed=tuple(needed),
        soname=soname,
        rpath=rpath,
        runpath=runpath,
        version_needs={k: tuple(v) for k, v in version_needs.items()},
        symbols=tuple(symbols),
    )


def symbol_contents(data: bytes | mmap.mmap, prefix: str) -> list[SymbolContents]:
    """The defined symbols whose names start with ``prefix``, sorted by name, with their bytes.

    From ``.dynsym``, or from ``.symtab`` when ``.dynsym`` has none. Symbols in
    sections without file contents (``.bss``) or with special section indexes
    (absolute, common) are left out.
    """
    r = _Reader(data)
    _machine, sections = r.sections()
    wanted = prefix.encode()
    found: dict[str, tuple[int, int]] = {}
    for table_type in (_SHT_DYNSYM, _SHT_SYMTAB):
        for table in sections:
            if table.type != table_type or not table.entsize:
                continue
            strtab = _linked(sections, table)
            for i in range(table.size // table.entsize):
                name_offset, _info, shndx, value = r.symbol(table.offset + i * table.entsize)
                start = strtab.offset + name_offset
                if r.data[start : start + len(wanted)] == wanted:
                    found[r.cstring(strtab, name_offset)] = (value, shndx)
        if found:
            break
    out = []
    for name in sorted(found):
        value, shndx = found[name]
        if shndx == 0 or shndx >= min(_SHN_LORESERVE, len(sections)):
            continue
        section = sections[shndx]
        if section.type == _SHT_NOBITS:
            continue
        start, end = value - section.addr + section.offset, section.offset + section.size
        if not section.offset <= start <= end <= len(r.data):
            raise ElfError(f"symbol {name} lies outside its section")
        out.append(SymbolContents(name, memoryview(r.data)[start:end], r.little))
    return out


def wheel_arch(machine: str, little_endian: bool) -> str | None:
    """The architecture wheels name for an ``e_machine`` name, or None.

    >>> wheel_arch("EM_X86_64", True), wheel_arch("EM_PPC64", True), wheel_arch("EM_PPC64", False)
    ('x86_64', 'ppc64le', 'ppc64')
    >>> wheel_arch("EM_386", True), wheel_arch("EM_SPARC", False), wheel_arch("EM_999", True)
    ('i686', None, None)
    """
    arch = _WHEEL_ARCH.get(machine)
    return f"{arch}le" if arch == "ppc64" and little_endian else arch


def read_elf_file(path: Path) -> ElfFile:
    """Parse the file at ``path`` (mapped read-only); ElfError or OSError on failure."""
    with path.open("rb") as handle:
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise ElfError("empty file") from None
        with mapped:
            return parse_elf(mapped)
