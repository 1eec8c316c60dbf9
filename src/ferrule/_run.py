"""The single entry point for running other programs.

Every call names its environment explicitly and logs its argv, so a user can
re-run exactly what ferrule ran. Failures become :class:`~ferrule.errors.ProcessError`
carrying argv, exit code and the useful stream.

:func:`start` begins a command that a later :func:`run` will ask for with the
same argv, environment and directory: the cold paths start ``cargo metadata``
(``build``, ``develop``, PEP 517's ``build_wheel`` and PEP 660's ``build_editable``),
an sdist's ``cargo package --list`` and the probes of the interpreters to build for
as soon as the command line is known, so that they run on another core while
Python imports and reads the project.
:func:`run` then takes that process's answer; errors are reported there, as for
any other run. A started command nobody asks for is ended when ferrule exits.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ferrule import _log
from ferrule._record import record
from ferrule.errors import FerruleError, ProcessError

__all__ = ["Completed", "run", "start", "started_at"]


@record
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def _env_diff(env: Mapping[str, str]) -> str:
    changed = {k: v for k, v in env.items() if os.environ.get(k) != v}
    return " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(changed.items()))


_Key = tuple[tuple[str, ...], tuple[tuple[str, str], ...], str]
# Started commands not yet asked for, with when they started (time.time_ns()).
_started: dict[_Key, tuple[subprocess.Popen[str], int]] = {}


def _key(argv: Sequence[str], env: Mapping[str, str], cwd: Path | None) -> _Key:
    return tuple(str(a) for a in argv), tuple(sorted(env.items())), str(cwd or Path.cwd())


def started_at(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None
) -> int | None:
    """When (``time.time_ns()``) :func:`start` began this command, if it waits for :func:`run`.

    What the command read may be as old as that: a cache of its answer must
    treat inputs changed since then as changed.
    """
    found = _started.get(_key(argv, env, cwd))
    return found[1] if found else None


def start(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None) -> None:
    """Begin ``argv`` now, its output captured, for a later :func:`run` of the same
    command (same argv, environment and directory) to collect.

    Nothing is reported here: a program that cannot be started is left for
    :func:`run` to report, with its usual message.
    """
    argv = [str(a) for a in argv]
    key = _key(argv, env, cwd)
    if key in _started:
        return
    _log.debug(f"starting early: {shlex.join(argv)}")
    when = time.time_ns()
    try:
        proc = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except OSError:
        return
    if not _started:
        import atexit

        atexit.register(_end_started)
    _started[key] = (proc, when)


def _end_started() -> None:
    """End the started commands nobody asked for (the run failed before it needed them).

    Their output is not read: a wrapper that runs its program as a child (a shell
    script, a toolchain proxy) leaves that child holding the pipes when it is killed,
    and reading would wait for the child to finish.
    """
    while _started:
        _, (proc, _) = _started.popitem()
        proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.wait()


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    capture_stdout: bool = True,
    capture_stderr: bool = True,
    check: bool = True,
    hint: str = "",
) -> Completed:
    """Run ``argv`` with exactly ``env``.

    Streams that are not captured go straight to ours (cargo's rendered
    diagnostics reach the user once, live). With ``check``, a non-zero exit
    raises :class:`ProcessError` with the captured stderr (never stdout, which for
    cargo is pages of JSON).
    """
    argv = [str(a) for a in argv]
    diff = _env_diff(env)
    _log.debug(f"running: {diff + ' ' if diff else ''}{shlex.join(argv)}")
    captured = capture_stdout and capture_stderr
    early = _started.pop(_key(argv, env, cwd), None) if _started and captured else None
    if early is not None:
        stdout, stderr = early[0].communicate()
        proc = subprocess.CompletedProcess(argv, early[0].returncode, stdout, stderr)
    else:
        proc = _run_now(argv, env, cwd, capture_stdout, capture_stderr)
    done = Completed(tuple(argv), proc.returncode, proc.stdout or "", proc.stderr or "")
    if check and proc.returncode != 0:
        raise ProcessError(argv, proc.returncode, done.stderr, hint=hint)
    return done


def _run_now(
    argv: list[str],
    env: Mapping[str, str],
    cwd: Path | None,
    capture_stdout: bool,
    capture_stderr: bool,
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture_stdout else None,
            stderr=subprocess.PIPE if capture_stderr else None,
            text=True,
            errors="replace",
            check=False,
        )
    except FileNotFoundError:
        raise FerruleError(
            f"{argv[0]!r} was not found on PATH; it is needed to run: {shlex.join(argv)}"
        ) from None
    except PermissionError as exc:
        raise FerruleError(f"cannot execute {argv[0]!r}: {exc.strerror}") from None
