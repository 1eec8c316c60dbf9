"""A ``--compatibility`` the build cannot meet is refused before cargo starts.

Through the CLI and through PEP 517 ``build-args`` alike: one message naming the
option and the value, no traceback, and no cargo process. A recording ``cargo``
stands first on PATH (and in ``CARGO``); it writes its argv to a log and fails,
so a test that let cargo start would see the log. The control case
(``--auditwheel skip``, with which maturin tags the wheel without checking the
policy) reaches it: the recorder works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.venv import clean_env

CRATES = Path(__file__).resolve().parents[1] / "crates"

BAD = [
    # not a policy auditwheel defines (maturin refuses it after the build)
    (["--compatibility", "manylinux_2_99"], "'manylinux_2_99' is not a policy auditwheel defines"),
    (["--manylinux", "musllinux_1_9"], "'musllinux_1_9' is not a policy auditwheel defines"),
    # a policy that does not cover the target's architecture
    (
        ["--compatibility", "manylinux1", "--target", "aarch64-unknown-linux-gnu"],
        "'manylinux1' (manylinux_2_5) does not cover aarch64",
    ),
    # a typo
    (["--compatibility", "manylinx2014"], "'manylinx2014' is not a platform compatibility"),
]


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    """(project, environment, log): the project copy and a cargo that records its calls."""
    project = tmp_path / "pyo3-pure"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "cargo-calls.log"
    fake = bin_dir / "cargo"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "fake cargo" >&2\nexit 101\n')
    fake.chmod(0o755)
    env = clean_env(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        CARGO=str(fake),
        CARGO_TARGET_DIR=str(tmp_path / "target"),
        FERRULE_NO_CACHE="1",
    )
    return project, env, log


def _cli(argv: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ferrule", "build", "--release", "-o", "out", *argv],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _hook(argv: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import shlex, sys, ferrule.buildapi as b; "
        "b.build_wheel('out', {'build-args': shlex.join(sys.argv[1:])})"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("route", [_cli, _hook], ids=["cli", "pep517"])
@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_refused_before_cargo(
    recorded: tuple[Path, dict[str, str], Path], route: object, argv: list[str], message: str
) -> None:
    project, env, log = recorded
    proc = route(argv, project, env)  # type: ignore[operator]
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.strip()]
    assert f"--compatibility: {message}" in line
    assert not log.exists(), log.read_text()
    assert not (Path(env["CARGO_TARGET_DIR"])).exists()
    assert not (project / "out").exists()


@pytest.mark.parametrize("route", [_cli, _hook], ids=["cli", "pep517"])
def test_with_auditwheel_skip_the_policy_is_not_checked(
    recorded: tuple[Path, dict[str, str], Path], route: object
) -> None:
    """maturin tags an unknown policy without checking it under --auditwheel skip: the
    build goes on to cargo (here the recorder, which fails)."""
    project, env, log = recorded
    proc = route(["--compatibility", "manylinux_2_99", "--auditwheel", "skip"], project, env)  # type: ignore[operator]
    assert proc.returncode == 1
    assert "fake cargo" in proc.stderr
    assert log.exists()
