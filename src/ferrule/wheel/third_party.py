"""The license files of the crates linked into the wheel (``--bundle-licenses``).

A statically linked library carries the code of every crate it links, so a
wheel that ships one must ship their licenses. With ``bundle-licenses`` on,
each crate that :func:`ferrule.cargo.linked.read_linked_crates` lists (the
normal dependency graph for the target, proc-macros included, the built crate
itself not) gives its license files, taken from its sources (registry, git or
path alike: the directory of its Cargo.toml):

1. ``license-file`` of its Cargo.toml, when that file exists;
2. then every file at the top of the crate whose name starts (in any case)
   with LICENSE, LICENCE, COPYING, NOTICE, COPYRIGHT, or is UNLICENSE.

They go to ``<dist-info>/licenses/third_party/<crate>-<version>/<file>`` and
are listed as ``License-File`` (paths relative to ``licenses/``, Core Metadata
2.4), sorted, so the wheel stays reproducible. A crate that declares a
``license`` but ships no file refuses the build; ``allow-missing-license-files``
makes that one warning. A crate that declares neither gives nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ferrule import _log
from ferrule.cargo.linked import LinkedCrate, read_linked_crates
from ferrule.config.model import Settings
from ferrule.errors import WheelError
from ferrule.metadata import PackageMetadata

__all__ = [
    "THIRD_PARTY_DIR",
    "bundled_licenses",
    "crate_license_files",
    "select_license_files",
    "with_third_party",
]

THIRD_PARTY_DIR = "third_party"
_PREFIXES = ("license", "licence", "copying", "notice", "copyright")
_EXACT = ("unlicense",)


def _well_known(name: str) -> bool:
    """A usual license file name (case does not matter).

    >>> [_well_known(n) for n in ("LICENSE-MIT", "licence.txt", "COPYING", "UNLICENSE",
    ...                           "NOTICE", "Copyright", "README.md", "unlicensed.rs")]
    [True, True, True, True, True, True, False, False]
    """
    lower = name.lower()
    return lower.startswith(_PREFIXES) or lower in _EXACT


def crate_license_files(crate: LinkedCrate) -> dict[str, Path]:
    """Path under the crate's directory in the wheel -> file on disk, in order.

    ``license-file`` first: kept at its relative place when it lies inside the
    crate, by its name when it lies outside (as ``cargo package`` copies it into
    the crate's root, where a registry crate has it).
    """
    root = crate.directory
    files: dict[str, Path] = {}
    if crate.license_file:
        given = root / crate.license_file
        for candidate in (given, root / given.name):
            if candidate.is_file():
                try:
                    rel = candidate.resolve().relative_to(root.resolve()).as_posix()
                except ValueError:
                    rel = candidate.name
                files[rel] = candidate
                break
    try:
        listed = sorted(root.iterdir())
    except OSError:
        listed = []
    for path in listed:
        if _well_known(path.name) and path.is_file():
            files.setdefault(path.name, path)
    return files


def select_license_files(
    crates: Sequence[LinkedCrate],
) -> tuple[dict[str, Path], list[LinkedCrate]]:
    """(path under ``licenses/`` -> file, sorted; crates with a license but no file)."""
    files: dict[str, Path] = {}
    missing: list[LinkedCrate] = []
    for crate in crates:
        found = crate_license_files(crate)
        if not found and crate.license:
            missing.append(crate)
        prefix = f"{THIRD_PARTY_DIR}/{crate.name}-{crate.version}"
        for rel, path in found.items():
            files.setdefault(f"{prefix}/{rel}", path)
    return dict(sorted(files.items())), missing


def _missing_message(missing: Sequence[LinkedCrate]) -> str:
    names = ", ".join(f"{c.name} {c.version} ({c.directory})" for c in missing)
    return (
        f"--bundle-licenses: {len(missing)} linked crate(s) declare a license but ship no "
        f"license file: {names}"
    )


def bundled_licenses(
    settings: Settings, crates: Sequence[LinkedCrate] | None = None
) -> dict[str, Path]:
    """The third-party license files of this build (``{}`` unless ``bundle-licenses`` is on).

    ``crates`` defaults to what ``cargo metadata`` says for the build's target.
    Runs before cargo builds anything: a refusal leaves nothing half-written.
    """
    if not settings.bundle_licenses:
        return {}
    if crates is None:
        crates = read_linked_crates(settings)
    files, missing = select_license_files(crates)
    if missing and settings.allow_missing_license_files:
        _log.warn(f"{_missing_message(missing)}; the wheel ships none for them")
    elif missing:
        raise WheelError(
            f"{_missing_message(missing)}. Add the license text to each crate (a LICENSE "
            "file next to its Cargo.toml, or `license-file` in it), or build without them "
            "with --allow-missing-license-files ([tool.ferrule] allow-missing-license-files = true)"
        )
    return files


def with_third_party(metadata: PackageMetadata, files: dict[str, Path]) -> PackageMetadata:
    """``metadata`` with ``files`` added to its license files and METADATA's ``License-File``.

    Metadata read back from a prepared ``.dist-info`` (``core`` None) is left as it
    is: the metadata hook wrote the same files into it, and PEP 517 wants it unchanged.
    """
    if not files or metadata.core is None:
        return metadata
    from ferrule.metadata.core import render_metadata

    known = dict(metadata.license_files)
    extra = [(rel, path) for rel, path in files.items() if rel not in known]
    core = dataclasses.replace(
        metadata.core,
        license_files=(*metadata.core.license_files, *(rel for rel, _ in extra)),
    )
    return dataclasses.replace(
        metadata,
        rfc822=render_metadata(core),
        license_files=(*metadata.license_files, *extra),
        core=core,
    )
