"""``ferrule publish``: build the sdist and release wheels, then upload them (as maturin's)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ferrule.commands._options import add_build_options, cli_options, interpreters
from ferrule.commands.upload import _summary, add_upload_options, upload_options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "publish", help="build the sdist and release wheels, then upload them to an index"
    )
    p.add_argument("--debug", action="store_true", help="build in debug mode (default release)")
    p.add_argument("--no-strip", action="store_true", help="do not strip the library")
    p.add_argument("--no-sdist", action="store_true", help="build and upload no sdist")
    add_build_options(p)
    add_upload_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.config import load_settings
    from ferrule.errors import FerruleError
    from ferrule.publish.artifact import check_artifacts, problems_for_pypi
    from ferrule.publish.dists import build_distributions
    from ferrule.publish.environ import without_secrets
    from ferrule.publish.target import resolve_target
    from ferrule.publish.upload import upload_artifacts
    from ferrule.target_dir import default_out_dir

    # maturin's publish defaults: release and strip, unless --debug / --no-strip.
    args.release = False
    args.strip = not args.no_strip
    environ = dict(os.environ)
    cli = cli_options(args, rustc_args, "dev" if args.debug else "release")
    # cargo and every build script it runs never see the upload password or token.
    settings = load_settings(Path.cwd(), cli, without_secrets(environ))
    # Where and as whom first, so a missing password or a prompt comes before the build.
    target = resolve_target(upload_options(args), environ, stdin_is_terminal=sys.stdin.isatty())
    out = args.out.resolve() if args.out else default_out_dir(settings)
    targets = interpreters(args, settings)
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, targets[0])
    files = build_distributions(settings, cli, targets, out, sdist=not args.no_sdist)
    artifacts = check_artifacts(files)
    refused = problems_for_pypi(artifacts, target.repository.host)
    if refused:
        raise FerruleError(
            "built, but nothing was uploaded:\n" + "\n".join(f"  {p}" for p in refused)
        )
    report = upload_artifacts(artifacts, target, environ)
    _summary(report.uploaded, report.skipped)
    return 0
