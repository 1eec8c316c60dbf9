"""pyo3 / pyo3-ffi extension modules."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ferrule.bindings._elf import exported_symbols
from ferrule.errors import LayoutError
from ferrule.wheel.manifest import Entry

__all__ = ["check_module_init", "extension_entries", "pure_init_py"]


def pure_init_py(extension_name: str) -> bytes:
    """The ``__init__.py`` of a pure-Rust package: re-exports the extension.

    Byte-identical to maturin's (no final newline), so the two tools' wheels agree.
    """
    return (
        f"from .{extension_name} import *\n\n"
        f"__doc__ = {extension_name}.__doc__\n"
        f'if hasattr({extension_name}, "__all__"):\n'
        f"    __all__ = {extension_name}.__all__"
    ).encode()


def check_module_init(library: Path, extension_name: str, module_key: str) -> None:
    """Refuse a library that Python could not import as ``extension_name``.

    Python looks for ``PyInit_<name>`` (or the PEP 793 ``PyModExport_<name>``).
    """
    symbols = exported_symbols(library)
    if symbols is None:  # not ELF: nothing we can check cheaply
        return
    wanted = {f"PyInit_{extension_name}", f"PyModExport_{extension_name}"}
    if symbols & wanted:
        return
    found = sorted(s[len("PyInit_") :] for s in symbols if s.startswith("PyInit_"))
    if found:
        raise LayoutError(
            f"the library exports a Python module named {found[0]!r}, but the module name is "
            f"{extension_name!r} ({module_key}); make them agree: rename the #[pymodule] "
            f'(or add #[pyo3(name = "{extension_name}")]) or change {module_key}'
        )
    raise LayoutError(
        f"the library built from the crate exports no PyInit_{extension_name}: it has no "
        "#[pymodule]; add one, or set the bindings (tool.ferrule.bindings) to cffi/uniffi/bin"
    )


def extension_entries(
    library: Path, extension_dir: PurePosixPath, filename: str, *, pure: bool, extension_name: str
) -> list[Entry]:
    entries = [Entry(str(extension_dir / filename), source=library, executable=True)]
    if pure:
        entries.append(Entry(f"{extension_dir}/__init__.py", data=pure_init_py(extension_name)))
    return entries
