"""ferrule's one cache store: one root, one entry format, a size cap, LRU eviction.

Every cache of ferrule keeps its entries here, one directory per *kind*:
``metadata`` (the metadata hook's answers), ``cargo-metadata``, ``code``
(ferrule's compiled modules), ``develop``/``build``/``sdist`` (replay records),
``install`` (what the last develop installed), ``wheel`` (wheel stamps),
``interpreter`` (target interpreter probes), and ``blobs`` (file copies named
by their SHA-256, such as the sdist a replay puts back).

The root is ``$FERRULE_CACHE_DIR``, else ``$XDG_CACHE_HOME/ferrule``, else
``~/.cache/ferrule``. ``FERRULE_NO_CACHE=1`` turns every cache off.

An entry is one file: a CRC-32 of the payload, then the payload, a
:mod:`marshal`-ed dict (fast to load with no import, unlike JSON), written to a
temporary name and renamed into place. Each entry holds its full key and is
used only when the key matches; a damaged, foreign or unreadable entry is a
miss. File inputs are recorded by :func:`file_state`, which includes the
change time (``st_ctime_ns``): a tool that rewrites a file and puts its size
and mtime back still changes its ctime.

The store is capped (``FERRULE_CACHE_SIZE``, bytes or with a ``K``/``M``/``G``
suffix; default 512M). Reading an entry bumps its mtime; the first write of a
process that finds the store over its cap removes the least recently used
entries until it is under 3/4 of the cap. ``ferrule cache info`` and
``ferrule cache clean`` show and empty it. Deleting the root is always safe.

Standard library only, and cheap to import: the metadata hook's cached path
and the code cache run before anything else of ferrule is imported.
"""

from __future__ import annotations

import marshal
import os
import zlib

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from typing import BinaryIO

__all__ = [
    "DEFAULT_CAP",
    "KINDS",
    "RACY_NS",
    "Store",
    "cache_cap",
    "cache_root",
    "caching_off",
    "ferrule_signature",
    "file_state",
    "open_store",
    "read_entry",
    "settled",
    "states",
    "unchanged",
]

DEFAULT_CAP = 512 << 20
#: A file whose ctime is this close to a computation's start is not trusted: a
#: later change in the same timestamp tick could keep every field of its state.
#: File systems with nanosecond times tick with the kernel's clock (at most 10 ms);
#: a ctime on a whole millisecond suggests a coarse one (1 s, 2 s), given 2 s.
RACY_NS = (20_000_000, 2_000_000_000)
KINDS = (
    "metadata",
    "cargo-metadata",
    "code",
    "develop",
    "build",
    "sdist",
    "install",
    "wheel",
    "interpreter",
    "blobs",
)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_evicted = False  # once per process


def caching_off(environ: Mapping[str, str]) -> bool:
    """``FERRULE_NO_CACHE``: every cache and fast path off.

    >>> caching_off({"FERRULE_NO_CACHE": "1"}), caching_off({"FERRULE_NO_CACHE": "0"}), caching_off({})
    (True, False, False)
    """
    return environ.get("FERRULE_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on")


def cache_root(environ: Mapping[str, str], *, even_off: bool = False) -> str | None:
    """The store's directory; None when caching is off (unless ``even_off``) or there is no home.

    >>> cache_root({"FERRULE_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}), cache_root({"XDG_CACHE_HOME": "/x"})
    ('/c', '/x/ferrule')
    >>> cache_root({"FERRULE_CACHE_DIR": "/c", "FERRULE_NO_CACHE": "1"}) is None
    True
    """
    if caching_off(environ) and not even_off:
        return None
    if environ.get("FERRULE_CACHE_DIR"):
        return environ["FERRULE_CACHE_DIR"]
    if environ.get("XDG_CACHE_HOME"):
        return os.path.join(environ["XDG_CACHE_HOME"], "ferrule")
    home = os.path.expanduser("~")
    return None if home == "~" else os.path.join(home, ".cache", "ferrule")


def cache_cap(environ: Mapping[str, str]) -> int:
    """``FERRULE_CACHE_SIZE`` in bytes (``500M``, ``2G``, ``1048576``); the default when unset or bad.

    >>> cache_cap({"FERRULE_CACHE_SIZE": "2G"}), cache_cap({"FERRULE_CACHE_SIZE": "100k"})
    (2147483648, 102400)
    >>> cache_cap({}) == cache_cap({"FERRULE_CACHE_SIZE": "lots"}) == DEFAULT_CAP
    True
    """
    text = environ.get("FERRULE_CACHE_SIZE", "").strip().upper().removesuffix("B")
    unit = text[-1:] if text[-1:] in _UNITS else ""
    number = text[: len(text) - len(unit)]
    return int(number) * _UNITS[unit] if number.isdigit() else DEFAULT_CAP


def file_state(path: str | os.PathLike[str]) -> tuple[int, int, int, int] | None:
    """``(size, mtime_ns, ctime_ns, inode)`` of ``path``; None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def settled(state: object, started_ns: int) -> bool:
    """Whether ``state`` (a :func:`file_state`) was last changed safely before ``started_ns``.

    A file changed after the computation started, or moments before, may hold
    content the computation did not see under the same state.

    >>> settled((1, 0, 5_000_000_000, 7), 5_100_000_000), settled((1, 0, 5_000_000_001, 7), 5_010_000_000)
    (False, False)
    >>> settled((1, 0, 5_000_000_001, 7), 5_100_000_000), settled(None, 0)
    (True, True)
    """
    if not isinstance(state, tuple):
        return True  # a missing file: its appearance changes the state
    ctime = state[2]
    window = RACY_NS[1] if ctime % 1_000_000 == 0 else RACY_NS[0]
    return bool(ctime <= started_ns - window)


def states(paths: Iterable[str]) -> tuple[tuple[str, object], ...]:
    """``(path, file_state)`` of each path, sorted and without duplicates."""
    return tuple((p, file_state(p)) for p in sorted(set(paths)))


def unchanged(inputs: object) -> bool:
    """Whether every recorded ``(path, state)`` pair still holds."""
    if not isinstance(inputs, (tuple, list)):
        return False
    return all(file_state(path) == recorded for path, recorded in inputs)


def ferrule_signature() -> object:
    """What identifies the running ferrule: its RECORD, or its module files' states."""
    package = os.path.dirname(os.path.abspath(__file__))
    from ferrule._version import __version__

    record = os.path.join(os.path.dirname(package), f"ferrule-{__version__}.dist-info", "RECORD")
    try:
        with open(record, "rb") as f:
            data = f.read()
        if b"ferrule/_store.py," in data:
            return ("record", zlib.crc32(data), len(data))
    except OSError:
        pass
    found = []
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".json")):
                path = os.path.join(dirpath, name)
                found.append((path, file_state(path)))
    return ("tree", tuple(found))


def _name(ident: object) -> str:
    """An entry's file name: 64 bits of checksums of ``repr(ident)`` (the record holds the key).

    >>> _name(("a", 1)), _name(("a", 2)) != _name(("a", 1))
    ('a3a447cb06fd017e', True)
    """
    text = repr(ident).encode("utf-8", "surrogateescape")
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}"


def read_entry(path: str) -> dict[str, object] | None:
    """The entry in file ``path``, whatever its key; None when it is missing or damaged."""
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


_CHUNK = 1 << 16


def _reader(f: BinaryIO) -> Callable[[], bytes]:
    return lambda: f.read(_CHUNK)


class Store:
    """The entries under one root (see the module docstring)."""

    def __init__(self, root: str, cap: int = DEFAULT_CAP) -> None:
        self.root = root
        self.cap = cap

    def path(self, kind: str, ident: object) -> str:
        return os.path.join(self.root, kind, _name(ident))

    def get(
        self, kind: str, ident: object, key: object = None, *, any_key: bool = False
    ) -> dict[str, object] | None:
        """The entry of ``ident`` whose key is ``key`` (default ``ident``; any with
        ``any_key``, for a caller that explains a mismatch); None on any miss."""
        path = self.path(kind, ident)
        entry = read_entry(path)
        if entry is None or not (any_key or entry.get("key") == (ident if key is None else key)):
            return None
        try:  # noqa: SIM105 - contextlib costs an import on the hot path
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return entry

    def put(
        self, kind: str, ident: object, fields: Mapping[str, object], key: object = None
    ) -> None:
        """Store ``fields`` (marshal-able) with ``key`` (default ``ident``); best effort."""
        entry = {**fields, "key": ident if key is None else key}
        payload = marshal.dumps(entry)
        # Two writes, not one joined copy: a replay record of 50,000 files is megabytes.
        self._write(self.path(kind, ident), zlib.crc32(payload).to_bytes(4, "big"), payload)

    def drop(self, kind: str, ident: object) -> None:
        try:  # noqa: SIM105 - contextlib costs an import on the hot path
            os.unlink(self.path(kind, ident))
        except OSError:
            pass

    def put_blob(self, source: str) -> str:
        """Copy file ``source`` into ``blobs/``; its SHA-256, which names the copy."""
        import hashlib

        # Read twice, a chunk at a time: a replay record's file list is megabytes.
        hasher = hashlib.sha256()
        with open(source, "rb") as f:
            while chunk := f.read(_CHUNK):
                hasher.update(chunk)
        digest = hasher.hexdigest()
        with open(source, "rb") as f:
            self._write_chunks(os.path.join(self.root, "blobs", digest), iter(_reader(f), b""))
        return digest

    def blob(self, digest: str) -> bytes | None:
        """The content of blob ``digest``, or None when it is gone or does not hash to its name."""
        import hashlib

        path = os.path.join(self.root, "blobs", digest)
        try:
            with open(path, "rb") as f:
                data = f.read()
            os.utime(path)
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def _write(self, path: str, *parts: bytes) -> None:
        self._write_chunks(path, parts)

    def _write_chunks(self, path: str, parts: Iterable[bytes]) -> None:
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(temporary, "wb") as f:
                for data in parts:
                    f.write(data)
            os.replace(temporary, path)
        except OSError:
            try:  # noqa: SIM105 - contextlib costs an import on the hot path
                os.unlink(temporary)
            except OSError:
                pass
            return  # a cache that cannot be written is no cache; the next run computes again
        global _evicted  # noqa: PLW0603 - one look at the store's size per process is enough
        if not _evicted:
            _evicted = True
            self.evict()

    # --- the store as a whole: its size, eviction, ``ferrule cache`` ---------------------

    def entries(self) -> Iterator[tuple[str, str, int, int]]:
        """``(kind, path, size, mtime_ns)`` of every file of the store's kinds
        (``tools/``, where ferrule installs cbindgen, is no part of it)."""
        for kind in KINDS:
            for dirpath, _dirs, files in os.walk(os.path.join(self.root, kind)):
                for name in files:
                    path = os.path.join(dirpath, name)
                    try:
                        st = os.lstat(path)
                    except OSError:
                        continue
                    yield kind, path, st.st_size, st.st_mtime_ns

    def evict(self) -> int:
        """Remove least recently used entries while over the cap; how many were removed."""
        found = sorted(self.entries(), key=lambda e: e[3])
        total = sum(e[2] for e in found)
        if total <= self.cap:
            return 0
        removed = 0
        for _kind, path, size, _mtime in found:
            if total <= self.cap * 3 // 4:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
        return removed

    def clean(self, kind: str | None = None) -> tuple[int, int]:
        """Remove every entry (of ``kind``): (entries, bytes) removed."""
        import shutil

        count = size = 0
        for entry_kind, _path, entry_size, _ in list(self.entries()):
            if kind is None or entry_kind == kind:
                count, size = count + 1, size + entry_size
        for name in KINDS if kind is None else (kind,):
            shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)
        return count, size


def open_store(environ: Mapping[str, str]) -> Store | None:
    """The store ``environ`` selects, or None when caching is off."""
    root = cache_root(environ)
    return None if root is None else Store(os.path.abspath(root), cache_cap(environ))
