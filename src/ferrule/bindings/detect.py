"""Binding detection from cargo's dependency graph, in maturin's order."""

from __future__ import annotations

from ferrule.cargo.metadata import CargoProject

__all__ = ["detect_bindings"]


def detect_bindings(explicit: str | None, project: CargoProject) -> str:
    """``bindings`` if given, else what the dependency graph says.

    Order (as maturin): pyo3, pyo3-ffi, uniffi, then a cdylib means cffi and a
    binary means bin. A pyo3 crate without a library but with binaries is ``bin``.

    >>> from pathlib import Path
    >>> from ferrule.cargo.metadata import CargoTarget
    >>> def project(deps, *targets):
    ...     return CargoProject(Path("/p/Cargo.toml"), "p", targets, frozenset(deps), {}, Path("/t"))
    >>> detect_bindings(None, project({"pyo3", "pyo3-ffi"}, CargoTarget("p", ("cdylib",))))
    'pyo3'
    >>> detect_bindings(None, project({"pyo3"}, CargoTarget("p", ("bin",))))
    'bin'
    >>> detect_bindings(None, project(set(), CargoTarget("p", ("cdylib",))))
    'cffi'
    >>> detect_bindings("uniffi", project(set(), CargoTarget("p", ("cdylib",))))
    'uniffi'
    """
    if explicit:
        return explicit
    has_lib = bool(project.targets_of_kind("cdylib", "lib", "rlib", "dylib"))
    has_bin = bool(project.targets_of_kind("bin"))
    for name in ("pyo3", "pyo3-ffi"):
        if name in project.dependencies:
            return "bin" if has_bin and not has_lib else name
    if "uniffi" in project.dependencies:
        return "uniffi"
    if project.targets_of_kind("cdylib"):
        return "cffi"
    if has_bin:
        return "bin"
    from ferrule.errors import FerruleError

    raise FerruleError(
        f"cannot tell which bindings {project.manifest_path} uses: it depends on neither pyo3, "
        "pyo3-ffi nor uniffi and has no cdylib or binary target; set tool.ferrule.bindings"
    )
