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


def _loaded_commands(*argv: str) -> list[str]:
    code = (
        "import sys; from ferrule.cli import parse_args; parse_args(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('ferrule.commands.')))"
    )
    env = clean_env()
    env["PYTHONPATH"] = str(Path(ferrule.__file__).parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=True
    )
    loaded: list[str] = ast.literal_eval(proc.stdout)
    return [m for m in loaded if not m.rsplit(".", 1)[1].startswith("_")]


def test_a_command_imports_its_own_module_only() -> None:
    assert _loaded_commands("-v", "b", "--release") == ["ferrule.commands.build"]
    assert _loaded_commands("sdist", "-o", "dist") == ["ferrule.commands.sdist"]


def test_aliases_are_the_commands_own() -> None:
    """ALIASES (what picks the one module to import) says what the parsers declare."""
    import argparse

    from ferrule.cli import build_parser
    from ferrule.commands import ALIASES, COMMANDS

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    declared = {
        name: next(c for c in COMMANDS if sub.choices[c] is parser)
        for name, parser in sub.choices.items()
        if name not in COMMANDS
    }
    assert declared == ALIASES


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--release", "-i", "python3", "--strip"],
        ["b", "-o", "dist", "--", "-C", "x"],
        ["develop", "--uv", "-E", "a,b"],
        ["sdist", "--vendor"],
        ["pep517", "write-dist-info", "--metadata-directory", "m"],
        ["upload", "--skip-existing", "a.whl"],
        ["-v", "cache", "clean"],
    ],
)
def test_the_one_command_parser_reads_as_the_whole_one(argv: list[str]) -> None:
    from ferrule.cli import build_parser, split_rustc_args

    ours = split_rustc_args(argv)[0]
    narrow = vars(build_parser(ours).parse_args(ours))
    whole = vars(build_parser().parse_args(ours))
    assert narrow == whole
