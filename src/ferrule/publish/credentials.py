"""Who uploads: username and password (or API token), found in a fixed order.

The password, first found of:

1. ``-p/--password``;
2. ``FERRULE_PYPI_TOKEN`` / ``MATURIN_PYPI_TOKEN`` (the username is then ``__token__``);
3. ``FERRULE_PASSWORD`` / ``MATURIN_PASSWORD``;
4. the repository's ``~/.pypirc`` section (or ``user:password@`` in its URL);
5. ``keyring`` (service = the upload URL), when keyring is installed;
6. a prompt, only when interactive.

The username: ``-u/--username``, ``FERRULE_USERNAME`` / ``MATURIN_USERNAME``,
the ``.pypirc`` section, keyring, then ``__token__`` for PyPI tokens (and for
PyPI itself), else a prompt.

Secrets are never shown: :class:`Credentials` hides them from ``repr`` and
:meth:`Credentials.redact` scrubs them (and the Authorization header made from
them) from any text that reaches the user.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable, Mapping
from dataclasses import field
from urllib.parse import quote

from ferrule import _log
from ferrule._record import record
from ferrule.publish import PublishError
from ferrule.publish.environ import env_value
from ferrule.publish.repository import Repository

__all__ = ["Credentials", "KeyringLookup", "Prompt", "keyring_lookup", "resolve_credentials"]

TOKEN_USERNAME = "__token__"  # noqa: S105 - the username PyPI tokens go with
# Shorter strings would be replaced all over ordinary text; no real secret is that short.
_MIN_REDACT = 4

KeyringLookup = Callable[[str, "str | None"], "tuple[str, str] | None"]
Prompt = Callable[[str, bool], str]  # (label, secret) -> answer


@record
class Credentials:
    username: str
    password: str = field(repr=False)
    source: str = ""  # where the password came from: a flag, a variable, a file; never a value

    @property
    def authorization(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"

    def redact(self, text: str) -> str:
        """``text`` with the password, in every form it could travel in, replaced by ``****``.

        >>> Credentials("u", "hunter22").redact("pw=hunter22 q=hunter%2022")
        'pw=**** q=hunter%2022'
        >>> c = Credentials("u", "p w/1")
        >>> c.redact(f"{c.authorization} p%20w%2F1 p+w%2F1")
        'Basic **** **** ****'
        """
        forms = {
            self.password,
            quote(self.password, safe=""),
            quote(self.password, safe="").replace("%20", "+"),
            self.authorization[len("Basic ") :],
        }
        for form in sorted(forms, key=len, reverse=True):
            if len(form) >= _MIN_REDACT:
                text = text.replace(form, "****")
        return text


def keyring_lookup(service: str, username: str | None) -> tuple[str, str] | None:
    """A credential from ``keyring`` if it is installed and has one; never fails."""
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return None
    try:
        if username:
            password = keyring.get_password(service, username)
            return (username, password) if password else None
        credential = keyring.get_credential(service, None)
        if credential is not None and credential.password:
            return credential.username or "", credential.password
    except Exception as exc:  # a broken keyring backend must not stop an upload
        _log.debug(f"keyring: {type(exc).__name__} (ignored)")
    return None


def _no_credentials(repo: Repository, why_not_interactive: str) -> PublishError:
    section = f"[{repo.name}] of ~/.pypirc" if repo.name else "a ~/.pypirc section"
    return PublishError(
        f"no password or token for {repo.url}, and ferrule does not prompt because "
        f"{why_not_interactive}. Give one of: FERRULE_PYPI_TOKEN (or MATURIN_PYPI_TOKEN) "
        "with an API token; FERRULE_USERNAME and FERRULE_PASSWORD (or the MATURIN_ "
        f"ones); -u and -p; a password in {section}; or a keyring entry for the service "
        f"{repo.url}"
    )


def resolve_credentials(
    repo: Repository,
    *,
    username: str | None,
    password: str | None,
    environ: Mapping[str, str],
    non_interactive: str | None,
    keyring: KeyringLookup = keyring_lookup,
    prompt: Prompt | None = None,
) -> Credentials:
    """The credentials for ``repo``, in the documented order.

    ``username`` / ``password`` are the command line's; ``non_interactive`` is
    the reason not to prompt (None: prompting is allowed, with ``prompt``).
    """
    token = env_value(environ, "PYPI_TOKEN")
    if password is None and token is not None:
        return Credentials(TOKEN_USERNAME, token[1], token[0])

    env_user = env_value(environ, "USERNAME")
    user: str | None = username or (env_user[1] if env_user else None) or repo.username
    source = ""
    if password is not None:
        source = "-p/--password"
    elif (env_password := env_value(environ, "PASSWORD")) is not None:
        password, source = env_password[1], env_password[0]
    elif repo.password:
        password, source = repo.password, repo.credentials_source
    elif (found := keyring(repo.url, user)) is not None:
        user = user or found[0] or None
        password, source = found[1], f"keyring ({repo.url})"
    elif non_interactive is None and prompt is not None:
        user = user or _default_username(repo, None) or prompt(f"username for {repo.url}", False)
        password, source = prompt(f"password for {user} at {repo.url}", True), "the prompt"
    else:
        raise _no_credentials(repo, non_interactive or "no prompt is available")

    if not user:
        user = _default_username(repo, password)
    if not user and non_interactive is None and prompt is not None:
        user = prompt(f"username for {repo.url}", False)
    if not user:
        raise PublishError(
            f"a password for {repo.url} was found ({source}) but no username: give -u, "
            "FERRULE_USERNAME (or MATURIN_USERNAME), or 'username' in ~/.pypirc"
        )
    if not password:
        raise _no_credentials(repo, non_interactive or "the password is empty")
    return Credentials(user, password, source)


def _default_username(repo: Repository, password: str | None) -> str | None:
    """``__token__`` where only a token can be meant: PyPI, or a PyPI-style token."""
    if repo.is_pypi or (password is not None and password.startswith("pypi-")):
        return TOKEN_USERNAME
    return None
