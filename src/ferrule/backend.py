"""What each PEP 517/660 hook does, behind the thin hooks of :mod:`ferrule.buildapi`.

Every hook reads its build arguments with :mod:`ferrule.buildargs` (never
argparse, never the CLI) and the settings once with :func:`ferrule.config.load_settings`;
the metadata hooks never run cargo and answer an unchanged project from
:mod:`ferrule._metadata_cache`.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds at import

# Only the standard library here: the metadata hooks' cached path must stay cheap.
if TYPE_CHECKING:
    from types import SimpleNamespace
    from typing import Any

    from ferrule.buildargs import ConfigSettings
    from ferrule.config.model import Settings
    from ferrule.interpreter import Interpreter

__all__ = ["build_editable", "build_sdist", "build_wheel", "prepare_metadata", "requires"]


def _compiled_once() -> None:
    """ferrule's modules from its code cache when this environment has no ``.pyc``
    files for them (build environments installed with ``--no-compile``): before the
    first import of the settings or the build machinery."""
    from ferrule import _codecache

    _codecache.enable(os.environ)


def _settings(
    config_settings: ConfigSettings, default_profile: str, *, report: bool = True
) -> tuple[Settings, SimpleNamespace]:
    """(Settings, parsed build arguments): reads files and the environment, runs nothing."""
    _compiled_once()
    from pathlib import Path

    from ferrule.buildargs import hook_options
    from ferrule.config import load_settings

    cli, args = hook_options(config_settings, os.environ, default_profile)
    return load_settings(Path.cwd(), cli, report=report), args


def _interpreter(settings: Settings, args: SimpleNamespace) -> Interpreter:
    """``-i`` from the build arguments, else the interpreter running the hook (PEP 517)."""
    from ferrule.interpreter import described_for_target, probe, resolve_interpreter

    if args.interpreter:
        chosen = resolve_interpreter(args.interpreter[0], settings.environ)
    else:
        chosen = probe(sys.executable, settings.environ)
    return described_for_target(settings, chosen)


def requires(config_settings: ConfigSettings) -> list[str]:
    """``get_requires_for_build_wheel`` / ``_editable``: what this build needs installed.

    ``cffi`` for cffi bindings (the ``ffi.py`` generator runs on the target
    interpreter; PyPy has it built in), as maturin; ``ziglang`` under ``--zig``
    (ferrule links with the ``ziglang`` package). The build arguments count:
    ``-b cffi``, ``--zig``, ``-m`` naming another crate. Answered from the
    metadata hook's cache when the project and the arguments did not change.
    """
    from ferrule import _metadata_cache as cache
    from ferrule.buildargs import find_build_args

    argv, _ = find_build_args(config_settings, os.environ)
    fingerprint = cache.begin(["get-requires", *argv], config_settings, os.environ)
    if fingerprint is not None:
        cached = cache.restore_value(fingerprint)
        if isinstance(cached, list):
            return [str(r) for r in cached]

    # Configuration warnings are printed by the metadata and build hooks (strict
    # mode still fails here, before anything is installed).
    settings, args = _settings(config_settings, "release", report=False)
    paths = cache.input_paths(settings) if fingerprint is not None else None
    before = cache.snapshot(paths) if paths is not None else None
    result = []
    if _probably_cffi(settings) and _runs_on_cpython(args):
        result.append("cffi")
    if settings.platform.zig:
        result.append("ziglang")
    if fingerprint is not None and before is not None:
        cache.save_value(fingerprint, before, result)
    return result


def _runs_on_cpython(args: SimpleNamespace) -> bool:
    """Whether cffi's generator may run on this (CPython) interpreter: no ``-i`` names
    only PyPy interpreters."""
    if sys.implementation.name == "pypy":
        return False
    named = [str(i).lower() for i in args.interpreter]
    return not named or not all("pypy" in i for i in named)


def _probably_cffi(settings: Settings) -> bool:
    """cffi bindings, judged from the files alone (no cargo here)."""
    if settings.tool.bindings:
        return bool(settings.tool.bindings == "cffi")
    deps = set(settings.cargo.dependencies)
    return "cdylib" in settings.cargo.crate_types and not deps & {"pyo3", "pyo3-ffi", "uniffi"}


def prepare_metadata(metadata_directory: str, config_settings: ConfigSettings) -> str:
    """``prepare_metadata_for_build_wheel`` / ``_editable``: the ``.dist-info``.

    Never compiles and never runs cargo: Cargo.toml is read directly, so
    resolvers and lock tools get the metadata without a Rust toolchain (but for
    the opt-in ``bundle-licenses``, whose license files come from ``cargo metadata``). An
    unchanged project is answered from a cache (see :mod:`ferrule._metadata_cache`).
    """
    from ferrule import _metadata_cache as cache
    from ferrule.buildargs import find_build_args

    argv, _ = find_build_args(config_settings, os.environ)
    fingerprint = cache.begin(argv, config_settings, os.environ)
    if fingerprint is not None:
        cached = cache.restore(fingerprint, metadata_directory)
        if cached is not None:
            return cached

    from pathlib import Path

    from ferrule.metadata.dist_info import write_dist_info

    settings, _ = _settings(config_settings, "release")
    metadata = None
    if settings.bundle_licenses:
        # The linked crates' license files are in the wheel's .dist-info, so here too:
        # this asks cargo (opt-in), and the answer is not cached (Cargo.lock decides it).
        from ferrule.metadata import build_metadata
        from ferrule.wheel.third_party import bundled_licenses, with_third_party

        metadata = with_third_party(build_metadata(settings), bundled_licenses(settings))
        fingerprint = None
    paths = cache.input_paths(settings) if fingerprint is not None else None
    before = cache.snapshot(paths) if paths is not None else None
    name = write_dist_info(settings, Path(metadata_directory), metadata)
    if fingerprint is not None and before is not None:
        warnings = [str(w) for w in settings.warnings]  # printed again on a cache hit
        cache.save(fingerprint, before, metadata_directory, name, warnings)
    return name


def build_wheel(
    wheel_directory: str, config_settings: ConfigSettings, metadata_directory: str | None
) -> str:
    """``build_wheel``: as ``ferrule pep517 build-wheel`` (maturin's shim), one wheel."""
    _compiled_once()
    from pathlib import Path

    from ferrule.cargo.metadata import start_metadata

    settings, args = _settings(config_settings, "release")
    if args.interpreter:  # else the running Python: described in-process
        from ferrule.interpreter import start_probes

        start_probes(settings, args.interpreter[:1], find=False)
    start_metadata(settings)
    from ferrule.build.run import build_wheels

    interp = _interpreter(settings, args)
    if args.generate_stubs:
        from ferrule.stubs import generate_for_build

        generate_for_build(settings, interp)  # as `ferrule build --generate-stubs`
    prepared = None
    if metadata_directory is not None:
        # PEP 517: the wheel must carry the metadata the frontend was given.
        from ferrule.metadata.prepared import read_prepared

        project = settings.project_table
        name = project.get("name") if project is not None else settings.cargo.name
        prepared = read_prepared(Path(metadata_directory), name if isinstance(name, str) else None)
    wheels = build_wheels(settings, [interp], Path(wheel_directory), metadata=prepared)
    return wheels[0].path.name


def build_editable(wheel_directory: str, config_settings: ConfigSettings) -> str:
    """PEP 660: see :mod:`ferrule.develop.editable` (and docs/develop.md)."""
    _compiled_once()
    from pathlib import Path

    from ferrule.buildargs import find_build_args, replay_args, split_rustc_args
    from ferrule.cargo.metadata import start_metadata

    settings, args = _settings(config_settings, "dev")
    start_metadata(settings)  # cargo reads the crate while the develop machinery is imported
    from ferrule.develop.editable import build_editable_wheel, editable_profile

    interp = _interpreter(settings, args)
    settings = editable_profile(settings, explicit=bool(args.profile))
    hook = settings.tool.rebuild_on_import
    raw: Any = (config_settings or {}).get("rebuild-on-import")
    if raw is not None:
        hook = str(raw).strip().lower() in ("1", "true", "yes", "on")
    rustc_args = split_rustc_args(find_build_args(config_settings, os.environ)[0])[1]
    replay = replay_args(args, rustc_args, settings.cargo_options.profile or "dev")
    return build_editable_wheel(settings, interp, Path(wheel_directory), hook, replay).name


def build_sdist(sdist_directory: str, config_settings: ConfigSettings) -> str:
    _compiled_once()
    from pathlib import Path

    from ferrule.sdist.crates import start_cargo

    settings, _ = _settings(config_settings, "release")
    start_cargo(settings)
    from ferrule.sdist import write_sdist

    return write_sdist(settings, Path(sdist_directory)).name
