"""The metadata Cargo.toml provides, converted the way maturin converts it.

:mod:`ferrule.config.cargo_toml` has already read Cargo.toml and resolved
``field.workspace = true`` from the workspace root, without running cargo.
This module turns those values into Core Metadata values (PEP 440 version,
one-line summary, readme text, ...), each only when asked for: a field that
``[project]`` sets itself must not fail the build because of Cargo.toml.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ferrule.config.model import CargoPackage
from ferrule.config.project_table import CARGO_FIELDS
from ferrule.errors import ConfigError
from ferrule.metadata.core import CoreMetadata, one_line

__all__ = [
    "CARGO_FIELDS",
    "CargoFields",
    "from_cargo",
    "posix_relative",
    "readme_content_type",
    "rust_version_to_pep440",
]

# cargo's default readme names, then the one maturin adds for Python projects.
README_GUESSES = ("README.md", "README.txt", "README", "README.rst")


def rust_version_to_pep440(version: str) -> str:
    """A Cargo (SemVer) version as PEP 440, the way maturin converts it.

    >>> [rust_version_to_pep440(v) for v in ("1.0.0-alpha.1", "2.0.0-beta", "1.0.0-rc.3")]
    ['1.0.0a1', '2.0.0b0', '1.0.0rc3']
    >>> rust_version_to_pep440("1.0.0-dev.2"), rust_version_to_pep440("1.0.0+build.5")
    ('1.0.0.dev2', '1.0.0+build.5')
    >>> rust_version_to_pep440("1.0.0-foo")
    Traceback (most recent call last):
    ...
    packaging.version.InvalidVersion: Invalid version: '1.0.0-foo'
    """
    return str(Version(version))


def readme_content_type(path: str) -> str:
    """The content type maturin writes for a readme file, by its extension.

    >>> readme_content_type("README.md"), readme_content_type("docs/intro.rst")
    ('text/markdown; charset=UTF-8; variant=GFM', 'text/x-rst; charset=UTF-8')
    >>> readme_content_type("README")
    'text/plain; charset=UTF-8'
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".md", ".markdown"):
        return "text/markdown; charset=UTF-8; variant=GFM"
    if suffix == ".rst":
        return "text/x-rst; charset=UTF-8"
    return "text/plain; charset=UTF-8"


def posix_relative(path: Path, base: Path) -> str | None:
    """``path`` relative to ``base`` in POSIX form, or None when it is not below it.

    >>> posix_relative(Path("/a/b/c.txt"), Path("/a")), posix_relative(Path("/x"), Path("/a"))
    ('b/c.txt', None)
    """
    try:
        rel = Path(os.path.relpath(path, base))
    except ValueError:  # another drive on Windows
        return None
    return None if rel.parts[:1] == ("..",) else rel.as_posix()


class CargoFields:
    """The fields Cargo.toml provides, each computed (and checked) on first use."""

    def __init__(self, package: CargoPackage) -> None:
        self.package = package
        self.manifest = package.manifest_path
        self.manifest_dir = self.manifest.parent

    def _error(self, key: str, message: str) -> ConfigError:
        return ConfigError.single(self.manifest, key, message)

    @cached_property
    def version(self) -> str:
        # cargo (1.75+) and maturin take a missing version as 0.0.0 (ferrule.config warns).
        version = self.package.version or "0.0.0"
        try:
            return rust_version_to_pep440(version)
        except InvalidVersion:
            raise self._error(
                "package.version",
                f"{version!r} cannot be written as a PEP 440 version; Python pre-releases "
                "are spelled -alpha.N, -beta.N, -rc.N or -dev.N in Cargo.toml",
            ) from None

    @cached_property
    def summary(self) -> str | None:
        return one_line(self.package.description) if self.package.description else None

    @cached_property
    def readme(self) -> tuple[str, str] | None:
        """(text, content type) of the readme, explicit or found by name as cargo does."""
        readme = self.package.readme
        if readme is False:
            return None
        if readme is None:
            guesses = (self.manifest_dir / name for name in README_GUESSES)
            path = next((p for p in guesses if p.is_file()), None)
            if path is None:
                return None
        else:
            path = self.manifest_dir / readme
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self._error("package.readme", f"readme file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise self._error("package.readme", f"cannot read {path}: {exc}") from None
        return text, readme_content_type(path.name)

    @cached_property
    def authors(self) -> tuple[str | None, str | None]:
        """(Author, Author-email).

        Cargo has one list for names and addresses; maturin joins it into
        Author, and into Author-email too when any entry has an address.
        """
        if not self.package.authors:
            return None, None
        joined = ", ".join(self.package.authors)
        return joined, joined if "@" in joined else None

    @cached_property
    def keywords(self) -> str | None:
        return ",".join(self.package.keywords) if self.package.keywords else None

    @cached_property
    def urls(self) -> tuple[tuple[str, str], ...]:
        labelled = (
            ("Homepage", self.package.homepage),
            ("Documentation", self.package.documentation),
            ("Source Code", self.package.repository),
        )
        return tuple((label, url) for label, url in labelled if url)

    @cached_property
    def license_file(self) -> tuple[str, Path] | None:
        """(path under ``.dist-info/licenses/``, file on disk) for ``package.license-file``."""
        rel = self.package.license_file
        if rel is None:
            return None
        source = Path(os.path.normpath(self.manifest_dir / rel))
        root = Path(os.path.normpath((self.package.workspace_root or self.manifest).parent))
        if posix_relative(source, root) is None:
            raise self._error(
                "package.license-file", f"{rel!r} resolves outside the Cargo workspace ({root})"
            )
        if not source.is_file():
            raise self._error("package.license-file", f"{rel!r} is not a file ({source})")
        # Relative to the crate, or just the file name when it lives above it.
        return posix_relative(source, self.manifest_dir) or source.name, source


def from_cargo(cargo: CargoFields) -> tuple[CoreMetadata, dict[str, Path]]:
    """Everything from Cargo.toml, for a project without ``[project]``.

    Returns the metadata and the license files (path under ``licenses/`` ->
    file on disk). As maturin, no license files are looked for by name here.
    """
    author, author_email = cargo.authors
    readme_text, content_type = cargo.readme or (None, None)
    core = CoreMetadata(
        name=cargo.package.name,
        version=cargo.version,
        summary=cargo.summary,
        description=readme_text,
        description_content_type=content_type,
        author=author,
        author_email=author_email,
        keywords=cargo.keywords,
        home_page=cargo.package.homepage,
        project_urls=cargo.urls,
        # Cargo's `license` is SPDX 2 syntax (it allows `MIT/Apache-2.0`), so it
        # goes into the free-form License field, as maturin writes it.
        license=cargo.package.license,
    )
    licenses = dict([cargo.license_file]) if cargo.license_file else {}
    return replace(core, license_files=tuple(licenses)), licenses
