"""The entries of one sdist as they are collected, and what every step of the plan knows.

:class:`Collector` keeps entries by archive name: the same file twice is one
entry, two files for one name an error. :class:`SdistContext` is the plan's
state shared by the Rust side (:mod:`ferrule.sdist.crate_files`) and the Python
side (:mod:`ferrule.sdist.plan`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ferrule import _log
from ferrule.config.model import Settings
from ferrule.errors import FerruleError
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.files import GlobSet

__all__ = ["Collector", "SdistContext", "join", "rel", "toml_bytes"]


def rel(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, POSIX style (``..`` where it must)."""
    return PurePosixPath(Path(os.path.relpath(path, start))).as_posix()


def join(prefix: str, name: str) -> str:
    return name if prefix in ("", ".") else f"{prefix}/{name}"


def toml_bytes(doc: Any) -> bytes:
    """A tomlkit document as the bytes of a file (ending in a newline)."""
    text: str = doc.as_string()
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o111)


class Collector:
    """Entries by archive name; the same file twice is fine, two files for one name are not."""

    def __init__(self, project_dir: Path, excludes: GlobSet) -> None:
        self.project_dir = project_dir
        self.excludes = excludes
        self.entries: dict[str, SdistEntry] = {}

    def excluded(self, source: Path, arcname: str) -> bool:
        if not self.excludes:
            return False
        try:
            relative = source.relative_to(self.project_dir).as_posix()
        except ValueError:
            relative = arcname
        return self.excludes.matches(relative)

    def _put(self, entry: SdistEntry) -> None:
        previous = self.entries.get(entry.arcname)
        if previous is None:
            self.entries[entry.arcname] = entry
            return
        before, now = previous.made_from(), entry.made_from()
        same = before is not None and now is not None and before.resolve() == now.resolve()
        if same:
            # As maturin: a file copied (an include) and its rewrite for the sdist
            # (Cargo.toml, pyproject.toml) are one entry, and the rewrite wins.
            if previous.source is not None and entry.source is None:
                self.entries[entry.arcname] = entry
            return
        raise FerruleError(
            f"two files would be {entry.arcname} in the sdist: {previous.describe()} and "
            f"{entry.describe()}; rename one, or leave one out with "
            "tool.maturin.exclude (format 'sdist')"
        )

    def add_file(self, arcname: str, source: Path, *, excludable: bool = True) -> None:
        if excludable and self.excluded(source, arcname):
            _log.debug(f"sdist: {arcname} excluded by the exclude setting")
            return
        self._put(SdistEntry(arcname, source=source, executable=_executable(source)))

    def add_data(self, arcname: str, data: bytes, origin: Path | None = None) -> None:
        """Generated content; ``origin`` is the file it rewrites, if any."""
        self._put(SdistEntry(arcname, data=data, origin=origin))

    def has(self, arcname: str) -> bool:
        return arcname in self.entries


@dataclass
class SdistContext:
    settings: Settings
    layout: ProjectLayout
    metadata: PackageMetadata
    project_dir: Path  # where pyproject.toml is
    sdist_root: Path  # the tree the archive mirrors
    collector: Collector

    def python_arcname(self, path: Path) -> str:
        """Files the pyproject refers to: relative to it (it moves to the top)."""
        if path.is_relative_to(self.project_dir):
            return rel(path, self.project_dir)
        return rel(path, self.sdist_root)
