"""``ferrule._run``: a command started early is the one a later run collects."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator

import pytest

from ferrule import _run
from ferrule.errors import FerruleError, ProcessError

ENV = dict(os.environ)
# Prints its pid, then its argument; fails when the argument is "fail".
SCRIPT = (
    "import os, sys; print(os.getpid()); print(sys.argv[1]); "
    "sys.stderr.write('bad input\\n') if sys.argv[1] == 'fail' else None; "
    "sys.exit(3 if sys.argv[1] == 'fail' else 0)"
)


def _argv(word: str) -> list[str]:
    return [sys.executable, "-c", SCRIPT, word]


@pytest.fixture(autouse=True)
def _nothing_left() -> Iterator[None]:
    _run._end_started()
    yield
    _run._end_started()
    assert _run._started == {}


def test_run_collects_the_started_process() -> None:
    before = time.time_ns()
    _run.start(_argv("early"), env=ENV)
    started_at = _run.started_at(_argv("early"), env=ENV)
    assert started_at is not None and started_at >= before
    ((proc, _),) = _run._started.values()
    done = _run.run(_argv("early"), env=ENV)
    assert done.stdout.split() == [str(proc.pid), "early"]
    assert done.argv == tuple(_argv("early"))
    assert _run.started_at(_argv("early"), env=ENV) is None  # collected once
    again = _run.run(_argv("early"), env=ENV)
    assert again.stdout.split()[0] != str(proc.pid)


def test_starting_twice_starts_once() -> None:
    _run.start(_argv("x"), env=ENV)
    _run.start(_argv("x"), env=ENV)
    assert len(_run._started) == 1


@pytest.mark.parametrize(
    "other",
    [
        {"argv": _argv("other")},
        {"env": {**ENV, "FERRULE_TEST_OTHER": "1"}},
        {"cwd": "/"},
    ],
    ids=["argv", "env", "cwd"],
)
def test_another_command_runs_afresh(other: dict[str, object]) -> None:
    _run.start(_argv("x"), env=ENV)
    ((proc, _),) = _run._started.values()
    argv = other.get("argv", _argv("x"))
    env = other.get("env", ENV)
    cwd = other.get("cwd")
    done = _run.run(argv, env=env, cwd=cwd)  # type: ignore[arg-type]
    assert done.stdout.split()[0] != str(proc.pid)
    assert len(_run._started) == 1  # the early one still waits; ended at exit


def test_a_started_failure_is_reported_by_run() -> None:
    _run.start(_argv("fail"), env=ENV)
    with pytest.raises(ProcessError) as info:
        _run.run(_argv("fail"), env=ENV, hint="  the hint")
    assert info.value.returncode == 3
    assert "bad input" in str(info.value)
    assert _run.run(_argv("fail"), env=ENV, check=False).returncode == 3


def test_a_missing_program_is_reported_by_run_not_start() -> None:
    argv = ["ferrule-no-such-program", "x"]
    _run.start(argv, env=ENV)
    assert _run._started == {}
    with pytest.raises(FerruleError, match="'ferrule-no-such-program' was not found on PATH"):
        _run.run(argv, env=ENV)


def test_a_run_with_a_stream_not_captured_does_not_collect() -> None:
    _run.start(_argv("x"), env=ENV)
    _run.run(_argv("x"), env=ENV, capture_stderr=False)
    assert len(_run._started) == 1


def test_what_nobody_asked_for_is_ended() -> None:
    _run.start([sys.executable, "-c", "import time; time.sleep(60)"], env=ENV)
    ((proc, _),) = _run._started.values()
    _run._end_started()
    assert proc.returncode is not None
    assert _run._started == {}


def test_ending_does_not_wait_for_what_the_command_left_behind() -> None:
    """A wrapper that runs its program as a child (a shell script, a toolchain proxy)
    leaves the child holding the output pipes when it is killed: ending it must not
    wait for that child to finish."""
    child = "import time; time.sleep(30)"
    parent = (
        "import subprocess, sys, time; "
        f"c = subprocess.Popen([sys.executable, '-c', {child!r}]); print(c.pid, flush=True); "
        "time.sleep(30)"
    )
    _run.start([sys.executable, "-c", parent], env=ENV)
    ((proc, _),) = _run._started.values()
    assert proc.stdout is not None
    orphan = int(proc.stdout.readline())  # the child holds the pipes now
    try:
        began = time.monotonic()
        _run._end_started()
        assert time.monotonic() - began < 10
        assert proc.returncode is not None
    finally:
        os.kill(orphan, signal.SIGKILL)
