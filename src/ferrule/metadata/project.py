"""``[project]`` (PEP 621 / PEP 639), validated, with its dynamic fields from Cargo.toml.

``pyproject-metadata`` validates the table (types, versions, requirements,
readme and license files); ``packaging`` checks what it leaves out (SPDX
expressions, extra names). Fields listed in ``project.dynamic`` are taken from
Cargo.toml as maturin takes them; fields not listed there are never filled in
(the pyproject.toml specification forbids it). Problems are collected, each
with its dotted key, and reported together. Loose input that maturin builds
(found and warned about by :mod:`ferrule.config.project_table`) is read the way
maturin reads it (:mod:`ferrule.metadata.lenient`).
"""

from __future__ import annotations

import copy
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import Version

from ferrule.config.project_table import PROJECT_FIELDS, dynamic_fields, unmatched_license_globs
from ferrule.errors import ConfigError, ConfigProblem
from ferrule.metadata.cargo import CargoFields, posix_relative, readme_content_type
from ferrule.metadata.core import CoreMetadata, EntryPoints, one_line
from ferrule.metadata.lenient import lenient_table

if TYPE_CHECKING:
    from pyproject_metadata import StandardMetadata

__all__ = ["LICENSE_GLOBS", "Problems", "from_project", "requires_python_text"]

# maturin's automatic license files (when `license-files` is not given).
LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "AUTHORS*")

_T = TypeVar("_T")


class Problems:
    """Problems collected while reading, raised together."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.items: list[ConfigProblem] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(ConfigProblem(self.file, key, message))

    def guard(self, func: Callable[[], _T]) -> _T | None:
        """Run ``func``; a ConfigError it raises is collected and None returned."""
        try:
            return func()
        except ConfigError as exc:
            # A lazy Cargo field that fails fails again when asked twice: report it once.
            self.items += [p for p in exc.problems if p not in self.items]
            return None


def requires_python_text(raw: str) -> str:
    """``requires-python`` as maturin writes it: specifiers in the given order, normalised.

    >>> requires_python_text(">= 3.09 , <4")
    '>=3.9, <4'
    >>> requires_python_text("~=3.10, !=3.11.*")
    '~=3.10, !=3.11.*'
    """
    from packaging.specifiers import Specifier

    out = []
    for part in raw.split(","):
        if not part.strip():
            continue
        spec = Specifier(part.strip())
        version = spec.version
        if spec.operator != "===":
            star = version.endswith(".*")
            version = str(Version(version[:-2] if star else version)) + (".*" if star else "")
        out.append(spec.operator + version)
    return ", ".join(out)


def contacts(people: Iterable[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """Authors or maintainers as (names without an address, addresses), joined as maturin does.

    >>> contacts([("A. Person", "a@x.org"), ("Solo", None), ("", "b@x.org")])
    ('Solo', '"A. Person" <a@x.org>, b@x.org')
    """
    names, emails = [], []
    for name, email in people:
        if name and email:
            if re.search(r'[()<>@,;:\\".\[\]]', name):  # RFC 822 "specials"
                quoted = name.replace("\\", "\\\\").replace('"', '\\"')
                emails.append(f'"{quoted}" <{email}>')
            else:
                emails.append(f"{name} <{email}>")
        elif email:
            emails.append(email)
        elif name:
            names.append(name)
    return (", ".join(names) or None, ", ".join(emails) or None)


def _people(entries: Any) -> list[tuple[str, str | None]]:
    """A validated authors/maintainers array as (name, email) pairs; a missing name is ""."""
    return [(e.get("name", ""), e.get("email")) for e in entries or ()]


def _acceptable_pattern(pattern: object) -> bool:
    """A PEP 639 license-files glob: a non-empty, relative path that stays inside.

    >>> [_acceptable_pattern(p) for p in ("LICEN[CS]E*", "", "/etc/x", "../x", 3)]
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
        if not _acceptable_pattern(pattern):
            continue  # reported by _license_file_patterns
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                out.setdefault(path.relative_to(root).as_posix(), path)
    return out


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


def _validate(
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


def _canonical_license(value: str) -> str | None:
    """The canonical spelling of an SPDX expression, or None when it is not valid SPDX."""
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        return canonicalize_license_expression(value)
    except InvalidLicenseExpression:
        return None


def _requires_dist(meta: StandardMetadata, problems: Problems) -> tuple[list[str], list[str]]:
    """Requires-Dist (dependencies, then each extra's) and Provides-Extra."""
    requires = [str(req) for req in meta.dependencies]
    extras: list[str] = []
    for extra, reqs in meta.optional_dependencies.items():
        try:
            # PEP 685: Provides-Extra and the markers use the normalised name.
            norm = canonicalize_name(extra, validate=True)
        except ValueError:
            problems.add(
                f"project.optional-dependencies.{extra}",
                "is not a valid extra name (letters, digits, '-', '_' and '.', "
                "starting and ending with a letter or digit)",
            )
            continue
        if norm not in extras:
            extras.append(norm)
        for req in reqs:
            marker = str(req.marker) if req.marker else ""
            # Parentheses keep an `or` from binding looser than the extra.
            if " or " in marker:
                marker = f"({marker})"
            with_extra = copy.copy(req)
            with_extra.marker = Marker(
                f'{marker} and extra == "{norm}"' if marker else f'extra == "{norm}"'
            )
            requires.append(str(with_extra))
    return requires, extras


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
        if not isinstance(pattern, str) or _acceptable_pattern(pattern):
            continue  # (pyproject-metadata reports a wrong type)
        if not pattern.strip():
            continue  # matches nothing, as in maturin (ferrule.config warns)
        problems.add(key, f"{pattern!r} must be relative to pyproject.toml and stay inside it")
        bad = True
    if bad:
        del table["license-files"]
        return {"project.license-files"}
    return set()


def _license_files(
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


def _entry_point_groups(
    project: Mapping[str, Any], meta: StandardMetadata, problems: Problems
) -> dict[str, Mapping[str, str]]:
    """``project.entry-points`` in its order: validated groups, and as written the
    groups whose names are no dotted names (kept from pyproject-metadata)."""
    raw = project.get("entry-points")
    out: dict[str, Mapping[str, str]] = {}
    for group, entries in raw.items() if isinstance(raw, Mapping) else ():
        if group in meta.entrypoints:
            out[group] = meta.entrypoints[group]
        elif isinstance(entries, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in entries.items()
        ):
            out[group] = entries
        else:
            problems.add("project.entry-points", f"{group!r} must be a table of strings")
    return out


def from_project(
    project: Mapping[str, Any], cargo: CargoFields, problems: Problems
) -> tuple[CoreMetadata, dict[str, Path], EntryPoints] | None:
    """Metadata from ``[project]`` and, for its dynamic fields, Cargo.toml.

    Returns None when there are problems (collected in ``problems``).
    """
    dynamic = dynamic_fields(project)
    if not isinstance(project.get("dynamic", []), list):
        # (pyproject-metadata 0.12 fails on this one with an AttributeError)
        problems.add("project.dynamic", 'must be an array of field names, such as ["version"]')
    # Fields both static and dynamic, dynamic names that are no field, dynamic
    # fields Cargo.toml cannot fill: warned about by ferrule.config.project_table.
    meta = _validate(project, dynamic, problems.file.parent, cargo, problems)
    if meta is None:
        return None

    def dynamic_from_cargo(field: str, value: Callable[[], _T]) -> _T | None:
        return problems.guard(value) if field in dynamic and field not in project else None

    kwargs: dict[str, Any] = {"name": meta.name}
    kwargs["version"] = (
        str(meta.version) if "version" in project else problems.guard(lambda: cargo.version)
    )
    kwargs["summary"] = (
        one_line(meta.description)
        if meta.description is not None
        else dynamic_from_cargo("description", lambda: cargo.summary)
    )
    readme: tuple[str, str | None] | None = None
    if meta.readme is not None:
        assert meta.readme.content_type is not None
        given = project.get("readme")
        untyped = isinstance(given, Mapping) and "content-type" not in given
        readme = (meta.readme.text, None if untyped else meta.readme.content_type)
    else:
        readme = dynamic_from_cargo("readme", lambda: cargo.readme)
    kwargs["description"], kwargs["description_content_type"] = readme or (None, None)
    if "authors" in project:
        names, emails = contacts(_people(project["authors"]))
        if "authors" in dynamic:
            # Static and dynamic: maturin starts from Cargo.toml's and replaces
            # the names and the addresses the static value has.
            cargo_names, cargo_emails = problems.guard(lambda: cargo.authors) or (None, None)
            names, emails = names or cargo_names, emails or cargo_emails
        kwargs["author"], kwargs["author_email"] = names, emails
    else:
        authors = dynamic_from_cargo("authors", lambda: cargo.authors) or (None, None)
        kwargs["author"], kwargs["author_email"] = authors
    kwargs["maintainer"], kwargs["maintainer_email"] = contacts(_people(project.get("maintainers")))
    if "keywords" in project:
        kwargs["keywords"] = ",".join(meta.keywords) or None
    else:
        kwargs["keywords"] = dynamic_from_cargo("keywords", lambda: cargo.keywords)
    raw_urls = project.get("urls")
    if isinstance(raw_urls, Mapping) and all(isinstance(v, str) for v in raw_urls.values()):
        # (With the labels longer than 32 characters kept from pyproject-metadata.)
        kwargs["project_urls"] = tuple(raw_urls.items())
    elif "urls" in project:
        kwargs["project_urls"] = tuple(meta.urls.items())
    else:
        kwargs["project_urls"] = dynamic_from_cargo("urls", lambda: cargo.urls) or ()
    if "urls" in dynamic:
        kwargs["home_page"] = cargo.package.homepage

    if isinstance(meta.license, str):
        # Written canonically; an invalid expression as given, as maturin writes
        # it (ferrule.config warns).
        kwargs["license_expression"] = _canonical_license(meta.license) or meta.license
    elif meta.license is not None and meta.license.file is None:
        kwargs["license"] = meta.license.text
    if kwargs.get("license") is None and "license" in dynamic:
        # Cargo's `license` is SPDX 2 syntax (it allows `MIT/Apache-2.0`), so
        # it goes into the free-form License field, as maturin writes it. As
        # maturin, also next to a static expression or license file (a static
        # license text replaces it).
        kwargs["license"] = cargo.package.license
    licenses = _license_files(project, meta, cargo, problems)
    kwargs["license_files"] = tuple(licenses)

    raw_classifiers = project.get("classifiers")
    # (License classifiers next to an expression were kept from pyproject-metadata.)
    kwargs["classifiers"] = (
        tuple(raw_classifiers)
        if isinstance(raw_classifiers, list) and all(isinstance(c, str) for c in raw_classifiers)
        else tuple(meta.classifiers)
    )
    raw_python = project.get("requires-python")
    if meta.requires_python is not None and isinstance(raw_python, str):
        kwargs["requires_python"] = requires_python_text(raw_python)
    requires, extras = _requires_dist(meta, problems)
    kwargs["requires_dist"], kwargs["provides_extra"] = tuple(requires), tuple(extras)

    for reserved, key in (("console_scripts", "scripts"), ("gui_scripts", "gui-scripts")):
        if reserved in meta.entrypoints:
            problems.add(f"project.entry-points.{reserved}", f"is not allowed; use project.{key}")
    entry_points: EntryPoints = (
        ("console_scripts", meta.scripts),
        ("gui_scripts", meta.gui_scripts),
        *_entry_point_groups(project, meta, problems).items(),
    )
    if problems.items:
        return None
    return CoreMetadata(**kwargs), licenses, entry_points
