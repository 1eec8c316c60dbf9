"""Fields of ``[project]`` as maturin writes them: license files, people, requires-python, extras.

Each case builds the metadata in-process (``build_metadata``) from a written project and
pins the exact values: the License-File list in maturin's order (with the file each comes
from), the Author / Author-email split, the Requires-Python text and the Requires-Dist lines.
tests/unit/metadata/test_field_order.py compares whole files with the pinned maturin.
"""

from __future__ import annotations

from email.parser import BytesParser
from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.metadata.licenses import acceptable_pattern
from ferrule.metadata.project import contacts, requires_python_text
from tests.helpers.metadata_projects import cargo, pyproject

BASE = 'name = "meta-demo"\nversion = "0.1.0"\n'


def build(
    root: Path, project: str, cargo_extra: str = "", files: tuple[str, ...] = ()
) -> PackageMetadata:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(cargo(extra=cargo_extra))
    (root / "pyproject.toml").write_text(pyproject(project))
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"{rel}\n")
    return build_metadata(load_settings(root, report=False))


def headers(meta: PackageMetadata, name: str) -> list[str]:
    return BytesParser().parsebytes(meta.rfc822).get_all(name) or []


LICENSES = ("LICENSE-MIT", "LICENSE-APACHE", "COPYING", "NOTICE.txt", "AUTHORS", "README.md")


@pytest.mark.parametrize(
    ("project", "cargo_extra", "expected"),
    [
        # maturin's own choice: Cargo's license-file first, then the well-known names,
        # pattern by pattern, each sorted; README.md is none of them
        (BASE, "", ["LICENSE-APACHE", "LICENSE-MIT", "COPYING", "NOTICE.txt", "AUTHORS"]),
        (
            BASE + 'dynamic = ["license"]\n',
            'license-file = "docs/TERMS"',
            ["docs/TERMS", "LICENSE-APACHE", "LICENSE-MIT", "COPYING", "NOTICE.txt", "AUTHORS"],
        ),
        # a legacy license.file comes before the well-known names, once
        (
            BASE + 'license = { file = "COPYING" }\n',
            "",
            ["COPYING", "LICENSE-APACHE", "LICENSE-MIT", "NOTICE.txt", "AUTHORS"],
        ),
        (
            BASE + 'license = { file = "docs/TERMS" }\n',
            "",
            ["docs/TERMS", "LICENSE-APACHE", "LICENSE-MIT", "COPYING", "NOTICE.txt", "AUTHORS"],
        ),
        # PEP 639 globs: exactly what they match, in the order of the patterns
        (
            BASE + 'license-files = ["NOTICE*", "LICENSE-*", "docs/*", "NOTICE.txt"]\n',
            'license-file = "COPYING"',
            ["NOTICE.txt", "LICENSE-APACHE", "LICENSE-MIT", "docs/TERMS"],
        ),
        # globs next to a legacy license.file: maturin ships both, the file first
        (
            BASE + 'license = { file = "docs/TERMS" }\nlicense-files = ["COPYING"]\n',
            "",
            ["docs/TERMS", "COPYING"],
        ),
        # a glob that matches nothing adds nothing; an empty list means none
        (BASE + 'license-files = ["NOPE*", "AUTHORS"]\n', "", ["AUTHORS"]),
        (BASE + "license-files = []\n", "", []),
    ],
    ids=[
        "well-known",
        "cargo-license-file",
        "legacy-file-well-known",
        "legacy-file-elsewhere",
        "globs",
        "globs-and-legacy-file",
        "unmatched-glob",
        "empty",
    ],
)
def test_license_files_in_maturins_order(
    project: str, cargo_extra: str, expected: list[str], tmp_path: Path
) -> None:
    meta = build(tmp_path, project, cargo_extra, (*LICENSES, "docs/TERMS"))
    assert [rel for rel, _ in meta.license_files] == expected
    assert [path for _, path in meta.license_files] == [tmp_path / rel for rel in expected]
    assert headers(meta, "License-File") == expected


def test_license_file_globs_skip_directories(tmp_path: Path) -> None:
    (tmp_path / "LICENSES").mkdir(parents=True)
    meta = build(
        tmp_path, BASE + 'license-files = ["LICENSE*", "LICENSES/*"]\n', "", ("LICENSES/MIT",)
    )
    assert [rel for rel, _ in meta.license_files] == ["LICENSES/MIT"]


@pytest.mark.parametrize(
    ("pattern", "ok"),
    [
        ("LICENSE", True),
        ("docs/LICENSE", True),
        ("a..b", True),
        ("", False),
        ("   ", False),
        ("/abs", False),
        ("\\abs", False),
        ("..", False),
        ("a/../b", False),
        ("a\\..\\b", False),
        (None, False),
    ],
)
def test_acceptable_pattern(pattern: object, ok: bool) -> None:
    assert acceptable_pattern(pattern) is ok


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (">= 3.09 , <4", ">=3.9, <4"),
        ("~=3.10, !=3.11.*", "~=3.10, !=3.11.*"),
        (">=3.9,", ">=3.9"),
        (">=3.9, ,<4", ">=3.9, <4"),
        ("==3.10.0.*", "==3.10.0.*"),
        ("===3.9-foo", "===3.9-foo"),
        ("<=3.12.0", "<=3.12.0"),
    ],
)
def test_requires_python_text(raw: str, text: str) -> None:
    assert requires_python_text(raw) == text


def test_contacts_split_names_and_addresses() -> None:
    assert contacts([]) == (None, None)
    assert contacts([("A. Person", "a@x.org"), ("Solo", None), ("", "b@x.org")]) == (
        "Solo",
        '"A. Person" <a@x.org>, b@x.org',
    )
    assert contacts([("Plain Name", "p@x.org"), ("Two", None), ("Three", None)]) == (
        "Two, Three",
        "Plain Name <p@x.org>",
    )
    assert contacts([('Say "hi" \\ bye', "q@x.org")]) == (
        None,
        '"Say \\"hi\\" \\\\ bye" <q@x.org>',
    )


def test_people_requires_python_and_extras_in_the_file(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE
        + 'requires-python = ">= 3.09"\n'
        + 'authors = [{ name = "Jane Doe", email = "jane@x.org" }, { name = "Solo" }]\n'
        + 'maintainers = [{ email = "team@x.org" }]\n'
        + 'dependencies = ["attrs>=22"]\n'
        + "[project.optional-dependencies]\nTest_Extra = [\"pytest; python_version < '3.10' or os_name == 'nt'\", \"hypothesis\"]\n"
        + 'docs = ["sphinx"]\n',
    )
    assert headers(meta, "Author") == ["Solo"]
    assert headers(meta, "Author-email") == ["Jane Doe <jane@x.org>"]
    assert headers(meta, "Maintainer") == []
    assert headers(meta, "Maintainer-email") == ["team@x.org"]
    assert headers(meta, "Requires-Python") == [">=3.9"]
    assert headers(meta, "Provides-Extra") == ["test-extra", "docs"]
    assert headers(meta, "Requires-Dist") == [
        "attrs>=22",
        'pytest; (python_version < "3.10" or os_name == "nt") and extra == "test-extra"',
        'hypothesis; extra == "test-extra"',
        'sphinx; extra == "docs"',
    ]


def test_static_and_dynamic_authors_merge_with_cargos(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE + 'authors = [{ name = "Static Only" }]\ndynamic = ["authors"]\n',
        'authors = ["Cargo Person <cargo@x.org>"]',
    )
    assert headers(meta, "Author") == ["Static Only"]
    assert headers(meta, "Author-email") == ["Cargo Person <cargo@x.org>"]


@pytest.mark.parametrize(
    ("project", "cargo_extra", "expression", "license"),
    [
        (BASE + 'license = "mit or apache-2.0"\n', "", ["MIT OR Apache-2.0"], []),
        (BASE + 'license = { text = "Custom terms" }\n', "", [], ["Custom terms"]),
        # Cargo's license (SPDX 2 syntax) goes to License, also next to an expression
        (
            BASE + 'license = "MIT"\ndynamic = ["license"]\n',
            'license = "MIT/Apache-2.0"',
            ["MIT"],
            ["MIT/Apache-2.0"],
        ),
        # a static license text wins over the dynamic Cargo one
        (
            BASE + 'license = { text = "Custom" }\ndynamic = ["license"]\n',
            'license = "MIT"',
            [],
            ["Custom"],
        ),
        (BASE + 'dynamic = ["license"]\n', 'license = "MIT"', [], ["MIT"]),
        (BASE, 'license = "MIT"', [], []),
    ],
    ids=["expression", "text", "expression-and-cargo", "text-wins", "cargo-only", "not-dynamic"],
)
def test_license_fields(
    project: str, cargo_extra: str, expression: list[str], license: list[str], tmp_path: Path
) -> None:
    meta = build(tmp_path, project, cargo_extra)
    assert headers(meta, "License-Expression") == expression
    assert headers(meta, "License") == license


def test_dynamic_urls_and_keywords_come_from_cargo(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE + 'dynamic = ["urls", "keywords"]\n',
        'homepage = "https://example.org/home"\nrepository = "https://example.org/repo"\n'
        'keywords = ["a", "b"]',
    )
    assert headers(meta, "Home-page") == ["https://example.org/home"]
    assert headers(meta, "Keywords") == ["a,b"]
    assert headers(meta, "Project-URL") == [
        "Homepage, https://example.org/home",
        "Source Code, https://example.org/repo",
    ]


def test_static_urls_keywords_and_classifiers_as_written(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE
        + 'keywords = []\nclassifiers = ["Private :: Do Not Upload", "Programming Language :: Rust"]\n'
        + '[project.urls]\nZ = "https://z.example"\nA-very-long-label-of-more-than-32-chars = "https://a.example"\n',
        'homepage = "https://example.org/home"\nkeywords = ["cargo"]',
    )
    assert headers(meta, "Keywords") == []
    assert headers(meta, "Home-page") == []
    assert headers(meta, "Classifier") == [
        "Private :: Do Not Upload",
        "Programming Language :: Rust",
    ]
    assert headers(meta, "Project-URL") == [
        "Z, https://z.example",
        "A-very-long-label-of-more-than-32-chars, https://a.example",
    ]


def test_description_is_one_line_and_the_version_falls_back_to_cargo(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        'name = "meta-demo"\ndescription = "two\\nlines"\n',
        'description = "from cargo"',
    )
    assert headers(meta, "Summary") == ["two lines"]
    assert headers(meta, "Version") == ["0.1.0"]


def test_entry_point_groups_in_order_also_those_that_are_no_dotted_names(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE
        + '[project.scripts]\nz-tool = "pkg:z"\n'
        + '[project.entry-points."my group"]\nb = "pkg:b"\na = "pkg:a"\n'
        + '[project.entry-points."pkg.plugins"]\none = "pkg.plugins:one"\n',
    )
    # (the format itself is maturin's: tests/unit/metadata/test_field_order.py)
    assert meta.entry_points == (
        b"[console_scripts]\nz-tool=pkg:z\n"
        b"[my group]\nb=pkg:b\na=pkg:a\n"
        b"[pkg.plugins]\none=pkg.plugins:one\n"
    )


def test_a_dynamic_description_comes_from_cargo(tmp_path: Path) -> None:
    meta = build(tmp_path, BASE + 'dynamic = ["description"]\n', 'description = "From cargo"')
    assert headers(meta, "Summary") == ["From cargo"]
    # not dynamic: Cargo's description is not used
    meta = build(tmp_path / "static", BASE, 'description = "From cargo"')
    assert headers(meta, "Summary") == []


@pytest.mark.parametrize(
    ("readme", "content_type"),
    [
        ('readme = "README.md"', ["text/markdown; charset=UTF-8; variant=GFM"]),
        ('readme = { file = "README.md", content-type = "text/x-rst" }', ["text/x-rst"]),
        ('readme = { file = "README.md" }', []),
    ],
    ids=["file", "table", "table-without-content-type"],
)
def test_readme_content_type(readme: str, content_type: list[str], tmp_path: Path) -> None:
    meta = build(tmp_path, BASE + readme + "\n", "", ("README.md",))
    assert headers(meta, "Description-Content-Type") == content_type
    # (render_metadata ends the body with a newline of its own, as maturin does)
    assert BytesParser().parsebytes(meta.rfc822).get_payload() == "README.md\n\n"


def test_dynamic_authors_come_from_cargo(tmp_path: Path) -> None:
    meta = build(
        tmp_path,
        BASE + 'dynamic = ["authors"]\n',
        'authors = ["Cargo Person <cargo@x.org>", "Team"]',
    )
    # maturin joins Cargo's one list into both fields (CargoFields.authors)
    assert headers(meta, "Author") == ["Cargo Person <cargo@x.org>, Team"]
    assert headers(meta, "Author-email") == ["Cargo Person <cargo@x.org>, Team"]
    # not dynamic: Cargo's authors are not used
    meta = build(tmp_path / "static", BASE, 'authors = ["Cargo Person <cargo@x.org>"]')
    assert headers(meta, "Author") == headers(meta, "Author-email") == []


def test_license_classifiers_next_to_an_expression_are_kept_and_gui_scripts_written(
    tmp_path: Path,
) -> None:
    meta = build(
        tmp_path,
        BASE
        + 'license = "MIT"\nclassifiers = ["License :: OSI Approved :: MIT License"]\n'
        + '[project.gui-scripts]\nwindowed = "pkg:gui"\n',
    )
    assert headers(meta, "Classifier") == ["License :: OSI Approved :: MIT License"]
    assert meta.entry_points == b"[gui_scripts]\nwindowed=pkg:gui\n"


def test_an_empty_license_glob_matches_nothing_and_the_next_still_counts(tmp_path: Path) -> None:
    meta = build(tmp_path, BASE + 'license-files = ["", "AUTHORS"]\n', "", LICENSES)
    assert [rel for rel, _ in meta.license_files] == ["AUTHORS"]
