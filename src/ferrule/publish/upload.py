"""Uploading files over HTTP(S), with retries and the server's own reasons.

One POST per file, as PyPI's upload API wants. Connection failures and answers
that say "try again" (429, 500, 502, 503, 504) are retried with exponential
backoff; anything else ends the upload with the status and the server's words.
Redirects are not followed: they would carry the Authorization header elsewhere
and turn the POST into a GET. Every text that reaches the user goes through
:meth:`Credentials.redact` first.
"""

from __future__ import annotations

import http.client
import platform
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path
from typing import Any

from ferrule import _log
from ferrule._version import __version__
from ferrule.publish import PublishError
from ferrule.publish.artifact import Artifact
from ferrule.publish.environ import env_value
from ferrule.publish.form import encode_form, form_fields
from ferrule.publish.target import Target

__all__ = ["UploadReport", "server_reason", "upload_artifacts", "upload_backoff"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
_MAX_RETRY_AFTER = 60.0
_REASON_LIMIT = 600


@dataclass
class UploadReport:
    uploaded: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class _Answer:
    status: int
    phrase: str
    body: str
    headers: Message

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("Retry-After", "")
        try:
            return max(0.0, float(value))
        except ValueError:
            return None


class _ConnectionFailed(Exception):
    """Internal: no answer from the server (the message says why)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class _AnswerFirst:
    """Connection behaviour: an answer given before the body was read still gets read.

    A server that refuses an upload (wrong password, file exists) often answers
    at once and closes the connection without reading the body. Sending the rest
    then fails with a broken pipe, while its answer sits in our receive buffer.
    So a failed send is remembered and the rest of the body dropped; the answer
    is read if there is one, and only otherwise does the send error count.
    """

    send_error: OSError | None = None

    def send(self, data: Any) -> None:
        if self.send_error is not None:
            return
        try:
            super().send(data)  # type: ignore[misc]
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as exc:
            self.send_error = exc

    def getresponse(self) -> http.client.HTTPResponse:
        try:
            response: http.client.HTTPResponse = super().getresponse()  # type: ignore[misc]
        except (OSError, http.client.HTTPException):
            if self.send_error is not None:
                raise self.send_error from None
            raise
        return response


class _HTTPConnection(_AnswerFirst, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_AnswerFirst, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._ferrule_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=self._ferrule_context)


def _ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """The system's trust store, or a CA bundle named as maturin (and requests, curl) name it."""
    bundle = env_value(environ, "CA_BUNDLE")
    if bundle is None:
        for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            if environ.get(variable):
                bundle = (variable, environ[variable])
                break
    if bundle is None:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=bundle[1])
    except (OSError, ssl.SSLError) as exc:
        raise PublishError(f"{bundle[0]}={bundle[1]}: cannot load the CA bundle: {exc}") from None


def _describe_failure(exc: BaseException, timeout: float) -> str:
    """A short human reason for a failed connection."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "the server closed the connection during the upload"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror})"
    if isinstance(exc, http.client.IncompleteRead):
        return "the server's answer was cut off"
    text = getattr(exc, "strerror", None) or str(exc) or ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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


def _is_file_exists(answer: _Answer) -> bool:
    """The index already has a file of that name (as twine and maturin tell it)."""
    text = f"{answer.phrase} {answer.body}".lower()
    if answer.status == 409:  # pypiserver, and others
        return True
    if answer.status == 400:
        # PyPI, TestPyPI, GCP Artifact Registry; Nexus; GitLab
        return any(s in text for s in ("already exist", "updating asset", "already been taken"))
    return answer.status == 403 and "overwrite artifact" in text  # Artifactory


class _Uploader:
    def __init__(
        self,
        target: Target,
        environ: Mapping[str, str],
        *,
        retries: int,
        backoff: float,
        timeout: float,
        sleep: Callable[[float], None],
    ) -> None:
        self.target = target
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.opener = urllib.request.build_opener(
            _NoRedirects(), _HTTPHandler(), _HTTPSHandler(_ssl_context(environ))
        )
        self.user_agent = f"ferrule/{__version__} (Python {platform.python_version()})"

    def redact(self, text: str) -> str:
        return self.target.credentials.redact(text)

    def _post(self, artifact: Artifact) -> _Answer:
        body = encode_form(form_fields(artifact), artifact)
        if body.length - len(body.head) - len(body.tail) != artifact.size:
            raise PublishError(f"{artifact.path}: the file changed after it was checked")
        request = urllib.request.Request(  # noqa: S310 - the scheme was checked: http(s) only
            self.target.repository.url,
            data=body.chunks(),
            method="POST",
            headers={
                "Content-Type": body.content_type,
                "Content-Length": str(body.length),
                "Authorization": self.target.credentials.authorization,
                "User-Agent": self.user_agent,
                "Accept": "text/plain, text/html;q=0.9, */*;q=0.1",
            },
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
                return _Answer(response.status, response.reason, text, response.headers)
        except urllib.error.HTTPError as exc:
            try:
                text = exc.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                text = ""
            return _Answer(exc.code, str(exc.reason or ""), text, exc.headers)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ssl.SSLCertVerificationError):
                raise PublishError(
                    f"cannot verify the TLS certificate of {self.target.repository.url} "
                    f"({exc.reason.verify_message}); if the index uses a private CA, point "
                    "FERRULE_CA_BUNDLE (or MATURIN_CA_BUNDLE) at its certificate bundle"
                ) from None
            if isinstance(exc.reason, ssl.SSLError):  # not transient: retrying cannot help
                raise PublishError(
                    f"TLS with {self.target.repository.url} failed: {exc.reason.reason or exc.reason}"
                    " (is it an https:// server?)"
                ) from None
            raise _ConnectionFailed(_describe_failure(exc, self.timeout)) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _ConnectionFailed(_describe_failure(exc, self.timeout)) from None

    def upload(self, artifact: Artifact, done: Sequence[Path]) -> bool:
        """True when uploaded, False when skipped as already there."""
        url = self.target.repository.url
        attempts = self.retries + 1
        lost_connection = False
        for attempt in range(1, attempts + 1):
            problem = ""
            try:
                answer = self._post(artifact)
            except _ConnectionFailed as exc:
                problem, lost_connection = self.redact(str(exc)), True
                retry_after = None
            else:
                if 200 <= answer.status < 300:
                    return True
                if answer.status not in RETRY_STATUSES:
                    return self._refused(artifact, answer, lost_connection, done)
                reason = self.redact(server_reason(answer.status, answer.phrase, answer.body))
                problem = _status(answer) + (f": {reason}" if reason else "")
                retry_after = answer.retry_after
            if attempt == attempts:
                raise PublishError(
                    f"could not upload {artifact.filename} to {url} after {attempts} "
                    f"attempts: {problem}{_done(done)}"
                )
            delay = self.backoff * 2 ** (attempt - 1)
            if retry_after is not None:
                delay = min(max(delay, retry_after), _MAX_RETRY_AFTER)
            _log.warn(
                f"uploading {artifact.filename} failed ({problem}); retrying in {delay:g} s "
                f"(attempt {attempt + 1} of {attempts})"
            )
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _refused(
        self, artifact: Artifact, answer: _Answer, lost_connection: bool, done: Sequence[Path]
    ) -> bool:
        url = self.target.repository.url
        reason = self.redact(server_reason(answer.status, answer.phrase, answer.body))
        status = _status(answer)
        said = f" The index said: {reason}" if reason else ""
        creds = self.target.credentials
        if _is_file_exists(answer):
            if self.target.skip_existing:
                _log.warn(f"skipping {artifact.filename}: it already exists on {url}")
                return False
            earlier = (
                " (an earlier attempt that lost its connection may have stored it)"
                if lost_connection
                else ""
            )
            raise PublishError(
                f"{artifact.filename} already exists on {url}{earlier} ({status}). An index "
                "does not replace files: raise the version, or pass --skip-existing to leave "
                f"files that are already there alone.{said}{_done(done)}"
            )
        if 300 <= answer.status < 400:
            location = self.redact(answer.headers.get("Location", "") or "somewhere else")
            raise PublishError(
                f"{url} answered {status}, redirecting to {location}; uploads are not "
                "redirected (the credentials would go along). Use the final upload URL "
                f"with --repository-url.{_done(done)}"
            )
        if answer.status in (401, 403):
            meaning = (
                "asked for credentials again: they were not accepted"
                if answer.status == 401
                else "refused the upload: the username or password (or token) is wrong, or "
                f"this account may not upload {artifact.name}"
            )
            raise PublishError(
                f"{url} {meaning} ({status}; user {creds.username!r}, password from "
                f"{creds.source}).{said}{_done(done)}"
            )
        raise PublishError(f"{url} rejected {artifact.filename} ({status}).{said}{_done(done)}")


def _status(answer: _Answer) -> str:
    """``403 Forbidden``: the standard phrase (PyPI's status lines carry whole sentences)."""
    try:
        return f"{answer.status} {HTTPStatus(answer.status).phrase}"
    except ValueError:
        return f"{answer.status} {answer.phrase}".strip()


def _done(done: Sequence[Path]) -> str:
    if not done:
        return ""
    return "\nUploaded before this error: " + ", ".join(p.name for p in done)


def _size(n: int) -> str:
    """
    >>> _size(512), _size(2_500_000)
    ('512 B', '2.4 MiB')
    """
    value = float(n)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def upload_backoff(environ: Mapping[str, str]) -> float:
    """The wait before the first retry: ``FERRULE_UPLOAD_BACKOFF`` seconds, else 1.

    >>> upload_backoff({}), upload_backoff({"FERRULE_UPLOAD_BACKOFF": "0.01"})
    (1.0, 0.01)
    """
    raw = environ.get("FERRULE_UPLOAD_BACKOFF", "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= _MAX_RETRY_AFTER:
        raise PublishError(
            f"FERRULE_UPLOAD_BACKOFF={raw!r}: expected seconds from 0 to {_MAX_RETRY_AFTER:g}"
        )
    return value


def upload_artifacts(
    artifacts: Sequence[Artifact],
    target: Target,
    environ: Mapping[str, str],
    *,
    retries: int = 3,
    backoff: float | None = None,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> UploadReport:
    """Upload each file in turn; the first refusal ends the upload (with what got through).

    ``backoff`` is the wait before the first retry, doubled for each further
    one; by default ``FERRULE_UPLOAD_BACKOFF`` (seconds) or 1 s.
    """
    if backoff is None:
        backoff = upload_backoff(environ)
    uploader = _Uploader(
        target, environ, retries=retries, backoff=backoff, timeout=timeout, sleep=sleep
    )
    repo, creds = target.repository, target.credentials
    if repo.url.startswith("http://") and repo.host not in ("localhost", "127.0.0.1", "::1"):
        _log.warn(f"{repo.url} is not https: the password travels unencrypted")
    _log.info(
        f"uploading {len(artifacts)} file{'s' if len(artifacts) != 1 else ''} to {repo.url} "
        f"as {creds.username!r} (password from {creds.source})"
    )
    report = UploadReport()
    for artifact in artifacts:
        _log.info(f"uploading {artifact.filename} ({_size(artifact.size)})")
        if uploader.upload(artifact, report.uploaded):
            report.uploaded.append(artifact.path)
        else:
            report.skipped.append(artifact.path)
    return report
