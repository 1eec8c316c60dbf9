"""PEP 517 and PEP 660 hooks: a thin boundary.

Each hook imports its implementation lazily and turns ferrule's errors into one
message on stderr plus ``SystemExit(1)``: frontends show that instead of a
traceback. Build options come from ``config_settings["build-args"]`` (also
``ferrule.build-args`` / ``maturin.build-args``) or ``FERRULE_PEP517_ARGS`` /
``MATURIN_PEP517_ARGS``, as maturin reads them. Configuration warnings are
printed (on stderr) by each hook that reads the project; ``FERRULE_STRICT=1`` or
``--strict`` in the build arguments turns them into errors.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds at import

# Only what every hook needs is imported here: frontends start a process per hook
# call, and the metadata hook's cached path (ferrule._metadata_cache) must stay cheap.
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeVar, Union

    ConfigSettings = Union[Mapping[str, Union[str, list[str]]], None]
    _T = TypeVar("_T")

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def _hook(func: Callable[..., _T]) -> Callable[..., _T]:
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            # Imported only now: the cached metadata hook must not pay for them.
            from ferrule import _log
            from ferrule.errors import FerruleError

            if not isinstance(exc, FerruleError):
                raise
            if os.environ.get("FERRULE_VERBOSE"):
                import traceback

                traceback.print_exc()
            _log.error(str(exc))
            raise SystemExit(1) from None

    # functools.wraps, without importing functools
    wrapper.__name__ = func.__name__
    wrapper.__qualname__ = func.__qualname__
    wrapper.__doc__ = func.__doc__
    wrapper.__module__ = func.__module__
    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    return wrapper


def _build_args(config_settings: ConfigSettings) -> list[str]:
    """The extra build arguments, from config_settings or the environment."""
    for key in ("build-args", "ferrule.build-args", "maturin.build-args"):
        if config_settings and key in config_settings:
            value = config_settings[key]
            if isinstance(value, str):
                import shlex

                return shlex.split(value)
            return list(value)
    for var in ("FERRULE_PEP517_ARGS", "MATURIN_PEP517_ARGS"):
        if os.environ.get(var):
            import shlex

            return shlex.split(os.environ[var])
    return []


def _compiled_once() -> None:
    """ferrule's modules from its code cache when this environment has no ``.pyc``
    files for them (build environments installed with ``--no-compile``)."""
    from ferrule import _codecache

    _codecache.enable(os.environ)


def _settings(config_settings: ConfigSettings, default_profile: str) -> Any:
    """(Settings, parsed build arguments): reads files and the environment, runs nothing."""
    _compiled_once()
    from pathlib import Path

    from ferrule.cli import split_rustc_args
    from ferrule.commands._options import cli_options
    from ferrule.commands.pep517 import hook_parser
    from ferrule.config import load_settings

    ours, rustc_args = split_rustc_args(_build_args(config_settings))
    if "--compatibility" not in ours and "--manylinux" not in ours:
        # As maturin's PEP 517 shim: frontends get the interpreter's own platform tag
        # (linux_x86_64) unless a compatibility is asked for (docs/platform-tags.md).
        ours = ["--compatibility", "off", *ours]
    args = hook_parser().parse_args(ours)
    return load_settings(Path.cwd(), cli_options(args, rustc_args, default_profile)), args


def _settings_and_interpreter(config_settings: ConfigSettings, default_profile: str) -> Any:
    from ferrule.interpreter import probe, resolve_interpreter

    settings, args = _settings(config_settings, default_profile)
    if args.interpreter:
        interp = resolve_interpreter(args.interpreter[0], settings.environ)
    else:
        interp = probe(sys.executable, settings.environ)
    return settings, interp


@_hook
def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    """cffi bindings need cffi in the build environment (to write ``ffi.py``).

    Answered from the metadata hook's cache when the project did not change.
    """
    from ferrule import _metadata_cache as cache

    fingerprint = cache.begin(["get-requires"], None, os.environ)
    if fingerprint is not None:
        cached = cache.restore_value(fingerprint)
        if isinstance(cached, list):
            return [str(r) for r in cached]

    _compiled_once()
    from pathlib import Path

    from ferrule.config import load_settings

    # Configuration warnings are printed by the metadata and build hooks (strict
    # mode still fails here, before anything is installed).
    settings = load_settings(Path.cwd(), report=False)
    paths = cache.input_paths(settings) if fingerprint is not None else None
    before = cache.snapshot(paths) if paths is not None else None
    requires = ["cffi"] if _probably_cffi(settings) and sys.implementation.name != "pypy" else []
    if fingerprint is not None and before is not None:
        cache.save_value(fingerprint, before, requires)
    return requires


def _probably_cffi(settings: Any) -> bool:
    """cffi bindings, judged from the files alone (no cargo here)."""
    if settings.tool.bindings:
        return bool(settings.tool.bindings == "cffi")
    deps = set(settings.cargo.dependencies)
    return "cdylib" in settings.cargo.crate_types and not deps & {"pyo3", "pyo3-ffi", "uniffi"}


get_requires_for_build_editable = get_requires_for_build_wheel


@_hook
def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return []


@_hook
def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    # Never compiles and never runs cargo: Cargo.toml is read directly, so
    # resolvers and lock tools get the metadata without a Rust toolchain.
    # An unchanged project is answered from a cache (see ferrule._metadata_cache).
    from ferrule import _metadata_cache as cache

    fingerprint = cache.begin(_build_args(config_settings), config_settings, os.environ)
    if fingerprint is not None:
        cached = cache.restore(fingerprint, metadata_directory)
        if cached is not None:
            return cached

    from pathlib import Path

    from ferrule.metadata.dist_info import write_dist_info

    settings, _ = _settings(config_settings, "release")
    paths = cache.input_paths(settings) if fingerprint is not None else None
    before = cache.snapshot(paths) if paths is not None else None
    name = write_dist_info(settings, Path(metadata_directory))
    if fingerprint is not None and before is not None:
        warnings = [str(w) for w in settings.warnings]  # printed again on a cache hit
        cache.save(fingerprint, before, metadata_directory, name, warnings)
    return name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


@_hook
def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    _compiled_once()
    from pathlib import Path

    from ferrule.build.run import build_wheels
    from ferrule.cli import split_rustc_args

    settings, interp = _settings_and_interpreter(config_settings, "release")
    if "--generate-stubs" in split_rustc_args(_build_args(config_settings))[0]:
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


@_hook
def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 660: see :mod:`ferrule.develop.editable` (and docs/develop.md)."""
    _compiled_once()
    from pathlib import Path

    from ferrule.cli import split_rustc_args
    from ferrule.commands.develop import replay_args
    from ferrule.commands.pep517 import hook_parser
    from ferrule.develop.editable import build_editable_wheel, editable_profile

    settings, interp = _settings_and_interpreter(config_settings, "dev")
    ours, rustc_args = split_rustc_args(_build_args(config_settings))
    args = hook_parser().parse_args(ours)
    settings = editable_profile(settings, explicit=bool(args.profile))
    hook = settings.tool.rebuild_on_import
    raw = (config_settings or {}).get("rebuild-on-import")
    if raw is not None:
        hook = str(raw).strip().lower() in ("1", "true", "yes", "on")
    replay = replay_args(args, rustc_args, settings.cargo_options.profile or "dev")
    return build_editable_wheel(settings, interp, Path(wheel_directory), hook, replay).name


@_hook
def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    _compiled_once()
    from pathlib import Path

    from ferrule.cli import split_rustc_args
    from ferrule.commands._options import cli_options
    from ferrule.commands.pep517 import hook_parser
    from ferrule.config import load_settings
    from ferrule.sdist import write_sdist

    ours, rustc_args = split_rustc_args(_build_args(config_settings))
    args = hook_parser().parse_args(ours)
    settings = load_settings(Path.cwd(), cli_options(args, rustc_args, "release"))
    return write_sdist(settings, Path(sdist_directory)).name
