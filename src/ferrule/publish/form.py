"""The upload form of PyPI's upload API, encoded as multipart/form-data.

Field names are the API's (``:action``, ``protocol_version``, the core
metadata in snake case, ``content``, the digests). The file is streamed from
disk in chunks; the body's length is known up front, so no chunked encoding.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

from ferrule._record import record
from ferrule.publish.artifact import Artifact

__all__ = ["MultipartBody", "encode_form", "form_fields"]

_CHUNK = 1 << 16

# RawMetadata keys whose form field has another name.
_RENAMED = {
    "platforms": "platform",
    "supported_platforms": "supported_platform",
    "license_files": "license_file",
}


def form_fields(artifact: Artifact) -> list[tuple[str, str]]:
    """Everything but the file, in the API's field names; lists become repeated fields.

    >>> from pathlib import Path
    >>> a = Artifact(Path("x-1.tar.gz"), "sdist", "source",
    ...              {"metadata_version": "2.4", "name": "x", "version": "1",
    ...               "keywords": ["a", "b"], "classifiers": ["C :: 1", "C :: 2"],
    ...               "project_urls": {"Home": "https://h"}}, 3, "ab", "cd")
    >>> form_fields(a)  # doctest: +NORMALIZE_WHITESPACE
    [(':action', 'file_upload'), ('protocol_version', '1'), ('filetype', 'sdist'),
     ('pyversion', 'source'), ('sha256_digest', 'ab'), ('blake2_256_digest', 'cd'),
     ('metadata_version', '2.4'), ('name', 'x'), ('version', '1'), ('keywords', 'a, b'),
     ('classifiers', 'C :: 1'), ('classifiers', 'C :: 2'), ('project_urls', 'Home, https://h'),
     ('requires_python', '')]
    """
    fields = [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("filetype", artifact.filetype),
        ("pyversion", artifact.pyversion),
        ("sha256_digest", artifact.sha256),
        ("blake2_256_digest", artifact.blake2_256),
    ]
    for key, value in artifact.metadata.items():
        name = _RENAMED.get(key, key)
        if isinstance(value, dict):
            fields += [(name, f"{label}, {url}") for label, url in value.items()]
        elif key == "keywords" and isinstance(value, list):
            fields.append((name, ", ".join(value)))
        elif isinstance(value, list):
            fields += [(name, item) for item in value]
        else:
            fields.append((name, str(value)))
    if "requires_python" not in artifact.metadata:
        # Some indexes (GitLab's) require the field; twine and maturin send it empty.
        fields.append(("requires_python", ""))
    return fields


@record
class MultipartBody:
    """A multipart/form-data body that can be sent (and re-sent) from disk."""

    boundary: str
    head: bytes  # the fields and the file part's headers
    path: Path
    tail: bytes
    length: int

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk
        yield self.tail


def _disposition(name: str, filename: str | None = None) -> bytes:
    def q(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")

    value = f'form-data; name="{q(name)}"'
    if filename is not None:
        value += f'; filename="{q(filename)}"'
    return f"Content-Disposition: {value}\r\n".encode()


def encode_form(fields: Sequence[tuple[str, str]], artifact: Artifact) -> MultipartBody:
    """The form with the artifact as its ``content`` file field."""
    boundary = secrets.token_hex(16)
    delimiter = f"--{boundary}\r\n".encode()
    head = bytearray()
    for name, value in fields:
        head += delimiter + _disposition(name) + b"\r\n" + value.encode("utf-8") + b"\r\n"
    head += delimiter + _disposition("content", artifact.filename)
    head += b"Content-Type: application/octet-stream\r\n\r\n"
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = artifact.path.stat().st_size
    return MultipartBody(boundary, bytes(head), artifact.path, tail, len(head) + size + len(tail))
