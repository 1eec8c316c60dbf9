"""Stubs for a built extension: import it in the target interpreter, render, write.

``describe`` stages the extension in a temporary directory, in the package
shape it has when installed, and runs ``_introspect.py`` there through
:func:`ferrule._run.run`; the JSON it writes becomes the model, which pyo3's
introspection data (when the binary carries it) makes precise.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from ferrule import _log, _run
from ferrule.config.model import Settings
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.stubs.binary import introspection_chunks
from ferrule.stubs.model import Module, from_json
from ferrule.stubs.pyo3data import apply_introspection
from ferrule.stubs.render import reexport_stub, render_stubs, star_exports
from ferrule.stubs.writer import StubFiles, StubsError, check, plan, write

__all__ = [
    "build_extension",
    "check_stubs",
    "describe",
    "generate_for_build",
    "generate_stubs",
    "introspection_script",
    "stub_files",
]

_SCRIPT = Path(__file__).with_name("_introspect.py")
_VALUES = Path(__file__).with_name("_introspect_values.py")
_JOINED_IMPORTS = re.compile(
    r"^from __future__ import annotations\n|^from ferrule\.stubs\._introspect_values import \([^)]*\)\n",
    re.MULTILINE,
)


def introspection_script() -> str:
    """The stdlib-only script run in the target interpreter: ``_introspect_values.py``,
    then ``_introspect.py`` without its ``__future__`` import (one script has one, at
    the top) and without its import of the former (ferrule is not installed there)."""
    describer, dropped = _JOINED_IMPORTS.subn("", _SCRIPT.read_text(encoding="utf-8"))
    assert dropped == 2, "_introspect.py's imports changed: update _JOINED_IMPORTS"
    return _VALUES.read_text(encoding="utf-8") + "\n" + describer


_NO_STUBS_BINDINGS = ("cffi", "uniffi", "bin")


def build_extension(settings: Settings, interpreter: Interpreter) -> Path:
    """Compile the cdylib for ``interpreter`` (as ``ferrule build`` does) and return its path."""
    from ferrule.build.context import open_context
    from ferrule.build.native import compile_module
    from ferrule.build.plan import work_dir

    bindings = settings.tool.bindings
    if bindings in _NO_STUBS_BINDINGS:
        raise StubsError(
            f"{settings.tool_table}.bindings = {bindings!r}: ferrule generates stubs for "
            "pyo3 and pyo3-ffi extension modules only"
        )
    with open_context(settings, [interpreter], "ferrule-stubs-") as ctx:
        if ctx.plan.bindings not in ("pyo3", "pyo3-ffi"):
            raise StubsError(
                f"the crate's bindings are {ctx.plan.bindings}: ferrule generates stubs for "
                "pyo3 and pyo3-ffi extension modules only"
            )
        (unit,) = ctx.plan.units
        name = f"{ctx.layout.extension_name}{interpreter.ext_suffix}"
        return compile_module(ctx, unit, work_dir(settings) / "stubs" / name)


def _stage(root: Path, layout: ProjectLayout, extension: Path, suffix: str) -> tuple[str, str]:
    """Lay the extension out as installed; returns (import name, public name).

    The staged directory comes first on ``sys.path``, so an extension left in
    the source tree by an earlier ``develop`` is not the one imported.
    """
    from ferrule.bindings.pyo3 import pure_init_py

    parts = layout.extension_dir.parts
    for i in range(1, len(parts) + 1):
        package = root.joinpath(*parts[:i])
        package.mkdir(exist_ok=True)
        # The project's own package __init__ is not run (it may need more than the
        # extension), but its modules stay importable for an extension that imports them.
        source = layout.python_dir.joinpath(*parts[:i])
        (package / "__init__.py").write_text(f"__path__.append({str(source)!r})\n")
    directory = root.joinpath(*parts)
    if not layout.mixed:
        (directory / "__init__.py").write_bytes(pure_init_py(layout.extension_name))
    shutil.copyfile(extension, directory / f"{layout.extension_name}{suffix}")
    import_name = ".".join([*parts, layout.extension_name])
    # A pure-Rust package re-exports its extension: the stub describes the package.
    return import_name, (parts[0] if not layout.mixed else import_name)


def describe(
    layout: ProjectLayout, extension: Path, interpreter: Interpreter, settings: Settings
) -> dict[str, Any]:
    """The introspection document for ``extension``, imported in ``interpreter``."""
    with tempfile.TemporaryDirectory(prefix="ferrule-stubs-") as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        import_name, public_name = _stage(root, layout, extension, interpreter.ext_suffix)
        output = Path(tmp) / "module.json"
        _run.run(
            [
                interpreter.executable,
                "-I",
                "-c",
                introspection_script(),
                str(root),
                import_name,
                public_name,
                str(output),
            ],
            env=dict(settings.environ),
            hint=(
                f"  ferrule writes stubs from what {import_name} exposes when imported, "
                f"and importing it in {interpreter.executable} failed"
            ),
        )
        document: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    for warning in document.get("warnings", ()):
        _log.warn(warning)
    return document


def _with_types(root: Module, layout: ProjectLayout, extension: Path) -> Module:
    chunks = introspection_chunks(extension)
    if chunks is None:
        _log.info(
            f"{extension.name}: pyo3 introspection data is read from ELF binaries only for now; "
            "parameter and result types are Any"
        )
        return root
    if not chunks:
        _log.info(
            "the extension carries no pyo3 introspection data, so parameter and result "
            "types are Any; build it with pyo3's `experimental-inspect` feature for precise "
            "types (for example `ferrule stubs -F pyo3/experimental-inspect`)"
        )
        return root
    typed = apply_introspection(root, layout.extension_name, chunks)
    if typed is None:
        _log.warn(
            f"the extension's pyo3 introspection data has no module named "
            f"{layout.extension_name!r}; parameter and result types are Any"
        )
        return root
    _log.debug(f"read {len(chunks)} pyo3 introspection chunks from {extension}")
    return typed


def _rendered(root: Module, layout: ProjectLayout) -> dict[PurePosixPath, str]:
    """Stub files by path relative to the extension's directory (mixed) or the package (pure)."""
    if layout.mixed:
        return render_stubs(root)
    # A pure-Rust package re-exports its extension with `import *`: the package's stubs
    # list what that copies, in the installed shape <module>/__init__.pyi + one per
    # submodule, and the extension <module>.<module> gets a stub of its own, re-exporting
    # the package's names (so that mypy's stubtest finds every module it imports).
    exported = star_exports(root)
    files = {}
    for path, text in render_stubs(exported).items():
        inner = PurePosixPath(*path.parts[1:]) if len(path.parts) > 1 else None
        files[inner or PurePosixPath("__init__.pyi")] = text
    native = PurePosixPath(f"{layout.extension_name}.pyi")
    if native not in files:  # else a submodule has the extension's name: it keeps the file
        files[native] = reexport_stub(exported)
    return files


def stub_files(
    settings: Settings,
    layout: ProjectLayout,
    extension: Path,
    interpreter: Interpreter,
    out_dir: Path | None = None,
) -> StubFiles:
    """The stub files for ``extension`` and where they belong (nothing is written)."""
    root = from_json(describe(layout, extension, interpreter, settings))
    root = _with_types(root, layout, extension)
    return plan(layout, settings.project_dir, _rendered(root, layout), out_dir)


def generate_stubs(
    settings: Settings,
    layout: ProjectLayout,
    extension: Path,
    interpreter: Interpreter,
    *,
    force: bool = False,
    out_dir: Path | None = None,
) -> list[Path]:
    """Write stubs for the built ``extension``; returns the stub files.

    Hand-written stubs (files without ferrule's header) are replaced only
    with ``force``; otherwise :class:`~ferrule.errors.StubsError`.
    """
    files = stub_files(settings, layout, extension, interpreter, out_dir)
    return write(files, force=force)


def check_stubs(
    settings: Settings,
    layout: ProjectLayout,
    extension: Path,
    interpreter: Interpreter,
    *,
    out_dir: Path | None = None,
) -> list[str]:
    """Unified diffs between the stubs on disk and fresh ones (empty when they agree)."""
    return check(stub_files(settings, layout, extension, interpreter, out_dir))


def generate_for_build(settings: Settings, interpreter: Interpreter) -> list[Path]:
    """``--generate-stubs`` of ``build`` and ``develop``: compile, write stubs into the project.

    Call it before building the wheel: the build then finds the stubs where
    hand-written ones would be and ships them (cargo has nothing left to do).
    """
    layout = determine_layout(settings)
    extension = build_extension(settings, interpreter)
    return generate_stubs(settings, layout, extension, interpreter)
