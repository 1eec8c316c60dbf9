"""``ferrule build``: build wheels."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ferrule.commands._options import add_build_options, cli_options, interpreters


def register(sub: Any) -> None:
    p = sub.add_parser("build", aliases=["b"], help="build wheels")
    p.add_argument("-r", "--release", action="store_true", help="build in release mode")
    p.add_argument("--strip", action="store_true", help="strip the library")
    p.add_argument(
        "--sdist",
        action="store_true",
        help="build a source distribution first, then the wheels from it (unpacked elsewhere)",
    )
    p.add_argument(
        "--generate-stubs",
        action="store_true",
        help="write .pyi stubs from the built module first (as `ferrule stubs`); the wheel ships them",
    )
    add_build_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.builder import build_wheels, default_out_dir
    from ferrule.config import load_settings

    cli = cli_options(args, rustc_args, "dev")
    settings = load_settings(Path.cwd(), cli)
    out = args.out.resolve() if args.out else default_out_dir(settings)
    targets = interpreters(args, settings)
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, targets[0])
    if args.sdist:
        from ferrule.sdist import build_wheels_from_sdist, write_sdist

        sdist = write_sdist(settings, out)
        print(sdist)
        target_dir = default_out_dir(settings).parent
        wheels = build_wheels_from_sdist(sdist, cli, targets, out, target_dir)
    else:
        # reuse: a wheel that would be written again byte for byte is left alone (issue 7).
        wheels = build_wheels(settings, targets, out, reuse=True)
    for wheel in wheels:
        print(wheel.path)
    return 0
