"""The build arguments: found, read without argparse, and turned into ``CliOptions``.

The PEP 517 hooks take their options as text (``config_settings["build-args"]``,
``MATURIN_PEP517_ARGS``) and must not import argparse or the CLI: frontends start
a process per hook call, and the backend sits below the CLI (docs/architecture.md).
The options of ``ferrule pep517 build-wheel`` are rows of
:mod:`ferrule.build_options`; the CLI makes its argparse arguments from the same
rows (:mod:`ferrule.commands._options`) and :func:`parse` reads them as clap reads
maturin's: repeated options accumulate where maturin's do (``-i a -i b``,
``-i a b``, ``--compatibility`` and its alias ``--manylinux``), ``--name=value``
and ``-xVALUE`` spellings, the last value wins for single-valued options.

:func:`cli_options` turns parsed options (from here or from argparse) into
:class:`~ferrule.config.CliOptions`; :func:`replay_args` writes them back for the
import hook's rebuilds.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from ferrule.build_options import OPTIONS, bool_value

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Union

    from ferrule.build_options import Option
    from ferrule.config import CliOptions

    ConfigSettings = Union[Mapping[str, Union[str, list[str]]], None]

__all__ = [
    "cli_options",
    "find_build_args",
    "hook_options",
    "parse",
    "pgo_requested",
    "replay_args",
    "split_rustc_args",
]


def split_rustc_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Everything after the first ``--`` goes to rustc.

    >>> split_rustc_args(["build", "--", "-C", "opt-level=1"])
    (['build'], ['-C', 'opt-level=1'])
    """
    argv = list(argv)
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def find_build_args(
    config_settings: ConfigSettings, environ: Mapping[str, str]
) -> tuple[list[str], str]:
    """The hooks' build arguments and where they come from, as maturin finds them.

    ``config_settings`` keys ``build-args``, ``ferrule.build-args`` and
    ``maturin.build-args`` (a string split as a shell does, or a list), else the
    environment's ``FERRULE_PEP517_ARGS`` / ``MATURIN_PEP517_ARGS``.

    >>> find_build_args({"build-args": "-F a --zig"}, {})
    (['-F', 'a', '--zig'], 'build-args')
    >>> find_build_args(None, {"MATURIN_PEP517_ARGS": "--strict"})
    (['--strict'], 'MATURIN_PEP517_ARGS')
    """
    for key in ("build-args", "ferrule.build-args", "maturin.build-args"):
        if config_settings and key in config_settings:
            value = config_settings[key]
            if isinstance(value, str):
                import shlex

                return shlex.split(value), key
            return list(value), key
    for var in ("FERRULE_PEP517_ARGS", "MATURIN_PEP517_ARGS"):
        if environ.get(var):
            import shlex

            return shlex.split(environ[var]), var
    return [], "build-args"


def _looks_like_option(arg: str) -> bool:
    """As argparse and clap: ``-x``/``--x`` is an option, ``-`` and ``-1`` are values."""
    return arg.startswith("-") and arg != "-" and not arg[1:2].isdigit()


def parse(
    argv: Sequence[str], source: str = "build-args", options: Sequence[Option] = OPTIONS
) -> SimpleNamespace:
    """``argv`` (without the rustc part) read against ``options``.

    >>> args = parse(["-i", "python3", "pypy3", "-i=3.12", "-Fa", "--features", "b",
    ...               "--compatibility", "pypi", "--manylinux", "2_28", "-vv", "--strip"])
    >>> args.interpreter, args.features, args.compatibility, args.verbose, args.strip
    (['python3', 'pypy3', '3.12'], ['a', 'b'], ['pypi', '2_28'], 2, True)
    >>> args = parse(["--strip", "false", "-j4", "--profile=dev", "-fq"])
    >>> args.strip, args.jobs, args.profile, args.find_interpreter, args.quiet
    (False, 4, 'dev', True, True)
    >>> parse(["--zig-zag"])
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: build-args: unknown option --zig-zag
    """
    from ferrule.errors import FerruleError

    by_name = {name: option for option in options for name in option.names}
    values = {option.dest: option.initial() for option in options}
    pending = list(argv)
    i = 0

    def refuse(message: str) -> FerruleError:
        return FerruleError(f"{source}: {message}")

    while i < len(pending):
        arg = pending[i]
        i += 1
        if not _looks_like_option(arg):
            raise refuse(f"unexpected argument {arg!r} (the hooks take options only)")
        if arg.startswith("--"):
            name, eq, attached = arg.partition("=")
            value: str | None = attached if eq else None
        else:
            name, rest = arg[:2], arg[2:]
            value = rest.removeprefix("=") if rest else None
        option = by_name.get(name)
        if option is None:
            raise refuse(f"unknown option {name}")
        kind = option.kind
        if kind in ("flag", "count") and value is not None:
            if arg.startswith("--"):
                raise refuse(f"{name} takes no value")
            # Short options together (-vv, -fq): the rest is read as the next option.
            pending.insert(i, "-" + arg[2:])
        if kind == "flag":
            values[option.dest] = True
            continue
        if kind == "count":
            values[option.dest] += 1
            continue
        if kind == "optional-bool":
            if value is None and i < len(pending) and not _looks_like_option(pending[i]):
                value, i = pending[i], i + 1
            values[option.dest] = True if value is None else _convert(option, name, value, refuse)
            continue
        taken: list[str] = [] if value is None else [value]
        if kind in ("many", "some"):
            while i < len(pending) and not _looks_like_option(pending[i]):
                taken.append(pending[i])
                i += 1
            if kind == "some" and not taken:
                raise refuse(f"{name} needs at least one value")
        elif value is None:
            if i >= len(pending) or _looks_like_option(pending[i]):
                raise refuse(f"{name} needs a value")
            taken, i = [pending[i]], i + 1
        converted = [_convert(option, name, text, refuse) for text in taken]
        if kind == "value":
            values[option.dest] = converted[0]
        else:
            values[option.dest] += converted
    return SimpleNamespace(**values)


def _convert(option: Option, name: str, text: str, refuse: Callable[[str], Exception]) -> Any:
    if option.choices is not None and text not in option.choices:
        raise refuse(
            f"{name}: invalid value {text!r} (possible values: {', '.join(option.choices)})"
        )
    if option.type is None:
        return text
    try:
        return option.type(text)
    except ValueError as exc:
        message = str(exc) if option.type is bool_value else f"invalid value {text!r}"
        raise refuse(f"{name}: {message}") from None


def hook_options(
    config_settings: ConfigSettings, environ: Mapping[str, str], default_profile: str
) -> tuple[CliOptions, SimpleNamespace]:
    """The hooks' build arguments as :class:`~ferrule.config.CliOptions` (and as parsed).

    As maturin's PEP 517 shim, frontends get the interpreter's own platform tag
    (``linux_x86_64``) unless the arguments ask for a compatibility
    (docs/platform-tags.md).
    """
    argv, source = find_build_args(config_settings, environ)
    ours, rustc_args = split_rustc_args(argv)
    args = parse(ours, source)
    if not args.compatibility:
        args.compatibility = ["off"]
    return cli_options(args, rustc_args, default_profile), args


def cli_options(args: Any, rustc_args: Sequence[str], default_profile: str) -> CliOptions:
    """Parsed options (argparse's or :func:`parse`'s) as :class:`~ferrule.config.CliOptions`."""
    from ferrule.config import CliOptions

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
        rustc_args=tuple(rustc_args),
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
        bundle_licenses=getattr(args, "bundle_licenses", False),
        allow_missing_license_files=getattr(args, "allow_missing_license_files", False),
        strict=getattr(args, "strict", False),
        pgo=pgo_requested(args),
    )


_FALSEY = ("", "0", "false", "no", "off", "n", "f")  # clap's FalseyValueParser


def pgo_requested(args: Any) -> bool:
    """``--pgo``, or ``MATURIN_PGO`` (clap's falsey values turn it off) on a command that
    takes ``--pgo`` (``generate-stubs`` ignores the variable, as maturin's)."""
    if not hasattr(args, "pgo"):
        return False
    return bool(args.pgo) or os.environ.get("MATURIN_PGO", "").strip().lower() not in _FALSEY


def replay_args(args: Any, rustc_args: Sequence[str], profile: str) -> list[str]:
    """The options that reproduce this build, for the import hook's rebuilds.

    Options that come from the configuration are left out, so that editing it
    takes effect; the profile is always given, so a release install stays one.
    """
    from pathlib import Path

    out = ["--profile", profile]
    if getattr(args, "bindings", None):
        out += ["--bindings", args.bindings]
    if args.manifest_path:
        out += ["--manifest-path", str(Path(args.manifest_path).resolve())]
    for feature in args.features:
        out += ["--features", feature]
    for flag in (
        "all_features",
        "no_default_features",
        "locked",
        "frozen",
        "offline",
        "quiet",
        "ignore_rust_version",
    ):
        if getattr(args, flag, False):
            out.append("--" + flag.replace("_", "-"))
    if args.target:
        out += ["--target", args.target]
    if args.target_dir:
        out += ["--target-dir", str(Path(args.target_dir).resolve())]
    for item in args.config:
        out += ["--config", item]
    for flag in args.unstable_flags:
        out += ["-Z", flag]
    if args.jobs:
        out += ["--jobs", str(args.jobs)]
    if getattr(args, "strip", False):
        out.append("--strip")
    if rustc_args:
        out += ["--", *rustc_args]
    return out
