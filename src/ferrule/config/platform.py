"""Platform tag and audit choices: ``--compatibility`` values parsed as maturin reads them,
and the command line merged over ``compatibility`` / ``auditwheel`` / ``strip`` in the file.

Pure: no file or environment is read here (:func:`ferrule.config.load_settings` does).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ferrule.config.model import PlatformOptions, ToolConfig
from ferrule.errors import ConfigError, FerruleError

if TYPE_CHECKING:
    from ferrule.config import CliOptions

__all__ = ["merge_platform", "parse_compatibility"]

_LEGACY = {"1": "manylinux_2_5", "2010": "manylinux_2_12", "2014": "manylinux_2_17"}


def parse_compatibility(value: str) -> str:
    """Normalise one ``--compatibility`` value as maturin reads it.

    Returns ``linux``, ``pypi``, ``manylinux_X_Y`` or ``musllinux_X_Y``.

    >>> [parse_compatibility(v) for v in ("off", "2014", "manylinux2010", "2_28",
    ...  "manylinux_2_17", "musllinux_1_2", "PyPI", "manylinux1")]
    ['linux', 'manylinux_2_17', 'manylinux_2_12', 'manylinux_2_28', 'manylinux_2_17', 'musllinux_1_2', 'pypi', 'manylinux_2_5']
    >>> parse_compatibility("manylinux_2")
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: 'manylinux_2' is not a platform compatibility; use linux (or off), pypi, manylinux2014, manylinux_X_Y (or X_Y) or musllinux_X_Y
    """
    v = value.strip().lower()
    if v in ("off", "linux"):
        return "linux"
    if v == "pypi":
        return "pypi"
    legacy = v.removeprefix("manylinux")
    if legacy in _LEGACY:
        return _LEGACY[legacy]
    match = re.fullmatch(r"(musllinux_|manylinux_)?(\d+)_(\d+)", v)
    if match:
        family = "musllinux" if match[1] == "musllinux_" else "manylinux"
        return f"{family}_{int(match[2])}_{int(match[3])}"
    raise FerruleError(
        f"{value!r} is not a platform compatibility; use linux (or off), pypi, manylinux2014, "
        "manylinux_X_Y (or X_Y) or musllinux_X_Y"
    )


def merge_platform(
    cli: CliOptions, tool: ToolConfig, tool_name: str, path: Path | None, strip_env: bool
) -> PlatformOptions:
    """``--compatibility`` / ``--auditwheel`` / ``--zig`` / ``--strip`` over the config keys
    (``strip_env``: ``MATURIN_STRIP`` is set)."""
    raw, where = cli.compatibility, "--compatibility"
    if not raw:
        raw, where = tool.compatibility, f"{tool_name}.compatibility"

    def refuse(message: str) -> FerruleError:
        """The command line's error names the option; the file's names the file and key."""
        if where.startswith("--"):
            return FerruleError(f"{where}: {message}")
        return ConfigError.single(path or Path("pyproject.toml"), where, message)

    values: list[str] = []
    for item in raw:
        try:
            values.append(parse_compatibility(item))
        except FerruleError as exc:
            raise refuse(str(exc)) from None
    pypi = "pypi" in values
    values = [v for v in values if v != "pypi"]
    if "linux" in values and len(values) > 1:
        raise refuse("'linux' cannot be combined with other platform tags")
    if len({v.split("_")[0] for v in values}) > 1:
        raise refuse("manylinux and musllinux tags cannot be mixed for an extension module")
    if cli.auditwheel:
        mode = cli.auditwheel
    elif cli.skip_auditwheel or tool.skip_auditwheel:
        mode = "skip"
    else:
        mode = tool.auditwheel or "repair"
    strip = cli.strip or tool.strip or strip_env
    return PlatformOptions(
        compatibility=tuple(dict.fromkeys(values)),
        pypi=pypi,
        auditwheel=mode,
        zig=cli.zig,
        strip=strip,
    )
