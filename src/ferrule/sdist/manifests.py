"""Format-preserving rewrites of Cargo.toml and pyproject.toml for an sdist.

Each function edits a parsed document (:class:`~ferrule.sdist.tomldoc.TomlDocument`)
in place and touches only the keys it must: comments, order and formatting
elsewhere in the file are kept. A value that replaces a dotted key
(``version.workspace = true``) takes its place.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ferrule.errors import ConfigError
from ferrule.sdist.tomldoc import TomlDocument

__all__ = [
    "drop_missing_targets",
    "inline_workspace_inheritance",
    "parse",
    "prune_workspace",
    "rewrite_pyproject",
    "set_package_key",
    "strip_to_workspace",
]

_DEPENDENCY_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")
# Package keys cargo lets a member inherit from [workspace.package].
_INHERITABLE = (
    "version",
    "authors",
    "description",
    "documentation",
    "readme",
    "homepage",
    "repository",
    "license",
    "license-file",
    "keywords",
    "categories",
    "publish",
    "edition",
    "rust-version",
    "exclude",
    "include",
)
_PATH_KEYS = ("readme", "license-file")


def parse(path: Path) -> TomlDocument:
    try:
        return TomlDocument(path.read_text(encoding="utf-8"), path)
    except (ValueError, UnicodeDecodeError) as exc:  # tomllib's errors are ValueErrors
        raise ConfigError.single(path, "", f"cannot be parsed for the sdist: {exc}") from None


def _is_inherited(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("workspace") is True


def _relative(target: Path, start: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(target, start))).as_posix()


def set_package_key(doc: TomlDocument, key: str, value: Any) -> None:
    if isinstance(doc.get("package"), Mapping):
        doc.set(("package", key), value)


def _inherited_dependency(
    local: Mapping[str, Any], shared: Any, crate_dir: Path, workspace_dir: Path
) -> Any:
    """A ``dep = { workspace = true, ... }`` entry merged with the workspace's."""
    merged: dict[str, Any] = {"version": shared} if isinstance(shared, str) else dict(shared)
    if "path" in merged:
        merged["path"] = _relative(workspace_dir / merged["path"], crate_dir)
    for key, value in local.items():
        if key == "workspace":
            continue
        if key == "features":
            features = list(merged.get("features", []))
            features += [f for f in value if f not in features]
            merged["features"] = features
        else:
            merged[key] = value
    if list(merged) == ["version"]:
        return merged["version"]
    return merged


def inline_workspace_inheritance(
    doc: TomlDocument,
    workspace: Mapping[str, Any],
    crate_dir: Path,
    workspace_dir: Path,
    manifest: Path,
) -> None:
    """Replace every ``workspace = true`` with the value from ``workspace``
    (the ``[workspace]`` table of the crate's workspace root), for a crate whose
    workspace root does not travel with the sdist.
    """
    shared_package = workspace.get("package", {})
    shared_deps = workspace.get("dependencies", {})
    package = doc.get("package", {})
    for key in _INHERITABLE:
        if not _is_inherited(package.get(key)):
            continue
        if key not in shared_package:
            raise ConfigError.single(
                manifest,
                f"package.{key}",
                f"inherits from the workspace, but {workspace_dir / 'Cargo.toml'} has no "
                f"workspace.package.{key}",
            )
        value = shared_package[key]
        if key in _PATH_KEYS and isinstance(value, str):
            value = _relative(workspace_dir / value, crate_dir)
        doc.set(("package", key), value)

    def rewrite_deps(path: tuple[str, ...], where: str) -> None:
        for name in list(doc.value(path)):
            entry = doc.value(path)[name]
            if not _is_inherited(entry):
                continue
            if name not in shared_deps:
                raise ConfigError.single(
                    manifest,
                    f"{where}.{name}",
                    f"inherits from the workspace, but {workspace_dir / 'Cargo.toml'} has no "
                    f"workspace.dependencies.{name}",
                )
            merged = _inherited_dependency(entry, shared_deps[name], crate_dir, workspace_dir)
            doc.set((*path, name), merged)

    for kind in _DEPENDENCY_TABLES:
        if isinstance(doc.get(kind), Mapping):
            rewrite_deps((kind,), kind)
    for cfg in list(doc.get("target") or {}):
        for kind in _DEPENDENCY_TABLES:
            if isinstance(doc.value(("target", cfg)).get(kind), Mapping):
                rewrite_deps(("target", cfg, kind), f"target.{cfg}.{kind}")
    if _is_inherited(doc.get("lints")):
        if "lints" not in workspace:
            raise ConfigError.single(
                manifest,
                "lints",
                f"inherits from the workspace, but {workspace_dir / 'Cargo.toml'} has no "
                "workspace.lints",
            )
        doc.set(("lints",), dict(workspace["lints"]))


def prune_workspace(
    doc: TomlDocument,
    workspace_dir: Path,
    member_dirs: Iterable[Path],
    shipped_dirs: Iterable[Path],
) -> None:
    """Keep only ``members`` that match a member crate in the sdist; drop
    ``default-members``; drop ``[patch]`` entries whose path is not shipped.

    A member glob is kept when it matches a kept crate: in the unpacked sdist
    it then matches only the crates that are there.
    """
    kept = {_relative(d, workspace_dir) for d in member_dirs}
    kept_paths = {d.resolve() for d in shipped_dirs}
    workspace = doc.get("workspace")
    if isinstance(workspace, Mapping):
        members = workspace.get("members")
        if isinstance(members, list):
            survivors = [
                m
                for m in members
                if isinstance(m, str)
                and any(fnmatch.fnmatchcase(k, m.rstrip("/")) or k == m.rstrip("/") for k in kept)
            ]
            if not survivors:
                doc.delete(("workspace", "members"))
            elif survivors != members:
                doc.set(("workspace", "members"), survivors)
        if "default-members" in doc.value(("workspace",)):
            doc.delete(("workspace", "default-members"))
    if not isinstance(doc.get("patch"), Mapping):
        return
    for registry in list(doc.value(("patch",))):
        for name, entry in list(doc.value(("patch", registry)).items()):
            if isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
                target = (workspace_dir / entry["path"]).resolve()
                if target not in kept_paths:
                    doc.delete(("patch", registry, name))
        patch = doc.get("patch")
        if isinstance(patch, Mapping) and registry in patch and not patch[registry]:
            doc.delete(("patch", registry))
    patch = doc.get("patch")
    if isinstance(patch, Mapping) and not patch:
        doc.delete(("patch",))


def strip_to_workspace(doc: TomlDocument) -> None:
    """Turn a root manifest whose own package is not needed into a virtual one."""
    for key in list(doc.keys()):
        if key not in ("workspace", "profile", "patch", "replace", "cargo-features"):
            doc.delete((key,))


def _named(names: set[str]) -> Callable[[Any], bool]:
    return lambda entry: isinstance(entry, Mapping) and entry.get("name") in names


def drop_missing_targets(
    doc: TomlDocument, missing: Mapping[str, set[str]], build_missing: bool
) -> None:
    """Remove ``[[bin]]``-style entries (and ``package.build``) whose sources
    are not in the sdist, as ``cargo package`` does in the manifest it ships."""
    for kind in ("bin", "example", "test", "bench"):
        names = missing.get(kind, set())
        if names and isinstance(doc.get(kind), list):
            doc.remove_array_entries(kind, _named(names))
    package = doc.get("package")
    if isinstance(package, Mapping):
        if build_missing and isinstance(package.get("build"), str):
            doc.delete(("package", "build"))
        default_run = package.get("default-run")
        if isinstance(default_run, str) and default_run in missing.get("bin", set()):
            doc.delete(("package", "default-run"))


def rewrite_pyproject(
    doc: TomlDocument,
    tool_table: str,
    settings: Mapping[str, str],
    project_paths: Mapping[str, str],
) -> None:
    """Set keys of ``[tool.<name>]`` (``manifest-path``, ``python-source``…) and
    the ``file`` of ``project.readme`` / ``project.license``."""
    tool_name = tool_table.split(".", 1)[1]
    for key, value in settings.items():
        doc.set(("tool", tool_name, key), value)
    project = doc.get("project")
    if not isinstance(project, Mapping):
        return
    for field, new_path in project_paths.items():
        current = project.get(field)
        if isinstance(current, str):
            doc.set(("project", field), new_path)
        elif isinstance(current, Mapping) and "file" in current:
            doc.set(("project", field, "file"), new_path)
