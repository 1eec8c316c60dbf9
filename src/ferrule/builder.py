"""Build wheels: settings -> plan -> cargo -> wheel manifest -> wheel writer."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ferrule import __version__, _faults, _log
from ferrule.abi import BuildUnit, plan_units, pyo3_config_text, uses_target_abi_config
from ferrule.audit import AuditOutcome, AuditRequest, audit_extension, expand_tags
from ferrule.bindings import detect_bindings
from ferrule.bindings.bin import script_entries
from ferrule.bindings.pyo3 import check_module_init, extension_entries
from ferrule.cargo.build import CargoResult, run_cargo
from ferrule.cargo.command import dynamic_crt_flags, plan_bin, plan_cdylib, with_rustflags
from ferrule.cargo.messages import Artifact
from ferrule.cargo.metadata import CargoProject, read_metadata
from ferrule.cargo.remap import PathRemap, path_remap
from ferrule.cargo.stable_root import StableRoot, activate, default_base, plan_stable_root
from ferrule.config.cargo_toml import read_cargo_package
from ferrule.config.model import FeatureSpec, Settings
from ferrule.config.path_deps import cargo_workspace_root, path_crates
from ferrule.errors import ConfigError, FerruleError, LayoutError
from ferrule.globs import matches
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout, module_name_key
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.tags import platform_tag, stable_abi_tag, wheel_tag
from ferrule.target_dir import default_out_dir
from ferrule.wheel.manifest import (
    Entry,
    FileSelection,
    package_entries,
    plan_entries,
    wheel_file,
)
from ferrule.wheel.sbom import sbom_entries
from ferrule.wheel.writer import WheelWriter, zip_compression

if TYPE_CHECKING:
    from ferrule.develop.fresh import WheelStamp

__all__ = ["BuiltWheel", "PlannedWheel", "build_wheels", "default_out_dir", "planned_wheel"]

_PYO3 = ("pyo3", "pyo3-ffi")


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    tag: str
    interpreter: Interpreter | None
    # The one cargo run everything native in the wheel came from, when that is all
    # (a pyo3 extension without extra extensions or binaries): what a replay redoes.
    cargo: CargoResult | None = None


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

    def fresh_dir(self) -> Path:
        self.count += 1
        target = self.directory / str(self.count)
        target.mkdir()
        return target

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
    remap: PathRemap
    manifest_path: Path  # the crate's manifest as cargo is given it (see _stable_root)
    stable_root: StableRoot | None

    @property
    def module_key(self) -> str:
        return module_name_key(self.settings)

    @property
    def data_prefix(self) -> str:
        return f"{self.metadata.dist_name}-{self.metadata.version}.data"


def _release_like(settings: Settings) -> bool:
    return settings.cargo_options.profile not in (None, "dev", "test")


def _stable_root(settings: Settings, package: str) -> StableRoot | None:
    """For release builds with path dependencies outside the workspace: the stable
    path to build through (see :mod:`ferrule.cargo.stable_root`)."""
    if not _release_like(settings):
        return None
    manifest = settings.cargo.manifest_path
    root = cargo_workspace_root(manifest)
    outside = [c.directory for c in path_crates(manifest) if not c.directory.is_relative_to(root)]
    # A crate of another workspace finds what it inherits (`edition.workspace = true`)
    # in that workspace's root manifest: the link must show that too.
    outside += sorted({cargo_workspace_root(d / "Cargo.toml") for d in outside} - set(outside))
    if not outside and (_rustc_wrapper(settings.environ) or settings.tool.rustc_wrapper):
        # A shared compile cache (sccache) hashes the paths rustc sees: the working
        # directory of workspace crates and OUT_DIR (in <target>/...) of crates that
        # include generated code. Through the link they are the same in every checkout.
        return StableRoot(root, default_base() / package)
    return plan_stable_root(root, outside, package, default_base())


def _rustc_wrapper(env: Mapping[str, str]) -> str | None:
    return env.get("RUSTC_WRAPPER") or env.get("CARGO_BUILD_RUSTC_WRAPPER") or None


def _path_remap(settings: Settings, stable: StableRoot | None) -> PathRemap:
    """Keep the checkout path out of compiled code (see :mod:`ferrule.cargo.remap`)."""
    manifest = settings.cargo.manifest_path

    def view(path: Path) -> Path:
        return stable.translate(path) if stable else path

    return path_remap(
        view(cargo_workspace_root(manifest)),
        [dataclasses.replace(c, directory=view(c.directory)) for c in path_crates(manifest)],
        view(default_out_dir(settings).parent),
        settings.cargo_options.profile,
        settings.cargo_options.rustc_args,
        settings.cargo_options.unstable_flags,
        settings.environ,
    )


def wheel_filename(metadata: PackageMetadata, tag: str) -> str:
    return f"{metadata.dist_name}-{metadata.version.replace('-', '_')}-{tag}.whl"


def _cargo_env(settings: Settings) -> dict[str, str]:
    """cargo's environment for every artifact kind (pyo3, cffi, uniffi, bin, extra
    extensions): the settings' environment, with the zig linker under ``--zig``."""
    env = dict(settings.environ)
    wrapper = settings.tool.rustc_wrapper
    if wrapper and not _rustc_wrapper(env):
        env["RUSTC_WRAPPER"] = wrapper
    if settings.platform.zig:
        from ferrule.interpreter import host_triple
        from ferrule.zig import zig_env

        triple = settings.cargo_options.target or host_triple(settings.environ)
        glibc = (2, 17)
        for value in settings.platform.compatibility:
            if value.startswith("manylinux_"):
                glibc = tuple(int(p) for p in value.split("_")[1:3])  # type: ignore[assignment]
        env.update(zig_env(triple, glibc, default_out_dir(settings).parent / "ferrule" / "zig"))
    return env


def _unit_env(settings: Settings, unit: BuildUnit) -> tuple[dict[str, str], Path | None]:
    """cargo's environment for one pyo3 build unit: :func:`_cargo_env` and the abi3 pyo3
    config file."""
    env = _cargo_env(settings)
    work = default_out_dir(settings).parent / "ferrule"
    config = None
    if unit.abi3 is not None and "PYO3_CONFIG_FILE" not in env and uses_target_abi_config(settings):
        text = pyo3_config_text(unit.interpreter, unit.abi3)
        target = settings.cargo_options.target or "host"
        config = work / f"pyo3-config-{target}-{unit.abi3[0]}.{unit.abi3[1]}-abi3.txt"
        # Rewritten only when it changes: cargo rebuilds pyo3 when the file's mtime moves.
        if not config.is_file() or config.read_text() != text:
            work.mkdir(parents=True, exist_ok=True)
            tmp = config.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(text)
            tmp.replace(config)
    return env, config


def _audit(
    ctx: _Context,
    binary: Path,
    interp: Interpreter,
    result: CargoResult | None,
    binary_dir: PurePosixPath,
    *,
    embeds_python: bool = False,
) -> AuditOutcome:
    """The platform tags for ``binary`` (and, in repair mode, the libraries to bundle)."""
    settings, platform = ctx.settings, ctx.settings.platform
    request = AuditRequest(
        compatibility=platform.compatibility,
        mode=platform.auditwheel,
        pypi=platform.pypi,
        default_policy="manylinux_2_17" if platform.zig else None,
        embeds_python=embeds_python,
    )
    link_dirs = [
        p.split("=", 1)[-1]
        for p in (result.build_script.linked_paths if result and result.build_script else ())
    ]
    staging = ctx.staging.fresh_dir()
    return audit_extension(
        binary,
        request,
        sysconfig_platform=platform_tag(interp, settings.environ),
        dist_name=ctx.metadata.dist_name,
        extension_dir=binary_dir,
        link_dirs=link_dirs,
        staging=staging,
        environ=settings.environ,
    )


def _library_entries(outcome: AuditOutcome) -> list[Entry]:
    return [Entry(arcname, source=path, executable=True) for arcname, path in outcome.libraries]


def _common_platform(outcomes: Sequence[AuditOutcome]) -> str:
    """One platform tag for several binaries: the one with the fewest guarantees wins."""
    chosen = outcomes[0].platform
    for outcome in outcomes[1:]:
        if outcome.platform != chosen:
            # A tag set that every binary satisfies: the first (oldest) policy
            # listed by the binary with the newest requirement.
            chosen = max(chosen, outcome.platform, key=_policy_rank)
    return chosen


def _policy_rank(tag: str) -> tuple[int, int]:
    """manylinux_2_17 < manylinux_2_34 < linux (anything unknown is the most demanding).

    >>> sorted(["linux_x86_64", "manylinux_2_34_x86_64", "manylinux_2_17_x86_64"], key=_policy_rank)
    ['manylinux_2_17_x86_64', 'manylinux_2_34_x86_64', 'linux_x86_64']
    """
    import re

    match = re.match(r"(?:many|musl)linux_(\d+)_(\d+)_", tag)
    return (int(match[1]), int(match[2])) if match else (999, 999)


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
) -> list[Path]:
    paths = []
    for name in names:
        inv = plan_bin(
            ctx.cargo,
            ctx.manifest_path,
            ctx.settings.cargo_options,
            name,
            interp,
            _cargo_env(ctx.settings),
            embed_python=embed_python,
        )
        result = run_cargo(ctx.remap.apply(inv), "bin")
        paths += [ctx.staging.take(a.path) for a in result.artifacts if a.target_name == name]
    return paths


def _library(ctx: _Context, unit: BuildUnit | None) -> CargoResult:
    """The crate's cdylib; configured for pyo3 when ``unit`` is given."""
    env, pyo3_config = (
        _unit_env(ctx.settings, unit) if unit is not None else (_cargo_env(ctx.settings), None)
    )
    interp = unit.interpreter if unit is not None else None
    inv = plan_cdylib(
        ctx.cargo,
        ctx.manifest_path,
        ctx.settings.cargo_options,
        interp,
        env,
        pyo3_config,
    )
    crt = dynamic_crt_flags(ctx.settings.cargo_options.target, interp, ctx.settings.environ)
    result = run_cargo(ctx.remap.apply(with_rustflags(inv, crt)), "cdylib")
    _faults.point("after-cargo")
    return result


def _extra_extensions(ctx: _Context, unit: BuildUnit) -> list[Entry]:
    """ferrule's ``[[tool.ferrule.extensions]]``: more pyo3 modules in the same wheel.

    In an abi3 wheel each of them must be built for the stable ABI too (pyo3's
    ``abi3`` feature on, with a minimum no newer than the wheel's).
    """
    entries = []
    settings, interp = ctx.settings, unit.interpreter
    pyproject = settings.pyproject_path or settings.cargo.manifest_path
    for i, extra in enumerate(settings.tool.extensions):
        manifest = (settings.project_dir / extra.manifest_path).resolve()
        key = f"{settings.tool_table}.extensions[{i}]"
        if not manifest.is_file():
            raise ConfigError.single(pyproject, f"{key}.manifest-path", f"{manifest} not found")
        options = dataclasses.replace(
            settings.cargo_options,
            features=tuple(FeatureSpec(f) for f in extra.features),
            all_features=False,
            no_default_features=False,
        )
        env, pyo3_config = _cargo_env(settings), None
        suffix = interp.ext_suffix
        if unit.abi3 is not None:
            extra_settings = dataclasses.replace(
                settings, cargo=read_cargo_package(manifest), cargo_options=options
            )
            (extra_unit,) = plan_units(extra_settings, [interp])
            if extra_unit.abi3 is None or extra_unit.abi3 > unit.abi3:
                need = (
                    "is not built for the stable ABI (pyo3's abi3 feature is off)"
                    if extra_unit.abi3 is None
                    else "needs Python >= {}.{}".format(*extra_unit.abi3)
                )
                raise ConfigError.single(
                    pyproject,
                    f"{key}.manifest-path",
                    f"{manifest} {need}, but the wheel is abi3 for Python >= "
                    f"{unit.abi3[0]}.{unit.abi3[1]}; give it pyo3's abi3 feature with the "
                    "same minimum, or drop abi3 from the main crate",
                )
            env, pyo3_config = _unit_env(settings, unit)
            suffix = ".abi3.so"
        inv = plan_cdylib(ctx.cargo, manifest, options, interp, env, pyo3_config)
        inv = with_rustflags(inv, dynamic_crt_flags(options.target, interp, settings.environ))
        library = ctx.staging.take(run_cargo(ctx.remap.apply(inv), "cdylib").artifacts[0].path)
        parts = extra.module_name.split(".")
        check_module_init(library, parts[-1], f"{key}.module-name")
        entries.append(
            Entry(
                str(PurePosixPath(*parts[:-1], parts[-1] + suffix)),
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
        excludes = [s.path for s in settings.tool.exclude if "wheel" in s.formats]
        for path in found:
            # As in sdists (and maturin): an included file is still subject to exclude.
            if excludes and matches(path.relative_to(settings.project_dir).as_posix(), excludes):
                continue
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


def _debuginfo_entries(ctx: _Context, artifact: Artifact, directory: PurePosixPath) -> list[Entry]:
    """``--include-debuginfo``: cargo's split debug info file next to the library, as maturin.

    On Linux cargo writes one (``lib<name>.so.dwp``) only with ``-C split-debuginfo=packed``;
    stripping wins over including (maturin warns and ships none).
    """
    settings = ctx.settings
    if not settings.include_debuginfo:
        return []
    if settings.platform.strip:
        _log.warn("--strip is enabled: --include-debuginfo ships no debug info")
        return []
    if artifact.debuginfo is None or not artifact.debuginfo.is_file():
        _log.warn(
            "--include-debuginfo: cargo wrote no split debug info file for "
            f"{artifact.path.name} (set `-C split-debuginfo=packed` in RUSTFLAGS or "
            "[tool.maturin] rustc-args to get a .dwp)"
        )
        return []
    staged = ctx.staging.take(artifact.debuginfo)
    return [Entry(str(directory / staged.name), source=staged)]


def _native(ctx: _Context, unit: BuildUnit) -> tuple[list[Entry], CargoResult | None, str]:
    """Build the crate's artifacts for one unit: wheel entries, cargo result, wheel tag."""
    settings, layout, env = ctx.settings, ctx.layout, ctx.settings.environ
    interp = unit.interpreter
    if ctx.bindings in _PYO3:
        result = _library(ctx, unit)
        library = ctx.staging.take(result.artifacts[0].path)
        check_module_init(library, layout.extension_name, ctx.module_key)
        outcome = _audit(ctx, library, interp, result, layout.extension_dir)
        if unit.abi3 is not None:
            filename = f"{layout.extension_name}.abi3.so"
        else:
            filename = layout.extension_name + interp.ext_suffix
        entries = extension_entries(
            outcome.extension,
            layout.extension_dir,
            filename,
            pure=not layout.mixed,
            extension_name=layout.extension_name,
        )
        entries += _debuginfo_entries(ctx, result.artifacts[0], layout.extension_dir)
        entries += _library_entries(outcome)
        entries += _extra_extensions(ctx, unit)
        # ferrule: binaries named in `targets` ship alongside the library.
        outcomes = [outcome]
        for binary in _binaries(
            ctx, _selected_bins(ctx, all_if_unfiltered=False), interp, embed_python=False
        ):
            bin_outcome = _audit(
                ctx, binary, interp, None, PurePosixPath(ctx.data_prefix, "scripts")
            )
            entries += script_entries([bin_outcome.extension], ctx.data_prefix)
            entries += _library_entries(bin_outcome)
            outcomes.append(bin_outcome)
        platform = _common_platform(outcomes)
        if unit.abi3 is not None:
            py, abi = stable_abi_tag(unit.abi3)
            return entries, result, f"{py}-{abi}-{platform}"
        return entries, result, wheel_tag(interp, env, platform)
    if ctx.bindings in ("cffi", "uniffi"):
        result = _library(ctx, None)
        package_dir = (
            layout.extension_dir / layout.extension_name if layout.mixed else layout.extension_dir
        )
        outcome = _audit(
            ctx, ctx.staging.take(result.artifacts[0].path), interp, result, package_dir
        )
        if ctx.bindings == "cffi":
            from ferrule.bindings.cffi import cffi_entries

            entries = cffi_entries(
                outcome.extension,
                package_dir,
                layout.extension_name,
                settings.cargo.manifest_path.parent,
                settings.cargo.name,
                (settings.cargo_options.target_dir or ctx.project.target_directory).resolve(),
                interp,
                env,
            )
        else:
            from ferrule.bindings.uniffi import uniffi_entries

            bindgen = next(
                (t for t in ctx.project.targets_of_kind("bin") if t.name == "uniffi-bindgen"), None
            )
            entries = uniffi_entries(
                outcome.extension,
                package_dir,
                settings.cargo.manifest_path.parent,
                bindgen,
                env,
            )
        entries += _debuginfo_entries(ctx, result.artifacts[0], package_dir)
        return entries + _library_entries(outcome), result, f"py3-none-{outcome.platform}"
    # bin: binaries as scripts; a pyo3 binary embeds this interpreter.
    names = _selected_bins(ctx, all_if_unfiltered=True)
    if not names:
        raise FerruleError(f"{settings.cargo.manifest_path} has no binary target to build")
    embeds_python = bool({"pyo3", "pyo3-ffi"} & ctx.project.dependencies)
    binaries = _binaries(ctx, names, interp if embeds_python else None, embed_python=embeds_python)
    entries = []
    outcomes = []
    scripts = PurePosixPath(ctx.data_prefix, "scripts")
    for binary in binaries:
        # A binary embedding Python links libpython: the audit allows it (as maturin's).
        outcome = _audit(ctx, binary, interp, None, scripts, embeds_python=embeds_python)
        entries += script_entries([outcome.extension], ctx.data_prefix)
        entries += _library_entries(outcome)
        outcomes.append(outcome)
    platform = _common_platform(outcomes)
    if embeds_python:
        return entries, None, wheel_tag(interp, env, platform)
    return entries, None, f"py3-none-{platform}"


def _build_one(ctx: _Context, unit: BuildUnit, out_dir: Path, reuse: bool = False) -> BuiltWheel:
    settings, metadata = ctx.settings, ctx.metadata
    interp = unit.interpreter
    what = (
        f"abi3 (Python >= {unit.abi3[0]}.{unit.abi3[1]}) with {interp.describe()}"
        if unit.abi3
        else interp.describe()
    )
    _log.info(f"building {metadata.name} {metadata.version} ({ctx.bindings}) for {what}")
    sboms = sbom_entries(settings, metadata.dist_info)  # checked before cargo runs
    native, result, tag = _native(ctx, unit)
    entries = plan_entries(
        metadata,
        native,
        wheel_file(f"ferrule ({__version__})", expand_tags(tag)),
        ctx.package_files,
        extra=_include_entries(ctx, result),
        dist_info_extra=sboms,
    )
    target = out_dir / wheel_filename(metadata, tag)
    single = (
        ctx.bindings in _PYO3
        and not settings.tool.extensions
        and not _selected_bins(ctx, all_if_unfiltered=False)
        and ctx.stable_root is None
    )
    replayable = result if single else None
    # The stamp knows the entries, not the compression: other compressions are always written.
    default_zip = settings.compression == type(settings.compression)()
    stamp = _wheel_stamp(settings, target, entries) if reuse and default_zip else None
    if stamp is not None and stamp.is_current():
        _log.info(f"{target} is up to date")
        return BuiltWheel(target, tag, interp, replayable)
    method, level = zip_compression(settings.compression.method, settings.compression.level)
    with WheelWriter(
        target,
        metadata.dist_info,
        settings.environ,
        method,
        level,
        large_file=settings.compression.large_file,
    ) as writer:
        for entry in entries:
            if entry.source is not None:
                writer.add_file(entry.arcname, entry.source, entry.executable or None)
            else:
                assert entry.data is not None
                writer.add_bytes(entry.arcname, entry.data, entry.executable)
    if stamp is not None:
        stamp.record()
    _log.info(f"built {target}")
    return BuiltWheel(target, tag, unit.interpreter, replayable)


def _wheel_stamp(settings: Settings, target: Path, entries: Sequence[Entry]) -> WheelStamp:
    """Issue 7: ``ferrule build`` leaves a wheel alone when it would write the same bytes."""
    from ferrule.develop.fresh import WheelStamp

    state = default_out_dir(settings).parent / "ferrule"
    return WheelStamp(state, target, entries, settings.environ)


def _file_selection(settings: Settings, layout: ProjectLayout) -> FileSelection:
    """The project's files for the wheel; ``exclude`` globs are relative to pyproject.toml.

    A ``python-source`` outside the project widens the tree (and the boundary
    symbolic links may not leave) to the directory holding both.
    """
    excludes = tuple(s.path for s in settings.tool.exclude if "wheel" in s.formats)
    project = settings.project_dir.resolve()
    if layout.python_dir.is_relative_to(project):
        return FileSelection(settings.project_dir, exclude=excludes)
    root = Path(os.path.commonpath([project, layout.python_dir]))
    prefix = project.relative_to(root).as_posix()
    return FileSelection(root, exclude=tuple(f"{prefix}/{p.lstrip('/')}" for p in excludes))


@contextlib.contextmanager
def _context(
    settings: Settings,
    interpreters: Sequence[Interpreter],
    prefix: str,
    metadata: PackageMetadata | None = None,
) -> Iterator[_Context]:
    """Resolve everything a build needs once; staged artifacts live as long as the context.

    ``metadata``, when given, was read back from a prepared ``.dist-info``.
    """
    if metadata is None:
        metadata = build_metadata(settings)
    layout = determine_layout(settings)
    selection = _file_selection(settings, layout)
    package_files = package_entries(layout, metadata, selection)
    project = read_metadata(settings)
    with contextlib.ExitStack() as stack:
        # The pid in the name: a later build removes what a killed one left (ferrule._faults).
        _faults.sweep_dirs(Path(tempfile.gettempdir()), prefix)
        staging = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-"))
        stable = stack.enter_context(activate(_stable_root(settings, metadata.dist_name)))
        manifest = settings.cargo.manifest_path.resolve()
        ctx = _Context(
            settings=settings,
            layout=layout,
            metadata=metadata,
            project=project,
            bindings=detect_bindings(settings.tool.bindings, project),
            cargo=settings.environ.get("CARGO", "cargo"),
            staging=_Staging(Path(staging)),
            package_files=package_files,
            remap=_path_remap(settings, stable),
            manifest_path=stable.translate(manifest) if stable else manifest,
            stable_root=stable,
        )
        _check_bindings(ctx, interpreters)
        yield ctx


def build_wheels(
    settings: Settings,
    interpreters: Sequence[Interpreter],
    out_dir: Path,
    reuse: bool = False,
    metadata: PackageMetadata | None = None,
) -> list[BuiltWheel]:
    """One wheel per interpreter (one in all for interpreter-independent bindings).

    ``metadata`` is the prepared metadata of PEP 517's ``metadata_directory``
    (:func:`ferrule.metadata.prepared.read_prepared`); by default it is built
    from the project.
    """
    with _context(settings, interpreters, "ferrule-build-", metadata) as ctx:
        if ctx.bindings in _PYO3:
            # One abi3 wheel for the interpreters that can share it, one wheel each for the rest.
            units = plan_units(settings, interpreters)
        else:
            # cffi, uniffi and plain binaries do not depend on the Python version.
            units = [BuildUnit(interpreters[0])]
        return [_build_one(ctx, unit, out_dir, reuse) for unit in units]


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
    # The cargo run went through a stable link that is gone once the context ends
    # (a release profile with path dependencies outside the workspace): not replayable.
    through_stable_root: bool = False


@contextlib.contextmanager
def planned_wheel(settings: Settings, interp: Interpreter) -> Iterator[PlannedWheel]:
    """Everything :func:`build_wheels` does for one interpreter, short of writing the archive.

    The set-up is build_wheels' (:func:`_context`). Installs into an
    environment are for that environment alone: as maturin's develop, no audit
    (``--compatibility linux``, ``--auditwheel skip``).
    """
    settings = dataclasses.replace(
        settings,
        platform=dataclasses.replace(
            settings.platform, compatibility=("linux",), auditwheel="skip", pypi=False
        ),
    )
    with _context(settings, [interp], "ferrule-develop-") as ctx:
        if ctx.bindings in _PYO3:
            (unit,) = plan_units(settings, [interp])
        else:
            unit = BuildUnit(interp)
        native, result, tag = _native(ctx, unit)
        yield PlannedWheel(
            native=native,
            extra=_include_entries(ctx, result),
            package_files=ctx.package_files,
            wheel_file=wheel_file(f"ferrule ({__version__})", expand_tags(tag)),
            tag=tag,
            metadata=ctx.metadata,
            layout=ctx.layout,
            bindings=ctx.bindings,
            cargo=result,
            through_stable_root=ctx.stable_root is not None,
        )
