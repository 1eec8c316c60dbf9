"""Which index to upload to: ``--repository-url``, ``-r NAME`` and ``~/.pypirc``.

Precedence: ``--repository-url``, then ``-r/--repository``, then the variables
``FERRULE_REPOSITORY_URL`` / ``MATURIN_REPOSITORY_URL``, then
``FERRULE_REPOSITORY`` / ``MATURIN_REPOSITORY``, then ``pypi``. A name is a
section of ``~/.pypirc`` (``repository``, ``username``, ``password``), or one of
the well-known ``pypi`` and ``testpypi``.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from ferrule._record import record
from ferrule.publish import PublishError
from ferrule.publish.environ import env_value

__all__ = [
    "PYPI_URL",
    "TESTPYPI_URL",
    "Repository",
    "pypirc_path",
    "read_pypirc",
    "resolve_repository",
]

PYPI_URL = "https://upload.pypi.org/legacy/"
TESTPYPI_URL = "https://test.pypi.org/legacy/"
_WELL_KNOWN = {"pypi": PYPI_URL, "testpypi": TESTPYPI_URL}


@record
class Repository:
    """An upload endpoint, and the credentials its configuration carries (if any)."""

    url: str  # never with user:password@ in it
    name: str | None = None  # the ~/.pypirc section or well-known name
    source: str = ""  # where the URL came from, for messages
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    credentials_source: str = ""  # "~/.pypirc [name]" or "the repository URL"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def is_pypi(self) -> bool:
        return self.host in ("upload.pypi.org", "test.pypi.org")


def pypirc_path(environ: Mapping[str, str]) -> Path:
    """``~/.pypirc`` of the environment's home directory."""
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return (Path(home) if home else Path.home()) / ".pypirc"


def read_pypirc(path: Path) -> dict[str, dict[str, str]]:
    """The sections of a ``.pypirc`` file (none if it does not exist).

    Values are taken literally (no ``%`` interpolation: passwords contain anything).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise PublishError(f"{path}: cannot read: {exc}") from None
    return parse_pypirc(text, path)


def parse_pypirc(text: str, path: Path) -> dict[str, dict[str, str]]:
    """Sections and their keys.

    >>> rc = parse_pypirc("[distutils]\\nindex-servers = local\\n[local]\\n"
    ...                   "repository = http://h/\\nusername = u\\npassword = p%q", Path("rc"))
    >>> rc["local"]["password"]
    'p%q'
    >>> parse_pypirc("[a\\n", Path("rc"))
    Traceback (most recent call last):
    ferrule.errors.PublishError: rc: not a valid .pypirc file (line 1): MissingSectionHeaderError
    """
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        # The message of a parsing error quotes the line, which may hold a password.
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise PublishError(
            f"{path}: not a valid .pypirc file{where}: {type(exc).__name__}"
        ) from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def _split_userinfo(url: str, source: str) -> tuple[str, str | None, str | None]:
    """The URL without ``user:password@``, and those two.

    >>> _split_userinfo("https://u:p%40ss@h.example:8080/legacy/", "x")
    ('https://h.example:8080/legacy/', 'u', 'p@ss')
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(f"{source}: {_redact_userinfo(url)!r} is not an http:// or https:// URL")
    if parts.username is None and parts.password is None:
        return url, None, None
    netloc = parts.netloc.rpartition("@")[2]
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return clean, username, password


def _redact_userinfo(url: str) -> str:
    """
    >>> _redact_userinfo("ftp://u:secret@h/")
    'ftp://****@h/'
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    return f"{scheme}://****@{rest.split('@', 1)[1]}"


def _normal(url: str) -> str:
    return url.rstrip("/")


def _from_url(
    url: str, source: str, pypirc: Mapping[str, Mapping[str, str]], rc_path: Path
) -> Repository:
    clean, username, password = _split_userinfo(url, source)
    if username is not None or password is not None:
        return Repository(clean, None, source, username, password, "the repository URL")
    # A URL that a .pypirc section names gets that section's credentials.
    for name, section in pypirc.items():
        if _normal(section.get("repository", "")) == _normal(clean):
            return _with_section(Repository(clean, name, source), section, rc_path)
    for name, known in _WELL_KNOWN.items():
        if _normal(known) == _normal(clean):
            repo = Repository(known, name, source)
            return _with_section(repo, pypirc[name], rc_path) if name in pypirc else repo
    return Repository(clean, None, source)


def _with_section(repo: Repository, section: Mapping[str, str], rc_path: Path) -> Repository:
    return Repository(
        repo.url,
        repo.name,
        repo.source,
        section.get("username") or None,
        section.get("password") or None,
        f"{rc_path} [{repo.name}]",
    )


def resolve_repository(
    repository: str | None,
    repository_url: str | None,
    environ: Mapping[str, str],
    pypirc: Mapping[str, Mapping[str, str]],
    rc_path: Path,
) -> Repository:
    """The index to upload to, from the command line, the environment and ``.pypirc``."""
    if repository_url:
        return _from_url(repository_url, "--repository-url", pypirc, rc_path)
    if repository:
        return _from_name(repository, "--repository", pypirc, rc_path)
    from_env = env_value(environ, "REPOSITORY_URL")
    if from_env:
        return _from_url(from_env[1], from_env[0], pypirc, rc_path)
    from_env = env_value(environ, "REPOSITORY")
    if from_env:
        return _from_name(from_env[1], from_env[0], pypirc, rc_path)
    return _from_name("pypi", "the default repository", pypirc, rc_path)


def _from_name(
    name: str, source: str, pypirc: Mapping[str, Mapping[str, str]], rc_path: Path
) -> Repository:
    if name.startswith(("http://", "https://")):
        return _from_url(name, source, pypirc, rc_path)
    section = pypirc.get(name)
    if section is not None:
        url = section.get("repository") or _WELL_KNOWN.get(name)
        if not url:
            raise PublishError(
                f"{rc_path}: [{name}] has no 'repository = <upload URL>' (from {source} {name!r})"
            )
        clean, username, password = _split_userinfo(url, f"{rc_path} [{name}] repository")
        repo = _with_section(Repository(clean, name, f"{rc_path} [{name}]"), section, rc_path)
        if username is not None or password is not None:
            return Repository(
                clean, name, repo.source, username, password, f"{rc_path} [{name}] repository"
            )
        return repo
    if name in _WELL_KNOWN:
        return Repository(_WELL_KNOWN[name], name, source)
    known = sorted(set(pypirc) - {"distutils", "server-login"} | set(_WELL_KNOWN))
    raise PublishError(
        f"repository {name!r} (from {source}) is not a section of {rc_path}; known: "
        f"{', '.join(known)}. Add a [{name}] section with 'repository = <upload URL>', "
        "or give the URL with --repository-url"
    )
