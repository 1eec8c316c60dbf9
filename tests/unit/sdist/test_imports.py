"""What making an sdist imports: not the interpreter or build machinery, nor tomlkit
until a manifest is edited (the cold ``ferrule sdist`` row of bench/run.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ferrule
from tests.helpers.venv import clean_env

NOT_FOR_AN_SDIST = (
    "ferrule.abi",
    "ferrule.interpreter",
    "ferrule.interpreter_config",
    "ferrule.interpreter_probe",
    "ferrule.build.run",
    "ferrule.audit",
    "ferrule.wheel.writer",
    "tomlkit",
)


def test_the_sdist_modules_leave_the_build_machinery_alone() -> None:
    code = (
        "import sys\n"
        "import ferrule.commands.sdist, ferrule.sdist, ferrule.sdist.plan, ferrule.sdist.archive\n"
        "from ferrule.sdist.crates import start_cargo, graph_argv, file_list_argv\n"
        "print(sorted(m for m in sys.modules if m in set(sys.argv[1:])))\n"
    )
    env = clean_env()
    env["PYTHONPATH"] = str(Path(ferrule.__file__).parents[1])
    out = subprocess.run(
        [sys.executable, "-c", code, *NOT_FOR_AN_SDIST],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ast.literal_eval(out) == []
