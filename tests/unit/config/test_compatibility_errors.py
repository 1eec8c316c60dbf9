"""``compatibility`` values that cannot go together: the file and the dotted key are named.

Found by the property tests (test_properties.py): these two checks raised a bare
FerruleError without the file, unlike every other problem in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from ferrule.config import CliOptions, load_settings
from ferrule.errors import ConfigError, FerruleError


def _project(root: Path, table: str, compatibility: list[str]) -> Path:
    (root / "pyproject.toml").write_text(
        tomli_w.dumps(
            {
                "build-system": {"requires": ["ferrule"], "build-backend": "ferrule"},
                "tool": {table: {"compatibility": compatibility}},
            }
        )
    )
    (root / "Cargo.toml").write_text('[package]\nname = "demo"\nversion = "0.1.0"\n')
    return root


@pytest.mark.parametrize("table", ["ferrule", "maturin"])
@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["manylinux_2_17", "musllinux_1_2"], "manylinux and musllinux tags cannot be mixed"),
        (["linux", "manylinux2014"], "'linux' cannot be combined with other platform tags"),
    ],
)
def test_in_pyproject_a_config_error_naming_file_and_key(
    tmp_path: Path, table: str, values: list[str], message: str
) -> None:
    root = _project(tmp_path, table, values)
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={}, report=False)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == (root / "pyproject.toml", f"tool.{table}.compatibility")
    assert message in problem.message


def test_on_the_command_line_the_option_is_named(tmp_path: Path) -> None:
    root = _project(tmp_path, "ferrule", [])
    cli = CliOptions(compatibility=("manylinux_2_17", "musllinux_1_2"))
    with pytest.raises(FerruleError) as caught:
        load_settings(root, cli, environ={}, report=False)
    assert not isinstance(caught.value, ConfigError)
    assert str(caught.value).startswith("--compatibility: manylinux and musllinux")


def test_a_policy_auditwheel_lacks_is_refused_on_the_command_line(tmp_path: Path) -> None:
    """Said when the settings are read, before cargo (maturin refuses it after the build)."""
    root = _project(tmp_path, "ferrule", [])
    with pytest.raises(FerruleError) as caught:
        load_settings(root, CliOptions(compatibility=("manylinux_2_99",)), environ={}, report=False)
    assert str(caught.value).startswith(
        "--compatibility: 'manylinux_2_99' is not a policy auditwheel defines"
    )
    # --auditwheel skip tags the wheel without checking the policy, as maturin.
    cli = CliOptions(compatibility=("manylinux_2_99",), auditwheel="skip")
    skip = load_settings(root, cli, environ={}, report=False)
    assert skip.platform.compatibility == ("manylinux_2_99",)


@pytest.mark.parametrize("table", ["ferrule", "maturin"])
def test_in_pyproject_a_policy_auditwheel_lacks_is_left_to_the_audit(
    tmp_path: Path, table: str
) -> None:
    """``develop`` and ``sdist`` never audit and read the key as maturin's do; ``build``
    refuses it in the audit, as maturin."""
    root = _project(tmp_path, table, ["manylinux_2_99"])
    settings = load_settings(root, environ={}, report=False)
    assert settings.platform.compatibility == ("manylinux_2_99",)
