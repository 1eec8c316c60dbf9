"""ferrule: build Python packages from Rust crates.

This module is also the PEP 517 / PEP 660 backend (``build-backend = "ferrule"``).
The hooks live in :mod:`ferrule.buildapi` and import their implementation lazily,
so importing this package stays cheap for frontends and for the CLI.
"""

from __future__ import annotations

from ferrule._version import __version__
from ferrule.buildapi import (
    build_editable,
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

__all__ = [
    "__version__",
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]
