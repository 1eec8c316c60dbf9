"""cffi bindings: a C header (given or from cbindgen), ``ffi.py`` made by cffi, and a loader."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ferrule import _log, _run
from ferrule.bindings.cbindgen import generate_header
from ferrule.config.bindgen_toml import CbindgenToml
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.wheel.manifest import Entry

__all__ = ["cffi_entries", "find_header", "init_py"]

# Runs in the target interpreter: cffi turns the header into an out-of-line ffi.py.
_MAKE_FFI = r"""
import re
import sys
import cffi
from cffi import recompiler

header, target = sys.argv[1], sys.argv[2]

def wanted(line):
    # cffi's cdef takes declarations and "#define NAME VALUE" (constants, which
    # maturin's header keeps); other directives (includes, guards) are dropped.
    if not line.lstrip().startswith("#"):
        return True
    return re.match(r"\s*#\s*define\s+\w+\s+\S", line) is not None

with open(header, encoding="utf-8") as f:
    source = "".join(line for line in f if wanted(line))
ffi = cffi.FFI()
ffi.cdef(source)
ffi.set_source("ffi", None)
recompiler.make_py_source(ffi, "ffi", target)
"""


def init_py(library_name: str) -> bytes:
    """The package's ``__init__.py``: load the library next to it (as maturin's)."""
    return (
        '__all__ = ["lib", "ffi"]\n\n'
        "import os\n"
        "from .ffi import ffi\n\n"
        f"lib = ffi.dlopen(os.path.join(os.path.dirname(__file__), '{library_name}'))\n"
        "del os\n"
    ).encode()


def find_header(
    target_dir: Path,
    crate_dir: Path,
    crate_name: str,
    work: Path,
    environ: Mapping[str, str],
    cbindgen: CbindgenToml,
) -> Path:
    """``header.h`` in cargo's target directory when a build script put it there, else
    cbindgen's output (with maturin's settings: :mod:`ferrule.bindings.cbindgen`).

    The target directory is the one the build used (``--target-dir``, else
    ``CARGO_TARGET_DIR``, the workspace's, or ``<crate>/target``), as maturin.
    """
    given = target_dir / "header.h"
    if given.is_file():
        _log.info(f"using the existing header at {given}")
        return given
    header = work / "header.h"
    hint = f"  cbindgen could not generate the C header; provide {given} instead"
    generate_header(crate_dir, crate_name, header, hint, environ, cbindgen)
    return header


def cffi_entries(
    library: Path,
    package_dir: PurePosixPath,
    extension_name: str,
    crate_dir: Path,
    crate_name: str,
    target_dir: Path,
    interp: Interpreter,
    environ: Mapping[str, str],
    cbindgen: CbindgenToml,
) -> list[Entry]:
    """Entries for ``<package_dir>/{__init__.py, ffi.py, lib<ext>.so}``."""
    suffix = ".so" if library.suffix == ".so" else library.suffix
    # maturin's cdylib_filename: lib<name>.so / lib<name>.dylib, <name>.dll on Windows.
    library_name = f"{extension_name}.dll" if suffix == ".dll" else f"lib{extension_name}{suffix}"
    with tempfile.TemporaryDirectory(prefix="ferrule-cffi-") as tmp:
        work = Path(tmp)
        header = find_header(target_dir, crate_dir, crate_name, work, environ, cbindgen)
        ffi_py = work / "ffi.py"
        done = _run.run(
            [interp.executable, "-c", _MAKE_FFI, str(header), str(ffi_py)],
            env=environ,
            check=False,
        )
        if done.returncode != 0:
            if "No module named 'cffi'" in done.stderr:
                raise FerruleError(
                    f"cffi bindings need the cffi package in {interp.executable}; "
                    "install it there (pip install cffi)"
                )
            raise FerruleError(
                f"cffi could not read the header {header}:\n{done.stderr.strip()[-2000:]}"
            )
        ffi_source = ffi_py.read_bytes()
    return [
        Entry(f"{package_dir}/__init__.py", data=init_py(library_name)),
        Entry(f"{package_dir}/ffi.py", data=ffi_source),
        Entry(f"{package_dir}/{library_name}", source=library, executable=True),
    ]
