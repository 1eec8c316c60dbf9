"""The upload variables: each ``FERRULE_<NAME>``, else maturin's ``MATURIN_<NAME>``.

The mapping is the environment snapshot the command took; nothing here reads
``os.environ``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ferrule.publish import PublishError

__all__ = ["env_flag", "env_value", "non_interactive_reason", "without_secrets"]

PREFIXES = ("FERRULE_", "MATURIN_")
SECRETS = ("PASSWORD", "PYPI_TOKEN")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def env_value(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """``(variable, value)`` of the first of ``FERRULE_<name>``, ``MATURIN_<name>`` that is set.

    An empty variable counts as unset.

    >>> env_value({"MATURIN_USERNAME": "a", "FERRULE_USERNAME": "b"}, "USERNAME")
    ('FERRULE_USERNAME', 'b')
    >>> env_value({"FERRULE_USERNAME": "", "MATURIN_USERNAME": "a"}, "USERNAME")
    ('MATURIN_USERNAME', 'a')
    >>> env_value({}, "USERNAME") is None
    True
    """
    for prefix in PREFIXES:
        variable = prefix + name
        value = environ.get(variable)
        if value:
            return variable, value
    return None


def env_flag(environ: Mapping[str, str], name: str) -> str | None:
    """The variable that turns the flag on, if one does.

    >>> env_flag({"MATURIN_NON_INTERACTIVE": "true"}, "NON_INTERACTIVE")
    'MATURIN_NON_INTERACTIVE'
    >>> env_flag({"FERRULE_NON_INTERACTIVE": "0", "MATURIN_NON_INTERACTIVE": "1"}, "NON_INTERACTIVE")
    """
    found = env_value(environ, name)
    if found is None:
        return None
    variable, value = found
    if value.strip().lower() in _TRUE:
        return variable
    if value.strip().lower() in _FALSE:
        return None
    raise PublishError(f"{variable}={value!r}: expected true or false (1/0, yes/no, on/off)")


def non_interactive_reason(
    environ: Mapping[str, str], flag: bool, stdin_is_terminal: bool
) -> str | None:
    """Why ferrule must not prompt, or None when it may.

    As maturin's, running on CI (``CI=true``) is non-interactive by itself.

    >>> non_interactive_reason({"CI": "true"}, False, True)
    'CI is set'
    >>> non_interactive_reason({}, False, False)
    'standard input is not a terminal'
    >>> non_interactive_reason({}, False, True) is None
    True
    """
    if flag:
        return "--non-interactive was given"
    variable = env_flag(environ, "NON_INTERACTIVE")
    if variable:
        return f"{variable} is set"
    if environ.get("CI", "").strip().lower() in _TRUE:
        return "CI is set"
    if not stdin_is_terminal:
        return "standard input is not a terminal"
    return None


def without_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment minus the upload secrets: what a build (cargo, build scripts) gets.

    >>> without_secrets({"MATURIN_PYPI_TOKEN": "t", "FERRULE_PASSWORD": "p", "PATH": "/bin"})
    {'PATH': '/bin'}
    """
    hidden = {prefix + name for prefix in PREFIXES for name in SECRETS}
    return {k: v for k, v in environ.items() if k not in hidden}
