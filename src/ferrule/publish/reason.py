"""The server's reason for refusing an upload, in a line a user can read.

Indexes answer in plain text, JSON or whole HTML pages; this finds the words
that say why (a ``<pre>`` block, a title, the text), drops what repeats the
status, and keeps it short.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http import HTTPStatus

from ferrule.publish.transport import Answer

__all__ = ["is_file_exists", "server_reason"]

_REASON_LIMIT = 600


class _TextOf(HTMLParser):
    """The text of an HTML error page: its <pre> blocks, its <title>, all of it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"title": [], "pre": [], "all": []}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "script" in self._open or "style" in self._open:
            return
        for tag in ("title", "pre"):
            if tag in self._open:
                self.parts[tag].append(data)
        if "title" not in self._open:
            self.parts["all"].append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _says_nothing(text: str, status: int, phrase: str) -> bool:
    """Text that only repeats the status (or is a stray ``None`` from a framework).

    >>> _says_nothing("Error: 403 Forbidden", 403, "Forbidden"), _says_nothing("None", 403, "")
    (True, True)
    """
    rest = text.lower().replace(str(status), "").replace(phrase.lower(), "")
    rest = rest.replace("error", "").strip(" :-.")
    return rest in ("", "none", "null")


def server_reason(status: int, phrase: str, body: str) -> str:
    """What the server said, in one line: PyPI puts it in the status line, others in the body.

    >>> server_reason(400, "File already exists. See https://pypi.org/help/#file-name-reuse", "")
    'File already exists. See https://pypi.org/help/#file-name-reuse'
    >>> server_reason(409, "Conflict", "<html><title>Error: 409 Conflict</title><h1>Error</h1>"
    ...               "<pre>Package 'a.whl' already exists!\\n  Use --overwrite.</pre></html>")
    "Package 'a.whl' already exists! Use --overwrite."
    >>> server_reason(400, "Bad Request", "<html><head><title>400 'Foo :: Bar' is not a valid "
    ...               "classifier.</title></head><body>The server could not comply</body></html>")
    "400 'Foo :: Bar' is not a valid classifier."
    >>> server_reason(502, "Bad Gateway", "<html><head><title>502 Bad Gateway</title></head></html>")
    ''
    >>> server_reason(403, "Forbidden", "Invalid or non-existent authentication information.")
    'Invalid or non-existent authentication information.'
    >>> server_reason(403, "Forbidden", "<title>Error: 403 Forbidden</title><pre>None</pre>")
    ''
    """
    try:
        standard = HTTPStatus(status).phrase
    except ValueError:
        standard = ""
    said = [] if phrase.strip() in ("", standard) else [_squash(phrase)]
    text = body.strip()
    if text.lstrip().startswith("<") and ">" in text:
        parser = _TextOf()
        parser.feed(text)
        parser.close()
        # An error page's message is in <pre> (bottle, pypiserver) or <title> (nginx,
        # PyPI); only a page with neither gets its whole text quoted.
        keys = [k for k in ("pre", "title") if parser.parts[k]] or ["all"]
        candidates = (_squash(" ".join(parser.parts[k])) for k in keys)
        text = next((c for c in candidates if not _says_nothing(c, status, standard)), "")
    else:
        text = _squash(text)
        text = "" if _says_nothing(text, status, standard) else text
    if text and not any(text in s or s in text for s in said):
        said.append(text)
    reason = " - ".join(said)
    if len(reason) > _REASON_LIMIT:
        reason = reason[: _REASON_LIMIT - 3] + "..."
    return reason


def is_file_exists(answer: Answer) -> bool:
    """The index already has a file of that name (as twine and maturin tell it)."""
    text = f"{answer.phrase} {answer.body}".lower()
    if answer.status == 409:  # pypiserver, and others
        return True
    if answer.status == 400:
        # PyPI, TestPyPI, GCP Artifact Registry; Nexus; GitLab
        return any(s in text for s in ("already exist", "updating asset", "already been taken"))
    return answer.status == 403 and "overwrite artifact" in text  # Artifactory
