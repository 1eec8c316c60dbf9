"""``cargo metadata`` at build time: the crate's targets and dependency graph.

Only builds use this (cargo is needed then anyway); the metadata hooks read
Cargo.toml directly instead (:mod:`ferrule.config.cargo_toml`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ferrule import _log, _run
from ferrule._record import record
from ferrule.cargo.command import cargo_program, feature_flags, global_flags
from ferrule.cargo.metadata_cache import cache_answers, cached_metadata
from ferrule.config.model import CargoOptions, Settings
from ferrule.errors import FerruleError

__all__ = [
    "CargoProject",
    "CargoTarget",
    "metadata_json",
    "parse_metadata",
    "read_metadata",
    "sbom_graph",
    "start_metadata",
]

# The crates whose presence decides the bindings (ferrule.bindings.detect).
BINDINGS_CRATES = frozenset({"pyo3", "pyo3-ffi", "uniffi"})


@record
class CargoTarget:
    name: str
    kinds: tuple[str, ...]
    required_features: tuple[str, ...] = ()


@record
class CargoProject:
    """The root package as cargo resolved it."""

    manifest_path: Path
    name: str
    targets: tuple[CargoTarget, ...]
    # Names of every package reachable from the root through normal and build
    # dependencies, with the features of this build: what binding detection reads.
    dependencies: frozenset[str]
    dependency_versions: Mapping[str, str]
    target_directory: Path
    # The part of cargo's answer an SBOM is made of, as JSON text (``sbom_graph``).
    sbom_graph: str = ""

    def targets_of_kind(self, *kinds: str) -> list[CargoTarget]:
        return [t for t in self.targets if set(t.kinds) & set(kinds)]


def parse_metadata(
    data: Mapping[str, Any], manifest: Path, scoped: frozenset[str] | None = None
) -> CargoProject:
    """Pick the package at ``manifest`` out of ``cargo metadata`` output.

    ``cargo metadata`` unifies features over the whole workspace, so a crate can
    look like it depends on pyo3 when only a sibling member turns on the
    optional dependency. ``scoped``, when given, names the bindings crates
    really in the package's own graph (``cargo tree`` for this package); the
    others are dropped, as maturin does.

    >>> data = {
    ...     "packages": [
    ...         {"id": "a", "name": "demo", "manifest_path": "/p/Cargo.toml", "version": "0.1.0",
    ...          "targets": [{"name": "demo", "kind": ["cdylib"]},
    ...                      {"name": "tool", "kind": ["bin"], "required-features": ["cli"]}]},
    ...         {"id": "b", "name": "pyo3", "manifest_path": "/r/pyo3/Cargo.toml", "version": "0.29.3",
    ...          "targets": []},
    ...         {"id": "c", "name": "criterion", "manifest_path": "/r/c/Cargo.toml", "version": "1.0.0",
    ...          "targets": []},
    ...     ],
    ...     "resolve": {"nodes": [
    ...         {"id": "a", "deps": [
    ...             {"pkg": "b", "dep_kinds": [{"kind": None}]},
    ...             {"pkg": "c", "dep_kinds": [{"kind": "dev"}]}]},
    ...         {"id": "b", "deps": []}, {"id": "c", "deps": []}]},
    ...     "target_directory": "/p/target",
    ... }
    >>> project = parse_metadata(data, Path("/p/Cargo.toml"))
    >>> sorted(project.dependencies), project.dependency_versions["pyo3"]
    (['pyo3'], '0.29.3')
    >>> [t.name for t in project.targets_of_kind("bin")]
    ['tool']
    >>> sorted(parse_metadata(data, Path("/p/Cargo.toml"), frozenset()).dependencies)
    []
    """
    packages = {p["id"]: p for p in data.get("packages", [])}
    root = next(
        (p for p in packages.values() if Path(p["manifest_path"]).resolve() == manifest.resolve()),
        None,
    )
    if root is None:
        raise FerruleError(f"cargo metadata does not list the package at {manifest}")
    nodes = {n["id"]: n for n in (data.get("resolve") or {}).get("nodes", [])}
    seen: set[str] = set()
    stack = [root["id"]]
    while stack:
        current = stack.pop()
        for dep in nodes.get(current, {}).get("deps", []):
            kinds = {k.get("kind") for k in dep.get("dep_kinds", [{"kind": None}])}
            # Dev-dependencies never reach the built library.
            if kinds <= {"dev"} or dep["pkg"] in seen:
                continue
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])
    names = {packages[i]["name"]: packages[i]["version"] for i in seen if i in packages}
    targets = tuple(
        CargoTarget(t["name"], tuple(t["kind"]), tuple(t.get("required-features", [])))
        for t in root.get("targets", [])
    )
    project = CargoProject(
        manifest_path=manifest,
        name=root["name"],
        targets=targets,
        dependencies=frozenset(names),
        dependency_versions=names,
        target_directory=Path(data["target_directory"]),
        sbom_graph=sbom_graph(data, root["id"], seen),
    )
    return _scoped_to(project, scoped)


_SBOM_FIELDS = (
    "id", "name", "version", "source", "manifest_path", "description", "authors", "license",
    "license_file", "homepage", "documentation", "repository", "links",
)  # fmt: skip


def sbom_graph(data: Mapping[str, Any], root: str, reachable: set[str]) -> str:
    """``cargo metadata``'s answer cut to what the SBOM needs, in the same shape.

    The root package and what it reaches through normal and build dependencies
    (as cargo-cyclonedx keeps them), their SBOM fields, the root's targets, and
    the resolve nodes of those packages: JSON text, small enough for the cache.

    >>> data = {"workspace_root": "/p", "packages": [
    ...     {"id": "a", "name": "a", "targets": [{"name": "a", "kind": ["lib"],
    ...      "src_path": "/p/src/lib.rs", "edition": "2021"}]},
    ...     {"id": "b", "name": "b", "targets": [], "keywords": []}],
    ...     "resolve": {"nodes": [{"id": "a", "deps": [{"pkg": "b", "name": "b",
    ...      "dep_kinds": [{"kind": None, "target": None}]}], "features": []},
    ...      {"id": "b", "deps": []}, {"id": "c", "deps": []}]}}
    >>> sbom_graph(data, "a", {"b"})  # doctest: +NORMALIZE_WHITESPACE
    '{"packages":[{"id":"a","name":"a","targets":[{"kind":["lib"],"name":"a",\
"src_path":"/p/src/lib.rs"}]},{"id":"b","name":"b"}],"resolve":{"nodes":[{"deps":[{"dep_kinds":\
[{"kind":null}],"pkg":"b"}],"id":"a"},{"deps":[],"id":"b"}],"root":"a"},"workspace_root":"/p"}'
    """
    kept = reachable | {root}
    packages = []
    for package in data.get("packages", []):
        if package["id"] not in kept:
            continue
        cut = {k: package[k] for k in _SBOM_FIELDS if k in package}
        if package["id"] == root:
            cut["targets"] = [
                {k: t[k] for k in ("name", "kind", "src_path") if k in t}
                for t in package.get("targets", [])
            ]
        packages.append(cut)
    nodes = [
        {
            "id": node["id"],
            "deps": [
                {"pkg": d["pkg"], "dep_kinds": [{"kind": k.get("kind")} for k in d["dep_kinds"]]}
                for d in node.get("deps", [])
            ],
        }
        for node in (data.get("resolve") or {}).get("nodes", [])
        if node["id"] in kept
    ]
    graph = {
        "packages": packages,
        "resolve": {"nodes": nodes, "root": root},
        "workspace_root": data.get("workspace_root"),
    }
    return json.dumps(graph, sort_keys=True, separators=(",", ":"))


def _scoped_to(project: CargoProject, scoped: frozenset[str] | None) -> CargoProject:
    """``project`` without the bindings crates that are not in ``scoped`` (None: all kept)."""
    if scoped is None:
        return project
    names = {
        n: v
        for n, v in project.dependency_versions.items()
        if n not in BINDINGS_CRATES or n in scoped
    }
    return dataclasses.replace(project, dependencies=frozenset(names), dependency_versions=names)


def _resolve_args(options: CargoOptions) -> list[str]:
    """The flags that change how cargo resolves the graph (metadata and tree alike)."""
    return feature_flags(options, None) + global_flags(options)


def _scoped_bindings(
    data: Mapping[str, Any], project: CargoProject, settings: Settings
) -> frozenset[str] | None:
    """The bindings crates in the package's own graph, when the workspace may over-report.

    Only a workspace of several members that lists a bindings crate needs the
    check (``cargo tree`` resolves features for this package alone, as the build
    does). None means: trust ``cargo metadata`` (the check was not needed or failed).
    """
    if len(data.get("workspace_members") or ()) < 2:
        return None
    if not BINDINGS_CRATES & project.dependencies:
        return None
    manifest = project.manifest_path
    options = settings.cargo_options
    argv = [cargo_program(settings.environ), "tree", "--manifest-path", str(manifest)]
    argv += ["--edges", "normal,build", "--prefix", "none", "--format", "{p}"]
    argv += ["--color", "never", "--target", options.target or "all"]
    argv += _resolve_args(options)
    done = _run.run(argv, env=settings.environ, check=False)
    if done.returncode != 0:
        _log.warn(
            f"cargo tree failed for {manifest}, so the bindings are detected from the "
            "workspace's unified features (a pyo3 dependency only another member enables "
            f"counts): {done.stderr.strip()[-500:]}"
        )
        return None
    # Lines look like "pyo3 v0.29.3" (path dependencies add their source).
    return frozenset(line.split()[0] for line in done.stdout.splitlines() if line.strip()) & (
        BINDINGS_CRATES
    )


def metadata_json(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any]:
    """Run a ``cargo metadata`` command line; its JSON object, or one clear error."""
    done = _run.run(argv, env=environ, hint="  cargo could not read the crate")
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise FerruleError("cargo metadata printed something that is not JSON") from None
    if not isinstance(data, dict):
        raise FerruleError("cargo metadata printed something that is not a JSON object")
    return data


def _metadata_argv(settings: Settings) -> list[str]:
    options = settings.cargo_options
    argv = [
        cargo_program(settings.environ),
        "metadata",
        "--format-version",
        "1",
        "--manifest-path",
        str(settings.cargo.manifest_path),
        *_resolve_args(options),
    ]
    if options.target:  # as maturin: the graph (and so the SBOM) of the target's platform only
        argv += ["--filter-platform", options.target]
    return argv


def start_metadata(settings: Settings) -> None:
    """Start the ``cargo metadata`` :func:`read_metadata` will ask for, unless its cache
    has the answer: it then runs while ferrule imports and reads the project."""
    argv = _metadata_argv(settings)
    if not cache_answers(argv, settings.environ):
        _run.start(argv, env=settings.environ)


def read_metadata(settings: Settings) -> CargoProject:
    """Run ``cargo metadata`` for the crate with this build's features."""
    argv = _metadata_argv(settings)
    manifest = settings.cargo.manifest_path
    parsed: list[CargoProject] = []

    def compute() -> Mapping[str, Any]:
        data = metadata_json(argv, settings.environ)
        # Parsed once; `cargo tree` then narrows a workspace's bindings crates.
        project = parse_metadata(data, manifest)
        parsed.append(_scoped_to(project, _scoped_bindings(data, project, settings)))
        return data

    value = cached_metadata(
        argv, manifest, settings.environ, compute, lambda data: _to_tuple(parsed[-1])
    )
    return _from_tuple(value, manifest)


def _to_tuple(project: CargoProject) -> tuple[Any, ...]:
    """:func:`parse_metadata`'s answer as plain values (what the cache keeps)."""
    return (
        project.name,
        tuple((t.name, t.kinds, t.required_features) for t in project.targets),
        tuple(sorted(project.dependency_versions.items())),
        str(project.target_directory),
        project.sbom_graph,
    )


def _from_tuple(value: tuple[Any, ...], manifest: Path) -> CargoProject:
    """The inverse of :func:`_to_tuple`.

    >>> project = CargoProject(Path("/p/Cargo.toml"), "demo",
    ...     (CargoTarget("demo", ("cdylib",)),), frozenset({"pyo3"}), {"pyo3": "0.29.3"},
    ...     Path("/p/target"), "{}")
    >>> value = (project.name, tuple((t.name, t.kinds, t.required_features)
    ...     for t in project.targets), (("pyo3", "0.29.3"),), "/p/target", "{}")
    >>> _from_tuple(value, Path("/p/Cargo.toml")) == project
    True
    """
    name, targets, versions, target_directory, graph = value
    return CargoProject(
        manifest_path=manifest,
        name=name,
        targets=tuple(CargoTarget(n, tuple(k), tuple(f)) for n, k, f in targets),
        dependencies=frozenset(n for n, _ in versions),
        dependency_versions=dict(versions),
        target_directory=Path(target_directory),
        sbom_graph=graph,
    )
