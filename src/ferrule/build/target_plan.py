"""The build plan's target: ``--target`` (or a macOS / Windows host) as the plan sees it.

Pure parts of :mod:`ferrule.build.plan` that depend on the target: the stable-ABI
suffix, where each artifact's file lands, the pyo3 configuration file of a unit
(abi3, cross-compiling) and Windows' import-library rule. Expected values are
maturin's (docs/platforms.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ferrule.abi import BuildUnit, pyo3_config_text, pyo3_features, uses_target_abi_config
from ferrule.config.model import Settings
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.interpreter_config import pyo3_cross_config_text
from ferrule.target import Target, parse_target

if TYPE_CHECKING:
    from ferrule.build.plan import PlannedArtifact

__all__ = [
    "abi3_suffix",
    "check_windows_import_library",
    "host_machine",
    "plan_target",
    "planned_file",
    "pyo3_config_for",
]


def plan_target(settings: Settings) -> Target | None:
    """``--target`` described, or None for the host."""
    triple = settings.cargo_options.target
    return parse_target(triple) if triple else None


def planned_file(
    artifact: PlannedArtifact, extension_name: str, target: Target | None
) -> PurePosixPath | None:
    """Where ``artifact``'s file lands in the wheel, as cargo names it on ``target``
    (None: the host, whose names cargo's output gives; uniffi: uniffi.toml may rename it).

    pyo3 modules carry their file name; cffi libraries are ``lib<ext>.so`` /
    ``lib<ext>.dylib`` / ``<ext>.dll`` (maturin's ``binding_generator::cdylib_filename``);
    binaries are scripts, ``.exe`` on Windows.
    """
    if artifact.kind in ("pyo3", "pyo3-ffi", "extension"):
        assert artifact.name is not None
        return artifact.destination / artifact.name
    if target is None:
        return None
    if artifact.kind == "cffi":
        return artifact.destination / target.library_file(extension_name)
    if artifact.kind == "bin":
        assert artifact.name is not None
        return artifact.destination / target.executable_file(artifact.name)
    return None


def abi3_suffix(target: Target | None, interp: Interpreter) -> str:
    """The stable-ABI extension's suffix on the target (the host: as its interpreter's).

    >>> i = Interpreter("cpython", 3, 11, "", ".cp311-win_amd64.pyd", "", "", "", "", False, 64)
    >>> abi3_suffix(None, i), abi3_suffix(parse_target("aarch64-apple-darwin"), i)
    ('.pyd', '.abi3.so')
    """
    if target is not None:
        return target.abi3_suffix
    return ".pyd" if interp.ext_suffix.endswith(".pyd") else ".abi3.so"


def host_machine() -> str:
    """The host's machine name (a universal2 Python's wheels get the host's architecture)."""
    import platform

    return platform.machine()


def check_windows_import_library(settings: Settings, units: Sequence[BuildUnit]) -> None:
    """Linking for Windows needs Python's import library (``python3.lib`` for abi3,
    ``python3X.lib`` otherwise). An interpreter that is not run (cross-compiling) has none
    to give; pyo3's ``generate-import-lib`` feature makes it, ``PYO3_CROSS_LIB_DIR`` can
    point at one (maturin's ``python_interpreter/resolver.rs``)."""
    target = plan_target(settings)
    env = settings.environ
    if target is None or not target.is_windows or settings.pyo3.name is None:
        return
    if env.get("PYO3_CROSS_LIB_DIR") or env.get("PYO3_CONFIG_FILE"):
        return
    for unit in units:
        interp = unit.interpreter
        if interp.runnable or "generate-import-lib" in pyo3_features(settings, interp):
            continue
        raise FerruleError(
            f"compiling for {target.triple} without a Windows interpreter ({interp.name} is "
            f"described, not run) needs Python's import library: enable {settings.pyo3.name}'s "
            f'`generate-import-lib` feature (features = ["{settings.pyo3.name}/'
            "generate-import-lib\"]) or set PYO3_CROSS_LIB_DIR to the target Python's libs "
            "directory"
        )


def pyo3_config_for(
    settings: Settings, unit: BuildUnit, work_dir: Path
) -> tuple[Path | None, str | None]:
    """The ``PYO3_CONFIG_FILE`` a unit's pyo3 compiles get, and its text (None, None: none;
    the user's own ``PYO3_CONFIG_FILE`` is used as it is).

    Cross-compiling, pyo3 is told the target interpreter in a file named and written as
    maturin's ``compile.rs`` does (``python_interpreter/config.rs``); abi3 with pyo3 >= 0.29
    gets the stable-ABI configuration (no interpreter needed).
    """
    interp, abi3 = unit.interpreter, unit.abi3
    triple = settings.cargo_options.target
    if "PYO3_CONFIG_FILE" in settings.environ:
        return None, None
    if not interp.runnable and triple:
        name = f"pyo3-config-{triple}-{interp.major}.{interp.minor}{'-abi3' if abi3 else ''}.txt"
        text = pyo3_cross_config_text(
            interp,
            abi3,
            use_target_abi=uses_target_abi_config(settings),
            lib_dir=settings.environ.get("PYO3_CROSS_LIB_DIR"),
        )
        return work_dir / name, text
    if abi3 is not None and uses_target_abi_config(settings):
        target = triple or "host"
        name = f"pyo3-config-{target}-{abi3[0]}.{abi3[1]}-abi3.txt"
        return work_dir / name, pyo3_config_text(interp, abi3)
    return None, None
