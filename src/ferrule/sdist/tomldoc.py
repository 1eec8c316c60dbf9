"""A TOML document edited in place: the sdist's rewrites of Cargo.toml and pyproject.toml.

The editing is :mod:`tomlkit`'s (style-preserving, made for this): only what an edit
touches changes; comments, order and the formatting of everything else stay. tomlkit
is imported here only, so only the sdist path pays for it.

Every edit is checked: the new text is parsed again with :mod:`tomllib` (``tomli``
before Python 3.11) and must hold exactly the data the edit means (the old data with
that one change). An edit that does not is an error naming the file and the dotted
key, never a silently different manifest.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Union

from ferrule.errors import ConfigError, ConfigProblem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

__all__ = ["TomlDocument", "TomlEditError"]

Path_ = tuple[Union[str, int], ...]  # keys, and indices of array-of-tables elements (3.9: no |)
_LONE_LF = re.compile(r"(?<!\r)\n")


class TomlEditError(ConfigError):
    """An edit that could not be made exactly: names the file and the dotted key."""


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


def _inline(value: object) -> object:
    """``value`` with every table an inline table (``{ k = v }``)."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for key, item in value.items():
            table[key] = _inline(item)
        return table
    if isinstance(value, list):
        return [_inline(item) for item in value]
    return copy.deepcopy(value)


# --- the document --------------------------------------------------------------------------


class TomlDocument:
    """A TOML text and its data; edits keep everything they do not touch."""

    def __init__(self, text: str, source: Path | None = None) -> None:
        self.data: dict[str, Any] = tomllib.loads(text)
        self.source = source or Path("<toml>")
        self._crlf = "\r\n" in text
        self._text = text
        # tomlkit's document, parsed at the first edit: most manifests go into an sdist
        # unchanged, and tomlkit costs its import and a parse.
        self._parsed: Any = None

    @property
    def _doc(self) -> Any:
        if self._parsed is None:
            import tomlkit

            self._parsed = tomlkit.parse(self._text)
        return self._parsed

    @_doc.setter
    def _doc(self, doc: Any) -> None:
        self._parsed = doc

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
        """The text; lines an edit adds end as the file's other lines do.

        >>> TomlDocument('a = 1\\r\\n').as_string()
        'a = 1\\r\\n'
        >>> doc = TomlDocument('a = 1\\r\\n')
        >>> doc.set(("b",), 2)
        >>> doc.as_string()
        'a = 1\\r\\nb = 2\\r\\n'
        """
        # Unedited: the text itself (what tomlkit's exact round trip would give).
        text = self._text if self._parsed is None else str(self._parsed.as_string())
        return _LONE_LF.sub("\r\n", text) if self._crlf else text

    # Edits.
    def set(self, path: Path_, value: object) -> None:
        """Set the value at ``path``, in place when it is there, else beside its siblings."""
        try:
            expected = _with_set(self.data, path, value)
        except (KeyError, IndexError, TypeError):
            raise self._error(path, "has no table that could hold it") from None
        import tomlkit

        def edit(inline: bool, fresh: bool) -> Callable[[], None]:
            def run() -> None:
                container: Any = self._doc
                for part in path[:-1]:
                    if isinstance(part, str) and part not in container:
                        nested = inline or isinstance(container, tomlkit.items.InlineTable)
                        container[part] = tomlkit.inline_table() if nested else tomlkit.table()
                    container = container[part]
                if fresh and path[-1] in container:
                    del container[path[-1]]
                container[path[-1]] = _inline(value) if inline else copy.deepcopy(value)

            return run

        # As tomlkit writes it (a table gets its [header]); where that does not mean the
        # edit (tomlkit has bugs around dotted keys and super tables): written inline, or
        # the old value removed first and the new one added.
        candidates = [edit(i, f) for f in (False, True) for i in (False, True)]
        self._commit(path, [expected], *candidates)

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

        def edit() -> None:
            container: Any = self._doc
            for part in path[:-1]:
                container = container[part]
            del container[path[-1]]

        self._commit(path, alternatives, edit)

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

    def _commit(
        self, path: Path_, expected: list[dict[str, Any]], *edits: Callable[[], None]
    ) -> None:
        """Keep the first of ``edits`` (each made on a copy) whose text means one of
        ``expected``."""
        import tomlkit

        before = self._doc
        for edit in edits:
            self._doc = copy.deepcopy(before)
            try:
                edit()
                data = tomllib.loads(self.as_string())
            except (KeyError, IndexError, TypeError, ValueError, tomlkit.exceptions.TOMLKitError):
                continue
            if data in expected:
                self.data = data
                return
        self._doc = before
        raise self._error(path, "cannot be rewritten while keeping the file's layout")

    def _error(self, path: Path_, message: str) -> TomlEditError:
        key = ".".join(str(p) for p in path)
        return TomlEditError([ConfigProblem(self.source, key, message)])
