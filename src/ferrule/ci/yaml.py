"""A small block-style YAML writer for the workflows ferrule generates.

Only what a workflow needs: mappings with string keys, sequences, strings,
booleans, integers and ``None`` (an empty value, as in ``pull_request:``).
Strings are written plain when YAML reads them back unchanged, single-quoted
otherwise, and as literal blocks (``|``) when they span lines, so shell scripts
stay readable. No dependency: ferrule's runtime stays pure and small.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dump", "scalar"]

_INDENT = "  "
# Words YAML 1.1 (which many tools still speak) reads as booleans or null.
_SPECIAL = {
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "",
}  # fmt: skip
_NUMBER = re.compile(
    r"^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$|^0[xob][0-9a-fA-F_]+$|^\.(inf|nan)$", re.I
)
_DATE = re.compile(r"^\d{4}-\d\d?-\d\d?")
_FIRST_UNSAFE = set("-?:,[]{}#&*!|>'\"%@`")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _plain_ok(text: str) -> bool:
    """Whether ``text`` can be written without quotes and read back as the same string.

    >>> [_plain_ok(s) for s in ["ubuntu-24.04", "${{ matrix.platform.runner }}", "3.10", "on", "- x", "a: b"]]
    [True, True, False, False, False, False]
    """
    if text.lower() in _SPECIAL or _NUMBER.match(text) or _DATE.match(text):
        return False
    if text[0] in _FIRST_UNSAFE or text[0].isspace() or text[-1].isspace():
        return False
    return ": " not in text and " #" not in text and not text.endswith(":")


def scalar(value: Any) -> str:
    """One value on one line.

    >>> scalar(True), scalar(None), scalar(3), scalar("x"), scalar("it's: here"), scalar("3.9")
    ('true', '', '3', 'x', "'it''s: here'", "'3.9'")
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} as YAML")
    if "\n" in value:
        raise ValueError("multi-line strings are written as blocks")
    if _plain_ok(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def _key(key: str) -> str:
    """Keys that look like identifiers stay plain (``on:``, as every workflow writes it:
    YAML 1.2, which GitHub and schema validators read, has no ``on`` boolean)."""
    if _KEY.match(key) and key.lower() not in ("true", "false", "null"):
        return key
    return scalar(key)


def _block(text: str, depth: int) -> list[str]:
    """A literal block (``|`` keeps the final newline, ``|-`` has none)."""
    header = "|" if text.endswith("\n") else "|-"
    if text[:1].isspace():
        header += "2"  # an explicit indentation indicator
    pad = _INDENT * depth
    body = text[:-1] if text.endswith("\n") else text
    return [header] + [pad + line if line else "" for line in body.split("\n")]


def _value_lines(value: Any, depth: int) -> tuple[str, list[str]]:
    """(what follows ``key:`` on its line, the nested lines)."""
    if isinstance(value, Mapping):
        if not value:
            return " {}", []
        return "", _mapping(value, depth)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return " []", []
        return "", _sequence(value, depth)
    if isinstance(value, str) and "\n" in value:
        header, *lines = _block(value, depth)
        return " " + header, lines
    text = scalar(value)
    return (" " + text if text else ""), []


def _mapping(mapping: Mapping[str, Any], depth: int) -> list[str]:
    pad = _INDENT * depth
    lines: list[str] = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise TypeError("mapping keys must be strings")
        inline, nested = _value_lines(value, depth + 1)
        lines.append(f"{pad}{_key(key)}:{inline}")
        lines += nested
    return lines


def _sequence(items: Sequence[Any], depth: int) -> list[str]:
    pad = _INDENT * depth
    lines: list[str] = []
    for item in items:
        if isinstance(item, Mapping) and item:
            # The first key shares the dash's line; the rest align under it.
            nested = _mapping(item, depth + 1)
            first = nested[0][len(_INDENT) * (depth + 1) :]
            lines.append(f"{pad}- {first}")
            lines += nested[1:]
        else:
            inline, nested = _value_lines(item, depth + 1)
            lines.append(f"{pad}-{inline}" if inline else f"{pad}-")
            lines += nested
    return lines


def dump(mapping: Mapping[str, Any], depth: int = 0) -> str:
    """A mapping as block YAML, ending with a newline.

    >>> print(dump({"on": {"push": {"tags": ["*"]}, "pull_request": None},
    ...             "steps": [{"uses": "actions/checkout@v6"}, {"run": "set -e\\necho hi\\n"}]}), end="")
    on:
      push:
        tags:
          - '*'
      pull_request:
    steps:
      - uses: actions/checkout@v6
      - run: |
          set -e
          echo hi
    """
    return "\n".join(_mapping(mapping, depth)) + "\n"
