"""The project's walked files, kept packed: a byte or two per file instead of objects.

A build walks the project's files once, before cargo runs (a problem in the tree is
reported at once), then goes over them twice: for the wheel's stamp, and to write
the archive. Kept as a list of entries, 50,000 files cost about 10 MB (a path string
and an :class:`~ferrule.wheel.entry.Entry` each) that live until the build ends, so
its peak grew with the number of files (issue 22). :class:`PackedFiles` keeps each
directory's run of files as the directory's path and its file names, NUL-joined and
compressed (``m00001.py``, ``m00002.py``, ... pack into a byte or two each), and makes
the entries again, one at a time, on every iteration.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator

from ferrule.wheel.entry import Entry

__all__ = ["PackedFiles"]

_SEP = "\0"


def _pack(names: list[str]) -> bytes:
    return zlib.compress(_SEP.join(names).encode("utf-8", "surrogatepass"), 1)


def _unpack(data: bytes) -> list[str]:
    return zlib.decompress(data).decode("utf-8", "surrogatepass").split(_SEP)


class _Walked:
    """Files below one base, each named ``arc_prefix`` + its path after the base: runs
    of (directory, its file names packed)."""

    __slots__ = ("arc_prefix", "at", "runs")

    def __init__(self, arc_prefix: str, at: int) -> None:
        self.arc_prefix = arc_prefix
        self.at = at
        self.runs: list[tuple[str, bytes]] = []

    def entries(self) -> Iterator[Entry]:
        at, arc_prefix = self.at, self.arc_prefix
        tail = Entry.tail
        # The archive name is the end of the path: the entry keeps the one string.
        as_tail = not arc_prefix and os.sep == "/"
        for directory, packed in self.runs:
            prefix = directory + os.sep
            for name in _unpack(packed):
                path = prefix + name
                if as_tail:
                    yield tail(path, at)
                else:
                    arcname = arc_prefix + path[at:].replace(os.sep, "/")
                    yield Entry(arcname, source=path, project_file=True)


class PackedFiles:
    """Entries in order, made again on each iteration: walked files (:meth:`add_walk`)
    packed, the few others (:meth:`add`: stubs, single-file modules) as they are.

    ``in_order``: whether the entries are sorted by path components (RECORD's
    order), as found while packing. Re-iterable; compared by its entries.
    """

    def __init__(self) -> None:
        self._groups: list[list[Entry] | _Walked] = []
        self._last: list[str] | None = None
        self._count = 0
        self.in_order = True

    def _saw(self, arcname: str) -> None:
        key = arcname.split("/")
        if self._last is not None and key < self._last:
            self.in_order = False
        self._last = key
        self._count += 1

    def add(self, entry: Entry) -> None:
        self._saw(entry.arcname)
        last = self._groups[-1] if self._groups else None
        if isinstance(last, list):
            last.append(entry)
        else:
            self._groups.append([entry])

    def add_walk(
        self, paths: Iterable[str], base: str, arc_prefix: str, other: Callable[[str], Entry]
    ) -> None:
        """Walked files: a path below ``base`` (text ending with a separator) is named
        ``arc_prefix`` and the rest of its path (``/``-separated); ``other`` makes the
        entry of a path elsewhere."""
        at = len(base)
        group: _Walked | None = None
        directory = ""
        names: list[str] = []

        def flush() -> None:
            if names:
                assert group is not None
                group.runs.append((directory, _pack(names)))
                names.clear()

        for path in paths:
            if not path.startswith(base):
                flush()
                group = None
                self.add(other(path))
                continue
            rel = path[at:]
            self._saw(arc_prefix + (rel if os.sep == "/" else rel.replace(os.sep, "/")))
            if group is None:
                group = _Walked(arc_prefix, at)
                self._groups.append(group)
            head, _, name = path.rpartition(os.sep)
            if head != directory:
                flush()
                directory = head
            names.append(name)
        flush()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Entry]:
        for group in self._groups:
            if isinstance(group, list):
                yield from group
            else:
                yield from group.entries()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (PackedFiles, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"PackedFiles({list(self)!r})"
