"""Just enough ELF reading to see which symbols a shared library exports."""

from __future__ import annotations

from pathlib import Path

__all__ = ["exported_symbols"]


def exported_symbols(path: Path) -> set[str] | None:
    """Names of the defined dynamic symbols, or None when ``path`` is not ELF."""
    with path.open("rb") as handle:
        if handle.read(4) != b"\x7fELF":
            return None
        handle.seek(0)
        from elftools.elf.elffile import ELFFile

        elf = ELFFile(handle)
        dynsym = elf.get_section_by_name(".dynsym")
        if dynsym is None:
            return set()
        return {
            sym.name
            for sym in dynsym.iter_symbols()  # type: ignore[attr-defined]
            if sym.name and sym["st_shndx"] != "SHN_UNDEF"
        }
