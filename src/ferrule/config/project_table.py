"""Loose ``[project]`` input that maturin 1.16 builds: found here, tolerated in metadata.

maturin reads ``[project]`` leniently: unknown keys and unknown names in
``dynamic`` are ignored, a field both set and listed in ``dynamic`` is merged
(Cargo.toml first, the static value over it), an SPDX ``license`` may sit next
to ``License ::`` classifiers. ferrule builds the same metadata
(:mod:`ferrule.metadata.project` tolerates each case) and reports each case
here as one warning with its dotted key, what ferrule did and the fix; strict
mode turns them into errors (:func:`ferrule.config.load_settings`).

Only the table's shape is looked at (and whether ``license-files`` globs match),
so this runs with the settings, before any metadata is computed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule.errors import ConfigProblem

__all__ = [
    "CARGO_FIELDS",
    "PROJECT_FIELDS",
    "check_project",
    "dotted_group",
    "dynamic_fields",
    "unmatched_license_globs",
]

# The [project] fields that may be listed in `dynamic` (all but name).
PROJECT_FIELDS = frozenset(
    [
        "version",
        "description",
        "readme",
        "requires-python",
        "license",
        "license-files",
        "authors",
        "maintainers",
        "keywords",
        "classifiers",
        "urls",
        "scripts",
        "gui-scripts",
        "entry-points",
        "dependencies",
        "optional-dependencies",
        "import-names",
        "import-namespaces",
    ]
)
# The [project] fields Cargo.toml can fill when they are listed in `dynamic`.
CARGO_FIELDS = ("version", "description", "authors", "license", "keywords", "urls", "readme")

# Names people write for a field (Core Metadata or setup.py spellings).
_ALIASES = {
    "home-page": "urls",
    "homepage": "urls",
    "project-url": "urls",
    "project-urls": "urls",
    "repository": "urls",
    "documentation": "urls",
    "download-url": "urls",
    "url": "urls",
    "summary": "description",
    "long-description": "readme",
    "author": "authors",
    "author-email": "authors",
    "maintainer": "maintainers",
    "maintainer-email": "maintainers",
    "requires-dist": "dependencies",
    "install-requires": "dependencies",
    "extras-require": "optional-dependencies",
    "license-file": "license-files",
    "classifier": "classifiers",
}


def _did_you_mean(name: str) -> str | None:
    """The [project] field ``name`` was probably meant to be.

    >>> _did_you_mean("home_page"), _did_you_mean("requires_python"), _did_you_mean("zzz")
    ('urls', 'requires-python', None)
    """
    spelled = name.lower().replace("_", "-")
    if spelled in PROJECT_FIELDS:
        return spelled
    if spelled in _ALIASES:
        return _ALIASES[spelled]
    close = difflib.get_close_matches(spelled, sorted(PROJECT_FIELDS), n=1, cutoff=0.75)
    return close[0] if close else None


def dotted_group(name: str) -> bool:
    """An entry-point group name as the specification wants it (maturin takes any).

    >>> dotted_group("pytest11"), dotted_group("my.plugins"), dotted_group("my-group")
    (True, True, False)
    """
    return re.fullmatch(r"\w+(\.\w+)*", name) is not None


def dynamic_fields(project: Mapping[str, Any]) -> list[str]:
    """The strings listed in ``project.dynamic`` (nothing when it is not an array)."""
    raw = project.get("dynamic", [])
    return [f for f in raw if isinstance(f, str)] if isinstance(raw, list) else []


def unmatched_license_globs(project: Mapping[str, Any], root: Path) -> list[int]:
    """Indexes of ``license-files`` patterns that match no file (maturin adds nothing for them)."""
    patterns = project.get("license-files")
    if not isinstance(patterns, list):
        return []
    out = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            continue
        if not pattern.strip():
            out.append(i)
            continue
        if pattern.startswith(("/", "\\")) or ".." in pattern.replace("\\", "/").split("/"):
            continue  # an error, reported by the metadata
        if not any(p.is_file() for p in root.glob(pattern)):
            out.append(i)
    return out


def _static_and_dynamic(field: str, project: Mapping[str, Any]) -> str:
    """What maturin (and so ferrule) does with a field that is set and also dynamic."""
    if field == "license" and not (
        isinstance(project["license"], Mapping) and "text" in project["license"]
    ):
        return (
            "the static value is used, and Cargo.toml's package.license (if set) is also "
            "written as License, as maturin does"
        )
    if field == "authors":
        return (
            "the static value is used; names or addresses it lacks come from Cargo.toml's "
            "package.authors, as maturin does"
        )
    return "the static value is used"


_CONTENT_TYPES = ("text/plain", "text/x-rst", "text/markdown")
_PYPI = "it is written as given, as maturin does (PyPI refuses the upload)"


def _refused_by_pypi(project: Mapping[str, Any], file: Path) -> list[ConfigProblem]:
    """Values maturin writes as given that PyPI (``packaging``) refuses."""
    out = []
    readme = project.get("readme")
    content_type = readme.get("content-type") if isinstance(readme, Mapping) else None
    if isinstance(content_type, str):
        main = content_type.split(";")[0].strip().lower()
        if main not in _CONTENT_TYPES:
            out.append(
                ConfigProblem(
                    file,
                    "project.readme.content-type",
                    f"{content_type!r} is not {', '.join(_CONTENT_TYPES)}; {_PYPI}; use one "
                    "of them",
                )
            )
    urls = project.get("urls")
    for label in urls if isinstance(urls, Mapping) else ():
        if isinstance(label, str) and len(label) > 32:
            out.append(
                ConfigProblem(
                    file,
                    "project.urls",
                    f"label {label!r} is longer than 32 characters; {_PYPI}; shorten it",
                )
            )
    license_value = project.get("license")
    if isinstance(license_value, str):
        from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

        try:
            canonicalize_license_expression(license_value)
        except InvalidLicenseExpression as exc:
            out.append(
                ConfigProblem(
                    file,
                    "project.license",
                    f"{license_value!r} is not a valid SPDX license expression ({exc}); {_PYPI}; "
                    "use identifiers from https://spdx.org/licenses/ joined with AND, OR and "
                    "WITH, or LicenseRef-<name> for a license without one",
                )
            )
    return out


def check_project(project: Mapping[str, Any], file: Path) -> list[ConfigProblem]:
    """The loose input in ``[project]``, one warning each (see the module docstring)."""
    out: list[ConfigProblem] = []

    def warn(key: str, message: str) -> None:
        out.append(ConfigProblem(file, key, message))

    dynamic = dynamic_fields(project)
    for name in dict.fromkeys(dynamic):
        if name == "name":
            continue  # an error (maturin refuses it too)
        if name not in PROJECT_FIELDS:
            meant = _did_you_mean(name)
            hint = f" (did you mean {meant!r}?)" if meant else ""
            warn(
                "project.dynamic",
                f"{name!r} is not a [project] field; it is ignored; remove it from "
                f"project.dynamic{hint}",
            )
        elif name in project:
            warn(
                "project.dynamic",
                f"{name!r} is set in [project] and also listed in project.dynamic; "
                f"{_static_and_dynamic(name, project)}; remove {name!r} from project.dynamic",
            )
        elif name not in CARGO_FIELDS and name != "import-names":
            # (import-names is filled from the module name: ferrule.metadata.import_names)
            warn(
                "project.dynamic",
                f"{name!r} cannot be filled from Cargo.toml (it gives {', '.join(CARGO_FIELDS)}); "
                f"it stays empty; set it in [project] or remove it from project.dynamic",
            )
    if "version" not in project and "version" not in dynamic:
        warn(
            "project.version",
            "is missing and not listed in project.dynamic; the version from Cargo.toml is "
            "used, as maturin does; add 'version' to project.dynamic",
        )
    for key in project:
        if key in PROJECT_FIELDS or key in ("name", "dynamic"):
            continue
        meant = _did_you_mean(key)
        if meant == "urls":
            fix = f'move it into [project.urls] (e.g. {key.capitalize()} = "...")'
        elif meant:
            fix = f"rename it to {meant!r}"
        else:
            fix = "remove it"
        warn(f"project.{key}", f"is not a [project] field; it is ignored, as maturin does; {fix}")

    license_value = project.get("license")
    classifiers = project.get("classifiers")
    license_classifiers = (
        [c for c in classifiers if isinstance(c, str) and c.startswith("License ::")]
        if isinstance(classifiers, list)
        else []
    )
    if license_classifiers and isinstance(license_value, str):
        warn(
            "project.classifiers",
            f"{license_classifiers[0]!r}"
            + (
                f" (and {len(license_classifiers) - 1} more)"
                if len(license_classifiers) > 1
                else ""
            )
            + " next to the SPDX expression in project.license; both are written, as maturin "
            "does; remove the 'License ::' classifiers (PEP 639)",
        )
    elif license_classifiers:
        warn(
            "project.classifiers",
            "'License ::' classifiers are deprecated (PEP 639); they are written; set "
            "project.license to an SPDX expression and remove them",
        )
    if isinstance(license_value, Mapping):
        if "license-files" in project:
            warn(
                "project.license-files",
                "is used with the legacy table form of project.license; both are written, as "
                "maturin does; set project.license to an SPDX expression such as 'MIT'",
            )
        else:
            warn(
                "project.license",
                "is a table (the form PEP 639 deprecates); it is written as before; set it to an "
                "SPDX expression such as 'MIT' and list the files in project.license-files",
            )
    readme = project.get("readme")
    if isinstance(readme, Mapping) and "content-type" not in readme:
        warn(
            "project.readme",
            "has no content-type; the readme is written without Description-Content-Type, as "
            "maturin does (PyPI then shows it as reStructuredText); add content-type = "
            "'text/markdown' (or 'text/x-rst', 'text/plain')",
        )
    out += _refused_by_pypi(project, file)
    groups = project.get("entry-points")
    for group in groups if isinstance(groups, Mapping) else ():
        if isinstance(group, str) and not dotted_group(group):
            warn(
                "project.entry-points",
                f"group {group!r} is not a dotted name (letters, digits, '_' and '.'); it is "
                "written as given, as maturin does; rename the group",
            )
    for i in unmatched_license_globs(project, file.parent):
        warn(
            f"project.license-files[{i}]",
            f"{project['license-files'][i]!r} matches no file; it adds nothing, as in maturin; "
            "fix the pattern or remove it",
        )
    return out
