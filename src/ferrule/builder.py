"""Build wheels: settings -> plan -> cargo -> wheel manifest -> wheel writer."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ferrule import __version__, _log
from ferrule.abi import BuildUnit, plan_units, pyo3_config_text, uses_target_abi_config
from ferrule.audit import AuditRequest, audit_extension, expand_tags, with_libraries
from ferrule.cargo.build import run_cargo
from ferrule.cargo.command import plan_cdylib
from ferrule.config.model import Settings
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.tags import platform_tag, stable_abi_tag, wheel_tag
from ferrule.wheel.manifest import plan_entries, wheel_file
from ferrule.wheel.writer import WheelWriter

__all__ = ["BuiltWheel", "build_wheels", "default_out_dir", "write_dist_info"]

_SUPPORTED_BINDINGS = ("pyo3", "pyo3-ffi")


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    tag: str
    interpreter: Interpreter


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


def _check_bindings(settings: Settings) -> None:
    bindings = settings.tool.bindings
    if bindings and bindings not in _SUPPORTED_BINDINGS:
        raise FerruleError(
            f"{settings.tool_table}.bindings = {bindings!r}: this version of ferrule builds "
            f"only {' and '.join(_SUPPORTED_BINDINGS)} extension modules"
        )


def wheel_filename(metadata: PackageMetadata, tag: str) -> str:
    return f"{metadata.dist_name}-{metadata.version.replace('-', '_')}-{tag}.whl"


def _target_dir(settings: Settings) -> Path:
    return default_out_dir(settings).parent


# --- issue 5: platform tags / abi3 / zig (kept together so they port onto a refactored builder)
def _unit_env(settings: Settings, unit: BuildUnit) -> tuple[dict[str, str], Path | None]:
    """Extra cargo environment for one build unit: the zig linker, the abi3 pyo3 config."""
    env = dict(settings.environ)
    work = _target_dir(settings) / "ferrule"
    if settings.platform.zig:
        from ferrule.interpreter import host_triple
        from ferrule.zig import zig_env

        triple = settings.cargo_options.target or host_triple(settings.environ)
        glibc = (2, 17)
        for value in settings.platform.compatibility:
            if value.startswith("manylinux_"):
                glibc = tuple(int(p) for p in value.split("_")[1:3])  # type: ignore[assignment]
        env.update(zig_env(triple, glibc, work / "zig"))
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


def _audit_request(settings: Settings) -> AuditRequest:
    platform = settings.platform
    return AuditRequest(
        compatibility=platform.compatibility,
        mode=platform.auditwheel,
        pypi=platform.pypi,
        default_policy="manylinux_2_17" if platform.zig else None,
    )


# --- end issue 5


def _build_one(
    settings: Settings,
    layout: ProjectLayout,
    metadata: PackageMetadata,
    unit: BuildUnit,
    out_dir: Path,
) -> BuiltWheel:
    interp = unit.interpreter
    what = (
        f"abi3 (Python >= {unit.abi3[0]}.{unit.abi3[1]}) with {interp.describe()}"
        if unit.abi3
        else interp.describe()
    )
    _log.info(f"building {metadata.name} {metadata.version} for {what}")
    cargo = settings.environ.get("CARGO", "cargo")
    env, pyo3_config = _unit_env(settings, unit)
    invocation = plan_cdylib(
        cargo, settings.cargo.manifest_path, settings.cargo_options, interp, env, pyo3_config
    )
    result = run_cargo(invocation, "cdylib")
    extension = result.artifacts[0].path
    # --- issue 5: after cargo: audit -> (platform tag, extra wheel entries, patched extension)
    with tempfile.TemporaryDirectory(prefix="ferrule-audit-") as staging:
        link_dirs = [
            p.split("=", 1)[-1]
            for p in (result.build_script.linked_paths if result.build_script else ())
        ]
        outcome = audit_extension(
            extension,
            _audit_request(settings),
            sysconfig_platform=platform_tag(interp, settings.environ),
            dist_name=metadata.dist_name,
            extension_dir=layout.extension_dir,
            link_dirs=link_dirs,
            staging=Path(staging),
            environ=settings.environ,
        )
        if unit.abi3 is not None:
            py, abi = stable_abi_tag(unit.abi3)
            tag = f"{py}-{abi}-{outcome.platform}"
            filename = f"{layout.extension_name}.abi3.so"
        else:
            tag = wheel_tag(interp, settings.environ, outcome.platform)
            filename = layout.extension_name + interp.ext_suffix
        # --- end issue 5
        entries = plan_entries(
            layout,
            metadata,
            outcome.extension,
            filename,
            wheel_file(f"ferrule ({__version__})", expand_tags(tag)),
            boundary=settings.project_dir,
        )
        entries = with_libraries(entries, outcome.libraries, metadata.dist_info)
        target = out_dir / wheel_filename(metadata, tag)
        with WheelWriter(target, metadata.dist_info, settings.environ) as writer:
            for entry in entries:
                if entry.source is not None:
                    writer.add_file(entry.arcname, entry.source, entry.executable or None)
                else:
                    assert entry.data is not None
                    writer.add_bytes(entry.arcname, entry.data, entry.executable)
    _log.info(f"built {target}")
    return BuiltWheel(target, tag, interp)


def build_wheels(
    settings: Settings, interpreters: Sequence[Interpreter], out_dir: Path
) -> list[BuiltWheel]:
    """One wheel per build unit (one abi3 wheel shared by the interpreters it covers)."""
    _check_bindings(settings)
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    units = plan_units(settings, interpreters)  # issue 5: group interpreters into build units
    return [_build_one(settings, layout, metadata, unit, out_dir) for unit in units]


def write_dist_info(settings: Settings, directory: Path) -> str:
    """The ``.dist-info`` directory for ``prepare_metadata_for_build_*``: no compiler involved."""
    metadata = build_metadata(settings)
    dist_info = directory / metadata.dist_info
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_bytes(metadata.rfc822)
    if metadata.entry_points:
        (dist_info / "entry_points.txt").write_bytes(metadata.entry_points)
    for rel, path in metadata.license_files:
        target = dist_info / "licenses" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return metadata.dist_info
