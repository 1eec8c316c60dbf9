"""Files replaced whole: written beside their destination, then renamed over it.

A reader, or a process that has the old file loaded (an extension module), sees
the old file or the new one, never half of one. The temporary name
``.<name>.<pid>.ferrule-tmp`` carries the writer's pid, so that what a killed
writer left is recognised and swept (:func:`ferrule._faults.sweep` with
:data:`TMP_SUFFIX`). Standard library only.

The wheel and sdist writers stream into their own ``.part`` files
(:mod:`ferrule.wheel.writer`, :mod:`ferrule.sdist.archive`); the stdlib-only
runtime helpers shipped into users' environments keep their own copies.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TMP_SUFFIX", "copy_file", "replacing", "umask", "write_bytes", "write_text"]

TMP_SUFFIX = ".ferrule-tmp"


@contextlib.contextmanager
def replacing(dest: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside ``dest`` to write; it then replaces ``dest``.

    Parent directories are created. On success the file gets ``mode`` (when
    given) and is renamed over ``dest``; on an exception it is removed.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        yield tmp
        if mode is not None:
            tmp.chmod(mode)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(dest: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``dest`` with ``data``."""
    with replacing(dest, mode) as tmp:
        tmp.write_bytes(data)


def write_text(dest: Path, text: str, mode: int | None = None) -> None:
    """Replace ``dest`` with ``text`` (UTF-8, ``\\n`` line ends on every platform)."""
    with replacing(dest, mode) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def copy_file(source: Path, dest: Path, mode: int | None = None) -> None:
    """Replace ``dest`` with a copy of ``source``'s content."""
    with replacing(dest, mode) as tmp:
        shutil.copyfile(source, tmp)


def umask() -> int:
    """The process's umask (set back at once: there is no way to read it alone)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
