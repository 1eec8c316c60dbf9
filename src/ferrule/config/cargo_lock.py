"""Cargo.lock's checksums, the SHA-256 hashes an SBOM gives registry packages."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError

__all__ = ["lock_checksums", "locked_checksums"]


def locked_checksums(lock: Mapping[str, Any]) -> dict[str, str]:
    """``checksum`` by cargo package id (``source#name@version``), as cargo-cyclonedx keys them.

    >>> locked_checksums({"package": [
    ...     {"name": "heck", "version": "0.5.0", "source": "registry+https://x", "checksum": "ab"},
    ...     {"name": "demo", "version": "0.1.0"}]})
    {'registry+https://x#heck@0.5.0': 'ab'}
    """
    out: dict[str, str] = {}
    for package in lock.get("package") or ():
        if not isinstance(package, dict) or not isinstance(package.get("checksum"), str):
            continue
        name, version, source = package.get("name"), package.get("version"), package.get("source")
        package_id = f"{source}#{name}@{version}" if source else f"{name}@{version}"
        out[package_id] = package["checksum"]
    return out


def lock_checksums(manifest: Path, files: TomlFiles) -> dict[str, str]:
    """The checksums of the first Cargo.lock above ``manifest`` (none without a readable one).

    As the file is now (:meth:`~ferrule.config.toml.TomlFiles.read_current`): cargo may
    have written the lock file since the build's settings read it.
    """
    for directory in manifest.absolute().parents:
        lock = directory / "Cargo.lock"
        if lock.is_file():
            try:
                return locked_checksums(files.read_current(lock))
            except ConfigError:
                return {}  # cargo reported a broken lock file already; no hashes, as cargo-cyclonedx
    return {}
