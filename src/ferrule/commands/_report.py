"""``--report FILE`` and ``--json`` of ``build``, ``sdist`` and ``develop`` (docs/report.md).

:func:`reporting` wraps a command's run: it makes the :class:`BuildReport` the
command passes down, and on the way out, whether the run succeeded or not,
writes it (atomically) and, with ``--json``, prints it as the only thing on
stdout: for the run itself, file descriptor 1 points at stderr, so that what
ferrule prints (the paths of what it made, a replay's answer) and what its
subprocesses print (pip) goes there.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ferrule.build.report import BuildReport

__all__ = ["REPORT_OPTIONS", "reporting"]

# Not options of the build: the replay keys and the report's options leave them out.
REPORT_OPTIONS = ("report", "json")


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):  # when sys.stdout is not fd 1
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def reporting(args: argparse.Namespace, command: str) -> Iterator[BuildReport]:
    """The command's report; written (and printed) when the command ends, however it ends.

    The exit status recorded is the one :func:`ferrule.cli.main` gives: 1 for an
    error (the report names it), 130 for an interrupt, 0 otherwise.
    """
    from ferrule.build.report import BuildReport
    from ferrule.errors import FerruleError

    skip = ("command", "verbose", "command_verbose", *REPORT_OPTIONS)
    options = {k: v for k, v in vars(args).items() if not k.startswith("_") and k not in skip}
    report = BuildReport(command, options)
    path = getattr(args, "report", None)
    path = path.resolve() if path is not None else None  # before the command runs anywhere
    to_stdout = bool(getattr(args, "json", False))
    if path is None and not to_stdout:
        yield report
        return
    try:
        with _stdout_to_stderr() if to_stdout else contextlib.nullcontext():
            yield report
        report.finish(0)
    except KeyboardInterrupt as exc:
        report.finish(130, exc)
        raise
    except Exception as exc:  # a FerruleError; anything else is a bug, traceback kept
        report.finish(1, exc)
        raise
    finally:
        if path is not None:
            try:
                report.write(path)
            except OSError as exc:
                raise FerruleError(f"cannot write the report {path}: {exc}") from exc
        if to_stdout:
            sys.stdout.write(report.to_json())
            sys.stdout.flush()
