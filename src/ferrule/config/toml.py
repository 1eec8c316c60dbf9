"""Reading TOML files: the only place ferrule parses TOML."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from ferrule.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib

__all__ = ["load_toml"]

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _describe(exc: tomllib.TOMLDecodeError) -> str:
    """Turn a decode error into ``line L, column C: message``.

    >>> try:
    ...     tomllib.loads("a = 1\\nb = [")
    ... except tomllib.TOMLDecodeError as e:
    ...     print(_describe(e))
    line 2, column 6: TOML syntax error: Unclosed array
    """
    text = str(exc)
    match = _POSITION.search(text)
    if match:
        message = text[: match.start()]
        return f"line {match[1]}, column {match[2]}: TOML syntax error: {message}"
    return f"TOML syntax error: {text}"


def load_toml(path: Path) -> dict[str, Any]:
    """Parse ``path``; syntax errors name the file, line and column."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError.single(path, "", "file not found") from None
    except OSError as exc:
        raise ConfigError.single(path, "", f"cannot be read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError.single(path, "", f"not valid UTF-8 (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError.single(path, "", _describe(exc)) from None
