"""Whether a wheel on disk is exactly what ``build`` would write now (issue 7).

``ferrule build`` leaves such a wheel alone. The stamp is an entry of kind ``wheel``
in ferrule's cache store (:mod:`ferrule._store`), keyed by the wheel's entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ferrule import _store
from ferrule._version import __version__

__all__ = ["WheelStamp", "declared_reads"]

# Files whose inode changed this recently are hashed, not trusted by their stat.
_RACY_NS = 3_000_000_000


class WheelStamp:
    """Whether a wheel is exactly what ``build`` would write now.

    The key is the content of every entry (cargo's artifacts are staged copies, so
    their mtimes say nothing) and the timestamp the writer would use. The project's
    own files (``Entry.project_file``) stand for themselves by size, mtime, ctime,
    inode and device instead (reading 50,000 sources to learn they did not change
    would cost as much as writing the wheel): any rewrite moves ctime, and a file
    changed within the last seconds is read anyway, as git does with racy entries,
    since a coarse clock could give its next rewrite the same ctime. The entry
    (kind ``wheel`` of ferrule's cache store, one per wheel path) also holds the
    wheel file's own state, so a wheel that was replaced or touched is rewritten.
    ``FERRULE_NO_CACHE=1``: never current.
    """

    def __init__(self, wheel: Path, entries: Iterable[Any], environ: Mapping[str, str]) -> None:
        self.store = _store.open_store(environ)
        self.wheel = wheel
        self.ident = str(wheel.resolve())
        racy = time.time_ns() - _RACY_NS
        digest = hashlib.sha256(f"{__version__}\0{environ.get('SOURCE_DATE_EPOCH', '')}".encode())
        for entry in entries:
            digest.update(f"\0{entry.arcname}\0{entry.executable}\0".encode())
            source = entry.source_path
            if source is None:
                digest.update(entry.data or b"")
                continue
            st = os.stat(source)  # noqa: PTH116 - str sources: no Path per file
            # What this decides on is an input of the run, read or not: a replay record
            # (ferrule.develop.replay) takes the event as a read, at this state. Without
            # it, a run that finds the wheel current would record none of the project's files.
            sys.audit("ferrule.input", source, st)
            digest.update(str(st.st_mode & 0o111).encode())
            if getattr(entry, "project_file", False) and st.st_ctime_ns < racy:
                # The project's own file: its identity stands for its content (a rewrite
                # that keeps size and mtime still moves ctime), so it is not read.
                digest.update(
                    f"\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"
                    f"\0{st.st_dev}".encode()
                )
            else:
                with open(source, "rb") as f:  # noqa: PTH123 - as above
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
        self.key = digest.hexdigest()

    def is_current(self) -> bool:
        entry = None if self.store is None else self.store.get("wheel", self.ident, self.key)
        return entry is not None and entry.get("wheel") == _store.file_state(str(self.wheel))

    def record(self) -> None:
        if self.store is not None:
            self.store.put(
                "wheel", self.ident, {"wheel": _store.file_state(str(self.wheel))}, self.key
            )


@contextlib.contextmanager
def declared_reads() -> Iterator[None]:
    """While a wheel is written from the entries a stamp went over: every file it reads
    was announced already (``ferrule.input``, with its state), so a replay recorder
    (:mod:`ferrule.develop.replay`) need not look each one up again (50,000 lookups
    for 50,000 files, issue 22)."""
    sys.audit("ferrule.declared", True)
    try:
        yield
    finally:
        sys.audit("ferrule.declared", False)
