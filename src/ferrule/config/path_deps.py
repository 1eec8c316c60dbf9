"""Local (path) crates a crate builds with, read from Cargo.toml files directly.

Used to keep build paths out of compiled code (see :mod:`ferrule.cargo.remap`):
cargo hands rustc relative paths for workspace members but absolute ones for
path dependencies outside the workspace. This walk over-approximates cargo's
graph (every dependency kind and platform, optional or not), which is what
that use needs; it never runs cargo.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.config.cargo_toml import read_cargo_package
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError

__all__ = ["PathCrate", "cargo_workspace_root", "path_crates"]

_KINDS = ("dependencies", "build-dependencies", "dev-dependencies")


@record
class PathCrate:
    directory: Path
    name: str
    version: str


def _workspace_table(manifest: Path, files: TomlFiles) -> Mapping[str, Any] | None:
    data = files.read_if_valid(manifest)
    ws = data.get("workspace") if data is not None else None
    return ws if isinstance(ws, Mapping) else None


def _listed(relative: str, patterns: Any) -> bool:
    if not isinstance(patterns, list):
        return False
    for raw in patterns:
        if isinstance(raw, str):
            pattern = raw.strip("/")
            if fnmatch.fnmatchcase(relative, pattern) or relative.startswith(pattern + "/"):
                return True
    return False


def cargo_workspace_root(manifest: Path, files: TomlFiles) -> Path:
    """The directory of the workspace root cargo uses for ``manifest``'s crate.

    The nearest ancestor with a ``[workspace]`` that lists the crate in
    ``members``; the crate's own directory when it is excluded, unlisted, or
    there is no such ancestor. (``package.workspace`` is honoured.)
    """
    manifest = manifest.resolve()
    crate_dir = manifest.parent
    data = files.read_if_valid(manifest)
    if data is None or "workspace" in data:
        return crate_dir
    package = data.get("package")
    explicit = package.get("workspace") if isinstance(package, Mapping) else None
    if isinstance(explicit, str):
        return (crate_dir / explicit).resolve()
    for parent in crate_dir.parents:
        candidate = parent / "Cargo.toml"
        if not candidate.is_file():
            continue
        ws = _workspace_table(candidate, files)
        if ws is None:
            continue
        relative = crate_dir.relative_to(parent).as_posix()
        if _listed(relative, ws.get("exclude")):
            return crate_dir
        return parent if _listed(relative, ws.get("members")) else crate_dir
    return crate_dir


def _dependency_tables(data: Mapping[str, Any], with_dev: bool) -> Iterator[Mapping[str, Any]]:
    kinds = _KINDS if with_dev else _KINDS[:2]
    for kind in kinds:
        table = data.get(kind)
        if isinstance(table, Mapping):
            yield table
    targets = data.get("target")
    if isinstance(targets, Mapping):
        for platform in targets.values():
            if isinstance(platform, Mapping):
                for kind in kinds:
                    table = platform.get(kind)
                    if isinstance(table, Mapping):
                        yield table


def _dependency_dirs(
    manifest: Path, data: Mapping[str, Any], files: TomlFiles, with_dev: bool
) -> Iterator[Path]:
    shared: Mapping[str, Any] = {}
    shared_root: Path | None = None
    for table in _dependency_tables(data, with_dev):
        for name, spec in table.items():
            if not isinstance(spec, Mapping):
                continue
            if isinstance(spec.get("path"), str):
                yield manifest.parent / spec["path"]
            elif spec.get("workspace") is True:
                if shared_root is None:
                    shared_root = cargo_workspace_root(manifest, files)
                    ws = _workspace_table(shared_root / "Cargo.toml", files) or {}
                    deps = ws.get("dependencies")
                    shared = deps if isinstance(deps, Mapping) else {}
                entry = shared.get(name)
                if isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
                    yield shared_root / entry["path"]


def path_crates(manifest: Path, files: TomlFiles) -> tuple[PathCrate, ...]:
    """Every crate reachable from ``manifest`` through ``path`` dependencies.

    Development dependencies count for the starting crate only (cargo ignores
    those of dependencies). Unreadable manifests are skipped: cargo reports them.
    """
    start = manifest.resolve()
    seen: set[Path] = {start.parent}
    found: list[PathCrate] = []
    stack = [(start, True)]
    while stack:
        current, with_dev = stack.pop()
        data = files.read_if_valid(current)
        if data is None:
            continue
        for candidate in _dependency_dirs(current, data, files, with_dev):
            directory = candidate.resolve()
            if directory in seen:
                continue
            seen.add(directory)
            dep_manifest = directory / "Cargo.toml"
            try:
                package = read_cargo_package(dep_manifest, files)
            except ConfigError:
                continue
            found.append(PathCrate(directory, package.name, package.version or "0.0.0"))
            stack.append((dep_manifest, False))
    return tuple(sorted(found, key=lambda c: c.directory))
