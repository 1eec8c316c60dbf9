"""Dependencies for ``develop``: installed with pip or uv only when they are not already satisfied.

The requirements are ``[project] dependencies``, the optional dependencies of
each ``-E`` extra and the PEP 735 ``[dependency-groups]`` of each ``-G`` group
(``dev`` by default when the project has one, as maturin). They are checked
against the environment's installed distributions (with markers evaluated for
the target interpreter, and the installed dependencies' own requirements
followed), in-process and without starting pip; only when something is missing
or has the wrong version is ``pip install`` (or ``uv pip install``) run, with
all of them so that the resolver sees the whole set.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from ferrule import _log, _run
from ferrule.develop.environment import TargetEnvironment
from ferrule.errors import ConfigError, FerruleError

__all__ = ["install_requirements", "project_requirements", "unsatisfied"]


def _parse(text: str, file: Path, key: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise ConfigError.single(file, key, f"{text!r} is not a valid requirement: {exc}") from None


def _group(
    groups: Mapping[str, Any], name: str, file: Path, stack: tuple[str, ...] = ()
) -> list[str]:
    """A PEP 735 group's requirement strings, with ``include-group`` expanded.

    >>> _group({"test": ["pytest"], "dev": [{"include-group": "test"}, "ruff"]}, "dev", Path("p"))
    ['pytest', 'ruff']
    """
    by_name = {canonicalize_name(k): k for k in groups}
    key = by_name.get(canonicalize_name(name))
    if key is None:
        known = ", ".join(sorted(groups)) or "none"
        raise ConfigError.single(
            file, "dependency-groups", f"there is no group {name!r} (groups: {known})"
        )
    if key in stack:
        cycle = " -> ".join((*stack, key))
        raise ConfigError.single(file, f"dependency-groups.{key}", f"include cycle: {cycle}")
    out: list[str] = []
    items = groups[key]
    if not isinstance(items, list):
        raise ConfigError.single(file, f"dependency-groups.{key}", "must be an array")
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out += _group(groups, item["include-group"], file, (*stack, key))
        else:
            raise ConfigError.single(
                file,
                f"dependency-groups.{key}",
                f"{item!r} is neither a requirement nor {{include-group = ...}}",
            )
    return out


def project_requirements(
    pyproject: Mapping[str, Any],
    file: Path,
    extras: Sequence[str],
    groups: Sequence[str],
) -> list[Requirement]:
    """The requirements ``develop`` makes sure are installed, self-references expanded."""
    project = pyproject.get("project") or {}
    name = canonicalize_name(str(project.get("name", "")))
    optional: Mapping[str, list[str]] = project.get("optional-dependencies") or {}
    optional_by_name = {canonicalize_name(k): k for k in optional}
    out: list[Requirement] = []
    seen_extras: set[str] = set()

    def add_extra(extra: str) -> None:
        key = optional_by_name.get(canonicalize_name(extra))
        if key is None:
            known = ", ".join(sorted(optional)) or "none"
            raise ConfigError.single(
                file,
                "project.optional-dependencies",
                f"there is no extra {extra!r} (extras: {known})",
            )
        if key in seen_extras:
            return
        seen_extras.add(key)
        for text in optional[key]:
            add(text, f"project.optional-dependencies.{key}")

    def add(text: str, key: str) -> None:
        req = _parse(text, file, key)
        if canonicalize_name(req.name) == name:
            # "pkg[test]" inside pkg's own lists: the project itself is being installed.
            for extra in sorted(req.extras):
                add_extra(extra)
            return
        if str(req) not in {str(r) for r in out}:
            out.append(req)

    for text in project.get("dependencies") or []:
        add(text, "project.dependencies")
    for extra in extras:
        add_extra(extra)
    table = pyproject.get("dependency-groups") or {}
    wanted = list(groups) or (["dev"] if "dev" in {canonicalize_name(k) for k in table} else [])
    for group in wanted:
        for text in _group(table, group, file):
            add(text, f"dependency-groups.{group}")
    return out


def _installed(env: TargetEnvironment) -> dict[NormalizedName, Path]:
    found: dict[NormalizedName, Path] = {}
    for site in dict.fromkeys((env.purelib, env.platlib)):
        try:
            names = sorted(p.name for p in site.iterdir())
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                project = canonicalize_name(entry[: -len(".dist-info")].rsplit("-", 1)[0])
                found.setdefault(project, site / entry)
    return found


def _read_metadata(dist_info: Path) -> tuple[Version | None, list[str]]:
    try:
        headers = BytesHeaderParser().parsebytes((dist_info / "METADATA").read_bytes())
    except OSError:
        return None, []
    try:
        version = Version(str(headers.get("Version", "")))
    except InvalidVersion:
        version = None
    return version, [str(r) for r in headers.get_all("Requires-Dist") or []]


def _applies(marker: Marker | None, env: Mapping[str, str], extras: Iterable[str]) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**env, "extra": extra}) for extra in ("", *extras))


def unsatisfied(requirements: Sequence[Requirement], env: TargetEnvironment) -> list[str]:
    """What is missing or at a wrong version, following installed dependencies' requirements."""
    installed = _installed(env)
    problems: list[str] = []
    queue: list[tuple[Requirement, frozenset[str]]] = [(r, frozenset()) for r in requirements]
    seen: set[tuple[str, frozenset[str], str]] = set()
    while queue:
        req, parent_extras = queue.pop(0)
        if not _applies(req.marker, env.markers, parent_extras):
            continue
        name = canonicalize_name(req.name)
        key = (name, frozenset(req.extras), str(req.specifier))
        if key in seen:
            continue
        seen.add(key)
        dist_info = installed.get(name)
        if dist_info is None:
            problems.append(f"{req} (not installed)")
            continue
        version, requires = _read_metadata(dist_info)
        if version is not None and not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req} ({version} is installed)")
            continue
        for text in requires:
            try:
                sub = Requirement(text)
            except InvalidRequirement:
                continue
            if sub.marker is None or _applies(sub.marker, env.markers, req.extras):
                queue.append((sub, frozenset(req.extras)))
    return problems


def _uv_command(environ: Mapping[str, str]) -> list[str]:
    found = shutil.which("uv", path=environ.get("PATH"))
    if found:
        return [found]
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    raise FerruleError("--uv: uv was not found on PATH or next to ferrule (pip install uv)")


def installer_command(
    env: TargetEnvironment, environ: Mapping[str, str], use_uv: bool, pip_path: Path | None
) -> list[str]:
    """``pip install`` for the target environment, or ``uv pip install --python ...``."""
    has_pip = any((site / "pip").is_dir() for site in (env.purelib, env.platlib))
    if pip_path is None and (use_uv or (env.made_by_uv and not has_pip)):
        return [*_uv_command(environ), "pip", "install", "--python", str(env.python)]
    if pip_path is not None:
        return [str(pip_path), "install"]
    if not has_pip:
        raise FerruleError(
            f"pip is not installed in {env.prefix}; use --uv to install dependencies with uv, "
            "or install pip there"
        )
    return [str(env.python), "-m", "pip", "install"]


def install_requirements(
    requirements: Sequence[Requirement],
    env: TargetEnvironment,
    environ: Mapping[str, str],
    *,
    use_uv: bool,
    pip_path: Path | None,
    install: bool = True,
) -> None:
    """Install the requirements unless they are all satisfied already."""
    if not requirements:
        return
    problems = unsatisfied(requirements, env)
    if not problems:
        _log.debug("dependencies are satisfied")
        return
    if not install:
        _log.warn("dependencies are not satisfied: " + "; ".join(problems))
        return
    _log.info("installing dependencies: " + "; ".join(problems))
    command = [
        *installer_command(env, environ, use_uv, pip_path),
        *(str(r) for r in requirements),
    ]
    run_env = {**environ, "VIRTUAL_ENV": str(env.prefix)}
    _run.run(command, env=run_env, capture_stdout=False, capture_stderr=False)
