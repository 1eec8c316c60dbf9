"""``ferrule generate-ci github``: write a GitHub Actions workflow for the project."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

# maturin's Platform values (ci/mod.rs), plus ferrule's own spelling "linux".
_PLATFORM_CHOICES = (
    "all",
    "linux",
    "manylinux",
    "musllinux",
    "windows",
    "macos",
    "emscripten",
    "android",
)
_UNSUPPORTED = ("emscripten", "android")
_DEPRECATED = "deprecated: use [tool.ferrule.generate-ci.github] in pyproject.toml"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "generate-ci",
        help="generate a CI workflow that builds and publishes wheels",
        description="Write a GitHub Actions workflow that builds wheels for Linux "
        "(manylinux, musllinux), Windows and macOS and an sdist with ferrule, and "
        "publishes them to PyPI on tags. Options come from "
        "[tool.ferrule.generate-ci.github] (or [tool.maturin.generate-ci.github]).",
    )
    p.add_argument("ci", choices=("github",), help="CI provider")
    p.add_argument("-m", "--manifest-path", type=Path, help="path to Cargo.toml")
    p.add_argument(
        "-o", "--output", default="-", help="file to write (default '-': standard output)"
    )
    p.add_argument(
        "--platform",
        dest="platforms",
        nargs="+",
        action="extend",
        default=[],
        choices=_PLATFORM_CHOICES,
        help=f"platforms to build for ({_DEPRECATED})",
    )
    p.add_argument("--pytest", action="store_true", help=f"run pytest ({_DEPRECATED})")
    p.add_argument("--zig", action="store_true", help=f"accepted, no effect ({_DEPRECATED})")
    p.add_argument(
        "--skip-attestation",
        action="store_true",
        help=f"skip artifact attestation ({_DEPRECATED})",
    )


def _platforms(values: list[str]) -> list[str] | None:
    from ferrule.ci.config import PLATFORMS

    if not values:
        return None
    unsupported = [v for v in values if v in _UNSUPPORTED]
    if unsupported:
        from ferrule.errors import FerruleError

        raise FerruleError(f"ferrule does not support --platform {unsupported[0]} yet")
    chosen: list[str] = []
    for value in values:
        names = PLATFORMS if value == "all" else ("linux" if value == "manylinux" else value,)
        chosen += [n for n in names if n not in chosen]
    return chosen


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    import dataclasses
    import shlex

    from ferrule import _log
    from ferrule.bindings.detect import detect_bindings
    from ferrule.cargo.metadata import read_metadata
    from ferrule.ci.config import parse_generate_ci
    from ferrule.ci.github import render_workflow
    from ferrule.ci.project import project_info
    from ferrule.commands._argv import build_args_problem
    from ferrule.config import CliOptions, load_settings
    from ferrule.errors import FerruleError
    from ferrule.scaffold.files import write_text_atomic

    if rustc_args:
        raise FerruleError("generate-ci takes no arguments after --")
    cwd = Path.cwd()
    settings = load_settings(cwd, CliOptions(manifest_path=args.manifest_path))
    config = parse_generate_ci(
        settings.tool.generate_ci,
        settings.tool_table,
        settings.pyproject_path or settings.cargo.manifest_path,
        build_args_problem,
    )
    for flag in ("platform", "pytest", "zig", "skip_attestation"):
        value = getattr(args, "platforms" if flag == "platform" else flag)
        if value:
            _log.warn(
                f"--{flag.replace('_', '-')} is deprecated; set it in "
                f"[{settings.tool_table}.generate-ci.github] instead"
            )
    config = dataclasses.replace(
        config,
        pytest=config.pytest or args.pytest,
        zig=config.zig or args.zig,
        skip_attestation=config.skip_attestation or args.skip_attestation,
    )
    if config.zig:
        _log.warn(
            "zig has no effect: ferrule builds Linux wheels inside manylinux/musllinux "
            "containers, which need no cross-linker"
        )
    project = read_metadata(settings)
    bindings = detect_bindings(settings.tool.bindings, project)
    argv = ["ferrule", "generate-ci", "github"]
    if args.manifest_path:
        argv += ["--manifest-path", str(args.manifest_path)]
    if args.output != "-":
        argv += ["--output", args.output]
    info = project_info(
        settings,
        bindings,
        project.dependency_versions.get("uniffi"),
        cwd=cwd,
        manifest_path=args.manifest_path,
        command=shlex.join(argv),
    )
    text = render_workflow(info, config, _platforms(args.platforms))
    if args.output == "-":
        print(text, end="")
    else:
        path = Path(args.output)
        write_text_atomic(path, text)
        _log.info(f"wrote {path}")
    return 0
