"""Glob patterns as ``include`` / ``exclude`` use them (``**`` spans directories)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["matches", "translate"]


@functools.lru_cache(maxsize=256)
def translate(pattern: str) -> re.Pattern[str]:
    r"""Compile a glob over ``/``-separated relative paths.

    >>> bool(translate("**/*.pyc").match("a/b/c.pyc")), bool(translate("**/*.pyc").match("c.pyc"))
    (True, True)
    >>> bool(translate("pkg/*.txt").match("pkg/sub/a.txt"))
    False
    >>> bool(translate("pkg/**").match("pkg/sub/a.txt")), bool(translate("data/[ab].bin").match("data/a.bin"))
    (True, True)
    """
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether the relative posix ``path`` matches any pattern (or lies below a match).

    >>> matches("pkg/tests/x.py", ["pkg/tests"])
    True
    """
    for pattern in patterns:
        regex = translate(pattern.strip("/"))
        if regex.match(path):
            return True
        parts = path.split("/")
        if any(regex.match("/".join(parts[:n])) for n in range(1, len(parts))):
            return True
    return False
