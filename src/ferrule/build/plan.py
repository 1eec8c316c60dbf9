"""The build plan: what a build compiles and ships, decided before anything runs.

:func:`make_plan` reads :class:`~ferrule.config.model.Settings` and the answer of
``cargo metadata`` (:class:`~ferrule.cargo.metadata.CargoProject`) and decides the
bindings, the compiles per interpreter (:class:`~ferrule.abi.BuildUnit`), every
artifact each compile makes (the crate's library, its binaries, ferrule's extra
extensions), where each lands in the wheel, and the wheel tag up to the platform
part (which only the audit of the built files can tell). It starts no process;
problems it can see (an extra extension that is not abi3 in an abi3 wheel, cffi
with several interpreters) are reported before cargo runs.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ferrule import _log
from ferrule._record import record
from ferrule.abi import BuildUnit, plan_units
from ferrule.bindings import detect_bindings
from ferrule.build.target_plan import (
    abi3_suffix,
    check_windows_import_library,
    host_machine,
    plan_target,
    pyo3_config_for,
)
from ferrule.cargo.metadata import CargoProject
from ferrule.config.model import FeatureSpec, Settings
from ferrule.config.platform import macos_deployment_targets
from ferrule.errors import ConfigError, FerruleError
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, module_name_key
from ferrule.metadata import PackageMetadata
from ferrule.tags import abi_tag, python_tag, stable_abi_tag
from ferrule.target import Target, host_target
from ferrule.target_dir import default_out_dir
from ferrule.wheel.manifest import Entry, FileSelection, PackedFiles, package_files

__all__ = [
    "ARTIFACT_KINDS",
    "BuildPlan",
    "PlannedArtifact",
    "PlannedUnit",
    "make_plan",
    "work_dir",
]

PYO3 = ("pyo3", "pyo3-ffi")
# Every kind of artifact a wheel can carry; each is compiled by the same cargo recipe.
ARTIFACT_KINDS = ("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin", "extension")


@record
class PlannedArtifact:
    """One cargo compile and where its output goes in the wheel."""

    kind: str  # one of ARTIFACT_KINDS
    crate_type: str  # "cdylib" or "bin"
    destination: PurePosixPath  # the directory in the wheel
    # The bin target (bin), the module's file name (pyo3, extension) or None (cffi/uniffi).
    name: str | None = None
    manifest: Path | None = None  # another crate's manifest (extension); None: the project's
    features: tuple[FeatureSpec, ...] | None = None  # replaces the build's features when given
    # How pyo3 is configured for the unit's interpreter: "extension", "embed" or None (not at all).
    pyo3: str | None = None
    # The unit's abi3 PYO3_CONFIG_FILE applies (pyo3 >= 0.29 abi3 builds).
    abi3_config: bool = False
    module: str | None = None  # the PyInit_ name to check (pyo3, extension)
    module_key: str = ""  # the setting that names ``module``, for errors


@record
class PlannedUnit:
    """One wheel: its compiles, the tag before the platform part, the pyo3 config file."""

    unit: BuildUnit
    artifacts: tuple[PlannedArtifact, ...]
    tag_prefix: str  # "cp311-cp311", "cp38-abi3", "py3-none"
    pyo3_config: Path | None = None
    pyo3_config_text: str | None = None  # what ``pyo3_config`` holds (written before cargo)

    def tag(self, platform: str) -> str:
        return f"{self.tag_prefix}-{platform}"


@record
class BuildPlan:
    """Everything a build will do, per wheel."""

    bindings: str
    units: tuple[PlannedUnit, ...]
    data_prefix: str  # "<dist>-<version>.data"
    # One cargo run makes all native code (a pyo3 library alone): what a replay can redo.
    single_cargo_run: bool

    # The project's own files (Python sources, stubs, the data directory), not ``include``.
    # Packed (a byte or two per file), made into entries on each pass.
    package_files: PackedFiles | tuple[Entry, ...] = ()
    # ``--target`` described, or a macOS / Windows host (None: Linux, known from the
    # interpreter).
    target: Target | None = None
    # The target's platform tag before the audit (``macosx_11_0_arm64``, ``win_amd64``,
    # ``linux_armv7l``; the audit turns a Linux one into manylinux/musllinux), None: the
    # interpreter's sysconfig platform.
    platform: str | None = None


def module_key(settings: Settings) -> str:
    return module_name_key(settings)


def selected_bins(
    settings: Settings, project: CargoProject, *, all_if_unfiltered: bool
) -> list[str]:
    """Binary targets to build: filtered by ``targets``, required features met."""
    filters = settings.tool.targets
    wanted = {t.name for t in filters if t.kind in (None, "bin")}
    enabled = {f.feature for f in settings.cargo_options.features}
    names = []
    for target in project.targets_of_kind("bin"):
        if filters and target.name not in wanted:
            continue
        if not filters and not all_if_unfiltered:
            continue
        missing = set(target.required_features) - enabled
        if missing and not settings.cargo_options.all_features:
            _log.info(f"skipping binary {target.name}: needs features {', '.join(sorted(missing))}")
            continue
        names.append(target.name)
    return names


def _check_bindings(settings: Settings, bindings: str, interpreters: Sequence[Interpreter]) -> None:
    project = settings.project_table or {}
    if bindings == "bin" and (project.get("scripts") or project.get("gui-scripts")):
        raise ConfigError.single(
            settings.pyproject_path or settings.cargo.manifest_path,
            "project.scripts",
            "cannot be used with bin bindings: the Rust binaries are the scripts",
        )
    if bindings == "cffi" and len(interpreters) != 1:
        raise FerruleError("cffi bindings are built with exactly one interpreter; pass one -i")


def _extensions(settings: Settings, unit: BuildUnit) -> list[PlannedArtifact]:
    """ferrule's ``[[tool.ferrule.extensions]]``: more pyo3 modules in the same wheel.

    In an abi3 wheel each of them must be built for the stable ABI too (pyo3's
    ``abi3`` feature on, with a minimum no newer than the wheel's).
    """
    planned = []
    pyproject = settings.pyproject_path or settings.cargo.manifest_path
    for i, extra in enumerate(settings.tool.extensions):
        manifest = (settings.project_dir / extra.manifest_path).resolve()
        key = f"{settings.tool_table}.extensions[{i}]"
        if not manifest.is_file():
            raise ConfigError.single(pyproject, f"{key}.manifest-path", f"{manifest} not found")
        features = tuple(FeatureSpec(f) for f in extra.features)
        suffix = unit.interpreter.ext_suffix
        if unit.abi3 is not None:
            options = dataclasses.replace(
                settings.cargo_options,
                features=features,
                all_features=False,
                no_default_features=False,
            )
            extra_settings = dataclasses.replace(
                settings, cargo=settings.cargo_package(manifest), cargo_options=options
            )
            (extra_unit,) = plan_units(extra_settings, [unit.interpreter])
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
            suffix = abi3_suffix(plan_target(settings), unit.interpreter)
        parts = extra.module_name.split(".")
        planned.append(
            PlannedArtifact(
                "extension",
                "cdylib",
                PurePosixPath(*parts[:-1]) if len(parts) > 1 else PurePosixPath(""),
                name=parts[-1] + suffix,
                manifest=manifest,
                features=features,
                pyo3="extension",
                abi3_config=unit.abi3 is not None,
                module=parts[-1],
                module_key=f"{key}.module-name",
            )
        )
    return planned


def _pyo3_unit(
    settings: Settings,
    layout: ProjectLayout,
    unit: BuildUnit,
    bindings: str,
    data_prefix: str,
    alongside: Sequence[str],
) -> PlannedUnit:
    interp = unit.interpreter
    suffix = abi3_suffix(plan_target(settings), interp) if unit.abi3 else interp.ext_suffix
    filename = layout.extension_name + suffix
    library = PlannedArtifact(
        bindings,
        "cdylib",
        layout.extension_dir,
        name=filename,
        pyo3="extension",
        abi3_config=unit.abi3 is not None,
        module=layout.extension_name,
        module_key=module_key(settings),
    )
    # ferrule: binaries named in `targets` ship alongside the library, with pyo3
    # configured as for the library (so cargo does not rebuild pyo3 for them).
    bins = [
        PlannedArtifact(
            "bin", "bin", PurePosixPath(data_prefix, "scripts"), name=name, pyo3="extension"
        )
        for name in alongside
    ]
    config, config_text = pyo3_config_for(settings, unit, work_dir(settings))
    if unit.abi3 is not None:
        prefix = "-".join(stable_abi_tag(unit.abi3))
    else:
        prefix = f"{python_tag(interp)}-{abi_tag(interp)}"
    artifacts = (library, *_extensions(settings, unit), *bins)
    if config is not None:
        artifacts = tuple(
            dataclasses.replace(a, abi3_config=True) if a.crate_type == "cdylib" else a
            for a in artifacts
        )
    return PlannedUnit(unit, artifacts, prefix, config, config_text)


def _other_unit(
    settings: Settings,
    project: CargoProject,
    layout: ProjectLayout,
    interp: Interpreter,
    bindings: str,
    data_prefix: str,
) -> PlannedUnit:
    """cffi, uniffi and binaries: one wheel whatever the Python version."""
    if bindings in ("cffi", "uniffi"):
        package_dir = (
            layout.extension_dir / layout.extension_name if layout.mixed else layout.extension_dir
        )
        library = PlannedArtifact(bindings, "cdylib", package_dir)
        return PlannedUnit(BuildUnit(interp), (library,), "py3-none")
    names = selected_bins(settings, project, all_if_unfiltered=True)
    if not names:
        raise FerruleError(f"{settings.cargo.manifest_path} has no binary target to build")
    # A pyo3 binary embeds this interpreter (and links libpython).
    embeds = bool(set(PYO3) & project.dependencies)
    scripts = PurePosixPath(data_prefix, "scripts")
    bins = tuple(
        PlannedArtifact("bin", "bin", scripts, name=n, pyo3="embed" if embeds else None)
        for n in names
    )
    prefix = f"{python_tag(interp)}-{abi_tag(interp)}" if embeds else "py3-none"
    return PlannedUnit(BuildUnit(interp), bins, prefix)


def make_plan(
    settings: Settings,
    project: CargoProject,
    interpreters: Sequence[Interpreter],
    layout: ProjectLayout,
    metadata: PackageMetadata,
) -> BuildPlan:
    """The plan for building wheels of the project for ``interpreters``; runs nothing.

    pyo3 bindings get one abi3 wheel for the interpreters that can share it and
    one wheel each for the rest; cffi, uniffi and plain binaries one wheel in all.
    """
    bindings = detect_bindings(settings.tool.bindings, project)
    _check_bindings(settings, bindings, interpreters)
    data_prefix = f"{metadata.dist_name}-{metadata.version}.data"
    if bindings in PYO3:
        alongside = selected_bins(settings, project, all_if_unfiltered=False)
        build_units = plan_units(settings, interpreters)
        check_windows_import_library(settings, build_units)
        units = tuple(
            _pyo3_unit(settings, layout, unit, bindings, data_prefix, alongside)
            for unit in build_units
        )
        single = not settings.tool.extensions and not alongside
    else:
        units = (_other_unit(settings, project, layout, interpreters[0], bindings, data_prefix),)
        single = False
    files = package_files(layout, metadata, _file_selection(settings, layout))
    target = plan_target(settings) or host_target(interpreters[0].platform, host_machine())
    configured = macos_deployment_targets(settings.tool)
    platform = target.platform_tag(settings.environ, configured) if target is not None else None
    return BuildPlan(bindings, units, data_prefix, single, files, target, platform)


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


def work_dir(settings: Settings) -> Path:
    """ferrule's own files in cargo's target directory (pyo3 config files, zig wrappers)."""
    return default_out_dir(settings).parent / "ferrule"
