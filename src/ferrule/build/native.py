"""Carry out one planned unit: cargo for each artifact, staging, checks, audit, entries, tag."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Optional

from ferrule import _atomic, _faults
from ferrule.audit import AuditOutcome, AuditRequest, audit_extension
from ferrule.bindings.bin import script_entries
from ferrule.bindings.pyo3 import check_module_init, extension_entries
from ferrule.build.context import BuildContext
from ferrule.build.plan import PYO3, PlannedArtifact, PlannedUnit
from ferrule.build.wheel_entries import debuginfo_entries, library_entries
from ferrule.cargo.build import CargoResult, run_cargo
from ferrule.interpreter import Interpreter
from ferrule.tags import platform_tag
from ferrule.wheel.manifest import Entry

__all__ = ["NativeOutput", "build_native"]

# What a unit's compiles give the wheel: entries, the library's cargo run (what a
# replay redoes; None for binaries), the wheel tag, and every cargo run (for the report).
NativeOutput = tuple[list[Entry], Optional[CargoResult], str, list[CargoResult]]


def _audit(
    ctx: BuildContext,
    binary: Path,
    interp: Interpreter,
    result: CargoResult | None,
    binary_dir: PurePosixPath,
    *,
    embeds_python: bool = False,
    abi3: bool = False,
) -> AuditOutcome:
    """The platform tags for ``binary`` (and, in repair mode, the libraries to bundle)."""
    settings, platform = ctx.settings, ctx.settings.platform
    request = AuditRequest(
        compatibility=platform.compatibility,
        mode=platform.auditwheel,
        pypi=platform.pypi,
        default_policy="manylinux_2_17" if platform.zig else None,
        embeds_python=embeds_python,
        abi3=abi3,
    )
    link_dirs = [
        p.split("=", 1)[-1]
        for p in (result.build_script.linked_paths if result and result.build_script else ())
    ]
    return audit_extension(
        binary,
        request,
        sysconfig_platform=ctx.plan.platform or platform_tag(interp, settings.environ),
        dist_name=ctx.metadata.dist_name,
        extension_dir=binary_dir,
        link_dirs=link_dirs,
        staging=ctx.staging.fresh_dir(),
        environ=settings.environ,
    )


def common_platform(outcomes: Sequence[AuditOutcome]) -> str:
    """One platform tag for several binaries: the one with the fewest guarantees wins."""
    chosen = outcomes[0].platform
    for outcome in outcomes[1:]:
        if outcome.platform != chosen:
            # A tag set that every binary satisfies: the first (oldest) policy
            # listed by the binary with the newest requirement.
            chosen = max(chosen, outcome.platform, key=policy_rank)
    return chosen


def policy_rank(tag: str) -> tuple[int, int]:
    """manylinux_2_17 < manylinux_2_34 < linux; macosx_10_13 < macosx_12_0 (the newest
    macOS a binary needs tags the wheel); anything unknown is the most demanding.

    >>> sorted(["linux_x86_64", "manylinux_2_34_x86_64", "manylinux_2_17_x86_64"], key=policy_rank)
    ['manylinux_2_17_x86_64', 'manylinux_2_34_x86_64', 'linux_x86_64']
    >>> sorted(["macosx_12_0_arm64", "macosx_10_13_arm64"], key=policy_rank)
    ['macosx_10_13_arm64', 'macosx_12_0_arm64']
    """
    match = re.match(r"(?:(?:many|musl)linux|macosx)_(\d+)_(\d+)_", tag)
    return (int(match[1]), int(match[2])) if match else (999, 999)


def _write_pyo3_config(unit: PlannedUnit) -> None:
    """The ``PYO3_CONFIG_FILE`` the plan names (abi3, cross), rewritten only when it changes
    (cargo rebuilds pyo3 when the file's mtime moves)."""
    config, text = unit.pyo3_config, unit.pyo3_config_text
    if config is None or text is None:
        return
    if not config.is_file() or config.read_text() != text:
        _atomic.write_text(config, text)


def _cargo(
    ctx: BuildContext, unit: PlannedUnit, artifact: PlannedArtifact, kind: str
) -> CargoResult:
    """cargo for ``artifact``: once per triple the target names (universal2: twice, merged)."""
    results = [run_cargo(inv, kind) for inv in ctx.recipe.invocations(artifact, unit)]
    if len(results) == 1:
        return results[0]
    from ferrule.build.universal2 import merge_results

    return merge_results(results, ctx.staging.fresh_dir())


def _library(
    ctx: BuildContext, unit: PlannedUnit, artifact: PlannedArtifact
) -> tuple[CargoResult, Path, AuditOutcome]:
    """The crate's own library: compiled, staged and audited."""
    result = _cargo(ctx, unit, artifact, "cdylib")
    _faults.point("after-cargo")
    library = ctx.staging.take(result.artifacts[0].path)
    if artifact.module is not None:
        check_module_init(library, artifact.module, artifact.module_key)
    outcome = _audit(
        ctx,
        library,
        unit.unit.interpreter,
        result,
        artifact.destination,
        abi3=unit.unit.abi3 is not None,
    )
    return result, library, outcome


def _binding_entries(
    ctx: BuildContext, unit: PlannedUnit, artifact: PlannedArtifact, outcome: AuditOutcome
) -> list[Entry]:
    """What cffi and uniffi make next to the library (their generators run here, not cargo
    builds of their own: uniffi-bindgen's cargo run comes from the build's recipe)."""
    settings, layout, package_dir = ctx.settings, ctx.layout, artifact.destination
    crate_dir = settings.cargo.manifest_path.parent
    if artifact.kind == "cffi":
        from ferrule.bindings.cffi import cffi_entries

        return cffi_entries(
            outcome.extension,
            package_dir,
            layout.extension_name,
            crate_dir,
            settings.cargo.name,
            (settings.cargo_options.target_dir or ctx.project.target_directory).resolve(),
            unit.unit.interpreter,
            settings.environ,
            settings.cbindgen,
        )
    from ferrule.bindings.uniffi import bindgen_target, uniffi_entries

    target = bindgen_target(ctx.project)
    tool = ctx.recipe.tool_run(target, crate_dir) if target is not None else None
    return uniffi_entries(
        outcome.extension,
        package_dir,
        crate_dir,
        tool.argv if tool is not None else None,
        tool.env if tool is not None else ctx.recipe.env,
        settings.uniffi,
    )


def build_native(ctx: BuildContext, unit: PlannedUnit) -> NativeOutput:
    """Build every artifact of ``unit``: wheel entries, the library's cargo result, the tag."""
    _write_pyo3_config(unit)
    interp = unit.unit.interpreter
    entries: list[Entry] = []
    outcomes: list[AuditOutcome] = []
    main: CargoResult | None = None
    runs: list[CargoResult] = []
    for artifact in unit.artifacts:
        if artifact.kind in (*PYO3, "cffi", "uniffi"):
            main, library, outcome = _library(ctx, unit, artifact)
            runs.append(main)
            if artifact.kind in PYO3:
                assert artifact.name is not None and artifact.module is not None
                entries += extension_entries(
                    outcome.extension,
                    artifact.destination,
                    artifact.name,
                    pure=not ctx.layout.mixed,
                    extension_name=artifact.module,
                )
            else:
                entries += _binding_entries(ctx, unit, artifact, outcome)
            entries += debuginfo_entries(ctx, main.artifacts[0], artifact.destination)
            entries += library_entries(outcome)
            outcomes.append(outcome)
        elif artifact.kind == "extension":
            result = _cargo(ctx, unit, artifact, "cdylib")
            runs.append(result)
            library = ctx.staging.take(result.artifacts[0].path)
            assert artifact.name is not None and artifact.module is not None
            check_module_init(library, artifact.module, artifact.module_key)
            arcname = str(artifact.destination / artifact.name)
            entries.append(Entry(arcname, source=library, executable=True))
        else:  # bin
            result = _cargo(ctx, unit, artifact, "bin")
            runs.append(result)
            binaries = [
                ctx.staging.take(a.path) for a in result.artifacts if a.target_name == artifact.name
            ]
            for binary in binaries:
                # A binary embedding Python links libpython: the audit allows it (as maturin's).
                outcome = _audit(
                    ctx,
                    binary,
                    interp,
                    None,
                    artifact.destination,
                    embeds_python=artifact.pyo3 == "embed",
                )
                entries += script_entries([outcome.extension], ctx.plan.data_prefix)
                entries += library_entries(outcome)
                outcomes.append(outcome)
    return entries, main, unit.tag(common_platform(outcomes)), runs


def compile_module(ctx: BuildContext, unit: PlannedUnit, dest: Path) -> Path:
    """Compile the unit's pyo3 module alone (for ``ferrule stubs``), as a build would:
    the same recipe (zig, remap, features, pyo3 configuration), no audit; the library is
    copied to ``dest`` (cargo's copy may sit behind the build's stable root)."""
    _write_pyo3_config(unit)
    for artifact in unit.artifacts:
        if artifact.kind in PYO3:
            result = run_cargo(ctx.recipe.invocation(artifact, unit), "cdylib")
            _atomic.copy_file(result.artifacts[0].path, dest)
            return dest
    raise AssertionError("a pyo3 unit has a pyo3 artifact")
