"""Distinct paths in the order first seen, each with a fixed-size value, kept compactly.

The replay recorder (:mod:`ferrule.develop.replay`) notes every file a run reads:
for ``ferrule build`` of a project with 50,000 Python files, 50,000 paths. As a dict
of strings with their states that costs about 200 bytes a path until the run ends,
so the build's peak grew with the number of files (issue 22). Here a path costs its
file name's bytes (its directory is stored once), 8 bytes of directory index and
offset, and a slot or two of a 4-byte hash table; the values (32 bytes
each) wait in an anonymous temporary file, read back once, in order, at the end.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from array import array
from collections.abc import Callable, Iterator

__all__ = ["PathLog"]


class PathLog:
    """A set of absolute paths in insertion order, each added with ``size`` bytes (its value).

    Membership is exact: the hash table holds indexes, and a candidate's directory
    and name are compared with the path asked for.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._dirs: dict[str, int] = {}
        self._dir_names: list[str] = []
        self._dir_of = array("I")  # path i's directory
        self._starts = array("I", [0])  # path i's name: _names[_starts[i] : _starts[i + 1]]
        self._names = bytearray()
        self._table = array("I", bytes(4 * 1024))  # index + 1 per used slot, 0 when free
        self._count = 0
        self._values = tempfile.TemporaryFile(buffering=1 << 16)  # noqa: SIM115 - closed by close()
        # Closed with the log, whoever forgets to call close().
        self._close = weakref.finalize(self, self._values.close)

    def __len__(self) -> int:
        return self._count

    def _find(self, path: str) -> tuple[int, str, bytes]:
        """The slot holding ``path``, or the free slot where it goes; its directory and name."""
        head, _, tail = path.rpartition(os.sep)
        name = tail.encode("utf-8", "surrogateescape")
        table = self._table
        mask = len(table) - 1
        slot = hash(path) & mask
        held = table[slot]
        if held:
            directory = self._dirs.get(head, -1)
            dir_of, starts, names = self._dir_of, self._starts, self._names
            while held:
                index = held - 1
                if dir_of[index] == directory and names[starts[index] : starts[index + 1]] == name:
                    break
                slot = (slot + 1) & mask
                held = table[slot]
        return slot, head, name

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._table[self._find(path)[0]] != 0

    def add(self, path: str, value: bytes | Callable[[], bytes]) -> bool:
        """Add ``path`` with ``value`` (or what ``value()`` gives, asked only for a path
        not there yet) unless it is there: then False, and its first value stays."""
        slot, head, name = self._find(path)
        if self._table[slot]:
            return False
        if not isinstance(value, bytes):
            value = value()
        assert len(value) == self._size
        directory = self._dirs.get(head)
        if directory is None:
            directory = self._dirs[head] = len(self._dir_names)
            self._dir_names.append(head)
        self._dir_of.append(directory)
        self._names += name
        self._starts.append(len(self._names))
        self._values.write(value)
        self._count += 1
        self._table[slot] = self._count
        if 2 * self._count > len(self._table):
            self._grow()
        return True

    def _grow(self) -> None:
        size = 2 * len(self._table)
        self._table = table = array("I", bytes(4 * size))
        mask = size - 1
        for index, path in enumerate(self.paths()):
            slot = hash(path) & mask
            while table[slot]:
                slot = (slot + 1) & mask
            table[slot] = index + 1

    def paths(self) -> Iterator[str]:
        """Every path, in the order added."""
        names, starts, dir_names = self._names, self._starts, self._dir_names
        for index, directory in enumerate(self._dir_of):
            name = names[starts[index] : starts[index + 1]].decode("utf-8", "surrogateescape")
            yield dir_names[directory] + os.sep + name

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every path with its value, in the order added (the values are read back once)."""
        values = self._values
        values.flush()
        values.seek(0)
        for path in self.paths():
            yield path, values.read(self._size)
        values.seek(0, 2)

    def close(self) -> None:
        self._close()
