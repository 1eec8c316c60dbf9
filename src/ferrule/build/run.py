"""Build wheels: settings -> plan -> cargo -> wheel manifest -> wheel writer."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Callable, Protocol

from ferrule import _log
from ferrule._record import record
from ferrule._version import __version__
from ferrule.audit import expand_tags
from ferrule.build.context import BuildContext, open_context
from ferrule.build.native import build_native
from ferrule.build.plan import PlannedUnit
from ferrule.build.report import BuildReport
from ferrule.build.wheel_entries import include_entries
from ferrule.cargo.build import CargoResult
from ferrule.config.model import Settings
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata
from ferrule.wheel.manifest import Entry, wheel_entries, wheel_file
from ferrule.wheel.sbom import sbom_entries
from ferrule.wheel.stamp import declared_reads
from ferrule.wheel.writer import WheelWriter, zip_compression

__all__ = [
    "BuiltWheel",
    "PlannedWheel",
    "Stamp",
    "StampFactory",
    "build_wheels",
    "pgo_profile",
    "planned_wheel",
    "report_cargo_runs",
    "wheel_filename",
]


@record
class BuiltWheel:
    path: Path
    tag: str
    interpreter: Interpreter | None
    # The one cargo run everything native in the wheel came from, when that is all
    # (a pyo3 extension without extra extensions or binaries): what a replay redoes.
    cargo: CargoResult | None = None
    # Every cargo run of the wheel (the library, extra extensions, binaries).
    runs: tuple[CargoResult, ...] = ()


class Stamp(Protocol):
    """Whether a wheel on disk is exactly what the build would write (issue 7)."""

    def is_current(self) -> bool: ...

    def record(self) -> None: ...


# (wheel path, entries, environment) -> Stamp: ferrule.wheel.stamp.WheelStamp, given
# by the caller (``ferrule build``; PEP 517 builds always write). A stamp announces
# every entry's source (the ``ferrule.input`` audit event): the writer's reads are
# then ``declared_reads``.
StampFactory = Callable[[Path, Iterable[Entry], Mapping[str, str]], Stamp]


def wheel_filename(metadata: PackageMetadata, tag: str) -> str:
    return f"{metadata.dist_name}-{metadata.version.replace('-', '_')}-{tag}.whl"


def report_cargo_runs(report: BuildReport, runs: Sequence[CargoResult], crate: str) -> None:
    """Every cargo run's artifacts, each under the package that made it (an extra
    ``extensions`` crate, a workspace member's binary), else under ``crate``."""
    from ferrule.cargo.messages import package_of

    for run in runs:
        manifest = run.invocation.manifest_path if run.invocation is not None else None
        named = package_of(run.messages, manifest) if manifest is not None else None
        report.cargo(run, named or crate)


def _build_one(
    ctx: BuildContext,
    unit: PlannedUnit,
    out_dir: Path,
    stamps: StampFactory | None,
    report: BuildReport,
) -> BuiltWheel:
    settings, metadata = ctx.settings, ctx.metadata
    interp, abi3 = unit.unit.interpreter, unit.unit.abi3
    what = f"abi3 (Python >= {abi3[0]}.{abi3[1]}) with {interp.describe()}" if abi3 else None
    what = what or interp.describe()
    _log.info(f"building {metadata.name} {metadata.version} ({ctx.bindings}) for {what}")
    sboms = sbom_entries(settings, metadata.dist_info, ctx.project)  # checked before cargo runs
    report.interpreter(interp)
    with report.phase("native"):
        native, result, tag, runs = build_native(ctx, unit)
    report_cargo_runs(report, runs, settings.cargo.name)
    # Made again, one at a time, for the stamp and for the writer: nothing per file is kept.
    entries = wheel_entries(
        metadata,
        native,
        wheel_file(f"ferrule ({__version__})", expand_tags(tag)),
        ctx.plan.package_files,
        extra=include_entries(ctx, result),
        dist_info_extra=sboms,
    )
    target = out_dir / wheel_filename(metadata, tag)
    single = ctx.plan.single_cargo_run and ctx.stable_root is None
    replayable = result if single else None
    # The stamp knows the entries, not the compression: other compressions are always written.
    default_zip = settings.compression == type(settings.compression)()
    stamp = None
    if stamps is not None and default_zip:
        stamp = stamps(target, entries, settings.environ)
    if stamp is not None and stamp.is_current():
        _log.info(f"{target} is up to date")
        report.wheel(target, written=False)
        return BuiltWheel(target, tag, interp, replayable, tuple(runs))
    method, level = zip_compression(settings.compression.method, settings.compression.level)
    wheel_writer = WheelWriter(
        target,
        metadata.dist_info,
        settings.environ,
        method,
        level,
        large_file=settings.compression.large_file,
    )
    # With a stamp, every file the writer reads was announced by it.
    declared = declared_reads() if stamp is not None else contextlib.nullcontext()
    with report.phase("write"), wheel_writer as writer, declared:
        for entry in entries:
            if entry.source_path is not None:
                writer.add_file(entry.arcname, entry.source_path, entry.executable or None)
            else:
                assert entry.data is not None
                writer.add_bytes(entry.arcname, entry.data, entry.executable)
    if stamp is not None:
        stamp.record()
    report.wheel(target)
    _log.info(f"built {target}")
    return BuiltWheel(target, tag, interp, replayable, tuple(runs))


def build_wheels(
    settings: Settings,
    interpreters: Sequence[Interpreter],
    out_dir: Path,
    metadata: PackageMetadata | None = None,
    *,
    stamps: StampFactory | None = None,
    report: BuildReport | None = None,
) -> list[BuiltWheel]:
    """One wheel per planned unit (one in all for interpreter-independent bindings).

    ``metadata`` is the prepared metadata of PEP 517's ``metadata_directory``
    (:func:`ferrule.metadata.prepared.read_prepared`); by default it is built
    from the project. With ``stamps``, a wheel that would be written again byte
    for byte is left alone. ``report`` collects what was made (``--report``).
    """
    report = report if report is not None else BuildReport("", {})
    tool = None
    if settings.pgo:
        from ferrule.pgo import find_llvm_profdata

        tool = find_llvm_profdata(settings.environ)  # what is missing, before any cargo run
    with contextlib.ExitStack() as stack:
        with report.phase("plan"):
            ctx = stack.enter_context(
                open_context(settings, interpreters, "ferrule-build-", metadata)
            )
        if tool is not None:
            return [_build_pgo(ctx, unit, out_dir, tool, report) for unit in ctx.plan.units]
        return [_build_one(ctx, unit, out_dir, stamps, report) for unit in ctx.plan.units]


def _build_pgo(
    ctx: BuildContext, unit: PlannedUnit, out_dir: Path, tool: Path, report: BuildReport
) -> BuiltWheel:
    """``--pgo``: one wheel in maturin's three phases (:mod:`ferrule.build.pgo_cycle`),
    instrumented with the unit's interpreter; never a kept wheel (the profile may differ)."""
    from ferrule.build.pgo_cycle import pgo_cycle

    with pgo_cycle(tool) as cycle:
        _log.info("PGO phase 1/3: building the instrumented wheel")
        # The instrumented wheel is not a result: the report does not list it.
        scratch = BuildReport("", {})
        instrumented = _build_one(cycle.generating(ctx), unit, cycle.wheel_dir, None, scratch)
        _log.info("PGO phase 2/3: running the instrumentation")
        with report.phase("pgo-instrumentation"):
            cycle.profile(ctx, instrumented.path, unit.unit.interpreter)
        _log.info("PGO phase 3/3: building the optimised wheel")
        return _build_one(cycle.using(ctx), unit, out_dir, None, report)


# --- Hook point for ferrule.develop (issue 7): a wheel's entries, without the wheel. ---


@record
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
    sboms: tuple[Entry, ...] = ()  # <dist-info>/sboms/: the crate's SBOM, then the includes


def _for_environment(settings: Settings) -> Settings:
    """Installs into an environment are for that environment alone: as maturin's develop,
    no audit (``--compatibility linux``, ``--auditwheel skip``)."""
    return dataclasses.replace(
        settings,
        platform=dataclasses.replace(
            settings.platform, compatibility=("linux",), auditwheel="skip", pypi=False
        ),
    )


@contextlib.contextmanager
def pgo_profile(settings: Settings, interp: Interpreter) -> Iterator[tuple[str, ...]]:
    """``develop --pgo``: phases 1 and 2 for ``interp``; gives phase 3's rustflags
    (for :func:`planned_wheel`), valid while the context lasts."""
    from ferrule.build.pgo_cycle import pgo_cycle
    from ferrule.pgo import find_llvm_profdata

    tool = find_llvm_profdata(settings.environ)
    with pgo_cycle(tool) as cycle:
        with open_context(_for_environment(settings), [interp], "ferrule-develop-") as ctx:
            (unit,) = ctx.plan.units
            _log.info("PGO phase 1/3: building the instrumented wheel")
            scratch = BuildReport("", {})
            instrumented = _build_one(cycle.generating(ctx), unit, cycle.wheel_dir, None, scratch)
            _log.info("PGO phase 2/3: running the instrumentation")
            cycle.profile(ctx, instrumented.path, interp)
        _log.info("PGO phase 3/3: building the optimised module")
        yield cycle.use_flags


@contextlib.contextmanager
def planned_wheel(
    settings: Settings,
    interp: Interpreter,
    report: BuildReport | None = None,
    rustflags: tuple[str, ...] = (),
) -> Iterator[PlannedWheel]:
    """Everything :func:`build_wheels` does for one interpreter, short of writing the archive.

    The set-up is build_wheels' (:func:`~ferrule.build.context.open_context`), for an
    environment (:func:`_for_environment`); ``rustflags`` reach every crate.
    """
    report = report if report is not None else BuildReport("", {})
    with contextlib.ExitStack() as stack:
        with report.phase("plan"):
            opened = stack.enter_context(
                open_context(_for_environment(settings), [interp], "ferrule-develop-")
            )
        recipe = dataclasses.replace(
            opened.recipe, rustflags=(*opened.recipe.rustflags, *rustflags)
        )
        ctx = dataclasses.replace(opened, recipe=recipe)
        (unit,) = ctx.plan.units
        sboms = sbom_entries(settings, ctx.metadata.dist_info, ctx.project)
        report.interpreter(interp)
        with report.phase("native"):
            native, result, tag, runs = build_native(ctx, unit)
        report_cargo_runs(report, runs, settings.cargo.name)
        yield PlannedWheel(
            native=native,
            extra=include_entries(ctx, result),
            package_files=list(ctx.plan.package_files),
            wheel_file=wheel_file(f"ferrule ({__version__})", expand_tags(tag)),
            tag=tag,
            metadata=ctx.metadata,
            layout=ctx.layout,
            bindings=ctx.bindings,
            cargo=result,
            through_stable_root=ctx.stable_root is not None,
            sboms=tuple(sboms),
        )
