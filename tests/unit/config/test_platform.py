"""The platform tag and audit choices, the command line merged over the config file.

:func:`merge_platform` and :func:`macos_deployment_targets` are pure: called here with
the command line's and the file's values, every answer and every refusal pinned whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config import CliOptions
from ferrule.config.model import PlatformOptions, ToolConfig
from ferrule.config.platform import macos_deployment_targets, merge_platform
from ferrule.errors import ConfigError, FerruleError

PYPROJECT = Path("/project/pyproject.toml")


def _merge(
    cli: CliOptions | None = None,
    tool: ToolConfig | None = None,
    *,
    path: Path | None = PYPROJECT,
    strip_env: bool = False,
) -> PlatformOptions:
    return merge_platform(
        cli or CliOptions(), tool or ToolConfig(), "tool.maturin", path, strip_env
    )


def _config_problem(tool: ToolConfig, path: Path | None = PYPROJECT) -> tuple[Path, str, str]:
    with pytest.raises(ConfigError) as caught:
        _merge(tool=tool, path=path)
    (problem,) = caught.value.problems
    return problem.file, problem.key, problem.message


def _cli_error(cli: CliOptions) -> str:
    with pytest.raises(FerruleError) as caught:
        _merge(cli)
    assert not isinstance(caught.value, ConfigError)
    return str(caught.value)


def test_nothing_given() -> None:
    assert _merge() == PlatformOptions((), False, "repair", False, False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("off",), ("linux",)),
        ((" Linux ",), ("linux",)),
        (("2014",), ("manylinux_2_17",)),
        (("manylinux2014", "manylinux_2_17"), ("manylinux_2_17",)),
        (("manylinux_2_28", "2_17"), ("manylinux_2_28", "manylinux_2_17")),
        (("musllinux_1_2",), ("musllinux_1_2",)),
    ],
)
def test_command_line_compatibility(given: tuple[str, ...], expected: tuple[str, ...]) -> None:
    merged = _merge(CliOptions(compatibility=given, auditwheel="skip"))
    assert merged == PlatformOptions(expected, False, "skip", False, False)


def test_pypi_is_a_check_not_a_tag() -> None:
    merged = _merge(CliOptions(compatibility=("pypi", "2_17"), auditwheel="skip"))
    assert merged == PlatformOptions(("manylinux_2_17",), True, "skip", False, False)
    assert _merge(CliOptions(compatibility=("PyPI",))) == PlatformOptions(
        (), True, "repair", False, False
    )


def test_command_line_wins_over_the_file() -> None:
    tool = ToolConfig(compatibility=("manylinux_2_99",), auditwheel="check", strip=False)
    merged = _merge(CliOptions(compatibility=("off",), auditwheel="warn", zig=True), tool)
    assert merged == PlatformOptions(("linux",), False, "warn", True, False)


def test_the_file_is_used_without_the_command_line() -> None:
    tool = ToolConfig(compatibility=("2_28",), auditwheel="check")
    assert _merge(tool=tool) == PlatformOptions(("manylinux_2_28",), False, "check", False, False)


def test_file_policies_are_not_checked_before_the_build() -> None:
    # develop and sdist never audit: a policy auditwheel does not define passes, as maturin's.
    tool = ToolConfig(compatibility=("manylinux_2_99",))
    assert _merge(tool=tool) == PlatformOptions(("manylinux_2_99",), False, "repair", False, False)


@pytest.mark.parametrize(
    ("cli", "tool", "mode"),
    [
        (CliOptions(skip_auditwheel=True), ToolConfig(auditwheel="check"), "skip"),
        (CliOptions(), ToolConfig(skip_auditwheel=True, auditwheel="check"), "skip"),
        (CliOptions(auditwheel="warn", skip_auditwheel=True), ToolConfig(), "warn"),
        (CliOptions(), ToolConfig(auditwheel="warn"), "warn"),
        (CliOptions(), ToolConfig(), "repair"),
    ],
    ids=["cli-skip", "file-skip", "cli-mode-first", "file-mode", "default"],
)
def test_audit_mode(cli: CliOptions, tool: ToolConfig, mode: str) -> None:
    assert _merge(cli, tool).auditwheel == mode


@pytest.mark.parametrize(
    ("cli", "tool", "strip_env"),
    [
        (CliOptions(strip=True), ToolConfig(), False),
        (CliOptions(), ToolConfig(strip=True), False),
        (CliOptions(), ToolConfig(), True),
    ],
    ids=["cli", "file", "env"],
)
def test_strip(cli: CliOptions, tool: ToolConfig, strip_env: bool) -> None:
    assert _merge(cli, tool, strip_env=strip_env).strip is True


def test_no_strip() -> None:
    assert _merge(CliOptions(), ToolConfig(), strip_env=False).strip is False


def test_zig_comes_from_the_command_line() -> None:
    assert _merge(CliOptions(zig=True)).zig is True


def test_command_line_errors_name_the_option() -> None:
    assert _cli_error(CliOptions(compatibility=("manylinux_2",))) == (
        "--compatibility: 'manylinux_2' is not a platform compatibility; use linux (or off), "
        "pypi, manylinux2014, manylinux_X_Y (or X_Y) or musllinux_X_Y"
    )
    assert _cli_error(CliOptions(compatibility=("off", "2014"), auditwheel="skip")) == (
        "--compatibility: 'linux' cannot be combined with other platform tags"
    )
    assert _cli_error(CliOptions(compatibility=("2014", "musllinux_1_2"), auditwheel="skip")) == (
        "--compatibility: manylinux and musllinux tags cannot be mixed for an extension module"
    )


def test_command_line_policy_checked_before_the_build() -> None:
    cli = CliOptions(compatibility=("manylinux1",), target="aarch64-unknown-linux-gnu")
    assert _cli_error(cli) == (
        "--compatibility: 'manylinux1' (manylinux_2_5) does not cover aarch64, the "
        "architecture of --target aarch64-unknown-linux-gnu; it covers i686, x86_64"
    )
    assert _cli_error(CliOptions(compatibility=("manylinux_2_99",))).startswith(
        "--compatibility: 'manylinux_2_99' is not a policy auditwheel defines"
    )


@pytest.mark.parametrize("mode", ["repair", "check", "warn"])
def test_every_auditing_mode_checks_the_policy(mode: str) -> None:
    cli = CliOptions(compatibility=(" manylinux_2_99 ",), auditwheel=mode)
    assert _cli_error(cli).startswith("--compatibility: 'manylinux_2_99' is not a policy")


def test_skip_checks_no_policy() -> None:
    cli = CliOptions(compatibility=("manylinux1",), target="aarch64-unknown-linux-gnu")
    assert _merge(CliOptions(**{**vars(cli), "skip_auditwheel": True})).compatibility == (
        "manylinux_2_5",
    )


def test_the_hosts_tag_and_pypi_need_no_policy() -> None:
    cli = CliOptions(compatibility=("off", "pypi"), target="aarch64-unknown-linux-gnu")
    assert _merge(cli) == PlatformOptions(("linux",), True, "repair", False, False)


def test_file_errors_name_the_file_and_key() -> None:
    assert _config_problem(ToolConfig(compatibility=("bogus",))) == (
        PYPROJECT,
        "tool.maturin.compatibility",
        "'bogus' is not a platform compatibility; use linux (or off), pypi, manylinux2014, "
        "manylinux_X_Y (or X_Y) or musllinux_X_Y",
    )
    assert _config_problem(ToolConfig(compatibility=("linux", "2_28"))) == (
        PYPROJECT,
        "tool.maturin.compatibility",
        "'linux' cannot be combined with other platform tags",
    )
    assert _config_problem(ToolConfig(compatibility=("2_28", "musllinux_1_1"))) == (
        PYPROJECT,
        "tool.maturin.compatibility",
        "manylinux and musllinux tags cannot be mixed for an extension module",
    )


def test_file_error_without_a_pyproject_path() -> None:
    assert _config_problem(ToolConfig(compatibility=("bogus",)), path=None)[:2] == (
        Path("pyproject.toml"),
        "tool.maturin.compatibility",
    )


def test_macos_deployment_targets() -> None:
    tool = ToolConfig(
        target={
            "x86_64-apple-darwin": {"macos-deployment-target": " 10.14 "},
            "aarch64-apple-darwin": {"macos-deployment-target": "11.0", "other": 1},
            "blank": {"macos-deployment-target": "  "},
            "number": {"macos-deployment-target": 11},
            "none": {},
            "not-a-table": "11.0",
        }
    )
    assert macos_deployment_targets(tool) == {
        "x86_64-apple-darwin": "10.14",
        "aarch64-apple-darwin": "11.0",
    }
