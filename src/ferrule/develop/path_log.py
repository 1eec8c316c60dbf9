"""Distinct paths in the order first seen, each with a fixed-size value, kept compactly.

The replay recorder (:mod:`ferrule.develop.replay`) notes every file a run reads:
for ``ferrule build`` of a project with 50,000 Python files, 50,000 paths. As a dict
of strings with their states that costs about 200 bytes a path until the run ends,
so the build's peak grew with the number of files (issue 22). Here a path costs its
file name's bytes (its directory is stored once), 12 bytes of hash, directory index
and offset, and a slot or two of a 4-byte hash table; the values (32 bytes
each) wait in an anonymous temporary file, read back once, in order, at the end.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from array import array
from collections.abc import Iterator

__all__ = ["PathLog"]

_SEP = os.sep


class PathLog:
    """A set of absolute paths in insertion order, each added with ``size`` bytes (its value).

    Membership is exact: the hash table holds indexes, and a candidate's directory
    and name are compared with the path asked for.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._dirs: dict[str, int] = {}
        self._dir_names: list[str] = []
        self._hashes = array("I")  # path i's hash (low 32 bits): the table's slots, cheaply
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

    def _find(self, path: str) -> tuple[int, int, str, bytes]:
        """The slot holding ``path``, or the free slot where it goes; the path's hash
        (its low 32 bits), directory and name."""
        head, _, tail = path.rpartition(_SEP)
        name = tail.encode("utf-8", "surrogatepass")
        hashed = hash(path) & 0xFFFFFFFF
        table = self._table
        mask = len(table) - 1
        slot = hashed & mask
        held = table[slot]
        if held:
            hashes, dir_of, starts, names = self._hashes, self._dir_of, self._starts, self._names
            directory = self._dirs.get(head, -1)
            while held:
                index = held - 1
                if (
                    hashes[index] == hashed
                    and dir_of[index] == directory
                    and names[starts[index] : starts[index + 1]] == name
                ):
                    break
                slot = (slot + 1) & mask
                held = table[slot]
        return slot, hashed, head, name

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        hashed = hash(path) & 0xFFFFFFFF
        table = self._table
        mask = len(table) - 1
        slot = hashed & mask
        held = table[slot]
        hashes = self._hashes
        while held:
            index = held - 1
            if hashes[index] == hashed:  # then the exact check
                head, _, tail = path.rpartition(_SEP)
                name = tail.encode("utf-8", "surrogatepass")
                start, end = self._starts[index], self._starts[index + 1]
                if (
                    end - start == len(name)
                    and self._names.startswith(name, start)
                    and self._dir_names[self._dir_of[index]] == head
                ):
                    return True
            slot = (slot + 1) & mask
            held = table[slot]
        return False

    def add(self, path: str, value: bytes) -> bool:
        """Add ``path`` with ``value`` unless it is there: then False, and its first
        value stays."""
        slot, hashed, head, name = self._find(path)
        table = self._table
        if table[slot]:
            return False
        assert len(value) == self._size
        directory = self._dirs.get(head)
        if directory is None:
            directory = self._dirs[head] = len(self._dir_names)
            self._dir_names.append(head)
        self._hashes.append(hashed)
        self._dir_of.append(directory)
        names = self._names
        names += name
        self._starts.append(len(names))
        self._values.write(value)
        self._count = count = self._count + 1
        table[slot] = count
        if 2 * count > len(table):
            self._grow()
        return True

    def _grow(self) -> None:
        size = 2 * len(self._table)
        self._table = table = array("I", bytes(4 * size))
        mask = size - 1
        for index, hashed in enumerate(self._hashes, 1):
            slot = hashed & mask
            while table[slot]:
                slot = (slot + 1) & mask
            table[slot] = index

    def paths(self) -> Iterator[str]:
        """Every path, in the order added."""
        names, starts, dir_names = self._names, self._starts, self._dir_names
        for index, directory in enumerate(self._dir_of):
            name = names[starts[index] : starts[index + 1]].decode("utf-8", "surrogatepass")
            yield dir_names[directory] + os.sep + name

    def items(self) -> Iterator[tuple[str, bytes]]:
        """Every path with its value, in the order added (the values are read back once,
        8 KiB at a time)."""
        values, size = self._values, self._size
        values.flush()
        values.seek(0)
        chunk, at = b"", 0
        for path in self.paths():
            if at == len(chunk):
                chunk, at = values.read(size * 256), 0
            yield path, chunk[at : at + size]
            at += size
        values.seek(0, 2)

    def close(self) -> None:
        self._close()
