"""The ``ferrule`` command line: maturin's command and flag names.

Only argument parsing lives here; each command imports its implementation
lazily so that ``ferrule --version`` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule import __version__

if TYPE_CHECKING:
    from ferrule.config import CliOptions

__all__ = ["build_parser", "cli_options", "main"]


def _add_cargo_options(p: argparse.ArgumentParser) -> None:
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


def _add_build_options(p: argparse.ArgumentParser) -> None:
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
    _add_cargo_options(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ferrule", description="Build and publish Rust crates as Python packages."
    )
    parser.add_argument("-V", "--version", action="version", version=f"ferrule {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more output (-v shows tracebacks)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    build = sub.add_parser("build", aliases=["b"], help="build wheels")
    build.add_argument("-r", "--release", action="store_true", help="build in release mode")
    build.add_argument("--strip", action="store_true", help="strip the library")
    _add_build_options(build)

    pep517 = sub.add_parser("pep517", help="PEP 517 helpers (as maturin's)")
    p_sub = pep517.add_subparsers(dest="pep517_command", metavar="SUBCOMMAND")
    p_sub.required = True
    wdi = p_sub.add_parser("write-dist-info", help="write the .dist-info directory")
    wdi.add_argument("--metadata-directory", type=Path, required=True)
    _add_build_options(wdi)
    bw = p_sub.add_parser("build-wheel", help="build a release wheel, print its path")
    _add_build_options(bw)
    bw.add_argument("--strip", action="store_true")
    return parser


def _split_rustc_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Everything after the first ``--`` goes to rustc.

    >>> _split_rustc_args(["build", "--", "-C", "opt-level=1"])
    (['build'], ['-C', 'opt-level=1'])
    """
    argv = list(argv)
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def cli_options(
    args: argparse.Namespace, rustc_args: Sequence[str], default_profile: str
) -> CliOptions:
    from ferrule.config import CliOptions

    if args.compatibility and set(args.compatibility) - {"linux", "off"}:
        from ferrule.errors import FerruleError

        raise FerruleError(
            f"--compatibility {' '.join(args.compatibility)}: this version of ferrule tags "
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
        bindings=args.bindings,
    )


def _interpreters(args: argparse.Namespace, environ: Any) -> list[Any]:
    from ferrule.interpreter import default_interpreter, resolve_interpreter

    if args.interpreter:
        return [resolve_interpreter(spec, environ) for spec in args.interpreter]
    return [default_interpreter(environ)]


def _cmd_build(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.builder import build_wheels, default_out_dir
    from ferrule.config import load_settings

    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "dev"))
    out = args.out.resolve() if args.out else default_out_dir(settings)
    built = build_wheels(settings, _interpreters(args, settings.environ), out)
    for wheel in built:
        print(wheel.path)
    return 0


def _cmd_pep517(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.builder import build_wheels, default_out_dir, write_dist_info
    from ferrule.config import load_settings

    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "release"))
    if args.pep517_command == "write-dist-info":
        print(write_dist_info(settings, args.metadata_directory))
        return 0
    out = args.out.resolve() if args.out else default_out_dir(settings)
    built = build_wheels(settings, _interpreters(args, settings.environ)[:1], out)
    print(built[0].path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from ferrule import _log

    ours, rustc_args = _split_rustc_args(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(ours)
    _log.set_verbosity(args.verbose)
    from ferrule.errors import FerruleError

    try:
        if args.command in ("build", "b"):
            return _cmd_build(args, rustc_args)
        if args.command == "pep517":
            return _cmd_pep517(args, rustc_args)
        parser.error(f"unknown command {args.command}")  # argparse exits
    except FerruleError as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        _log.error(str(exc))
        return 1
    except KeyboardInterrupt:
        _log.error("interrupted")
        return 130
