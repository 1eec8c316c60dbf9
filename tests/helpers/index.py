"""Package indexes on 127.0.0.1 for the upload tests.

- :class:`PypiServer`: a real pypiserver with htpasswd authentication for uploads;
- :class:`DyingServer`: accepts each upload, reads part of it, then drops the connection;
- :class:`FlakyProxy`: answers the first N uploads with 503, then forwards to a real index.

Everything listens on 127.0.0.1 on a free port and is stopped by ``close()``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        port: int = s.getsockname()[1]
        return port


def htpasswd_line(user: str, password: str) -> str:
    """An Apache htpasswd entry in the ``{SHA}`` scheme, which passlib (pypiserver) accepts."""
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()  # noqa: S324
    return f"{user}:{{SHA}}{digest}"


class PypiServer:
    """``pypi-server run`` with uploads behind a password file; downloads stay open."""

    def __init__(self, root: Path, users: dict[str, str]) -> None:
        self.packages = root / "packages"
        self.packages.mkdir(parents=True)
        passwords = root / "htpasswd"
        passwords.write_text("".join(htpasswd_line(u, p) + "\n" for u, p in users.items()))
        self.port = free_port()
        self.url = f"http://{LOCALHOST}:{self.port}/"
        self.simple_url = f"{self.url}simple/"
        self.log = (root / "server.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pypiserver",
                "run",
                "--host",
                LOCALHOST,
                "--port",
                str(self.port),
                "--authenticate",
                "update",
                "--passwords",
                str(passwords),
                "--disable-fallback",
                str(self.packages),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pypiserver exited: {self.log_text()}")
            try:
                with urllib.request.urlopen(self.simple_url, timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"pypiserver did not answer within {timeout} s: {self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()

    def files(self) -> set[str]:
        return {p.name for p in self.packages.iterdir()}

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


class DyingServer:
    """Accepts connections, reads the request head and a little of the body, then drops it.

    ``connections`` counts the attempts a client made.
    """

    def __init__(self, read_bytes: int = 4096) -> None:
        self.read_bytes = read_bytes
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind((LOCALHOST, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = f"http://{LOCALHOST}:{self.sock.getsockname()[1]}/"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            with conn:
                conn.settimeout(5)
                received = 0
                try:
                    while received < self.read_bytes:
                        data = conn.recv(self.read_bytes - received)
                        if not data:
                            break
                        received += len(data)
                except OSError:
                    pass
                # Dropped with unread data pending: the client sees a reset, as when a
                # server process dies mid-upload.

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


class FlakyProxy:
    """Answers the first ``failures`` POSTs with 503, then forwards requests to ``upstream``."""

    def __init__(self, upstream: str, failures: int) -> None:
        self.failures = failures
        self.posts = 0
        proxy = self
        target = urlsplit(upstream)

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                proxy.posts += 1
                if proxy.posts <= proxy.failures:
                    text = b"upstream is restarting"
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(text)))
                    self.end_headers()
                    self.wfile.write(text)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request("POST", target.path or "/", body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

        self.server = http.server.ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self.url = f"http://{LOCALHOST}:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def pure_python_wheel(
    out: Path, name: str, version: str, *, module_source: str, metadata: str = "", pad: int = 0
) -> Path:
    """A small valid pure-Python wheel (with RECORD), for transport tests that need no compiler.

    ``pad`` adds that many random bytes in a data file, for large uploads.
    """
    dist = name.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    files: dict[str, bytes] = {
        f"{dist}/__init__.py": module_source.encode(),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n{metadata}"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: ferrule-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    if pad:
        files[f"{dist}/padding.bin"] = os.urandom(pad)
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = out / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in files.items():
            zf.writestr(arcname, data)
    return path


class AnsweringServer:
    """Answers every POST with one fixed response; records each request (header names in lower case) and body."""

    def __init__(
        self, status: int, reason: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.requests: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                server_self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                server_self.requests.append({k.lower(): v for k, v in self.headers.items()})
                self.send_response(status, reason)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self.url = f"http://{LOCALHOST}:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def sdist(out: Path, name: str, version: str, *, pkg_info: str | None = None) -> Path:
    """A minimal ``.tar.gz`` sdist with ``<name>-<version>/PKG-INFO``."""
    import io
    import tarfile

    stem = f"{name.replace('-', '_')}-{version}"
    info = (
        pkg_info
        if pkg_info is not None
        else (f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n")
    )
    path = out / f"{stem}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for arcname, data in ((f"{stem}/PKG-INFO", info.encode()), (f"{stem}/setup.cfg", b"")):
            member = tarfile.TarInfo(arcname)
            member.size = len(data)
            tf.addfile(member, io.BytesIO(data))
    return path


def form_fields_of(headers: dict[str, str], body: bytes) -> list[tuple[str, str | bytes]]:
    """The (name, value) fields of a multipart/form-data request; files as bytes."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['content-type']}\r\n\r\n".encode() + body
    )
    fields: list[tuple[str, str | bytes]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        fields.append((name, payload if part.get_filename() else payload.decode()))
    return fields
