"""Whether a wheel on disk is exactly what ``build`` would write now (issue 7).

``ferrule build`` leaves such a wheel alone. The stamp is an entry of kind ``wheel``
in ferrule's cache store (:mod:`ferrule._store`), keyed by the wheel's entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ferrule import _store
from ferrule._version import __version__

__all__ = ["WheelStamp"]


class WheelStamp:
    """Whether a wheel is exactly what ``build`` would write now.

    The key is the content of every entry (cargo's artifacts are staged copies, so
    their mtimes say nothing) and the timestamp the writer would use; the entry
    (kind ``wheel`` of ferrule's cache store, one per wheel path) also holds the
    wheel file's own state, so a wheel that was replaced or touched is rewritten.
    ``FERRULE_NO_CACHE=1``: never current.
    """

    def __init__(self, wheel: Path, entries: Iterable[Any], environ: Mapping[str, str]) -> None:
        self.store = _store.open_store(environ)
        self.wheel = wheel
        self.ident = str(wheel.resolve())
        digest = hashlib.sha256(f"{__version__}\0{environ.get('SOURCE_DATE_EPOCH', '')}".encode())
        for entry in entries:
            digest.update(f"\0{entry.arcname}\0{entry.executable}\0".encode())
            if entry.source is not None:
                st = entry.source.stat()
                digest.update(str(st.st_mode & 0o111).encode())
                with entry.source.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
            else:
                digest.update(entry.data or b"")
        self.key = digest.hexdigest()

    def is_current(self) -> bool:
        entry = None if self.store is None else self.store.get("wheel", self.ident, self.key)
        return entry is not None and entry.get("wheel") == _store.file_state(str(self.wheel))

    def record(self) -> None:
        if self.store is not None:
            self.store.put(
                "wheel", self.ident, {"wheel": _store.file_state(str(self.wheel))}, self.key
            )
