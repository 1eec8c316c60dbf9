"""Issue 3: invalid metadata ends in one clear message naming the file and the key.

Each case runs the CLI (``ferrule pep517 write-dist-info``, what the
``prepare_metadata_for_build_wheel`` hook does) in a subprocess and checks the
exit code, that there is no traceback, that the message names the file and the
dotted key, and that no dist-info was left behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ferrule
from tests.helpers.metadata_projects import README_MD, cargo, pyproject

BASE = 'name = "meta-demo"\nversion = "0.1.0"\n'

# id, [project] body (None: no [project]), Cargo.toml extra lines, file, key, message part
# (Loose input maturin builds, such as a field both static and dynamic, is an
# error only in strict mode: tests/integration/test_config_loose.py.)
CASES = [
    (
        "bad-version",
        'name = "meta-demo"\nversion = "1.0-foo!"\n',
        "",
        "pyproject.toml",
        "project.version",
        "is an invalid PEP 440 version string (got '1.0-foo!')",
    ),
    (
        "bad-cargo-version",
        'name = "meta-demo"\ndynamic = ["version"]\n',
        'version = "1.0.0-foo"',
        "Cargo.toml",
        "package.version",
        "'1.0.0-foo' cannot be written as a PEP 440 version",
    ),
    (
        "bad-requirement",
        BASE + 'dependencies = ["attrs", "numpy >= 1.0 ;; python_version"]\n',
        "",
        "pyproject.toml",
        "project.dependencies[1]",
        "'numpy >= 1.0 ;; python_version' is not a valid PEP 508 requirement: ",
    ),
    (
        "bad-optional-requirement",
        BASE + '[project.optional-dependencies]\ntest = ["pytest >== 8"]\n',
        "",
        "pyproject.toml",
        "project.optional-dependencies.test[0]",
        "'pytest >== 8' is not a valid PEP 508 requirement",
    ),
    (
        "missing-readme-file",
        BASE + 'readme = "README.rst"\n',
        "",
        "pyproject.toml",
        "project.readme",
        "Readme file not found ('README.rst')",
    ),
    (
        "missing-readme-file-in-table",
        BASE + 'readme = { file = "docs/intro.md", content-type = "text/markdown" }\n',
        "",
        "pyproject.toml",
        "project.readme.file",
        "Readme file not found ('docs/intro.md')",
    ),
    (
        "missing-cargo-readme",
        'name = "meta-demo"\ndynamic = ["version", "readme"]\n',
        'readme = "docs/README.md"',
        "Cargo.toml",
        "package.readme",
        "readme file not found",
    ),
    (
        "bad-requires-python",
        BASE + 'requires-python = "3.9+"\n',
        "",
        "pyproject.toml",
        "project.requires-python",
        "3.9+",
    ),
    (
        "console-scripts-in-entry-points",
        BASE + '[project.entry-points.console_scripts]\nmeta = "meta:main"\n',
        "",
        "pyproject.toml",
        "project.entry-points.console_scripts",
        "is not allowed; use project.scripts",
    ),
    (
        "invalid-extra-name",
        BASE + '[project.optional-dependencies]\n"-bad-" = ["attrs"]\n',
        "",
        "pyproject.toml",
        "project.optional-dependencies.-bad-",
        "is not a valid extra name",
    ),
    (
        "bad-name",
        'name = "meta demo"\nversion = "0.1.0"\n',
        "",
        "pyproject.toml",
        "project.name",
        "Invalid project name 'meta demo'",
    ),
]


def write_project(root: Path, project: str | None, cargo_extra: str) -> Path:
    root.mkdir(parents=True)
    package = cargo()
    if cargo_extra.startswith("version"):
        package = package.replace('version = "0.1.0"', cargo_extra)
    elif cargo_extra:
        package = package.replace('edition = "2021"\n', f'edition = "2021"\n{cargo_extra}\n')
    (root / "Cargo.toml").write_text(package)
    (root / "src").mkdir()
    (root / "src" / "lib.rs").touch()
    (root / "pyproject.toml").write_text(pyproject(project))
    (root / "README.md").write_text(README_MD)
    return root


def fails(project: Path, out: Path) -> str:
    proc = ferrule(
        "pep517", "write-dist-info", "--metadata-directory", out, cwd=project, check=False
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert not out.exists() or not list(out.glob("*.dist-info"))
    return proc.stderr


@pytest.mark.parametrize(
    ("project", "cargo_extra", "file", "key", "message"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_invalid_metadata_is_one_clear_message(
    tmp_path: Path, project: str, cargo_extra: str, file: str, key: str, message: str
) -> None:
    root = write_project(tmp_path / "proj", project, cargo_extra)
    err = fails(root, tmp_path / "out")
    assert f"ferrule: error: invalid configuration: {root / file}: {key}: " in err
    assert message in err
    assert err.count("ferrule: error:") == 1


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "proj",
        'name = "meta-demo"\nversion = "x.y"\nrequires-python = "3.9+"\nreadme = "NOPE.md"\n'
        'dependencies = ["a b c", "d e f"]\n',
        "",
    )
    err = fails(root, tmp_path / "out")
    assert "invalid configuration (5 problems):" in err
    for key in (
        "project.version",
        "project.requires-python",
        "project.readme",
        "project.dependencies[0]",
        "project.dependencies[1]",
    ):
        assert f"  - {root / 'pyproject.toml'}: {key}: " in err


def test_a_cargo_field_is_not_read_unless_it_is_used(tmp_path: Path) -> None:
    # The version is static, so Cargo's (not PEP 440) does not matter; the
    # readme Cargo.toml names is missing, but readme is not dynamic.
    root = write_project(tmp_path / "proj", BASE, 'readme = "missing.md"')
    (root / "Cargo.toml").write_text(
        (root / "Cargo.toml").read_text().replace('version = "0.1.0"', 'version = "1.0.0-foo"')
    )
    proc = ferrule("pep517", "write-dist-info", "--metadata-directory", tmp_path / "out", cwd=root)
    assert proc.stdout.strip() == "meta_demo-0.1.0.dist-info"


def test_missing_version_falls_back_to_cargo_with_a_warning(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", 'name = "meta-demo"\n', "")
    proc = ferrule("pep517", "write-dist-info", "--metadata-directory", tmp_path / "out", cwd=root)
    assert proc.stdout.strip() == "meta_demo-0.1.0.dist-info"
    assert (
        f"ferrule: warning: {root / 'pyproject.toml'}: project.version: is missing and not "
        "listed in project.dynamic; the version from Cargo.toml is used" in proc.stderr
    )


@pytest.mark.parametrize(
    ("project", "key"),
    [
        (BASE + 'readme = "LATIN1.md"\n', "project.readme"),
        (BASE + 'license = { file = "LATIN1.md" }\n', "project.license.file"),
    ],
    ids=["readme", "legacy-license-file"],
)
def test_text_file_that_is_not_utf8(tmp_path: Path, project: str, key: str) -> None:
    root = write_project(tmp_path / "proj", project, "")
    (root / "LATIN1.md").write_bytes("café\n".encode("latin-1"))
    err = fails(root, tmp_path / "out")
    assert f"{root / 'pyproject.toml'}: {key}: 'LATIN1.md' cannot be read as UTF-8 text" in err
