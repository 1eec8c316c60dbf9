"""Package metadata from ``[project]`` and Cargo.toml, without a compiler or cargo.

Cargo.toml (and its workspace root) is read directly by :mod:`ferrule.config`,
so the metadata hooks work on a machine without Rust. ``[project]`` is
validated with ``pyproject-metadata`` and ``packaging``; Cargo.toml fills the
fields that ``[project]`` lists in ``dynamic`` (all of them when there is no
``[project]``), as maturin does. The result, one
:class:`~ferrule.metadata.core.CoreMetadata`, is written the same way into
wheels (``METADATA``) and sdists (``PKG-INFO``); before that, ``packaging``
checks the finished file as PyPI would. Intended differences from maturin are
listed in docs/differences.md.

- :mod:`ferrule.metadata.core`: the value and its file formats (pure)
- :mod:`ferrule.metadata.cargo`: fields from Cargo.toml
- :mod:`ferrule.metadata.project`: ``[project]`` and its dynamic fields, validated by
  :mod:`~ferrule.metadata.pep621`, with the license files of :mod:`~ferrule.metadata.licenses`
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ferrule._record import record
from ferrule.errors import ConfigError, ConfigProblem

# The validation (pyproject-metadata, packaging) is imported by build_metadata
# only: a wheel built from a prepared .dist-info (PEP 517's metadata_directory,
# see ferrule.metadata.prepared) never needs it.
if TYPE_CHECKING:
    from collections.abc import Mapping

    from ferrule.config.model import Settings
    from ferrule.metadata.core import CoreMetadata

__all__ = [
    "CoreMetadata",
    "PackageMetadata",
    "build_metadata",
    "canonical_name",
    "dist_filename_name",
]


@record
class PackageMetadata:
    """Validated metadata and the files made from it."""

    name: str
    version: str
    # The distribution name as it appears in file names: ``foo_bar``.
    dist_name: str
    # The bytes of METADATA (wheels) and PKG-INFO (sdists).
    rfc822: bytes
    # The bytes of entry_points.txt, if there are entry points.
    entry_points: bytes | None
    # (path under .dist-info/licenses/, file on disk), as License-File lists them.
    license_files: tuple[tuple[str, Path], ...]
    # The validated value; None when read back from a prepared .dist-info.
    core: CoreMetadata | None

    @property
    def dist_info(self) -> str:
        return f"{self.dist_name}-{self.version}.dist-info"


def canonical_name(name: str) -> str:
    """PEP 503's normalised name, as ``packaging.utils.canonicalize_name`` gives it.

    >>> canonical_name("Foo.Bar__baz")
    'foo-bar-baz'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_filename_name(name: str) -> str:
    """The name part of wheel and sdist file names.

    >>> dist_filename_name("Foo.Bar-baz")
    'foo_bar_baz'
    """
    return canonical_name(name).replace("-", "_")


# Where each METADATA field comes from, to name the key when packaging rejects it.
_PROJECT_KEYS = {
    "name": "project.name",
    "version": "project.version",
    "summary": "project.description",
    "description-content-type": "project.readme.content-type",
    "requires-python": "project.requires-python",
    "requires-dist": "project.dependencies",
    "provides-extra": "project.optional-dependencies",
    "license-expression": "project.license",
    "license-file": "project.license-files",
    "project-url": "project.urls",
    "import-name": "project.import-names",
    "import-namespace": "project.import-namespaces",
    "classifier": "project.classifiers",
    "keywords": "project.keywords",
    "author-email": "project.authors",
    "maintainer-email": "project.maintainers",
}
_CARGO_KEYS = {
    "name": "package.name",
    "version": "package.version",
    "summary": "package.description",
    "description-content-type": "package.readme",
    "keywords": "package.keywords",
    "author-email": "package.authors",
    "license-file": "package.license-file",
    "project-url": "package.homepage",
}


def _rejected_by_packaging(
    rfc822: bytes, file: Path, keys: Mapping[str, str]
) -> list[ConfigProblem]:
    """What ``packaging`` (and so PyPI, which validates with it) rejects in the finished file."""
    from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata

    try:
        Metadata.from_email(rfc822, validate=True)
    except ExceptionGroup as group:
        table = keys["name"].split(".")[0]
        return [
            ConfigProblem(file, keys.get(exc.field, table), str(exc))
            for exc in group.exceptions
            if isinstance(exc, InvalidMetadata)
        ]
    return []


def _top_level_names(settings: Settings) -> tuple[str, ...]:
    """What a dynamic ``import-names`` lists: the module's top-level package and
    ``python-packages``, in that order."""
    from ferrule.layout import module_name

    top = module_name(settings).split(".")[0]
    return tuple(dict.fromkeys([top, *settings.tool.python_packages]))


def build_metadata(settings: Settings) -> PackageMetadata:
    """Validate and render the package metadata (Core Metadata 2.4, or 2.5 with import names).

    Runs no program: ``[project]``, Cargo.toml and the files they name are all
    it reads. Every problem found is reported at once, with its file and
    dotted key, as a :class:`~ferrule.errors.ConfigError`.
    """
    from ferrule.metadata.cargo import CargoFields, from_cargo
    from ferrule.metadata.core import EntryPoints, render_entry_points, render_metadata
    from ferrule.metadata.project import Problems, from_project

    cargo = CargoFields(settings.cargo)
    project = settings.project_table
    entry_points: EntryPoints = ()
    if project is None or settings.pyproject_path is None:
        file, keys = cargo.manifest, _CARGO_KEYS
        core, licenses = from_cargo(cargo)
    else:
        file, keys = settings.pyproject_path, _PROJECT_KEYS
        problems = Problems(file)
        result = from_project(project, cargo, problems, lambda: _top_level_names(settings))
        if result is None:
            raise ConfigError(problems.items)
        core, licenses, entry_points = result
    rfc822 = render_metadata(core)
    # What ferrule.config warned about is written as maturin writes it, even
    # where PyPI refuses it (strict mode refused it before).
    warned = {w.key for w in settings.warnings}
    rejected = [p for p in _rejected_by_packaging(rfc822, file, keys) if p.key not in warned]
    if rejected:
        raise ConfigError(rejected)
    return PackageMetadata(
        name=core.name,
        version=core.version,
        dist_name=dist_filename_name(core.name),
        rfc822=rfc822,
        entry_points=render_entry_points(entry_points),
        license_files=tuple(licenses.items()),
        core=core,
    )
