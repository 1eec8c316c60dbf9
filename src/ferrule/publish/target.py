"""Where to upload and as whom: the repository and its credentials, resolved once."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Mapping

from ferrule._record import record
from ferrule.publish.credentials import Credentials, resolve_credentials
from ferrule.publish.environ import non_interactive_reason
from ferrule.publish.repository import Repository, pypirc_path, read_pypirc, resolve_repository

__all__ = ["Target", "UploadOptions", "resolve_target"]


@record
class UploadOptions:
    """The upload flags as given on the command line (None: not given)."""

    repository: str | None = None
    repository_url: str | None = None
    username: str | None = None
    password: str | None = None
    skip_existing: bool = False
    non_interactive: bool = False

    def __repr__(self) -> str:
        hidden = "None" if self.password is None else "'****'"
        return (
            f"UploadOptions(repository={self.repository!r}, repository_url="
            f"{self.repository_url!r}, username={self.username!r}, password={hidden}, "
            f"skip_existing={self.skip_existing}, non_interactive={self.non_interactive})"
        )


@record
class Target:
    repository: Repository
    credentials: Credentials
    skip_existing: bool = False


def _prompt(label: str, secret: bool) -> str:
    """Ask on the terminal; prompts go to stderr (stdout carries results)."""
    if secret:
        return getpass.getpass(f"{label}: ", stream=sys.stderr)
    sys.stderr.write(f"{label}: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip()


def resolve_target(
    options: UploadOptions, environ: Mapping[str, str], *, stdin_is_terminal: bool
) -> Target:
    """The repository from flags, variables and ``~/.pypirc``; then its credentials."""
    rc_path = pypirc_path(environ)
    repository = resolve_repository(
        options.repository, options.repository_url, environ, read_pypirc(rc_path), rc_path
    )
    credentials = resolve_credentials(
        repository,
        username=options.username,
        password=options.password,
        environ=environ,
        non_interactive=non_interactive_reason(environ, options.non_interactive, stdin_is_terminal),
        prompt=_prompt,
    )
    return Target(repository, credentials, options.skip_existing)
