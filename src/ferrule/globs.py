"""Glob patterns: ``exclude`` (wheels and sdists alike) and ``.gitignore`` files.

``exclude`` patterns match a file's ``/``-separated path relative to the
project (pyproject.toml's directory) as maturin matches them (Rust's ``glob``
crate with its default options): ``*`` and ``?`` match any character, ``/``
included, so ``*.txt`` leaves out every ``.txt`` file at any depth and
``pkg/*.txt`` those anywhere below ``pkg/``. ferrule adds one rule, for wheels
and sdists alike: a pattern that matches a directory leaves out everything
below it (``exclude = ["pkg/tests"]``).

``.gitignore`` files follow git's rules (:class:`GitIgnore`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from ferrule._record import record

__all__ = ["GitIgnore", "matches", "translate"]


def _class(pattern: str, i: int) -> tuple[str, int] | None:
    """A ``[...]`` character class starting at ``pattern[i]``: (regex, index after it)."""
    j = i + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1  # a leading ] is a literal member
    end = pattern.find("]", j)
    if end == -1:
        return None
    body = pattern[i + 1 : end]
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    body = body.replace("\\", "\\\\").replace("^", "\\^")
    return f"[{'^' if negate else ''}{body}]", end + 1


def _glob_regex(pattern: str, *, gitignore: bool) -> str:
    r"""The regex of a glob: maturin's, or with ``gitignore`` git's.

    maturin's ``*`` and ``?`` cross ``/`` and ``**/`` stands anywhere; git's stop at
    ``/``, ``**`` is special only as a whole segment (``**/`` or a final ``/**``),
    and ``\`` escapes the next character.

    >>> _glob_regex("a/*.py", gitignore=False), _glob_regex("a/*.py", gitignore=True)
    ('a/.*\\.py', 'a/[^/]*\\.py')
    """
    star, one = ("[^/]*", "[^/]") if gitignore else (".*", ".")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        segment_start = not gitignore or i == 0 or pattern[i - 1] == "/"
        if segment_start and pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif gitignore and segment_start and pattern.startswith("**", i) and i + 2 == len(pattern):
            out.append(".*")  # "a/**": everything inside a/
            i += 2
        elif c == "*":
            out.append(star)
            while i < len(pattern) and pattern[i] == "*":  # a run of * is one
                i += 1
        elif c == "?":
            out.append(one)
            i += 1
        elif c == "[" and (klass := _class(pattern, i)) is not None:
            out.append(klass[0])
            i = klass[1]
        elif gitignore and c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def translate(pattern: str) -> re.Pattern[str]:
    r"""Compile an ``exclude`` glob (maturin's semantics: ``*`` crosses ``/``).

    >>> bool(translate("*.pyc").match("a/b/c.pyc")), bool(translate("**/*.pyc").match("c.pyc"))
    (True, True)
    >>> bool(translate("pkg/*.txt").match("pkg/sub/a.txt")), bool(translate("pkg/*.txt").match("x/a.txt"))
    (True, False)
    >>> bool(translate("data/[ab].bin").match("data/a.bin")), bool(translate("data/[!ab].bin").match("data/a.bin"))
    (True, False)
    """
    return re.compile(_glob_regex(pattern, gitignore=False) + r"\Z", re.DOTALL)


def matches(path: str, patterns: Iterable[str]) -> bool:
    """Whether the relative posix ``path`` matches any pattern (or lies below a match).

    >>> matches("pkg/tests/x.py", ["pkg/tests"]), matches("pkg/tests/x.py", ["*.txt"])
    (True, False)
    """
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    for pattern in patterns:
        regex = translate(pattern.strip("/"))
        if any(regex.match(prefix) for prefix in prefixes):
            return True
    return False


# --- .gitignore ---------------------------------------------------------------------------


@record
class _Rule:
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


def _gitignore_regex(pattern: str) -> str:
    r"""The regex of one .gitignore pattern (already stripped of ``!`` and a trailing ``/``).

    >>> _gitignore_regex("*.log"), _gitignore_regex("/build"), _gitignore_regex("a/**/b")
    ('(?:.*/)?[^/]*\\.log', 'build', 'a/(?:.*/)?b')
    """
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    body = _glob_regex(pattern, gitignore=True)
    return body if anchored else f"(?:.*/)?{body}"


def _clean(line: str) -> str | None:
    """A .gitignore line without comments and unescaped trailing spaces; None if blank."""
    if not line or line.startswith("#"):
        return None
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    if line.endswith("\\ "):
        line = line[:-2] + " "
    return line or None


class GitIgnore:
    """The patterns of one ``.gitignore`` file, matched as git matches them.

    Paths are relative to the file's directory. The last pattern that matches
    decides (``!`` re-includes); a pattern ending in ``/`` matches directories
    only; one with a ``/`` elsewhere is anchored, one without matches a name at
    any depth. Callers walk the tree top-down and prune ignored directories,
    which is git's rule that nothing below an ignored directory comes back.

    >>> g = GitIgnore(["*.log", "!keep.log", "build/", "/top.txt", r"\\#hash", "docs/**/*.tmp"])
    >>> [g.match(p, d) for p, d in [("a/x.log", False), ("keep.log", False), ("build", True),
    ...  ("build", False), ("sub/top.txt", False), ("top.txt", False), ("#hash", False),
    ...  ("docs/a/b/c.tmp", False), ("src/lib.rs", False)]]
    [True, False, True, None, None, True, True, True, None]
    """

    def __init__(self, lines: Sequence[str]) -> None:
        rules = []
        for raw in lines:
            line = _clean(raw.rstrip("\r\n"))
            if line is None:
                continue
            negated = line.startswith("!")
            if negated or line.startswith(("\\!", "\\#")):
                line = line[1:]
            directory_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            regex = re.compile(_gitignore_regex(line) + r"\Z", re.DOTALL)
            rules.append(_Rule(regex, negated, directory_only))
        self.rules = tuple(rules)

    def match(self, relative: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included by a ``!`` pattern; None: no pattern matches."""
        for rule in reversed(self.rules):
            if rule.directory_only and not is_dir:
                continue
            if rule.regex.match(relative):
                return not rule.negated
        return None
