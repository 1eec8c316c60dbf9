"""Whether a wheel on disk is exactly what ``build`` would write now (issue 7).

``ferrule build`` leaves such a wheel alone. The stamp lives in the target
directory (``<target-dir>/ferrule/wheels/``) and is keyed by the wheel's entries.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ferrule._metadata_cache import caching_off
from ferrule._version import __version__

__all__ = ["WheelStamp", "file_state"]


def file_state(path: Path) -> list[int] | None:
    """``[mtime_ns, size, inode]`` of ``path``, or None when it does not exist."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


class WheelStamp:
    """Whether a wheel is exactly what ``build`` would write now.

    The key is the content of every entry (cargo's artifacts are staged copies, so
    their mtimes say nothing) and the timestamp the writer would use; the record,
    kept in ``<target-dir>/ferrule/wheels/``, also holds the wheel file's own
    size, mtime and inode, so a wheel that was replaced or touched is rewritten.
    ``FERRULE_NO_CACHE=1``: never current.
    """

    def __init__(
        self, state_dir: Path, wheel: Path, entries: Iterable[Any], environ: Mapping[str, str]
    ) -> None:
        name = hashlib.sha256(str(wheel.resolve()).encode()).hexdigest()[:24]
        self.path = state_dir / "wheels" / f"{name}.json"
        self.wheel = wheel
        self.off = caching_off(environ)
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
        if self.off:
            return False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return bool(data.get("key") == self.key and data.get("wheel") == file_state(self.wheel))

    def record(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        data = {"key": self.key, "wheel": file_state(self.wheel)}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.path)
