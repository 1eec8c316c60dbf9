"""What goes into a wheel: a pure mapping from layout and artifacts to archive entries."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ferrule.errors import LayoutError, WheelError
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata

__all__ = ["Entry", "plan_entries", "pure_init_py"]

_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
_DATA_SUBDIRS = ("data", "scripts", "headers", "purelib", "platlib")


@dataclass(frozen=True)
class Entry:
    """One file in the wheel: copied from ``source`` or made of ``data``."""

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False


def pure_init_py(extension_name: str) -> bytes:
    """The ``__init__.py`` of a pure-Rust package: re-exports the extension.

    Byte-identical to maturin's (no final newline), so the two tools' wheels agree.
    """
    return (
        f"from .{extension_name} import *\n\n"
        f"__doc__ = {extension_name}.__doc__\n"
        f'if hasattr({extension_name}, "__all__"):\n'
        f"    __all__ = {extension_name}.__all__"
    ).encode()


def _is_extension_leftover(path: Path, extension_name: str) -> bool:
    """An extension module from an earlier ``develop`` sitting in the source tree."""
    name = path.name
    return name.startswith(f"{extension_name}.") and name.endswith((".so", ".pyd", ".dylib"))


def walk_python_files(root: Path, boundary: Path) -> Iterator[Path]:
    """Files below ``root`` in sorted order, minus caches and bytecode.

    Symbolic links are followed only while they stay inside ``boundary``.
    """
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        current = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d in _SKIP_DIRS or d.endswith(".egg-info"):
                continue
            target = (current / d).resolve()
            if not target.is_relative_to(boundary):
                raise LayoutError(
                    f"{current / d} is a link to {target}, outside the project {boundary}"
                )
            kept.append(d)
        dirnames[:] = kept
        for f in sorted(filenames):
            path = current / f
            if f.endswith(_SKIP_SUFFIXES):
                continue
            target = path.resolve()
            if not target.is_relative_to(boundary):
                raise LayoutError(f"{path} is a link to {target}, outside the project {boundary}")
            if not target.is_file():
                raise LayoutError(f"{path} is a broken link or not a regular file")
            yield path


def _python_entries(layout: ProjectLayout, boundary: Path) -> Iterable[Entry]:
    roots = [layout.python_module] if layout.python_module else []
    roots += list(layout.python_packages)
    for root in roots:
        assert root is not None
        if root.is_file():
            yield Entry(root.relative_to(layout.python_dir).as_posix(), source=root)
            continue
        for path in walk_python_files(root, boundary):
            rel = path.relative_to(layout.python_dir)
            if rel.parent.as_posix() == layout.extension_dir.as_posix() and _is_extension_leftover(
                path, layout.extension_name
            ):
                continue
            yield Entry(rel.as_posix(), source=path)


def _data_entries(
    layout: ProjectLayout, metadata: PackageMetadata, boundary: Path
) -> Iterable[Entry]:
    if layout.data_dir is None:
        return
    prefix = f"{metadata.dist_name}-{metadata.version}.data"
    for child in sorted(layout.data_dir.iterdir()):
        if child.name not in _DATA_SUBDIRS or not child.is_dir():
            raise LayoutError(
                f"{child} is not allowed in the data directory; use only "
                + ", ".join(_DATA_SUBDIRS)
            )
        for path in walk_python_files(child, boundary):
            rel = path.relative_to(layout.data_dir).as_posix()
            yield Entry(f"{prefix}/{rel}", source=path)


def plan_entries(
    layout: ProjectLayout,
    metadata: PackageMetadata,
    extension: Path,
    extension_filename: str,
    wheel_file: bytes,
    boundary: Path,
) -> list[Entry]:
    """Every entry of the wheel, package files sorted first and dist-info last.

    RECORD is not listed: the writer adds it from what it wrote.
    """
    entries: list[Entry] = []
    ext_dir = layout.extension_dir
    entries.append(
        Entry(str(PurePosixPath(ext_dir, extension_filename)), source=extension, executable=True)
    )
    if layout.mixed:
        entries += _python_entries(layout, boundary)
    else:
        entries.append(Entry(f"{ext_dir}/__init__.py", data=pure_init_py(layout.extension_name)))
        if layout.root_stub is not None:
            entries.append(Entry(f"{ext_dir}/__init__.pyi", source=layout.root_stub))
            entries.append(Entry(f"{ext_dir}/py.typed", data=b""))
        entries += _python_entries(layout, boundary)
    entries += _data_entries(layout, metadata, boundary)

    dist_info = metadata.dist_info
    meta_entries = [
        Entry(f"{dist_info}/METADATA", data=metadata.rfc822),
        Entry(f"{dist_info}/WHEEL", data=wheel_file),
    ]
    if metadata.entry_points:
        meta_entries.append(Entry(f"{dist_info}/entry_points.txt", data=metadata.entry_points))
    for rel, path in metadata.license_files:
        meta_entries.append(Entry(f"{dist_info}/licenses/{rel}", source=path))

    entries.sort(key=lambda e: e.arcname)
    meta_entries.sort(key=lambda e: e.arcname)
    seen: dict[str, Entry] = {}
    for entry in entries + meta_entries:
        if entry.arcname in seen:
            raise WheelError(
                f"two files map to {entry.arcname} in the wheel: "
                f"{seen[entry.arcname].source or 'generated'} and {entry.source or 'generated'}"
            )
        seen[entry.arcname] = entry
    return entries + meta_entries


def wheel_file(generator: str, tags: Iterable[str]) -> bytes:
    """The WHEEL file.

    >>> print(wheel_file("ferrule (0.1.0)", ["cp311-cp311-linux_x86_64"]).decode(), end="")
    Wheel-Version: 1.0
    Generator: ferrule (0.1.0)
    Root-Is-Purelib: false
    Tag: cp311-cp311-linux_x86_64
    """
    lines = ["Wheel-Version: 1.0", f"Generator: {generator}", "Root-Is-Purelib: false"]
    lines += [f"Tag: {tag}" for tag in tags]
    return ("\n".join(lines) + "\n").encode()
