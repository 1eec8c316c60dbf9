"""``--target universal2-apple-darwin``: the aarch64 and x86_64 builds of one artifact
merged into one fat Mach-O file (maturin's ``build_context/builder.rs`` runs cargo for
both triples and joins them with ``lipo``).

The fat writer is :mod:`ferrule.macho`'s (``write_fat``); this module pairs cargo's
two results and hands them over.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Sequence
from pathlib import Path

from ferrule.cargo.build import CargoResult
from ferrule.errors import FerruleError

__all__ = ["merge_results"]


def _fat_writer() -> object:
    try:
        module = importlib.import_module("ferrule.macho")
    except ImportError:
        module = None
    writer = getattr(module, "write_fat", None)
    if writer is None:
        raise FerruleError(
            "--target universal2-apple-darwin needs ferrule.macho.write_fat to join the "
            "aarch64-apple-darwin and x86_64-apple-darwin builds, and this ferrule has none"
        )
    return writer


def merge_results(results: Sequence[CargoResult], staging: Path) -> CargoResult:
    """One result whose artifacts are fat files of the per-arch ones (same order, same
    names), written into ``staging``; the first result's build script and messages."""
    first = results[0]
    if len(results) == 1:
        return first
    write_fat = _fat_writer()
    merged = []
    for i, artifact in enumerate(first.artifacts):
        thin = [r.artifacts[i].path for r in results]
        dest = staging / f"universal2-{i}" / artifact.path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_fat(thin, dest)  # type: ignore[operator]
        merged.append(dataclasses.replace(artifact, path=dest))
    return dataclasses.replace(first, artifacts=tuple(merged))
