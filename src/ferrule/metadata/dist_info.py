"""The ``.dist-info`` directory of ``prepare_metadata_for_build_*``.

Kept apart from :mod:`ferrule.build` so that the metadata hooks import
nothing of the build machinery (cargo, bindings, audit): they run on machines
without Rust, and frontends call them often.
"""

from __future__ import annotations

import os
from pathlib import Path

from ferrule.config.model import Settings
from ferrule.metadata import PackageMetadata, build_metadata

__all__ = ["write_dist_info"]


def write_dist_info(
    settings: Settings, directory: Path, metadata: PackageMetadata | None = None
) -> str:
    """The ``.dist-info`` directory for ``prepare_metadata_for_build_*``: no compiler involved.

    METADATA, entry_points.txt and licenses/ are exactly what the wheel will
    hold (the same :class:`PackageMetadata` feeds both; ``metadata``, when given,
    is that, already built). The directory is assembled next to its final place
    and moved there in one step.
    """
    metadata = metadata or build_metadata(settings)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / metadata.dist_info
    # (No tempfile, and shutil only when needed: this hook's imports are its cost.)
    staging = directory / f".ferrule-{os.getpid()}-{metadata.dist_info}"
    if staging.exists():  # left by a killed process with this pid
        _remove(staging)
    staging.mkdir()
    try:
        (staging / "METADATA").write_bytes(metadata.rfc822)
        if metadata.entry_points:
            (staging / "entry_points.txt").write_bytes(metadata.entry_points)
        for rel, path in metadata.license_files:
            target = staging / "licenses" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
        if final.exists():
            _remove(final)
        staging.replace(final)
    finally:
        if staging.exists():
            _remove(staging)
    return metadata.dist_info


def _remove(tree: Path) -> None:
    import shutil

    shutil.rmtree(tree)
