"""Just enough ELF reading to see which symbols a shared library exports."""

from __future__ import annotations

from pathlib import Path

__all__ = ["exported_symbols"]


def exported_symbols(path: Path) -> set[str] | None:
    """Names of the defined dynamic symbols, or None when ``path`` is not ELF."""
    with path.open("rb") as handle:
        if handle.read(4) != b"\x7fELF":
            return None
    from ferrule.elf import read_elf_file

    return {s.name for s in read_elf_file(path).symbols if s.name and s.defined}
