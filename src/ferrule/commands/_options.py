"""Options shared by several commands (maturin's flag names) and their conversion."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferrule.config import CliOptions
    from ferrule.config.model import Settings
    from ferrule.interpreter import Interpreter

__all__ = ["add_build_options", "add_cargo_options", "cli_options", "interpreters"]


def add_cargo_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("cargo options")
    g.add_argument("-m", "--manifest-path", type=Path, help="path to Cargo.toml")
    g.add_argument("--profile", help="cargo profile to build with")
    g.add_argument(
        "-F", "--features", action="append", default=[], help="space or comma separated features"
    )
    g.add_argument("--all-features", action="store_true")
    g.add_argument("--no-default-features", action="store_true")
    g.add_argument("--target", default=None, help="rust target triple (env CARGO_BUILD_TARGET)")
    g.add_argument("--target-dir", type=Path)
    g.add_argument("--locked", action="store_true")
    g.add_argument("--frozen", action="store_true")
    g.add_argument("--offline", action="store_true")
    g.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    g.add_argument("-Z", dest="unstable_flags", action="append", default=[], metavar="FLAG")
    g.add_argument("-j", "--jobs", type=int)
    g.add_argument("-q", "--quiet", action="store_true")


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options of ``build`` that ``pep517`` and ``publish`` share (no -r/--strip)."""
    p.add_argument(
        "-i",
        "--interpreter",
        nargs="+",
        default=[],
        metavar="PYTHON",
        help="python interpreters to build for: paths, names or versions (3.12, 3.13t, pypy3.9)",
    )
    p.add_argument(
        "-f",
        "--find-interpreter",
        action="store_true",
        help="build for every python on PATH that the project supports",
    )
    p.add_argument("-o", "--out", type=Path, help="output directory (default <target-dir>/wheels)")
    p.add_argument("-b", "--bindings", choices=("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin"))
    p.add_argument(
        "--compatibility",
        "--manylinux",
        nargs="+",
        default=[],
        metavar="TAG",
        help="platform tag policy: manylinux2014, manylinux_X_Y, musllinux_X_Y, linux (off), "
        "or pypi (default: the oldest manylinux policy the extension satisfies)",
    )
    p.add_argument(
        "--auditwheel",
        choices=("repair", "check", "warn", "skip"),
        help="what to do with external shared libraries (default: repair)",
    )
    p.add_argument("--skip-auditwheel", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--strict", action="store_true", help="configuration warnings are errors (FERRULE_STRICT=1)"
    )
    p.add_argument(
        "--zig",
        action="store_true",
        help="link with zig (pip install ferrule[zig]) for manylinux2014 (or --compatibility)",
    )
    add_cargo_options(p)


def cli_options(
    args: argparse.Namespace, rustc_args: Sequence[str], default_profile: str
) -> CliOptions:
    """The parsed command line as :class:`~ferrule.config.CliOptions`."""
    from ferrule.config import CliOptions

    rustc = list(rustc_args)
    return CliOptions(
        manifest_path=args.manifest_path,
        release=getattr(args, "release", False),
        profile=args.profile,
        default_profile=default_profile,
        features=tuple(args.features),
        all_features=args.all_features,
        no_default_features=args.no_default_features,
        locked=args.locked,
        frozen=args.frozen,
        offline=args.offline,
        target=args.target or os.environ.get("CARGO_BUILD_TARGET"),
        target_dir=args.target_dir,
        config=tuple(args.config),
        unstable_flags=tuple(args.unstable_flags),
        rustc_args=tuple(rustc),
        jobs=args.jobs,
        quiet=args.quiet,
        bindings=getattr(args, "bindings", None),
        compatibility=tuple(getattr(args, "compatibility", None) or ()),
        auditwheel=getattr(args, "auditwheel", None),
        skip_auditwheel=getattr(args, "skip_auditwheel", False),
        zig=getattr(args, "zig", False),
        strip=getattr(args, "strip", False),
        strict=getattr(args, "strict", False),
    )


def interpreters(args: argparse.Namespace, settings: Settings) -> list[Interpreter]:
    """``-i`` resolved, ``-f`` discovery, or the default interpreter (see select_interpreters)."""
    from ferrule.interpreter import select_interpreters

    return select_interpreters(
        settings,
        list(getattr(args, "interpreter", None) or []),
        getattr(args, "find_interpreter", False),
    )
