"""Rust binaries shipped as scripts in ``<dist>-<version>.data/scripts/``."""

from __future__ import annotations

from pathlib import Path

from ferrule.wheel.manifest import Entry

__all__ = ["script_entries"]


def script_entries(binaries: list[Path], data_prefix: str) -> list[Entry]:
    return [
        Entry(f"{data_prefix}/scripts/{binary.name}", source=binary, executable=True)
        for binary in binaries
    ]
