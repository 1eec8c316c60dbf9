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
        "--generate-stubs",
        action="store_true",
        help="write .pyi stubs from the built module first (as `ferrule stubs`); the wheel ships them",
    )
    add_build_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.builder import build_wheels, default_out_dir
    from ferrule.config import load_settings

    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "dev"))
    out = args.out.resolve() if args.out else default_out_dir(settings)
    targets = interpreters(args, settings.environ)
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, targets[0])
    for wheel in build_wheels(settings, targets, out):
        print(wheel.path)
    return 0
