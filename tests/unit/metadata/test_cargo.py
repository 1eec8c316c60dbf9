"""Core Metadata from Cargo.toml's values (ferrule.metadata.cargo), as maturin converts them.

Each problem is one ConfigError naming Cargo.toml and the dotted key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ferrule.config.model import CargoPackage
from ferrule.errors import ConfigError
from ferrule.metadata.cargo import (
    CargoFields,
    from_cargo,
    posix_relative,
    readme_content_type,
    rust_version_to_pep440,
)
from ferrule.metadata.core import CoreMetadata


def package(tmp_path: Path, **fields: Any) -> CargoPackage:
    manifest = tmp_path / "Cargo.toml"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text("")
    values: dict[str, Any] = {
        "manifest_path": manifest,
        "name": "demo-crate",
        "version": "1.2.3",
        "lib_name": None,
        "crate_types": ("cdylib",),
        "bin_names": (),
        "dependencies": {},
        "workspace_root": None,
    }
    values.update(fields)
    return CargoPackage(**values)


def problem(exc: pytest.ExceptionInfo[ConfigError]) -> tuple[Path, str, str]:
    (p,) = exc.value.problems
    return p.file, p.key, p.message


@pytest.mark.parametrize(
    ("cargo", "pep440"),
    [
        ("1.0.0-alpha.1", "1.0.0a1"),
        ("1.0.0-rc.3", "1.0.0rc3"),
        ("0.1.0", "0.1.0"),
        ("1.0.0+build.5", "1.0.0+build.5"),
    ],
)
def test_versions(cargo: str, pep440: str) -> None:
    assert rust_version_to_pep440(cargo) == pep440


def test_a_missing_version_is_0_0_0(tmp_path: Path) -> None:
    assert CargoFields(package(tmp_path, version=None)).version == "0.0.0"


def test_a_version_pep_440_cannot_spell(tmp_path: Path) -> None:
    pkg = package(tmp_path, version="1.0.0-foo")
    with pytest.raises(ConfigError) as e:
        _ = CargoFields(pkg).version
    assert problem(e) == (
        pkg.manifest_path,
        "package.version",
        "'1.0.0-foo' cannot be written as a PEP 440 version; Python pre-releases are spelled "
        "-alpha.N, -beta.N, -rc.N or -dev.N in Cargo.toml",
    )


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("README.md", "text/markdown; charset=UTF-8; variant=GFM"),
        ("docs/README.MARKDOWN", "text/markdown; charset=UTF-8; variant=GFM"),
        ("README.RST", "text/x-rst; charset=UTF-8"),
        ("README.txt", "text/plain; charset=UTF-8"),
        ("README", "text/plain; charset=UTF-8"),
    ],
)
def test_readme_content_type(name: str, content_type: str) -> None:
    assert readme_content_type(name) == content_type


def test_posix_relative() -> None:
    assert posix_relative(Path("/a/b/c.txt"), Path("/a")) == "b/c.txt"
    assert posix_relative(Path("/a"), Path("/a")) == "."
    assert posix_relative(Path("/a/../x"), Path("/a")) is None
    assert posix_relative(Path("/ab"), Path("/a")) is None


def test_readme_guessed_in_cargos_order(tmp_path: Path) -> None:
    pkg = package(tmp_path)
    assert CargoFields(pkg).readme is None
    (tmp_path / "README.rst").write_text("rst")
    (tmp_path / "README").write_text("plain")
    assert CargoFields(pkg).readme == ("plain", "text/plain; charset=UTF-8")
    (tmp_path / "README.txt").write_text("txt")
    assert CargoFields(pkg).readme == ("txt", "text/plain; charset=UTF-8")
    (tmp_path / "README.md").mkdir()  # not a file: skipped
    assert CargoFields(pkg).readme == ("txt", "text/plain; charset=UTF-8")
    assert CargoFields(package(tmp_path, readme=False)).readme is None


def test_an_explicit_readme(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "intro.md").write_text("# Hi \u00e9\n", encoding="utf-8")
    assert CargoFields(package(tmp_path, readme="docs/intro.md")).readme == (
        "# Hi \u00e9\n",
        "text/markdown; charset=UTF-8; variant=GFM",
    )
    pkg = package(tmp_path, readme="missing.md")
    with pytest.raises(ConfigError) as e:
        _ = CargoFields(pkg).readme
    assert problem(e) == (
        pkg.manifest_path,
        "package.readme",
        f"readme file not found: {tmp_path / 'missing.md'}",
    )
    (tmp_path / "latin1.md").write_bytes(b"caf\xe9")
    pkg = package(tmp_path, readme="latin1.md")
    with pytest.raises(ConfigError) as e:
        _ = CargoFields(pkg).readme
    file, key, message = problem(e)
    assert (file, key) == (pkg.manifest_path, "package.readme")
    assert message.startswith(
        f"cannot read {tmp_path / 'latin1.md'}: 'utf-8' codec can't decode byte 0xe9"
    )


def test_authors_keywords_summary_urls(tmp_path: Path) -> None:
    fields = CargoFields(
        package(
            tmp_path,
            description="  A crate\n  for Python\n",
            authors=("Jane <jane@example.org>", "Joe"),
            keywords=("a", "b"),
            homepage="https://h",
            documentation="https://d",
            repository="https://r",
        )
    )
    assert fields.summary == "A crate for Python"
    assert fields.authors == ("Jane <jane@example.org>, Joe", "Jane <jane@example.org>, Joe")
    assert fields.keywords == "a,b"
    assert fields.urls == (
        ("Homepage", "https://h"),
        ("Documentation", "https://d"),
        ("Source Code", "https://r"),
    )
    bare = CargoFields(package(tmp_path, authors=("Joe",), repository="https://r"))
    assert bare.authors == ("Joe", None)
    assert bare.summary is None
    assert bare.keywords is None
    assert bare.urls == (("Source Code", "https://r"),)
    assert CargoFields(package(tmp_path)).authors == (None, None)


def test_license_file_inside_the_crate_or_the_workspace(tmp_path: Path) -> None:
    crate = tmp_path / "crates" / "demo"
    (crate / "LICENSES").mkdir(parents=True)
    (crate / "LICENSES" / "MIT.txt").write_text("MIT")
    (tmp_path / "LICENSE").write_text("ws")
    workspace = tmp_path / "Cargo.toml"
    assert CargoFields(package(crate, license_file="LICENSES/MIT.txt")).license_file == (
        "LICENSES/MIT.txt",
        crate / "LICENSES" / "MIT.txt",
    )
    assert CargoFields(
        package(crate, license_file="../../LICENSE", workspace_root=workspace)
    ).license_file == (
        "LICENSE",
        tmp_path / "LICENSE",
    )
    assert CargoFields(package(crate)).license_file is None


def test_license_file_outside_or_missing(tmp_path: Path) -> None:
    crate = tmp_path / "demo"
    pkg = package(crate, license_file="../LICENSE")
    (tmp_path / "LICENSE").write_text("x")
    with pytest.raises(ConfigError) as e:
        _ = CargoFields(pkg).license_file
    assert problem(e) == (
        pkg.manifest_path,
        "package.license-file",
        f"'../LICENSE' resolves outside the Cargo workspace ({crate})",
    )
    pkg = package(crate, license_file="NOPE")
    with pytest.raises(ConfigError) as e:
        _ = CargoFields(pkg).license_file
    assert problem(e) == (
        pkg.manifest_path,
        "package.license-file",
        f"'NOPE' is not a file ({crate / 'NOPE'})",
    )


def test_from_cargo_fills_every_field(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Demo\n")
    (tmp_path / "COPYING").write_text("MIT")
    pkg = package(
        tmp_path,
        version="2.0.0-beta.1",
        description="A demo",
        authors=("Jane <j@x.org>",),
        keywords=("k",),
        homepage="https://h",
        license="MIT/Apache-2.0",
        license_file="COPYING",
    )
    core, licenses = from_cargo(CargoFields(pkg))
    assert core == CoreMetadata(
        name="demo-crate",
        version="2.0.0b1",
        license_files=("COPYING",),
        summary="A demo",
        keywords="k",
        home_page="https://h",
        author="Jane <j@x.org>",
        author_email="Jane <j@x.org>",
        license="MIT/Apache-2.0",
        description_content_type="text/markdown; charset=UTF-8; variant=GFM",
        project_urls=(("Homepage", "https://h"),),
        description="# Demo\n",
    )
    assert licenses == {"COPYING": tmp_path / "COPYING"}
    core, licenses = from_cargo(CargoFields(package(tmp_path / "bare")))
    assert core == CoreMetadata(name="demo-crate", version="1.2.3")
    assert licenses == {}
