"""Source distributions: ``write_sdist(settings, out_dir)``.

The sdist carries the crate, every local crate it uses (path dependencies,
also outside the Python project), the Python sources, pyproject.toml, readme
and license files and Cargo.lock, with Cargo.toml and pyproject.toml rewritten
so that the unpacked archive builds on its own. Archives are reproducible:
the same sources give the same bytes, wherever they are checked out.

The implementation (manifest rewrites, cargo calls) is imported only when used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferrule.build.run import BuiltWheel
    from ferrule.config import CliOptions
    from ferrule.config.model import Settings
    from ferrule.interpreter import Interpreter

__all__ = ["build_wheels_from_sdist", "write_sdist"]


def write_sdist(settings: Settings, out_dir: Path, vendor: bool = False) -> Path:
    """Build the sdist of the project ``settings`` describe into ``out_dir``; return its path.

    ``vendor``: the dependencies' sources go in too (:mod:`ferrule.sdist.vendor`).
    """
    import contextlib
    import tempfile

    from ferrule import _log
    from ferrule.sdist.archive import write_archive
    from ferrule.sdist.plan import plan_sdist

    plan = plan_sdist(settings)
    with contextlib.ExitStack() as stack:
        entries = plan.entries
        if vendor:
            from ferrule.sdist.vendor import run_cargo_vendor, with_vendored

            # The vendored files are copied into the archive from here: kept until written.
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="ferrule-vendor-"))
            vendor_dir = Path(tmp) / "vendor"
            entries = with_vendored(entries, vendor_dir, run_cargo_vendor(settings, vendor_dir))
        target = write_archive(out_dir / plan.filename, plan.root, entries, settings.environ)
    _log.info(f"built {target}")
    return target


def build_wheels_from_sdist(
    sdist: Path,
    cli: CliOptions,
    interpreters: Sequence[Interpreter],
    out_dir: Path,
    target_dir: Path,
) -> list[BuiltWheel]:
    """Unpack ``sdist`` in a temporary directory and build the wheels from it.

    This proves that the sdist builds without the original tree. Cargo's
    ``target_dir`` is the project's own, so dependencies are not compiled again.
    """
    import dataclasses
    import tempfile

    from ferrule import _log
    from ferrule.build.run import build_wheels
    from ferrule.config import load_settings
    from ferrule.sdist.unpack import unpack_sdist

    with tempfile.TemporaryDirectory(prefix="ferrule-sdist-") as tmp:
        top = unpack_sdist(sdist, Path(tmp))
        _log.info(f"building wheels from {sdist.name}, unpacked in {top}")
        options = dataclasses.replace(cli, manifest_path=None, target_dir=target_dir)
        # (Its configuration warnings were printed for the project itself.)
        settings = load_settings(top, options, report=False)
        return build_wheels(settings, interpreters, out_dir)
