"""Metadata details that the comparison with maturin does not reach (in-process)."""

from __future__ import annotations

from email.parser import Parser
from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.errors import ConfigError
from ferrule.metadata import PackageMetadata, build_metadata
from tests.helpers.metadata_projects import cargo, pyproject


def make(
    root: Path,
    project: str | None = None,
    cargo_extra: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(cargo(extra=cargo_extra))
    (root / "pyproject.toml").write_text(pyproject(project))
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def meta(root: Path) -> PackageMetadata:
    return build_metadata(load_settings(root))


def fields(m: PackageMetadata) -> list[tuple[str, str]]:
    return list(Parser().parsestr(m.rfc822.decode()).items())


def test_cargo_readme_true_means_readme_md(tmp_path: Path) -> None:
    root = make(tmp_path, cargo_extra="readme = true", files={"README.md": "# Yes\n"})
    assert meta(root).core.description == "# Yes\n"


def test_cargo_readme_guess_follows_cargo_then_maturin(tmp_path: Path) -> None:
    # cargo finds README.md, README.txt and README; maturin adds README.rst last.
    root = make(tmp_path, files={"README": "plain\n", "README.rst": "rst\n"})
    m = meta(root)
    assert (m.core.description, m.core.description_content_type) == (
        "plain\n",
        "text/plain; charset=UTF-8",
    )


def test_cargo_license_file_outside_the_workspace_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("outside\n")
    root = make(tmp_path / "crate", cargo_extra='license-file = "../LICENSE"')
    with pytest.raises(ConfigError) as exc:
        meta(root)
    assert f"{root / 'Cargo.toml'}: package.license-file: '../LICENSE' resolves outside" in str(
        exc.value
    )


def test_cargo_fields_that_are_not_used_are_not_checked(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\nlicense = "MIT"\nlicense-files = []\n',
        cargo_extra='license-file = "missing"\nreadme = "missing.md"',
    )
    m = meta(root)
    assert m.license_files == ()
    assert m.core.description is None


def test_empty_license_files_means_none(tmp_path: Path) -> None:
    # PEP 639: an empty array turns the automatic license files off.
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\nlicense-files = []\n',
        files={"LICENSE": "MIT\n"},
    )
    assert meta(root).license_files == ()


def test_dynamic_fields_cargo_cannot_fill_are_named_in_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make(tmp_path, 'name = "meta-demo"\ndynamic = ["version", "dependencies"]\n')
    m = meta(root)
    assert m.version == "0.1.0"
    assert (
        "project.dynamic: 'dependencies' cannot be filled from Cargo.toml"
        in capsys.readouterr().err
    )


def test_legacy_license_text_keeps_its_lines_and_blank_lines(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\nlicense = { text = "Line one\\n\\nLine three\\n" }\n',
    )
    m = meta(root)
    assert b"License: Line one\n\t\n\tLine three\n" in m.rfc822
    assert dict(fields(m))["License"] == "Line one\n\t\n\tLine three"


def test_entry_points_keep_the_order_written(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\n[project.scripts]\nzz = "m:z"\naa = "m:a"\n'
        '[project.entry-points.b]\nx = "m:x"\n[project.entry-points.a]\ny = "m:y"\n',
    )
    assert meta(root).entry_points == b"[console_scripts]\nzz=m:z\naa=m:a\n[b]\nx=m:x\n[a]\ny=m:y\n"


def test_extra_markers_keep_or_inside_parentheses(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\n[project.optional-dependencies]\n'
        "Win = [\"pywin32; os_name == 'nt' or sys_platform == 'win32'\"]\n",
    )
    requires = [v for k, v in fields(meta(root)) if k == "Requires-Dist"]
    assert requires == ['pywin32; (os_name == "nt" or sys_platform == "win32") and extra == "win"']
    assert [v for k, v in fields(meta(root)) if k == "Provides-Extra"] == ["win"]


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\nreadme = "README.md"\n',
        files={"README.md": "# Demo\n", "LICENSE": "MIT\n", "NOTICE": "n\n"},
    )
    first, second = meta(root), meta(root)
    assert first == second
    assert [rel for rel, _ in first.license_files] == ["LICENSE", "NOTICE"]


def test_no_pyproject_at_all(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(cargo(version="2.0.0-rc.1", extra='license = "MIT"'))
    m = meta(tmp_path)
    assert (m.name, m.version, m.core.license) == ("meta-demo", "2.0.0rc1", "MIT")
    assert m.dist_info == "meta_demo-2.0.0rc1.dist-info"
