"""``ferrule init [PATH]``: create a project in an existing (or new) directory."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ferrule.commands.new import add_project_options, create


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create a new project in an existing directory")
    p.add_argument(
        "path", type=Path, nargs="?", default=Path(), help="directory (default: the current one)"
    )
    add_project_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    return create(args, args.path, new=False)
