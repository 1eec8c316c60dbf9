"""``ferrule list-python``: the interpreters ``-f`` would find (listed on stderr, as maturin)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("list-python", help="list the python interpreters -f would find")
    p.add_argument("--target", help="rust target triple (accepted for maturin compatibility)")


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.interpreter import discover

    found = discover(dict(os.environ))
    print(
        f"{len(found)} python interpreter{'s' if len(found) != 1 else ''} found:", file=sys.stderr
    )
    for interp in found:
        print(f" - {interp.describe()}", file=sys.stderr)
    return 0
