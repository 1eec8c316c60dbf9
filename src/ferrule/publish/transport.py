"""One HTTP(S) POST to an index: the answer read even when the server stopped reading.

Redirects are not followed (they would carry the Authorization header elsewhere
and turn the POST into a GET); the trust store is the system's or a CA bundle
named as maturin names it; a failed connection becomes :class:`ConnectionFailed`
with a short human reason.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import Any

from ferrule._record import record
from ferrule.publish import PublishError
from ferrule.publish.environ import env_value

__all__ = ["Answer", "ConnectionFailed", "opener", "post"]


@record
class Answer:
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


class ConnectionFailed(Exception):
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


def opener(environ: Mapping[str, str]) -> urllib.request.OpenerDirector:
    """An opener that follows no redirects and reads answers given before the body was sent."""
    return urllib.request.build_opener(
        _NoRedirects(), _HTTPHandler(), _HTTPSHandler(_ssl_context(environ))
    )


def post(
    director: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float
) -> Answer:
    """Send ``request``; the server's answer, whatever its status.

    TLS failures are a :class:`PublishError` (retrying cannot help); anything else
    that leaves no answer is :class:`ConnectionFailed`.
    """
    url = request.full_url
    try:
        with director.open(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", "replace")
            return Answer(response.status, response.reason, text, response.headers)
    except urllib.error.HTTPError as exc:
        try:
            text = exc.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        return Answer(exc.code, str(exc.reason or ""), text, exc.headers)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ssl.SSLCertVerificationError):
            raise PublishError(
                f"cannot verify the TLS certificate of {url} "
                f"({exc.reason.verify_message}); if the index uses a private CA, point "
                "FERRULE_CA_BUNDLE (or MATURIN_CA_BUNDLE) at its certificate bundle"
            ) from None
        if isinstance(exc.reason, ssl.SSLError):  # not transient: retrying cannot help
            raise PublishError(
                f"TLS with {url} failed: {exc.reason.reason or exc.reason}"
                " (is it an https:// server?)"
            ) from None
        raise ConnectionFailed(_describe_failure(exc, timeout)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ConnectionFailed(_describe_failure(exc, timeout)) from None
