"""Issue 10: files are checked before anything is sent; the index's answers become clear errors.

No compiler here: the distributions are small wheels and sdists made by the
test (:func:`tests.helpers.index.pure_python_wheel`), and the servers are tiny
local ones that answer as real indexes do.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ferrule.publish import PublishError
from ferrule.publish.artifact import check_artifacts
from ferrule.publish.credentials import Credentials
from ferrule.publish.form import encode_form, form_fields
from ferrule.publish.repository import Repository
from ferrule.publish.target import Target
from ferrule.publish.upload import upload_artifacts
from tests.conftest import ferrule
from tests.helpers.index import (
    AnsweringServer,
    DyingServer,
    form_fields_of,
    pure_python_wheel,
    sdist,
)
from tests.helpers.venv import clean_env, run

SECRET = "Secret-Pass-9f8e7d"  # noqa: S105 - a test password


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return pure_python_wheel(
        tmp_path,
        "probe",
        "1.0",
        module_source="",
        metadata="Summary: a probe\nRequires-Dist: packaging>=24\nKeywords: a,b\n"
        "Project-URL: Home, https://example.invalid\nClassifier: Typing :: Typed\n\nLong text\n",
    )


def test_valid_files_pass_and_give_the_upload_form(wheel: Path, tmp_path: Path) -> None:
    source = sdist(tmp_path, "probe", "1.0")
    sdist_art, wheel_art = check_artifacts([source, wheel])
    assert (sdist_art.filetype, sdist_art.pyversion) == ("sdist", "source")
    assert (wheel_art.filetype, wheel_art.pyversion) == ("bdist_wheel", "py3")
    assert wheel_art.sha256 == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert wheel_art.size == wheel.stat().st_size
    fields = form_fields(wheel_art)
    assert ("requires_dist", "packaging>=24") in fields
    assert ("project_urls", "Home, https://example.invalid") in fields
    assert ("description", "Long text\n") in fields
    assert (":action", "file_upload") in fields
    body = encode_form(fields, wheel_art)
    data = b"".join(body.chunks())
    assert len(data) == body.length
    assert wheel.read_bytes() in data
    assert data.endswith(f"--{body.boundary}--\r\n".encode())


def test_every_problem_in_every_file_is_reported_at_once(wheel: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    renamed = tmp_path / "probe-2.0-py3-none-any.whl"
    shutil.copy(wheel, renamed)
    bad_metadata = pure_python_wheel(
        tmp_path, "probe", "1.2", module_source="", metadata="Requires-Dist: [broken\n"
    )
    garbage = tmp_path / "junk-1.0-py3-none-any.whl"
    garbage.write_bytes(b"not a zip")
    egg = tmp_path / "old-1.0-py3.9.egg"
    egg.write_bytes(b"")
    same_name = other / wheel.name
    shutil.copy(wheel, same_name)
    first_sdist = sdist(tmp_path, "probe", "1.0")
    second_sdist = other / "Probe-1.0.tar.gz"
    shutil.copy(first_sdist, second_sdist)
    bad_sdist = sdist(
        other, "probe", "3.0", pkg_info="Metadata-Version: 2.4\nName: probe\nVersion: 3.0\nFoo: x\n"
    )
    missing = tmp_path / "missing-1.0.tar.gz"
    files = [
        wheel, wheel, renamed, bad_metadata, garbage, egg, same_name,
        first_sdist, second_sdist, bad_sdist, missing,
    ]  # fmt: skip
    with pytest.raises(PublishError) as info:
        check_artifacts(files)
    text = str(info.value)
    assert text.startswith("nothing was uploaded: ")
    expected = [
        f"{wheel}: given more than once",
        f"{renamed}: the .dist-info directory probe-1.0.dist-info does not match the file name (probe 2.0)",
        f"{bad_metadata}: METADATA: ",
        f"{garbage}: not a valid zip archive",
        f"{egg}: not a distribution",
        f"{same_name}: has the same file name as {wheel}",
        f"{second_sdist}: Probe-1.0/PKG-INFO is missing",
        f"{bad_sdist}: METADATA: unrecognized or malformed field 'foo'",
        f"{missing}: no such file",
    ]
    for line in expected:
        assert line in text, f"{line!r} not in:\n{text}"
    assert "requires-dist" in text.lower()


def test_two_sdists_of_one_release_are_refused(tmp_path: Path) -> None:
    first = sdist(tmp_path, "probe", "1.0")
    other = tmp_path / "o"
    other.mkdir()
    second = sdist(other, "probe", "1.0.0")
    with pytest.raises(PublishError, match=r"a second sdist for probe 1\.0\.0 .*a release has one"):
        check_artifacts([first, second])


def test_metadata_and_file_name_must_agree(tmp_path: Path) -> None:
    wheel = pure_python_wheel(tmp_path, "probe", "1.0", module_source="")
    moved = tmp_path / "x"
    moved.mkdir()
    # The same METADATA under another project's file name, .dist-info renamed to match.
    target = moved / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            name = item.filename.replace("probe-1.0.dist-info", "other-1.0.dist-info")
            dst.writestr(name, src.read(item))
    with pytest.raises(PublishError) as info:
        check_artifacts([target])
    assert "the file name says other 1.0, but its metadata says probe 1.0" in str(info.value)


def test_cli_sends_nothing_when_a_file_is_bad(wheel: Path, tmp_path: Path) -> None:
    server = DyingServer()
    bad = tmp_path / "junk-1.0-py3-none-any.whl"
    bad.write_bytes(b"PK")
    try:
        proc = ferrule(
            "upload", "--repository-url", server.url, wheel, bad, cwd=tmp_path, check=False,
            env=clean_env(HOME=str(tmp_path), FERRULE_USERNAME="u", FERRULE_PASSWORD=SECRET),
        )  # fmt: skip
    finally:
        server.close()
    assert proc.returncode == 1
    assert f"{bad}: not a valid zip archive" in proc.stderr
    assert server.connections == 0
    assert SECRET not in proc.stdout + proc.stderr


def test_linux_wheels_are_refused_for_pypi_before_sending(tmp_path: Path) -> None:
    plain = pure_python_wheel(tmp_path, "probe", "1.0", module_source="")
    linux = tmp_path / "probe-1.0-cp311-cp311-linux_x86_64.whl"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(linux, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
    token = "pypi-not-a-real-token-" + "x" * 20
    proc = ferrule(
        "upload", "-r", "pypi", linux, cwd=tmp_path, check=False,
        env=clean_env(HOME=str(tmp_path), MATURIN_PYPI_TOKEN=token),
    )  # fmt: skip
    assert proc.returncode == 1
    assert "PyPI refuses the platform tag linux_x86_64" in proc.stderr
    assert "uploading" not in proc.stderr
    assert token not in proc.stdout + proc.stderr


def _target(url: str, skip_existing: bool = False) -> Target:
    return Target(
        Repository(url, None, "test"), Credentials("alice", SECRET, "test"), skip_existing
    )


@pytest.mark.parametrize(
    ("status", "reason", "body", "expected"),
    [
        (
            400,
            "Invalid value for classifiers. Error: Classifier 'Foo' is not a valid classifier.",
            b"",
            "rejected probe-1.0-py3-none-any.whl (400 Bad Request). The index said: Invalid "
            "value for classifiers. Error: Classifier 'Foo' is not a valid classifier.",
        ),
        (
            403,
            "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth",
            b"",
            "refused the upload: the username or password (or token) is wrong, or this account "
            "may not upload probe (403 Forbidden; user 'alice', password from test). The index "
            "said: Invalid or non-existent authentication information.",
        ),
        (
            400,
            "File already exists ('probe-1.0-py3-none-any.whl', with blake2_256 hash 'x').",
            b"",
            "probe-1.0-py3-none-any.whl already exists on",
        ),
        (
            401,
            "Unauthorized",
            b"<html><title>401</title><pre>Login required for this index</pre></html>",
            "asked for credentials again: they were not accepted (401 Unauthorized; user 'alice'"
            ", password from test). The index said: Login required for this index",
        ),
    ],
)
def test_refusals_carry_the_servers_reason(
    wheel: Path, status: int, reason: str, body: bytes, expected: str
) -> None:
    server = AnsweringServer(status, reason, body)
    try:
        with pytest.raises(PublishError) as info:
            upload_artifacts(check_artifacts([wheel]), _target(server.url), {}, retries=0)
    finally:
        server.close()
    assert expected in str(info.value)
    assert len(server.requests) == 1
    assert server.requests[0]["authorization"].startswith("Basic ")
    assert SECRET not in str(info.value)


def test_pypi_style_exists_is_skipped_with_skip_existing(wheel: Path) -> None:
    server = AnsweringServer(400, "File already exists. See https://pypi.org/help/#file-name-reuse")
    try:
        report = upload_artifacts(
            check_artifacts([wheel]), _target(server.url, skip_existing=True), {}, retries=0
        )
    finally:
        server.close()
    assert report.skipped == [wheel]
    assert report.uploaded == []


def test_redirects_are_not_followed(wheel: Path) -> None:
    elsewhere = AnsweringServer(200, "OK")
    server = AnsweringServer(301, "Moved Permanently", headers={"Location": elsewhere.url})
    try:
        with pytest.raises(PublishError) as info:
            upload_artifacts(check_artifacts([wheel]), _target(server.url), {}, retries=0)
    finally:
        server.close()
        elsewhere.close()
    assert f"redirecting to {elsewhere.url}; uploads are not redirected" in str(info.value)
    assert elsewhere.requests == []


def test_a_server_that_echoes_the_password_is_redacted(wheel: Path) -> None:
    server = AnsweringServer(400, "Bad Request", f"bad password {SECRET} for alice".encode())
    try:
        with pytest.raises(PublishError) as info:
            upload_artifacts(check_artifacts([wheel]), _target(server.url), {}, retries=0)
    finally:
        server.close()
    assert "bad password **** for alice" in str(info.value)


def test_retry_after_is_honoured_and_bounded(wheel: Path) -> None:
    server = AnsweringServer(429, "Too Many Requests", headers={"Retry-After": "3600"})
    slept: list[float] = []
    try:
        with pytest.raises(PublishError, match="after 3 attempts: 429 Too Many Requests"):
            upload_artifacts(
                check_artifacts([wheel]), _target(server.url), {}, retries=2, sleep=slept.append
            )
    finally:
        server.close()
    assert slept == [60.0, 60.0]
    assert len(server.requests) == 3


def test_cli_help_lists_maturins_upload_flags() -> None:
    for command in ("upload", "publish"):
        out = ferrule(command, "--help", cwd=Path.cwd()).stdout
        for flag in ("--repository", "--repository-url", "--username", "--password",
                     "--skip-existing", "--non-interactive"):  # fmt: skip
            assert flag in out, (command, flag)
    out = ferrule("publish", "--help", cwd=Path.cwd()).stdout
    for flag in ("--debug", "--no-strip", "--no-sdist", "--interpreter", "--out"):
        assert flag in out


@pytest.mark.slow
@pytest.mark.maturin
def test_the_form_carries_everything_maturins_does(pure_wheel_cli: Path, tmp_path: Path) -> None:
    """maturin's uploader and ours, each sending the same wheel to a recording server."""
    server = AnsweringServer(200, "OK")
    try:
        for argv in (
            ["maturin", "upload"],
            [sys.executable, "-m", "ferrule", "upload"],
        ):
            run(
                [*argv, "--repository-url", server.url, "-u", "u", "-p", SECRET, pure_wheel_cli],
                env=clean_env(HOME=str(tmp_path), NO_PROXY="127.0.0.1"),
            )
    finally:
        server.close()
    theirs, ours = (form_fields_of(h, b) for h, b in zip(server.requests, server.bodies))
    assert dict(ours)["content"] == pure_wheel_cli.read_bytes()
    missing = [field for field in theirs if field not in ours]
    assert missing == []
    assert server.requests[0]["authorization"] == server.requests[1]["authorization"]


def test_publish_without_an_sdist_builder_says_to_use_no_sdist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where ``ferrule.sdist`` cannot be imported, the default publish stops with a clear message.

    (``None`` in ``sys.modules`` is Python's own way to make a module unimportable.)
    """
    from ferrule.publish import dists

    monkeypatch.setitem(sys.modules, "ferrule.sdist", None)
    with pytest.raises(PublishError, match="cannot build sdists yet; pass --no-sdist"):
        dists._sdist_writer()
