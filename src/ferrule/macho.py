"""A small Mach-O reader, and the fat (universal) writer that universal2 builds use.

What the macOS audit needs, and nothing more: each image's CPU (as the arch
name wheels use), the dylibs it loads with their install names
(``LC_LOAD_DYLIB``, ``LC_LOAD_WEAK_DYLIB``, ``LC_REEXPORT_DYLIB``), its own
install name (``LC_ID_DYLIB``), its ``LC_RPATH`` entries and the minimum OS
version (``LC_BUILD_VERSION``'s platform and ``minos``, or the older
``LC_VERSION_MIN_MACOSX``). Thin images are 32- or 64-bit little-endian (every
Apple CPU since PowerPC); a fat file's header is big-endian (``FAT_MAGIC`` or
``FAT_MAGIC_64``) and lists one thin image per architecture. Every offset is
checked against the data's size: anything malformed is a :class:`BinaryError`.
Standard library only.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

from ferrule._record import record
from ferrule.errors import BinaryError

__all__ = [
    "BinaryError",
    "Dylib",
    "MachOFile",
    "MachOImage",
    "is_macho",
    "make_fat",
    "parse_macho",
    "read_macho_file",
]

MH_MAGIC, MH_MAGIC_64 = 0xFEEDFACE, 0xFEEDFACF  # as read little-endian
FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF  # as read big-endian
_CPU_ARCH_ABI64 = 0x01000000
CPU_TYPE_X86, CPU_TYPE_ARM, CPU_TYPE_POWERPC = 7, 12, 18
CPU_TYPE_X86_64 = CPU_TYPE_X86 | _CPU_ARCH_ABI64
CPU_TYPE_ARM64 = CPU_TYPE_ARM | _CPU_ARCH_ABI64
# cputype -> the architecture name wheels (and lipo) use.
ARCHS: dict[int, str] = {
    CPU_TYPE_X86: "i386",
    CPU_TYPE_X86_64: "x86_64",
    CPU_TYPE_ARM: "arm",
    CPU_TYPE_ARM64: "arm64",
    CPU_TYPE_POWERPC: "ppc",
    CPU_TYPE_POWERPC | _CPU_ARCH_ABI64: "ppc64",
}

LC_LOAD_DYLIB, LC_ID_DYLIB = 0x0C, 0x0D
LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB = 0x80000018, 0x8000001F
LC_RPATH, LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0x8000001C, 0x24, 0x32
_DYLIB_KINDS = {LC_LOAD_DYLIB: "load", LC_LOAD_WEAK_DYLIB: "weak", LC_REEXPORT_DYLIB: "reexport"}
# LC_BUILD_VERSION's platform numbers (<mach-o/loader.h>).
PLATFORMS = {1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 6: "maccatalyst", 7: "iossimulator"}

_MAX_FAT_ARCHS = 64  # a Java class file also starts with 0xCAFEBABE (then a version >= 45)
_MAX_COMMANDS = 1 << 16


@record
class Dylib:
    """A dylib an image loads: its install name and how (``load``, ``weak``, ``reexport``)."""

    name: str
    kind: str = "load"


@record
class MachOImage:
    """One thin image (a whole thin file, or one slice of a fat file)."""

    arch: str  # "x86_64", "arm64", ... or "cpu<number>" for CPUs not in ARCHS
    cputype: int
    cpusubtype: int
    bits: int  # 32 or 64
    filetype: int  # MH_DYLIB = 6, MH_BUNDLE = 8, MH_EXECUTE = 2
    dylibs: tuple[Dylib, ...]
    install_name: str | None  # LC_ID_DYLIB
    rpaths: tuple[str, ...]
    platform: str | None  # from LC_BUILD_VERSION ("macos"), "macos" for LC_VERSION_MIN_MACOSX
    minos: tuple[int, int, int] | None

    @property
    def minos_text(self) -> str | None:
        """``12.0`` or ``10.13.4`` (the patch only when it is not zero)."""
        if self.minos is None:
            return None
        major, minor, patch = self.minos
        return f"{major}.{minor}" + (f".{patch}" if patch else "")


@record
class MachOFile:
    images: tuple[MachOImage, ...]
    fat: bool

    @property
    def archs(self) -> tuple[str, ...]:
        return tuple(image.arch for image in self.images)


def is_macho(head: bytes) -> bool:
    """Whether the first four bytes are a thin (either byte order) or fat Mach-O magic."""
    if len(head) < 4:
        return False
    (big,) = struct.unpack_from(">I", head)
    (little,) = struct.unpack_from("<I", head)
    return big in (FAT_MAGIC, FAT_MAGIC_64, MH_MAGIC, MH_MAGIC_64) or little in (
        MH_MAGIC,
        MH_MAGIC_64,
    )


def _unpack(fmt: str, data: bytes, offset: int, what: str) -> tuple[int, ...]:
    size = struct.calcsize(fmt)
    if offset < 0 or offset + size > len(data):
        raise BinaryError(f"truncated Mach-O data: {what} at offset {offset} is past the end")
    return struct.unpack_from(fmt, data, offset)


def _version(packed: int) -> tuple[int, int, int]:
    """``xxxx.yy.zz`` packed into nibbles of a 32-bit word."""
    return packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF


def _lc_string(data: bytes, command: int, size: int, offset: int, what: str) -> str:
    """The NUL-terminated string at ``offset`` inside the load command at ``command``."""
    if offset < 8 or offset >= size:
        raise BinaryError(f"{what}: string offset {offset} is outside its load command")
    raw = data[command + offset : command + size]
    end = raw.find(b"\0")
    return (raw if end < 0 else raw[:end]).decode("utf-8", "surrogateescape")


def _parse_thin(data: bytes) -> MachOImage:
    (magic,) = _unpack("<I", data, 0, "the magic")
    if magic not in (MH_MAGIC, MH_MAGIC_64):
        if struct.unpack_from(">I", data)[0] in (MH_MAGIC, MH_MAGIC_64):
            raise BinaryError("big-endian Mach-O images (PowerPC) are not supported")
        raise BinaryError(f"not a Mach-O image (magic {magic:#010x})")
    bits = 64 if magic == MH_MAGIC_64 else 32
    cputype, cpusub, filetype, ncmds, sizeofcmds, _flags = _unpack(
        "<iiIIII", data, 4, "the Mach-O header"
    )
    offset = 32 if bits == 64 else 28
    if ncmds > _MAX_COMMANDS or offset + sizeofcmds > len(data):
        raise BinaryError(
            f"truncated Mach-O data: {ncmds} load commands of {sizeofcmds} bytes do not fit"
        )
    end = offset + sizeofcmds
    dylibs: list[Dylib] = []
    rpaths: list[str] = []
    install_name: str | None = None
    platform: str | None = None
    minos: tuple[int, int, int] | None = None
    for index in range(ncmds):
        cmd, size = _unpack("<II", data, offset, f"load command {index}")
        if size < 8 or offset + size > end:
            raise BinaryError(f"load command {index} ({cmd:#x}) has a bad size {size}")
        if cmd in _DYLIB_KINDS or cmd == LC_ID_DYLIB:
            (name_at,) = _unpack("<I", data, offset + 8, "a dylib command")
            name = _lc_string(data, offset, size, name_at, "a dylib command")
            if cmd == LC_ID_DYLIB:
                install_name = name
            else:
                dylibs.append(Dylib(name, _DYLIB_KINDS[cmd]))
        elif cmd == LC_RPATH:
            (path_at,) = _unpack("<I", data, offset + 8, "LC_RPATH")
            rpaths.append(_lc_string(data, offset, size, path_at, "LC_RPATH"))
        elif cmd == LC_BUILD_VERSION:
            number, packed = _unpack("<II", data, offset + 8, "LC_BUILD_VERSION")
            platform, minos = PLATFORMS.get(number, f"platform{number}"), _version(packed)
        elif cmd == LC_VERSION_MIN_MACOSX and minos is None:
            (packed,) = _unpack("<I", data, offset + 8, "LC_VERSION_MIN_MACOSX")
            platform, minos = "macos", _version(packed)
        offset += size
    return MachOImage(
        arch=ARCHS.get(cputype, f"cpu{cputype}"),
        cputype=cputype,
        cpusubtype=cpusub,
        bits=bits,
        filetype=filetype,
        dylibs=tuple(dylibs),
        install_name=install_name,
        rpaths=tuple(rpaths),
        platform=platform,
        minos=minos,
    )


def fat_slices(data: bytes) -> list[tuple[int, int, int, int, int]]:
    """A fat file's ``(cputype, cpusubtype, offset, size, align)`` entries, checked."""
    magic, count = _unpack(">II", data, 0, "the fat header")
    if magic not in (FAT_MAGIC, FAT_MAGIC_64):
        raise BinaryError(f"not a fat Mach-O file (magic {magic:#010x})")
    if count == 0 or count > _MAX_FAT_ARCHS:
        raise BinaryError(f"a fat Mach-O header with {count} architectures")
    entry, fmt = (32, ">iiQQII") if magic == FAT_MAGIC_64 else (20, ">iiIII")
    slices = []
    for index in range(count):
        fields = _unpack(fmt, data, 8 + index * entry, f"fat architecture {index}")
        cputype, cpusub, offset, size, align = fields[:5]
        if offset < 8 + count * entry or offset + size > len(data):
            raise BinaryError(
                f"truncated Mach-O data: fat architecture {index} ({offset}+{size} bytes) "
                f"is outside the file's {len(data)} bytes"
            )
        slices.append((cputype, cpusub, offset, size, align))
    return slices


def parse_macho(data: bytes) -> MachOFile:
    """Every image of a thin or fat Mach-O file (the bytes of the whole file)."""
    if len(data) < 4:
        raise BinaryError(f"truncated Mach-O data: {len(data)} bytes")
    if struct.unpack_from(">I", data)[0] not in (FAT_MAGIC, FAT_MAGIC_64):
        return MachOFile((_parse_thin(data),), fat=False)
    images = []
    for cputype, _sub, offset, size, _align in fat_slices(data):
        image = _parse_thin(data[offset : offset + size])
        if image.cputype != cputype:
            raise BinaryError(
                f"a fat Mach-O slice says CPU {cputype} but its image is {image.arch}"
            )
        images.append(image)
    return MachOFile(tuple(images), fat=True)


def read_macho_file(path: Path) -> MachOFile:
    return parse_macho(path.read_bytes())


def _alignment(image: MachOImage) -> int:
    """log2 of a slice's alignment, as lipo chooses it: arm64's 16 KiB pages, else 4 KiB."""
    return 14 if image.cputype in (CPU_TYPE_ARM64, CPU_TYPE_ARM) else 12


def make_fat(thin_images: Sequence[bytes]) -> bytes:
    """A fat (universal) file of thin images, one per architecture (``lipo -create``).

    Slices are ordered by alignment, then CPU type (as lipo orders them, so
    arm64 comes last), each at the next multiple of its alignment; 32-bit
    offsets (``FAT_MAGIC``) unless the file outgrows them (``FAT_MAGIC_64``).
    """
    if not thin_images:
        raise BinaryError("a fat Mach-O file needs at least one thin image")
    parsed = []
    for data in thin_images:
        if struct.unpack_from(">I", data)[0] in (FAT_MAGIC, FAT_MAGIC_64):
            raise BinaryError("make_fat takes thin images, not a fat file")
        parsed.append((_parse_thin(data), bytes(data)))
    archs = [image.arch for image, _ in parsed]
    if len(set(archs)) != len(archs):
        raise BinaryError(f"two thin images of the same architecture: {', '.join(archs)}")
    parsed.sort(key=lambda pair: (_alignment(pair[0]), pair[0].cputype))
    wide = 8 + 20 * len(parsed) + sum(len(d) + (1 << _alignment(i)) for i, d in parsed) >= 1 << 32
    header_size = 8 + (32 if wide else 20) * len(parsed)
    layout: list[tuple[MachOImage, bytes, int]] = []
    cursor = header_size
    for image, data in parsed:
        align = 1 << _alignment(image)
        cursor = (cursor + align - 1) // align * align
        layout.append((image, data, cursor))
        cursor += len(data)
    out = bytearray(cursor)
    struct.pack_into(">II", out, 0, FAT_MAGIC_64 if wide else FAT_MAGIC, len(layout))
    for index, (image, data, offset) in enumerate(layout):
        fields = (image.cputype, image.cpusubtype, offset, len(data), _alignment(image))
        if wide:
            struct.pack_into(">iiQQII", out, 8 + 32 * index, *fields, 0)
        else:
            struct.pack_into(">iiIII", out, 8 + 20 * index, *fields)
        out[offset : offset + len(data)] = data
    return bytes(out)
