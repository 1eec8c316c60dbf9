"""Format-preserving rewrites of Cargo.toml and pyproject.toml for an sdist (tomlkit).

Each function edits a parsed document in place and touches only the keys it
must: comments, order and formatting elsewhere in the file are kept. A value
that replaces a dotted key (``version.workspace = true``) takes its place.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AbstractTable, Table

from ferrule.errors import ConfigError

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


def parse(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit's parse errors have no common public base
        raise ConfigError.single(path, "", f"cannot be parsed for the sdist: {exc}") from None


def _replace(table: Any, key: str, value: Any) -> None:
    """Set ``table[key]`` keeping the key's position when tomlkit lets us."""
    container = table.value if isinstance(table, Table) else table
    index = None
    if isinstance(container, Container):
        index = container._map.get(tomlkit.key(key))
    if key in table and isinstance(index, int):
        del table[key]
        try:
            container._insert_at(index, key, value)
        except (IndexError, KeyError, ValueError):
            pass
        else:
            if isinstance(table, AbstractTable):  # keep tomlkit's dict view in step
                dict.__setitem__(table, key, container[key])
            return
    table[key] = value


def _is_inherited(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("workspace") is True


def _relative(target: Path, start: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(target, start))).as_posix()


def set_package_key(doc: tomlkit.TOMLDocument, key: str, value: Any) -> None:
    package = doc.get("package")
    if isinstance(package, (Table, dict)):
        _replace(package, key, value)


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
    table = tomlkit.inline_table()
    table.update(merged)
    return table


def inline_workspace_inheritance(
    doc: tomlkit.TOMLDocument,
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
        _replace(package, key, value)

    def rewrite_deps(table: Any, where: str) -> None:
        for name in list(table.keys()):
            entry = table[name]
            if not _is_inherited(entry):
                continue
            if name not in shared_deps:
                raise ConfigError.single(
                    manifest,
                    f"{where}.{name}",
                    f"inherits from the workspace, but {workspace_dir / 'Cargo.toml'} has no "
                    f"workspace.dependencies.{name}",
                )
            _replace(
                table,
                name,
                _inherited_dependency(entry, shared_deps[name], crate_dir, workspace_dir),
            )

    for kind in _DEPENDENCY_TABLES:
        if isinstance(doc.get(kind), Mapping):
            rewrite_deps(doc[kind], kind)
    for cfg, tables in (doc.get("target") or {}).items():
        for kind in _DEPENDENCY_TABLES:
            if isinstance(tables.get(kind), Mapping):
                rewrite_deps(tables[kind], f"target.{cfg}.{kind}")
    if _is_inherited(doc.get("lints")):
        if "lints" not in workspace:
            raise ConfigError.single(
                manifest,
                "lints",
                f"inherits from the workspace, but {workspace_dir / 'Cargo.toml'} has no "
                "workspace.lints",
            )
        lints = tomlkit.table()
        for name, value in workspace["lints"].items():
            lints[name] = value
        doc["lints"] = lints


def prune_workspace(
    doc: tomlkit.TOMLDocument,
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
    if isinstance(workspace, (Table, dict)):
        members = workspace.get("members")
        if isinstance(members, list):
            survivors = [
                m
                for m in members
                if isinstance(m, str)
                and any(fnmatch.fnmatchcase(k, m.rstrip("/")) or k == m.rstrip("/") for k in kept)
            ]
            if survivors:
                array = tomlkit.array()
                array.extend(survivors)
                _replace(workspace, "members", array)
            else:
                del workspace["members"]
        if "default-members" in workspace:
            del workspace["default-members"]
    patch = doc.get("patch")
    if isinstance(patch, (Table, dict)):
        for registry in list(patch.keys()):
            entries = patch[registry]
            for name in list(entries.keys()):
                entry = entries[name]
                if isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
                    target = (workspace_dir / entry["path"]).resolve()
                    if target not in kept_paths:
                        del entries[name]
            if not entries:
                del patch[registry]
        if not patch:
            del doc["patch"]


def strip_to_workspace(doc: tomlkit.TOMLDocument) -> None:
    """Turn a root manifest whose own package is not needed into a virtual one."""
    for key in list(doc.keys()):
        if key not in ("workspace", "profile", "patch", "replace", "cargo-features"):
            del doc[key]


def drop_missing_targets(
    doc: tomlkit.TOMLDocument, missing: Mapping[str, set[str]], build_missing: bool
) -> None:
    """Remove ``[[bin]]``-style entries (and ``package.build``) whose sources
    are not in the sdist, as ``cargo package`` does in the manifest it ships."""
    for kind, key in (("bin", "bin"), ("example", "example"), ("test", "test"), ("bench", "bench")):
        names = missing.get(kind, set())
        entries = doc.get(key)
        if not names or entries is None:
            continue
        kept = [e for e in entries if e.get("name") not in names]
        if len(kept) == len(entries):
            continue
        if kept:
            aot = tomlkit.aot()
            for entry in kept:
                aot.append(entry)
            doc[key] = aot
        else:
            del doc[key]
    package = doc.get("package")
    if isinstance(package, (Table, dict)):
        if build_missing and isinstance(package.get("build"), str):
            del package["build"]
        default_run = package.get("default-run")
        if isinstance(default_run, str) and default_run in missing.get("bin", set()):
            del package["default-run"]


def rewrite_pyproject(
    doc: tomlkit.TOMLDocument,
    tool_table: str,
    settings: Mapping[str, str],
    project_paths: Mapping[str, str],
) -> None:
    """Set keys of ``[tool.<name>]`` (``manifest-path``, ``python-source``…) and
    the ``file`` of ``project.readme`` / ``project.license``."""
    tool_name = tool_table.split(".", 1)[1]
    if "tool" not in doc:
        doc["tool"] = tomlkit.table(is_super_table=True)
    tool = doc["tool"]
    if tool_name not in tool:
        tool[tool_name] = tomlkit.table()
    table = tool[tool_name]
    for key, value in settings.items():
        _replace(table, key, value)
    project = doc.get("project")
    if not isinstance(project, (Table, dict)):
        return
    for field, new_path in project_paths.items():
        current = project.get(field)
        if isinstance(current, str):
            _replace(project, field, new_path)
        elif isinstance(current, MutableMapping) and "file" in current:
            current["file"] = new_path
