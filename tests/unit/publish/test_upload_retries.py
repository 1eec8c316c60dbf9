"""``ferrule upload`` against a scripted HTTP server in this process (no index needed).

429 and 5xx answers are retried with exponential backoff (made tiny with
``FERRULE_UPLOAD_BACKOFF``), then end in one clear error; 400 / 401 / 403 end
the upload at once; and no form of the password or token reaches the output,
even when the server echoes the request's credentials back.
"""

from __future__ import annotations

import base64
import http.server
import os
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferrule.cli import main
from tests.helpers.index import pure_python_wheel

PASSWORD = "pw-" + secrets.token_hex(12)
TOKEN = "pypi-" + secrets.token_urlsafe(48)
BACKOFF = 0.01


class Script(http.server.ThreadingHTTPServer):
    """Answers each POST with the next status of ``statuses`` (the last one repeats)."""

    def __init__(self, statuses: list[int], retry_after: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.statuses = statuses
        self.retry_after = retry_after
        self.posts: list[str] = []  # the Authorization header of each

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/legacy/"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Script

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        auth = self.headers.get("Authorization", "")
        self.server.posts.append(auth)
        statuses = self.server.statuses
        status = statuses[min(len(self.server.posts), len(statuses)) - 1]
        # A careless server: its answer quotes the credentials it was sent.
        user, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        body = f"<html><pre>status {status} for {auth} user {user} password {password}</pre></html>"
        self.send_response(status, f"Status {status} for {password}")
        if self.server.retry_after is not None:
            self.send_header("Retry-After", self.server.retry_after)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(statuses: list[int], retry_after: str | None = None) -> Iterator[Script]:
    server = Script(statuses, retry_after)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return pure_python_wheel(tmp_path, "retry-demo", "1.0", module_source="X = 1\n")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("FERRULE_", "MATURIN_", "TWINE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pypirc of the machine's
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("FERRULE_UPLOAD_BACKOFF", str(BACKOFF))
    monkeypatch.setenv("FERRULE_USERNAME", "alice")
    monkeypatch.setenv("FERRULE_PASSWORD", PASSWORD)


def upload(
    url: str, wheel: Path, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, str]:
    code = main([*flags, "upload", "--repository-url", url, str(wheel)])
    out, err = capsys.readouterr()
    return code, out + err


def no_secret(text: str, username: str, password: str) -> None:
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    for secret in (password, basic, password[4:-4]):
        assert secret not in text


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retried_with_backoff_then_a_clear_error(
    status: int, wheel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for server in serve([status]):
        code, output = upload(server.url, wheel, capsys)
    assert code == 1
    assert len(server.posts) == 4
    delays = re.findall(r"retrying in ([\d.]+) s \(attempt (\d) of 4\)", output)
    assert delays == [(f"{BACKOFF * 2**i:g}", str(i + 2)) for i in range(3)]
    last = output.strip().splitlines()[-1]
    assert last.startswith(f"ferrule: error: could not upload {wheel.name} to {server.url} ")
    assert f"after 4 attempts: {status} " in last
    no_secret(output, "alice", PASSWORD)


def test_a_transient_failure_then_success(wheel: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for server in serve([503, 502, 200]):
        code, output = upload(server.url, wheel, capsys)
    assert (code, len(server.posts)) == (0, 3)
    assert output.count("retrying in") == 2
    assert "uploaded 1 file" in output


def test_retry_after_is_honoured(wheel: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for server in serve([429, 200], retry_after="0.05"):
        code, output = upload(server.url, wheel, capsys)
    assert code == 0
    assert "retrying in 0.05 s (attempt 2 of 4)" in output


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (400, "rejected retry_demo-1.0-py3-none-any.whl (400 Bad Request)"),
        (
            401,
            "asked for credentials again: they were not accepted (401 Unauthorized; user 'alice'",
        ),
        (403, "refused the upload: the username or password (or token) is wrong"),
    ],
)
def test_refusals_are_not_retried(
    status: int, says: str, wheel: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for server in serve([status, 200]):
        code, output = upload(server.url, wheel, capsys, "-v")
    assert (code, len(server.posts)) == (1, 1)
    assert "retrying" not in output
    assert says in output
    no_secret(output, "alice", PASSWORD)


@pytest.mark.parametrize("status", [403, 503])
def test_a_token_never_reaches_the_output(
    status: int, wheel: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FERRULE_USERNAME")
    monkeypatch.delenv("FERRULE_PASSWORD")
    monkeypatch.setenv("MATURIN_PYPI_TOKEN", TOKEN)
    for server in serve([status]):
        code, output = upload(server.url, wheel, capsys, "-v")
    assert code == 1
    assert server.posts[0] == "Basic " + base64.b64encode(f"__token__:{TOKEN}".encode()).decode()
    no_secret(output, "__token__", TOKEN)


def test_a_bad_backoff_is_refused(
    wheel: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERRULE_UPLOAD_BACKOFF", "soon")
    for server in serve([200]):
        code, output = upload(server.url, wheel, capsys)
    assert code == 1 and not server.posts
    assert "FERRULE_UPLOAD_BACKOFF='soon': expected seconds from 0 to 60" in output
