"""Unpack an sdist safely, to build wheels from it (``ferrule build --sdist``)."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from ferrule.errors import FerruleError

__all__ = ["unpack_sdist"]


def _check_member(member: tarfile.TarInfo, archive: Path) -> None:
    name = member.name
    parts = name.split("/")
    if name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
        raise FerruleError(
            f"{archive} contains {name!r}, which is not a plain file or directory below the "
            "archive's top directory; refusing to unpack it"
        )


def unpack_sdist(archive: Path, destination: Path) -> Path:
    """Extract ``archive`` into ``destination``; return its single top directory.

    Only regular files and directories inside the archive's directory are
    accepted. Files get the current time, not the archive's fixed one, so that
    cargo does not take an earlier build's artifacts for up to date.
    """
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        for member in members:
            _check_member(member, archive)
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, members=members, filter="data")
        else:  # pragma: no cover - Pythons without extraction filters
            tar.extractall(destination, members=members)  # noqa: S202 - members checked above
    tops = {m.name.split("/", 1)[0] for m in members}
    if len(tops) != 1:
        raise FerruleError(
            f"{archive} should hold one top directory (<name>-<version>/), found "
            f"{', '.join(sorted(tops)) or 'nothing'}"
        )
    top = destination / tops.pop()
    for dirpath, _dirnames, filenames in os.walk(top):
        for name in filenames:
            os.utime(Path(dirpath) / name)
    return top
