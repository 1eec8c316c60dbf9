"""``--target universal2-apple-darwin``: the aarch64 and x86_64 builds of one artifact
merged into one fat Mach-O file (maturin's ``build_context/builder.rs`` runs cargo for
both triples and joins them with ``lipo``).

The fat writer is :func:`ferrule.macho.make_fat` (the same bytes as ``lipo -create``,
checked against ``llvm-lipo`` when the fixtures are made); this module pairs cargo's
two results and hands them over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ferrule.cargo.build import CargoResult
from ferrule.macho import make_fat

__all__ = ["merge_results"]


def merge_results(results: Sequence[CargoResult], staging: Path) -> CargoResult:
    """One result whose artifacts are fat files of the per-arch ones (same order, same
    names), written into ``staging``; the first result's build script and messages."""
    first = results[0]
    if len(results) == 1:
        return first
    merged = []
    for i, artifact in enumerate(first.artifacts):
        thin = [r.artifacts[i].path.read_bytes() for r in results]
        dest = staging / f"universal2-{i}" / artifact.path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(make_fat(thin))
        merged.append(dataclasses.replace(artifact, path=dest))
    return dataclasses.replace(first, artifacts=tuple(merged))
