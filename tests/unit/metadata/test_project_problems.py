"""Invalid ``[project]`` tables, read in-process: every problem, with its file, key and message.

tests/integration/test_metadata_errors.py runs the same projects through the CLI in another
process (exit code, no traceback, nothing written) and checks parts of the message; here
the whole list of problems is pinned, in order, from ``build_metadata`` itself.
Messages that quote a third party (packaging's parse error) are built from that party's
own answer for the same input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from ferrule.config import load_settings
from ferrule.errors import ConfigError
from ferrule.metadata import build_metadata
from tests.integration.test_metadata_errors import BASE, CASES, write_project

LATIN1 = "café\n".encode("latin-1")
NOT_UTF8 = (
    "cannot be read as UTF-8 text ('utf-8' codec can't decode byte 0xe9 in position 3: "
    "invalid continuation byte)"
)


def _requirement_error(text: str) -> str:
    try:
        Requirement(text)
    except InvalidRequirement as exc:
        return f"{text!r} is not a valid PEP 508 requirement: {exc}"
    raise AssertionError(f"{text!r} is valid")


def problems(root: Path) -> list[tuple[str, str, str]]:
    """(file name, dotted key, message) of every problem, in the order reported."""
    with pytest.raises(ConfigError) as caught:
        build_metadata(load_settings(root, report=False))
    return [(p.file.name, p.key, p.message) for p in caught.value.problems]


EXPECTED = {
    "bad-version": [
        (
            "pyproject.toml",
            "project.version",
            "is an invalid PEP 440 version string (got '1.0-foo!')",
        )
    ],
    "bad-cargo-version": [
        (
            "Cargo.toml",
            "package.version",
            "'1.0.0-foo' cannot be written as a PEP 440 version; Python pre-releases are "
            "spelled -alpha.N, -beta.N, -rc.N or -dev.N in Cargo.toml",
        )
    ],
    "bad-requirement": [
        (
            "pyproject.toml",
            "project.dependencies[1]",
            _requirement_error("numpy >= 1.0 ;; python_version"),
        )
    ],
    "bad-optional-requirement": [
        (
            "pyproject.toml",
            "project.optional-dependencies.test[0]",
            _requirement_error("pytest >== 8"),
        )
    ],
    "missing-readme-file": [
        ("pyproject.toml", "project.readme", "Readme file not found ('README.rst')")
    ],
    "missing-readme-file-in-table": [
        ("pyproject.toml", "project.readme.file", "Readme file not found ('docs/intro.md')")
    ],
    "bad-requires-python": [
        (
            "pyproject.toml",
            "project.requires-python",
            "is an invalid Python version specifier string (got '3.9+')",
        )
    ],
    "console-scripts-in-entry-points": [
        (
            "pyproject.toml",
            "project.entry-points.console_scripts",
            "is not allowed; use project.scripts",
        )
    ],
    "invalid-extra-name": [
        (
            "pyproject.toml",
            "project.optional-dependencies.-bad-",
            "is not a valid extra name (letters, digits, '-', '_' and '.', starting and "
            "ending with a letter or digit)",
        )
    ],
    "bad-name": [
        (
            "pyproject.toml",
            "project.name",
            "Invalid project name 'meta demo'. A valid name consists only of ASCII letters "
            "and numbers, period, underscore and hyphen. It must start and end with a "
            "letter or number",
        )
    ],
}


@pytest.mark.parametrize(
    ("project", "cargo_extra"),
    [c[1:3] for c in CASES if c[0] in EXPECTED],
    ids=[c[0] for c in CASES if c[0] in EXPECTED],
)
def test_each_problem_in_full(
    project: str, cargo_extra: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = request.node.callspec.id
    root = write_project(tmp_path / "proj", project, cargo_extra)
    assert problems(root) == EXPECTED[case]


def test_a_missing_cargo_readme_names_the_path(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        'name = "meta-demo"\ndynamic = ["version", "readme"]\n',
        'readme = "docs/README.md"',
    )
    assert problems(root) == [
        ("Cargo.toml", "package.readme", f"readme file not found: {root / 'docs/README.md'}")
    ]


def test_all_problems_in_the_order_found(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        'name = "meta-demo"\nversion = "x.y"\nrequires-python = "3.9+"\nreadme = "NOPE.md"\n'
        'dependencies = ["a b c", "d e f"]\n',
        "",
    )
    assert problems(root) == [
        ("pyproject.toml", "project.dependencies[0]", _requirement_error("a b c")),
        ("pyproject.toml", "project.dependencies[1]", _requirement_error("d e f")),
        ("pyproject.toml", "project.version", "is an invalid PEP 440 version string (got 'x.y')"),
        (
            "pyproject.toml",
            "project.requires-python",
            "is an invalid Python version specifier string (got '3.9+')",
        ),
        ("pyproject.toml", "project.readme", "Readme file not found ('NOPE.md')"),
    ]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('readme = "LATIN1.md"', "project.readme"),
        ('readme = { file = "LATIN1.md", content-type = "text/markdown" }', "project.readme.file"),
        ('license = { file = "LATIN1.md" }', "project.license.file"),
    ],
    ids=["readme", "readme-table", "legacy-license-file"],
)
def test_a_file_that_is_not_utf8(line: str, key: str, tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", BASE + line + "\n", "")
    (root / "LATIN1.md").write_bytes(LATIN1)
    assert problems(root) == [("pyproject.toml", key, f"'LATIN1.md' {NOT_UTF8}")]


def test_license_file_globs_that_leave_the_project(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        BASE + 'license-files = ["/etc/x", "../y", "", "\\\\z", "a/../../b", "LICENSE", 3]\n',
        "",
    )
    found = problems(root)
    outside = "must be relative to pyproject.toml and stay inside it"
    assert found[:4] == [
        ("pyproject.toml", "project.license-files[0]", f"'/etc/x' {outside}"),
        ("pyproject.toml", "project.license-files[1]", f"'../y' {outside}"),
        ("pyproject.toml", "project.license-files[3]", f"'\\\\z' {outside}"),
        ("pyproject.toml", "project.license-files[4]", f"'a/../../b' {outside}"),
    ]
    assert len(found) == 4  # the wrong type is not reported twice


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'dynamic = "version"\n',
            [("project.dynamic", 'must be an array of field names, such as ["version"]')],
        ),
        (
            '[project.entry-points.gui_scripts]\nmeta = "meta:main"\n',
            [("project.entry-points.gui_scripts", "is not allowed; use project.gui-scripts")],
        ),
        (
            '[project.entry-points."my group"]\nmeta = 3\n',
            [("project.entry-points", "'my group' must be a table of strings")],
        ),
        (
            '[project.entry-points.console_scripts]\na = "a:main"\n'
            '[project.entry-points.gui_scripts]\nb = "b:main"\n',
            [
                ("project.entry-points.console_scripts", "is not allowed; use project.scripts"),
                ("project.entry-points.gui_scripts", "is not allowed; use project.gui-scripts"),
            ],
        ),
    ],
    ids=["dynamic-not-an-array", "gui-scripts", "group-not-strings", "both-reserved"],
)
def test_table_shape_problems(table: str, expected: list[tuple[str, str]], tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", BASE + table, "")
    assert problems(root) == [("pyproject.toml", k, m) for k, m in expected]


def test_every_invalid_extra_name_is_reported(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        BASE + '[project.optional-dependencies]\n"-a-" = ["attrs"]\n"b_" = ["attrs"]\n',
        "",
    )
    why = (
        "is not a valid extra name (letters, digits, '-', '_' and '.', starting and ending "
        "with a letter or digit)"
    )
    assert problems(root) == [
        ("pyproject.toml", "project.optional-dependencies.-a-", why),
        ("pyproject.toml", "project.optional-dependencies.b_", why),
    ]


def test_every_bad_requirement_is_located(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        BASE + 'dependencies = ["a b c"]\n[project.optional-dependencies]\n'
        'test = ["ok", 3, "d e f"]\ndocs = ["g h i"]\n',
        "",
    )
    found = problems(root)
    assert found[:3] == [
        ("pyproject.toml", "project.dependencies[0]", _requirement_error("a b c")),
        ("pyproject.toml", "project.optional-dependencies.test[2]", _requirement_error("d e f")),
        ("pyproject.toml", "project.optional-dependencies.docs[0]", _requirement_error("g h i")),
    ]


def test_a_cargo_version_that_fails_is_reported_once(tmp_path: Path) -> None:
    # no version and not dynamic: Cargo's is taken (with a warning), and it is not PEP 440
    root = write_project(tmp_path / "proj", 'name = "meta-demo"\n', 'version = "1.0.0-foo"')
    assert problems(root) == EXPECTED["bad-cargo-version"]


def test_name_listed_as_dynamic_is_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", BASE + 'dynamic = ["name"]\n', "")
    assert problems(root) == [
        (
            "pyproject.toml",
            "project.dynamic[0]",
            "expected one of 'authors', 'classifiers', 'dependencies', 'description', "
            "'entry-points', 'gui-scripts', 'import-names', 'import-namespaces', 'keywords', "
            "'license', 'license-files', 'maintainers', 'optional-dependencies', 'readme', "
            "'requires-python', 'scripts', 'urls', 'version' (got 'name')",
        )
    ]


def test_unknown_project_keys_are_ignored(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", BASE + "foo = 1\n", "")
    assert build_metadata(load_settings(root, report=False)).name == "meta-demo"


def test_a_bad_license_glob_after_a_good_one(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", BASE + 'license-files = ["LICENSE*", "../x"]\n', "")
    assert problems(root) == [
        (
            "pyproject.toml",
            "project.license-files[1]",
            "'../x' must be relative to pyproject.toml and stay inside it",
        )
    ]
