"""Reading TOML files: the only place ferrule parses TOML.

:func:`load_toml` parses one file; :class:`TomlFiles` is the store one build
reads through, so that each file is parsed once however many readers need it
(pyproject.toml, the crate's Cargo.toml, its workspace root, path dependencies,
Cargo.lock, uniffi.toml, ...). The sdist's style-preserving rewrite of
manifests (:mod:`ferrule.sdist.tomldoc`) is the one other parser.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ferrule.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on old Pythons only
    import tomli as tomllib

__all__ = ["TomlFiles", "load_toml"]

_T = TypeVar("_T")

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


def _state(path: Path) -> tuple[int, int, int] | None:
    """What tells a file's contents changed: modification time, size, inode."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class TomlFiles:
    """The TOML files of one build, each parsed at most once, and what is derived from them.

    A file that cannot be read or parsed keeps its error: asking again raises
    the same :class:`ConfigError` without reading the file again. Callers get the
    parsed document itself and must not change it.
    """

    def __init__(self) -> None:
        self._documents: dict[Path, dict[str, Any] | ConfigError] = {}
        self._states: dict[Path, tuple[int, int, int] | None] = {}
        self._derived: dict[Hashable, Any] = {}

    def read(self, path: Path) -> Mapping[str, Any]:
        """The document at ``path``; a ConfigError naming the file when it cannot be read."""
        key = path.resolve()
        if key not in self._documents:
            self._states[key] = _state(key)
            try:
                self._documents[key] = load_toml(path)
            except ConfigError as exc:
                self._documents[key] = exc
        document = self._documents[key]
        if isinstance(document, ConfigError):
            raise document
        return document

    def read_current(self, path: Path) -> Mapping[str, Any]:
        """:meth:`read`, but read again when the file changed since (a Cargo.lock cargo
        rewrote during the build): the document as the file is now."""
        key = path.resolve()
        if key in self._documents and self._states.get(key) != _state(key):
            del self._documents[key]
        return self.read(path)

    def read_if_valid(self, path: Path) -> Mapping[str, Any] | None:
        """The document at ``path``, or None when it is missing or broken (cargo reports it)."""
        try:
            return self.read(path)
        except ConfigError:
            return None

    def derived(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per ``key``: a value read from these files (e.g. the pyo3 facts)."""
        if key not in self._derived:
            self._derived[key] = compute()
        value: _T = self._derived[key]
        return value
