"""A cache of what ferrule reads from ``cargo metadata``.

Every build asks cargo for the crate's targets and dependency graph. For an
unchanged project the answer does not change, and asking costs a process (and
cargo resolving the lock file): about 20 ms of each ``pip wheel .``. The parsed
answer (:class:`~ferrule.cargo.metadata.CargoProject`, a few names) is kept with
a record of everything cargo's answer follows from; an entry is used only when
all of that is unchanged.

The key: ferrule itself (its RECORD or source), cargo's exact arguments
(manifest path, features, ``--locked``/``--offline``/``--config``...), the
working directory, the environment variables cargo and rustup read
(``CARGO*``, ``RUSTUP*``, ``RUST*``, ``HOME``), and which ``cargo`` program runs.

The inputs, by state (size, mtime, ctime, inode; a missing file is recorded
as missing, so creating one counts):

* every local package's Cargo.toml (the root, workspace members and path
  dependencies: packages without a registry or git source), its directory and
  the directories cargo discovers targets in (``src``, ``src/bin``,
  ``examples``, ``tests``, ``benches`` and their subdirectories);
* the workspace root's Cargo.toml and Cargo.lock;
* ``.cargo/config.toml`` and ``.cargo/config`` in the working directory, the
  manifest's directory and all their parents, and in ``CARGO_HOME``;
* ``rust-toolchain`` / ``rust-toolchain.toml`` in the same directories, and
  rustup's ``settings.toml`` and toolchain directory.

Registry and git packages need no record: their contents are fixed by the
versions and revisions in Cargo.lock. A result is not kept when any input
changed after cargo started, or just before (:func:`ferrule._store.settled`),
which also covers cargo writing a new Cargo.lock. Entries are kind
``cargo-metadata`` of ferrule's cache store; ``FERRULE_NO_CACHE=1`` turns this
off with the other caches.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ferrule import _run, _store

__all__ = ["cache_answers", "cached_metadata", "input_paths"]

_FORMAT = 3  # 3: the value carries the SBOM's graph
_ENV_PREFIXES = ("CARGO", "RUSTUP", "RUST")
_TARGET_DIRS = ("src", "src/bin", "examples", "tests", "benches")
_NESTED_TARGET_DIRS = ("src/bin", "examples", "tests", "benches")


def _ancestors(path: Path) -> list[Path]:
    path = path.absolute()
    return [path, *path.parents]


def _cargo_home(environ: Mapping[str, str]) -> Path:
    if environ.get("CARGO_HOME"):
        return Path(environ["CARGO_HOME"])
    return (Path(environ["HOME"]) if environ.get("HOME") else Path.home()) / ".cargo"


def _rustup_home(environ: Mapping[str, str]) -> Path:
    if environ.get("RUSTUP_HOME"):
        return Path(environ["RUSTUP_HOME"])
    return (Path(environ["HOME"]) if environ.get("HOME") else Path.home()) / ".rustup"


def _subdirectories(directory: Path) -> list[str]:
    try:
        with os.scandir(directory) as it:
            return [e.path for e in it if e.is_dir(follow_symlinks=True)]
    except OSError:
        return []


def input_paths(
    data: Mapping[str, Any], manifest: Path, cwd: Path, environ: Mapping[str, str]
) -> list[str]:
    """The paths whose stats decide whether ``cargo metadata``'s answer ``data`` still holds.

    >>> data = {"packages": [
    ...     {"manifest_path": "/w/a/Cargo.toml", "source": None},
    ...     {"manifest_path": "/r/pyo3/Cargo.toml", "source": "registry+https://x"}],
    ...     "workspace_root": "/w"}
    >>> paths = input_paths(data, Path("/w/a/Cargo.toml"), Path("/w/a"), {"HOME": "/h"})
    >>> [p for p in paths if p.startswith("/w/") and "config" not in p and "toolchain" not in p]
    ['/w/Cargo.lock', '/w/Cargo.toml', '/w/a', '/w/a/Cargo.toml', '/w/a/benches', '/w/a/examples', '/w/a/src', '/w/a/src/bin', '/w/a/tests']
    >>> any(p.startswith("/r/") for p in paths), "/h/.cargo/config.toml" in paths
    (False, True)
    """
    paths: set[str] = set()
    for package in data.get("packages", []):
        if package.get("source") is not None:
            continue
        crate_manifest = Path(package["manifest_path"])
        crate_dir = crate_manifest.parent
        paths.add(str(crate_manifest))
        paths.add(str(crate_dir))
        for rel in _TARGET_DIRS:
            paths.add(str(crate_dir / rel))
        for rel in _NESTED_TARGET_DIRS:
            paths.update(_subdirectories(crate_dir / rel))
    workspace_root = Path(data.get("workspace_root") or manifest.parent)
    paths.add(str(workspace_root / "Cargo.toml"))
    paths.add(str(workspace_root / "Cargo.lock"))
    searched = {*_ancestors(cwd), *_ancestors(manifest.parent)}
    for directory in searched:
        paths.add(str(directory / ".cargo" / "config"))
        paths.add(str(directory / ".cargo" / "config.toml"))
        paths.add(str(directory / "rust-toolchain"))
        paths.add(str(directory / "rust-toolchain.toml"))
    cargo_home = _cargo_home(environ)
    paths.add(str(cargo_home / "config"))
    paths.add(str(cargo_home / "config.toml"))
    rustup_home = _rustup_home(environ)
    paths.add(str(rustup_home / "settings.toml"))
    paths.add(str(rustup_home / "toolchains"))
    return sorted(paths)


def _key(argv: Sequence[str], cwd: Path, environ: Mapping[str, str]) -> tuple[object, ...]:
    program = shutil.which(argv[0], path=environ.get("PATH")) or argv[0]
    real = os.path.realpath(program)
    env = tuple(
        sorted((k, v) for k, v in environ.items() if k.startswith(_ENV_PREFIXES) or k == "HOME")
    )
    return (
        _FORMAT,
        tuple(argv[1:]),
        str(cwd),
        env,
        real,
        _store.file_state(real),
        _store.ferrule_signature(),
    )


def _answer(store: _store.Store, key: tuple[object, ...]) -> tuple[Any, ...] | None:
    """The kept answer for ``key``, if every input it follows from is unchanged."""
    entry = store.get("cargo-metadata", key[:5], key)
    if entry is None or not _store.unchanged(entry.get("inputs")):
        return None
    value = entry.get("value")
    return value if isinstance(value, tuple) else None


def cache_answers(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether :func:`cached_metadata` would answer ``argv`` without running cargo."""
    store = _store.open_store(environ)
    return store is not None and _answer(store, _key(argv, Path.cwd(), environ)) is not None


def cached_metadata(
    argv: Sequence[str],
    manifest: Path,
    environ: Mapping[str, str],
    compute: Callable[[], Mapping[str, Any]],
    summarize: Callable[[Mapping[str, Any]], tuple[Any, ...]],
) -> tuple[Any, ...]:
    """``summarize(compute())``, or the same value from the cache.

    ``compute`` runs ``cargo metadata`` (``argv``) and returns its JSON;
    ``summarize`` turns that into a marshal-able tuple, which is what is kept.
    """
    store = _store.open_store(environ)
    if store is None:
        return summarize(compute())
    cwd = Path.cwd()
    key = _key(argv, cwd, environ)
    kept = _answer(store, key)
    if kept is not None:
        return kept
    started = time.time_ns()
    # cargo may have been started early (ferrule._run.start): it read its inputs from then.
    started = min(started, _run.started_at(argv, env=environ) or started)
    data = compute()
    value = summarize(data)
    inputs = _store.states(input_paths(data, manifest, cwd, environ))
    if all(_store.settled(st, started) for _, st in inputs):
        store.put("cargo-metadata", key[:5], {"inputs": inputs, "value": value}, key)
    return value
