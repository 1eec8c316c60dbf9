"""``ferrule cache-keys``: uv's ``[tool.uv] cache-keys`` for the project (a ferrule extension).

Printed as TOML to paste into pyproject.toml, or, with ``--write``, put there
(see :mod:`ferrule.uv_cache_keys` for what the keys cover and which entries are kept).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ferrule.commands._options import add_strict_option


def register(sub: Any) -> None:
    p = sub.add_parser(
        "cache-keys",
        help="print (or --write) uv's [tool.uv] cache-keys for the Rust sources (a ferrule extension)",
    )
    p.add_argument("-m", "--manifest-path", type=Path, help="path to Cargo.toml")
    p.add_argument(
        "--write",
        action="store_true",
        help="put them into pyproject.toml (replacing ferrule's older entries, keeping yours)",
    )
    add_strict_option(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule import _log, uv_cache_keys
    from ferrule.config import CliOptions, load_settings

    settings = load_settings(
        Path.cwd(), CliOptions(manifest_path=args.manifest_path, strict=args.strict)
    )
    if args.write:
        entries = uv_cache_keys.write_cache_keys(settings)
        _log.info(f"{settings.pyproject_path}: tool.uv.cache-keys has {len(entries)} entries")
        return 0
    print(
        uv_cache_keys.render({"file": name} for name in uv_cache_keys.cache_key_files(settings)),
        end="",
    )
    return 0
