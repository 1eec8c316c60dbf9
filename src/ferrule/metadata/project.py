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
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import Version

from ferrule.config.project_table import dynamic_fields
from ferrule.metadata.cargo import CargoFields
from ferrule.metadata.core import CoreMetadata, EntryPoints, one_line
from ferrule.metadata.import_names import import_fields
from ferrule.metadata.licenses import LICENSE_GLOBS, canonical_license, license_files
from ferrule.metadata.pep621 import validate
from ferrule.metadata.problems import Problems

if TYPE_CHECKING:
    from pyproject_metadata import StandardMetadata

__all__ = ["LICENSE_GLOBS", "Problems", "from_project", "requires_python_text"]

_T = TypeVar("_T")


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
    project: Mapping[str, Any],
    cargo: CargoFields,
    problems: Problems,
    module_names: Callable[[], tuple[str, ...]],
) -> tuple[CoreMetadata, dict[str, Path], EntryPoints] | None:
    """Metadata from ``[project]`` and, for its dynamic fields, Cargo.toml.

    ``module_names`` fills a dynamic ``import-names`` (the top-level packages).
    Returns None when there are problems (collected in ``problems``).
    """
    dynamic = dynamic_fields(project)
    if not isinstance(project.get("dynamic", []), list):
        # (pyproject-metadata 0.12 fails on this one with an AttributeError)
        problems.add("project.dynamic", 'must be an array of field names, such as ["version"]')
    # Fields both static and dynamic, dynamic names that are no field, dynamic
    # fields Cargo.toml cannot fill: warned about by ferrule.config.project_table.
    meta = validate(project, dynamic, problems.file.parent, cargo, problems)
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
        kwargs["license_expression"] = canonical_license(meta.license) or meta.license
    elif meta.license is not None and meta.license.file is None:
        kwargs["license"] = meta.license.text
    if kwargs.get("license") is None and "license" in dynamic:
        # Cargo's `license` is SPDX 2 syntax (it allows `MIT/Apache-2.0`), so
        # it goes into the free-form License field, as maturin writes it. As
        # maturin, also next to a static expression or license file (a static
        # license text replaces it).
        kwargs["license"] = cargo.package.license
    licenses = license_files(project, meta, cargo, problems)
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
    kwargs.update(import_fields(project, dynamic, module_names, problems))

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
