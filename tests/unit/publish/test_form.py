"""The upload form (ferrule.publish.form): field names and order, and the exact multipart bytes.

The body is parsed back with the standard library's MIME parser (what an index's framework
does) besides being compared byte for byte.
"""

from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path

import pytest

from ferrule.publish import form
from ferrule.publish.artifact import Artifact
from ferrule.publish.form import encode_form, form_fields


def artifact(path: Path, metadata: dict[str, object]) -> Artifact:
    return Artifact(path, "bdist_wheel", "cp311", metadata, path.stat().st_size, "s" * 4, "b" * 4)  # type: ignore[arg-type]


def test_fields_in_order_with_the_apis_names(tmp_path: Path) -> None:
    path = tmp_path / "x-1-py3-none-any.whl"
    path.write_bytes(b"")
    fields = form_fields(
        artifact(
            path,
            {
                "metadata_version": "2.4",
                "name": "x",
                "version": "1",
                "platforms": ["linux", "mac"],
                "supported_platforms": ["any"],
                "license_files": ["LICENSE", "NOTICE"],
                "keywords": ["a", "b c"],
                "project_urls": {"Home": "https://h", "Docs": "https://d"},
                "requires_python": ">=3.9",
                "dynamic": ["license"],
            },
        )
    )
    assert fields == [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("filetype", "bdist_wheel"),
        ("pyversion", "cp311"),
        ("sha256_digest", "ssss"),
        ("blake2_256_digest", "bbbb"),
        ("metadata_version", "2.4"),
        ("name", "x"),
        ("version", "1"),
        ("platform", "linux"),
        ("platform", "mac"),
        ("supported_platform", "any"),
        ("license_file", "LICENSE"),
        ("license_file", "NOTICE"),
        ("keywords", "a, b c"),
        ("project_urls", "Home, https://h"),
        ("project_urls", "Docs, https://d"),
        ("requires_python", ">=3.9"),
        ("dynamic", "license"),
    ]


def test_requires_python_is_sent_empty_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "x-1.tar.gz"
    path.write_bytes(b"")
    fields = form_fields(artifact(path, {"name": "x", "version": "1"}))
    assert fields[-1] == ("requires_python", "")
    assert [name for name, _ in fields].count("requires_python") == 1


BOUNDARY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def fixed_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(form.secrets, "token_hex", lambda n: BOUNDARY[: 2 * n])


@pytest.mark.usefixtures("fixed_boundary")
def test_exact_body_bytes(tmp_path: Path) -> None:
    path = tmp_path / 'we"ird\\na\nme.whl'
    path.write_bytes(b"PK\x03\x04data")
    art = artifact(path, {"name": "x"})
    body = encode_form([("name", "x"), ('q"u\\o\r\nte', "caf\u00e9")], art)
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="name"\r\n'
        "\r\n"
        "x\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="q\\"u\\\\ote"\r\n'
        "\r\n"
        "caf\u00e9\r\n"
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="content"; filename="we\\"ird\\\\name.whl"\r\n'
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    assert body.boundary == BOUNDARY
    assert body.content_type == f"multipart/form-data; boundary={BOUNDARY}"
    assert body.head == head
    assert body.tail == tail
    assert body.path == path
    assert body.length == len(head) + len(b"PK\x03\x04data") + len(tail)
    assert list(body.chunks()) == [head, b"PK\x03\x04data", tail]


def test_the_file_is_streamed_in_64_kib_chunks_and_can_be_sent_twice(tmp_path: Path) -> None:
    data = bytes(range(256)) * 600  # 150 KiB
    path = tmp_path / "x-1-py3-none-any.whl"
    path.write_bytes(data)
    body = encode_form([("name", "x")], artifact(path, {"name": "x"}))
    chunks = list(body.chunks())
    assert [len(c) for c in chunks[1:-1]] == [65536, 65536, len(data) - 131072]
    first = b"".join(chunks)
    assert b"".join(body.chunks()) == first
    assert len(first) == body.length

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + first
    )
    parts = list(message.iter_parts())
    assert [(p.get_param("name", header="content-disposition")) for p in parts] == [
        "name",
        "content",
    ]
    assert parts[1].get_filename() == path.name
    assert parts[1].get_content_type() == "application/octet-stream"
    assert parts[1].get_payload(decode=True) == data


def test_each_body_has_a_fresh_32_hex_digit_boundary(tmp_path: Path) -> None:
    path = tmp_path / "x-1-py3-none-any.whl"
    path.write_bytes(b"")
    one, two = (encode_form([], artifact(path, {"name": "x"})) for _ in range(2))
    assert one.boundary != two.boundary
    for body in (one, two):
        assert len(body.boundary) == 32
        int(body.boundary, 16)
