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
* the files metadata can come from, by ``stat`` (size, mtime, ctime, inode):
  pyproject.toml, Cargo.toml and its workspace manifest, the readme and
  license files named by either, and every file directly in those files'
  directories (which covers names found by guessing: ``README.md``,
  ``LICENSE*``); and those directories themselves (an added or removed file
  changes their mtime). ``license-files`` globs that reach below one
  directory level (``**``) turn the cache off for the project.

The configuration warnings the computation printed are kept with the entry and
printed again when it is used, so every call shows them once.

An entry is used only when all of it matches; anything else (a missing,
unreadable or corrupt entry, a file newer than the computation started) means
recomputing. Entries live in ``$FERRULE_CACHE_DIR``, else
``$XDG_CACHE_HOME/ferrule``, else ``~/.cache/ferrule`` (``metadata/``);
``FERRULE_NO_CACHE=1`` turns the cache off. Like ``_import_hook``, this module
reads the environment itself: it must run before, and instead of, loading the
settings.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
import zlib

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from ferrule.config.model import Settings

__all__ = [
    "RACY_NS",
    "Fingerprint",
    "begin",
    "cache_root",
    "caching_off",
    "ferrule_signature",
    "file_stat",
    "read_entry",
    "restore",
    "restore_value",
    "save",
    "save_value",
    "unchanged",
    "write_entry",
]

_FORMAT = 2
RACY_NS = 2_000_000_000  # files changed this close to the computation are not trusted


def caching_off(environ: Mapping[str, str]) -> bool:
    """``FERRULE_NO_CACHE``: every fast path off (caches, replays, wheel stamp, no-op develop).

    >>> caching_off({"FERRULE_NO_CACHE": "1"}), caching_off({"FERRULE_NO_CACHE": "0"}), caching_off({})
    (True, False, False)
    """
    return environ.get("FERRULE_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on")


def cache_root(environ: Mapping[str, str]) -> str | None:
    """ferrule's cache directory (also used by develop and build replays); None: caching is off."""
    if caching_off(environ):
        return None
    if environ.get("FERRULE_CACHE_DIR"):
        return environ["FERRULE_CACHE_DIR"]
    if environ.get("XDG_CACHE_HOME"):
        return os.path.join(environ["XDG_CACHE_HOME"], "ferrule")
    home = os.path.expanduser("~")
    return None if home == "~" else os.path.join(home, ".cache", "ferrule")


def file_stat(path: str) -> tuple[int, int, int, int] | None:
    """(size, mtime, ctime, inode) of ``path``, None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def ferrule_signature() -> object:
    """What identifies the running ferrule: its RECORD, or its module files' stats."""
    package = os.path.dirname(os.path.abspath(__file__))
    from ferrule._version import __version__

    record = os.path.join(os.path.dirname(package), f"ferrule-{__version__}.dist-info", "RECORD")
    try:
        with open(record, "rb") as f:
            data = f.read()
        if b"ferrule/_metadata_cache.py," in data:
            return ("record", zlib.crc32(data), len(data))
    except OSError:
        pass
    stats = []
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".json")):
                path = os.path.join(dirpath, name)
                stats.append((path, file_stat(path)))
    return ("tree", tuple(stats))


class Fingerprint:
    """The hook call's key, and where its entry lives."""

    def __init__(self, key: tuple[object, ...], path: str, started_ns: int) -> None:
        self.key = key
        self.path = path
        self.started_ns = started_ns


def begin(
    build_args: Sequence[str], config_settings: object, environ: Mapping[str, str]
) -> Fingerprint | None:
    """The fingerprint of this call's arguments and ferrule, or None when caching is off."""
    root = cache_root(environ)
    if root is None:
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
        ferrule_signature(),
    )
    name = f"{zlib.crc32(repr(key[:7]).encode()):08x}.bin"
    return Fingerprint(key, os.path.join(root, "metadata", name), started)


def read_entry(path: str) -> dict[str, object] | None:
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    if len(blob) < 4 or int.from_bytes(blob[:4], "big") != zlib.crc32(blob[4:]):
        return None
    try:
        entry = marshal.loads(blob[4:])
    except (ValueError, EOFError, TypeError):
        return None
    return entry if isinstance(entry, dict) else None


def unchanged(inputs: object) -> bool:
    """Whether every recorded ``(path, stat)`` pair still holds."""
    if not isinstance(inputs, tuple):
        return False
    return all(file_stat(path) == recorded for path, recorded in inputs)


def restore(fingerprint: Fingerprint, metadata_directory: str) -> str | None:
    """Write the cached ``.dist-info`` into ``metadata_directory``; its name, or None on a miss."""
    entry = read_entry(fingerprint.path)
    if entry is None or entry.get("key") != fingerprint.key:
        return None
    if not unchanged(entry.get("inputs")):
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
    entry = read_entry(fingerprint.path)
    if entry is None or entry.get("key") != fingerprint.key:
        return None
    if not unchanged(entry.get("inputs")) or "value" not in entry:
        return None
    return entry["value"]


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
    files, dirs = paths
    return tuple((p, file_stat(p)) for p in sorted(set(files) | set(dirs)))


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
    _store(fingerprint, before, fields)


def save_value(
    fingerprint: Fingerprint, before: tuple[tuple[str, object], ...], value: object
) -> None:
    """Keep a hook result made of lists, strings and numbers (marshal-able)."""
    _store(fingerprint, before, {"value": value})


def _store(
    fingerprint: Fingerprint, before: tuple[tuple[str, object], ...], fields: dict[str, object]
) -> None:
    if before != snapshot(([p for p, _ in before], [])):
        return
    for _path, st in before:
        if isinstance(st, tuple) and st[1] > fingerprint.started_ns - RACY_NS:
            return  # changed moments ago: a later change could keep the same stat
    write_entry(fingerprint.path, {"key": fingerprint.key, "inputs": before, **fields})


def write_entry(path: str, entry: dict[str, object]) -> None:
    """Store a marshal-able ``entry`` under ``path`` (checksummed; temp file, then rename).

    A cache that cannot be written is not an error: the next run recomputes.
    """
    payload = marshal.dumps(entry)
    blob = zlib.crc32(payload).to_bytes(4, "big") + payload
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as f:
            f.write(blob)
        os.replace(temporary, path)
    except OSError as exc:
        from ferrule import _log

        _log.debug(f"cache entry not written: {exc}")
