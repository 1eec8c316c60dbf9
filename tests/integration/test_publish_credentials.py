"""Issue 10: which index and which credentials, from flags, variables, ~/.pypirc and keyring.

These are pure functions of their inputs (the environment is a dict, ``.pypirc``
a parsed mapping, keyring and the prompt are passed in), so every source and
every precedence rule is checked here without a server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from ferrule.publish import PublishError
from ferrule.publish.credentials import Credentials, keyring_lookup, resolve_credentials
from ferrule.publish.environ import env_flag
from ferrule.publish.repository import PYPI_URL, TESTPYPI_URL, Repository, resolve_repository
from ferrule.publish.target import UploadOptions

RC = Path("/home/u/.pypirc")
URL = "https://packages.example/legacy/"
PRIVATE = Repository(URL, "private", f"{RC} [private]", "rc-user", "rc-pass", f"{RC} [private]")

TOKENS = {"FERRULE_PYPI_TOKEN": "pypi-ferrule", "MATURIN_PYPI_TOKEN": "pypi-maturin"}
USER_AND_PASSWORD = {"MATURIN_USERNAME": "env-user", "MATURIN_PASSWORD": "env-pass"}


def resolve(
    repo: Repository = PRIVATE,
    *,
    cli: tuple[str | None, str | None] = (None, None),
    environ: dict[str, str] | None = None,
    keyring_has: tuple[str, str] | None = None,
    interactive: bool = False,
    answers: tuple[str, ...] = (),
) -> tuple[Credentials, list[str], list[tuple[str, str | None]]]:
    prompts: list[str] = []
    lookups: list[tuple[str, str | None]] = []
    replies = list(answers)

    def prompt(label: str, secret: bool) -> str:
        prompts.append(label)
        return replies.pop(0)

    def lookup(service: str, username: str | None) -> tuple[str, str] | None:
        lookups.append((service, username))
        return keyring_has

    creds = resolve_credentials(
        repo,
        username=cli[0],
        password=cli[1],
        environ=environ or {},
        non_interactive=None if interactive else "--non-interactive was given",
        keyring=lookup,
        prompt=prompt,
    )
    return creds, prompts, lookups


def test_precedence_of_every_source() -> None:
    everything = {**TOKENS, **USER_AND_PASSWORD}
    creds, _, _ = resolve(cli=("cli-user", "cli-pass"), environ=everything)
    assert (creds.username, creds.password, creds.source) == (
        "cli-user",
        "cli-pass",
        "-p/--password",
    )
    creds, _, _ = resolve(cli=("cli-user", None), environ=everything)
    assert (creds.username, creds.password, creds.source) == (
        "__token__",
        "pypi-ferrule",
        "FERRULE_PYPI_TOKEN",
    )
    creds, _, _ = resolve(environ={"MATURIN_PYPI_TOKEN": "pypi-maturin", **USER_AND_PASSWORD})
    assert (creds.password, creds.source) == ("pypi-maturin", "MATURIN_PYPI_TOKEN")
    creds, _, lookups = resolve(environ=USER_AND_PASSWORD)
    assert (creds.username, creds.password, creds.source) == (
        "env-user",
        "env-pass",
        "MATURIN_PASSWORD",
    )
    assert lookups == []  # keyring is not asked when a password is already known
    creds, _, _ = resolve()
    assert (creds.username, creds.password, creds.source) == (
        "rc-user",
        "rc-pass",
        f"{RC} [private]",
    )
    bare = Repository(URL, None, "--repository-url")
    creds, _, lookups = resolve(bare, environ={"FERRULE_USERNAME": "k"}, keyring_has=("k", "kp"))
    assert (creds.username, creds.password, creds.source) == ("k", "kp", f"keyring ({URL})")
    assert lookups == [(URL, "k")]
    creds, prompts, _ = resolve(bare, interactive=True, answers=("p-user", "p-pass"))
    assert (creds.username, creds.password, creds.source) == ("p-user", "p-pass", "the prompt")
    assert prompts == [f"username for {URL}", f"password for p-user at {URL}"]


def test_ferrule_variables_win_over_maturin_ones() -> None:
    creds, _, _ = resolve(
        Repository(URL),
        environ={
            "MATURIN_USERNAME": "m",
            "FERRULE_USERNAME": "f",
            "MATURIN_PASSWORD": "mp",
            "FERRULE_PASSWORD": "fp",
        },
    )
    assert (creds.username, creds.password, creds.source) == ("f", "fp", "FERRULE_PASSWORD")


def test_username_comes_from_cli_then_env_then_pypirc() -> None:
    creds, _, _ = resolve(environ={"FERRULE_PASSWORD": "x"})
    assert creds.username == "rc-user"
    creds, _, _ = resolve(environ={"FERRULE_PASSWORD": "x", "MATURIN_USERNAME": "e"})
    assert creds.username == "e"
    creds, _, _ = resolve(cli=("c", None), environ={"FERRULE_PASSWORD": "x"})
    assert creds.username == "c"


def test_tokens_go_with_the_token_username() -> None:
    pypi = Repository(PYPI_URL, "pypi", "the default repository")
    creds, _, _ = resolve(pypi, environ={"FERRULE_PASSWORD": "anything"})
    assert creds.username == "__token__"
    creds, _, _ = resolve(Repository(URL), cli=(None, "pypi-AgEI"))
    assert creds.username == "__token__"


def test_a_password_without_a_username_is_an_error_naming_the_fix() -> None:
    with pytest.raises(PublishError) as info:
        resolve(Repository(URL), environ={"FERRULE_PASSWORD": "hunter22"})
    text = str(info.value)
    assert "no username: give -u, FERRULE_USERNAME (or MATURIN_USERNAME)" in text
    assert "FERRULE_PASSWORD" in text
    assert "hunter22" not in text


def test_no_credentials_never_prompts_when_not_interactive() -> None:
    with pytest.raises(PublishError) as info:
        resolve(Repository(URL, None, "--repository-url"))
    assert "ferrule does not prompt because --non-interactive was given" in str(info.value)
    assert f"a keyring entry for the service {URL}" in str(info.value)


def test_secrets_are_hidden_from_reprs() -> None:
    creds = Credentials("u", "hunter22", "x")
    options = UploadOptions(password="hunter22")  # noqa: S106
    for text in (repr(creds), repr(options), repr(PRIVATE), str(creds)):
        assert "hunter22" not in text and "rc-pass" not in text, text


class _DictKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self, data: dict[tuple[str, str], str], fail: bool = False) -> None:
        super().__init__()
        self.data = data
        self.fail = fail

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail:
            raise RuntimeError("the keyring daemon is gone")
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


def test_keyring_lookup_uses_the_installed_keyring(restore_keyring: None) -> None:
    keyring.set_keyring(_DictKeyring({(URL, "alice"): "from-keyring"}))
    assert keyring_lookup(URL, "alice") == ("alice", "from-keyring")
    assert keyring_lookup(URL, "bob") is None
    keyring.set_keyring(_DictKeyring({}, fail=True))
    assert keyring_lookup(URL, "alice") is None  # a broken backend never stops an upload


@pytest.mark.parametrize(
    ("repository", "repository_url", "environ", "expected"),
    [
        (None, None, {}, (PYPI_URL, "pypi")),
        ("testpypi", None, {}, (TESTPYPI_URL, "testpypi")),
        ("private", None, {}, (URL, "private")),
        ("private", "https://other.example/", {}, ("https://other.example/", None)),
        (None, None, {"MATURIN_REPOSITORY": "private"}, (URL, "private")),
        (
            None,
            None,
            {"MATURIN_REPOSITORY": "testpypi", "FERRULE_REPOSITORY_URL": URL},
            (URL, "private"),
        ),
        ("testpypi", None, {"FERRULE_REPOSITORY_URL": URL}, (TESTPYPI_URL, "testpypi")),
        ("https://direct.example/up/", None, {}, ("https://direct.example/up/", None)),
        (None, "https://upload.pypi.org/legacy", {}, (PYPI_URL, "pypi")),
    ],
)
def test_repository_precedence(
    repository: str | None,
    repository_url: str | None,
    environ: dict[str, str],
    expected: tuple[str, str | None],
) -> None:
    pypirc = {"private": {"repository": URL, "username": "rc-user", "password": "rc-pass"}}
    repo = resolve_repository(repository, repository_url, environ, pypirc, RC)
    assert (repo.url, repo.name) == expected
    if repo.name == "private":
        assert (repo.username, repo.password) == ("rc-user", "rc-pass")


def test_credentials_in_the_url_are_split_off() -> None:
    repo = resolve_repository(None, "https://bob:s%40cret@h.example/simple/up/", {}, {}, RC)
    assert repo.url == "https://h.example/simple/up/"
    assert (repo.username, repo.password, repo.credentials_source) == (
        "bob",
        "s@cret",
        "the repository URL",
    )


def test_unknown_repository_names_the_known_ones() -> None:
    pypirc = {"distutils": {"index-servers": "a"}, "a": {"repository": URL}}
    with pytest.raises(PublishError) as info:
        resolve_repository("b", None, {}, pypirc, RC)
    assert (
        f"repository 'b' (from --repository) is not a section of {RC}; known: a, pypi, testpypi"
        in str(info.value)
    )


def test_bad_urls_and_flags_are_clear_errors() -> None:
    with pytest.raises(PublishError, match="is not an http:// or https:// URL"):
        resolve_repository(None, "ftp://u:pw-zz9@h/", {}, {}, RC)
    with pytest.raises(PublishError) as info:
        resolve_repository(None, "ftp://u:pw-zz9@h/", {}, {}, RC)
    assert "pw-zz9" not in str(info.value)
    with pytest.raises(PublishError, match="MATURIN_NON_INTERACTIVE='maybe': expected true"):
        env_flag({"MATURIN_NON_INTERACTIVE": "maybe"}, "NON_INTERACTIVE")
