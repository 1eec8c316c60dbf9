"""What goes into an sdist, and where.

The archive mirrors the source tree below the *sdist root*: the closest
directory that contains the Cargo workspace, pyproject.toml, every local crate
the extension uses and the Python sources. Crates keep their place relative
to that root, so relative ``path = "../core"`` dependencies still resolve.

As in maturin, ``pyproject.toml`` must sit at the top of the sdist; when it
lives deeper in the tree (a workspace member, or next to a crate whose path
dependencies are outside it) it moves to the top, gets ``manifest-path`` (and
``python-source`` where needed), and the files it refers to (Python sources,
readme, license files, includes, data) are placed relative to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ferrule import _log
from ferrule.config.model import Settings
from ferrule.errors import ConfigError, FerruleError, LayoutError
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.sdist import manifests
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.crates import CrateGraph, LocalCrate, load_crate_graph, package_file_list
from ferrule.sdist.files import (
    GlobSet,
    contained_file,
    git_tracked_files,
    git_visible_files,
    is_build_leftover,
    walk_files,
)

__all__ = ["SdistPlan", "plan_sdist"]

_CARGO_GENERATED = frozenset(
    {"Cargo.toml", "Cargo.toml.orig", ".cargo_vcs_info.json", "Cargo.lock"}
)


@dataclass(frozen=True)
class SdistPlan:
    root: str  # the top directory in the archive, ``<name>-<version>``
    filename: str
    entries: tuple[SdistEntry, ...]

    def names(self) -> list[str]:
        return sorted(e.arcname for e in self.entries)


def _rel(path: Path, start: Path) -> str:
    return PurePosixPath(Path(os.path.relpath(path, start))).as_posix()


def _join(prefix: str, name: str) -> str:
    return name if prefix in ("", ".") else f"{prefix}/{name}"


def common_root(paths: Iterable[Path]) -> Path:
    """The deepest directory containing all ``paths``.

    >>> common_root([Path("/a/b/py"), Path("/a/b/core"), Path("/a/b/py/src")])
    PosixPath('/a/b')
    """
    return Path(os.path.commonpath([str(p) for p in paths]))


def _toml_bytes(doc: Any) -> bytes:
    text: str = doc.as_string()
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o111)


class _Collector:
    """Entries by archive name; the same file twice is fine, two files for one name are not."""

    def __init__(self, project_dir: Path, excludes: GlobSet) -> None:
        self.project_dir = project_dir
        self.excludes = excludes
        self.entries: dict[str, SdistEntry] = {}

    def excluded(self, source: Path, arcname: str) -> bool:
        if not self.excludes:
            return False
        try:
            relative = source.relative_to(self.project_dir).as_posix()
        except ValueError:
            relative = arcname
        return self.excludes.matches(relative)

    def _put(self, entry: SdistEntry) -> None:
        previous = self.entries.get(entry.arcname)
        if previous is None:
            self.entries[entry.arcname] = entry
            return
        before, now = previous.made_from(), entry.made_from()
        same = before is not None and now is not None and before.resolve() == now.resolve()
        if same:
            # As maturin: a file copied (an include) and its rewrite for the sdist
            # (Cargo.toml, pyproject.toml) are one entry, and the rewrite wins.
            if previous.source is not None and entry.source is None:
                self.entries[entry.arcname] = entry
            return
        raise FerruleError(
            f"two files would be {entry.arcname} in the sdist: {previous.describe()} and "
            f"{entry.describe()}; rename one, or leave one out with "
            "tool.maturin.exclude (format 'sdist')"
        )

    def add_file(self, arcname: str, source: Path, *, excludable: bool = True) -> None:
        if excludable and self.excluded(source, arcname):
            _log.debug(f"sdist: {arcname} excluded by the exclude setting")
            return
        self._put(SdistEntry(arcname, source=source, executable=_executable(source)))

    def add_data(self, arcname: str, data: bytes, origin: Path | None = None) -> None:
        """Generated content; ``origin`` is the file it rewrites, if any."""
        self._put(SdistEntry(arcname, data=data, origin=origin))

    def has(self, arcname: str) -> bool:
        return arcname in self.entries


@dataclass
class _Context:
    settings: Settings
    layout: ProjectLayout
    metadata: PackageMetadata
    project_dir: Path  # where pyproject.toml is
    sdist_root: Path  # the tree the archive mirrors
    collector: _Collector

    def python_arcname(self, path: Path) -> str:
        """Files the pyproject refers to: relative to it (it moves to the top)."""
        if path.is_relative_to(self.project_dir):
            return _rel(path, self.project_dir)
        return _rel(path, self.sdist_root)


def _package_table(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    package = doc.get("package", {})
    return package if isinstance(package, Mapping) else {}


def _workspace_package_value(settings: Settings, workspace_manifest: Path, key: str) -> Any:
    package = settings.workspace_table(workspace_manifest.parent).get("package", {})
    return package.get(key) if isinstance(package, Mapping) else None


def _relocate_manifest_files(
    ctx: _Context, crate: LocalCrate, doc: Any, prefix: str, workspace_manifest: Path | None
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
        ctx.collector.add_file(_join(prefix, path.name), path, excludable=False)
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


def _add_crate(ctx: _Context, graph: CrateGraph, crate: LocalCrate) -> None:
    settings = ctx.settings
    cargo = settings.environ.get("CARGO", "cargo")
    prefix = _rel(crate.directory, ctx.sdist_root)
    is_root = crate == graph.root
    python_dirs: list[Path] = []
    if is_root:
        if ctx.layout.python_module is not None:
            python_dirs.append(ctx.layout.python_module)
        python_dirs += list(ctx.layout.python_packages)
    dist_prefix = f"{ctx.metadata.dist_name}-"
    packaged: set[str] = set()
    files = package_file_list(cargo, crate.manifest_path, settings.cargo_options, settings.environ)
    for relative in files:
        if relative in _CARGO_GENERATED:
            continue
        source = crate.directory / relative
        arcname = _join(prefix, relative)
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
    ctx.collector.add_data(_join(prefix, "Cargo.toml"), _toml_bytes(doc), crate.manifest_path)


def _member_dirs(graph: CrateGraph) -> list[Path]:
    return [c.directory for c in graph.crates if c.member]


def _add_workspace_manifest(ctx: _Context, graph: CrateGraph) -> None:
    """The workspace root's Cargo.toml, when it is not itself a crate in the sdist."""
    root = graph.workspace_root
    if any(c.directory == root for c in graph.crates):
        return
    manifest = root / "Cargo.toml"
    doc = manifests.parse(manifest)
    manifests.prune_workspace(doc, root, _member_dirs(graph), [c.directory for c in graph.crates])
    if "package" in doc:
        manifests.strip_to_workspace(doc)
    ctx.collector.add_data(
        _join(_rel(root, ctx.sdist_root), "Cargo.toml"), _toml_bytes(doc), manifest
    )


def _add_cargo_lock(ctx: _Context, graph: CrateGraph) -> None:
    for candidate in (graph.root.directory / "Cargo.lock", graph.workspace_root / "Cargo.lock"):
        if candidate.is_file():
            ctx.collector.add_file(_rel(candidate, ctx.sdist_root), candidate, excludable=False)
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


def _project_file(ctx: _Context, field: str) -> str | None:
    """The ``file`` of ``project.readme`` / ``project.license``, if any."""
    project = ctx.settings.project_table or {}
    value = project.get(field)
    if field == "readme" and isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("file"), str):
        return str(value["file"])
    return None


def _add_project_metadata_files(ctx: _Context, git: bool) -> dict[str, str]:
    """Readme and license files named in ``[project]``; returns path rewrites."""
    rewrites: dict[str, str] = {}
    assert ctx.settings.pyproject_path is not None
    for field in ("readme", "license"):
        value = _project_file(ctx, field)
        if value is None:
            continue
        path = (ctx.project_dir / value).resolve()
        if not path.is_relative_to(ctx.project_dir):
            if git:
                raise ConfigError.single(
                    ctx.settings.pyproject_path,
                    f"project.{field}",
                    f'{value!r} is outside the project; sdist-generator = "git" packages '
                    "only files below pyproject.toml",
                )
            if not path.is_relative_to(ctx.sdist_root):
                raise ConfigError.single(
                    ctx.settings.pyproject_path,
                    f"project.{field}",
                    f"{value!r} is outside the tree the sdist is made of ({ctx.sdist_root}); "
                    "use a file inside the project",
                )
            arcname = _rel(path, ctx.sdist_root)
            rewrites[field] = arcname
        else:
            arcname = _rel(path, ctx.project_dir)
        if path.is_file():
            ctx.collector.add_file(arcname, path, excludable=False)
    for relative, path in ctx.metadata.license_files:
        ctx.collector.add_file(relative, path, excludable=False)
    return rewrites


def _add_python_sources(ctx: _Context) -> None:
    layout = ctx.layout
    roots: list[Path] = []
    if layout.python_module is not None:
        roots.append(layout.python_module)
    roots += [p for p in layout.python_packages if p not in roots]
    if layout.data_dir is not None:
        roots.append(layout.data_dir)
    if layout.root_stub is not None:
        # maturin leaves the stub of a pure-Rust module behind when pyproject.toml moves.
        roots.append(layout.root_stub)
    for root in roots:
        if root.is_file():
            if contained_file(root, ctx.sdist_root) is not None:
                ctx.collector.add_file(ctx.python_arcname(root), root)
            continue
        visible = git_visible_files(root, ctx.settings.environ)
        for path in walk_files(root, ctx.sdist_root):
            if visible is not None and path.resolve() not in visible:
                continue
            ctx.collector.add_file(ctx.python_arcname(path), path)


def _add_includes(ctx: _Context) -> None:
    for spec in ctx.settings.tool.include:
        if "sdist" not in spec.formats or spec.from_out_dir:
            continue
        matches: list[Path] = []
        for base in (ctx.project_dir, ctx.layout.python_dir):
            try:
                matches = sorted(p for p in base.glob(spec.path) if p.is_file())
            except ValueError as exc:  # absolute or empty patterns
                assert ctx.settings.pyproject_path is not None
                raise ConfigError.single(
                    ctx.settings.pyproject_path,
                    f"{ctx.settings.tool_table}.include",
                    f"{spec.path!r}: {exc}",
                ) from None
            if matches:
                break
        if not matches:
            _log.warn(f"{ctx.settings.tool_table}.include: {spec.path!r} matches no file")
        for path in matches:
            if contained_file(path, ctx.sdist_root) is not None:
                ctx.collector.add_file(ctx.python_arcname(path), path)


def _pyproject_entry(ctx: _Context, metadata_rewrites: Mapping[str, str]) -> None:
    """pyproject.toml at the top; rewritten when it moved there."""
    pyproject = ctx.settings.pyproject_path
    assert pyproject is not None
    if ctx.project_dir == ctx.sdist_root and not metadata_rewrites:
        ctx.collector.add_file("pyproject.toml", pyproject, excludable=False)
        return
    doc = manifests.parse(pyproject)
    tool = {"manifest-path": _rel(ctx.settings.cargo.manifest_path, ctx.sdist_root)}
    layout = ctx.layout
    if layout.python_dir != ctx.project_dir:
        tool["python-source"] = ctx.python_arcname(layout.python_dir)
    if ctx.settings.tool.data and layout.data_dir is not None:
        tool["data"] = ctx.python_arcname(layout.data_dir)
    manifests.rewrite_pyproject(doc, ctx.settings.tool_table, tool, metadata_rewrites)
    ctx.collector.add_data("pyproject.toml", _toml_bytes(doc), pyproject)


def _excludes(settings: Settings) -> GlobSet:
    return GlobSet(spec.path for spec in settings.tool.exclude if "sdist" in spec.formats)


def plan_sdist(settings: Settings) -> SdistPlan:
    """Every file of the sdist (runs ``cargo metadata`` and ``cargo package --list``)."""
    if settings.pyproject_path is None:
        raise LayoutError(
            f"no pyproject.toml for {settings.cargo.manifest_path}: a source distribution "
            "needs one (it names the build backend)"
        )
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    project_dir = settings.project_dir.resolve()
    root_name = f"{metadata.dist_name}-{metadata.version}"
    collector = _Collector(project_dir, _excludes(settings))
    collector.add_data("PKG-INFO", metadata.rfc822)

    graph: CrateGraph | None = None
    git = settings.tool.sdist_generator == "git"
    if git:
        sdist_root = project_dir
    else:
        cargo = settings.environ.get("CARGO", "cargo")
        graph = load_crate_graph(
            cargo, settings.cargo.manifest_path, settings.cargo_options, settings.environ
        )
        anchors = [graph.workspace_root, project_dir, layout.python_dir]
        anchors += [c.directory for c in graph.crates]
        sdist_root = common_root(p.resolve() for p in anchors)
    ctx = _Context(settings, layout, metadata, project_dir, sdist_root, collector)

    if graph is not None:
        for crate in graph.crates:
            _add_crate(ctx, graph, crate)
        _add_cargo_lock(ctx, graph)
        _add_workspace_manifest(ctx, graph)
    else:
        for name in git_tracked_files(project_dir, settings.environ):
            path = project_dir / name
            if not path.is_file() and not path.is_symlink():
                continue  # deleted but still in the index
            if contained_file(path, project_dir) is not None:
                collector.add_file(name, path)

    rewrites = _add_project_metadata_files(ctx, git)
    if graph is not None:
        _add_python_sources(ctx)
    _add_includes(ctx)
    if graph is not None:
        _pyproject_entry(ctx, rewrites)
    elif not collector.has("pyproject.toml"):
        collector.add_file("pyproject.toml", settings.pyproject_path, excludable=False)
    return SdistPlan(root_name, f"{root_name}.tar.gz", tuple(collector.entries.values()))
