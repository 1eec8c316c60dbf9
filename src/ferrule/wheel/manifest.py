"""What goes into a wheel: a pure mapping from layout and artifacts to archive entries."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ferrule.errors import LayoutError, WheelError
from ferrule.globs import GitIgnore, matches
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata

__all__ = [
    "Entry",
    "FileSelection",
    "package_entries",
    "plan_entries",
    "walk_files",
    "wheel_file",
]

_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
# Version-control bookkeeping is never package content (maturin ships it; we don't).
_VCS_FILES = {".gitignore", ".gitattributes", ".gitkeep", ".hgignore", ".hgtags"}
_DATA_SUBDIRS = ("data", "scripts", "headers", "purelib", "platlib")


@dataclass(frozen=True)
class Entry:
    """One file in the wheel: copied from ``source`` or made of ``data``.

    ``project_file``: ``source`` is one of the project's own files (not a copy
    staged for this build), so its stat identifies its content (the wheel stamp).
    """

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False
    project_file: bool = False


def _is_extension_leftover(path: Path, extension_name: str) -> bool:
    """An extension module from an earlier ``develop`` sitting in the source tree."""
    name = path.name
    return name.startswith(f"{extension_name}.") and name.endswith((".so", ".pyd", ".dylib"))


@dataclass(frozen=True)
class FileSelection:
    """Which files of the project tree may go in: the project root (the boundary
    symbolic links may not leave), ``exclude`` globs relative to it, and whether
    ``.gitignore`` files are honoured."""

    root: Path
    exclude: tuple[str, ...] = ()
    gitignore: bool = True


def _gitignore_spec(directory: Path) -> GitIgnore | None:
    ignore = directory / ".gitignore"
    if not ignore.is_file():
        return None
    return GitIgnore(ignore.read_text(encoding="utf-8", errors="replace").splitlines())


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, GitIgnore]]) -> bool:
    """git's answer: the deepest .gitignore with a matching pattern decides."""
    for base, spec in reversed(specs):
        decision = spec.match(path.relative_to(base).as_posix(), is_dir)
        if decision is not None:
            return decision
    return False


def walk_files(root: Path, selection: FileSelection) -> Iterator[Path]:
    """Files below ``root`` in sorted order, minus caches, bytecode, ``.gitignore``d
    and excluded files. Symbolic links are followed only inside ``selection.root``.

    One ``scandir`` per directory and no ``stat`` per regular file: only links are
    resolved (a regular file inside a directory already checked cannot leave the
    project), and loops are caught by the (device, inode) of every directory entered.
    """
    boundary = selection.root.resolve()
    # .gitignore files in the directories from the project root down to ``root``
    # apply too (never those above the project: they are not the project's).
    inherited: list[tuple[Path, GitIgnore]] = []
    if selection.gitignore and root != selection.root and root.is_relative_to(selection.root):
        parts = root.relative_to(selection.root).parts
        for i in range(len(parts)):
            spec = _gitignore_spec(selection.root.joinpath(*parts[:i]))
            if spec is not None:
                inherited.append((selection.root.joinpath(*parts[:i]), spec))
    # A root reached through a link out of the project: every entry below is refused,
    # as its own resolution would say.
    check_all = not root.resolve().is_relative_to(boundary)
    visited: set[tuple[int, int]] = set()
    yield from _walk_dir(root, inherited, selection, boundary, check_all, visited)


def _walk_dir(
    current: Path,
    inherited: list[tuple[Path, GitIgnore]],
    selection: FileSelection,
    boundary: Path,
    check_all: bool,
    visited: set[tuple[int, int]],
) -> Iterator[Path]:
    try:
        st = current.stat()
        with os.scandir(current) as it:
            listing = sorted((e.name, e) for e in it)
    except OSError:  # unreadable or vanished: skipped, as os.walk does
        return
    ident = (st.st_dev, st.st_ino)
    if ident in visited:
        real = current.resolve()
        raise LayoutError(f"{current} is a symbolic link loop (it leads back to {real})")
    visited.add(ident)
    here = inherited
    if selection.gitignore and any(name == ".gitignore" for name, _ in listing):
        spec = _gitignore_spec(current)
        if spec is not None:
            here = [*inherited, (current, spec)]
    dirs: list[Path] = []
    for name, entry in listing:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            continue
        child = current / name
        if name in _SKIP_DIRS or name.endswith(".egg-info"):
            continue
        if here and _ignored(child, True, here):
            continue
        if _excluded(child, selection):
            continue
        if check_all or entry.is_symlink():
            _resolved_inside(child, boundary)
        dirs.append(child)
    for name, entry in listing:
        try:
            if entry.is_dir():
                continue
        except OSError:
            pass
        if name in _VCS_FILES or name.endswith(_SKIP_SUFFIXES):
            continue
        path = current / name
        if here and _ignored(path, False, here):
            continue
        if _excluded(path, selection):
            continue
        if check_all or entry.is_symlink():
            regular = _resolved_inside(path, boundary).is_file()
        else:
            regular = entry.is_file(follow_symlinks=False)
        if not regular:
            raise LayoutError(f"{path} is a broken link or not a regular file")
        yield path
    del listing
    for child in dirs:
        yield from _walk_dir(child, here, selection, boundary, check_all, visited)


def _resolved_inside(path: Path, boundary: Path) -> Path:
    """``path`` with its links resolved; a LayoutError when they lead out of ``boundary``."""
    target = path.resolve()
    if not target.is_relative_to(boundary):
        raise LayoutError(f"{path} is a link to {target}, outside the project {boundary}")
    return target


def _excluded(path: Path, selection: FileSelection) -> bool:
    if not selection.exclude:
        return False
    try:
        rel = path.relative_to(selection.root).as_posix()
    except ValueError:
        return False
    return matches(rel, selection.exclude)


def _python_entries(layout: ProjectLayout, selection: FileSelection) -> Iterable[Entry]:
    roots = [layout.python_module] if layout.python_module else []
    roots += list(layout.python_packages)
    base = str(layout.python_dir).rstrip(os.sep) + os.sep
    ext_dir = layout.extension_dir.as_posix()
    for root in roots:
        assert root is not None
        if root.is_file():
            yield Entry(
                root.relative_to(layout.python_dir).as_posix(), source=root, project_file=True
            )
            continue
        for path in walk_files(root, selection):
            rel = _relative(path, base, layout.python_dir)
            if _is_extension_leftover(path, layout.extension_name) and (
                (rel.rpartition("/")[0] or ".") == ext_dir
            ):
                continue
            yield Entry(rel, source=path, project_file=True)


def _relative(path: Path, base: str, directory: Path) -> str:
    """``path`` relative to ``directory`` (``base``: its text and a separator), as a posix
    string: a string slice, not a ``relative_to`` (two Path objects per file)."""
    text = str(path)
    if text.startswith(base):
        return text[len(base) :].replace(os.sep, "/")
    return path.relative_to(directory).as_posix()


def _data_entries(
    layout: ProjectLayout, metadata: PackageMetadata, selection: FileSelection
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
        for path in walk_files(child, selection):
            rel = path.relative_to(layout.data_dir).as_posix()
            yield Entry(f"{prefix}/{rel}", source=path, project_file=True)


def package_entries(
    layout: ProjectLayout, metadata: PackageMetadata, selection: FileSelection
) -> list[Entry]:
    """The project's own files for the wheel: Python packages, stubs, the data directory.

    Collected once per build, before cargo runs, so that a problem in the tree
    (a link out of the project, a bad data directory) is reported at once.
    """
    entries = list(_python_entries(layout, selection))
    ext_dir = layout.extension_dir
    if layout.stub_package is not None:  # generated stubs win over a <module>.pyi
        for stub in sorted(layout.stub_package.rglob("*.pyi")):
            rel = stub.relative_to(layout.stub_package).as_posix()
            entries.append(Entry(f"{ext_dir}/{rel}", source=stub, project_file=True))
        entries.append(Entry(f"{ext_dir}/py.typed", data=b""))
    elif layout.root_stub is not None:
        entries.append(Entry(f"{ext_dir}/__init__.pyi", source=layout.root_stub, project_file=True))
        entries.append(Entry(f"{ext_dir}/py.typed", data=b""))
    entries += _data_entries(layout, metadata, selection)
    return entries


def plan_entries(
    metadata: PackageMetadata,
    native: Sequence[Entry],
    wheel_file: bytes,
    package_files: Sequence[Entry],
    extra: Sequence[Entry] = (),
    dist_info_extra: Sequence[Entry] = (),
) -> list[Entry]:
    """Every entry of the wheel in maturin's order: sorted by path components, dist-info last.

    ``native`` are the entries the bindings made from cargo's artifacts,
    ``package_files`` come from :func:`package_entries`, ``extra`` are
    ``include`` files, ``dist_info_extra`` more ``.dist-info`` files (SBOMs). RECORD is not listed: the writer adds it. Two entries
    with one name are refused, naming both sources.
    """
    entries: list[Entry] = list(native) + list(extra) + list(package_files)

    dist_info = metadata.dist_info
    meta_entries = [
        Entry(f"{dist_info}/METADATA", data=metadata.rfc822),
        Entry(f"{dist_info}/WHEEL", data=wheel_file),
    ]
    if metadata.entry_points:
        meta_entries.append(Entry(f"{dist_info}/entry_points.txt", data=metadata.entry_points))
    for rel, path in metadata.license_files:
        meta_entries.append(Entry(f"{dist_info}/licenses/{rel}", source=path))
    meta_entries += dist_info_extra  # sboms/

    # maturin's order (its WheelWriter::file_ordering): paths compared component by
    # component (``pkg/a/b.py`` before ``pkg/a.py``, ``pkg-1.0.data`` before
    # ``pkg_native.so``), .dist-info last.
    entries.sort(key=lambda e: e.arcname.split("/"))
    meta_entries.sort(key=lambda e: e.arcname.split("/"))
    seen: dict[str, Entry] = {}
    unique: list[Entry] = []
    for entry in entries + meta_entries:
        if entry.arcname in seen:
            first = seen[entry.arcname]
            if first.source and entry.source and first.source.resolve() == entry.source.resolve():
                continue  # the same file reached twice (say, a package and an include)
            raise WheelError(
                f"two files map to {entry.arcname} in the wheel: "
                f"{first.source or 'a generated file'} and {entry.source or 'a generated file'}"
            )
        seen[entry.arcname] = entry
        unique.append(entry)
    return unique


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
