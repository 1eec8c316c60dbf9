"""Loose [project] input: each warning of :func:`check_project` pinned whole, in-process.

One dict per case, the answer as (dotted key, message) pairs in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ferrule.config.project_table import (
    check_project,
    dotted_group,
    dynamic_fields,
    unmatched_license_globs,
)

PYPI = "it is written as given, as maturin does (PyPI refuses the upload)"


def _warnings(project: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    file = root / "pyproject.toml"
    problems = check_project(project, file)
    assert {p.file for p in problems} <= {file}
    return [(p.key, p.message) for p in problems]


def _check(project: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    return _warnings({"name": "x", "version": "1", **project}, root)


def test_a_clean_project(tmp_path: Path) -> None:
    assert _warnings({"name": "x", "version": "1"}, tmp_path) == []
    assert _warnings({"name": "x", "dynamic": ["version"]}, tmp_path) == []


def test_missing_version(tmp_path: Path) -> None:
    assert _warnings({"name": "x"}, tmp_path) == [
        (
            "project.version",
            "is missing and not listed in project.dynamic; the version from Cargo.toml is "
            "used, as maturin does; add 'version' to project.dynamic",
        )
    ]


def test_dynamic_unknown_names(tmp_path: Path) -> None:
    project = {"dynamic": ["name", "home_page", "zzz", "zzz", "requires_python", 3]}
    assert _check(project, tmp_path) == [
        (
            "project.dynamic",
            "'home_page' is not a [project] field; it is ignored; remove it from "
            "project.dynamic (did you mean 'urls'?)",
        ),
        (
            "project.dynamic",
            "'zzz' is not a [project] field; it is ignored; remove it from project.dynamic",
        ),
        (
            "project.dynamic",
            "'requires_python' is not a [project] field; it is ignored; remove it from "
            "project.dynamic (did you mean 'requires-python'?)",
        ),
    ]


def test_dynamic_close_misspelling(tmp_path: Path) -> None:
    assert _check({"dynamic": ["clasifiers", "Summary"]}, tmp_path) == [
        (
            "project.dynamic",
            "'clasifiers' is not a [project] field; it is ignored; remove it from "
            "project.dynamic (did you mean 'classifiers'?)",
        ),
        (
            "project.dynamic",
            "'Summary' is not a [project] field; it is ignored; remove it from "
            "project.dynamic (did you mean 'description'?)",
        ),
    ]


def test_static_and_dynamic(tmp_path: Path) -> None:
    project = {
        "dynamic": ["version", "description", "license", "authors"],
        "description": "d",
        "license": "MIT",
        "authors": [{"name": "a"}],
    }
    fix = "remove {0!r} from project.dynamic"
    assert _check(project, tmp_path) == [
        (
            "project.dynamic",
            "'version' is set in [project] and also listed in project.dynamic; the static "
            "value is used; " + fix.format("version"),
        ),
        (
            "project.dynamic",
            "'description' is set in [project] and also listed in project.dynamic; the "
            "static value is used; " + fix.format("description"),
        ),
        (
            "project.dynamic",
            "'license' is set in [project] and also listed in project.dynamic; the static "
            "value is used, and Cargo.toml's package.license (if set) is also written as "
            "License, as maturin does; " + fix.format("license"),
        ),
        (
            "project.dynamic",
            "'authors' is set in [project] and also listed in project.dynamic; the static "
            "value is used; names or addresses it lacks come from Cargo.toml's "
            "package.authors, as maturin does; " + fix.format("authors"),
        ),
    ]


def test_static_and_dynamic_license_table(tmp_path: Path) -> None:
    text = {"dynamic": ["license"], "license": {"text": "MIT"}}
    assert _check(text, tmp_path)[0] == (
        "project.dynamic",
        "'license' is set in [project] and also listed in project.dynamic; the static value "
        "is used; remove 'license' from project.dynamic",
    )
    file_form = {"dynamic": ["license"], "license": {"file": "LICENSE"}}
    assert "also written as License" in _check(file_form, tmp_path)[0][1]


def test_dynamic_fields_cargo_cannot_fill(tmp_path: Path) -> None:
    project = {"dynamic": ["classifiers", "import-names", "readme", "urls"]}
    assert _check(project, tmp_path) == [
        (
            "project.dynamic",
            "'classifiers' cannot be filled from Cargo.toml (it gives version, description, "
            "authors, license, keywords, urls, readme); it stays empty; set it in [project] "
            "or remove it from project.dynamic",
        )
    ]


def test_unknown_keys(tmp_path: Path) -> None:
    project = {"homepage": "https://x", "summary": "s", "zzz": 1, "dynamic": []}
    assert _check(project, tmp_path) == [
        (
            "project.homepage",
            "is not a [project] field; it is ignored, as maturin does; move it into "
            '[project.urls] (e.g. Homepage = "...")',
        ),
        (
            "project.summary",
            "is not a [project] field; it is ignored, as maturin does; rename it to 'description'",
        ),
        ("project.zzz", "is not a [project] field; it is ignored, as maturin does; remove it"),
    ]


def test_license_classifiers_next_to_spdx(tmp_path: Path) -> None:
    one = {"license": "MIT", "classifiers": ["License :: OSI Approved :: MIT License", 3]}
    assert _check(one, tmp_path) == [
        (
            "project.classifiers",
            "'License :: OSI Approved :: MIT License' next to the SPDX expression in "
            "project.license; both are written, as maturin does; remove the 'License ::' "
            "classifiers (PEP 639)",
        )
    ]
    three = {
        "license": "MIT",
        "classifiers": ["License :: A", "Topic :: B", "License :: C", "License :: D"],
    }
    assert _check(three, tmp_path) == [
        (
            "project.classifiers",
            "'License :: A' (and 2 more) next to the SPDX expression in project.license; both "
            "are written, as maturin does; remove the 'License ::' classifiers (PEP 639)",
        )
    ]


def test_license_classifiers_alone(tmp_path: Path) -> None:
    assert _check({"classifiers": ["License :: A"]}, tmp_path) == [
        (
            "project.classifiers",
            "'License ::' classifiers are deprecated (PEP 639); they are written; set "
            "project.license to an SPDX expression and remove them",
        )
    ]
    assert _check({"classifiers": "License :: A"}, tmp_path) == []


def test_license_table(tmp_path: Path) -> None:
    assert _check({"license": {"text": "MIT"}}, tmp_path) == [
        (
            "project.license",
            "is a table (the form PEP 639 deprecates); it is written as before; set it to an "
            "SPDX expression such as 'MIT' and list the files in project.license-files",
        )
    ]
    (tmp_path / "LICENSE").write_text("x")
    both = {"license": {"file": "LICENSE"}, "license-files": ["LICENSE"]}
    assert _check(both, tmp_path) == [
        (
            "project.license-files",
            "is used with the legacy table form of project.license; both are written, as "
            "maturin does; set project.license to an SPDX expression such as 'MIT'",
        )
    ]


def test_readme_without_content_type(tmp_path: Path) -> None:
    assert _check({"readme": {"file": "README.md"}}, tmp_path) == [
        (
            "project.readme",
            "has no content-type; the readme is written without Description-Content-Type, as "
            "maturin does (PyPI then shows it as reStructuredText); add content-type = "
            "'text/markdown' (or 'text/x-rst', 'text/plain')",
        )
    ]


@pytest.mark.parametrize(
    "content_type", ["text/markdown", "Text/Markdown; charset=UTF-8", " text/x-rst", "text/plain"]
)
def test_readme_content_types_pypi_takes(content_type: str, tmp_path: Path) -> None:
    assert _check({"readme": {"file": "R", "content-type": content_type}}, tmp_path) == []


def test_readme_content_type_pypi_refuses(tmp_path: Path) -> None:
    project = {"readme": {"file": "R", "content-type": "text/html; x=y"}}
    assert _check(project, tmp_path) == [
        (
            "project.readme.content-type",
            f"'text/html; x=y' is not text/plain, text/x-rst, text/markdown; {PYPI}; use one "
            "of them",
        )
    ]


def test_long_url_labels(tmp_path: Path) -> None:
    labels = {"a" * 32: "https://x", "b" * 33: "https://y"}
    assert _check({"urls": labels}, tmp_path) == [
        (
            "project.urls",
            f"label {'b' * 33!r} is longer than 32 characters; {PYPI}; shorten it",
        )
    ]


def test_invalid_spdx_license(tmp_path: Path) -> None:
    ((key, message),) = _check({"license": "MIT OR"}, tmp_path)
    assert key == "project.license"
    assert message.startswith("'MIT OR' is not a valid SPDX license expression (")
    assert message.endswith(
        f"); {PYPI}; use identifiers from https://spdx.org/licenses/ joined with AND, OR and "
        "WITH, or LicenseRef-<name> for a license without one"
    )
    assert _check({"license": "MIT OR Apache-2.0"}, tmp_path) == []


def test_entry_point_groups(tmp_path: Path) -> None:
    groups = {"pytest11": {}, "my.plugins": {}, "my-group": {}}
    assert _check({"entry-points": groups}, tmp_path) == [
        (
            "project.entry-points",
            "group 'my-group' is not a dotted name (letters, digits, '_' and '.'); it is "
            "written as given, as maturin does; rename the group",
        )
    ]


def test_dotted_group() -> None:
    assert [dotted_group(g) for g in ("a", "a.b_c", "a.", ".a", "a b", "a-b", "")] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_dynamic_fields() -> None:
    assert dynamic_fields({"dynamic": ["a", 1, "b"]}) == ["a", "b"]
    assert dynamic_fields({"dynamic": "a"}) == []
    assert dynamic_fields({}) == []


def test_license_globs(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("x")
    (tmp_path / "dir.txt").mkdir()
    project = {
        "license-files": [
            "LICENSE",
            "NOPE*",
            " ",
            3,
            "/abs",
            "../up",
            "a\\..\\b",
            "dir.txt",
            "\\abs",
        ]
    }
    assert unmatched_license_globs(project, tmp_path) == [1, 2, 7]
    assert unmatched_license_globs({"license-files": "LICENSE"}, tmp_path) == []
    assert _check(project, tmp_path) == [
        (
            f"project.license-files[{i}]",
            f"{pattern!r} matches no file; it adds nothing, as in maturin; fix the pattern or "
            "remove it",
        )
        for i, pattern in ((1, "NOPE*"), (2, " "), (7, "dir.txt"))
    ]


def test_only_close_spellings_get_a_hint(tmp_path: Path) -> None:
    # 'depends' is 0.63 like 'dependencies': below the 0.75 cutoff, so no guess.
    assert _check({"depends": ["a"]}, tmp_path) == [
        ("project.depends", "is not a [project] field; it is ignored, as maturin does; remove it")
    ]


def test_two_license_classifiers_next_to_spdx(tmp_path: Path) -> None:
    two = {"license": "MIT", "classifiers": ["License :: A", "License :: B"]}
    assert _check(two, tmp_path) == [
        (
            "project.classifiers",
            "'License :: A' (and 1 more) next to the SPDX expression in project.license; both "
            "are written, as maturin does; remove the 'License ::' classifiers (PEP 639)",
        )
    ]
