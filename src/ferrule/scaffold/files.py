"""Writing generated files: each through a temporary file and ``os.replace``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_text_atomic", "write_tree"]


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (parents created) so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
