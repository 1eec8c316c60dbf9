"""The ``.dist-info`` directory of ``prepare_metadata_for_build_*``.

Kept apart from :mod:`ferrule.build` so that the metadata hooks import
nothing of the build machinery (cargo, bindings, audit): they run on machines
without Rust, and frontends call them often.
"""

from __future__ import annotations

import shutil
import tempfile
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
    staging = Path(tempfile.mkdtemp(prefix=".ferrule-", dir=directory))
    try:
        (staging / "METADATA").write_bytes(metadata.rfc822)
        if metadata.entry_points:
            (staging / "entry_points.txt").write_bytes(metadata.entry_points)
        for rel, path in metadata.license_files:
            target = staging / "licenses" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        if final.exists():
            shutil.rmtree(final)
        staging.replace(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return metadata.dist_info
