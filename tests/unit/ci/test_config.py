"""The generate-ci table (ferrule.ci.config): values as parsed, every problem with its dotted key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ferrule.ci.config import Overrides, parse_generate_ci, parse_manylinux
from ferrule.errors import ConfigError

FILE = Path("pyproject.toml")


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("auto", "auto"),
        ("2014", "manylinux2014"),
        ("manylinux2014", "manylinux2014"),
        ("2_17", "manylinux2014"),
        ("manylinux_2_17", "manylinux2014"),
        ("2_24", "manylinux_2_24"),
        ("manylinux_2_28", "manylinux_2_28"),
        ("2_34", "manylinux_2_34"),
        ("musllinux_1_1", "musllinux_1_1"),
        ("musllinux_1_2", "musllinux_1_2"),
        ("2_23", None),
        ("manylinux_2_5", None),
        ("1", None),
        ("2010", None),
        ("Auto", None),
        ("musllinux_2_1", None),
        ("xmanylinux_2_28", None),
        ("musllinux_1_2x", None),
    ],
)
def test_parse_manylinux(value: str, family: str | None) -> None:
    assert parse_manylinux(value) == family


def problems(table: dict[str, Any], tool: str = "tool.ferrule") -> list[tuple[str, str]]:
    from ferrule.commands._argv import build_args_problem  # as `generate-ci` passes it

    with pytest.raises(ConfigError) as e:
        parse_generate_ci(table, tool, FILE, build_args_problem)
    assert {p.file for p in e.value.problems} == {FILE}
    return [(p.key, p.message) for p in e.value.problems]


def test_overrides_per_platform_and_target() -> None:
    config = parse_generate_ci(
        {
            "github": {
                "linux": {
                    "runner": "ubuntu-24.04",
                    "manylinux": "2_28",
                    "container": "c",
                    "docker-options": "-e X",
                    "rust-toolchain": "stable",
                    "rustup-components": "rust-src",
                    "before-script-linux": "yum install -y x",
                    "args": "--release",
                    "targets": ["x86_64", "aarch64", "x86_64"],
                },
                "windows": {
                    "target": [{"arch": "x64", "runner": "windows-2022"}, {"arch": "aarch64"}]
                },
            }
        },
        "tool.ferrule",
        FILE,
    )
    linux = config.platforms["linux"]
    assert linux.overrides == Overrides(
        runner="ubuntu-24.04",
        manylinux="2_28",
        container="c",
        docker_options="-e X",
        rust_toolchain="stable",
        rustup_components="rust-src",
        before_script_linux="yum install -y x",
        args="--release",
    )
    assert linux.targets == ("x86_64", "aarch64")
    windows = config.platforms["windows"]
    assert windows.target == (("x64", Overrides(runner="windows-2022")), ("aarch64", Overrides()))
    assert windows.targets is None
    assert list(config.platforms) == ["linux", "windows"]


def test_every_problem_at_once_with_its_key() -> None:
    # Reported platform by platform in the workflow's order (linux, musllinux, windows, macos).
    key = "tool.ferrule.generate-ci.github"
    assert problems(
        {
            "github": {
                "windows": {
                    "manylinux": "2_28",
                    "container": "c",
                    "docker-options": "x",
                    "before-script-linux": "y",
                },
                "linux": {"manylinux": "2010", "runner": 5, "targets": ["x86_64", "sparc", 7]},
                "macos": {"targets": [], "target": []},
                "musllinux": {
                    "target": [
                        {"runner": "r"},
                        "x",
                        {"arch": "x86"},
                        {"arch": "x86"},
                        {"arch": "ia64"},
                    ]
                },
            }
        }
    ) == [
        (f"{key}.linux.runner", "must be a string"),
        (
            f"{key}.linux.manylinux",
            "'2010' is not a manylinux image: use 'auto', '2014', '2_28' (or another manylinux_2_X) "
            "or 'musllinux_1_2'",
        ),
        (
            f"{key}.linux.targets[1]",
            "'sparc' is not a linux target ferrule builds: one of x86_64, x86, aarch64, armv7, s390x, ppc64le",
        ),
        (f"{key}.linux.targets[2]", "must be a string"),
        (f"{key}.musllinux.target[0].arch", "is required"),
        (f"{key}.musllinux.target[1]", "must be a table"),
        (f"{key}.musllinux.target[3].arch", "'x86' is listed twice"),
        (
            f"{key}.musllinux.target[4].arch",
            "'ia64' is not a musllinux target ferrule builds: one of x86_64, x86, aarch64, armv7, s390x, ppc64le",
        ),
        (f"{key}.windows.manylinux", "applies to Linux builds only, not to windows"),
        (f"{key}.windows.container", "applies to Linux builds only, not to windows"),
        (f"{key}.windows.docker-options", "applies to Linux builds only, not to windows"),
        (f"{key}.windows.before-script-linux", "applies to Linux builds only, not to windows"),
        (f"{key}.macos.targets", "cannot be used together with [[target]] entries; keep one"),
        (f"{key}.macos.targets", "must be a non-empty array of architectures"),
    ]


def test_a_target_table_must_be_an_array_of_tables() -> None:
    key = "tool.maturin.generate-ci.github"
    assert problems(
        {"github": {"linux": {"target": {"arch": "x86_64"}}, "macos": "x"}}, "tool.maturin"
    ) == [
        (f"{key}.linux.target", "must be a non-empty array of tables ([[target]])"),
        (f"{key}.macos", "must be a table"),
    ]


def test_the_github_tables_own_keys() -> None:
    key = "tool.ferrule.generate-ci.github"
    assert problems(
        {
            "github": {
                "pytest": "yes",
                "zig": 1,
                "skip-attestation": "no",
                "trusted-publishing": 0,
                "publishing-environment": 5,
                "args": "--bogus",
                "python-versions": [],
                "windows": {"manylinux": "2_28", "args": "--nope"},
            }
        }
    ) == [
        (f"{key}.pytest", "must be true or false"),
        (f"{key}.zig", "must be true or false"),
        (f"{key}.skip-attestation", "must be true or false"),
        (f"{key}.trusted-publishing", "must be true or false"),
        (f"{key}.publishing-environment", "must be a string"),
        (
            f"{key}.args",
            "ferrule: error: unrecognized arguments: --bogus ('ferrule build' must accept these arguments)",
        ),
        (f"{key}.python-versions", "must be a non-empty array such as ['3.10', '3.14t']"),
        (f"{key}.windows.manylinux", "applies to Linux builds only, not to windows"),
        (
            f"{key}.windows.args",
            "ferrule: error: unrecognized arguments: --nope ('ferrule build' must accept these arguments)",
        ),
    ]
    assert problems({"github": {"python-versions": "3.12", "emscripten": {}}}) == [
        (f"{key}.python-versions", "must be a non-empty array such as ['3.10', '3.14t']"),
        (
            f"{key}.emscripten",
            "ferrule cannot build emscripten (Pyodide) wheels; remove this table to generate a workflow",
        ),
    ]
    assert problems({"github": {"python-versions": ["3.12", "3.x"]}}) == [
        (f"{key}.python-versions", "'3.x' is not a version such as '3.12', '3.14t' or 'pypy3.11'")
    ]
    assert problems({"github": "x"}) == [(f"{key}", "must be a table")]


def test_python_versions_are_a_ferrule_extension() -> None:
    assert problems({"github": {"python-versions": ["3.12"]}, "gitlab": {}}, "tool.maturin") == [
        ("tool.maturin.generate-ci.gitlab", "unknown key (did you mean 'github'?)"),
        (
            "tool.maturin.generate-ci.github.python-versions",
            "is a ferrule extension that maturin would silently ignore; move the configuration to [tool.ferrule]",
        ),
    ]


def test_defaults_and_python_versions_once_each() -> None:
    config = parse_generate_ci({"github": {}}, "tool.ferrule", FILE)
    assert (config.pytest, config.zig, config.skip_attestation, config.trusted_publishing) == (
        False,
        False,
        False,
        True,
    )
    assert (
        config.publishing_environment,
        config.args,
        config.python_versions,
        config.platforms,
    ) == (None, None, None, {})
    config = parse_generate_ci(
        {
            "github": {
                "zig": True,
                "args": "--release",
                "python-versions": ["3.12", "3.14t", "3.12", "pypy3.11"],
            }
        },
        "tool.ferrule",
        FILE,
    )
    assert (config.zig, config.args, config.python_versions) == (
        True,
        "--release",
        ("3.12", "3.14t", "pypy3.11"),
    )
