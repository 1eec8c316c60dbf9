"""The local crates an sdist must carry, and the files cargo would package for each.

``cargo metadata`` gives the resolved dependency graph: every crate reachable
from the root whose source is local (a path dependency, a workspace member it
uses, a ``[patch]`` pointing at a directory) has to travel with the sdist.
``cargo package --list`` then says which files of each crate belong in it,
honouring ``package.include`` / ``exclude`` and, in a git checkout, ``.gitignore``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ferrule import _log, _run
from ferrule._record import record
from ferrule.cargo.command import cargo_program, global_flags
from ferrule.config.model import CargoOptions, Settings
from ferrule.errors import FerruleError

__all__ = [
    "CargoTarget",
    "CrateGraph",
    "LocalCrate",
    "file_list_argv",
    "graph_argv",
    "load_crate_graph",
    "package_file_list",
    "start_cargo",
]


@record
class CargoTarget:
    kind: str  # lib, bin, example, test, bench, custom-build
    name: str
    src_path: Path


@record
class LocalCrate:
    """A crate whose sources live on this machine (not in a registry or git)."""

    name: str
    version: str
    manifest_path: Path
    member: bool  # a member of the root crate's workspace
    targets: tuple[CargoTarget, ...]

    @property
    def directory(self) -> Path:
        return self.manifest_path.parent


@record
class CrateGraph:
    workspace_root: Path
    root: LocalCrate
    path_dependencies: tuple[LocalCrate, ...]

    @property
    def crates(self) -> tuple[LocalCrate, ...]:
        return (self.root, *self.path_dependencies)


def _target_kind(kinds: Sequence[str]) -> str:
    for kind in ("bin", "example", "test", "bench", "custom-build"):
        if kind in kinds:
            return kind
    return "lib"


def _crate(package: Mapping[str, Any], members: set[str]) -> LocalCrate:
    return LocalCrate(
        name=package["name"],
        version=package["version"],
        manifest_path=Path(package["manifest_path"]).resolve(),
        member=package["id"] in members,
        targets=tuple(
            CargoTarget(_target_kind(t["kind"]), t["name"], Path(t["src_path"]))
            for t in package.get("targets", [])
        ),
    )


def parse_crate_graph(metadata: Mapping[str, Any], manifest: Path) -> CrateGraph:
    """The local crates reachable from the package at ``manifest``.

    Every node reachable in the resolve graph is visited (a registry crate can
    reach a ``[patch]``-ed local one), but only local ones are collected.
    """
    packages = {p["id"]: p for p in metadata["packages"]}
    members = set(metadata.get("workspace_members", []))
    resolve = metadata.get("resolve") or {}
    nodes = {n["id"]: n for n in resolve.get("nodes", [])}
    root_id = resolve.get("root")
    if root_id is None:
        matches = [p["id"] for p in packages.values() if Path(p["manifest_path"]) == manifest]
        if not matches:
            raise FerruleError(f"cargo metadata does not list the package of {manifest}")
        root_id = matches[0]
    seen = {root_id}
    stack = [root_id]
    local: list[LocalCrate] = []
    while stack:
        node = nodes.get(stack.pop(), {})
        for dep in node.get("deps", []):
            pkg_id = dep["pkg"]
            if pkg_id in seen:
                continue
            seen.add(pkg_id)
            stack.append(pkg_id)
            package = packages[pkg_id]
            if package.get("source") is None:
                local.append(_crate(package, members))
    local.sort(key=lambda c: c.manifest_path)
    return CrateGraph(
        workspace_root=Path(metadata["workspace_root"]).resolve(),
        root=_crate(packages[root_id], members),
        path_dependencies=tuple(local),
    )


def graph_argv(cargo: str, manifest: Path, options: CargoOptions) -> list[str]:
    """The ``cargo metadata`` command line of :func:`load_crate_graph`."""
    return [
        cargo,
        "metadata",
        "--format-version",
        "1",
        "--all-features",
        "--manifest-path",
        str(manifest),
        *global_flags(options),
    ]


def file_list_argv(cargo: str, manifest: Path, options: CargoOptions) -> list[str]:
    """The ``cargo package --list`` command line of :func:`package_file_list`."""
    return [
        cargo,
        "package",
        "--list",
        "--allow-dirty",
        "--manifest-path",
        str(manifest),
        *global_flags(options),
    ]


def start_cargo(settings: Settings) -> None:
    """Start :func:`ferrule.sdist.plan.ask_cargo`'s first two questions (the graph, and the root crate's
    files) side by side, while the sdist's modules are imported and the project is read."""
    if settings.tool.sdist_generator == "git":
        return
    cargo = cargo_program(settings.environ)
    manifest, options = settings.cargo.manifest_path, settings.cargo_options
    _run.start(graph_argv(cargo, manifest, options), env=settings.environ)
    _run.start(file_list_argv(cargo, manifest, options), env=settings.environ)


def load_crate_graph(
    cargo: str, manifest: Path, options: CargoOptions, environ: Mapping[str, str]
) -> CrateGraph:
    """Run ``cargo metadata`` with all features (an sdist serves every feature set)."""
    argv = graph_argv(cargo, manifest, options)
    done = _run.run(argv, env=environ, hint="  cargo could not read the crate's dependency graph")
    try:
        metadata = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise FerruleError(f"cargo metadata printed something that is not JSON: {exc}") from None
    return parse_crate_graph(metadata, manifest)


def package_file_list(
    cargo: str, manifest: Path, options: CargoOptions, environ: Mapping[str, str]
) -> list[str]:
    """``cargo package --list``: the crate's files, relative to its directory."""
    argv = file_list_argv(cargo, manifest, options)
    done = _run.run(
        argv, env=environ, hint=f"  cargo could not list the files of the crate at {manifest}"
    )
    if done.stderr.strip():
        _log.debug(f"cargo package --list {manifest}:\n{done.stderr.rstrip()}")
    return [line for line in done.stdout.splitlines() if line.strip()]
