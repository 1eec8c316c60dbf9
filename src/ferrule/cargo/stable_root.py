"""Build through a path that does not depend on where the project is checked out.

cargo identifies a path crate by its location. For workspace members it
hashes the path relative to the workspace root, but a path dependency outside
the workspace (``core = { path = "../core" }`` from a crate that is its own
workspace) is hashed by its absolute path. That hash becomes the crate's
``-C metadata``, so its symbol names, and so the extension's bytes, change with
the checkout directory. ``--remap-path-prefix`` cannot help: it rewrites the
paths rustc embeds, not the hash cargo computes.

So a release build of such a project runs cargo on the same tree seen through
a symbolic link whose path is always the same:
``<tmp>/ferrule-<uid>/roots/<package>`` pointing at the nearest directory that
holds the workspace and every path dependency. cargo keeps the link's path (it
does not resolve symbolic links in manifest paths), so every checkout of the
project, and every unpacked sdist of it, is hashed alike. A lock file beside
the link keeps two builds of the same package (from two checkouts, say) from
repointing it under each other; the second waits.

Projects whose path dependencies all live inside their workspace never use it.
When the link cannot be made (no symbolic links, an unwritable temporary
directory) the build goes ahead from the real path, with a warning that its
compiled code will depend on the checkout location.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from ferrule import _log
from ferrule._record import record

__all__ = ["StableRoot", "activate", "default_base", "plan_stable_root"]


@record
class StableRoot:
    """``link`` will stand for ``real`` while a build runs."""

    real: Path
    link: Path

    def translate(self, path: Path) -> Path:
        """``path`` as cargo should see it: under ``link`` when it is under ``real``.

        >>> r = StableRoot(Path("/home/u/proj"), Path("/tmp/ferrule-0/roots/pkg"))
        >>> r.translate(Path("/home/u/proj/py/Cargo.toml")).as_posix()
        '/tmp/ferrule-0/roots/pkg/py/Cargo.toml'
        >>> r.translate(Path("/elsewhere/x")).as_posix()
        '/elsewhere/x'
        """
        try:
            relative = path.relative_to(self.real)
        except ValueError:
            return path
        return self.link / relative


def _common_ancestor(paths: Sequence[Path]) -> Path:
    """
    >>> _common_ancestor([Path("/a/b/py"), Path("/a/b/core"), Path("/a/b/libs/x")]).as_posix()
    '/a/b'
    """
    return Path(os.path.commonpath([str(p) for p in paths]))


def plan_stable_root(
    workspace_root: Path, outside: Sequence[Path], package: str, base: Path
) -> StableRoot | None:
    """The link for a build of the workspace at ``workspace_root`` whose path
    dependencies ``outside`` lie outside it; None when there are none.

    >>> plan_stable_root(Path("/w/py"), [], "pkg", Path("/t")) is None
    True
    >>> r = plan_stable_root(Path("/w/py"), [Path("/w/core")], "my-pkg", Path("/t"))
    >>> r.real.as_posix(), r.link.as_posix()
    ('/w', '/t/my-pkg')
    """
    if not outside:
        return None
    real = _common_ancestor([workspace_root, *outside])
    return StableRoot(real, base / package)


def default_base() -> Path:
    """Where the links live: private to the user, the same path for every build."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"ferrule-{uid}" / "roots"


def _point(link: Path, real: Path) -> None:
    """Make ``link`` a symbolic link to ``real``, replacing whatever link was there."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    with suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(real, target_is_directory=True)
    temporary.replace(link)


def _private_dir(base: Path) -> bool:
    """Create ``base`` (mode 0700); False when it is not ours alone to use."""
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not hasattr(os, "getuid"):
        return True
    for directory in (base, base.parent):
        info = directory.lstat()
        if info.st_uid != os.getuid() or info.st_mode & 0o022:
            return False
    return True


@contextmanager
def activate(root: StableRoot | None) -> Iterator[StableRoot | None]:
    """Hold ``root``'s link (pointing at its real directory) for the ``with`` block.

    Yields the root in use, or None when the build must use real paths.
    """
    if root is None:
        yield None
        return
    from ferrule._import_hook import file_lock

    try:
        if not _private_dir(root.link.parent):
            raise OSError(f"{root.link.parent} is not private to this user")
        lock = file_lock(str(root.link.with_name(root.link.name + ".lock")))
    except OSError as exc:
        _log.warn(
            f"cannot build through a stable path ({exc}); the compiled code of "
            f"path dependencies outside the workspace will depend on {root.real}"
        )
        yield None
        return
    with lock:
        try:
            _point(root.link, root.real)
        except OSError as exc:
            _log.warn(
                f"cannot link {root.link} to {root.real} ({exc}); the compiled code of "
                f"path dependencies outside the workspace will depend on {root.real}"
            )
            yield None
            return
        _log.debug(f"building {root.real} as {root.link}")
        try:
            yield root
        finally:
            with suppress(FileNotFoundError):
                root.link.unlink()
