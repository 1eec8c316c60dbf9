"""The binding generators' own config files beside the crate: uniffi.toml and cbindgen.toml.

Read through the build's :class:`~ferrule.config.toml.TomlFiles` (so once), and
only by the binding that uses them (:attr:`Settings.uniffi`, :attr:`Settings.cbindgen`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError

__all__ = ["CbindgenToml", "UniffiToml", "read_cbindgen_toml", "read_uniffi_toml"]


@record
class UniffiToml:
    """The crate's ``uniffi.toml``: its path (None when there is none) and what ferrule uses."""

    path: Path | None = None
    cdylib_name: str | None = None  # [bindings.python] cdylib_name: the library's file stem


@record
class CbindgenToml:
    """The crate's ``cbindgen.toml`` (``path`` None when there is none).

    The file is parsed when :attr:`table` is first asked for (cffi builds whose
    header comes from the build script never need it), through the build's store.
    """

    path: Path | None
    files: TomlFiles

    @property
    def table(self) -> Mapping[str, Any]:
        """The file's content as written ({} when there is none)."""
        return self.files.read(self.path) if self.path is not None else {}


def _table(data: Mapping[str, Any], dotted: str, path: Path) -> Mapping[str, Any]:
    for part in dotted.split("."):
        value = data.get(part, {})
        if not isinstance(value, Mapping):
            raise ConfigError.single(path, dotted, "must be a table")
        data = value
    return data


def read_uniffi_toml(crate_dir: Path, files: TomlFiles) -> UniffiToml:
    """``crate_dir/uniffi.toml``; a syntax error or a ``bindings.python`` that is not a
    table is an error naming the file and key (uniffi-bindgen would refuse it too)."""
    path = crate_dir / "uniffi.toml"
    if not path.is_file():
        return UniffiToml()
    python = _table(files.read(path), "bindings.python", path)
    name = python.get("cdylib_name")
    return UniffiToml(path, name if isinstance(name, str) else None)


def read_cbindgen_toml(crate_dir: Path, files: TomlFiles) -> CbindgenToml:
    """``crate_dir/cbindgen.toml``, parsed on first use; a syntax error names the file."""
    path = crate_dir / "cbindgen.toml"
    return CbindgenToml(path if path.is_file() else None, files)
