"""Just enough ELF reading to see which symbols a shared library exports."""

from __future__ import annotations

from pathlib import Path

from ferrule.errors import FerruleError

__all__ = ["exported_symbols"]


def exported_symbols(path: Path) -> set[str] | None:
    """Names of the defined dynamic symbols, or None when ``path`` is not ELF.

    A file that starts like ELF but is damaged (cut short, offsets past its end)
    is a :class:`FerruleError` naming it.
    """
    with path.open("rb") as handle:
        if handle.read(4) != b"\x7fELF":
            return None
    from ferrule.elf import ElfError, read_elf_file

    try:
        elf = read_elf_file(path)
    except ElfError as exc:
        raise FerruleError(f"cannot read {path} as an ELF shared object: {exc}") from None
    return {s.name for s in elf.symbols if s.name and s.defined}
