"""``ferrule pep517 …``: maturin's hidden PEP 517 helper commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ferrule.commands._options import (
    add_build_options,
    add_strip_value_option,
    cli_options,
    interpreters,
)


def _build_wheel_options(parser: argparse.ArgumentParser) -> None:
    add_build_options(parser)
    add_strip_value_option(parser)


def register(sub: Any) -> None:
    p = sub.add_parser("pep517", help="PEP 517 helpers (as maturin's)")
    p_sub = p.add_subparsers(dest="pep517_command", metavar="SUBCOMMAND")
    p_sub.required = True
    wdi = p_sub.add_parser("write-dist-info", help="write the .dist-info directory")
    wdi.add_argument("--metadata-directory", type=Path, required=True)
    _build_wheel_options(wdi)
    bw = p_sub.add_parser("build-wheel", help="build a release wheel, print its path")
    _build_wheel_options(bw)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.build.run import build_wheels
    from ferrule.config import load_settings
    from ferrule.metadata.dist_info import write_dist_info
    from ferrule.target_dir import default_out_dir

    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "release"))
    # As maturin's: the result is the last line on stdout.
    if args.pep517_command == "write-dist-info":
        print(write_dist_info(settings, args.metadata_directory))
        return 0
    out = args.out.resolve() if args.out else default_out_dir(settings)
    targets = interpreters(args, settings)[:1]
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, targets[0])
    built = build_wheels(settings, targets, out)
    print(built[0].path)
    return 0
