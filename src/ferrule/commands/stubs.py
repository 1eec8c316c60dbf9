"""``ferrule stubs``: write ``.pyi`` type stubs for the extension module (``--check`` for CI)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ferrule.commands._options import (
    add_cargo_options,
    add_interpreter_options,
    cli_options,
    interpreters,
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stubs",
        aliases=["generate-stubs"],
        help="write .pyi type stubs for the extension module",
        description=(
            "Build the extension, import it and write .pyi stubs where the wheel ships them "
            "from (the stub package <module>-stubs/ for a pure-Rust project, next to the "
            "extension in a mixed one), one file per module as maturin lays them out. "
            "Stub files that ferrule did not generate are never replaced without --force."
        ),
    )
    # As maturin's generate-stubs: -i accumulates; the first interpreter is used.
    add_interpreter_options(p)
    p.add_argument("-o", "--out", type=Path, help="write a stub tree into this directory instead")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if the stubs on disk are not up to date",
    )
    p.add_argument(
        "--force", action="store_true", help="replace stub files that ferrule did not generate"
    )
    p.add_argument("-r", "--release", action="store_true", help="build in release mode")
    add_cargo_options(p)


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule import _log
    from ferrule.config import load_settings
    from ferrule.layout import determine_layout
    from ferrule.stubs import build_extension, check_stubs, generate_stubs

    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "dev"))
    interpreter = interpreters(args, settings)[0]
    layout = determine_layout(settings)
    extension = build_extension(settings, interpreter)
    out = args.out.resolve() if args.out else None
    if args.check:
        drift = check_stubs(settings, layout, extension, interpreter, out_dir=out)
        if drift:
            print("".join(drift), end="")
            _log.error(
                f"the stubs are not up to date ({len(drift)} file(s) differ); "
                "run `ferrule stubs` and commit the result"
            )
            return 1
        _log.info("the stubs are up to date")
        return 0
    for path in generate_stubs(
        settings, layout, extension, interpreter, force=args.force, out_dir=out
    ):
        print(path)
    return 0
