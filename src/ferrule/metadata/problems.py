"""Problems found while reading ``[project]``: collected with their dotted keys, raised together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ferrule.errors import ConfigError, ConfigProblem

__all__ = ["Problems"]

_T = TypeVar("_T")


class Problems:
    """Problems collected while reading, raised together."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.items: list[ConfigProblem] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(ConfigProblem(self.file, key, message))

    def guard(self, func: Callable[[], _T]) -> _T | None:
        """Run ``func``; a ConfigError it raises is collected and None returned."""
        try:
            return func()
        except ConfigError as exc:
            # A lazy Cargo field that fails fails again when asked twice: report it once.
            self.items += [p for p in exc.problems if p not in self.items]
            return None
