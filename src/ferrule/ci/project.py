"""The facts about a project that its workflow depends on, from the settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule._version import __version__
from ferrule.config.model import Settings

__all__ = ["ProjectInfo", "ferrule_requirement", "project_info", "repository_root", "uses_abi3"]


def ferrule_requirement() -> str:
    """The requirement on ferrule that generated files use: this minor series (0.x) or major.

    >>> ferrule_requirement().startswith("ferrule>=")
    True
    """
    parts = [int(p) for p in __version__.split(".")[:2] if p.isdigit()]
    major, minor = [*parts, 0, 0][:2]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}.0"
    return f"ferrule>={major}.{minor},<{upper}"


@record
class ProjectInfo:
    """What the workflow needs to know about the project."""

    name: str
    bindings: str
    abi3: bool = False
    requires_python: str | None = None
    uniffi_version: str | None = None
    sdist: bool = True
    # Where ferrule runs, relative to the repository root (where a workflow starts);
    # the other paths are relative to it (POSIX).
    workdir: str = "."
    manifest_path: str | None = None
    project_dir: str = "."  # the directory of pyproject.toml: pytest runs there
    command: str = "ferrule generate-ci github"

    @property
    def per_interpreter(self) -> bool:
        """One wheel per interpreter (version-specific pyo3 modules) or one for all."""
        return self.bindings in ("pyo3", "pyo3-ffi") and not self.abi3


def _features_of(dependency: Any) -> list[str]:
    if isinstance(dependency, Mapping):
        features = dependency.get("features", [])
        return [f for f in features if isinstance(f, str)] if isinstance(features, list) else []
    return []


def uses_abi3(dependencies: Mapping[str, Any], tool_features: tuple[str, ...] = ()) -> bool:
    """Whether pyo3 is built for the stable ABI (``abi3`` or ``abi3-pyXY``).

    >>> uses_abi3({"pyo3": {"version": "0.29", "features": ["abi3-py39"]}})
    True
    >>> uses_abi3({"pyo3": "0.29"}), uses_abi3({"pyo3": "0.29"}, ("pyo3/abi3",))
    (False, True)
    """

    def is_abi3(feature: str) -> bool:
        return feature == "abi3" or feature.startswith("abi3-py")

    for name, dependency in dependencies.items():
        package = dependency.get("package", name) if isinstance(dependency, Mapping) else name
        if package in ("pyo3", "pyo3-ffi") and any(is_abi3(f) for f in _features_of(dependency)):
            return True
    return any(
        f.partition("/")[0] in ("pyo3", "pyo3-ffi") and is_abi3(f.partition("/")[2])
        for f in tool_features
    )


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def repository_root(directory: Path) -> Path:
    """The nearest directory holding ``.git`` (where a workflow's steps start), else ``directory``."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def project_info(
    settings: Settings,
    bindings: str,
    uniffi_version: str | None,
    *,
    cwd: Path,
    manifest_path: Path | None,
    command: str,
) -> ProjectInfo:
    """``cwd`` is where ferrule runs (in the workflow too): ``manifest_path`` (``-m``) is
    relative to it; the workflow starts in the repository root."""
    project = settings.project_table or {}
    name = project.get("name")
    if not isinstance(name, str):
        name = settings.cargo.name
    requires = project.get("requires-python")
    return ProjectInfo(
        name=name,
        bindings=bindings,
        abi3=uses_abi3(
            settings.cargo.dependencies,
            tuple(f.feature for f in settings.tool.features),
        ),
        requires_python=requires if isinstance(requires, str) else None,
        uniffi_version=uniffi_version,
        sdist=settings.pyproject_path is not None,
        workdir=_relative(cwd, repository_root(cwd)),
        manifest_path=_relative(cwd / manifest_path, cwd) if manifest_path else None,
        project_dir=_relative(settings.project_dir, cwd),
        command=command,
    )
