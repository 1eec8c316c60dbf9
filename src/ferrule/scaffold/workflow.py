"""The CI workflow of a new project: what ``ferrule generate-ci github`` writes for it."""

from __future__ import annotations

from ferrule.ci.config import GitHubConfig
from ferrule.ci.github import ProjectInfo, render_workflow
from ferrule.scaffold import UNIFFI_VERSION, ProjectSpec

__all__ = ["new_project_workflow"]


def new_project_workflow(spec: ProjectSpec) -> str:
    """Equal to ``ferrule generate-ci github`` run in the new project (pyproject.toml
    sets ``pytest = true`` and ``requires-python = ">=3.9"``)."""
    info = ProjectInfo(
        name=spec.name,
        bindings=spec.bindings,
        requires_python=">=3.9",
        uniffi_version=UNIFFI_VERSION if spec.bindings == "uniffi" else None,
    )
    return render_workflow(info, GitHubConfig(pytest=True))
