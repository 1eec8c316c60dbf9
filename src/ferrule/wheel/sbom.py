"""SBOM files a wheel ships in ``<dist-info>/sboms/``.

First the crate's own CycloneDX SBOM, as maturin writes it unless
``[tool.maturin.sbom] rust = false`` (:mod:`ferrule.wheel.cyclonedx` renders it).
Then the files of ``--sbom-include``: maturin (src/sbom.rs, src/build_context/builder.rs) takes ``[tool.maturin.sbom]
include`` first, then ``--sbom-include``, drops repeated paths, resolves
relative paths against the project root (where they must stay) and refuses two
files with one name. The files are copied as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule import _log
from ferrule.cargo.metadata import CargoProject
from ferrule.config.cargo_lock import lock_checksums
from ferrule.config.model import Settings
from ferrule.errors import ConfigError, WheelError
from ferrule.wheel.cyclonedx import render_sbom, sbom_filename
from ferrule.wheel.manifest import Entry
from ferrule.wheel.writer import zip_timestamp

__all__ = ["crate_sbom_enabled", "sbom_entries"]


def crate_sbom_enabled(settings: Settings) -> bool:
    """``[tool.maturin.sbom] rust``: whether the crate's SBOM is written (maturin: yes)."""
    raw = settings.tool.sbom.get("rust", True)
    if not isinstance(raw, bool):
        raise ConfigError.single(
            settings.pyproject_path or Path("pyproject.toml"),
            f"{settings.tool_table}.sbom.rust",
            "must be true or false (whether the wheel gets the crate's CycloneDX SBOM)",
        )
    return raw


def _license_texts(graph: Mapping[str, Any]) -> dict[str, bytes]:
    """The ``license-file`` contents of packages without a ``license`` (unreadable: none,
    as cargo-cyclonedx, which warns)."""
    texts = {}
    for package in graph["packages"]:
        if package.get("license") or not package.get("license_file"):
            continue
        path = Path(package["manifest_path"]).parent / package["license_file"]
        try:
            texts[package["id"]] = path.read_bytes()
        except OSError:
            _log.warn(f"cannot read the license file {path} for the SBOM: it lists no license")
    return texts


def _crate_sbom(settings: Settings, project: CargoProject, dist_info: str) -> list[Entry]:
    if not project.sbom_graph or not crate_sbom_enabled(settings):
        return []
    graph = json.loads(project.sbom_graph)
    (root,) = (p for p in graph["packages"] if p["id"] == graph["resolve"]["root"])
    manifest = Path(root["manifest_path"])
    sums, when = lock_checksums(manifest, settings.files), zip_timestamp(settings.environ)
    data = render_sbom(graph, sums, when, _license_texts(graph))
    return [Entry(f"{dist_info}/sboms/{sbom_filename(project.name)}", data=data)]


def _configured(settings: Settings) -> list[Path]:
    raw = settings.tool.sbom.get("include")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigError.single(
            settings.pyproject_path or Path("pyproject.toml"),
            f"{settings.tool_table}.sbom.include",
            "must be a list of paths to SBOM files",
        )
    return [Path(item) for item in raw]


def sbom_entries(
    settings: Settings, dist_info: str, project: CargoProject | None = None
) -> list[Entry]:
    """The ``<dist-info>/sboms/<name>`` entries: the crate's SBOM (with ``project``), then
    the included files, pyproject's first."""
    root = settings.project_dir.resolve()
    entries = _crate_sbom(settings, project, dist_info) if project is not None else []
    names = {Path(e.arcname).name: "the crate's own SBOM" for e in entries}
    for path in dict.fromkeys([*_configured(settings), *settings.sbom_include]):
        where = f"SBOM file {path} (--sbom-include or {settings.tool_table}.sbom.include)"
        try:
            resolved = (path if path.is_absolute() else root / path).resolve(strict=True)
        except OSError:
            raise WheelError(f"{where} not found") from None
        if not path.is_absolute() and not resolved.is_relative_to(root):
            raise WheelError(f"{where} is outside the project root {root}")
        if not resolved.is_file():
            raise WheelError(f"{where} is not a file")
        if resolved.name in names:
            raise WheelError(
                f"{where} and {names[resolved.name]} have the same file name; "
                "every SBOM in sboms/ needs its own"
            )
        names[resolved.name] = str(path)
        entries.append(Entry(f"{dist_info}/sboms/{resolved.name}", source=resolved))
    return entries
