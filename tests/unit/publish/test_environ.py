"""The upload variables (ferrule.publish.environ): precedence, flags, when not to prompt."""

from __future__ import annotations

import pytest

from ferrule.publish import PublishError
from ferrule.publish.environ import env_flag, env_value, non_interactive_reason, without_secrets


def test_env_value_prefers_ferrule_and_skips_empty() -> None:
    assert env_value({"MATURIN_X": "m", "FERRULE_X": "f"}, "X") == ("FERRULE_X", "f")
    assert env_value({"MATURIN_X": "m", "FERRULE_X": ""}, "X") == ("MATURIN_X", "m")
    assert env_value({"MATURIN_X": "", "X": "x"}, "X") is None


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " Yes ", "on", "On"])
def test_env_flag_on(value: str) -> None:
    assert env_flag({"MATURIN_FLAG": value}, "FLAG") == "MATURIN_FLAG"


@pytest.mark.parametrize("value", ["0", "false", "FALSE", " No ", "off", "OFF", " "])
def test_env_flag_off(value: str) -> None:
    assert env_flag({"FERRULE_FLAG": value}, "FLAG") is None


def test_env_flag_unset() -> None:
    assert env_flag({}, "FLAG") is None


def test_env_flag_refuses_other_values() -> None:
    with pytest.raises(PublishError) as e:
        env_flag({"FERRULE_FLAG": "maybe"}, "FLAG")
    assert str(e.value) == "FERRULE_FLAG='maybe': expected true or false (1/0, yes/no, on/off)"


@pytest.mark.parametrize(
    ("environ", "flag", "tty", "reason"),
    [
        ({}, True, True, "--non-interactive was given"),
        ({"CI": "true"}, True, True, "--non-interactive was given"),
        (
            {"MATURIN_NON_INTERACTIVE": "1", "CI": "true"},
            False,
            True,
            "MATURIN_NON_INTERACTIVE is set",
        ),
        ({"FERRULE_NON_INTERACTIVE": "Yes"}, False, True, "FERRULE_NON_INTERACTIVE is set"),
        ({"FERRULE_NON_INTERACTIVE": "0", "CI": " TRUE "}, False, True, "CI is set"),
        ({"CI": "1"}, False, False, "CI is set"),
        ({"CI": "on"}, False, True, "CI is set"),
        ({"CI": "false"}, False, False, "standard input is not a terminal"),
        ({"CI": ""}, False, True, None),
        ({"FERRULE_NON_INTERACTIVE": "off"}, False, True, None),
        ({}, False, True, None),
    ],
)
def test_non_interactive_reason(
    environ: dict[str, str], flag: bool, tty: bool, reason: str | None
) -> None:
    assert non_interactive_reason(environ, flag, tty) == reason


def test_without_secrets_drops_every_upload_secret() -> None:
    environ = {
        "FERRULE_PASSWORD": "1",
        "MATURIN_PASSWORD": "2",
        "FERRULE_PYPI_TOKEN": "3",
        "MATURIN_PYPI_TOKEN": "4",
        "FERRULE_USERNAME": "u",
        "PASSWORD": "kept",
        "PATH": "/bin",
    }
    assert without_secrets(environ) == {"FERRULE_USERNAME": "u", "PASSWORD": "kept", "PATH": "/bin"}
