"""Read what a manylinux audit needs from an ELF shared object (via pyelftools).

Pure reading: the needed libraries (``DT_NEEDED``), the soname, the rpath and
runpath, and the dynamic symbols this object imports, each with the symbol
version and library it was bound to at link time (``.gnu.version`` and
``.gnu.version_r``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ferrule.errors import FerruleError

__all__ = ["ElfInfo", "ImportedSymbol", "machine_arch", "read_elf"]

# e_machine -> the architecture name wheels and auditwheel's policies use.
_ARCH = {
    "EM_X86_64": "x86_64",
    "EM_386": "i686",
    "EM_AARCH64": "aarch64",
    "EM_ARM": "armv7l",
    "EM_S390": "s390x",
    "EM_RISCV": "riscv64",
    "EM_LOONGARCH": "loongarch64",
}


@dataclass(frozen=True)
class ImportedSymbol:
    """An undefined dynamic symbol: ``name@version`` from ``library`` (when versioned)."""

    name: str
    version: str | None
    library: str | None
    weak: bool
    function: bool

    def __str__(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


@dataclass(frozen=True)
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


def machine_arch(e_machine: str, elfclass: int, little_endian: bool) -> str | None:
    """The wheel architecture for an ELF header.

    >>> machine_arch("EM_X86_64", 64, True), machine_arch("EM_PPC64", 64, True)
    ('x86_64', 'ppc64le')
    >>> machine_arch("EM_386", 32, True), machine_arch("EM_SPARC", 32, False)
    ('i686', None)
    """
    if e_machine == "EM_PPC64":
        return "ppc64le" if little_endian else "ppc64"
    return _ARCH.get(e_machine)


def _split_paths(value: str) -> tuple[str, ...]:
    return tuple(p for p in value.split(":") if p)


def read_elf(path: Path) -> ElfInfo:
    """Parse ``path``; a file that is not a dynamic ELF object is a :class:`FerruleError`."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import SymbolTableSection

    try:
        with path.open("rb") as stream:
            elf = ELFFile(stream)
            arch = machine_arch(elf["e_machine"], elf.elfclass, elf.little_endian)
            needed: list[str] = []
            soname = None
            rpath: tuple[str, ...] = ()
            runpath: tuple[str, ...] = ()
            version_needs: dict[str, set[str]] = {}
            index_to_version: dict[int, tuple[str, str]] = {}
            dynsym = None
            versym = None
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        kind = tag.entry.d_tag
                        if kind == "DT_NEEDED":
                            needed.append(tag.needed)  # type: ignore[attr-defined]
                        elif kind == "DT_SONAME":
                            soname = tag.soname  # type: ignore[attr-defined]
                        elif kind == "DT_RPATH":
                            rpath = _split_paths(tag.rpath)  # type: ignore[attr-defined]
                        elif kind == "DT_RUNPATH":
                            runpath = _split_paths(tag.runpath)  # type: ignore[attr-defined]
                elif isinstance(section, GNUVerNeedSection):
                    for verneed, auxiliaries in section.iter_versions():
                        lib_name = str(verneed.name)
                        for aux in auxiliaries:
                            version_needs.setdefault(lib_name, set()).add(str(aux.name))
                            index_to_version[aux["vna_other"]] = (str(aux.name), lib_name)
                elif isinstance(section, GNUVerSymSection):
                    versym = section
                elif isinstance(section, SymbolTableSection) and section.name == ".dynsym":
                    dynsym = section
            imports: list[ImportedSymbol] = []
            if dynsym is not None:
                for i, sym in enumerate(dynsym.iter_symbols()):
                    if i == 0 or sym["st_shndx"] != "SHN_UNDEF" or not sym.name:
                        continue
                    version: str | None = None
                    library: str | None = None
                    if versym is not None:
                        ndx = versym.get_symbol(i)["ndx"]
                        if isinstance(ndx, int) and (ndx & 0x7FFF) in index_to_version:
                            version, library = index_to_version[ndx & 0x7FFF]
                    imports.append(
                        ImportedSymbol(
                            sym.name,
                            version,
                            library,
                            weak=sym["st_info"]["bind"] == "STB_WEAK",
                            function=sym["st_info"]["type"] == "STT_FUNC",
                        )
                    )
    except (ELFError, OSError, ValueError) as exc:
        raise FerruleError(f"cannot read {path} as an ELF shared object: {exc}") from None
    if arch is None:
        raise FerruleError(f"{path}: unsupported ELF machine {elf['e_machine']}")
    return ElfInfo(
        path=path,
        arch=arch,
        needed=tuple(needed),
        soname=soname,
        rpath=rpath,
        runpath=runpath,
        version_needs={k: frozenset(v) for k, v in version_needs.items()},
        imports=tuple(imports),
    )
