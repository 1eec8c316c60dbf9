"""The crates linked into the built library, from ``cargo metadata`` for the target.

``--bundle-licenses`` ships the license files of every crate whose code ends up
in the wheel. They are the crates reached from the root package through
*normal* dependency edges of the resolve graph (``resolve.nodes[].deps[].dep_kinds``
with ``kind`` null), for the build's target (``--filter-platform``) and
features (and those of ``[[tool.ferrule.extensions]]`` crates, with theirs).
Dev-dependencies never reach the library; a build-dependency runs
on the build machine only, so a crate reached only through build edges is left
out, and so is everything it alone pulls in. Proc-macro crates are normal
dependencies and count, as in cargo-about and cargo-deny (and ``cargo tree -e
normal``): the code they generate is compiled into the library. The root
package itself is not listed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.cargo.command import cargo_program, feature_flags, global_flags
from ferrule.cargo.metadata import metadata_json
from ferrule.config.model import CargoOptions, FeatureSpec, Settings
from ferrule.errors import FerruleError

__all__ = ["LinkedCrate", "linked_crates", "read_linked_crates"]


@record
class LinkedCrate:
    """One crate of the graph: where its sources are and what license it declares."""

    name: str
    version: str
    directory: Path  # the directory of its Cargo.toml (registry, git or path source)
    license: str | None  # Cargo.toml's ``license`` (an SPDX expression)
    license_file: str | None  # Cargo.toml's ``license-file``, relative to ``directory``


def _is_normal(dep: Mapping[str, Any]) -> bool:
    """Whether an edge is a normal dependency (of any target); old cargo has no dep_kinds."""
    kinds = dep.get("dep_kinds")
    if not kinds:
        return True
    return any(kind.get("kind") is None for kind in kinds)


def linked_crates(data: Mapping[str, Any], manifest: Path) -> list[LinkedCrate]:
    """The crates reached from the package at ``manifest`` through normal edges, sorted.

    >>> data = {
    ...     "packages": [
    ...         {"id": "r", "name": "demo", "version": "0.1.0", "manifest_path": "/p/Cargo.toml"},
    ...         {"id": "a", "name": "a", "version": "1.0.0", "license": "MIT",
    ...          "manifest_path": "/reg/a-1.0.0/Cargo.toml"},
    ...         {"id": "b", "name": "b", "version": "2.0.0", "license_file": "COPYING",
    ...          "manifest_path": "/reg/b-2.0.0/Cargo.toml"},
    ...         {"id": "t", "name": "t", "version": "1.0.0", "manifest_path": "/reg/t/Cargo.toml"},
    ...         {"id": "cc", "name": "cc", "version": "1.0.0", "manifest_path": "/reg/cc/Cargo.toml"},
    ...     ],
    ...     "resolve": {"nodes": [
    ...         {"id": "r", "deps": [
    ...             {"pkg": "a", "dep_kinds": [{"kind": None}]},
    ...             {"pkg": "t", "dep_kinds": [{"kind": "dev"}]},
    ...             {"pkg": "cc", "dep_kinds": [{"kind": "build"}]}]},
    ...         {"id": "a", "deps": [{"pkg": "b", "dep_kinds": [{"kind": None}]}]},
    ...         {"id": "b", "deps": []}, {"id": "t", "deps": []}, {"id": "cc", "deps": []}]},
    ... }
    >>> [(c.name, c.version, c.license, c.license_file) for c in linked_crates(
    ...     data, Path("/p/Cargo.toml"))]
    [('a', '1.0.0', 'MIT', None), ('b', '2.0.0', None, 'COPYING')]
    """
    packages = {p["id"]: p for p in data.get("packages", [])}
    target = manifest.resolve()
    root = next(
        (i for i, p in packages.items() if Path(p["manifest_path"]).resolve() == target), None
    )
    if root is None:
        raise FerruleError(f"cargo metadata does not list the package at {manifest}")
    nodes = {n["id"]: n for n in (data.get("resolve") or {}).get("nodes", [])}
    seen = {root}
    stack = [root]
    while stack:
        for dep in nodes.get(stack.pop(), {}).get("deps", []):
            if dep["pkg"] not in seen and _is_normal(dep):
                seen.add(dep["pkg"])
                stack.append(dep["pkg"])
    seen.discard(root)
    crates = [
        LinkedCrate(
            name=p["name"],
            version=p["version"],
            directory=Path(p["manifest_path"]).parent,
            license=p.get("license") or None,
            license_file=p.get("license_file") or None,
        )
        for p in (packages[i] for i in seen if i in packages)
    ]
    return sorted(crates, key=lambda c: (c.name, c.version, str(c.directory)))


def read_linked_crates(settings: Settings) -> list[LinkedCrate]:
    """The crates linked into the wheel's libraries: the main crate's and those of
    ``[[tool.ferrule.extensions]]`` (each with its own features), for this build's target.

    One ``cargo metadata --filter-platform`` per crate. The crates built for the wheel
    are none of them; a missing extension manifest is left to the build plan to report.
    """
    from ferrule.interpreter import host_triple

    options = settings.cargo_options
    target = options.target or host_triple(settings.environ)
    runs = [(settings.cargo.manifest_path, options)]
    for extra in settings.tool.extensions:
        manifest = (settings.project_dir / extra.manifest_path).resolve()
        if manifest.is_file():
            features = tuple(FeatureSpec(f) for f in extra.features)
            runs.append(
                (
                    manifest,
                    dataclasses.replace(
                        options, features=features, all_features=False, no_default_features=False
                    ),
                )
            )
    roots = {manifest.resolve().parent for manifest, _ in runs}
    found: dict[tuple[str, str, Path], LinkedCrate] = {}
    for manifest, run_options in runs:
        for crate in _cargo_metadata(settings, manifest, run_options, target):
            if crate.directory.resolve() not in roots:
                found.setdefault((crate.name, crate.version, crate.directory), crate)
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1], str(k[2])))]


def _cargo_metadata(
    settings: Settings, manifest: Path, options: CargoOptions, target: str
) -> list[LinkedCrate]:
    argv = [cargo_program(settings.environ), "metadata", "--format-version", "1"]
    argv += ["--manifest-path", str(manifest), "--filter-platform", target]
    argv += feature_flags(options, None) + global_flags(options)
    return linked_crates(metadata_json(argv, settings.environ), manifest)
