"""What goes into a wheel: a pure mapping from layout and artifacts to archive entries."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ferrule._record import record
from ferrule.errors import LayoutError, WheelError
from ferrule.globs import GitIgnore, matches
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata
from ferrule.wheel.entry import Entry
from ferrule.wheel.file_pack import PackedFiles

__all__ = [
    "Entry",
    "FileSelection",
    "PackedFiles",
    "WheelEntries",
    "package_entries",
    "package_files",
    "plan_entries",
    "walk_files",
    "walk_paths",
    "wheel_entries",
    "wheel_file",
]

_SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = (".pyc", ".pyo")
# Version-control bookkeeping is never package content (maturin ships it; we don't).
_VCS_FILES = {".gitignore", ".gitattributes", ".gitkeep", ".hgignore", ".hgtags"}
_DATA_SUBDIRS = ("data", "scripts", "headers", "purelib", "platlib")


def _is_extension_leftover(path: str, extension_name: str) -> bool:
    """An extension module from an earlier ``develop`` sitting in the source tree."""
    name = path.rpartition(os.sep)[2]
    return name.startswith(f"{extension_name}.") and name.endswith((".so", ".pyd", ".dylib"))


@record
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


def _ignored(path: str, is_dir: bool, specs: list[tuple[str, GitIgnore]]) -> bool:
    """git's answer: the deepest .gitignore with a matching pattern decides.
    (``specs``: each .gitignore's directory, with a trailing separator.)"""
    for base, spec in reversed(specs):
        rel = path[len(base) :]
        decision = spec.match(rel if os.sep == "/" else rel.replace(os.sep, "/"), is_dir)
        if decision is not None:
            return decision
    return False


def _prefix(directory: Path | str) -> str:
    """``directory`` as text with one trailing separator: what its files' paths start with."""
    return str(directory).rstrip(os.sep) + os.sep


def walk_files(root: Path, selection: FileSelection) -> Iterator[Path]:
    """:func:`walk_paths` as ``Path`` objects."""
    for path in walk_paths(root, selection):
        yield Path(path)


def walk_paths(root: Path, selection: FileSelection) -> Iterator[str]:
    """Files below ``root`` in maturin's order (by path components: a directory's
    files where its name sorts), minus caches, bytecode, ``.gitignore``d and
    excluded files. Symbolic links are followed only inside ``selection.root``.

    Paths are strings (a ``Path`` per file costs about 300 bytes and microseconds).
    One ``scandir`` per directory and no ``stat`` per regular file: only links are
    resolved (a regular file inside a directory already checked cannot leave the
    project), and loops are caught by the (device, inode) of every directory entered.
    """
    boundary = selection.root.resolve()
    # .gitignore files in the directories from the project root down to ``root``
    # apply too (never those above the project: they are not the project's).
    inherited: list[tuple[str, GitIgnore]] = []
    if selection.gitignore and root != selection.root and root.is_relative_to(selection.root):
        parts = root.relative_to(selection.root).parts
        for i in range(len(parts)):
            directory = selection.root.joinpath(*parts[:i])
            spec = _gitignore_spec(directory)
            if spec is not None:
                inherited.append((_prefix(directory), spec))
    # A root reached through a link out of the project: every entry below is refused,
    # as its own resolution would say.
    check_all = not root.resolve().is_relative_to(boundary)
    walk = _Walk(selection, boundary, check_all, _prefix(selection.root))
    yield from walk.directory(str(root), inherited)


class _Walk:
    """One walk's fixed parts, and the directories it entered."""

    def __init__(self, selection: FileSelection, boundary: Path, check_all: bool, root: str):
        self.selection = selection
        self.boundary = boundary
        self.check_all = check_all
        self.root = root  # the project root's text, with a separator
        self.visited: set[tuple[int, int]] = set()

    def directory(self, current: str, inherited: list[tuple[str, GitIgnore]]) -> Iterator[str]:
        try:
            st = os.stat(current)  # noqa: PTH116 - a str path: no Path per directory
            with os.scandir(current) as it:
                listing = sorted((e.name, e) for e in it)
        except OSError:  # unreadable or vanished: skipped, as os.walk does
            return
        ident = (st.st_dev, st.st_ino)
        if ident in self.visited:
            real = Path(current).resolve()
            raise LayoutError(f"{current} is a symbolic link loop (it leads back to {real})")
        self.visited.add(ident)
        prefix = _prefix(current)
        here = inherited
        if self.selection.gitignore and any(name == ".gitignore" for name, _ in listing):
            spec = _gitignore_spec(Path(current))
            if spec is not None:
                here = [*inherited, (prefix, spec)]
        excluded = self._excluded if self.selection.exclude else None
        for name, entry in listing:
            path = prefix + name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name in _SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                if (here and _ignored(path, True, here)) or (excluded and excluded(path)):
                    continue
                if self.check_all or entry.is_symlink():
                    _resolved_inside(path, self.boundary)
                yield from self.directory(path, here)
                continue
            if name in _VCS_FILES or name.endswith(_SKIP_SUFFIXES):
                continue
            if (here and _ignored(path, False, here)) or (excluded and excluded(path)):
                continue
            if self.check_all or entry.is_symlink():
                regular = _resolved_inside(path, self.boundary).is_file()
            else:
                regular = entry.is_file(follow_symlinks=False)
            if not regular:
                raise LayoutError(f"{path} is a broken link or not a regular file")
            yield path

    def _excluded(self, path: str) -> bool:
        if not path.startswith(self.root):
            return False
        rel = path[len(self.root) :]
        return matches(rel if os.sep == "/" else rel.replace(os.sep, "/"), self.selection.exclude)


def _resolved_inside(path: str, boundary: Path) -> Path:
    """``path`` with its links resolved; a LayoutError when they lead out of ``boundary``."""
    target = Path(path).resolve()
    if not target.is_relative_to(boundary):
        raise LayoutError(f"{path} is a link to {target}, outside the project {boundary}")
    return target


def _python_files(layout: ProjectLayout, selection: FileSelection, out: PackedFiles) -> None:
    roots = [layout.python_module] if layout.python_module else []
    roots += list(layout.python_packages)
    base = _prefix(layout.python_dir)
    ext_dir = layout.extension_dir.as_posix()
    python_dir = layout.python_dir

    def kept(paths: Iterable[str]) -> Iterator[str]:
        for path in paths:
            if _is_extension_leftover(path, layout.extension_name) and (
                (_relative(path, base, python_dir).rpartition("/")[0] or ".") == ext_dir
            ):
                continue
            yield path

    def elsewhere(path: str) -> Entry:
        return Entry(_relative(path, base, python_dir), source=path, project_file=True)

    for root in roots:
        assert root is not None
        if root.is_file():
            out.add(Entry(root.relative_to(python_dir).as_posix(), source=root, project_file=True))
            continue
        out.add_walk(kept(walk_paths(root, selection)), base, "", elsewhere)


def _relative(path: str, base: str, directory: Path) -> str:
    """``path`` relative to ``directory`` (``base``: its text and a separator), as a posix
    string: a string slice, not a ``relative_to`` (two Path objects per file)."""
    if path.startswith(base):
        rel = path[len(base) :]
        return rel if os.sep == "/" else rel.replace(os.sep, "/")
    return Path(path).relative_to(directory).as_posix()


def _data_files(
    layout: ProjectLayout, metadata: PackageMetadata, selection: FileSelection, out: PackedFiles
) -> None:
    data_dir = layout.data_dir
    if data_dir is None:
        return
    prefix = f"{metadata.dist_name}-{metadata.version}.data/"
    base = _prefix(data_dir)

    def elsewhere(path: str) -> Entry:
        return Entry(prefix + _relative(path, base, data_dir), source=path, project_file=True)

    for child in sorted(data_dir.iterdir()):
        if child.name not in _DATA_SUBDIRS or not child.is_dir():
            raise LayoutError(
                f"{child} is not allowed in the data directory; use only "
                + ", ".join(_DATA_SUBDIRS)
            )
        out.add_walk(walk_paths(child, selection), base, prefix, elsewhere)


def package_files(
    layout: ProjectLayout, metadata: PackageMetadata, selection: FileSelection
) -> PackedFiles:
    """The project's own files for the wheel: Python packages, stubs, the data directory.

    Collected once per build, before cargo runs, so that a problem in the tree
    (a link out of the project, a bad data directory) is reported at once; kept
    packed (:class:`~ferrule.wheel.file_pack.PackedFiles`), not an object per file.
    """
    out = PackedFiles()
    _python_files(layout, selection, out)
    ext_dir = layout.extension_dir
    if layout.stub_package is not None:  # generated stubs win over a <module>.pyi
        for stub in sorted(layout.stub_package.rglob("*.pyi")):
            rel = stub.relative_to(layout.stub_package).as_posix()
            out.add(Entry(f"{ext_dir}/{rel}", source=stub, project_file=True))
        out.add(Entry(f"{ext_dir}/py.typed", data=b""))
    elif layout.root_stub is not None:
        out.add(Entry(f"{ext_dir}/__init__.pyi", source=layout.root_stub, project_file=True))
        out.add(Entry(f"{ext_dir}/py.typed", data=b""))
    _data_files(layout, metadata, selection, out)
    return out


def package_entries(
    layout: ProjectLayout, metadata: PackageMetadata, selection: FileSelection
) -> list[Entry]:
    """:func:`package_files` as a list."""
    return list(package_files(layout, metadata, selection))


def plan_entries(
    metadata: PackageMetadata,
    native: Sequence[Entry],
    wheel_file: bytes,
    package_files: PackedFiles | Sequence[Entry],
    extra: Sequence[Entry] = (),
    dist_info_extra: Sequence[Entry] = (),
) -> list[Entry]:
    """:func:`wheel_entries` as a list."""
    return list(wheel_entries(metadata, native, wheel_file, package_files, extra, dist_info_extra))


def wheel_entries(
    metadata: PackageMetadata,
    native: Sequence[Entry],
    wheel_file: bytes,
    package_files: PackedFiles | Sequence[Entry],  # gone over on every pass: no iterator
    extra: Sequence[Entry] = (),
    dist_info_extra: Sequence[Entry] = (),
) -> WheelEntries:
    """Every entry of the wheel in maturin's order: sorted by path components, dist-info last.

    ``native`` are the entries the bindings made from cargo's artifacts,
    ``package_files`` come from :func:`package_files` (iterated once per pass over
    the result: it must be re-iterable), ``extra`` are ``include`` files,
    ``dist_info_extra`` more ``.dist-info`` files (SBOMs). RECORD is not listed: the
    writer adds it. Two entries with one name are refused, naming both sources, when
    they are reached.
    """
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
    meta_entries.sort(key=_order)
    in_order = (
        package_files.in_order
        if isinstance(package_files, PackedFiles)
        else _in_order(package_files)
    )
    return WheelEntries(
        sorted([*native, *extra], key=_order), package_files, in_order, meta_entries
    )


class WheelEntries:
    """The wheel's entries in order, merged again on each iteration: the few entries
    from elsewhere and the project's files, which usually come in order already (the
    walk's: then no sort key per file is kept), then the dist-info files."""

    def __init__(
        self, front: list[Entry], files: Iterable[Entry], in_order: bool, meta: list[Entry]
    ) -> None:
        self._front, self._files, self._in_order, self._meta = front, files, in_order, meta
        # Once a pass went through with no name given twice: where each entry from
        # elsewhere goes (how many files come before it), so later passes (the writer's,
        # after the stamp's) merge by counting, with no key and no check per file.
        self._positions: list[int] | None = None

    def _merged(self, positions: list[int]) -> Iterator[Entry]:
        """The project's files (in order) with the others merged in where they sort: as
        ``heapq.merge`` by :func:`_order`, but a file's key is one ``str.replace`` (paths
        compared with ``/`` as the lowest character compare as their components do),
        made only while entries from elsewhere remain. ``positions`` gets, for each of
        those, the number of files before it."""
        front = [(e.arcname.replace("/", "\0"), e) for e in self._front]
        at = count = 0
        for entry in self._files:
            if at < len(front):
                key = entry.arcname.replace("/", "\0")
                while at < len(front) and front[at][0] <= key:
                    positions.append(count)
                    yield front[at][1]
                    at += 1
            yield entry
            count += 1
        for _, entry in front[at:]:
            positions.append(count)
            yield entry

    def _replayed(self, positions: list[int]) -> Iterator[Entry]:
        front = self._front
        at = 0
        for count, entry in enumerate(self._files):
            while at < len(front) and positions[at] <= count:
                yield front[at]
                at += 1
            yield entry
        yield from front[at:]
        yield from self._meta

    def __iter__(self) -> Iterator[Entry]:
        if self._positions is not None:
            yield from self._replayed(self._positions)
            return
        entries: Iterable[Entry]
        positions: list[int] = []
        if self._in_order:
            entries = self._merged(positions)
        else:
            entries = sorted([*self._front, *self._files], key=_order)
        # In that order one name's entries are next to each other (the sort is stable: in
        # the order given); the dist-info names, few, are looked up.
        meta_names = {e.arcname for e in self._meta}
        earlier: dict[str, Entry] = {}  # entries with a dist-info name, as they come
        previous: Entry | None = None
        previous_name = None
        clean = True
        for entry in itertools.chain(entries, self._meta):
            name = entry.arcname
            first = previous if name == previous_name else earlier.get(name)
            if first is not None:
                if (
                    first.source
                    and entry.source
                    and first.source.resolve() == entry.source.resolve()
                ):
                    clean = False
                    continue  # the same file reached twice (say, a package and an include)
                raise WheelError(
                    f"two files map to {name} in the wheel: "
                    f"{first.source or 'a generated file'} and "
                    f"{entry.source or 'a generated file'}"
                )
            if name in meta_names:
                earlier[name] = entry
            previous, previous_name = entry, name
            yield entry
        if clean and self._in_order:
            self._positions = positions


def _order(entry: Entry) -> list[str]:
    return entry.arcname.split("/")


def _in_order(entries: Iterable[Entry]) -> bool:
    """Whether ``entries`` are sorted by path components (checked pairwise, no key list)."""
    previous: list[str] | None = None
    for entry in entries:
        key = entry.arcname.split("/")
        if previous is not None and key < previous:
            return False
        previous = key
    return True


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
