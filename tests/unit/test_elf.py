"""ferrule's own ELF reader (``ferrule.elf``), checked against pyelftools.

pyelftools was the reader before; it stays a test dependency as the oracle.
Every shared object of the system's library directory and of the Python
installations here is read by both, and every field ferrule uses must agree.
Then malformed files: each must give an ElfError (never another exception,
never a hang), and a hand-made big-endian ELF32 object must parse.
"""

from __future__ import annotations

import os
import struct
import sys
import sysconfig
from io import BytesIO
from pathlib import Path

import pytest

from ferrule.elf import ElfError, parse_elf, read_elf_file

MAX_BYTES = 40 << 20  # pyelftools is slow on the very largest libraries


def _elf_files() -> list[Path]:
    dirs = [
        Path("/usr/lib/x86_64-linux-gnu"),
        Path("/usr/lib/aarch64-linux-gnu"),
        Path("/lib64"),
        Path(sysconfig.get_paths()["platstdlib"]) / "lib-dynload",
        Path(sys.base_prefix) / "lib",
    ]
    found: dict[tuple[int, int], Path] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if not path.is_file() or ".so" not in path.name:
                continue
            st = path.stat()
            if st.st_size > MAX_BYTES or (st.st_dev, st.st_ino) in found:
                continue
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found[(st.st_dev, st.st_ino)] = path
    return sorted(found.values())


def _oracle(data: bytes) -> dict[str, object]:
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


def _ours(data: bytes) -> dict[str, object]:
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


FILES = _elf_files()


def test_there_are_many_files_to_compare() -> None:
    assert len(FILES) >= 50, FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_agrees_with_pyelftools(path: Path) -> None:
    data = path.read_bytes()
    assert _ours(data) == _oracle(data)
    assert read_elf_file(path) == parse_elf(data)  # mapped and in memory alike


def _elf32_big_endian() -> bytes:
    """A minimal ELF32 MSB shared object: .dynstr and .dynamic (NEEDED, SONAME, RUNPATH)."""
    dynstr = b"\0libfoo.so.1\0libself.so\0$ORIGIN/lib\0"
    dynamic = struct.pack(">iIiIiIiI", 1, 1, 14, 13, 29, 24, 0, 0)
    shstr = b"\0.dynstr\0.dynamic\0.shstrtab\0"
    header_size, section_size = 52, 40
    offset_dynstr = header_size
    offset_dynamic = offset_dynstr + len(dynstr)
    offset_shstr = offset_dynamic + len(dynamic)
    shoff = offset_shstr + len(shstr)
    ident = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)
    header = ident + struct.pack(
        ">HHIIIIIHHHHHH", 3, 20, 1, 0, 0, shoff, 0, header_size, 0, 0, section_size, 4, 3
    )
    sections = [
        struct.pack(">10I", *([0] * 10)),
        struct.pack(">10I", 1, 3, 2, 0, offset_dynstr, len(dynstr), 0, 0, 1, 0),
        struct.pack(">10I", 9, 6, 3, 0, offset_dynamic, len(dynamic), 1, 0, 4, 8),
        struct.pack(">10I", 18, 3, 0, 0, offset_shstr, len(shstr), 0, 0, 1, 0),
    ]
    return header + dynstr + dynamic + shstr + b"".join(sections)


def test_a_big_endian_elf32_object() -> None:
    data = _elf32_big_endian()
    elf = parse_elf(data)
    assert (elf.machine, elf.elfclass, elf.little_endian) == ("EM_PPC", 32, False)
    assert (elf.needed, elf.soname, elf.runpath) == (("libfoo.so.1",), "libself.so", "$ORIGIN/lib")
    assert _ours(data) == _oracle(data)


def _damaged() -> list[tuple[str, bytes]]:
    good = FILES[0].read_bytes() if FILES else _elf32_big_endian()
    small = _elf32_big_endian()
    is64 = good[4] == 2
    shoff_at = 40 if is64 else 32
    fmt = "<Q" if is64 else "<I"
    bad_shoff = (
        good[:shoff_at] + struct.pack(fmt, len(good) * 4) + good[shoff_at + struct.calcsize(fmt) :]
    )
    return [
        ("empty", b""),
        ("magic only", b"\x7fELF"),
        ("bad class", b"\x7fELF" + bytes([9, 1, 1]) + bytes(57)),
        ("header cut", good[:30]),
        ("half a file", good[: len(good) // 2]),
        ("section headers past the end", bad_shoff),
        ("string table cut", small[:60]),
        ("not ELF", b"#!/bin/sh\necho hi\n" + bytes(100)),
        ("zeros", bytes(4096)),
    ]


@pytest.mark.parametrize(("what", "data"), _damaged(), ids=[w for w, _ in _damaged()])
def test_damaged_input_is_an_elf_error(what: str, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "lib.so"
    path.write_bytes(data)
    with pytest.raises(ElfError):
        read_elf_file(path)


def test_large_files_are_mapped_not_read(tmp_path: Path) -> None:
    """A 200 MiB file costs no memory: it is mapped (measured by resident size)."""
    import resource

    (source,) = FILES[:1]
    big = tmp_path / "big.so"
    with big.open("wb") as f:
        f.write(source.read_bytes())
        f.truncate(200 << 20)  # sparse tail: section data past the end would be zeros
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read_elf_file(big)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 64 << 10, f"reading grew the process by {grown_kib} KiB"
    assert os.path.getsize(big) == 200 << 20
