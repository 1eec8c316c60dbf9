"""Every problem of one bad generate-ci table, in order, with its full dotted key and message.

tests/unit/ci/test_config.py checks the problems one at a time; here one table holds many,
so that a check that stops early (a ``break`` for a ``continue``), a key built from the
wrong parts or a problem reported twice shows up in the list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.ci.config import GitHubConfig, Overrides, PlatformConfig, parse_generate_ci
from ferrule.commands._argv import build_args_problem
from ferrule.errors import ConfigError

FILE = Path("pyproject.toml")
MANYLINUX = "is not a manylinux image: use 'auto', '2014', '2_28' (or another manylinux_2_X) or 'musllinux_1_2'"

BAD = {
    "gitlab": {},
    "github": {
        "pytets": True,
        "args": 3,
        "skip-attestation": "no",
        "linux": {
            "runnr": "x",
            "manylinux": "2010",
            "docker-options": 5,
            "args": "--relase",
            "target": [
                {"arch": "x86_64", "colour": 1, "manylinux": "1", "runner": 2},
                "notatable",
                {"runner": "r"},
                {"arch": "sparc"},
                {"arch": 7},
                {"arch": "x86_64"},
            ],
        },
        "windows": {"manylinux": "2_28", "container": "c", "targets": ["x64", "x65", "x64"]},
        "macos": {"targets": []},
        "musllinux": "yes",
        "emscripten": {},
    },
}


@pytest.mark.parametrize("tool_table", ["tool.ferrule", "tool.maturin"])
def test_every_problem_in_order(tool_table: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_generate_ci(BAD, tool_table, FILE, build_args_problem)
    prefix = f"{tool_table}.generate-ci"
    got = [(p.file, p.key, p.message) for p in caught.value.problems]
    assert got == [
        (FILE, f"{prefix}.{key}", message)
        for key, message in [
            ("gitlab", "unknown key (did you mean 'github'?)"),
            ("github.pytets", "unknown key (did you mean 'pytest'?)"),
            ("github.skip-attestation", "must be true or false"),
            ("github.args", "must be a string"),
            (
                "github.emscripten",
                "ferrule cannot build emscripten (Pyodide) wheels; remove this table to "
                "generate a workflow",
            ),
            ("github.linux.runnr", "unknown key (did you mean 'runner'?)"),
            ("github.linux.manylinux", f"'2010' {MANYLINUX}"),
            ("github.linux.docker-options", "must be a string"),
            (
                "github.linux.args",
                "ferrule: error: unrecognized arguments: --relase ('ferrule build' must "
                "accept these arguments)",
            ),
            ("github.linux.target[0].colour", "unknown key"),
            ("github.linux.target[0].runner", "must be a string"),
            ("github.linux.target[0].manylinux", f"'1' {MANYLINUX}"),
            ("github.linux.target[1]", "must be a table"),
            ("github.linux.target[2].arch", "is required"),
            (
                "github.linux.target[3].arch",
                "'sparc' is not a linux target ferrule builds: one of x86_64, x86, aarch64, "
                "armv7, s390x, ppc64le",
            ),
            ("github.linux.target[4].arch", "must be a string"),
            ("github.linux.target[5].arch", "'x86_64' is listed twice"),
            ("github.musllinux", "must be a table"),
            ("github.windows.manylinux", "applies to Linux builds only, not to windows"),
            ("github.windows.container", "applies to Linux builds only, not to windows"),
            (
                "github.windows.targets[1]",
                "'x65' is not a windows target ferrule builds: one of x64, x86, aarch64 "
                "(did you mean 'x86'?)",
            ),
            ("github.macos.targets", "must be a non-empty array of architectures"),
        ]
    ]


def test_a_github_value_that_is_not_a_table_stops_there() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_generate_ci({"github": ["x"], "other": 1}, "tool.maturin", FILE)
    assert [(p.key, p.message) for p in caught.value.problems] == [
        ("tool.maturin.generate-ci.other", "unknown key"),
        ("tool.maturin.generate-ci.github", "must be a table"),
    ]


def test_a_good_table_in_full() -> None:
    table = {
        "github": {
            "pytest": True,
            "zig": True,
            "skip-attestation": True,
            "trusted-publishing": False,
            "publishing-environment": "pypi",
            "args": "--locked",
            "python-versions": ["3.12", "3.13t", "3.12", "pypy3.11"],
            "linux": {
                "manylinux": "2_28",
                "args": "-F simd",
                "target": [{"arch": "aarch64", "runner": "arm", "container": "img"}],
            },
            "windows": {"targets": ["x86", "x64", "x86"], "rust-toolchain": "1.85"},
        }
    }
    config = parse_generate_ci(table, "tool.ferrule", FILE, build_args_problem)
    assert config == GitHubConfig(
        pytest=True,
        zig=True,
        skip_attestation=True,
        trusted_publishing=False,
        publishing_environment="pypi",
        args="--locked",
        python_versions=("3.12", "3.13t", "pypy3.11"),
        platforms={
            "linux": PlatformConfig(
                Overrides(manylinux="2_28", args="-F simd"),
                None,
                (("aarch64", Overrides(runner="arm", container="img")),),
            ),
            "windows": PlatformConfig(Overrides(rust_toolchain="1.85"), ("x86", "x64"), None),
        },
    )
    assert config.platforms["linux"].arches(("x86_64",)) == ("aarch64",)
    assert config.platforms["linux"].target_overrides("x86_64") == Overrides()
    assert config.platforms["windows"].arches(("x64",)) == ("x86", "x64")
    assert PlatformConfig().arches(("x64",)) == ("x64",)
