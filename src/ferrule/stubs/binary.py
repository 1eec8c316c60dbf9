"""pyo3's introspection data, read from a compiled extension.

With pyo3's ``experimental-inspect`` feature every ``#[pymodule]``,
``#[pyclass]``, ``#[pyfunction]`` and ``#[pymethods]`` item embeds a JSON
fragment in the binary as an exported static named
``PYO3_INTROSPECTION_1_<n>``: a native-endian ``u32`` length followed by that
many bytes of JSON. This module finds those symbols in ELF files (Linux and
most other Unixes) without running the binary. Mach-O and PE are not read
yet; stubs for them fall back to what the runtime shows.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

__all__ = ["SYMBOL_PREFIX", "introspection_chunks"]

SYMBOL_PREFIX = b"PYO3_INTROSPECTION_1_"
_ELF_MAGIC = b"\x7fELF"
_SHT_SYMTAB = 2
_SHT_NOBITS = 8
_SHT_DYNSYM = 11
_SHN_LORESERVE = 0xFF00


class _Elf:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.is64 = data[4] == 2
        self.endian = "<" if data[5] == 1 else ">"
        if self.is64:
            (shoff,) = self._unpack("Q", 0x28)
            shentsize, shnum = self._unpack("HH", 0x3A)
        else:
            (shoff,) = self._unpack("I", 0x20)
            shentsize, shnum = self._unpack("HH", 0x2E)
        self.sections = [self._section(shoff + i * shentsize) for i in range(shnum)]

    def _unpack(self, fmt: str, offset: int) -> tuple[int, ...]:
        return struct.unpack_from(self.endian + fmt, self.data, offset)

    def _section(self, offset: int) -> tuple[int, int, int, int, int, int]:
        """(type, addr, offset, size, link, entsize)."""
        if self.is64:
            _, kind, _, addr, off, size, link, _, _, entsize = self._unpack("IIQQQQIIQQ", offset)
        else:
            _, kind, _, addr, off, size, link, _, _, entsize = self._unpack("IIIIIIIIII", offset)
        return kind, addr, off, size, link, entsize

    def symbols(self, wanted: int) -> dict[bytes, tuple[int, int]]:
        """Name -> (value, section index) for the symbol table of type ``wanted``."""
        found: dict[bytes, tuple[int, int]] = {}
        for kind, _, off, size, link, entsize in self.sections:
            if kind != wanted or not entsize:
                continue
            strtab = self.sections[link][2]
            for i in range(size // entsize):
                entry = off + i * entsize
                if self.is64:
                    st_name, _, _, shndx, value, _ = self._unpack("IBBHQQ", entry)
                else:
                    st_name, value, _, _, _, shndx = self._unpack("IIIBBH", entry)
                start = strtab + st_name
                if self.data[start : start + len(SYMBOL_PREFIX)] != SYMBOL_PREFIX:
                    continue
                name = self.data[start : self.data.index(b"\0", start)]
                found[name] = (value, shndx)
        return found

    def read_fragment(self, value: int, shndx: int) -> bytes | None:
        if shndx == 0 or shndx >= _SHN_LORESERVE or shndx >= len(self.sections):
            return None
        kind, addr, off, _, _, _ = self.sections[shndx]
        if kind == _SHT_NOBITS:
            return None
        position = value - addr + off
        (length,) = self._unpack("I", position)
        return self.data[position + 4 : position + 4 + length]


def introspection_chunks(path: Path) -> list[dict[str, Any]] | None:
    """The JSON fragments pyo3 embedded in ``path``.

    Returns None when the file format is not one ferrule can read (so the
    caller can say why types are missing), and an empty list for an ELF file
    built without ``experimental-inspect``.
    """
    data = path.read_bytes()
    if data[:4] != _ELF_MAGIC or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    try:
        elf = _Elf(data)
        symbols = elf.symbols(_SHT_DYNSYM) or elf.symbols(_SHT_SYMTAB)
        chunks = []
        for name in sorted(symbols):
            fragment = elf.read_fragment(*symbols[name])
            if fragment is not None:
                chunks.append(json.loads(fragment))
    except (struct.error, IndexError, ValueError):
        return None
    return chunks
