"""Read what a manylinux audit needs from an ELF shared object (via :mod:`ferrule.elf`).

Pure reading: the needed libraries (``DT_NEEDED``), the soname, the rpath and
runpath, and the dynamic symbols this object imports, each with the symbol
version and library it was bound to at link time (``.gnu.version`` and
``.gnu.version_r``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ferrule._record import record
from ferrule.errors import FerruleError

__all__ = ["ElfInfo", "ImportedSymbol", "read_elf"]


@record
class ImportedSymbol:
    """An undefined dynamic symbol: ``name@version`` from ``library`` (when versioned)."""

    name: str
    version: str | None
    library: str | None
    weak: bool
    function: bool

    def __str__(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


@record
class ElfInfo:
    path: Path
    arch: str
    needed: tuple[str, ...]
    soname: str | None
    rpath: tuple[str, ...]
    runpath: tuple[str, ...]
    # library -> the version names it must provide (e.g. libc.so.6 -> {GLIBC_2.17, ...})
    version_needs: Mapping[str, frozenset[str]]
    imports: tuple[ImportedSymbol, ...]

    @property
    def is_musl(self) -> bool:
        """Linked against musl libc (whose soname is ``libc.so`` or ``libc.musl-<arch>.so.1``)."""
        return any(n == "libc.so" or n.startswith("libc.musl-") for n in self.needed)


def _split_paths(value: str) -> tuple[str, ...]:
    return tuple(p for p in value.split(":") if p)


def read_elf(path: Path) -> ElfInfo:
    """Parse ``path``; a file that is not a dynamic ELF object is a :class:`FerruleError`."""
    from ferrule.elf import ElfError, read_elf_file, wheel_arch

    try:
        elf = read_elf_file(path)
    except (ElfError, OSError) as exc:
        raise FerruleError(f"cannot read {path} as an ELF shared object: {exc}") from None
    arch = wheel_arch(elf.machine, elf.little_endian)
    if arch is None:
        raise FerruleError(f"{path}: unsupported ELF machine {elf.machine}")
    imports = tuple(
        ImportedSymbol(s.name, s.version, s.library, weak=s.weak, function=s.function)
        for s in elf.symbols
        if not s.defined and s.name
    )
    return ElfInfo(
        path=path,
        arch=arch,
        needed=elf.needed,
        soname=elf.soname,
        rpath=_split_paths(elf.rpath or ""),
        runpath=_split_paths(elf.runpath or ""),
        version_needs={k: frozenset(v) for k, v in elf.version_needs.items()},
        imports=imports,
    )
