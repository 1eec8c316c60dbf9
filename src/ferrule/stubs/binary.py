"""pyo3's introspection data, read from a compiled extension.

With pyo3's ``experimental-inspect`` feature every ``#[pymodule]``,
``#[pyclass]``, ``#[pyfunction]`` and ``#[pymethods]`` item embeds a JSON
fragment in the binary as an exported static named
``PYO3_INTROSPECTION_1_<n>``: a native-endian ``u32`` length followed by that
many bytes of JSON. This module finds those symbols in ELF files (Linux and
most other Unixes, through :mod:`ferrule.elf`) without running the binary.
Mach-O and PE are not read yet; stubs for them fall back to what the runtime shows.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from ferrule.elf import ElfError, symbol_contents

__all__ = ["SYMBOL_PREFIX", "introspection_chunks"]

SYMBOL_PREFIX = "PYO3_INTROSPECTION_1_"


def introspection_chunks(path: Path) -> list[dict[str, Any]] | None:
    """The JSON fragments pyo3 embedded in ``path``.

    Returns None when the file format is not one ferrule can read (so the
    caller can say why types are missing), and an empty list for an ELF file
    built without ``experimental-inspect``.
    """
    data = path.read_bytes()
    if not data.startswith(b"\x7fELF"):
        return None
    try:
        chunks = []
        for symbol in symbol_contents(data, SYMBOL_PREFIX):
            (length,) = struct.unpack_from("<I" if symbol.little_endian else ">I", symbol.content)
            chunks.append(json.loads(bytes(symbol.content[4 : 4 + length])))
    except (ElfError, struct.error, ValueError):
        return None
    return chunks
