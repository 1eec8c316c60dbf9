"""What the crate says about pyo3, read from Cargo.toml, Cargo.lock and cargo's registry.

No ``cargo metadata``: the pyo3 (or pyo3-ffi) dependency's declared features,
the crate's ``[features]`` table (to follow ``abi3 = ["pyo3/abi3-py38"]``), the
locked pyo3-ffi version, and the interpreter range that version supports (its
``[package.metadata.cpython|pypy]`` when cargo has unpacked it, else a table).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.config.toml import TomlFiles

__all__ = ["Pyo3Crate", "VersionRange", "read_pyo3_crate"]

Version = tuple[int, int]


@record
class VersionRange:
    """The Python versions a pyo3 release supports, per implementation."""

    cpython: tuple[Version, Version] | None = None
    pypy: tuple[Version, Version] | None = None
    free_threaded_min: Version | None = None
    source: str = ""


# pyo3-ffi's own [package.metadata.*] for the releases ferrule knows, used when
# cargo has not unpacked the crate yet. Free-threaded: 0.23 added 3.13t, 0.29
# requires 3.14t.
_KNOWN: dict[Version, VersionRange] = {
    (0, 29): VersionRange(((3, 8), (3, 15)), ((3, 11), (3, 11)), (3, 14)),
    (0, 28): VersionRange(((3, 7), (3, 15)), ((3, 11), (3, 11)), (3, 13)),
    (0, 27): VersionRange(((3, 7), (3, 14)), ((3, 11), (3, 11)), (3, 13)),
    (0, 26): VersionRange(((3, 7), (3, 14)), ((3, 9), (3, 11)), (3, 13)),
    (0, 25): VersionRange(((3, 7), (3, 14)), ((3, 9), (3, 11)), (3, 13)),
    (0, 24): VersionRange(((3, 7), (3, 13)), ((3, 9), (3, 11)), (3, 13)),
    (0, 23): VersionRange(((3, 7), (3, 13)), ((3, 9), (3, 10)), (3, 13)),
}


@record
class Pyo3Crate:
    """The crate's pyo3 (or pyo3-ffi) dependency; ``name`` is None when it has none."""

    name: str | None
    declared_features: frozenset[str] = frozenset()
    crate_features: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    locked_version: str | None = None
    versions: VersionRange = field(default_factory=VersionRange)


def _parse_version(text: str) -> Version:
    """
    >>> _parse_version("3.11")
    (3, 11)
    """
    major, minor = text.split(".")[:2]
    return (int(major), int(minor))


def _lock_versions(lock: Path, files: TomlFiles) -> dict[str, str]:
    data = files.read_if_valid(lock) or {}
    out: dict[str, str] = {}
    for package in data.get("package", []):
        if isinstance(package, dict) and package.get("name") in ("pyo3", "pyo3-ffi"):
            out[package["name"]] = str(package.get("version", ""))
    return out


def _registry_range(
    ffi_version: str, environ: Mapping[str, str], files: TomlFiles
) -> VersionRange | None:
    home = Path(environ.get("CARGO_HOME") or Path(environ.get("HOME", "/")) / ".cargo")
    for manifest in sorted(
        (home / "registry" / "src").glob(f"*/pyo3-ffi-{ffi_version}/Cargo.toml")
    ):
        data = files.read_if_valid(manifest)
        if data is None:
            continue
        meta = data.get("package", {}).get("metadata", {})
        ranges: dict[str, tuple[Version, Version]] = {}
        for impl in ("cpython", "pypy"):
            entry = meta.get(impl)
            if isinstance(entry, dict) and "min-version" in entry and "max-version" in entry:
                ranges[impl] = (
                    _parse_version(entry["min-version"]),
                    _parse_version(entry["max-version"]),
                )
        if ranges:
            known = _KNOWN.get(_parse_version(ffi_version))
            return VersionRange(
                ranges.get("cpython"),
                ranges.get("pypy"),
                known.free_threaded_min if known else None,
                source=str(manifest),
            )
    return None


def _dependency(table: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any]]:
    for name in ("pyo3", "pyo3-ffi"):
        dep = table.get(name)
        if dep is not None:
            return name, dep if isinstance(dep, dict) else {"version": dep}
    return None, {}


def read_pyo3_crate(
    manifest: Path, workspace_manifest: Path | None, environ: Mapping[str, str], files: TomlFiles
) -> Pyo3Crate:
    """The pyo3 facts of the crate at ``manifest`` (read through ``files``, each file once)."""
    data = files.read(manifest)
    deps = data.get("dependencies", {})
    name, dep = _dependency(deps if isinstance(deps, dict) else {})
    if name is None:
        return Pyo3Crate(None)
    features = set(dep.get("features", []) or [])
    if dep.get("workspace") and workspace_manifest is not None:
        ws = files.read(workspace_manifest).get("workspace", {}).get("dependencies", {})
        _, ws_dep = _dependency({name: ws.get(name)} if name in ws else {})
        features |= set(ws_dep.get("features", []) or [])
    raw_features = data.get("features", {})
    crate_features = {
        str(k): tuple(str(x) for x in v)
        for k, v in (raw_features.items() if isinstance(raw_features, dict) else [])
        if isinstance(v, list)
    }
    root = (workspace_manifest or manifest).parent
    locked = _lock_versions(root / "Cargo.lock", files)
    ffi = locked.get("pyo3-ffi")
    versions = VersionRange()
    if ffi:
        versions = _registry_range(ffi, environ, files) or _KNOWN.get(
            _parse_version(ffi), VersionRange()
        )
    version = locked.get(name)
    if version and not re.match(r"^\d+\.\d+", version):
        version = None
    return Pyo3Crate(name, frozenset(features), crate_features, version, versions)
