"""Pure comparison of two wheels' names, file lists and METADATA (no I/O but reading zips)."""

from __future__ import annotations

import re
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement


def wheel_files(wheel: Path) -> list[str]:
    """The member names of a wheel, as stored (the crate's SBOM in ``.dist-info/sboms/``
    included: ferrule writes it under maturin's name, docs/compat.md)."""
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def wheel_metadata(wheel: Path) -> str:
    """The text of the wheel's ``*.dist-info/METADATA``."""
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return archive.read(names[0]).decode("utf-8") if names else ""


def file_differences(theirs: list[str], ours: list[str]) -> list[str]:
    """Files only in maturin's wheel (``-name``) then only in ferrule's (``+name``).

    Order within the zip does not count, only membership.

    >>> file_differences(["a/__init__.py", "a/x.so"], ["a/x.so", "a/__init__.py"])
    []
    >>> file_differences(["a/x.so", "a.pyi"], ["a/x.so", "a/b.pyi", "a/c.pyi"])
    ['-a.pyi', '+a/b.pyi', '+a/c.pyi']
    """
    mine, other = set(ours), set(theirs)
    return [f"-{n}" for n in sorted(other - mine)] + [f"+{n}" for n in sorted(mine - other)]


def parse_metadata(text: str) -> dict[str, list[str]]:
    """Core-metadata fields, keys lower-cased, values in order; the body (the long description) as ``(body)``.

    >>> parse_metadata("Name: a\\nClassifier: X\\nClassifier: Y\\n\\nHello\\n")
    {'name': ['a'], 'classifier': ['X', 'Y'], '(body)': ['Hello\\n']}
    """
    message = HeaderParser().parsestr(text)
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key.lower(), []).append(str(value))
    body = message.get_payload()
    if isinstance(body, str) and body:
        fields.setdefault("(body)", []).append(body)
    return fields


def _requirements(values: list[str]) -> set[object]:
    """Requirement strings as comparable values; an unparsable one stays a string."""
    out: set[object] = set()
    for value in values:
        try:
            req = Requirement(value)
        except InvalidRequirement:
            out.add(value)
            continue
        extras = ",".join(sorted(req.extras))
        out.add(
            (
                req.name.lower().replace("_", "-"),
                extras,
                str(req.specifier),
                req.url,
                str(req.marker),
            )
        )
    return out


def metadata_differences(theirs: str, ours: str) -> list[str]:
    """Names of the METADATA fields that differ between maturin's and ferrule's text.

    ``Requires-Dist`` is compared as a set of requirements (spelling and order free);
    every other field must be the same values in the same order.

    >>> metadata_differences(
    ...     "Name: a\\nRequires-Dist: cffi>=1; extra == 'x'\\nRequires-Dist: b\\n",
    ...     "Name: a\\nRequires-Dist: b\\nRequires-Dist: cffi >= 1 ; extra == \\"x\\"\\n",
    ... )
    []
    >>> metadata_differences("Name: a\\nLicense: MIT\\n", "Name: a\\nLicense-Expression: MIT\\n")
    ['License', 'License-Expression']
    """
    mine, other = parse_metadata(ours), parse_metadata(theirs)
    spelled = {k.lower(): k for k in re.findall(r"^([A-Za-z-]+):", theirs + "\n" + ours, re.M)}
    differing = []
    for key in sorted(set(mine) | set(other)):
        a, b = other.get(key, []), mine.get(key, [])
        same = _requirements(a) == _requirements(b) if key == "requires-dist" else a == b
        if not same:
            differing.append(spelled.get(key, key))
    return differing


def error_line(output: str) -> str:
    """The line of a tool's output that says what went wrong.

    A Python traceback's exception; else the first line naming an error (with maturin's
    innermost ``Caused by:``); else the last non-empty line. ANSI colours removed.

    >>> error_line("🍹 Building\\n💥 maturin failed\\n  Caused by: a\\n  Caused by: b\\n")
    '💥 maturin failed Caused by: b'
    >>> error_line("ferrule: error: pyproject.toml: project.foo: unknown key\\n")
    'ferrule: error: pyproject.toml: project.foo: unknown key'
    >>> error_line("\\x1b[31mcompiling\\x1b[0m\\nKilled\\n\\n")
    'Killed'
    >>> error_line("Traceback (most recent call last):\\n  File x\\nImportError: no x\\n")
    'ImportError: no x'
    >>> error_line("Traceback (most recent call last):\\n  File x\\n    assert ok\\nAssertionError\\n")
    'AssertionError: assert ok'
    >>> error_line("ferrule: error: cargo failed with exit code 101\\n  output:\\n    error: needs `bindgen`\\n")
    'error: needs `bindgen`'
    >>> error_line("")
    ''
    """
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in output.splitlines()]
    lines = [line for line in lines if line]
    if "Traceback (most recent call last):" in lines:  # Python: the exception, at the end
        at = max(
            (
                i
                for i, line in enumerate(lines)
                if re.match(r"[\w.]+(Error|Exception|Exit)\b", line)
            ),
            default=len(lines) - 1,
        )
        bare = ":" not in lines[at] and at > 0  # a bare `assert`: show its source line
        return f"{lines[at]}: {lines[at - 1]}" if bare else lines[at]
    causes = [line for line in lines if line.startswith("Caused by:")]
    errors = [line for line in lines if re.search(r"\berror\b|💥|timed out", line, re.I)]
    if not errors:
        return lines[-1] if lines else ""
    if errors[0].endswith("maturin failed") and causes:
        return f"{errors[0]} {causes[-1]}"
    if "cargo failed with exit code" in errors[0] and len(errors) > 1:
        return errors[-1]  # ferrule quotes the failing cargo command's own error below
    return errors[0]
