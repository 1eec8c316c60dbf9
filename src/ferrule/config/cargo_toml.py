"""Read Cargo.toml (and its workspace root) directly, without running cargo.

This is what lets the metadata hooks work on machines with no Rust toolchain.
Only the fields ferrule needs are read; workspace inheritance
(``version.workspace = true``) is resolved from ``[workspace.package]``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule.config.model import CargoPackage
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError, ConfigProblem

__all__ = ["find_workspace_root", "read_cargo_package"]

_INHERITABLE = (
    "version",
    "description",
    "authors",
    "license",
    "license-file",
    "keywords",
    "homepage",
    "repository",
    "documentation",
    "readme",
)


def _excluded(workspace: Mapping[str, Any], root: Path, crate_dir: Path) -> bool:
    """cargo's ``is_excluded``: under an ``exclude`` path and under no ``members`` path.

    >>> ws = {"members": ["core"], "exclude": ["py", "core"]}
    >>> _excluded(ws, Path("/w"), Path("/w/py")), _excluded(ws, Path("/w"), Path("/w/core"))
    (True, False)
    """

    def under(key: str) -> bool:
        paths = workspace.get(key)
        if not isinstance(paths, list):
            return False
        return any(
            isinstance(p, str) and crate_dir.is_relative_to(os.path.normpath(root / p))
            for p in paths
        )

    return under("exclude") and not under("members")


def _member(workspace: Mapping[str, Any], root: Path, crate_dir: Path, files: TomlFiles) -> bool:
    """cargo's membership: a ``members`` glob names the crate's directory, or the
    crate is a path dependency (direct or not) of a member, inside the root."""
    from ferrule.config.path_deps import _dependency_dirs

    patterns = workspace.get("members")
    members: list[Path] = []
    for pattern in patterns if isinstance(patterns, list) else ():
        if not isinstance(pattern, str):
            continue
        if any(c in pattern for c in "*?["):
            members += [p for p in root.glob(pattern) if (p / "Cargo.toml").is_file()]
        else:
            members.append(Path(os.path.normpath(root / pattern)))
    seen = {m.resolve() for m in members} | {root.resolve()}
    stack = list(seen)
    while stack:
        if crate_dir in seen:
            return True
        current = stack.pop() / "Cargo.toml"
        data = files.read_if_valid(current)
        if data is None:
            continue
        for dependency in _dependency_dirs(current, data, files, with_dev=True):
            directory = dependency.resolve()
            if directory not in seen and directory.is_relative_to(root.resolve()):
                seen.add(directory)
                stack.append(directory)
    return crate_dir in seen


def find_workspace_root(
    manifest: Path, package: Mapping[str, Any], files: TomlFiles
) -> Path | None:
    """The Cargo.toml of the workspace that ``manifest`` belongs to, if any.

    Follows cargo: an explicit ``package.workspace`` path, else the nearest
    ancestor whose Cargo.toml has a ``[workspace]`` table that does not
    exclude the crate (an excluding one is passed over, as cargo does). A
    crate below that root which is not one of its members is refused, as
    cargo refuses it ("believes it's in a workspace when it's not").
    """
    explicit = package.get("workspace")
    if isinstance(explicit, str):
        root = (manifest.parent / explicit).resolve()
        return root / "Cargo.toml" if root.is_dir() else root
    for parent in manifest.parent.parents:
        candidate = parent / "Cargo.toml"
        if candidate.is_file():
            data = files.read_if_valid(candidate)
            if data is None:
                return None
            workspace = data.get("workspace")
            if isinstance(workspace, Mapping) and not _excluded(workspace, parent, manifest.parent):
                if not _member(workspace, parent, manifest.parent.resolve(), files):
                    relative = manifest.parent.relative_to(parent).as_posix()
                    raise ConfigError.single(
                        manifest,
                        "package",
                        f"the crate is inside the workspace of {candidate} but not one of "
                        f"its members; add {relative!r} to workspace.members or "
                        "workspace.exclude there (cargo refuses it too)",
                    )
                return candidate
    return None


def _inherit(
    package: dict[str, Any],
    manifest: Path,
    workspace: Path | None,
    workspace_package: Mapping[str, Any],
    problems: list[ConfigProblem],
) -> None:
    for key in _INHERITABLE:
        value = package.get(key)
        if isinstance(value, dict) and value.get("workspace") is True:
            if workspace is None:
                problems.append(
                    ConfigProblem(
                        manifest,
                        f"package.{key}",
                        "inherits from the workspace, but no workspace root was found",
                    )
                )
                package.pop(key)
            elif key not in workspace_package:
                problems.append(
                    ConfigProblem(
                        manifest,
                        f"package.{key}",
                        f"inherits from the workspace, but {workspace} has no "
                        f"workspace.package.{key}",
                    )
                )
                package.pop(key)
            else:
                inherited = workspace_package[key]
                # Paths in [workspace.package] are relative to the workspace root.
                if key in ("license-file", "readme") and isinstance(inherited, str):
                    assert workspace is not None
                    target = workspace.parent / inherited
                    inherited = Path(os.path.relpath(target, manifest.parent)).as_posix()
                package[key] = inherited


# The metadata fields (the inheritable ones but version and readme, read apart).
_METADATA_FIELDS = tuple(k for k in _INHERITABLE if k not in ("version", "readme"))
_LIST_FIELDS = ("authors", "keywords")


def _opt_str(
    package: Mapping[str, Any], key: str, manifest: Path, problems: list[ConfigProblem]
) -> str | None:
    value = package.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(ConfigProblem(manifest, f"package.{key}", "must be a string"))
    return None


def _str_list(
    package: Mapping[str, Any], key: str, manifest: Path, problems: list[ConfigProblem]
) -> tuple[str, ...]:
    value = package.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(ConfigProblem(manifest, f"package.{key}", "must be an array of strings"))
    return ()


def read_cargo_package(manifest: Path, files: TomlFiles) -> CargoPackage:
    """Read the ``[package]`` of ``manifest`` with workspace inheritance resolved."""
    data = files.read(manifest)
    problems: list[ConfigProblem] = []
    raw_package = data.get("package")
    if not isinstance(raw_package, dict):
        if "workspace" in data:
            raise ConfigError.single(
                manifest,
                "package",
                "is a virtual workspace manifest; point manifest-path (-m) at the "
                "Cargo.toml of the member crate to build",
            )
        raise ConfigError.single(manifest, "package", "missing [package] table")
    package = dict(raw_package)
    # A manifest with its own [workspace] is its workspace's root.
    workspace = (
        manifest if "workspace" in data else find_workspace_root(manifest.resolve(), package, files)
    )
    workspace_package: Mapping[str, Any] = {}
    if workspace is not None and workspace.resolve() != manifest.resolve():
        ws = files.read(workspace).get("workspace", {})
        workspace_package = ws.get("package", {}) if isinstance(ws, dict) else {}
    elif workspace is not None:
        ws = data.get("workspace", {})
        workspace_package = ws.get("package", {}) if isinstance(ws, dict) else {}
    _inherit(package, manifest, workspace, workspace_package, problems)

    name = package.get("name")
    if not isinstance(name, str) or not name:
        problems.append(ConfigProblem(manifest, "package.name", "missing or not a string"))
        name = ""
    version = _opt_str(package, "version", manifest, problems)

    lib = data.get("lib", {})
    if not isinstance(lib, dict):
        problems.append(ConfigProblem(manifest, "lib", "must be a table"))
        lib = {}
    lib_name = lib.get("name")
    if lib_name is not None and not isinstance(lib_name, str):
        problems.append(ConfigProblem(manifest, "lib.name", "must be a string"))
        lib_name = None
    crate_types = lib.get("crate-type", lib.get("crate_type", []))
    if not (isinstance(crate_types, list) and all(isinstance(c, str) for c in crate_types)):
        problems.append(ConfigProblem(manifest, "lib.crate-type", "must be an array of strings"))
        crate_types = []

    bins = data.get("bin", [])
    bin_names = (
        tuple(b["name"] for b in bins if isinstance(b, dict) and isinstance(b.get("name"), str))
        if isinstance(bins, list)
        else ()
    )

    deps = data.get("dependencies", {})
    readme = package.get("readme")
    if readme is not None and not isinstance(readme, (str, bool)):
        problems.append(ConfigProblem(manifest, "package.readme", "must be a string or false"))
        readme = None

    # The metadata fields, by their CargoPackage names (license-file -> license_file).
    metadata: dict[str, Any] = {
        key.replace("-", "_"): (_str_list if key in _LIST_FIELDS else _opt_str)(
            package, key, manifest, problems
        )
        for key in _METADATA_FIELDS
    }
    if problems:
        raise ConfigError(problems)
    return CargoPackage(
        manifest,
        name,
        version,
        lib_name,
        tuple(crate_types),
        bin_names,
        dependencies=deps if isinstance(deps, dict) else {},
        workspace_root=workspace,
        # cargo: `readme = true` means README.md; unset means "look for one".
        readme="README.md" if readme is True else readme,
        **metadata,
    )
