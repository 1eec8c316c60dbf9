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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ferrule import _log
from ferrule._record import record
from ferrule.cargo.command import cargo_program
from ferrule.config.model import Settings
from ferrule.errors import ConfigError, LayoutError
from ferrule.layout import determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.sdist import manifests
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.collector import Collector, SdistContext, rel, toml_bytes
from ferrule.sdist.crate_files import add_cargo_lock, add_crate, add_workspace_manifest
from ferrule.sdist.crates import CrateGraph, load_crate_graph, package_file_list
from ferrule.sdist.files import (
    GlobSet,
    contained_file,
    git_tracked_files,
    git_visible_files,
    walk_files,
)

__all__ = ["CargoAnswers", "SdistPlan", "ask_cargo", "make_plan", "plan_sdist"]


@record
class SdistPlan:
    root: str  # the top directory in the archive, ``<name>-<version>``
    filename: str
    entries: tuple[SdistEntry, ...]

    def names(self) -> list[str]:
        return sorted(e.arcname for e in self.entries)


@record
class CargoAnswers:
    """What cargo says about the crates of an sdist: the graph of local crates
    (``cargo metadata``) and each crate's files (``cargo package --list``,
    relative to the crate, by manifest path)."""

    graph: CrateGraph
    file_lists: Mapping[Path, Sequence[str]]


def common_root(paths: Iterable[Path]) -> Path:
    """The deepest directory containing all ``paths``.

    >>> common_root([Path("/a/b/py"), Path("/a/b/core"), Path("/a/b/py/src")])
    PosixPath('/a/b')
    """
    return Path(os.path.commonpath([str(p) for p in paths]))


def _project_file(ctx: SdistContext, field: str) -> str | None:
    """The ``file`` of ``project.readme`` / ``project.license``, if any."""
    project = ctx.settings.project_table or {}
    value = project.get(field)
    if field == "readme" and isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("file"), str):
        return str(value["file"])
    return None


def _add_project_metadata_files(ctx: SdistContext, git: bool) -> dict[str, str]:
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
            arcname = rel(path, ctx.sdist_root)
            rewrites[field] = arcname
        else:
            arcname = rel(path, ctx.project_dir)
        if path.is_file():
            ctx.collector.add_file(arcname, path, excludable=False)
    for relative, path in ctx.metadata.license_files:
        ctx.collector.add_file(relative, path, excludable=False)
    return rewrites


def _add_python_sources(ctx: SdistContext) -> None:
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


def _add_includes(ctx: SdistContext) -> None:
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


def _pyproject_entry(ctx: SdistContext, metadata_rewrites: Mapping[str, str]) -> None:
    """pyproject.toml at the top; rewritten when it moved there."""
    pyproject = ctx.settings.pyproject_path
    assert pyproject is not None
    if ctx.project_dir == ctx.sdist_root and not metadata_rewrites:
        ctx.collector.add_file("pyproject.toml", pyproject, excludable=False)
        return
    doc = manifests.parse(pyproject)
    tool = {"manifest-path": rel(ctx.settings.cargo.manifest_path, ctx.sdist_root)}
    layout = ctx.layout
    if layout.python_dir != ctx.project_dir:
        tool["python-source"] = ctx.python_arcname(layout.python_dir)
    if ctx.settings.tool.data and layout.data_dir is not None:
        tool["data"] = ctx.python_arcname(layout.data_dir)
    manifests.rewrite_pyproject(doc, ctx.settings.tool_table, tool, metadata_rewrites)
    ctx.collector.add_data("pyproject.toml", toml_bytes(doc), pyproject)


def _excludes(settings: Settings) -> GlobSet:
    return GlobSet(spec.path for spec in settings.tool.exclude if "sdist" in spec.formats)


def ask_cargo(settings: Settings) -> CargoAnswers | None:
    """Run ``cargo metadata`` and ``cargo package --list`` for every local crate
    (none for ``sdist-generator = "git"``, which asks git instead)."""
    if settings.tool.sdist_generator == "git":
        return None
    cargo = cargo_program(settings.environ)
    options, environ = settings.cargo_options, settings.environ
    graph = load_crate_graph(cargo, settings.cargo.manifest_path, options, environ)
    file_lists = {
        crate.manifest_path: package_file_list(cargo, crate.manifest_path, options, environ)
        for crate in graph.crates
    }
    return CargoAnswers(graph, file_lists)


def _require_pyproject(settings: Settings) -> None:
    if settings.pyproject_path is None:
        raise LayoutError(
            f"no pyproject.toml for {settings.cargo.manifest_path}: a source distribution "
            "needs one (it names the build backend)"
        )


def plan_sdist(settings: Settings) -> SdistPlan:
    """Every file of the sdist (runs ``cargo metadata`` and ``cargo package --list``)."""
    _require_pyproject(settings)
    # The metadata first: it is read while cargo answers (ferrule.sdist.crates.start_cargo).
    metadata = build_metadata(settings)
    return make_plan(settings, ask_cargo(settings), metadata)


def make_plan(
    settings: Settings, cargo: CargoAnswers | None, metadata: PackageMetadata | None = None
) -> SdistPlan:
    """Every file of the sdist, from cargo's answers (``None``: the git generator).

    ``metadata`` is the project's (:func:`~ferrule.metadata.build_metadata`), when read already.
    """
    _require_pyproject(settings)
    assert settings.pyproject_path is not None
    metadata = metadata or build_metadata(settings)
    layout = determine_layout(settings)
    project_dir = settings.project_dir.resolve()
    root_name = f"{metadata.dist_name}-{metadata.version}"
    collector = Collector(project_dir, _excludes(settings))
    collector.add_data("PKG-INFO", metadata.rfc822)

    graph = cargo.graph if cargo is not None else None
    git = cargo is None
    if cargo is None:
        sdist_root = project_dir
    else:
        anchors = [cargo.graph.workspace_root, project_dir, layout.python_dir]
        anchors += [c.directory for c in cargo.graph.crates]
        sdist_root = common_root(p.resolve() for p in anchors)
    ctx = SdistContext(settings, layout, metadata, project_dir, sdist_root, collector)

    if cargo is not None:
        for crate in cargo.graph.crates:
            add_crate(ctx, cargo.graph, crate, cargo.file_lists[crate.manifest_path])
        add_cargo_lock(ctx, cargo.graph)
        add_workspace_manifest(ctx, cargo.graph)
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
