"""Wheel entries that come from files rather than cargo's artifacts themselves:
``include`` globs (and the build script's ``OUT_DIR``), split debug info, and the
libraries the audit bundles."""

from __future__ import annotations

from pathlib import PurePosixPath

from ferrule import _log
from ferrule.audit import AuditOutcome
from ferrule.build.context import BuildContext
from ferrule.cargo.build import CargoResult
from ferrule.cargo.messages import Artifact
from ferrule.errors import FerruleError, LayoutError
from ferrule.globs import matches
from ferrule.wheel.manifest import Entry

__all__ = ["debuginfo_entries", "include_entries", "library_entries"]


def library_entries(outcome: AuditOutcome) -> list[Entry]:
    return [Entry(arcname, source=path, executable=True) for arcname, path in outcome.libraries]


def include_entries(ctx: BuildContext, result: CargoResult | None) -> list[Entry]:
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
            entries.append(Entry(rel.as_posix(), source=path, project_file=True))
    return entries


def debuginfo_entries(
    ctx: BuildContext, artifact: Artifact, directory: PurePosixPath
) -> list[Entry]:
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
