"""A cache for ``prepare_metadata_for_build_*``: the answer, without the imports.

Frontends call the metadata hook in a fresh process, often again and again for
an unchanged project (resolvers, ``pip wheel``, lock tools). Computing the
metadata takes a few milliseconds; importing what computes it (``packaging``,
``pyproject-metadata`` and their regular expressions) takes most of the time.
So the finished ``.dist-info`` is kept, with a fingerprint of everything it
was made from, and a later call that finds the fingerprint unchanged writes it
back using the standard library only.

The fingerprint:

* the hook's arguments (``config_settings`` build arguments or
  ``FERRULE_PEP517_ARGS`` / ``MATURIN_PEP517_ARGS``), ``FERRULE_STRICT``, the
  working directory and the Python version;
* ferrule itself: the hash of its installed ``RECORD``, or for a source
  checkout (editable install) the stat of every module file;
* the files metadata can come from, by state (size, mtime, ctime, inode),
  taken before the computation reads them and checked again after it:
  pyproject.toml, Cargo.toml and its workspace manifest, the readme and
  license files named by either, and every file directly in those files'
  directories (which covers names found by guessing: ``README.md``,
  ``LICENSE*``); and those directories themselves (an added or removed file
  changes their mtime). ``license-files`` globs that reach below one
  directory level (``**``) turn the cache off for the project.

The configuration warnings the computation printed are kept with the entry and
printed again when it is used, so every call shows them once.

An entry is used only when all of it matches; anything else (a missing,
unreadable or corrupt entry, a file changed while or just before the computation
ran) means recomputing. Entries are kind ``metadata`` of ferrule's cache store
(:mod:`ferrule._store`); ``FERRULE_NO_CACHE=1`` turns it off. Like ``_import_hook``, this module
reads the environment itself: it must run before, and instead of, loading the
settings.
"""

from __future__ import annotations

import os
import sys
import time

from ferrule import _store

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from ferrule.config.model import Settings

__all__ = [
    "Fingerprint",
    "begin",
    "input_paths",
    "restore",
    "restore_value",
    "save",
    "save_value",
    "snapshot",
]

_FORMAT = 3
_KIND = "metadata"


class Fingerprint:
    """The hook call's key, and the store its entry lives in."""

    def __init__(self, store: _store.Store, key: tuple[object, ...], started_ns: int) -> None:
        self.store = store
        self.key = key
        self.ident = key[:7]  # all but ferrule's signature: a new ferrule replaces the entry
        self.started_ns = started_ns


def begin(
    build_args: Sequence[str], config_settings: object, environ: Mapping[str, str]
) -> Fingerprint | None:
    """The fingerprint of this call's arguments and ferrule, or None when caching is off."""
    store = _store.open_store(environ)
    if store is None:
        return None
    started = time.time_ns()
    key = (
        _FORMAT,
        sys.implementation.name,
        sys.version_info[:2],
        os.getcwd(),
        tuple(build_args),
        repr(sorted(config_settings.items())) if isinstance(config_settings, dict) else "",
        environ.get("FERRULE_STRICT", ""),
        _store.ferrule_signature(),
    )
    return Fingerprint(store, key, started)


def _entry(fingerprint: Fingerprint) -> dict[str, object] | None:
    entry = fingerprint.store.get(_KIND, fingerprint.ident, fingerprint.key)
    return entry if entry is not None and _store.unchanged(entry.get("inputs")) else None


def restore(fingerprint: Fingerprint, metadata_directory: str) -> str | None:
    """Write the cached ``.dist-info`` into ``metadata_directory``; its name, or None on a miss."""
    entry = _entry(fingerprint)
    if entry is None:
        return None
    dist_info, files = entry.get("dist_info"), entry.get("files")
    warnings = entry.get("warnings", ())
    if not isinstance(dist_info, str) or not isinstance(files, tuple):
        return None
    _write_tree(metadata_directory, dist_info, files)
    if isinstance(warnings, tuple) and warnings:
        from ferrule import _log

        for warning in warnings:
            _log.warn(str(warning))
    return dist_info


def restore_value(fingerprint: Fingerprint) -> object | None:
    """A cached hook result that is not a directory (``get_requires_for_build_*``)."""
    entry = _entry(fingerprint)
    return None if entry is None else entry.get("value")


def _write_tree(directory: str, dist_info: str, files: Iterable[tuple[str, bytes]]) -> None:
    """Assemble ``dist_info`` next to its final place, then move it there in one step."""
    os.makedirs(directory, exist_ok=True)
    staging = os.path.join(directory, f".ferrule-{os.getpid()}-{dist_info}")
    final = os.path.join(directory, dist_info)
    try:
        for rel, data in files:
            target = os.path.join(staging, *rel.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        if os.path.lexists(final):
            import shutil

            shutil.rmtree(final)
        os.replace(staging, final)
    finally:
        if os.path.lexists(staging):
            import shutil

            shutil.rmtree(staging, ignore_errors=True)


# --- the slow path: what a computation read, and saving its result ------------------------


def _text_paths(value: object, key: str) -> list[str]:
    """``readme = "x"`` / ``readme = {file = "x"}`` / ``license = {file = "x"}``."""
    if isinstance(value, str) and key == "readme":
        return [value]
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        return [value["file"]]
    return []


def input_paths(settings: Settings) -> tuple[list[str], list[str]] | None:
    """(files, directories) whose stats decide whether an entry still holds; None: do not cache."""
    files: list[str] = []
    dirs: list[str] = [os.getcwd()]
    cargo = settings.cargo
    manifests = [str(cargo.manifest_path)]
    if cargo.workspace_root is not None:
        manifests.append(str(cargo.workspace_root))
    if settings.pyproject_path is not None:
        manifests.append(str(settings.pyproject_path))
    for manifest in manifests:
        files.append(manifest)
        dirs.append(os.path.dirname(os.path.abspath(manifest)))
    named: list[str] = []
    manifest_dir = os.path.dirname(os.path.abspath(cargo.manifest_path))
    for rel in (cargo.readme, cargo.license_file):
        if isinstance(rel, str):
            named.append(os.path.join(manifest_dir, rel))
    project = settings.project_table
    if project is not None and settings.pyproject_path is not None:
        root = os.path.dirname(os.path.abspath(settings.pyproject_path))
        for key in ("readme", "license"):
            named += [os.path.join(root, p) for p in _text_paths(project.get(key), key)]
        patterns = project.get("license-files")
        if isinstance(patterns, list):
            for pattern in patterns:
                if not isinstance(pattern, str) or "**" in pattern:
                    return None
                head = os.path.dirname(pattern)
                if any(c in head for c in "*?["):
                    return None
                dirs.append(os.path.join(root, head))
    for path in named:
        files.append(path)
        dirs.append(os.path.dirname(os.path.normpath(path)))
    dirs = sorted({os.path.normpath(d) for d in dirs})
    for directory in dirs:
        try:
            with os.scandir(directory) as it:
                files += [e.path for e in it if e.is_file()]
        except OSError:
            pass
    return sorted({os.path.normpath(f) for f in files}), dirs


def snapshot(paths: tuple[list[str], list[str]]) -> tuple[tuple[str, object], ...]:
    """The inputs' states, taken before the computation reads them."""
    files, dirs = paths
    return _store.states([*files, *dirs])


def save(
    fingerprint: Fingerprint,
    before: tuple[tuple[str, object], ...],
    metadata_directory: str,
    dist_info: str,
    warnings: Sequence[str] = (),
) -> None:
    """Keep the ``.dist-info`` just written (and the warnings printed while making it),
    if nothing it came from moved meanwhile."""
    files: list[tuple[str, bytes]] = []
    top = os.path.join(metadata_directory, dist_info)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, top).replace(os.sep, "/")
            with open(path, "rb") as f:
                files.append((rel, f.read()))
    fields: dict[str, object] = {
        "dist_info": dist_info,
        "files": tuple(files),
        "warnings": tuple(warnings),
    }
    _keep(fingerprint, before, fields)


def save_value(
    fingerprint: Fingerprint, before: tuple[tuple[str, object], ...], value: object
) -> None:
    """Keep a hook result made of lists, strings and numbers (marshal-able)."""
    _keep(fingerprint, before, {"value": value})


def _keep(
    fingerprint: Fingerprint, before: tuple[tuple[str, object], ...], fields: dict[str, object]
) -> None:
    if not _store.unchanged(before):
        return  # an input changed while the answer was computed
    if not all(_store.settled(st, fingerprint.started_ns) for _path, st in before):
        return
    fingerprint.store.put(_KIND, fingerprint.ident, {"inputs": before, **fields}, fingerprint.key)
