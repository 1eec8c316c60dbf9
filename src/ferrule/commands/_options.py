"""Options shared by several commands (maturin's flag names) and their conversion."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferrule.config import CliOptions
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
        "-i", "--interpreter", nargs="+", default=[], help="python interpreters to build for"
    )
    p.add_argument("-o", "--out", type=Path, help="output directory (default <target-dir>/wheels)")
    p.add_argument("-b", "--bindings", choices=("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin"))
    p.add_argument(
        "--compatibility",
        "--manylinux",
        nargs="+",
        default=[],
        help="platform tag policy; only 'linux' (the interpreter's own tag) for now",
    )
    p.add_argument("--auditwheel", choices=("repair", "check", "warn", "skip"))
    add_cargo_options(p)


def cli_options(
    args: argparse.Namespace, rustc_args: Sequence[str], default_profile: str
) -> CliOptions:
    """The parsed command line as :class:`~ferrule.config.CliOptions`."""
    from ferrule.config import CliOptions

    compatibility = getattr(args, "compatibility", [])
    if compatibility and set(compatibility) - {"linux", "off"}:
        from ferrule.errors import FerruleError

        raise FerruleError(
            f"--compatibility {' '.join(compatibility)}: this version of ferrule tags "
            "wheels with the interpreter's own platform only (--compatibility linux); "
            "manylinux audit is not implemented yet"
        )
    rustc = list(rustc_args)
    if getattr(args, "strip", False):
        rustc += ["-C", "strip=symbols"]
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
    )


def interpreters(args: argparse.Namespace, environ: Mapping[str, str]) -> list[Interpreter]:
    """``-i`` resolved, or the default interpreter."""
    from ferrule.interpreter import default_interpreter, resolve_interpreter

    if getattr(args, "interpreter", None):
        return [resolve_interpreter(spec, environ) for spec in args.interpreter]
    return [default_interpreter(environ)]
