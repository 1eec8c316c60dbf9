"""ferrule's own ELF reader (``ferrule.elf``), checked against pyelftools.

pyelftools was the reader before; it stays a test dependency as the oracle.
Every shared object of the system's library directory and of the Python
installations here is read by both, and every field ferrule uses must agree.
Then malformed files: each must give an ElfError (never another exception,
never a hang), and a hand-made big-endian ELF32 object must parse.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import sysconfig
from pathlib import Path

import pytest

from ferrule.audit.elf import read_elf
from ferrule.bindings._elf import exported_symbols
from ferrule.elf import DynamicSymbol, ElfError, parse_elf, read_elf_file
from ferrule.errors import FerruleError
from tests.helpers.elf_oracle import ours, pyelftools_reading

MAX_BYTES = 40 << 20  # pyelftools is slow on the very largest libraries


def _elf_files() -> list[Path]:
    """Every ELF shared object under the system's library directory and the Pythons here.

    Recursive: the library directory's subdirectories (gconv, perl, python
    modules...) and the extension modules of every installed package (mypyc's,
    Rust ones, Cython ones) come from other toolchains than the libraries.
    """
    dirs = [
        Path("/usr/lib/x86_64-linux-gnu"),
        Path("/usr/lib/aarch64-linux-gnu"),
        Path("/lib64"),
        Path(sysconfig.get_paths()["platstdlib"]) / "lib-dynload",
        Path(sysconfig.get_paths()["platlib"]),  # this environment's packages
        Path(sys.base_prefix) / "lib",
    ]
    found: dict[tuple[int, int], Path] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*.so*")):
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                st = path.stat()
                if st.st_size > MAX_BYTES or (st.st_dev, st.st_ino) in found:
                    continue
                with path.open("rb") as f:
                    if f.read(4) == b"\x7fELF":
                        found[(st.st_dev, st.st_ino)] = path
            except OSError:  # unreadable: not ours to test
                continue
    return sorted(found.values())


FILES = _elf_files()


def test_there_are_many_files_to_compare() -> None:
    assert len(FILES) >= 50, FILES


@pytest.mark.parametrize("path", FILES, ids=str)
def test_agrees_with_pyelftools(path: Path) -> None:
    data = path.read_bytes()
    assert ours(data) == pyelftools_reading(data)
    assert read_elf_file(path) == parse_elf(data)  # mapped and in memory alike


_STRINGS = (
    b"\0libfoo.so.1\0libself.so\0$ORIGIN/lib\0libc.so.6\0GLIBC_2.0\0puts\0PyInit_x\0weak_hook\0"
)


def _at(name: bytes) -> int:
    return _STRINGS.index(b"\0" + name + b"\0") + 1


def _elf32_msb(
    *,
    needed_at: int | None = None,
    dynamic_link: int = 1,
    dynsym_size: int | None = None,
    shentsize: int = 40,
    shnum: int | None = None,
) -> bytes:
    """A hand-made ELF32 big-endian (PowerPC) shared object, optionally damaged.

    It has what ferrule reads: ``.dynamic`` (two NEEDED, SONAME, RUNPATH), a
    ``.dynsym`` with an imported versioned function (``puts@GLIBC_2.0`` from
    libc.so.6), an exported one (``PyInit_x``) and an imported weak symbol, and
    the ``.gnu.version`` / ``.gnu.version_r`` sections binding them. The keyword
    arguments break one thing each (an offset, a link, a size, a count).
    """
    dynamic = struct.pack(
        ">8i",
        *(1, needed_at if needed_at is not None else _at(b"libfoo.so.1")),
        *(1, _at(b"libc.so.6")),
        *(14, _at(b"libself.so")),
        *(29, _at(b"$ORIGIN/lib")),
    ) + struct.pack(">iI", 0, 0)
    # Elf32_Sym: name, value, size, info (bind << 4 | type), other, shndx
    dynsym = b"".join(
        [
            struct.pack(">IIIBBH", 0, 0, 0, 0, 0, 0),
            struct.pack(">IIIBBH", _at(b"puts"), 0, 0, 1 << 4 | 2, 0, 0),
            struct.pack(">IIIBBH", _at(b"PyInit_x"), 0x100, 8, 1 << 4 | 2, 0, 1),
            struct.pack(">IIIBBH", _at(b"weak_hook"), 0, 0, 2 << 4 | 0, 0, 0),
        ]
    )
    versym = struct.pack(">4H", 0, 2, 1, 1)  # puts -> version index 2
    verneed = struct.pack(">HHIII", 1, 1, _at(b"libc.so.6"), 16, 0) + struct.pack(
        ">IHHII", 0x0D696910, 0, 2, _at(b"GLIBC_2.0"), 0
    )
    shstr = b"\0.dynstr\0.dynsym\0.gnu.version\0.gnu.version_r\0.dynamic\0.shstrtab\0"
    # (name, type, data, link, info, entsize); index 0 is the null section.
    sections = [
        (b".dynstr", 3, _STRINGS, 0, 0, 0),
        (b".dynsym", 11, dynsym, 1, 1, 16),
        (b".gnu.version", 0x6FFFFFFF, versym, 2, 0, 2),
        (b".gnu.version_r", 0x6FFFFFFE, verneed, 1, 1, 0),
        (b".dynamic", 6, dynamic, dynamic_link, 0, 8),
        (b".shstrtab", 3, shstr, 0, 0, 0),
    ]
    body = b""
    headers = [struct.pack(">10I", *([0] * 9), 0)]
    if shnum == 0:  # extended numbering: the real count would be section 0's sh_size
        headers = [struct.pack(">10I", 0, 0, 0, 0, 0, 1 << 30, 0, 0, 0, 0)]
    for name, kind, data, link, info, entsize in sections:
        offset = 52 + len(body)
        size = dynsym_size if name == b".dynsym" and dynsym_size is not None else len(data)
        headers.append(
            struct.pack(">10I", shstr.index(name), kind, 2, 0, offset, size, link, info, 4, entsize)
        )
        body += data + bytes(-len(data) % 4)
    shoff = 52 + len(body)
    count = len(headers) if shnum is None else shnum
    ident = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)  # ELFCLASS32, ELFDATA2MSB
    header = ident + struct.pack(
        ">HHIIIIIHHHHHH", 3, 20, 1, 0, 0, shoff, 0, 52, 0, 0, shentsize, count, len(headers) - 1
    )
    return header + body + b"".join(headers)


def test_a_big_endian_elf32_object() -> None:
    data = _elf32_msb()
    elf = parse_elf(data)
    assert (elf.machine, elf.elfclass, elf.little_endian) == ("EM_PPC", 32, False)
    assert elf.needed == ("libfoo.so.1", "libc.so.6")
    assert (elf.soname, elf.rpath, elf.runpath) == ("libself.so", None, "$ORIGIN/lib")
    assert elf.version_needs == {"libc.so.6": ("GLIBC_2.0",)}
    assert elf.symbols == (
        DynamicSymbol(
            "puts",
            defined=False,
            weak=False,
            function=True,
            version="GLIBC_2.0",
            library="libc.so.6",
        ),
        DynamicSymbol("PyInit_x", defined=True, weak=False, function=True),
        DynamicSymbol("weak_hook", defined=False, weak=True, function=False),
    )
    assert ours(data) == pyelftools_reading(data)


def _damaged() -> list[tuple[str, bytes]]:
    good = FILES[0].read_bytes() if FILES else _elf32_msb()
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
        ("cut after the ELF header", _elf32_msb()[:60]),
        ("needed name past its string table", _elf32_msb(needed_at=10_000)),
        ("dynamic section linked to no section", _elf32_msb(dynamic_link=99)),
        ("symbol table past the end", _elf32_msb(dynsym_size=1 << 20)),
        ("wrong section header size", _elf32_msb(shentsize=32)),
        ("forged extended section count", _elf32_msb(shnum=0)),
        ("not ELF", b"#!/bin/sh\necho hi\n" + bytes(100)),
        ("zeros", bytes(4096)),
    ]


@pytest.mark.parametrize(("what", "data"), _damaged(), ids=[w for w, _ in _damaged()])
def test_damaged_input_is_an_elf_error(what: str, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "lib.so"
    path.write_bytes(data)
    with pytest.raises(ElfError):
        read_elf_file(path)


def test_callers_report_damaged_files_with_their_path(tmp_path: Path) -> None:
    """The audit and the module-init check name the file; non-ELF stays unchecked."""
    good, cut, script = tmp_path / "good.so", tmp_path / "cut.so", tmp_path / "script.so"
    good.write_bytes(_elf32_msb())
    cut.write_bytes(_elf32_msb()[:200])
    script.write_bytes(b"#!/bin/sh\n")
    assert exported_symbols(good) == {"PyInit_x"}
    assert exported_symbols(script) is None
    for damaged in (cut, script):
        with pytest.raises(FerruleError, match=f"cannot read {re.escape(str(damaged))} as an ELF"):
            read_elf(damaged)
    with pytest.raises(FerruleError, match=f"cannot read {re.escape(str(cut))} as an ELF"):
        exported_symbols(cut)
    with pytest.raises(FerruleError, match="unsupported ELF machine EM_PPC"):
        read_elf(good)  # wheels have no 32-bit big-endian PowerPC tag


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
