"""The license files of a wheel (PEP 639), chosen as maturin chooses them.

``license-files`` globs when given; otherwise Cargo's ``license-file``, a legacy
``license.file``, then well-known names at the top of the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.metadata.cargo import CargoFields, posix_relative
from ferrule.metadata.problems import Problems

if TYPE_CHECKING:
    from pyproject_metadata import StandardMetadata

__all__ = ["LICENSE_GLOBS", "acceptable_pattern", "canonical_license", "license_files"]

# maturin's automatic license files (when `license-files` is not given).
LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")


def acceptable_pattern(pattern: object) -> bool:
    """A PEP 639 license-files glob: a non-empty, relative path that stays inside.

    >>> [acceptable_pattern(p) for p in ("LICEN[CS]E*", "", "/etc/x", "../x", 3)]
    [True, False, False, False, False]
    """
    return (
        isinstance(pattern, str)
        and bool(pattern.strip())
        and not pattern.startswith(("/", "\\"))
        and ".." not in pattern.replace("\\", "/").split("/")
    )


def _globbed(patterns: Iterable[str], root: Path) -> dict[str, Path]:
    """Files matching ``patterns`` under ``root``: pattern by pattern, sorted, without repeats."""
    out: dict[str, Path] = {}
    for pattern in patterns:
        if not acceptable_pattern(pattern):
            continue  # reported by ferrule.metadata.pep621
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                out.setdefault(path.relative_to(root).as_posix(), path)
    return out


def canonical_license(value: str) -> str | None:
    """The canonical spelling of an SPDX expression, or None when it is not valid SPDX."""
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return canonicalize_license_expression(value)
    except InvalidLicenseExpression:
        return None


def license_files(
    project: Mapping[str, Any], meta: StandardMetadata, cargo: CargoFields, problems: Problems
) -> dict[str, Path]:
    """Path under ``.dist-info/licenses/`` -> file on disk, in maturin's order."""
    root = problems.file.parent
    legacy = (
        meta.license if meta.license is not None and not isinstance(meta.license, str) else None
    )
    files: dict[str, Path] = {}
    if "license-files" in project:
        # PEP 639: exactly the files the globs match (pyproject-metadata has
        # checked that each glob stays inside the project), after a legacy
        # license.file as maturin takes both (ferrule.config warns).
        if legacy is not None and legacy.file:
            files[posix_relative(legacy.file, root) or legacy.file.name] = legacy.file
        matched = None if meta.license_files is None else {p.as_posix() for p in meta.license_files}
        for rel, path in _globbed(project["license-files"], root).items():
            if matched is None or rel in matched:
                files.setdefault(rel, path)
        return files
    # Otherwise PEP 639 lets the tool choose; as maturin: Cargo's license-file,
    # the legacy license.file, then well-known names at the top of the project.
    cargo_license = problems.guard(lambda: cargo.license_file)
    if cargo_license:
        files[cargo_license[0]] = cargo_license[1]
    if legacy is not None and legacy.file:
        files.setdefault(posix_relative(legacy.file, root) or legacy.file.name, legacy.file)
    for rel, path in _globbed(LICENSE_GLOBS, root).items():
        files.setdefault(rel, path)
    return files
