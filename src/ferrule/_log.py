"""Logging to stderr: stdout is reserved for results (PEP 517 frontends, ``--json``)."""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar

_verbosity: ContextVar[int] = ContextVar("ferrule_verbosity", default=0)

__all__ = ["debug", "error", "info", "set_verbosity", "warn"]


def set_verbosity(level: int) -> None:
    _verbosity.set(level)


def _colour(code: str, text: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


def _emit(line: str) -> None:
    # Flush at once so our lines interleave correctly with cargo's when a
    # frontend such as pip captures both streams.
    print(line, file=sys.stderr, flush=True)


def info(message: str) -> None:
    if _verbosity.get() >= 0:
        _emit(f"{_colour('1;32', 'ferrule')}: {message}")


def warn(message: str) -> None:
    _emit(f"{_colour('1;33', 'ferrule: warning')}: {message}")


def error(message: str) -> None:
    _emit(f"{_colour('1;31', 'ferrule: error')}: {message}")


def debug(message: str) -> None:
    if _verbosity.get() >= 1:
        _emit(f"ferrule: debug: {message}")
