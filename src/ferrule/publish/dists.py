"""What ``ferrule publish`` builds: the sdist first, then wheels built from that sdist.

Building the wheels from the unpacked sdist (as maturin's publish does) proves
the sdist builds before anything is uploaded. The build reuses the project's
cargo target directory, so nothing compiles twice.
"""

from __future__ import annotations

import dataclasses
import importlib
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from ferrule import _log
from ferrule.build.run import build_wheels
from ferrule.config import CliOptions, load_settings
from ferrule.config.model import Settings
from ferrule.interpreter import Interpreter
from ferrule.publish import PublishError
from ferrule.target_dir import default_out_dir

__all__ = ["build_distributions"]

SdistWriter = Callable[[Settings, Path], Path]


def _sdist_writer() -> SdistWriter:
    try:
        module = importlib.import_module("ferrule.sdist")
    except ModuleNotFoundError as exc:
        if exc.name != "ferrule.sdist":
            raise
        raise PublishError(
            "ferrule publish builds an sdist first, but this version of ferrule cannot "
            "build sdists yet; pass --no-sdist to build and upload the wheels only"
        ) from None
    writer: SdistWriter = module.write_sdist
    return writer


def _unpack(sdist: Path, into: Path) -> Path:
    """Extract the sdist safely; returns its one top-level directory."""
    with tarfile.open(sdist, "r:gz") as tf:
        members = tf.getmembers()
        tops = {PurePosixPath(m.name).parts[0] for m in members if m.name not in ("", ".")}
        for m in members:
            path = PurePosixPath(m.name)
            if path.is_absolute() or ".." in path.parts or not (m.isfile() or m.isdir()):
                raise PublishError(f"{sdist}: unsafe or unsupported archive member {m.name!r}")
        if len(tops) != 1:
            raise PublishError(f"{sdist}: expected one top-level directory, found {len(tops)}")
        if hasattr(tarfile, "data_filter"):
            tf.extractall(into, filter="data")
        else:  # pragma: no cover - Pythons without extraction filters; members were checked
            tf.extractall(into)  # noqa: S202
    return into / tops.pop()


def build_distributions(
    settings: Settings,
    cli: CliOptions,
    interpreters: Sequence[Interpreter],
    out_dir: Path,
    *,
    sdist: bool,
) -> list[Path]:
    """The files to upload: ``[sdist, *wheels]``, or the wheels only."""
    if not sdist:
        return [w.path for w in build_wheels(settings, interpreters, out_dir)]
    write_sdist = _sdist_writer()
    sdist_path = write_sdist(settings, out_dir)
    _log.info(f"building the wheels from {sdist_path.name}")
    target_dir = default_out_dir(settings).parent
    with tempfile.TemporaryDirectory(prefix="ferrule-publish-") as tmp:
        project = _unpack(sdist_path, Path(tmp))
        options = dataclasses.replace(cli, manifest_path=None, target_dir=target_dir)
        # (Its configuration warnings were printed for the project itself.)
        unpacked = load_settings(project, options, dict(settings.environ), report=False)
        wheels = build_wheels(unpacked, interpreters, out_dir)
    return [sdist_path, *(w.path for w in wheels)]
