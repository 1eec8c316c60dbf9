"""SBOM files a wheel ships in ``<dist-info>/sboms/`` (maturin's ``--sbom-include``).

maturin (src/sbom.rs, src/build_context/builder.rs) takes ``[tool.maturin.sbom]
include`` first, then ``--sbom-include``, drops repeated paths, resolves
relative paths against the project root (where they must stay) and refuses two
files with one name. The files are copied as they are.
"""

from __future__ import annotations

from pathlib import Path

from ferrule.config.model import Settings
from ferrule.errors import ConfigError, WheelError
from ferrule.wheel.manifest import Entry

__all__ = ["sbom_entries"]


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


def sbom_entries(settings: Settings, dist_info: str) -> list[Entry]:
    """The ``<dist-info>/sboms/<name>`` entries, pyproject's includes first."""
    root = settings.project_dir.resolve()
    entries: list[Entry] = []
    names: dict[str, Path] = {}
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
        names[resolved.name] = path
        entries.append(Entry(f"{dist_info}/sboms/{resolved.name}", source=resolved))
    return entries
