"""Replay: a repeated ``ferrule develop`` or ``ferrule build`` that changes nothing,
without reloading the project.

Most ``develop`` runs in a work session are the same command, in the same
directory and environment, on a project whose configuration did not change;
only the Rust sources did, or nothing did. Loading the settings (TOML, packaging,
metadata) costs several times what cargo's own no-op check does, so a
successful ``develop`` records what its decisions depended on:

- the command line, working directory and environment (all variables but a few
  shell-internal ones, which cannot change a build) as one key;
- the state (size, mtime, inode) of every file ferrule read while deciding,
  seen through an audit hook (pyproject.toml, Cargo.toml, the workspace
  manifest, readme, licenses, RECORD, ...), of the directories it listed or
  probed (layout detection), of the places where a new ``Cargo.toml``,
  ``pyproject.toml``, ``.venv``, cargo config or toolchain file would change the
  answer, of the interpreter and of site-packages (dependencies);
- cargo's exact command and environment, and its artifact.

The next run with the same key replays: it checks those states, runs the
recorded cargo command (cargo's fingerprints remain the authority on Rust
changes), and if the artifact is untouched and the import hook's stamp (if any)
is fresh, reports "up to date". ``ferrule build`` records the same way (kind
``build``) when one cargo run made its one wheel; the wheel it wrote is one
more recorded state, and its path is printed again. Any difference, or any doubt, falls back to the
full path, which records again. The record lives in ferrule's cache directory
(``$FERRULE_CACHE_DIR``, ``$XDG_CACHE_HOME/ferrule`` or ``~/.cache/ferrule``;
``FERRULE_NO_CACHE=1`` or ``FERRULE_NO_REPLAY=1`` turn replays off); deleting it
is always safe.

This module reads ``os.environ`` directly, unlike the rest of ferrule: the
replay key is the environment as a whole, before any setting is derived from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule import _faults
from ferrule._version import __version__

if TYPE_CHECKING:
    from ferrule.config.model import Settings

__all__ = ["Recorder", "record", "replay", "shape_probes"]

_FORMAT = 1
# Set by shells and changed by ``cd`` or nesting; cargo and ferrule never read them.
_VOLATILE = frozenset(("_", "OLDPWD", "PWD", "SHLVL"))


def _state(path: str) -> list[int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _key(command: Sequence[str], cwd: Path, environ: Mapping[str, str]) -> str:
    from ferrule._metadata_cache import ferrule_signature

    env = sorted((k, v) for k, v in environ.items() if k not in _VOLATILE)
    # ferrule itself: an upgraded or edited ferrule never replays an older one's record.
    ours = repr(ferrule_signature())
    text = json.dumps([_FORMAT, __version__, ours, list(command), str(cwd), env])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _cache_file(
    command: Sequence[str], cwd: Path, environ: Mapping[str, str], kind: str = "develop"
) -> Path | None:
    from ferrule._metadata_cache import cache_root

    if environ.get("FERRULE_NO_REPLAY"):
        return None
    root = cache_root(environ)
    if root is None or not Path(root).is_absolute():
        return None
    name = hashlib.sha256(json.dumps([str(cwd), list(command)]).encode()).hexdigest()[:32]
    return Path(root) / kind / f"{name}.json"


class Recorder:
    """Collects the files read and directories listed while a full ``develop`` runs.

    Audit hooks cannot be removed; this one does nothing once :meth:`stop` is called.
    """

    def __init__(self) -> None:
        self.paths: set[str] = set()
        self._active = False
        skip = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        self._skip = tuple(p.rstrip(os.sep) + os.sep for p in skip)

    def start(self) -> Recorder:
        self._active = True
        sys.addaudithook(self._hook)
        return self

    def stop(self) -> None:
        self._active = False

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._active or _faults.sweeping:
            return  # directories listed to remove what killed runs left are no inputs
        if event == "open":
            path, mode, flags = args[0], args[1], args[2]
            if isinstance(mode, str):
                if any(c in mode for c in "wax+"):
                    return
            elif isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
                return
        elif event not in ("os.listdir", "os.scandir"):
            return
        else:
            path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, (str, os.PathLike)):
            text = str(Path(os.fspath(path)).absolute())
            # The interpreter's own modules, and byte-code caches, which Python rewrites at will.
            if not text.startswith(self._skip) and "__pycache__" not in text:
                self.paths.add(text)


def record(
    command: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str],
    paths: Iterable[Path | str],
    cargo_argv: Sequence[str] | None,
    cargo_env: Mapping[str, str],
    artifact: Path | None,
    stamp: tuple[str, str] | None,
    message: str,
    kind: str = "develop",
    outputs: Sequence[Path] = (),
    keep: bool = False,
) -> None:
    """Store what a full ``develop`` (or ``build``, ``sdist``) depended on (best effort: a cache).

    ``outputs`` (the wheel of a build, the sdist) must still be there, unchanged,
    for a replay; their paths are printed again on stdout. With ``keep``, a copy
    of each is kept beside the record (with its hash), and a replay puts back an
    output that was removed or changed.
    """
    target = _cache_file(command, cwd, environ, kind)
    if target is None:
        return
    kept: dict[str, list[str]] = {}
    if keep:
        try:
            kept = {str(p): _keep(p, target.with_suffix(".out")) for p in outputs}
        except OSError:
            kept = {}
    data = {
        "key": _key(command, cwd, environ),
        "files": {str(p): _state(str(p)) for p in sorted({str(p) for p in paths})},
        # None: nothing to ask cargo (an sdist: its file list is in "files").
        "cargo": None
        if cargo_argv is None
        else {
            "argv": list(cargo_argv),
            "env": {k: v for k, v in cargo_env.items() if environ.get(k) != v},
            "unset": sorted(k for k in environ if k not in cargo_env),
        },
        "artifact": None if artifact is None else [str(artifact), _state(str(artifact))],
        "stamp": list(stamp) if stamp else None,
        "message": message,
        "outputs": {str(p): _state(str(p)) for p in outputs},
        "kept": kept,
    }
    _write(target, data)


def _write(target: Path, data: Mapping[str, Any]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass


def _keep(output: Path, directory: Path) -> list[str]:
    """Copy ``output`` into ``directory``: [copy, sha256]."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / output.name
    tmp = directory / f".{output.name}.{os.getpid()}.tmp"
    shutil.copyfile(output, tmp)
    tmp.replace(copy)
    return [str(copy), _sha256(copy)]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _restore(data: dict[str, Any]) -> str | None:
    """Put back kept outputs that were removed or changed; why not, if one cannot be."""
    import shutil

    for path, state in data.get("outputs", {}).items():
        if _state(path) == state:
            continue
        copy, digest = data.get("kept", {}).get(path, (None, None))
        if copy is None or not Path(copy).is_file() or _sha256(Path(copy)) != digest:
            return f"{path} changed"
        output = Path(path)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
            shutil.copyfile(copy, tmp)
            tmp.replace(output)
        except OSError as exc:
            return f"cannot restore {path}: {exc}"
        data["outputs"][path] = _state(path)
        data["restored"] = True
    return None


def forget(
    command: Sequence[str], cwd: Path, environ: Mapping[str, str], kind: str = "develop"
) -> None:
    target = _cache_file(command, cwd, environ, kind)
    if target is not None:
        with contextlib.suppress(OSError):
            target.unlink()


def replay(
    command: Sequence[str], cwd: Path, environ: Mapping[str, str], kind: str = "develop"
) -> bool:
    """Finish this ``develop`` (``build``) from the record if nothing it depended on changed."""
    from ferrule import _log, _run
    from ferrule.errors import CargoError

    data: dict[str, Any] = {}
    reason = _check(command, cwd, environ, data, kind)
    if reason is not None:
        _log.debug(f"full {kind}: {reason}")
        return False
    cargo = data["cargo"]
    if cargo is None:
        reason = _restore(data)
        if reason is not None:
            _log.debug(f"full {kind}: {reason}")
            return False
        if data.pop("restored", False):
            _rewrite(command, cwd, environ, kind, data)
        _log.info(data["message"])
        for output in data.get("outputs", {}):
            print(output)
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
    if _state(artifact) != state:
        _log.debug(f"full {kind}: cargo rebuilt the extension")
        return False
    _log.info(data["message"])
    for output in data.get("outputs", {}):
        print(output)
    return True


def _rewrite(
    command: Sequence[str], cwd: Path, environ: Mapping[str, str], kind: str, data: dict[str, Any]
) -> None:
    target = _cache_file(command, cwd, environ, kind)
    if target is not None:
        _write(target, data)


def _check(
    command: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str],
    data: dict[str, Any],
    kind: str = "develop",
) -> str | None:
    """Why the record cannot be replayed (None: it can; ``data`` receives it)."""
    target = _cache_file(command, cwd, environ, kind)
    if target is None:
        return "no cache directory"
    try:
        data.update(json.loads(target.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return "no record of an earlier run"
    if data.get("key") != _key(command, cwd, environ):
        return "the command line, directory or environment differs"
    for path, state in data["files"].items():
        if _state(path) != state:
            return f"{path} changed"
    for path, state in data.get("outputs", {}).items():
        if _state(path) != state and path not in data.get("kept", {}):
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
