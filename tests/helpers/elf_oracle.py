"""pyelftools as the oracle for ferrule's own ELF reader (``ferrule.elf``).

Both readers' answers in the same terms, so a test compares them with ``==``:
the machine and class, ``DT_NEEDED`` / ``DT_SONAME`` / ``DT_RPATH`` /
``DT_RUNPATH``, the version needs (``.gnu.version_r``) and every dynamic
symbol with its binding, type, definedness and bound version.
"""

from __future__ import annotations

from io import BytesIO

from ferrule.elf import parse_elf

__all__ = ["ours", "pyelftools_reading"]


def pyelftools_reading(data: bytes) -> dict[str, object]:
    """What pyelftools reads from ``data``, in ferrule.elf's terms."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.sections import SymbolTableSection

    elf = ELFFile(BytesIO(data))
    out: dict[str, object] = {"machine": elf["e_machine"], "class": elf.elfclass}
    needed, tags = [], {}
    needs: dict[str, list[str]] = {}
    index: dict[int, tuple[str, str]] = {}
    dynsym = versym = None
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            for tag in section.iter_tags():
                kind = tag.entry.d_tag
                if kind == "DT_NEEDED":
                    needed.append(tag.needed)
                elif kind in ("DT_SONAME", "DT_RPATH", "DT_RUNPATH"):
                    tags[kind] = getattr(tag, kind[3:].lower())
        elif isinstance(section, GNUVerNeedSection):
            for verneed, auxiliaries in section.iter_versions():
                for aux in auxiliaries:
                    needs.setdefault(str(verneed.name), []).append(str(aux.name))
                    index[aux["vna_other"]] = (str(aux.name), str(verneed.name))
        elif isinstance(section, GNUVerSymSection):
            versym = section
        elif isinstance(section, SymbolTableSection) and section.name == ".dynsym":
            dynsym = section
    symbols = []
    if dynsym is not None:
        for i, sym in enumerate(dynsym.iter_symbols()):
            if i == 0:
                continue
            undefined = sym["st_shndx"] == "SHN_UNDEF"
            version = library = None
            if undefined and versym is not None:
                ndx = versym.get_symbol(i)["ndx"]
                if isinstance(ndx, int) and (ndx & 0x7FFF) in index:
                    version, library = index[ndx & 0x7FFF]
            symbols.append(
                (
                    sym.name,
                    not undefined,
                    sym["st_info"]["bind"] == "STB_WEAK",
                    sym["st_info"]["type"] == "STT_FUNC",
                    version,
                    library,
                )
            )
    out.update(
        needed=tuple(needed),
        soname=tags.get("DT_SONAME"),
        rpath=tags.get("DT_RPATH"),
        runpath=tags.get("DT_RUNPATH"),
        needs=needs,
        symbols=symbols,
    )
    return out


def ours(data: bytes) -> dict[str, object]:
    elf = parse_elf(data)
    return {
        "machine": elf.machine,
        "class": elf.elfclass,
        "needed": elf.needed,
        "soname": elf.soname,
        "rpath": elf.rpath,
        "runpath": elf.runpath,
        "needs": {k: list(v) for k, v in elf.version_needs.items()},
        "symbols": [
            (s.name, s.defined, s.weak, s.function, s.version, s.library) for s in elf.symbols
        ],
    }
