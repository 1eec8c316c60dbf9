"""Which files on disk may go into an sdist: filters, globs and walks.

Whatever lists the files (cargo, git or a directory walk), these rules keep
out what never belongs in a source distribution: VCS metadata, cargo target
directories, bytecode and compiled extension modules left by earlier builds,
our own output, and symbolic links that lead outside the tree being packaged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath

from ferrule import _log, _run
from ferrule.errors import FerruleError
from ferrule.globs import matches

__all__ = [
    "GlobSet",
    "contained_file",
    "git_visible_files",
    "is_build_leftover",
    "walk_files",
]

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", ".pijul"})
_LEFTOVER_DIRS = frozenset({"__pycache__"})
_LEFTOVER_SUFFIXES = (".pyc", ".pyo", ".pyd", ".so", ".dylib", ".whl")


def is_build_leftover(relative: PurePosixPath, dist_prefix: str = "") -> bool:
    """Files that earlier builds leave in a source tree.

    >>> [is_build_leftover(PurePosixPath(p)) for p in
    ...  ("pkg/mod.py", "pkg/__pycache__/mod.cpython-311.pyc", "pkg/_ext.abi3.so",
    ...   ".git/config", "target/release/libx.so", "x.egg-info/PKG-INFO", "a/CVS/Root")]
    [False, True, True, True, True, True, True]
    >>> is_build_leftover(PurePosixPath("dist/pkg-1.0.tar.gz"), "pkg-")
    True
    """
    parts = relative.parts
    if parts and parts[0] == "target":
        return True
    for part in parts[:-1]:
        if part in VCS_DIRS or part in _LEFTOVER_DIRS or part.endswith(".egg-info"):
            return True
    name = parts[-1] if parts else ""
    if name in VCS_DIRS or name.endswith(_LEFTOVER_SUFFIXES):
        return True
    return bool(dist_prefix) and name.startswith(dist_prefix) and name.endswith(".tar.gz")


class GlobSet:
    """``exclude`` globs, relative to pyproject.toml's directory: :mod:`ferrule.globs`,
    the same matching as for wheels (maturin's, plus: a matched directory excludes
    what is below it).

    >>> g = GlobSet(["extra/scratch.txt", "*.log", "build/"])
    >>> [g.matches(p) for p in ("extra/scratch.txt", "a/b.log", "build/x/y", "src/lib.rs")]
    [True, True, True, False]
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(p for p in patterns if p.strip())

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, relative: str) -> bool:
        return bool(self.patterns) and matches(relative.strip("/"), self.patterns)


def contained_file(path: Path, boundary: Path) -> Path | None:
    """``path`` resolved, if it is a regular file inside ``boundary``; else None.

    Symbolic links are followed; one that leads outside ``boundary`` (or
    nowhere) is left out with a warning, never packaged.
    """
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        _log.warn(f"leaving out {path}: it is a broken symbolic link")
        return None
    if not real.is_relative_to(boundary):
        _log.warn(f"leaving out {path}: it is a link to {real}, outside {boundary}")
        return None
    if not real.is_file():
        return None
    return real


def walk_files(root: Path, boundary: Path) -> Iterator[Path]:
    """Regular files below ``root`` in sorted order, skipping hidden entries,
    VCS directories and build leftovers; links must stay inside ``boundary``."""
    seen: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        current = Path(dirpath)
        real_dir = current.resolve()
        if real_dir in seen or not real_dir.is_relative_to(boundary):
            if not real_dir.is_relative_to(boundary):
                _log.warn(f"leaving out {current}: it is a link to {real_dir}, outside {boundary}")
            dirnames[:] = []
            continue
        seen.add(real_dir)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in _LEFTOVER_DIRS
            and d not in VCS_DIRS
            and not d.endswith(".egg-info")
        )
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith(_LEFTOVER_SUFFIXES):
                continue
            path = current / name
            if contained_file(path, boundary) is not None:
                yield path


def git_visible_files(directory: Path, environ: Mapping[str, str]) -> set[Path] | None:
    """Files below ``directory`` that git tracks or would track (not ignored).

    None when ``directory`` is not in a git work tree (or git is missing): then
    nothing is filtered by ignore rules, as cargo does outside git.
    """
    if not directory.is_dir():
        return None
    try:
        done = _run.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            env=environ,
            cwd=directory,
            check=False,
        )
    except FerruleError:  # git is not installed
        return None
    if done.returncode != 0:
        return None
    return {(directory / name).resolve() for name in done.stdout.split("\0") if name}


def git_tracked_files(directory: Path, environ: Mapping[str, str]) -> list[str]:
    """``git ls-files -z`` in ``directory``: the files of ``sdist-generator = "git"``."""
    done = _run.run(
        ["git", "ls-files", "-z"],
        env=environ,
        cwd=directory,
        hint=f'  sdist-generator = "git" needs {directory} to be inside a git work tree',
    )
    return sorted(name for name in done.stdout.split("\0") if name)
