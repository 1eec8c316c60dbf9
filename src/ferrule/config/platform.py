"""Platform tag and audit choices: ``--compatibility`` values (parsed as maturin reads them
by :func:`ferrule.audit.policy.parse_compatibility`) and the command line merged over ``compatibility`` / ``auditwheel`` / ``strip`` in the file.

Pure: no file or environment is read here (:func:`ferrule.config.load_settings` does).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ferrule.config.model import PlatformOptions, ToolConfig
from ferrule.errors import ConfigError, FerruleError

if TYPE_CHECKING:
    from ferrule.config import CliOptions

__all__ = ["macos_deployment_targets", "merge_platform"]


def macos_deployment_targets(tool: ToolConfig) -> dict[str, str]:
    """``[tool.maturin.target.<triple>] macos-deployment-target``, per triple (maturin's
    ``target_config``): the wheel tag's and ``MACOSX_DEPLOYMENT_TARGET``'s version for it.

    >>> macos_deployment_targets(ToolConfig(target={"x86_64-apple-darwin": {
    ...     "macos-deployment-target": "10.14"}, "x": 1}))
    {'x86_64-apple-darwin': '10.14'}
    """
    out = {}
    for triple, table in tool.target.items():
        value = table.get("macos-deployment-target") if isinstance(table, dict) else None
        if isinstance(value, str) and value.strip():
            out[triple] = value.strip()
    return out


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

    # The hooks pass "off" (the interpreter's own linux tag), which needs no policy:
    # the audit package (ELF reader, json, policy table) is imported for named ones only.
    named = [item for item in raw if item.strip().lower() not in ("off", "linux")]
    if named:
        from ferrule.audit.policy import parse_compatibility, policy_problem
    values: list[str] = []
    for item in raw:
        try:
            values.append(parse_compatibility(item) if item in named else "linux")
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
    if mode != "skip" and where == "--compatibility":
        # A policy the audit cannot check, or one that does not cover the target,
        # asked for this build: said now, before cargo runs (the audit would refuse
        # it after the build). Not for the config key: develop and sdist, which
        # never audit, take it as maturin's do.
        for item in named:
            problem = policy_problem(parse_compatibility(item), item.strip(), cli.target)
            if problem:
                raise refuse(problem)
    strip = cli.strip or tool.strip or strip_env
    return PlatformOptions(
        compatibility=tuple(dict.fromkeys(values)),
        pypi=pypi,
        auditwheel=mode,
        zig=cli.zig,
        strip=strip,
    )
