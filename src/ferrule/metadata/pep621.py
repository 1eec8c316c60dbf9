"""``[project]`` validated by pyproject-metadata, after ferrule's own, better-located checks.

pyproject-metadata validates the table (types, versions, requirements, readme
and license files); ferrule first reports, with their dotted keys, what it
would report less readably or choke on (requirements, license-files globs,
files that are not UTF-8), and reads loose input as maturin reads it
(:mod:`ferrule.metadata.lenient`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.config.project_table import PROJECT_FIELDS, unmatched_license_globs
from ferrule.errors import ConfigProblem
from ferrule.metadata.cargo import CargoFields, readme_content_type
from ferrule.metadata.core import one_line
from ferrule.metadata.lenient import lenient_table
from ferrule.metadata.licenses import acceptable_pattern
from ferrule.metadata.problems import Problems

if TYPE_CHECKING:
    from pyproject_metadata import StandardMetadata

__all__ = ["validate"]


def _problems_from(
    exc: BaseException, file: Path, renames: Mapping[str, str]
) -> list[ConfigProblem]:
    """pyproject-metadata's errors (possibly an ExceptionGroup) as ConfigProblems."""
    nested = getattr(exc, "exceptions", None)
    if nested:
        out: list[ConfigProblem] = []
        for sub in nested:
            out += _problems_from(sub, file, renames)
        return out
    key = getattr(exc, "key", None) or "project"
    message = str(exc)
    for prefix in (f'Field "{key}" ', f'"{key}" '):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return [ConfigProblem(file, renames.get(key, key), message)]


def _requirement_problems(project: Mapping[str, Any], problems: Problems) -> set[str]:
    """Check each requirement with packaging, for messages that show where it fails.

    Returns the keys reported, so that pyproject-metadata's less readable
    reports of the same requirements can be dropped.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    located: list[tuple[str, object]] = []
    deps = project.get("dependencies")
    if isinstance(deps, list):
        located += [(f"project.dependencies[{i}]", d) for i, d in enumerate(deps)]
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for extra, reqs in extras.items():
            if isinstance(reqs, list):
                located += [
                    (f"project.optional-dependencies.{extra}[{i}]", r) for i, r in enumerate(reqs)
                ]
    reported = set()
    for key, text in located:
        if not isinstance(text, str):
            continue
        try:
            Requirement(text)
        except InvalidRequirement as exc:
            problems.add(key, f"{text!r} is not a valid PEP 508 requirement: {exc}")
            reported.add(key)
    return reported


def _unreadable_files(
    table: dict[str, Any], root: Path, readme_key: str, problems: Problems
) -> set[str]:
    """Report a readme or legacy license file that is not UTF-8 text and take it out of
    ``table`` (pyproject-metadata would fail on it with a UnicodeDecodeError)."""
    reported = set()
    for field, key in (("readme", readme_key), ("license", "project.license.file")):
        value = table.get(field)
        name = value.get("file") if isinstance(value, dict) else None
        if not isinstance(name, str) or not (root / name).is_file():
            continue
        try:
            (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.add(key, f"{name!r} cannot be read as UTF-8 text ({exc})")
            reported.add(key)
            del table[field]
    return reported


def validate(
    project: Mapping[str, Any],
    dynamic: list[str],
    project_dir: Path,
    cargo: CargoFields,
    problems: Problems,
) -> StandardMetadata | None:
    """``[project]`` through pyproject-metadata; None if it is invalid."""
    from pyproject_metadata import StandardMetadata

    table = dict(project)
    readme = table.get("readme")
    if isinstance(readme, str):
        # maturin's content types (charset, GFM), which pyproject-metadata does not infer.
        table["readme"] = {"file": readme, "content-type": readme_content_type(readme)}
    lenient_table(table)
    if isinstance(table.get("description"), str):
        table["description"] = one_line(table["description"])
    dynamic_ok = isinstance(table.get("dynamic", []), list)
    if not dynamic_ok:
        table["dynamic"] = []  # reported by from_project
    if "version" not in table and "version" not in dynamic and dynamic_ok:
        # The specification requires one of them; maturin falls back to Cargo's
        # version, and so does ferrule (with a warning from ferrule.config).
        version = problems.guard(lambda: cargo.version)
        if version is not None:
            table["version"] = version
    if dynamic_ok:
        # Loose input maturin builds (warned about in ferrule.config.project_table):
        # a field both static and dynamic keeps its static value here (the merge
        # with Cargo.toml is from_project's); names that are no field are ignored.
        # (A Cargo version that failed is reported already: keep it from being "missing".)
        table["dynamic"] = [
            f for f in dynamic if (f in PROJECT_FIELDS and f not in table) or f == "name"
        ]
        if "version" not in table and "version" not in table["dynamic"]:
            table["dynamic"].append("version")

    own_reports = _requirement_problems(project, problems)
    own_reports |= _license_file_patterns(table, problems)
    if isinstance(table.get("license"), dict):
        # license-files next to a legacy license table: maturin ships both
        # (from_project globs the files itself).
        table.pop("license-files", None)
    unmatched = unmatched_license_globs(table, project_dir)
    if unmatched:
        # A pattern that matches nothing adds nothing, as in maturin.
        table["license-files"] = [
            p for i, p in enumerate(table["license-files"]) if i not in unmatched
        ]

    readme_key = "project.readme" if isinstance(readme, str) else "project.readme.file"
    own_reports |= _unreadable_files(table, project_dir, readme_key, problems)
    renames = {"project.readme.file": "project.readme"} if isinstance(readme, str) else {}
    with warnings.catch_warnings():
        # pyproject-metadata's warnings (deprecated license forms) are made, with
        # their keys and fixes, by ferrule.config.project_table.
        warnings.simplefilter("ignore")
        try:
            meta = StandardMetadata.from_pyproject(
                {"project": table},
                project_dir,
                metadata_version="2.4",
                # Unknown keys are ignored, as maturin ignores them (ferrule.config warns).
                allow_extra_keys=True,
                all_errors=True,
            )
        except Exception as exc:  # pyproject-metadata's own errors, or an ExceptionGroup of them
            if not (
                type(exc).__module__.startswith("pyproject_metadata") or hasattr(exc, "exceptions")
            ):
                raise
            problems.items += [
                p for p in _problems_from(exc, problems.file, renames) if p.key not in own_reports
            ]
            meta = None
    return meta


def _license_file_patterns(table: dict[str, Any], problems: Problems) -> set[str]:
    """Glob patterns pyproject-metadata would choke on (it raises a bare ValueError).

    PEP 639: relative, no ``..``, not empty. Bad patterns are reported here and
    the field is dropped before pyproject-metadata sees it.
    """
    patterns = table.get("license-files")
    if not isinstance(patterns, list):
        return set()
    bad = False
    for i, pattern in enumerate(patterns):
        key = f"project.license-files[{i}]"
        if not isinstance(pattern, str) or acceptable_pattern(pattern):
            continue  # (pyproject-metadata reports a wrong type)
        if not pattern.strip():
            continue  # matches nothing, as in maturin (ferrule.config warns)
        problems.add(key, f"{pattern!r} must be relative to pyproject.toml and stay inside it")
        bad = True
    if bad:
        del table["license-files"]
        return {"project.license-files"}
    return set()
