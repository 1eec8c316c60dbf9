"""Uploading files over HTTP(S), with retries and the server's own reasons.

One POST per file, as PyPI's upload API wants. Connection failures and answers
that say "try again" (429, 500, 502, 503, 504) are retried with exponential
backoff; anything else ends the upload with the status and the server's words.
Redirects are not followed: they would carry the Authorization header elsewhere
and turn the POST into a GET. Every text that reaches the user goes through
:meth:`Credentials.redact` first.
"""

from __future__ import annotations

import platform
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from ferrule import _log
from ferrule._version import __version__
from ferrule.publish import PublishError
from ferrule.publish.artifact import Artifact
from ferrule.publish.form import encode_form, form_fields
from ferrule.publish.reason import is_file_exists, server_reason
from ferrule.publish.target import Target
from ferrule.publish.transport import Answer, ConnectionFailed, opener, post

__all__ = ["UploadReport", "server_reason", "upload_artifacts", "upload_backoff"]

RETRY_STATUSES = (429, 500, 502, 503, 504)
_MAX_RETRY_AFTER = 60.0


@dataclass
class UploadReport:
    uploaded: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


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
        self.opener = opener(environ)
        self.user_agent = f"ferrule/{__version__} (Python {platform.python_version()})"

    def redact(self, text: str) -> str:
        return self.target.credentials.redact(text)

    def _post(self, artifact: Artifact) -> Answer:
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
        return post(self.opener, request, self.timeout)

    def upload(self, artifact: Artifact, done: Sequence[Path]) -> bool:
        """True when uploaded, False when skipped as already there."""
        url = self.target.repository.url
        attempts = self.retries + 1
        lost_connection = False
        for attempt in range(1, attempts + 1):
            problem = ""
            try:
                answer = self._post(artifact)
            except ConnectionFailed as exc:
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
        self, artifact: Artifact, answer: Answer, lost_connection: bool, done: Sequence[Path]
    ) -> bool:
        url = self.target.repository.url
        reason = self.redact(server_reason(answer.status, answer.phrase, answer.body))
        status = _status(answer)
        said = f" The index said: {reason}" if reason else ""
        creds = self.target.credentials
        if is_file_exists(answer):
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


def _status(answer: Answer) -> str:
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
