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

__all__ = [
    "add_build_options",
    "add_cargo_options",
    "add_compression_options",
    "add_interpreter_options",
    "add_pgo_option",
    "add_strict_option",
    "add_strip_value_option",
    "cli_options",
    "interpreters",
    "refuse_unsupported",
    "without_verbosity",
]


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
    g.add_argument(
        "--ignore-rust-version",
        action="store_true",
        help="ignore `rust-version` specification in packages",
    )
    g.add_argument("--color", choices=("auto", "always", "never"), metavar="WHEN")
    g.add_argument("--timings", action="store_true", help="output a build timing report at the end")
    g.add_argument(
        "--future-incompat-report",
        action="store_true",
        help="output a future incompatibility report at the end of the build",
    )


def add_interpreter_options(p: argparse.ArgumentParser) -> None:
    """``-i`` / ``-f`` / ``-b``: maturin's PythonOptions (build_options.rs).

    ``-i`` accumulates as clap's ``num_args = 0.., action = Append`` does:
    ``-i a b``, ``-i a -i b`` and any mix give ``[a, b]``.
    """
    p.add_argument(
        "-i",
        "--interpreter",
        nargs="*",
        action="extend",
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
    p.add_argument("-b", "--bindings", choices=("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin"))


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options of ``build`` that ``pep517`` and ``publish`` share (no -r/--strip)."""
    add_interpreter_options(p)
    p.add_argument("-o", "--out", type=Path, help="output directory (default <target-dir>/wheels)")
    p.add_argument(
        "--compatibility",
        "--manylinux",
        nargs="*",
        action="extend",
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
        "--zig",
        action="store_true",
        help="link with zig (pip install ferrule[zig]) for manylinux2014 (or --compatibility)",
    )
    p.add_argument(
        "--include-debuginfo",
        action="store_true",
        help="ship the split debug info cargo makes (.dwp, with -C split-debuginfo=packed) "
        "next to the library; off with --strip",
    )
    p.add_argument(
        "--sbom-include",
        nargs="+",
        action="extend",
        default=[],
        type=Path,
        metavar="FILE",
        help="SBOM files to ship in <dist-info>/sboms/ (after [tool.maturin.sbom] include)",
    )
    add_pgo_option(p)
    add_compression_options(p)
    add_strict_option(p)
    p.add_argument(
        "--generate-stubs",
        action="store_true",
        help="write .pyi stubs from the built module first (as `ferrule stubs`); the wheel ships them",
    )
    add_cargo_options(p)


def add_strip_value_option(p: argparse.ArgumentParser) -> None:
    """maturin's ``--strip [true|false]`` (commands/mod.rs: ``num_args = 0..=1``)."""
    p.add_argument(
        "--strip",
        nargs="?",
        const=True,
        default=False,
        type=_bool_value,
        metavar="true|false",
        help="strip the library (--strip alone means true)",
    )


def _bool_value(text: str) -> bool:
    """clap's bool parser: ``true`` or ``false``.

    >>> _bool_value("true"), _bool_value("false")
    (True, False)
    """
    if text not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"invalid value {text!r} (possible values: true, false)")
    return text == "true"


def add_pgo_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pgo",
        action="store_true",
        help="profile-guided optimization (env MATURIN_PGO; not supported by ferrule yet)",
    )


def add_strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help="turn every configuration warning into an error (env FERRULE_STRICT=1)",
    )


def add_compression_options(p: argparse.ArgumentParser) -> None:
    """maturin's CompressionOptions (compression.rs)."""
    g = p.add_argument_group("wheel compression")
    g.add_argument(
        "--compression-method",
        choices=("deflated", "stored", "bzip2", "zstd"),
        default="deflated",
        help="zip compression method (default deflated; zstd needs Python 3.14's zipfile)",
    )
    g.add_argument(
        "--compression-level",
        type=int,
        help="compression level (default: the method's: deflated 6, bzip2 6, zstd 3)",
    )
    g.add_argument(
        "--compression-enable-large-file-support",
        action="store_true",
        help="write every member with zip64 extensions",
    )


def cli_options(
    args: argparse.Namespace, rustc_args: Sequence[str], default_profile: str
) -> CliOptions:
    """The parsed command line as :class:`~ferrule.config.CliOptions`."""
    from ferrule.config import CliOptions

    refuse_unsupported(args)
    rustc = list(rustc_args)
    method = getattr(args, "compression_method", "deflated")
    level = getattr(args, "compression_level", None)
    if method != "deflated" or level is not None:
        from ferrule.wheel.writer import zip_compression

        zip_compression(method, level)  # a clear error now, before cargo runs
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
        strip=bool(getattr(args, "strip", False)),
        verbose=getattr(args, "verbose", 0) or 0,
        color=getattr(args, "color", None),
        timings=getattr(args, "timings", False),
        ignore_rust_version=getattr(args, "ignore_rust_version", False),
        future_incompat_report=getattr(args, "future_incompat_report", False),
        compression_method=method,
        compression_level=level,
        compression_large_file=getattr(args, "compression_enable_large_file_support", False),
        sbom_include=tuple(getattr(args, "sbom_include", None) or ()),
        include_debuginfo=getattr(args, "include_debuginfo", False),
        strict=getattr(args, "strict", False),
    )


_FALSEY = ("", "0", "false", "no", "off", "n", "f")  # clap's FalseyValueParser


def refuse_unsupported(args: argparse.Namespace) -> None:
    """maturin options that ferrule accepts but cannot honour yet: one clear error.

    ``--pgo`` (or ``MATURIN_PGO``) first names what is missing for it on this
    machine (an ``llvm-profdata`` of rustc's LLVM), then that ferrule lacks it.
    """
    from ferrule.errors import FerruleError

    if not hasattr(args, "pgo"):
        return  # a command without --pgo (generate-stubs) ignores MATURIN_PGO, as maturin's
    from_env = os.environ.get("MATURIN_PGO", "").strip().lower() not in _FALSEY
    if args.pgo or from_env:
        from ferrule.pgo import find_llvm_profdata

        tool = find_llvm_profdata(os.environ)
        flag = "--pgo" if args.pgo else "--pgo (from MATURIN_PGO)"
        raise FerruleError(f"ferrule does not support {flag} yet (found {tool})")


def without_verbosity(argv: Sequence[str]) -> tuple[str, ...]:
    """cargo's argv without ``-v``/``-vv`` (before ``--``), as a replay records it.

    Verbosity is not part of the replay key, so a later quiet run replays a
    verbose one (and the other way round) with cargo as quiet as it was asked.

    >>> without_verbosity(["cargo", "rustc", "-vv", "--lib", "--", "-v"])
    ('cargo', 'rustc', '--lib', '--', '-v')
    """
    argv = list(argv)
    split = argv.index("--") if "--" in argv else len(argv)
    head = [a for a in argv[:split] if not (a.startswith("-v") and set(a[1:]) == {"v"})]
    return (*head, *argv[split:])


def interpreters(args: argparse.Namespace, settings: Settings) -> list[Interpreter]:
    """``-i`` resolved, ``-f`` discovery, or the default interpreter (see select_interpreters)."""
    from ferrule.interpreter import select_interpreters

    chosen = select_interpreters(
        settings,
        list(getattr(args, "interpreter", None) or []),
        getattr(args, "find_interpreter", False),
    )
    # The same interpreter named twice (-i python3 -i python3) is built for once:
    # maturin builds it twice and writes the same wheel twice (docs/compat.md).
    return list(dict.fromkeys(chosen))
