"""``ferrule develop``: build the crate and install it, editable, into the active environment."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.buildargs import replay_args
from ferrule.commands._options import (
    add_cargo_options,
    add_compression_options,
    add_pgo_option,
    add_report_options,
    add_strict_option,
    cli_options,
    pgo_requested,
    without_verbosity,
)
from ferrule.commands._report import REPORT_OPTIONS, reporting

if TYPE_CHECKING:
    from ferrule.build.report import BuildReport

__all__ = ["register", "run"]


def _names(values: Sequence[str]) -> tuple[str, ...]:
    """``-E a,b -E c`` as ``('a', 'b', 'c')``.

    >>> _names(["a,b", "c"])
    ('a', 'b', 'c')
    """
    return tuple(v for value in values for v in re.split(r"[,\s]+", value) if v)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "develop",
        aliases=["dev"],
        help="build and install the package (editable) into the active environment",
        description="Build the crate and install it into VIRTUAL_ENV, CONDA_PREFIX or the "
        "nearest .venv, without pip. Does nothing (but run cargo) when nothing changed.",
    )
    p.add_argument(
        "-b",
        "--bindings",
        "--binding-crate",
        choices=("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin"),
    )
    p.add_argument("-r", "--release", action="store_true", help="build in release mode")
    p.add_argument("--strip", action="store_true", help="strip the library")
    p.add_argument(
        "-E", "--extras", action="append", default=[], help="install these extras' dependencies"
    )
    p.add_argument(
        "-G",
        "--group",
        action="append",
        default=[],
        help="install these dependency groups (PEP 735; default: 'dev' if it exists)",
    )
    p.add_argument(
        "--skip-install",
        action="store_true",
        help="only build the extension in place, next to the Python sources (mixed layouts)",
    )
    p.add_argument("--pip-path", type=Path, help="the pip to install dependencies with")
    p.add_argument("--uv", action="store_true", help="install dependencies with uv, not pip")
    p.add_argument(
        "--rebuild-on-import",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="install an import hook that rebuilds when the sources changed "
        "(default: the rebuild-on-import config key)",
    )
    p.add_argument("--from-import-hook", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--generate-stubs",
        action="store_true",
        help="write .pyi stubs from the built module first (as `ferrule stubs`)",
    )
    add_pgo_option(p)
    # Accepted as maturin's; ferrule installs without making a wheel, so they change nothing.
    add_compression_options(p)
    add_strict_option(p)
    add_cargo_options(p)
    add_report_options(p)


_VERBOSITY = ("verbose", "command_verbose", *REPORT_OPTIONS)


def _command_key(args: argparse.Namespace, rustc_args: Sequence[str]) -> list[str]:
    options = {k: v for k, v in vars(args).items() if not k.startswith("_") and k not in _VERBOSITY}
    return [json.dumps(options, sort_keys=True, default=str), *rustc_args]


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    with reporting(args, "develop") as report:
        return _run(args, rustc_args, report)


def _run(args: argparse.Namespace, rustc_args: list[str], report: BuildReport) -> int:
    import os

    from ferrule.develop import replay

    # The environment is read here, as a whole, for the replay key (see ferrule.develop.replay).
    pgo = pgo_requested(args)  # a profile-guided build is never replayed
    replayable = not (args.from_import_hook or args.skip_install or args.generate_stubs or pgo)
    session = replay.Session(
        "develop", _command_key(args, rustc_args), dict(os.environ), replayable
    )
    if session.replayed():
        report.fast_path = "replay"
        return 0

    from ferrule.cargo.metadata import start_metadata
    from ferrule.config import load_settings
    from ferrule.develop.editable import editable_profile

    with session:
        # --pgo implies release unless a profile is given, as maturin's develop.
        explicit = bool(args.release or args.profile or pgo)
        with report.phase("settings"):
            settings = load_settings(
                Path.cwd(), cli_options(args, rustc_args, "release" if pgo else "dev")
            )
        report.warnings(settings.warnings)
        # cargo reads the crate on another core while the build's modules are imported.
        start_metadata(settings)
        from ferrule.develop.run import DevelopRequest, develop

        profile = editable_profile(settings, explicit).cargo_options.profile or "dev"
        if args.generate_stubs:
            _generate_stubs(settings, explicit)
        request = DevelopRequest(
            extras=_names(args.extras),
            groups=_names(args.group),
            skip_install=args.skip_install,
            use_uv=args.uv,
            pip_path=args.pip_path,
            # A rebuild started by the import hook keeps the hook.
            rebuild_on_import=True if args.from_import_hook else args.rebuild_on_import,
            from_import_hook=args.from_import_hook,
            explicit_profile=explicit,
            replay=tuple(replay_args(args, rustc_args, profile)),
        )
        outcome = develop(settings, request, report)
    if outcome is None or outcome.cargo is None or outcome.artifact is None:
        session.forget()
    else:
        session.record(
            outcome.depends_on,
            without_verbosity(outcome.cargo.argv),
            outcome.cargo.env,
            outcome.artifact,
            outcome.stamp,
            outcome.message,
        )
    return 0


def _generate_stubs(settings: Any, explicit_profile: bool) -> None:
    """``develop --generate-stubs``: stubs from the module built for the target environment."""
    from ferrule.develop.editable import editable_profile
    from ferrule.develop.environment import target_environment
    from ferrule.stubs import generate_for_build

    settings = editable_profile(settings, explicit_profile)
    env = target_environment(settings.environ, Path.cwd())
    generate_for_build(settings, env.interpreter)
