"""Writing generated files: each replaced whole (:mod:`ferrule._atomic`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ferrule import _atomic

__all__ = ["write_text_atomic", "write_tree"]


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (parents created) so readers never see half a file."""
    _atomic.write_text(path, text, 0o644)


def write_tree(root: Path, files: Mapping[str, str], *, keep_existing: bool) -> list[str]:
    """Write ``files`` (POSIX paths relative to ``root``); return the paths written.

    With ``keep_existing`` (``init`` in a directory that already has files), a
    file that exists is left as it is.
    """
    written = []
    for relative, text in files.items():
        path = root.joinpath(*relative.split("/"))
        if keep_existing and path.exists():
            continue
        write_text_atomic(path, text)
        written.append(relative)
    return written
