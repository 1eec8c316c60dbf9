"""Build wheels: settings -> plan -> cargo -> wheel manifest -> wheel writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ferrule import __version__, _log
from ferrule.cargo.build import run_cargo
from ferrule.cargo.command import plan_cdylib
from ferrule.cargo.remap import PathRemap, path_remap
from ferrule.config.model import Settings
from ferrule.config.path_deps import cargo_workspace_root, path_crates
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.tags import wheel_tag
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


def _path_remap(settings: Settings) -> PathRemap:
    """Keep the checkout path out of the extension (see :mod:`ferrule.cargo.remap`)."""
    manifest = settings.cargo.manifest_path
    return path_remap(
        cargo_workspace_root(manifest),
        path_crates(manifest),
        default_out_dir(settings).parent,
        settings.cargo_options.profile,
        settings.cargo_options.rustc_args,
        settings.cargo_options.unstable_flags,
        settings.environ,
    )


def wheel_filename(metadata: PackageMetadata, tag: str) -> str:
    return f"{metadata.dist_name}-{metadata.version.replace('-', '_')}-{tag}.whl"


def _build_one(
    settings: Settings,
    layout: ProjectLayout,
    metadata: PackageMetadata,
    interp: Interpreter,
    out_dir: Path,
) -> BuiltWheel:
    _log.info(f"building {metadata.name} {metadata.version} for {interp.describe()}")
    cargo = settings.environ.get("CARGO", "cargo")
    invocation = plan_cdylib(
        cargo, settings.cargo.manifest_path, settings.cargo_options, interp, settings.environ
    )
    invocation = _path_remap(settings).apply(invocation)
    result = run_cargo(invocation, "cdylib")
    extension = result.artifacts[0].path
    tag = wheel_tag(interp, settings.environ)
    entries = plan_entries(
        layout,
        metadata,
        extension,
        layout.extension_name + interp.ext_suffix,
        wheel_file(f"ferrule ({__version__})", [tag]),
        boundary=settings.project_dir,
    )
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
    """One wheel per interpreter, written atomically into ``out_dir``."""
    _check_bindings(settings)
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    return [_build_one(settings, layout, metadata, interp, out_dir) for interp in interpreters]


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
