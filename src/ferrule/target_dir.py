"""Where cargo's target directory is, and so where wheels go by default.

Kept apart from :mod:`ferrule.build` so that commands which only need the
path (``sdist``, ``publish``) do not import the build machinery.
"""

from __future__ import annotations

from pathlib import Path

from ferrule.config.model import Settings

__all__ = ["default_out_dir"]


def default_out_dir(settings: Settings) -> Path:
    """``<target-dir>/wheels``, as maturin."""
    if settings.cargo_options.target_dir:
        target = settings.cargo_options.target_dir
    elif settings.environ.get("CARGO_TARGET_DIR"):
        target = Path(settings.environ["CARGO_TARGET_DIR"])
    else:
        root = settings.cargo.workspace_root or settings.cargo.manifest_path
        target = root.parent / "target"
    return target.resolve() / "wheels"
