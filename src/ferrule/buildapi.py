"""PEP 517 and PEP 660 hooks: a thin boundary.

Each hook imports its implementation (:mod:`ferrule.backend`) lazily and turns
ferrule's errors into one message on stderr plus ``SystemExit(1)``: frontends
show that instead of a traceback. Build options come from
``config_settings["build-args"]`` (also ``ferrule.build-args`` /
``maturin.build-args``) or ``FERRULE_PEP517_ARGS`` / ``MATURIN_PEP517_ARGS``, as
maturin reads them, and are read by :mod:`ferrule.buildargs`: never argparse,
never the CLI. Configuration warnings are printed (on stderr) by each hook that
reads the project; ``FERRULE_STRICT=1`` or ``--strict`` in the build arguments
turns them into errors.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself costs milliseconds at import

# Only what every hook needs is imported here: frontends start a process per hook
# call, and the metadata hook's cached path (ferrule._metadata_cache) must stay cheap.
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from ferrule.buildargs import ConfigSettings

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


@_hook
def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> list[str]:
    """cffi for cffi bindings, ziglang under ``--zig`` (see :func:`ferrule.backend.requires`)."""
    from ferrule import backend

    return backend.requires(config_settings)


@_hook
def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> list[str]:
    from ferrule import backend

    return backend.requires(config_settings)


@_hook
def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> list[str]:
    return []


@_hook
def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: ConfigSettings = None
) -> str:
    from ferrule import backend

    return backend.prepare_metadata(metadata_directory, config_settings)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


@_hook
def build_wheel(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    from ferrule import backend

    return backend.build_wheel(wheel_directory, config_settings, metadata_directory)


@_hook
def build_editable(
    wheel_directory: str,
    config_settings: ConfigSettings = None,
    metadata_directory: str | None = None,
) -> str:
    """PEP 660: see :mod:`ferrule.develop.editable` (and docs/develop.md)."""
    from ferrule import backend

    return backend.build_editable(wheel_directory, config_settings)


@_hook
def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    from ferrule import backend

    return backend.build_sdist(sdist_directory, config_settings)
