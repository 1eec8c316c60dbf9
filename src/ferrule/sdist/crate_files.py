"""The Rust side of an sdist: each local crate's files as ``cargo package`` lists them,
its Cargo.toml rewritten to build where it lands, the workspace manifest and Cargo.lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ferrule import _log
from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist import manifests
from ferrule.sdist.collector import SdistContext, join, rel, toml_bytes
from ferrule.sdist.crates import CrateGraph, LocalCrate
from ferrule.sdist.files import contained_file, is_build_leftover

if TYPE_CHECKING:
    from ferrule.config.model import Settings

__all__ = ["add_cargo_lock", "add_crate", "add_workspace_manifest"]

_CARGO_GENERATED = frozenset(
    {"Cargo.toml", "Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.lock"}
)


def _package_table(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    package = doc.get("package", {})
    return package if isinstance(package, Mapping) else {}


def _workspace_package_value(settings: Settings, workspace_manifest: Path, key: str) -> Any:
    package = settings.workspace_table(workspace_manifest.parent).get("package", {})
    return package.get(key) if isinstance(package, Mapping) else None


def _relocate_manifest_files(
    ctx: SdistContext, crate: LocalCrate, doc: Any, prefix: str, workspace_manifest: Path | None
) -> None:
    """A readme or license-file outside the crate is copied next to its
    Cargo.toml and the key rewritten, as ``cargo package`` does."""
    for key in ("readme", "license-file"):
        value = _package_table(doc).get(key)
        base = crate.directory
        if isinstance(value, Mapping) and value.get("workspace") is True and workspace_manifest:
            value = _workspace_package_value(ctx.settings, workspace_manifest, key)
            base = workspace_manifest.parent
        if not isinstance(value, str):
            continue
        path = (base / value).resolve()
        if path.is_relative_to(crate.directory):
            continue  # cargo lists it, and the key still points at it
        if not path.is_file():
            raise ConfigError.single(
                crate.manifest_path, f"package.{key}", f"{path} does not exist"
            )
        ctx.collector.add_file(join(prefix, path.name), path, excludable=False)
        manifests.set_package_key(doc, key, path.name)


def _missing_targets(crate: LocalCrate, packaged: set[str]) -> tuple[dict[str, set[str]], bool]:
    missing: dict[str, set[str]] = {}
    build_missing = False
    for target in crate.targets:
        try:
            relative = target.src_path.relative_to(crate.directory).as_posix()
        except ValueError:
            relative = ""
        if relative in packaged:
            continue
        if target.kind == "custom-build":
            build_missing = True
        elif target.kind != "lib":
            missing.setdefault(target.kind, set()).add(target.name)
    return missing, build_missing


def add_crate(
    ctx: SdistContext, graph: CrateGraph, crate: LocalCrate, files: Sequence[str]
) -> None:
    """The crate's ``files`` (its ``cargo package --list``) and its rewritten Cargo.toml."""
    settings = ctx.settings
    prefix = rel(crate.directory, ctx.sdist_root)
    is_root = crate == graph.root
    python_dirs: list[Path] = []
    if is_root:
        if ctx.layout.python_module is not None:
            python_dirs.append(ctx.layout.python_module)
        python_dirs += list(ctx.layout.python_packages)
    dist_prefix = f"{ctx.metadata.dist_name}-"
    packaged: set[str] = set()
    for relative in files:
        if relative in _CARGO_GENERATED:
            continue
        source = crate.directory / relative
        arcname = join(prefix, relative)
        if source == settings.pyproject_path:
            continue
        if any(source.is_relative_to(d) for d in python_dirs) and (
            arcname != ctx.python_arcname(source)
        ):
            continue  # placed relative to pyproject.toml instead (maturin #2383)
        if is_build_leftover(PurePosixPath(relative), dist_prefix) or not source.is_file():
            continue
        if contained_file(source, ctx.sdist_root) is None:
            continue
        packaged.add(relative)
        ctx.collector.add_file(arcname, source)

    doc = manifests.parse(crate.manifest_path)
    workspace_manifest: Path | None = None
    if crate.member:
        workspace_manifest = graph.workspace_root / "Cargo.toml"
    else:
        root = settings.workspace_dir_of(crate.manifest_path)
        if root != crate.directory:
            # Its workspace root stays behind: inline what the crate inherits.
            ws_table = settings.workspace_table(root)
            manifests.inline_workspace_inheritance(
                doc, ws_table, crate.directory, root, crate.manifest_path
            )
    _relocate_manifest_files(ctx, crate, doc, prefix, workspace_manifest)
    missing, build_missing = _missing_targets(crate, packaged)
    manifests.drop_missing_targets(doc, missing, build_missing)
    if "workspace" in doc:
        shipped = [c.directory for c in graph.crates]
        if crate.directory == graph.workspace_root:
            manifests.prune_workspace(doc, crate.directory, _member_dirs(graph), shipped)
        else:
            manifests.prune_workspace(doc, crate.directory, [crate.directory], shipped)
    ctx.collector.add_data(join(prefix, "Cargo.toml"), toml_bytes(doc), crate.manifest_path)


def _member_dirs(graph: CrateGraph) -> list[Path]:
    return [c.directory for c in graph.crates if c.member]


def add_workspace_manifest(ctx: SdistContext, graph: CrateGraph) -> None:
    """The workspace root's Cargo.toml, when it is not itself a crate in the sdist."""
    root = graph.workspace_root
    if any(c.directory == root for c in graph.crates):
        return
    manifest = root / "Cargo.toml"
    doc = manifests.parse(manifest)
    manifests.prune_workspace(doc, root, _member_dirs(graph), [c.directory for c in graph.crates])
    if "package" in doc:
        manifests.strip_to_workspace(doc)
    ctx.collector.add_data(join(rel(root, ctx.sdist_root), "Cargo.toml"), toml_bytes(doc), manifest)


def add_cargo_lock(ctx: SdistContext, graph: CrateGraph) -> None:
    for candidate in (graph.root.directory / "Cargo.lock", graph.workspace_root / "Cargo.lock"):
        if candidate.is_file():
            ctx.collector.add_file(rel(candidate, ctx.sdist_root), candidate, excludable=False)
            return
    options = ctx.settings.cargo_options
    if options.locked or options.frozen:
        raise FerruleError(
            f"Cargo.lock not found next to {graph.root.manifest_path} or in the workspace "
            f"root {graph.workspace_root}, but --locked/--frozen needs it; run cargo "
            "generate-lockfile"
        )
    _log.warn(
        "Cargo.lock not found: the sdist will resolve dependency versions anew when built; "
        "commit a Cargo.lock (cargo generate-lockfile) for reproducible builds"
    )
