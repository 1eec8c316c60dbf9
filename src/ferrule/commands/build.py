"""``ferrule build``: build wheels."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.commands._options import (
    add_build_options,
    add_report_options,
    add_strip_value_option,
    cli_options,
    interpreters,
    pgo_requested,
    without_verbosity,
)
from ferrule.commands._report import REPORT_OPTIONS, reporting

if TYPE_CHECKING:
    from ferrule.build.report import BuildReport
    from ferrule.build.run import BuiltWheel
    from ferrule.config.model import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("build", aliases=["b"], help="build wheels")
    p.add_argument("-r", "--release", action="store_true", help="build in release mode")
    add_strip_value_option(p)
    p.add_argument(
        "--sdist",
        action="store_true",
        help="build a source distribution first, then the wheels from it (unpacked elsewhere)",
    )
    add_build_options(p)
    add_report_options(p)


_VERBOSITY = ("verbose", "command_verbose", *REPORT_OPTIONS)


def _command_key(args: argparse.Namespace, rustc_args: Sequence[str]) -> list[str]:
    import json

    options = {k: v for k, v in vars(args).items() if not k.startswith("_") and k not in _VERBOSITY}
    return ["build", json.dumps(options, sort_keys=True, default=str), *rustc_args]


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    with reporting(args, "build") as report:
        return _run(args, rustc_args, report)


def _run(args: argparse.Namespace, rustc_args: list[str], report: BuildReport) -> int:
    import os

    from ferrule.develop import replay

    # A repeated build of an unchanged project is replayed: cargo's own check
    # only, without loading the project (see ferrule.develop.replay).
    # A --pgo build makes a new profile each time: nothing to replay.
    replayable = not (args.sdist or args.generate_stubs or pgo_requested(args))
    session = replay.Session("build", _command_key(args, rustc_args), dict(os.environ), replayable)
    if session.replayed():
        report.fast_path = "replay"
        for output in session.outputs:
            report.wheel(Path(output), written=False)
        return 0
    with session:
        settings, wheels = _build(args, rustc_args, report)
    for wheel in wheels:
        print(wheel.path)
    if replayable and len(wheels) == 1 and wheels[0].cargo and wheels[0].cargo.invocation:
        (wheel,) = wheels
        cargo = wheel.cargo
        assert cargo is not None and cargo.invocation is not None
        interp = [wheel.interpreter.executable] if wheel.interpreter else []
        session.record(
            [*replay.shape_probes(settings), *interp, *(os.path.realpath(p) for p in interp)],
            without_verbosity(cargo.invocation.argv),
            cargo.invocation.env,
            cargo.artifacts[0].path,
            None,
            f"{wheel.path} is up to date",
            outputs=[wheel.path],
        )
    elif replayable:
        session.forget()
    return 0


def _build(
    args: argparse.Namespace, rustc_args: list[str], report: BuildReport
) -> tuple[Settings, list[BuiltWheel]]:
    from ferrule.config import load_settings

    cli = cli_options(args, rustc_args, "dev")
    with report.phase("settings"):
        settings = load_settings(Path.cwd(), cli)
    report.warnings(settings.warnings)
    # cargo reads the crate, and the interpreters are asked about themselves, on other
    # cores while the build's modules are imported.
    if not args.sdist:
        from ferrule.cargo.metadata import start_metadata

        start_metadata(settings)
    from ferrule.interpreter import start_probes

    start_probes(settings, args.interpreter or [], args.find_interpreter)

    from ferrule.build.run import build_wheels
    from ferrule.target_dir import default_out_dir
    from ferrule.wheel.stamp import WheelStamp

    out = args.out.resolve() if args.out else default_out_dir(settings)
    with report.phase("interpreters"):
        targets = interpreters(args, settings)
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, targets[0])
    if args.sdist:
        from ferrule.sdist import build_wheels_from_sdist, write_sdist

        with report.phase("sdist"):
            sdist = write_sdist(settings, out)
        report.sdist(sdist)
        print(sdist)
        target_dir = default_out_dir(settings).parent
        with report.phase("wheels-from-sdist"):
            wheels = build_wheels_from_sdist(sdist, cli, targets, out, target_dir)
        from ferrule.build.run import report_cargo_runs

        for wheel in wheels:
            report.wheel(wheel.path)
            report.interpreter(wheel.interpreter)
            report_cargo_runs(report, wheel.runs, settings.cargo.name)
        return settings, wheels
    # reuse: a wheel that would be written again byte for byte is left alone (issue 7).
    return settings, build_wheels(settings, targets, out, stamps=WheelStamp, report=report)
