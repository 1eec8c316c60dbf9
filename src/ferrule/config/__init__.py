"""Settings: the only package that reads TOML files and the environment.

:func:`load_settings` reads pyproject.toml, Cargo.toml and ``os.environ`` once
and returns a frozen :class:`~ferrule.config.model.Settings` that the rest of
ferrule receives as an argument.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ferrule._record import record
from ferrule.config.cargo_toml import read_cargo_package
from ferrule.config.model import (
    CargoFlags,
    CargoOptions,
    CargoPackage,
    Compression,
    FeatureSpec,
    Settings,
    ToolConfig,
)
from ferrule.config.platform import merge_platform
from ferrule.config.project_table import check_project
from ferrule.config.toml import TomlFiles
from ferrule.config.tool import parse_tool_table
from ferrule.errors import ConfigError, ConfigProblem, LayoutError

__all__ = ["CliOptions", "load_settings"]


@record
class CliOptions(CargoFlags):
    """What the command line (or PEP 517 ``config_settings``) says; None = not given.

    cargo's own flags come from :class:`CargoFlags`.
    """

    manifest_path: Path | None = None
    release: bool = False
    profile: str | None = None
    default_profile: str = "dev"
    features: tuple[str, ...] = ()  # as given: "a,b" and "c d" are split when merged
    bindings: str | None = None
    # Platform tags and audit (None / empty = not given on the command line).
    compatibility: tuple[str, ...] = ()
    auditwheel: str | None = None
    skip_auditwheel: bool = False
    zig: bool = False
    strip: bool = False
    compression_method: str = "deflated"
    compression_level: int | None = None
    compression_large_file: bool = False
    sbom_include: tuple[Path, ...] = ()
    include_debuginfo: bool = False
    bundle_licenses: bool = False
    allow_missing_license_files: bool = False
    strict: bool = False
    pgo: bool = False  # --pgo, or MATURIN_PGO on the commands that take --pgo


def _split_features(values: Sequence[str]) -> tuple[str, ...]:
    """cargo accepts ``-F a,b -F "c d"``.

    >>> _split_features(["a,b", "c d", " "])
    ('a', 'b', 'c', 'd')
    """
    out: list[str] = []
    for value in values:
        out += [f for f in re.split(r"[,\s]+", value) if f]
    return tuple(out)


def _find_pyproject(manifest: Path) -> Path | None:
    """With ``-m``, the pyproject.toml in the manifest's directory or its parent.

    The search stops at the parent of the crate directory, as maturin's does, so an
    unrelated pyproject.toml far up is not picked up.
    """
    for directory in (manifest.parent, manifest.parent.parent):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _given_manifest(path: Path | None) -> Path | None:
    """``-m``: the Cargo.toml it names (a directory stands for its Cargo.toml)."""
    if path is None:
        return None
    manifest = path.resolve()
    return manifest / "Cargo.toml" if manifest.is_dir() else manifest


def _project_name_dir(pyproject: Mapping[str, Any]) -> str | None:
    project = pyproject.get("project")
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        return re.sub(r"[-.]+", "_", project["name"]).lower()
    return None


def _select_tool_table(
    pyproject: Mapping[str, Any], path: Path, warnings: list[ConfigProblem]
) -> tuple[str, Mapping[str, Any]]:
    tool = pyproject.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError.single(path, "tool", "must be a table")
    ours, theirs = tool.get("ferrule"), tool.get("maturin")
    if ours is not None and theirs is not None:
        # maturin reads [tool.maturin] only; so does ferrule then (but `strict`, see _strict).
        warnings.append(
            ConfigProblem(
                path,
                "tool.ferrule",
                "[tool.maturin] is present too; [tool.ferrule] is ignored (but its 'strict') "
                "and [tool.maturin] is used, as maturin does; keep one of them "
                "(they take the same keys)",
            )
        )
    name, table = ("tool.maturin", theirs) if theirs is not None else ("tool.ferrule", ours)
    if table is None:
        return name, {}
    if not isinstance(table, dict):
        raise ConfigError.single(path, name, "must be a table")
    return name, table


def _strict(cli: CliOptions, pyproject: Mapping[str, Any], environ: Mapping[str, str]) -> bool:
    """Strict mode: ``--strict``, ``FERRULE_STRICT=1`` or ``[tool.ferrule] strict = true``.

    Read from the raw table: ``[tool.ferrule]`` counts for this key even when
    ``[tool.maturin]`` is the table used (a wrong type is reported by parse_tool_table).
    """
    tool = pyproject.get("tool")
    ours = tool.get("ferrule") if isinstance(tool, dict) else None
    from_file = isinstance(ours, dict) and ours.get("strict") is True
    return cli.strict or from_file or _env_flag(environ, "FERRULE_STRICT")


def _check_build_system(pyproject: Mapping[str, Any], path: Path) -> list[ConfigProblem]:
    build_system = pyproject.get("build-system")
    if build_system is None:
        return [
            ConfigProblem(
                path,
                "build-system",
                'missing; add [build-system] with requires = ["ferrule"] and '
                'build-backend = "ferrule"',
            )
        ]
    if not isinstance(build_system, dict):
        return [ConfigProblem(path, "build-system", "must be a table")]
    requires = build_system.get("requires", [])
    if not (isinstance(requires, list) and all(isinstance(r, str) for r in requires)):
        return [ConfigProblem(path, "build-system.requires", "must be an array of strings")]
    return []


def _resolve_manifest(project_dir: Path, pyproject: Mapping[str, Any], tool: ToolConfig) -> Path:
    if tool.manifest_path:
        return (project_dir / tool.manifest_path).resolve()
    rust = project_dir / "rust" / "Cargo.toml"
    if rust.is_file() and not (project_dir / "Cargo.toml").is_file():
        name = _project_name_dir(pyproject)
        if tool.python_source or (name and (project_dir / "src" / name / "__init__.py").is_file()):
            return rust
    return project_dir / "Cargo.toml"


def _merge_cargo_options(cli: CliOptions, tool: ToolConfig, path: Path | None) -> CargoOptions:
    if cli.release and cli.profile and cli.profile != "release":
        raise ConfigError.single(
            path or Path("<command line>"),
            "",
            f"--release conflicts with --profile {cli.profile}",
        )
    profile = "release" if cli.release else cli.profile or tool.profile or cli.default_profile
    features = (
        tuple(FeatureSpec(f) for f in _split_features(cli.features))
        if cli.features
        else tool.features
    )
    flags = {f.name: getattr(cli, f.name) for f in dataclasses.fields(CargoFlags)}
    for name in _FILE_FLAGS:  # the file's value when the command line gives none
        flags[name] = flags[name] or getattr(tool, name)
    return CargoOptions(profile=profile, features=features, **flags)


# The cargo flags [tool.maturin] may set too (the others are command-line only).
_FILE_FLAGS = (
    "all_features",
    "no_default_features",
    "locked",
    "frozen",
    "offline",
    "config",
    "unstable_flags",
    "rustc_args",
)


_TRUE = ("1", "true", "yes", "on")


def _env_flag(environ: Mapping[str, str], name: str) -> bool:
    """A switch in the environment: set to ``1``, ``true``, ``yes`` or ``on`` (any case)."""
    return name in environ and environ[name].lower() in _TRUE


def _cargo_version_warning(
    cargo: CargoPackage, pyproject: Mapping[str, Any]
) -> list[ConfigProblem]:
    """cargo takes a missing ``package.version`` as 0.0.0; maturin (and ferrule) too."""
    project = pyproject.get("project")
    if cargo.version is not None or (isinstance(project, dict) and "version" in project):
        return []
    return [
        ConfigProblem(
            cargo.manifest_path,
            "package.version",
            "missing; the version is 0.0.0, as cargo and maturin take it; set package.version "
            "(or project.version in pyproject.toml)",
        )
    ]


def load_settings(
    project_dir: Path,
    cli: CliOptions | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    report: bool = True,
) -> Settings:
    """Read every input once: pyproject.toml, Cargo.toml and the environment.

    What only some builds need (the pyo3 facts, path dependencies, uniffi.toml)
    is read on first use through the returned settings' store (``Settings.files``),
    so the metadata hook reads no more than it needs and no file is read twice.

    Loose input that maturin builds is kept in ``Settings.warnings`` and, with
    ``report``, printed (one line each). In strict mode it is an error instead,
    raised with every other problem found in the files.
    """
    cli = cli or CliOptions()
    files = TomlFiles()
    env = MappingProxyType(dict(os.environ if environ is None else environ))
    project_dir = project_dir.resolve()

    given = _given_manifest(cli.manifest_path)
    if given is not None:
        pyproject_path = _find_pyproject(given)
    else:
        candidate = project_dir / "pyproject.toml"
        pyproject_path = candidate if candidate.is_file() else None

    pyproject: Mapping[str, Any] = {}
    tool_name, tool = "tool.ferrule", ToolConfig()
    warnings: list[ConfigProblem] = []
    strict = _strict(cli, pyproject, env)
    if pyproject_path is not None:
        pyproject = files.read(pyproject_path)
        strict = _strict(cli, pyproject, env)
        problems = _check_build_system(pyproject, pyproject_path)
        tool_name, table = _select_tool_table(pyproject, pyproject_path, warnings)
        tool, tool_problems, tool_warnings = parse_tool_table(table, tool_name, pyproject_path)
        problems += tool_problems
        warnings += tool_warnings
        project = pyproject.get("project")
        if isinstance(project, dict):
            warnings += check_project(project, pyproject_path)
        if problems:
            # (In strict mode the warnings so far are listed with the errors.)
            raise ConfigError(problems + warnings if strict else problems, strict=strict)
        project_dir = pyproject_path.parent
    # Without a pyproject.toml the tool table is empty: the crate is the one in project_dir.
    manifest = given or _resolve_manifest(project_dir, pyproject, tool)

    if not manifest.is_file():
        where = f" (from {tool_name}.manifest-path)" if tool.manifest_path else ""
        raise LayoutError(f"Cargo.toml not found: {manifest}{where}")
    cargo: CargoPackage = read_cargo_package(manifest, files)
    warnings += _cargo_version_warning(cargo, pyproject)
    if strict and warnings:
        raise ConfigError(warnings, strict=True)
    if cli.bindings:
        tool = dataclasses.replace(tool, bindings=cli.bindings)
    options = _merge_cargo_options(cli, tool, pyproject_path)
    strip_env = _env_flag(env, "MATURIN_STRIP")
    platform = merge_platform(cli, tool, tool_name, pyproject_path, strip_env)
    if cli.pgo and not (tool.pgo_command or "").strip():
        raise ConfigError.single(
            pyproject_path or project_dir / "pyproject.toml",
            f"{tool_name}.pgo-command",
            "--pgo needs the command that exercises the built module "
            '(e.g. pgo-command = "python -m pytest tests"); it is not set or empty',
        )
    if platform.strip:
        options = dataclasses.replace(
            options, rustc_args=(*options.rustc_args, "-C", "strip=symbols")
        )
    if report:
        from ferrule import _log

        for warning in warnings:
            _log.warn(str(warning))
    return Settings(
        project_dir=project_dir,
        pyproject_path=pyproject_path,
        pyproject=pyproject,
        tool_table=tool_name,
        tool=tool,
        cargo=cargo,
        cargo_options=options,
        environ=env,
        platform=platform,
        warnings=tuple(warnings),
        strict=strict,
        compression=Compression(
            cli.compression_method, cli.compression_level, cli.compression_large_file
        ),
        sbom_include=cli.sbom_include,
        include_debuginfo=cli.include_debuginfo,
        pgo=cli.pgo,
        bundle_licenses=cli.bundle_licenses or tool.bundle_licenses,
        allow_missing_license_files=(
            cli.allow_missing_license_files or tool.allow_missing_license_files
        ),
        files=files,
    )
