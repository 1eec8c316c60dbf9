"""``ferrule --version`` answers before the CLI imports its machinery.

The start-up budget is pinned by what a fresh interpreter has imported after
``main(["--version"])`` (never by timings): no argparse, no command module, no
option table, no TOML/JSON parser, no packaging. The console script and
``python -m ferrule`` both go through :func:`ferrule.cli.main`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ferrule
from tests.helpers.venv import clean_env

# The modules a --version answer must not import (prefixes: their submodules too).
HEAVY = (
    "argparse",
    "json",
    "tomllib",
    "packaging",
    "ferrule.buildargs",
    "ferrule.build_options",
    "ferrule.commands",
    "ferrule.config",
    "ferrule.errors",
)

_PROBE = """
import sys
from ferrule.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {heavy!r}))
print(repr((code, loaded)))
"""


def _run(*argv: str) -> tuple[str, int, list[str]]:
    env = clean_env()
    env["PYTHONPATH"] = str(Path(ferrule.__file__).parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    version_line, result = proc.stdout.splitlines()
    code, loaded = ast.literal_eval(result)
    return version_line, code, loaded


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_imports_none_of_the_cli_machinery(flag: str) -> None:
    version_line, code, loaded = _run(flag)
    assert version_line == f"ferrule {ferrule.__version__}"
    assert code == 0
    assert loaded == []


def test_version_after_rustc_args_still_goes_through_the_parser() -> None:
    # `--version -- x`: argparse answers (and exits), as before the shortcut.
    env = clean_env()
    env["PYTHONPATH"] = str(Path(ferrule.__file__).parents[1])
    proc = subprocess.run(
        [sys.executable, "-m", "ferrule", "--version", "--", "-C", "x"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, f"ferrule {ferrule.__version__}\n")
