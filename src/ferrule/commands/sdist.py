"""``ferrule sdist``: build a source distribution."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.commands._options import add_report_options, add_strict_option
from ferrule.commands._report import REPORT_OPTIONS, reporting

if TYPE_CHECKING:
    from ferrule.build.report import BuildReport
    from ferrule.config.model import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("sdist", help="build a source distribution")
    p.add_argument("-m", "--manifest-path", type=Path, help="path to Cargo.toml")
    p.add_argument("-o", "--out", type=Path, help="output directory (default <target-dir>/wheels)")
    p.add_argument(
        "--vendor",
        action="store_true",
        help="pack the dependencies' sources (cargo vendor) so that it builds offline "
        "(a ferrule extension)",
    )
    add_strict_option(p)
    add_report_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    with reporting(args, "sdist") as report:
        return _run(args, report)


def _run(args: argparse.Namespace, report: BuildReport) -> int:
    import json

    from ferrule.develop import replay

    if args.vendor:
        # Not replayed: what cargo vendor wrote is read from a temporary directory, gone
        # by the next run (which would never match, and each record keeps a copy).
        print(_sdist(args, report)[1])
        return 0

    # A repeated sdist of an unchanged tree is replayed (see ferrule.develop.replay):
    # the archive is reproducible, so the one already written is the answer.
    skip = ("verbose", *REPORT_OPTIONS)
    options = {k: str(v) for k, v in vars(args).items() if not k.startswith("_") and k not in skip}
    session = replay.Session(
        "sdist", ["sdist", json.dumps(options, sort_keys=True)], dict(os.environ)
    )
    if session.replayed():
        report.fast_path = "replay"
        for output in session.outputs:
            report.sdist(Path(output), written=False)
        return 0
    with session:
        settings, sdist = _sdist(args, report)
    print(sdist)
    session.record(
        _tree_states(settings), None, {}, None, None, f"{sdist} is up to date",
        outputs=[sdist], keep=True,
    )  # fmt: skip
    return 0


def _sdist(args: argparse.Namespace, report: BuildReport) -> tuple[Settings, Path]:
    from ferrule.config import CliOptions, load_settings

    cli = CliOptions(manifest_path=args.manifest_path, strict=args.strict)
    with report.phase("settings"):
        settings = load_settings(Path.cwd(), cli)
    report.warnings(settings.warnings)
    from ferrule.sdist.crates import start_cargo

    start_cargo(settings)  # cargo answers on other cores while the sdist's modules load
    from ferrule.sdist import write_sdist
    from ferrule.target_dir import default_out_dir

    out = args.out.resolve() if args.out else default_out_dir(settings)
    with report.phase("sdist"):
        sdist = write_sdist(settings, out, vendor=args.vendor)
    report.sdist(sdist)
    return settings, sdist


_NOT_SOURCES = frozenset({"target", ".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules"})


def _tree_states(settings: Settings) -> list[Path]:
    """What the sdist's file list depends on beyond the files ferrule read itself.

    cargo lists each crate's files in a subprocess, unseen by the recorder: every
    directory of the project and of its local crates is recorded (an added or
    removed file changes its directory's mtime), with git's index and the files
    whose appearance would change the project's shape.
    """
    from ferrule.develop.replay import shape_probes

    manifest = settings.cargo.manifest_path
    roots = {settings.project_dir, manifest.parent, settings.workspace_dir}
    roots |= {c.directory for c in settings.path_dependencies}
    out: list[Path] = shape_probes(settings)
    for root in sorted(roots):
        for dirpath, dirnames, _files in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _NOT_SOURCES)
            out.append(Path(dirpath))
        for directory in (root, *root.parents):
            out.append(directory / ".git" / "index")
    return out
