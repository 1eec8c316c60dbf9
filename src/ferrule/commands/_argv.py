"""Checking ferrule command lines against ferrule's own argument parser.

Workflows call ``ferrule build ...`` on machines we never see; the arguments
are checked here, when the workflow is written, so a misspelt flag in
``generate-ci.github.args`` is reported with its key instead of failing a release.
``generate-ci`` hands :func:`build_args_problem` down to :mod:`ferrule.ci.config`,
which sits below the CLI.
"""

from __future__ import annotations

import contextlib
import io
import shlex
from collections.abc import Sequence

__all__ = ["build_args_problem", "command_problem"]


def command_problem(argv: Sequence[str]) -> str | None:
    """Why ``ferrule <argv>`` would be refused by ferrule's parser, or None.

    >>> command_problem(["build", "--release", "--out", "dist"]) is None
    True
    >>> command_problem(["build", "--relase"])
    'ferrule: error: unrecognized arguments: --relase'
    """
    from ferrule.cli import build_parser, split_rustc_args

    ours, _rustc = split_rustc_args(argv)
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            build_parser().parse_args(ours)
    except SystemExit as exc:
        if exc.code == 0:  # --help or --version: accepted, though odd in a workflow
            return None
        lines = [line for line in stderr.getvalue().splitlines() if line.strip()]
        return lines[-1] if lines else "the arguments were refused"
    return None


def build_args_problem(args: str) -> str | None:
    """Why ``ferrule build <args>`` would be refused (``args`` is shell text), or None.

    >>> build_args_problem("--features simd --locked") is None
    True
    >>> build_args_problem("--features 'unclosed")
    'cannot split into arguments: No closing quotation'
    """
    try:
        argv = shlex.split(args)
    except ValueError as exc:
        return f"cannot split into arguments: {exc}"
    return command_problem(["build", *argv])
