"""A TOML document edited in place: the sdist's rewrites of Cargo.toml and pyproject.toml.

Only the statements an edit touches change; comments, order, blank lines and
the formatting of everything else stay as they were. The document is read
with :mod:`tomllib` (``tomli`` before Python 3.11) and scanned once per edit
into its statements (table headers and ``key = value`` lines, with their
spans in the text). An edit is a change of text: a value replaced in place,
statements removed, or a line inserted next to its siblings.

Every edit is checked: the new text is parsed again and must hold exactly the
data the edit means (the old data with that one change). An edit that cannot
be made that way (there is always one that can for valid TOML) is an error
naming the key, never a silently different manifest.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from ferrule.errors import ConfigError, ConfigProblem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

__all__ = ["TomlDocument", "TomlEditError", "format_key", "format_value"]

Path_ = tuple[Union[str, int], ...]  # keys, and indices of array-of-tables elements (3.9: no |)

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


class TomlEditError(ConfigError):
    """An edit that could not be made exactly: names the file and the dotted key."""


# --- writing values ------------------------------------------------------------------------


def _string(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def format_key(key: str) -> str:
    """A key as written: bare when it can be.

    >>> format_key("crates-io"), format_key("cfg(unix)"), format_key("")
    ('crates-io', '"cfg(unix)"', '""')
    """
    return key if _BARE.fullmatch(key) else _string(key)


def format_value(value: object) -> str:
    """A value written inline (tables as ``{ k = v }``).

    >>> format_value({"path": "../a b", "features": ["x"], "optional": True, "n": 1.5})
    '{ path = "../a b", features = ["x"], optional = true, n = 1.5 }'
    >>> format_value('tab\\tquote" \\x7f'), format_value({}), format_value([])
    ('"tab\\\\tquote\\\\" \\\\u007f"', '{}', '[]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{format_key(str(k))} = {format_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _dotted(path: Path_) -> str:
    return ".".join(format_key(str(p)) for p in path)


# --- reading the statements ----------------------------------------------------------------


@dataclass
class _Statement:
    start: int  # the line's start
    end: int  # after the newline that ends it (and any multi-line value)
    path: Path_  # full path: a header's table, or a key's value
    indent: str
    value_start: int = -1  # key/value statements only
    value_end: int = -1


@dataclass
class _Section:
    header: _Statement | None  # None: the root table, before any header
    base: Path_
    array: bool = False
    entries: list[_Statement] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.header.start if self.header else 0

    @property
    def end(self) -> int:
        """After its last statement (trailing comments belong to what follows)."""
        last = self.entries[-1] if self.entries else self.header
        return last.end if last else 0


class _Scanner:
    """The statements of a valid TOML text (tomllib has already accepted it)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def ws(self, i: int) -> int:
        while i < self.n and self.text[i] in " \t":
            i += 1
        return i

    def after_value(self, i: int) -> int:
        """Past trailing blanks, a comment and the newline."""
        i = self.ws(i)
        if i < self.n and self.text[i] == "#":
            j = self.text.find("\n", i)
            return self.n if j < 0 else j + 1
        if self.text.startswith("\r\n", i):
            return i + 2
        if i < self.n and self.text[i] == "\n":
            return i + 1
        return i

    def basic(self, i: int) -> int:
        i += 1
        while self.text[i] != '"':
            i += 2 if self.text[i] == "\\" else 1
        return i + 1

    def multiline(self, i: int, quote: str) -> int:
        i += 3
        while True:
            if quote == '"' and self.text[i] == "\\":
                i += 2
            elif self.text.startswith(quote * 3, i):
                j = i + 3
                while j < min(i + 5, self.n) and self.text[j] == quote:
                    j += 1
                return j
            else:
                i += 1

    def string(self, i: int) -> int:
        text = self.text
        if text.startswith('"""', i):
            return self.multiline(i, '"')
        if text.startswith("'''", i):
            return self.multiline(i, "'")
        if text[i] == '"':
            return self.basic(i)
        return text.index("'", i + 1) + 1

    def value(self, i: int) -> int:
        text = self.text
        if text[i] in "\"'":
            return self.string(i)
        if text[i] in "[{":
            depth = 0
            while True:
                c = text[i]
                if c in "[{":
                    depth += 1
                    i += 1
                elif c in "]}":
                    depth -= 1
                    i += 1
                    if depth == 0:
                        return i
                elif c in "\"'":
                    i = self.string(i)
                elif c == "#":
                    i = text.index("\n", i)
                else:
                    i += 1
        j = i
        while j < self.n and text[j] not in "#\r\n":
            j += 1
        while j > i and text[j - 1] in " \t":
            j -= 1
        return j

    def key(self, i: int) -> tuple[list[str], int]:
        parts: list[str] = []
        while True:
            i = self.ws(i)
            if self.text[i] in "\"'":
                end = self.string(i)
                parts.append(tomllib.loads(f"k = {self.text[i:end]}")["k"])
                i = end
            else:
                match = _BARE.match(self.text, i)
                if match is None:  # tomllib accepted the text: this is ferrule's fault
                    raise ValueError(f"TOML scanner: unexpected character at offset {i}")
                parts.append(match.group())
                i = match.end()
            i = self.ws(i)
            if i < self.n and self.text[i] == ".":
                i += 1
                continue
            return parts, i

    def sections(self) -> list[_Section]:
        text = self.text
        sections = [_Section(None, ())]
        arrays: dict[Path_, int] = {}  # array-of-tables path -> index of its last element
        i = 0
        while i < self.n:
            line = i
            j = self.ws(i)
            if j >= self.n:
                break
            if text[j] in "#\r\n":
                nl = text.find("\n", j)
                i = self.n if nl < 0 else nl + 1
                continue
            if text[j] == "[":
                array = text.startswith("[[", j)
                parts, k = self.key(j + (2 if array else 1))
                end = self.after_value(k + (2 if array else 1))
                base = self._resolve(parts, arrays, array)
                header = _Statement(line, end, base, text[line:j])
                sections.append(_Section(header, base, array))
                i = end
                continue
            parts, k = self.key(j)
            k = self.ws(k + 1)  # past "="
            value_end = self.value(k)
            end = self.after_value(value_end)
            section = sections[-1]
            statement = _Statement(line, end, (*section.base, *parts), text[line:j], k, value_end)
            section.entries.append(statement)
            i = end
        return sections

    @staticmethod
    def _resolve(parts: list[str], arrays: dict[Path_, int], declaring: bool) -> Path_:
        """A header's path with the element index after each array-of-tables name."""
        resolved: list[str | int] = []
        for n, part in enumerate(parts):
            resolved.append(part)
            if tuple(resolved) in arrays and not (declaring and n == len(parts) - 1):
                resolved.append(arrays[tuple(resolved)])
        if declaring:
            key = tuple(resolved)
            arrays[key] = arrays.get(key, -1) + 1
            resolved.append(arrays[key])
        return tuple(resolved)


# --- plain-data edits (what an edit must mean) -----------------------------------------------


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _with_set(data: Any, path: Path_, value: object) -> Any:
    new = copy.deepcopy(data)
    parent = new
    for part in path[:-1]:
        if isinstance(parent, dict) and part not in parent:
            parent[part] = {}
        parent = parent[part]
    parent[path[-1]] = copy.deepcopy(value)
    return new


def _without(data: Any, path: Path_) -> Any:
    new = copy.deepcopy(data)
    del _get(new, path[:-1])[path[-1]]
    return new


def _starts(path: Path_, prefix: Path_) -> bool:
    return path[: len(prefix)] == prefix


# --- the document --------------------------------------------------------------------------


class TomlDocument:
    """A TOML text and its data; edits keep everything they do not touch."""

    def __init__(self, text: str, source: Path | None = None) -> None:
        self.data: dict[str, Any] = tomllib.loads(text)
        self.text = text
        self.source = source or Path("<toml>")
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def _copy_with(self, text: str, data: dict[str, Any]) -> TomlDocument:
        other = TomlDocument.__new__(TomlDocument)
        other.text, other.data, other.source, other.newline = text, data, self.source, self.newline
        return other

    def value(self, path: Path_) -> Any:
        """The value at ``path`` (KeyError when there is none)."""
        return _get(self.data, path)

    # Read access, as to a dict.
    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def keys(self) -> Iterator[str]:
        return iter(list(self.data))

    def as_string(self) -> str:
        return self.text

    # Edits.
    def set(self, path: Path_, value: object) -> None:
        """Set the value at ``path``, in place when it is there, else beside its siblings."""
        try:
            expected = _with_set(self.data, path, value)
        except (KeyError, IndexError, TypeError):
            raise self._error(path, "has no table that could hold it") from None
        self._commit(path, [expected], self._set_candidates(path, value))

    def delete(self, path: Path_) -> None:
        """Remove the value at ``path`` (a key, a table, or an array-of-tables element)."""
        try:
            expected = _without(self.data, path)
        except (KeyError, IndexError, TypeError):
            raise self._error(path, "is not there to be removed") from None
        # Tables left empty above it may vanish with it when nothing else defines them
        # (``[patch.x]`` was the only mention of ``patch``): the same to cargo and pip.
        alternatives = [expected]
        for depth in range(len(path) - 1, 0, -1):
            if _get(alternatives[-1], path[:depth]):
                break
            alternatives.append(_without(alternatives[-1], path[:depth]))
        self._commit(path, alternatives, self._delete_candidates(path))

    def remove_array_entries(self, key: str, drop: Callable[[Any], bool]) -> None:
        """Remove the elements of the array ``key`` (``[[bin]]`` or ``bin = [...]``) that
        ``drop`` picks; the key goes when none is left."""
        entries = self.data.get(key)
        if not isinstance(entries, list):
            return
        doomed = [i for i, entry in enumerate(entries) if drop(entry)]
        if len(doomed) == len(entries):
            self.delete((key,))
            return
        for index in reversed(doomed):
            self.delete((key, index))

    # --- how edits are made ---

    def _commit(self, path: Path_, expected: list[Any], candidates: Iterator[str]) -> None:
        """Take the first candidate text that parses to one of the ``expected`` data."""
        for text in candidates:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            if data in expected:
                self.text, self.data = text, data
                return
        raise self._error(path, "cannot be rewritten while keeping the file's layout")

    def _error(self, path: Path_, message: str) -> TomlEditError:
        key = ".".join(str(p) for p in path)
        return TomlEditError([ConfigProblem(self.source, key, message)])

    def _splice(self, edits: list[tuple[int, int, str]]) -> str:
        text = self.text
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        return text

    def _removal(self, start: int, end: int) -> tuple[int, int, str]:
        """Remove whole lines ``start:end``, and a blank line that would be left doubled.

        >>> doc = TomlDocument('a = 1\\n\\n[x]\\nb = 2\\n\\n[y]\\nc = 3\\n')
        >>> doc._splice([doc._removal(7, 18)])
        'a = 1\\n\\n[y]\\nc = 3\\n'
        >>> doc._splice([doc._removal(18, 30)])
        'a = 1\\n\\n[x]\\nb = 2\\n'
        """
        text = self.text
        blank_before = (
            start == 0 or text.endswith("\n\n", 0, start) or text.endswith("\n\r\n", 0, start)
        )
        if blank_before:
            for blank in ("\n", "\r\n"):
                if text.startswith(blank, end):
                    return (start, end + len(blank), "")
        if end >= len(text):
            while start > 0 and text.endswith("\n\n", 0, start):
                start -= 1
            while start > 1 and text.endswith("\r\n\r\n", 0, start):
                start -= 2
        return (start, end, "")

    def _line(self, indent: str, key: Path_, value: object) -> str:
        return f"{indent}{_dotted(key)} = {format_value(value)}{self.newline}"

    def _ensure_newline_at(self, position: int) -> str:
        """What to put before an insertion at ``position``: a newline if its line is unfinished."""
        if position > 0 and self.text[position - 1] not in "\n":
            return self.newline
        return ""

    def _table_block(self, path: Path_, value: Mapping[str, Any]) -> str:
        """A header and its ``key = value`` lines; ``[[name]]`` for an array-of-tables element."""
        name = _dotted(tuple(p for p in path if not isinstance(p, int)))
        header = f"[[{name}]]" if path and isinstance(path[-1], int) else f"[{name}]"
        lines = [f"{header}{self.newline}"]
        lines += [self._line("", (str(k),), v) for k, v in value.items()]
        return "".join(lines)

    def _appended(self, path: Path_, value: object) -> str:
        """A new table at the end of the document holding ``value``."""
        block = (
            self._table_block(path, value)
            if isinstance(value, Mapping)
            else self._table_block(path[:-1], {str(path[-1]): value})
        )
        text = self.text
        if text and not text.endswith("\n"):
            text += self.newline
        if text.strip():
            text += self.newline
        return text + block

    def _inline_rewrite(
        self, sections: list[_Section], path: Path_, edit: Callable[[Any], Any]
    ) -> str | None:
        """Rewrite the one statement whose value holds ``path`` (inside an inline table or array)."""
        for section in sections:
            for entry in section.entries:
                if len(entry.path) < len(path) and _starts(path, entry.path):
                    inner = path[len(entry.path) :]
                    current = _get(self.data, entry.path)
                    new = edit((current, inner))
                    return self._splice([(entry.value_start, entry.value_end, format_value(new))])
        return None

    def _under(
        self, sections: list[_Section], path: Path_
    ) -> tuple[list[tuple[int, int]], _Statement | None, bool]:
        """Spans of everything defined at or below ``path``; the first such statement, and
        whether it is a table header."""
        spans: list[tuple[int, int]] = []
        first: _Statement | None = None
        first_is_header = False
        for section in sections:
            if section.header is not None and _starts(section.base, path):
                spans.append((section.start, section.end))
                if first is None or section.start < first.start:
                    first, first_is_header = section.header, True
                continue
            for entry in section.entries:
                if _starts(entry.path, path):
                    spans.append((entry.start, entry.end))
                    if first is None or entry.start < first.start:
                        first, first_is_header = entry, False
        return spans, first, first_is_header

    def _delete_candidates(self, path: Path_) -> Iterator[str]:
        sections = _Scanner(self.text).sections()
        spans, _first, _ = self._under(sections, path)
        if spans:
            yield self._splice([self._removal(start, end) for start, end in spans])
        rewritten = self._inline_rewrite(sections, path, lambda arg: _without(arg[0], arg[1]))
        if rewritten is not None:
            yield rewritten

    def _set_candidates(self, path: Path_, value: object) -> Iterator[str]:
        sections = _Scanner(self.text).sections()
        # 1. The key is written as such: its value is replaced where it stands.
        for section in sections:
            for entry in section.entries:
                if entry.path == path:
                    yield self._splice([(entry.value_start, entry.value_end, format_value(value))])
        # 2. It lives inside an inline table or array.
        rewritten = self._inline_rewrite(
            sections, path, lambda arg: _with_set(arg[0], arg[1], value)
        )
        if rewritten is not None:
            yield rewritten
        # 3. It is written as dotted keys or tables below it (``version.workspace = true``,
        #    ``[dependencies.x]``): those go, and the new value takes the first one's place.
        spans, first, first_is_header = self._under(sections, path)
        if first is not None:
            # Plain removals: the new value goes where the first of them was.
            removals = [(start, end, "") for start, end in spans]
            if not first_is_header:
                base = next(s.base for s in sections if first in s.entries)
                line = self._line(first.indent, path[len(base) :], value)
                yield self._splice([*removals, (first.start, first.start, line)])
            elif isinstance(value, Mapping):
                yield self._splice(
                    [*removals, (first.start, first.start, self._table_block(path, value))]
                )
            without = self._copy_with(self._splice(removals), _without(self.data, path))
            yield from without._added(path, value)
            return
        yield from self._added(path, value)

    def _added(self, path: Path_, value: object) -> Iterator[str]:
        """``path`` is new: a line beside its siblings, or a new table."""
        sections = _Scanner(self.text).sections()
        parent = path[:-1]
        # The parent is a table header (or the root): after its last statement.
        for section in sections:
            if section.base == parent and (section.header is not None or not parent):
                at = 0 if section.header is None and not section.entries else section.end
                indent = section.entries[-1].indent if section.entries else ""
                prefix = self._ensure_newline_at(at)
                yield self._splice([(at, at, prefix + self._line(indent, path[-1:], value))])
        # The parent is made of dotted keys in some table: after the last of them.
        for section in sections:
            siblings = [
                e for e in section.entries if len(e.path) > len(parent) and _starts(e.path, parent)
            ]
            if siblings and parent:
                last = siblings[-1]
                prefix = self._ensure_newline_at(last.end)
                line = self._line(last.indent, path[len(section.base) :], value)
                yield self._splice([(last.end, last.end, prefix + line)])
        # A dotted key in the nearest table written as a header (or the root).
        for section in sorted(sections, key=lambda s: len(s.base), reverse=True):
            if len(section.base) < len(parent) and _starts(parent, section.base):
                at = section.end if section.entries or section.header else 0
                indent = section.entries[-1].indent if section.entries else ""
                prefix = self._ensure_newline_at(at)
                line = self._line(indent, path[len(section.base) :], value)
                yield self._splice([(at, at, prefix + line)])
                break
        yield self._appended(path, value)
