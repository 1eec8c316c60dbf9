"""The macOS audit of built Mach-O files: the platform tag they need, the dylibs they load.

Pure: :func:`audit_macos` takes each binary's path in the wheel and bytes, the
planned platform tag (``macosx_10_12_x86_64``) and the files the wheel ships,
and returns the tag to use and what it found, as delocate checks a wheel:

- the minimum macOS version: the highest ``LC_BUILD_VERSION`` /
  ``LC_VERSION_MIN_MACOSX`` over every binary and every fat slice raises the
  tag (one warning line), so pip never installs the wheel where it cannot load;
- the architectures: each binary has a slice for each arch the tag claims
  (``universal2``: x86_64 and arm64);
- the dylibs: outside the system set (``/usr/lib/``, ``/System/``) each must be
  shipped in the wheel, found through ``@loader_path`` or the binary's
  ``LC_RPATH`` entries; anything else is a problem (a weak one a warning).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath

from ferrule.audit.binaries import BinaryAudit
from ferrule.errors import BinaryError, FerruleError
from ferrule.macho import MachOImage, parse_macho

__all__ = ["BinaryAudit", "audit_macos", "macos_tag", "required_macos"]

SYSTEM_PREFIXES = ("/usr/lib/", "/System/")
_TAG = re.compile(r"macosx_(\d+)_(\d+)_(\w+)")
TAG_ARCHS = {
    "universal2": ("x86_64", "arm64"),
    "universal": ("i386", "x86_64"),
    "intel": ("i386", "x86_64"),
    "fat64": ("x86_64",),
}


def macos_tag(version: tuple[int, int], arch: str) -> str:
    """The tag pip matches for ``version``: from macOS 11 on, only ``X_0`` exists.

    >>> macos_tag((12, 3), "x86_64"), macos_tag((10, 13), "arm64")
    ('macosx_12_0_x86_64', 'macosx_10_13_arm64')
    """
    major, minor = version
    return f"macosx_{major}_{0 if major >= 11 else minor}_{arch}"


def required_macos(images: Sequence[MachOImage]) -> tuple[tuple[int, int], MachOImage] | None:
    """The newest macOS any image needs (as ``(major, minor)`` of a tag) and that image."""
    best: tuple[tuple[int, int], MachOImage] | None = None
    for image in images:
        if image.platform != "macos" or image.minos is None:
            continue
        major, minor, _ = image.minos
        version = (major, 0 if major >= 11 else minor)
        if best is None or version > best[0]:
            best = (version, image)
    return best


def _resolves(name: str, image: MachOImage, where: PurePosixPath, shipped: Collection[str]) -> bool:
    """Whether ``name`` is one of the wheel's files, seen from the binary at ``where``."""
    loader = str(where.parent)

    def inside(path: str) -> bool:
        return posixpath.normpath(path.replace("@loader_path", loader, 1)) in shipped

    if name.startswith("@loader_path/"):
        return inside(name)
    if name.startswith("@rpath/"):
        rest = name[len("@rpath/") :]
        return any(inside(posixpath.join(rpath, rest)) for rpath in image.rpaths)
    return False


def _is_libpython(name: str) -> bool:
    leaf = name.rsplit("/", 1)[-1]
    return leaf.startswith("libpython3") or leaf == "Python"


def audit_macos(
    binaries: Sequence[tuple[PurePosixPath, bytes]],
    platform_tag: str,
    shipped: Collection[PurePosixPath] = (),
) -> BinaryAudit:
    """The tag ``binaries`` (wheel path, bytes) need instead of ``platform_tag``, and findings.

    A malformed binary is a :class:`FerruleError` naming it; a planned tag that is
    not a ``macosx_X_Y_arch`` tag is returned unchanged.
    """
    files = {str(p) for p in shipped} | {str(p) for p, _ in binaries}
    warnings: list[str] = []
    problems: list[str] = []
    all_images: list[tuple[PurePosixPath, MachOImage]] = []
    for where, data in binaries:
        try:
            macho = parse_macho(data)
        except BinaryError as exc:
            raise FerruleError(f"cannot read {where} as a Mach-O file: {exc}") from None
        all_images += [(where, image) for image in macho.images]
        for image in macho.images:
            for dylib in image.dylibs:
                name = dylib.name
                if name.startswith(SYSTEM_PREFIXES) or _is_libpython(name):
                    continue
                if _resolves(name, image, where, files):
                    continue
                leaf = name.rsplit("/", 1)[-1]
                line = (
                    f"{where} ({image.arch}) loads {name}, which is neither part of macOS "
                    f"(/usr/lib, /System) nor shipped in the wheel"
                )
                if dylib.kind == "weak":
                    warnings.append(f"{line}; it is weakly linked, so it loads without it")
                else:
                    problems.append(
                        f"{line}: importing it fails where {leaf} is missing; link "
                        f"{leaf} statically, or bundle it (delocate-wheel) and load it "
                        "through @rpath or @loader_path"
                    )
        claimed = _claimed_archs(platform_tag)
        missing = [a for a in claimed if a not in macho.archs]
        if missing:
            problems.append(
                f"{where} has no {' or '.join(missing)} code (it has {', '.join(macho.archs)}), "
                f"but the wheel is tagged {platform_tag}"
            )
    return BinaryAudit(
        _raise_tag(platform_tag, all_images, warnings),
        tuple(dict.fromkeys(warnings)),
        tuple(dict.fromkeys(problems)),
    )


def _claimed_archs(platform_tag: str) -> list[str]:
    archs: list[str] = []
    for part in platform_tag.split("."):
        match = _TAG.fullmatch(part)
        if match:
            archs += TAG_ARCHS.get(match[3], (match[3],))
    return list(dict.fromkeys(archs))


def _raise_tag(
    platform_tag: str,
    located: Sequence[tuple[PurePosixPath, MachOImage]],
    warnings: list[str],
) -> str:
    """Each ``macosx_X_Y_arch`` part raised to the newest macOS its arch's slices need.

    A compound tag (``macosx_10_12_x86_64.macosx_11_0_arm64.macosx_10_12_universal2``)
    is raised part by part: x86_64 by the x86_64 slices, universal2 by both.
    """
    parts: list[str] = []
    newest: tuple[tuple[int, int], MachOImage] | None = None
    for part in platform_tag.split("."):
        match = _TAG.fullmatch(part)
        archs = TAG_ARCHS.get(match[3], (match[3],)) if match else ()
        needed = required_macos([image for _, image in located if image.arch in archs])
        if match is None or needed is None or (int(match[1]), int(match[2])) >= needed[0]:
            parts.append(part)
            continue
        parts.append(macos_tag(needed[0], match[3]))
        if parts[-1] != part and (newest is None or needed[0] > newest[0]):
            newest = needed
    raised = ".".join(parts)
    if newest is not None:
        image = newest[1]
        where = next(path for path, i in located if i is image)
        warnings.insert(
            0,
            f"{where} ({image.arch}) needs macOS {image.minos_text}, newer than the planned "
            f"tag {platform_tag}: the wheel is tagged {raised} (set MACOSX_DEPLOYMENT_TARGET="
            f"{image.minos_text} to plan that tag, or build what it links for an older macOS)",
        )
    return raised
