"""Build wheels: settings -> plan -> cargo -> wheel manifest -> wheel writer."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ferrule import __version__, _log
from ferrule.bindings import detect_bindings
from ferrule.bindings.bin import script_entries
from ferrule.bindings.pyo3 import check_module_init, extension_entries
from ferrule.cargo.build import CargoResult, run_cargo
from ferrule.cargo.command import plan_bin, plan_cdylib
from ferrule.cargo.metadata import CargoProject, read_metadata
from ferrule.config.model import FeatureSpec, Settings
from ferrule.errors import ConfigError, FerruleError, LayoutError
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.tags import platform_tag, wheel_tag
from ferrule.wheel.manifest import (
    Entry,
    FileSelection,
    package_entries,
    plan_entries,
    wheel_file,
)
from ferrule.wheel.writer import WheelWriter

if TYPE_CHECKING:
    from ferrule.develop.fresh import WheelStamp

__all__ = [
    "BuiltWheel",
    "PlannedWheel",
    "build_wheels",
    "default_out_dir",
    "planned_wheel",
    "write_dist_info",
]

_PYO3 = ("pyo3", "pyo3-ffi")


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    tag: str
    interpreter: Interpreter | None


class _Staging:
    """Private copies of cargo's artifacts, taken right after each cargo run.

    cargo writes a library to the same path in the target directory whatever
    the interpreter, and two crates with one library name share that path; a
    later cargo run (another interpreter, an extra extension) could replace a
    file before the wheel is written.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def take(self, path: Path) -> Path:
        self.count += 1
        target = self.directory / str(self.count) / path.name
        target.parent.mkdir()
        shutil.copy2(path, target)
        return target


@dataclass(frozen=True)
class _Context:
    """What every step of one build needs, resolved once."""

    settings: Settings
    layout: ProjectLayout
    metadata: PackageMetadata
    project: CargoProject
    bindings: str
    cargo: str
    staging: _Staging
    package_files: list[Entry]

    @property
    def module_key(self) -> str:
        if self.settings.tool.module_name:
            return f"{self.settings.tool_table}.module-name"
        return f"lib.name in {self.settings.cargo.manifest_path}"

    @property
    def data_prefix(self) -> str:
        return f"{self.metadata.dist_name}-{self.metadata.version}.data"


def default_out_dir(settings: Settings) -> Path:
    """``<target-dir>/wheels``, as maturin."""
    if settings.cargo_options.target_dir:
        target = settings.cargo_options.target_dir
    elif settings.environ.get("CARGO_TARGET_DIR"):
        target = Path(settings.environ["CARGO_TARGET_DIR"])
    else:
        root = settings.cargo.workspace_root or settings.cargo.manifest_path
        target = root.parent / "target"
    return target.resolve() / "wheels"


def wheel_filename(metadata: PackageMetadata, tag: str) -> str:
    return f"{metadata.dist_name}-{metadata.version.replace('-', '_')}-{tag}.whl"


def _check_bindings(ctx: _Context, interpreters: Sequence[Interpreter]) -> None:
    settings = ctx.settings
    project = settings.project_table or {}
    if ctx.bindings == "bin" and (project.get("scripts") or project.get("gui-scripts")):
        raise ConfigError.single(
            settings.pyproject_path or settings.cargo.manifest_path,
            "project.scripts",
            "cannot be used with bin bindings: the Rust binaries are the scripts",
        )
    if ctx.bindings == "cffi" and len(interpreters) != 1:
        raise FerruleError("cffi bindings are built with exactly one interpreter; pass one -i")


def _selected_bins(ctx: _Context, *, all_if_unfiltered: bool) -> list[str]:
    """Binary targets to build: filtered by ``targets``, required features met."""
    filters = ctx.settings.tool.targets
    wanted = {t.name for t in filters if t.kind in (None, "bin")}
    enabled = {f.feature for f in ctx.settings.cargo_options.features}
    names = []
    for target in ctx.project.targets_of_kind("bin"):
        if filters and target.name not in wanted:
            continue
        if not filters and not all_if_unfiltered:
            continue
        missing = set(target.required_features) - enabled
        if missing and not ctx.settings.cargo_options.all_features:
            _log.info(f"skipping binary {target.name}: needs features {', '.join(sorted(missing))}")
            continue
        names.append(target.name)
    return names


def _binaries(
    ctx: _Context, names: list[str], interp: Interpreter | None, *, embed_python: bool
) -> list[Entry]:
    paths = []
    for name in names:
        inv = plan_bin(
            ctx.cargo,
            ctx.settings.cargo.manifest_path,
            ctx.settings.cargo_options,
            name,
            interp,
            ctx.settings.environ,
            embed_python=embed_python,
        )
        result = run_cargo(inv, "bin")
        paths += [ctx.staging.take(a.path) for a in result.artifacts if a.target_name == name]
    return script_entries(paths, ctx.data_prefix)


def _library(ctx: _Context, interp: Interpreter | None) -> CargoResult:
    inv = plan_cdylib(
        ctx.cargo,
        ctx.settings.cargo.manifest_path,
        ctx.settings.cargo_options,
        interp,
        ctx.settings.environ,
    )
    return run_cargo(inv, "cdylib")


def _extra_extensions(ctx: _Context, interp: Interpreter) -> list[Entry]:
    """ferrule's ``[[tool.ferrule.extensions]]``: more pyo3 modules in the same wheel."""
    entries = []
    settings = ctx.settings
    for i, extra in enumerate(settings.tool.extensions):
        manifest = (settings.project_dir / extra.manifest_path).resolve()
        key = f"{settings.tool_table}.extensions[{i}]"
        if not manifest.is_file():
            raise ConfigError.single(
                settings.pyproject_path or manifest, f"{key}.manifest-path", f"{manifest} not found"
            )
        options = dataclasses.replace(
            settings.cargo_options,
            features=tuple(FeatureSpec(f) for f in extra.features),
            all_features=False,
            no_default_features=False,
        )
        inv = plan_cdylib(ctx.cargo, manifest, options, interp, settings.environ)
        library = ctx.staging.take(run_cargo(inv, "cdylib").artifacts[0].path)
        parts = extra.module_name.split(".")
        check_module_init(library, parts[-1], f"{key}.module-name")
        entries.append(
            Entry(
                str(PurePosixPath(*parts[:-1], parts[-1] + interp.ext_suffix)),
                source=library,
                executable=True,
            )
        )
    return entries


def _include_entries(ctx: _Context, result: CargoResult | None) -> list[Entry]:
    """``include`` globs for wheels, and copies from the build script's OUT_DIR."""
    settings, layout = ctx.settings, ctx.layout
    entries: list[Entry] = []
    for spec in settings.tool.include:
        if "wheel" not in spec.formats:
            continue
        if spec.from_out_dir:
            out_dir = result.build_script.out_dir if result and result.build_script else None
            if out_dir is None:
                raise FerruleError(
                    f"{settings.tool_table}.include: {spec.path!r} is to be copied from the build "
                    "script's OUT_DIR, but the crate has no build script (build.rs)"
                )
            found = sorted(p for p in out_dir.glob(spec.path) if p.is_file())
            if not found:
                raise FerruleError(
                    f"{settings.tool_table}.include: nothing in {out_dir} matches {spec.path!r}"
                )
            for path in found:
                name = path.relative_to(out_dir).as_posix()
                target = f"{spec.to.strip('/')}/{name}" if spec.to else name
                entries.append(Entry(target, source=path))
            continue
        for base in (settings.project_dir, layout.python_dir):
            found = sorted(p for p in base.glob(spec.path) if p.is_file())
            if found:
                break
        boundary = settings.project_dir.resolve()
        for path in found:
            if not path.resolve().is_relative_to(boundary):
                raise LayoutError(
                    f"{path} (from {settings.tool_table}.include {spec.path!r}) is a link to "
                    f"{path.resolve()}, outside the project {boundary}"
                )
            try:
                rel = path.relative_to(layout.python_dir)
            except ValueError:
                rel = path.relative_to(settings.project_dir)
            entries.append(Entry(rel.as_posix(), source=path))
    return entries


def _native(ctx: _Context, interp: Interpreter) -> tuple[list[Entry], CargoResult | None, str]:
    """Build the crate's artifacts for ``interp``: wheel entries, cargo result, wheel tag."""
    settings, layout, env = ctx.settings, ctx.layout, ctx.settings.environ
    plain_tag = f"py3-none-{platform_tag(interp, env)}"
    if ctx.bindings in _PYO3:
        result = _library(ctx, interp)
        library = ctx.staging.take(result.artifacts[0].path)
        check_module_init(library, layout.extension_name, ctx.module_key)
        entries = extension_entries(
            library,
            layout.extension_dir,
            layout.extension_name + interp.ext_suffix,
            pure=not layout.mixed,
            extension_name=layout.extension_name,
        )
        entries += _extra_extensions(ctx, interp)
        # ferrule: binaries named in `targets` ship alongside the library.
        entries += _binaries(
            ctx, _selected_bins(ctx, all_if_unfiltered=False), interp, embed_python=False
        )
        return entries, result, wheel_tag(interp, env)
    if ctx.bindings == "cffi":
        from ferrule.bindings.cffi import cffi_entries

        result = _library(ctx, None)
        package_dir = (
            layout.extension_dir / layout.extension_name if layout.mixed else layout.extension_dir
        )
        entries = cffi_entries(
            ctx.staging.take(result.artifacts[0].path),
            package_dir,
            layout.extension_name,
            settings.cargo.manifest_path.parent,
            settings.cargo.name,
            interp,
            env,
        )
        return entries, result, plain_tag
    if ctx.bindings == "uniffi":
        from ferrule.bindings.uniffi import uniffi_entries

        result = _library(ctx, None)
        package_dir = (
            layout.extension_dir / layout.extension_name if layout.mixed else layout.extension_dir
        )
        has_bindgen = any(t.name == "uniffi-bindgen" for t in ctx.project.targets_of_kind("bin"))
        entries = uniffi_entries(
            ctx.staging.take(result.artifacts[0].path),
            package_dir,
            settings.cargo.manifest_path.parent,
            has_bindgen,
            env,
        )
        return entries, result, plain_tag
    # bin: binaries as scripts; a pyo3 binary embeds this interpreter.
    names = _selected_bins(ctx, all_if_unfiltered=True)
    if not names:
        raise FerruleError(f"{settings.cargo.manifest_path} has no binary target to build")
    embeds_python = bool({"pyo3", "pyo3-ffi"} & ctx.project.dependencies)
    entries = _binaries(ctx, names, interp if embeds_python else None, embed_python=embeds_python)
    return entries, None, wheel_tag(interp, env) if embeds_python else plain_tag


def _build_one(
    ctx: _Context, interp: Interpreter, out_dir: Path, reuse: bool = False
) -> BuiltWheel:
    settings, metadata = ctx.settings, ctx.metadata
    _log.info(
        f"building {metadata.name} {metadata.version} ({ctx.bindings}) for {interp.describe()}"
    )
    native, result, tag = _native(ctx, interp)
    entries = plan_entries(
        metadata,
        native,
        wheel_file(f"ferrule ({__version__})", [tag]),
        ctx.package_files,
        extra=_include_entries(ctx, result),
    )
    target = out_dir / wheel_filename(metadata, tag)
    stamp = _wheel_stamp(settings, target, entries) if reuse else None
    if stamp is not None and stamp.is_current():
        _log.info(f"{target} is up to date")
        return BuiltWheel(target, tag, interp)
    with WheelWriter(target, metadata.dist_info, settings.environ) as writer:
        for entry in entries:
            if entry.source is not None:
                writer.add_file(entry.arcname, entry.source, entry.executable or None)
            else:
                assert entry.data is not None
                writer.add_bytes(entry.arcname, entry.data, entry.executable)
    if stamp is not None:
        stamp.record()
    _log.info(f"built {target}")
    return BuiltWheel(target, tag, interp)


def _wheel_stamp(settings: Settings, target: Path, entries: Sequence[Entry]) -> WheelStamp:
    """Issue 7: ``ferrule build`` leaves a wheel alone when it would write the same bytes."""
    from ferrule.develop.fresh import WheelStamp

    state = default_out_dir(settings).parent / "ferrule"
    return WheelStamp(state, target, entries, settings.environ)


def build_wheels(
    settings: Settings, interpreters: Sequence[Interpreter], out_dir: Path, reuse: bool = False
) -> list[BuiltWheel]:
    """One wheel per interpreter (one in all for interpreter-independent bindings)."""
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    selection = FileSelection(
        settings.project_dir,
        exclude=tuple(s.path for s in settings.tool.exclude if "wheel" in s.formats),
    )
    package_files = package_entries(layout, metadata, selection)
    project = read_metadata(settings)
    with tempfile.TemporaryDirectory(prefix="ferrule-build-") as staging:
        ctx = _Context(
            settings=settings,
            layout=layout,
            metadata=metadata,
            project=project,
            bindings=detect_bindings(settings.tool.bindings, project),
            cargo=settings.environ.get("CARGO", "cargo"),
            staging=_Staging(Path(staging)),
            package_files=package_files,
        )
        _check_bindings(ctx, interpreters)
        if ctx.bindings not in _PYO3:
            # cffi, uniffi and plain binaries do not depend on the Python version.
            interpreters = interpreters[:1]
        return [_build_one(ctx, interp, out_dir, reuse) for interp in interpreters]


def write_dist_info(settings: Settings, directory: Path) -> str:
    """The ``.dist-info`` directory for ``prepare_metadata_for_build_*``: no compiler involved.

    METADATA, entry_points.txt and licenses/ are exactly what the wheel will
    hold (the same :class:`PackageMetadata` feeds both). The directory is
    assembled next to its final place and moved there in one step.
    """
    metadata = build_metadata(settings)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / metadata.dist_info
    staging = Path(tempfile.mkdtemp(prefix=".ferrule-", dir=directory))
    try:
        (staging / "METADATA").write_bytes(metadata.rfc822)
        if metadata.entry_points:
            (staging / "entry_points.txt").write_bytes(metadata.entry_points)
        for rel, path in metadata.license_files:
            target = staging / "licenses" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        if final.exists():
            shutil.rmtree(final)
        staging.replace(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return metadata.dist_info


# --- Hook point for ferrule.develop (issue 7): a wheel's entries, without the wheel. ---


@dataclass(frozen=True)
class PlannedWheel:
    """What the wheel for one interpreter would hold, for installs that write no wheel.

    Sources of ``native`` entries are staged copies that live as long as the
    :func:`planned_wheel` context.
    """

    native: list[Entry]  # made from cargo's artifacts: extensions, generated files, scripts
    extra: list[Entry]  # ``include`` files
    package_files: list[Entry]  # the project's Python files, stubs, data directory
    wheel_file: bytes
    tag: str
    metadata: PackageMetadata
    layout: ProjectLayout
    bindings: str
    cargo: CargoResult | None  # the library's cargo run (None for bin bindings)


@contextlib.contextmanager
def planned_wheel(settings: Settings, interp: Interpreter) -> Iterator[PlannedWheel]:
    """Everything :func:`build_wheels` does for ``interp``, short of writing the archive.

    The set-up mirrors build_wheels' (keep the two in step).
    """
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    selection = FileSelection(
        settings.project_dir,
        exclude=tuple(s.path for s in settings.tool.exclude if "wheel" in s.formats),
    )
    package_files = package_entries(layout, metadata, selection)
    project = read_metadata(settings)
    with tempfile.TemporaryDirectory(prefix="ferrule-develop-") as staging:
        ctx = _Context(
            settings=settings,
            layout=layout,
            metadata=metadata,
            project=project,
            bindings=detect_bindings(settings.tool.bindings, project),
            cargo=settings.environ.get("CARGO", "cargo"),
            staging=_Staging(Path(staging)),
            package_files=package_files,
        )
        _check_bindings(ctx, [interp])
        native, result, tag = _native(ctx, interp)
        yield PlannedWheel(
            native=native,
            extra=_include_entries(ctx, result),
            package_files=package_files,
            wheel_file=wheel_file(f"ferrule ({__version__})", [tag]),
            tag=tag,
            metadata=metadata,
            layout=layout,
            bindings=ctx.bindings,
            cargo=result,
        )
