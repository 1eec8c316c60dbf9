"""Credentials (ferrule.publish.credentials): keyring answers, redaction, the exact messages.

The precedence of every source is in tests/integration/test_publish_credentials.py; here a
stand-in ``keyring`` module answers as the real one does (get_password / get_credential).
"""

from __future__ import annotations

import sys
import types

import pytest

from ferrule import _log
from ferrule.publish import PublishError
from ferrule.publish.credentials import Credentials, keyring_lookup, resolve_credentials
from ferrule.publish.repository import PYPI_URL, Repository

URL = "https://packages.example/legacy/"


class FakeCredential:
    def __init__(self, username: str | None, password: str | None) -> None:
        self.username = username
        self.password = password


def fake_keyring(
    monkeypatch: pytest.MonkeyPatch,
    passwords: dict[tuple[str, str], str] | None = None,
    credential: FakeCredential | None = None,
    fail: Exception | None = None,
) -> list[tuple[str, str | None]]:
    calls: list[tuple[str, str | None]] = []
    module = types.ModuleType("keyring")

    def get_password(service: str, username: str) -> str | None:
        calls.append((service, username))
        if fail:
            raise fail
        return (passwords or {}).get((service, username))

    def get_credential(service: str, username: str | None) -> FakeCredential | None:
        calls.append((service, username))
        if fail:
            raise fail
        return credential

    module.get_password = get_password  # type: ignore[attr-defined]
    module.get_credential = get_credential  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", module)
    return calls


def test_keyring_by_username(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_keyring(monkeypatch, {(URL, "u"): "pw"})
    assert keyring_lookup(URL, "u") == ("u", "pw")
    assert keyring_lookup(URL, "v") is None
    assert calls == [(URL, "u"), (URL, "v")]


def test_keyring_without_username_asks_for_a_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_keyring(monkeypatch, credential=FakeCredential("k", "kp"))
    assert keyring_lookup(URL, None) == ("k", "kp")
    assert keyring_lookup(URL, "") == ("k", "kp")
    assert calls == [(URL, None), (URL, None)]
    fake_keyring(monkeypatch, credential=FakeCredential(None, "kp"))
    assert keyring_lookup(URL, None) == ("", "kp")
    fake_keyring(monkeypatch, credential=FakeCredential("k", ""))
    assert keyring_lookup(URL, None) is None
    fake_keyring(monkeypatch, credential=None)
    assert keyring_lookup(URL, None) is None


def test_a_broken_keyring_is_ignored_and_said_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_keyring(monkeypatch, fail=RuntimeError("daemon gone"))
    _log.set_verbosity(1)
    try:
        assert keyring_lookup(URL, "u") is None
        assert keyring_lookup(URL, None) is None
    finally:
        _log.set_verbosity(0)
    assert capsys.readouterr().err == "ferrule: debug: keyring: RuntimeError (ignored)\n" * 2


def test_no_keyring_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import fails
    assert keyring_lookup(URL, "u") is None


def no_credentials(repo: Repository, non_interactive: str | None, prompt: object = None) -> str:
    with pytest.raises(PublishError) as e:
        resolve_credentials(
            repo,
            username=None,
            password=None,
            environ={},
            non_interactive=non_interactive,
            keyring=lambda service, user: None,
            prompt=prompt,  # type: ignore[arg-type]
        )
    return str(e.value)


def test_no_credentials_message_names_every_source() -> None:
    assert no_credentials(Repository(URL, "private"), "CI is set") == (
        f"no password or token for {URL}, and ferrule does not prompt because CI is set. "
        "Give one of: FERRULE_PYPI_TOKEN (or MATURIN_PYPI_TOKEN) with an API token; "
        "FERRULE_USERNAME and FERRULE_PASSWORD (or the MATURIN_ ones); -u and -p; "
        f"a password in [private] of ~/.pypirc; or a keyring entry for the service {URL}"
    )
    assert no_credentials(Repository(URL), None) == (
        f"no password or token for {URL}, and ferrule does not prompt because no prompt is "
        "available. Give one of: FERRULE_PYPI_TOKEN (or MATURIN_PYPI_TOKEN) with an API token; "
        "FERRULE_USERNAME and FERRULE_PASSWORD (or the MATURIN_ ones); -u and -p; "
        f"a password in a ~/.pypirc section; or a keyring entry for the service {URL}"
    )


def test_an_empty_password_from_the_prompt() -> None:
    answers = iter(["user", ""])
    message = no_credentials(Repository(URL), None, lambda label, secret: next(answers))
    assert message.startswith(
        f"no password or token for {URL}, and ferrule does not prompt because the password is empty. "
    )


def test_a_password_without_username_exact_message() -> None:
    with pytest.raises(PublishError) as e:
        resolve_credentials(
            Repository(URL),
            username=None,
            password="pw",  # noqa: S106
            environ={},
            non_interactive="CI is set",
        )
    assert str(e.value) == (
        f"a password for {URL} was found (-p/--password) but no username: give -u, "
        "FERRULE_USERNAME (or MATURIN_USERNAME), or 'username' in ~/.pypirc"
    )


def test_the_prompt_asks_for_what_is_missing() -> None:
    asked: list[tuple[str, bool]] = []

    def prompt(label: str, secret: bool) -> str:
        asked.append((label, secret))
        return "answer"

    creds = resolve_credentials(
        Repository(URL),
        username=None,
        password="pw",  # noqa: S106
        environ={},
        non_interactive=None,
        prompt=prompt,
    )
    assert (creds.username, creds.password, creds.source) == ("answer", "pw", "-p/--password")
    assert asked == [(f"username for {URL}", False)]
    asked.clear()
    creds = resolve_credentials(
        Repository(PYPI_URL, "pypi"),
        username=None,
        password=None,
        environ={},
        non_interactive=None,
        keyring=lambda service, user: None,
        prompt=prompt,
    )
    assert (creds.username, creds.password, creds.source) == ("__token__", "answer", "the prompt")
    assert asked == [(f"password for __token__ at {PYPI_URL}", True)]


def test_keyring_username_fills_a_missing_one() -> None:
    lookups: list[tuple[str, str | None]] = []

    def lookup(service: str, user: str | None) -> tuple[str, str] | None:
        lookups.append((service, user))
        return ("", "pypi-tok") if user is None else None

    creds = resolve_credentials(
        Repository(URL),
        username=None,
        password=None,
        environ={},
        non_interactive="x",
        keyring=lookup,
    )
    # No username from the keyring: a PyPI-style token goes with __token__.
    assert (creds.username, creds.password, creds.source) == (
        "__token__",
        "pypi-tok",
        f"keyring ({URL})",
    )
    assert lookups == [(URL, None)]


def test_authorization_and_redaction() -> None:
    creds = Credentials("user", "p@ss word/+")
    assert creds.authorization == "Basic dXNlcjpwQHNzIHdvcmQvKw=="
    text = "p@ss word/+ p%40ss%20word%2F%2B p%40ss+word%2F%2B dXNlcjpwQHNzIHdvcmQvKw=="
    assert creds.redact(text) == "**** **** **** ****"
    # Four characters are redacted, three are not (they would match ordinary text).
    assert Credentials("u", "abcd").redact("xabcdx abc") == "x****x abc"
    assert Credentials("u", "abc").redact("abc") == "abc"
    # The longest form first: the quoted password contains the plain one.
    assert Credentials("u", "a b c d").redact("a%20b%20c%20d") == "****"


def test_the_prompt_asks_for_a_username_in_clear_and_a_password_in_secret() -> None:
    asked: list[tuple[str, bool]] = []
    answers = iter(["me", "secret"])

    def prompt(label: str, secret: bool) -> str:
        asked.append((label, secret))
        return next(answers)

    creds = resolve_credentials(
        Repository(URL),
        username=None,
        password=None,
        environ={},
        non_interactive=None,
        keyring=lambda service, user: None,
        prompt=prompt,
    )
    assert (creds.username, creds.password, creds.source) == ("me", "secret", "the prompt")
    assert asked == [(f"username for {URL}", False), (f"password for me at {URL}", True)]


def test_the_keyrings_username_is_taken_when_none_is_given() -> None:
    creds = resolve_credentials(
        Repository(URL),
        username=None,
        password=None,
        environ={},
        non_interactive="CI is set",
        keyring=lambda service, user: ("k", "kp"),
    )
    assert (creds.username, creds.password) == ("k", "kp")
