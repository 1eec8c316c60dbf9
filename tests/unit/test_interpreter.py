"""Interpreter probes started early (``ferrule.interpreter.start_probes``).

``ferrule build`` and ``build_wheel`` start the probes beside ``cargo metadata``;
each must be the very command (argv, environment, directory) the later probe runs,
so that the later one collects it instead of running the interpreter a second time.
The interpreters are shims, as pyenv's: a shell script that notes each run in a
log and hands over to the running Python.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from ferrule import _run, backend
from ferrule.config.model import Settings
from ferrule.interpreter import select_interpreters, start_probes
from tests.unit.build.planning import crate_settings

MINOR = f"3.{sys.version_info[1]}"
SHIM = '#!/bin/sh\necho "$0" >> "{log}"\nexec "{real}" "$@"\n'


@pytest.fixture(autouse=True)
def _nothing_left() -> Iterator[None]:
    _run._end_started()
    yield
    _run._end_started()


@pytest.fixture
def bindir(tmp_path: Path) -> Path:
    """``python3`` and ``python3.X`` (the running version) as shims; nothing else on PATH."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("python3", f"python{MINOR}"):
        shim = bindir / name
        shim.write_text(SHIM.format(log=tmp_path / "runs.log", real=sys.executable))
        shim.chmod(0o755)
    return bindir


def _settings(tmp_path: Path, bindir: Path, **environ: str) -> Settings:
    settings = crate_settings("pyo3-pure", tmp_path)
    return dataclasses.replace(
        settings, environ={**settings.environ, "PATH": str(bindir), **environ}
    )


def _runs(tmp_path: Path) -> list[str]:
    log = tmp_path / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize(
    ("specs", "find"),
    [([], False), ([MINOR], False), (["python3"], False), ([], True)],
    ids=["default", "-i version", "-i name", "-f"],
)
def test_the_early_probe_is_the_one_collected(
    tmp_path: Path, bindir: Path, specs: list[str], find: bool
) -> None:
    settings = _settings(tmp_path, bindir)
    start_probes(settings, specs, find)
    assert len(_run._started) == 1
    chosen = select_interpreters(settings, specs, find)
    assert [i.version for i in chosen] == [sys.version_info[:2]]
    assert _run._started == {}  # collected by the later probe, same argv/env/cwd
    assert len(_runs(tmp_path)) == 1  # the interpreter ran once


def test_a_path_named_by_pep517_build_args_is_probed_once(tmp_path: Path, bindir: Path) -> None:
    """``build_wheel`` with ``-i`` in its build arguments: the hook's own resolution."""
    settings = _settings(tmp_path, bindir)
    spec = str(bindir / f"python{MINOR}")
    start_probes(settings, [spec], find=False)
    assert len(_run._started) == 1
    interp = backend._interpreter(settings, SimpleNamespace(interpreter=[spec]))
    assert interp.version == sys.version_info[:2]
    assert _run._started == {}
    assert _runs(tmp_path) == [spec]


@pytest.mark.parametrize(
    "case",
    ["running Python", "active venv of the running Python", "--target", "PYO3_CONFIG_FILE"],
)
def test_nothing_is_started_when_no_probe_will_run(tmp_path: Path, bindir: Path, case: str) -> None:
    settings = _settings(tmp_path, bindir)
    specs: list[str] = []
    if case == "running Python":
        specs = [sys.executable]
    elif case == "active venv of the running Python":
        assert Path(sys.prefix, "bin", "python").exists()
        settings = _settings(tmp_path, bindir, VIRTUAL_ENV=sys.prefix)
    elif case == "--target":
        options = dataclasses.replace(settings.cargo_options, target="x86_64-unknown-linux-gnu")
        settings = dataclasses.replace(settings, cargo_options=options)
    else:
        settings = _settings(tmp_path, bindir, PYO3_CONFIG_FILE=str(tmp_path / "pyo3.cfg"))
    start_probes(settings, specs, find=False)
    assert _run._started == {}
