"""Replay: a repeated ``ferrule develop`` or ``ferrule build`` that changes nothing,
without reloading the project.

Most ``develop`` runs in a work session are the same command, in the same
directory and environment, on a project whose configuration did not change;
only the Rust sources did, or nothing did. Loading the settings (TOML, packaging,
metadata) costs several times what cargo's own no-op check does, so a
successful ``develop`` records what its decisions depended on:

- the command line, working directory and environment (all variables but a few
  shell-internal ones, which cannot change a build) as one key;
- the state (size, mtime, ctime, inode) of every file ferrule read while
  deciding, taken by an audit hook as the file is opened (pyproject.toml, Cargo.toml, the workspace
  manifest, readme, licenses, RECORD, ...), of the directories it listed or
  probed (layout detection), of the places where a new ``Cargo.toml``,
  ``pyproject.toml``, ``.venv``, cargo config or toolchain file would change the
  answer, of the interpreter and of site-packages (dependencies);
- cargo's exact command and environment, and its artifact.

A file is recorded with its state when first read (before the read), so one
that changed after it (an edit during the build) makes the next run a full one;
files ferrule itself wrote, and directories, are recorded as they are at the end.

The next run with the same key replays: it checks those states, runs the
recorded cargo command (cargo's fingerprints remain the authority on Rust
changes), and if the artifact is untouched and the import hook's stamp (if any)
is fresh, reports "up to date". ``ferrule build`` records the same way (kind
``build``) when one cargo run made its one wheel; the wheel it wrote is one
more recorded state, and its path is printed again. Any difference, or any doubt, falls back to the
full path, which records again. Records are entries of ferrule's cache store
(:mod:`ferrule._store`, kinds ``develop``, ``build``, ``sdist``; a kept sdist is a
blob); ``FERRULE_NO_CACHE=1`` or ``FERRULE_NO_REPLAY=1`` turn replays off.

This module reads ``os.environ`` directly, unlike the rest of ferrule: the
replay key is the environment as a whole, before any setting is derived from it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import stat
import struct
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ferrule import _atomic, _faults, _store
from ferrule._version import __version__
from ferrule.develop.path_log import PathLog

if TYPE_CHECKING:
    from ferrule.config.model import Settings

__all__ = ["Recorder", "Session", "forget", "replay", "shape_probes"]

_FORMAT = 4
# Set by shells and changed by ``cd`` or nesting; cargo and ferrule never read them.
_VOLATILE = frozenset(("_", "OLDPWD", "PWD", "SHLVL"))
# A record's file states, packed: (size, mtime_ns, ctime_ns, inode) per path, 32 bytes;
# a size of -1 for a missing file.
_STATE = struct.Struct("<qqqQ")
_MISSING = _STATE.pack(-1, 0, 0, 0)
# A directory (or a path listed, not read): recorded as it is at the end.
_LISTED_STATE = _STATE.pack(-2, 0, 0, 0)


def _key(command: Sequence[str], cwd: Path, environ: Mapping[str, str]) -> str:
    # FERRULE_TEST_*: where tests stop a run (ferrule._faults); they change no output.
    env = sorted(
        (k, v)
        for k, v in environ.items()
        if k not in _VOLATILE and not k.startswith("FERRULE_TEST_")
    )
    # ferrule itself: an upgraded or edited ferrule never replays an older one's record.
    ours = repr(_store.ferrule_signature())
    text = json.dumps([_FORMAT, __version__, ours, list(command), str(cwd), env])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _open(environ: Mapping[str, str]) -> _store.Store | None:
    return None if environ.get("FERRULE_NO_REPLAY") else _store.open_store(environ)


def _ident(command: Sequence[str], cwd: Path) -> tuple[str, tuple[str, ...]]:
    return (str(cwd), tuple(command))


# Audit hooks cannot be removed, and each one installed runs on every audited event for
# the rest of the process: one hook, installed with the first recorder, passes events
# to the recorders running now (a test session runs hundreds of builds in one process:
# a hook per recorder made everything after them several times slower).
_recording: tuple[Recorder, ...] = ()
_installed = False


def _dispatch(event: str, args: tuple[Any, ...]) -> None:
    for recorder in _recording:
        recorder._hook(event, args)


class Recorder:
    """Collects the files read (with their state before the read) and directories listed
    while a full run goes on (from :meth:`start` to :meth:`stop`), and the files it writes.
    """

    def __init__(self) -> None:
        # Every path read or listed, with its state when first read (32 bytes packed), or
        # _LISTED_STATE for directories: compact (ferrule.develop.path_log), as a build
        # reads every one of the project's files (issue 22).
        self.paths = PathLog(_STATE.size)
        self.written: set[str] = set()
        self._declared = False  # reads are of files announced with ferrule.input
        skip = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        store = _store.open_store(os.environ)  # the caches' own reads are no inputs
        if store is not None:
            skip.add(store.root)
        self._skip = tuple(p.rstrip(os.sep) + os.sep for p in skip)

    def start(self) -> Recorder:
        global _recording, _installed  # noqa: PLW0603 - the process's one audit hook
        _recording = (*_recording, self)
        if not _installed:
            _installed = True
            sys.addaudithook(_dispatch)
        return self

    def stop(self) -> None:
        global _recording  # noqa: PLW0603 - the process's one audit hook
        _recording = tuple(r for r in _recording if r is not self)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if _faults.sweeping:
            return  # directories listed to remove what killed runs left are no inputs
        writes = False
        given = None  # the file's stat, when the event carries it
        if event == "open":
            path, mode, flags = args[0], args[1], args[2]
            if isinstance(mode, str):
                writes = any(c in mode for c in "wax+")
            elif isinstance(flags, int):
                writes = bool(flags & (os.O_WRONLY | os.O_RDWR))
            if self._declared and not writes:
                return  # a wheel written from the files its stamp announced
        elif event == "ferrule.input":  # a file ferrule decided on by its state, unopened
            path, given = args[0], args[1]
        elif event == "ferrule.declared":  # files read from now on were announced (inputs)
            self._declared = bool(args[0])
            return
        elif event in ("os.rename", "os.remove"):
            path, writes = args[1 if event == "os.rename" else 0], True
        elif event in ("os.listdir", "os.scandir"):
            path = args[0]
        else:
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if type(path) is str and _plain_absolute(path):
            text = path  # as pathlib would spell it: no Path, and the caller's string kept
        elif isinstance(path, (str, os.PathLike)):
            text = str(Path(os.fspath(path)).absolute())
        else:
            return
        if writes:
            self.written.add(text)
        # The interpreter's own modules, and byte-code caches, which Python rewrites at will.
        elif not text.startswith(self._skip) and "__pycache__" not in text:
            if event == "ferrule.input":  # the wheel stamp's files, each once: new
                self.paths.add(text, _first_state(text, given))
            elif event != "open":
                self.paths.add(text, _LISTED_STATE)
            elif text not in self.paths:  # stat only a file not recorded yet
                self.paths.add(text, _first_state(text, None))


def _plain_absolute(path: str) -> bool:
    """Whether ``path`` is absolute and spelled as ``Path(path).absolute()`` would spell it
    (no empty or ``.`` part; pathlib keeps ``..``).

    >>> [_plain_absolute(p) for p in ("/a/.b/c.py", "/a/../b", "a/b", "/a//b", "/a/./b", "/a/.")]
    [True, True, False, False, False, False]
    >>> _plain_absolute("/a/")
    False
    """
    return (
        os.sep == "/"
        and path[:1] == "/"
        and "//" not in path
        and "/./" not in path
        and not path.endswith(("/", "/."))
    )


def _first_state(path: str, given: os.stat_result | None) -> bytes:
    """The state to record for a file being read (``given``: its stat, when known)."""
    try:
        st = given or os.stat(path)  # noqa: PTH116 - no Path per file read
    except OSError:
        return _MISSING
    # A directory is recorded as it is at the end (ferrule writes into some).
    return _LISTED_STATE if stat.S_ISDIR(st.st_mode) else _packed_state(st)


def _packed_state(st: os.stat_result) -> bytes:
    """:func:`ferrule._store.file_state` from a stat already made, packed."""
    return _STATE.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _final_state(path: str, first: bytes | None = None, written: Iterable[str] = ()) -> bytes:
    """The state to record for ``path`` (packed): ``first``, as it was when ferrule first
    read it (no second ``stat``; a file edited since will look changed to the next run),
    or as it is now for directories, files ferrule wrote and the paths given to record."""
    if first is not None and first != _LISTED_STATE and path not in written:
        return first
    now = _store.file_state(path)
    return _MISSING if now is None else _STATE.pack(*now)


def _write_files(
    out: BinaryIO, paths: Iterable[Path | str], recorder: Recorder | None = None
) -> None:
    """Write the record's files to ``out``, each as its path (a path in the directory of
    the one before it as its name alone; a relative one marked), a NUL and its state
    packed (32 bytes): streamed, as 50,000 files make megabytes (issue 22). The
    recorder's paths come in the order read (the project's, by directory); the few
    others given, sorted, after them.

    >>> import io
    >>> out = io.BytesIO()
    >>> _write_files(out, ["/p/b.py", "/p/a/x.py", "/p/a.py", "/q/c", "r/s"])
    >>> [path for path, _ in _read_files(out.getvalue())]
    ['/p/a.py', '/p/a/x.py', '/p/b.py', '/q/c', 'r/s']
    >>> out = io.BytesIO()
    >>> _write_files(out, ["/p/b.py", "/p/a.py"])
    >>> len(out.getvalue()) == len(b"/p/a.py\\0b.py\\0") + 2 * _STATE.size
    True
    """
    log = recorder.paths if recorder is not None else None
    written = recorder.written if recorder is not None else set()
    given = sorted({str(p) for p in paths if log is None or str(p) not in log})
    directory = None
    recorded = log.items() if log is not None else iter(())
    pending: list[bytes] = []
    for name, first in itertools.chain(recorded, ((name, None) for name in given)):
        state = _final_state(name, first, written)
        if not os.path.isabs(name):  # noqa: PTH117 - text, no Path per file
            part = _RELATIVE + name
        else:
            head, _, tail = name.rpartition(os.sep)
            # A name that starts as the relative marker does is written whole.
            part = tail if head == directory and not tail.startswith(_RELATIVE) else name
            directory = head
        pending += (part.encode("utf-8", "surrogatepass"), b"\0", state)
        if len(pending) >= 768:  # written 256 files at a time
            out.write(b"".join(pending))
            pending.clear()
    out.write(b"".join(pending))


_RELATIVE = "\x01"


def _read_files(blob: bytes) -> Iterator[tuple[str, bytes]]:
    """:func:`_write_files` undone: each path with its packed state."""
    directory = ""
    at = 0
    while at < len(blob):
        end = blob.index(b"\0", at)
        part = blob[at:end].decode("utf-8", "surrogatepass")
        at = end + 1 + _STATE.size
        if part.startswith(_RELATIVE):
            path = part[1:]
        elif os.path.isabs(part):  # noqa: PTH117 - text, no Path per file
            path = part
            directory = part.rpartition(os.sep)[0]
        else:
            path = directory + os.sep + part
        yield path, blob[end + 1 : at]


def _restore(store: _store.Store, data: dict[str, Any]) -> str | None:
    """Put back kept outputs that were removed or changed; why not, if one cannot be."""
    for path, state in data.get("outputs", {}).items():
        if _store.file_state(path) == state:
            continue
        digest = data.get("kept", {}).get(path)
        content = None if digest is None else store.blob(digest)
        if content is None:
            return f"{path} changed"
        output = Path(path)
        try:
            _atomic.write_bytes(output, content)
        except OSError as exc:
            return f"cannot restore {path}: {exc}"
        data["outputs"][path] = _store.file_state(path)
        data["restored"] = True
    return None


def forget(
    command: Sequence[str], cwd: Path, environ: Mapping[str, str], kind: str = "develop"
) -> None:
    store = _open(environ)
    if store is not None:
        store.drop(kind, _ident(command, cwd))


def replay(
    command: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str],
    kind: str = "develop",
    outputs: list[str] | None = None,
) -> bool:
    """Finish this ``develop`` (``build``) from the record if nothing it depended on changed.

    The recorded outputs of a replayed run are added to ``outputs``.
    """
    from ferrule import _log, _run
    from ferrule.errors import CargoError

    store = _open(environ)
    data: Any = None if store is None else store.get(kind, _ident(command, cwd), any_key=True)
    reason = _check(data, command, cwd, environ)
    if reason is not None:
        _log.debug(f"full {kind}: {reason}")
        return False
    assert store is not None and data is not None
    cargo: Any = data["cargo"]
    if cargo is None:
        reason = _restore(store, data)
        if reason is not None:
            _log.debug(f"full {kind}: {reason}")
            return False
        if data.pop("restored", False):
            store.put(kind, _ident(command, cwd), data, data["key"])
        _log.info(str(data["message"]))
        for output in data["outputs"]:
            print(output)
        if outputs is not None:
            outputs += data["outputs"]
        return True
    env = {k: v for k, v in environ.items() if k not in cargo["unset"]}
    env.update(cargo["env"])
    argv = cargo["argv"]
    manifest = argv[argv.index("--manifest-path") + 1] if "--manifest-path" in argv else ""
    _log.info(f"running {' '.join(argv[:2])} for {manifest}")
    sys.stderr.flush()
    done = _run.run(argv, env=env, capture_stdout=True, capture_stderr=False, check=False)
    if done.returncode != 0:
        raise CargoError(argv, done.returncode, hint="  the compiler's messages are above")
    artifact, state = data["artifact"]
    if _store.file_state(artifact) != state:
        _log.debug(f"full {kind}: cargo rebuilt the extension")
        return False
    _log.info(str(data["message"]))
    for output in data["outputs"]:
        print(output)
    if outputs is not None:
        outputs += data["outputs"]
    return True


def _check(
    data: dict[str, Any] | None, command: Sequence[str], cwd: Path, environ: Mapping[str, str]
) -> str | None:
    """Why the record ``data`` cannot be replayed (None: it can)."""
    if _open(environ) is None:
        return "no cache directory"
    if data is None:
        return "no record of an earlier run"
    if data.get("key") != _key(command, cwd, environ):
        return "the command line, directory or environment differs"
    # The outputs first: a removed wheel is found without a stat of every input.
    for path, state in data.get("outputs", {}).items():
        if _store.file_state(path) != state and path not in data.get("kept", {}):
            return f"{path} changed"
    store = _open(environ)
    files = data.get("files")
    blob = store.blob(files) if store is not None and isinstance(files, str) else None
    if blob is None:
        return "the record's list of files is gone"
    for path, state in _read_files(blob):
        now = _store.file_state(path)
        if (_MISSING if now is None else _STATE.pack(*now)) != state:
            return f"{path} changed"
    if data["stamp"]:
        from ferrule._import_hook import parse_stamp, stale_reason

        stamp_path, base = data["stamp"]
        try:
            stamp = parse_stamp(Path(stamp_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "no rebuild stamp"
        return stale_reason(stamp, base, environ)
    return None


class Session:
    """One command's replay protocol: replay it, else record (or forget) its full run.

    >>> session = Session("build", ["build"], {}, enabled=False)
    >>> session.replayed(), session.paths
    (False, [])
    """

    def __init__(
        self, kind: str, command: Sequence[str], environ: Mapping[str, str], enabled: bool = True
    ) -> None:
        self.kind, self.command, self.cwd, self.environ = kind, list(command), Path.cwd(), environ
        self.enabled = enabled
        self._recorder: Recorder | None = None
        self.outputs: list[str] = []  # a replayed run's outputs

    def replayed(self) -> bool:
        """Whether the recorded run was replayed (then the command is done)."""
        return self.enabled and replay(
            self.command, self.cwd, self.environ, self.kind, self.outputs
        )

    def __enter__(self) -> Session:
        """The full run: what it reads is recorded; a failure forgets the last record."""
        # Nowhere to keep a record (FERRULE_NO_CACHE, FERRULE_NO_REPLAY): nothing to collect.
        recording = self.enabled and _open(self.environ) is not None
        self._recorder = Recorder().start() if recording else None
        return self

    def __exit__(self, failed: object, *_: object) -> None:
        if self._recorder is not None:
            self._recorder.stop()
        if failed is not None:
            self.forget()

    @property
    def paths(self) -> list[str]:
        return list(self._recorder.paths.paths()) if self._recorder is not None else []

    def record(
        self,
        paths: Iterable[Path | str],
        cargo_argv: Sequence[str] | None,
        cargo_env: Mapping[str, str],
        artifact: Path | None,
        stamp: tuple[str, str] | None,
        message: str,
        outputs: Sequence[Path] = (),
        keep: bool = False,
    ) -> None:
        """Store what the full run depended on (best effort: a cache): ``paths`` and what
        the run read.

        ``outputs`` (the wheel of a build, the sdist) must still be there, unchanged,
        for a replay; their paths are printed again on stdout. With ``keep``, a copy
        of each is kept in the store (a blob), and a replay puts back an output that
        was removed or changed.
        """
        if not self.enabled:
            return
        command, cwd, environ, kind = self.command, self.cwd, self.environ, self.kind
        store = _open(environ)
        if store is None:
            return
        kept: dict[str, str] = {}
        if keep:
            try:
                kept = {str(p): store.put_blob(str(p)) for p in outputs}
            except OSError:
                kept = {}
        # The files (tens of thousands for a large project) go in a blob, written and
        # stored a chunk at a time; the record names it.
        listing = None
        try:
            fd, listing = tempfile.mkstemp(prefix="ferrule-record-")
            with os.fdopen(fd, "wb") as out:
                _write_files(out, paths, self._recorder)
            files = store.put_blob(listing)
        except (OSError, ValueError):  # no record: the next run is a full one
            return
        finally:
            if listing is not None:
                Path(listing).unlink(missing_ok=True)
        if self._recorder is not None:
            self._recorder.paths.close()
        data = {
            "files": files,
            # None: nothing to ask cargo (an sdist: its file list is in "files").
            "cargo": None
            if cargo_argv is None
            else {
                "argv": list(cargo_argv),
                "env": {k: v for k, v in cargo_env.items() if environ.get(k) != v},
                "unset": sorted(k for k in environ if k not in cargo_env),
            },
            "artifact": None
            if artifact is None
            else (str(artifact), _store.file_state(str(artifact))),
            "stamp": tuple(stamp) if stamp else None,
            "message": message,
            "outputs": {str(p): _store.file_state(str(p)) for p in outputs},
            "kept": kept,
        }
        store.put(kind, _ident(command, cwd), data, _key(command, cwd, environ))

    def forget(self) -> None:
        forget(self.command, self.cwd, self.environ, self.kind)


def shape_probes(settings: Settings) -> list[Path]:
    """For ``build`` and ``sdist`` records: files whose appearance would change what the
    full command decides (absent ones included)."""
    from ferrule.develop.fresh import config_candidates

    cwd, manifest = Path.cwd(), settings.cargo.manifest_path
    out = [settings.project_dir / "rust" / "Cargo.toml"]
    for directory in (cwd, *cwd.parents):
        out += [directory / "pyproject.toml", directory / "Cargo.toml"]
    out += [directory / "Cargo.toml" for directory in manifest.parent.parents]
    return out + list(config_candidates(manifest.parent, settings.environ))
