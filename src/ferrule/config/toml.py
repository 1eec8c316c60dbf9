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
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _describe(exc: tomllib.TOMLDecodeError, document: str) -> str:
    r"""Turn a decode error into ``line L, column C: message``.

    >>> doc = "a = 1\nb = = 2\n"
    >>> try:
    ...     tomllib.loads(doc)
    ... except tomllib.TOMLDecodeError as e:
    ...     print(_describe(e, doc))
    line 2, column 5: TOML syntax error: Invalid value
    >>> doc = "a = 1\nb = ["
    >>> try:
    ...     tomllib.loads(doc)
    ... except tomllib.TOMLDecodeError as e:
    ...     print(_describe(e, doc))
    line 2, column 6: TOML syntax error: Invalid value (at end of file)
    """
    text = str(exc)
    match = _POSITION.search(text)
    if match:
        message = text[: match.start()]
        return f"line {match[1]}, column {match[2]}: TOML syntax error: {message}"
    match = _AT_END.search(text)
    if match:
        # The position of the last character (not of the empty line after it).
        lines = document[:-1].split("\n") if document.endswith("\n") else document.split("\n")
        return (
            f"line {len(lines)}, column {len(lines[-1]) + 1}: TOML syntax error: "
            f"{text[: match.start()]} (at end of file)"
        )
    return f"TOML syntax error: {text}"


def load_toml(path: Path) -> dict[str, Any]:
    """Parse ``path``; syntax errors name the file, line and column."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError.single(path, "", "file not found") from None
    except OSError as exc:
        raise ConfigError.single(path, "", f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError.single(path, "", f"not valid UTF-8 (byte {exc.start})") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError.single(path, "", _describe(exc, text)) from None
