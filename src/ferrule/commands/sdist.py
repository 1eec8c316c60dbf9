"""``ferrule sdist``: build a source distribution."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("sdist", help="build a source distribution")
    p.add_argument("-m", "--manifest-path", type=Path, help="path to Cargo.toml")
    p.add_argument("-o", "--out", type=Path, help="output directory (default <target-dir>/wheels)")


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.builder import default_out_dir
    from ferrule.config import CliOptions, load_settings
    from ferrule.sdist import write_sdist

    settings = load_settings(Path.cwd(), CliOptions(manifest_path=args.manifest_path))
    out = args.out.resolve() if args.out else default_out_dir(settings)
    print(write_sdist(settings, out))
    return 0
