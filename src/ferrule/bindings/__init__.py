"""Bindings: which kind of native code a crate provides, and how each kind lands in a wheel.

Each submodule turns one built cargo artifact into wheel entries:
:mod:`.pyo3` (pyo3 and pyo3-ffi extension modules), :mod:`.cffi`, :mod:`.uniffi`
and :mod:`.bin` (executables in ``.data/scripts``).
"""

from __future__ import annotations

from ferrule.bindings.detect import detect_bindings

__all__ = ["detect_bindings"]
