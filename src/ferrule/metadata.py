"""Core Metadata (METADATA / PKG-INFO) from ``[project]`` and Cargo.toml.

No compiler and no cargo: Cargo.toml is read directly, so the metadata hooks
work on a machine without Rust. The same function feeds wheels and sdists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ferrule.config.model import Settings
from ferrule.errors import ConfigError, ConfigProblem

__all__ = ["PackageMetadata", "build_metadata", "rust_version_to_pep440"]


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


@dataclass(frozen=True)
class PackageMetadata:
    name: str
    version: str
    # The distribution name as it appears in file names: ``foo_bar``.
    dist_name: str
    rfc822: bytes
    entry_points: bytes | None
    # (path inside .dist-info/licenses/, file on disk)
    license_files: tuple[tuple[str, Path], ...]

    @property
    def dist_info(self) -> str:
        return f"{self.dist_name}-{self.version}.dist-info"


def dist_filename_name(name: str) -> str:
    """The name part of wheel and sdist file names.

    >>> dist_filename_name("Foo.Bar-baz")
    'foo_bar_baz'
    """
    return re.sub(r"[-_.]+", "_", canonicalize_name(name))


def _cargo_author(author: str) -> dict[str, str]:
    """``"Jane <jane@x.org>"`` as a PEP 621 author table.

    >>> _cargo_author("Jane Doe <jane@example.org>")
    {'name': 'Jane Doe', 'email': 'jane@example.org'}
    >>> _cargo_author("Jane Doe")
    {'name': 'Jane Doe'}
    """
    match = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", author)
    if match:
        out = {"email": match[2]}
        if match[1]:
            out = {"name": match[1], **out}
        return out
    return {"name": author.strip()}


def _cargo_fields(settings: Settings) -> dict[str, Any]:
    """The PEP 621 fields that Cargo.toml can provide."""
    cargo = settings.cargo
    fields: dict[str, Any] = {}
    if cargo.description:
        fields["description"] = cargo.description
    if cargo.authors:
        fields["authors"] = [_cargo_author(a) for a in cargo.authors]
    if cargo.license:
        fields["license"] = cargo.license
    if cargo.keywords:
        fields["keywords"] = list(cargo.keywords)
    urls = {
        label: url
        for label, url in (
            ("Homepage", cargo.homepage),
            ("Source Code", cargo.repository),
            ("Documentation", cargo.documentation),
        )
        if url
    }
    if urls:
        fields["urls"] = urls
    readme = cargo.readme
    manifest_dir = cargo.manifest_path.parent
    if readme is None:
        for guess in ("README.md", "README.txt", "README.rst", "README"):
            if (manifest_dir / guess).is_file():
                readme = guess
                break
    if isinstance(readme, str):
        path = (manifest_dir / readme).resolve()
        try:
            fields["readme"] = str(path.relative_to(settings.project_dir))
        except ValueError:
            fields["readme"] = str(path)
    return fields


def _version(settings: Settings) -> str:
    cargo = settings.cargo
    if cargo.version is None:
        raise ConfigError.single(
            cargo.manifest_path,
            "package.version",
            "missing; set it, or give project.version in pyproject.toml",
        )
    try:
        return rust_version_to_pep440(cargo.version)
    except InvalidVersion:
        raise ConfigError.single(
            cargo.manifest_path,
            "package.version",
            f"{cargo.version!r} cannot be written as a PEP 440 version; Python pre-releases "
            "are spelled -alpha.N, -beta.N, -rc.N or -dev.N in Cargo.toml",
        ) from None


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


def _with_readme_table(project: dict[str, Any]) -> dict[str, Any]:
    readme = project.get("readme")
    if isinstance(readme, str):
        project["readme"] = {"file": readme, "content-type": readme_content_type(readme)}
    return project


def _effective_project(settings: Settings) -> dict[str, Any]:
    """``[project]`` with the dynamic fields Cargo.toml provides filled in."""
    return _with_readme_table(_project_with_dynamic(settings))


def _project_with_dynamic(settings: Settings) -> dict[str, Any]:
    table = settings.project_table
    if table is None:
        project: dict[str, Any] = {"name": settings.cargo.name, "version": _version(settings)}
        project.update(_cargo_fields(settings))
        return project
    project = dict(table)
    dynamic = list(project.get("dynamic", []))
    if "version" in dynamic and "version" not in project:
        project["version"] = _version(settings)
        dynamic.remove("version")
    elif "version" not in project and "version" not in dynamic:
        # maturin falls back to Cargo's version even when not declared dynamic.
        project["version"] = _version(settings)
    for key, value in _cargo_fields(settings).items():
        if key in dynamic and key not in project:
            project[key] = value
            dynamic.remove(key)
    if "dynamic" in project:
        project["dynamic"] = dynamic
    return project


def _problems_from(exc: BaseException, file: Path) -> list[ConfigProblem]:
    nested = getattr(exc, "exceptions", None)
    if nested:
        out: list[ConfigProblem] = []
        for sub in nested:
            out += _problems_from(sub, file)
        return out
    key = getattr(exc, "key", None) or ""
    message = str(exc)
    if key and message.startswith(f'Field "{key}" '):
        message = message[len(f'Field "{key}" ') :]
    return [ConfigProblem(file, key or "project", message)]


def _entry_points(groups: Mapping[str, Mapping[str, str]]) -> bytes | None:
    lines: list[str] = []
    for group in sorted(groups):
        entries = groups[group]
        if not entries:
            continue
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in sorted(entries.items())]
        lines.append("")
    return "\n".join(lines).encode("utf-8") if lines else None


def build_metadata(settings: Settings) -> PackageMetadata:
    """Validate and render the package metadata (Core Metadata 2.4)."""
    from pyproject_metadata import StandardMetadata

    file = settings.pyproject_path or settings.cargo.manifest_path
    project = _effective_project(settings)
    try:
        meta = StandardMetadata.from_pyproject(
            {"project": project}, settings.project_dir, metadata_version="2.4", all_errors=True
        )
    except Exception as exc:  # pyproject-metadata raises its own and ExceptionGroups
        if type(exc).__module__.startswith("pyproject_metadata") or hasattr(exc, "exceptions"):
            raise ConfigError(_problems_from(exc, file)) from None
        raise
    version = str(meta.version)
    groups: dict[str, Mapping[str, str]] = {}
    if meta.scripts:
        groups["console_scripts"] = meta.scripts
    if meta.gui_scripts:
        groups["gui_scripts"] = meta.gui_scripts
    for group, entries in meta.entrypoints.items():
        groups[group] = entries
    licenses = tuple(
        (Path(p).as_posix(), settings.project_dir / p) for p in (meta.license_files or [])
    )
    return PackageMetadata(
        name=meta.name,
        version=version,
        dist_name=dist_filename_name(meta.name),
        rfc822=bytes(meta.as_rfc822()),
        entry_points=_entry_points(groups),
        license_files=licenses,
    )
