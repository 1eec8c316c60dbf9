"""The single entry point for running other programs.

Every call names its environment explicitly and logs its argv, so a user can
re-run exactly what ferrule ran. Failures become :class:`~ferrule.errors.ProcessError`
carrying argv, exit code and the useful stream.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ferrule import _log
from ferrule.errors import FerruleError, ProcessError

__all__ = ["Completed", "run"]


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def _env_diff(env: Mapping[str, str]) -> str:
    changed = {k: v for k, v in env.items() if os.environ.get(k) != v}
    return " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(changed.items()))


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
    try:
        proc = subprocess.run(
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
    done = Completed(tuple(argv), proc.returncode, proc.stdout or "", proc.stderr or "")
    if check and proc.returncode != 0:
        raise ProcessError(argv, proc.returncode, done.stderr, hint=hint)
    return done
