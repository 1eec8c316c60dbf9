"""The PEP 517/660 hooks: thin, below the CLI, and their requirements follow build-args.

The hooks run in a fresh interpreter here (a frontend starts one per hook call):
after ``get_requires_for_build_wheel`` and ``prepare_metadata_for_build_wheel`` on
a real test crate, neither argparse nor ferrule's CLI modules were imported.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ferrule
from tests.helpers.venv import clean_env

CRATES = Path(__file__).resolve().parents[1] / "crates"

_PROBE = """
import json, sys, tempfile
import ferrule.buildapi as hooks
requires = hooks.get_requires_for_build_wheel({"build-args": "-F x --compatibility pypi"})
name = hooks.prepare_metadata_for_build_wheel(tempfile.mkdtemp(), {"build-args": "-F x"})
editable = hooks.get_requires_for_build_editable(None)
loaded = sorted(m for m in sys.modules if m == "argparse" or m.startswith(("ferrule.cli", "ferrule.commands")))
print(json.dumps([requires, name, editable, loaded]))
"""


def _project(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(CRATES / name, dest, ignore=shutil.ignore_patterns("target"))
    return dest


def _run_fresh(script: str, project: Path) -> str:
    """``script`` in a fresh interpreter in ``project``, without ferrule's cache (the
    whole path, not the cached answer); its stdout."""
    env = clean_env(FERRULE_NO_CACHE="1")
    env["PYTHONPATH"] = str(Path(ferrule.__file__).parents[1])
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_hooks_import_neither_argparse_nor_the_cli(tmp_path: Path) -> None:
    stdout = _run_fresh(_PROBE, _project(tmp_path, "pyo3-pure"))
    requires, name, editable, loaded = json.loads(stdout)
    assert (requires, editable) == ([], [])
    assert name.endswith(".dist-info")
    assert loaded == []


_METADATA_ONLY = """
import sys, tempfile
import ferrule.buildapi as hooks
hooks.prepare_metadata_for_build_wheel(tempfile.mkdtemp(), None)
print(sorted(m for m in sys.modules if m == "ferrule.audit" or m.startswith("ferrule.audit.")))
"""


def test_the_metadata_hook_does_not_import_the_audit(tmp_path: Path) -> None:
    # The hooks' default compatibility ("off") names no policy: the audit package
    # (ELF reader, policy table) is for builds that check one.
    assert _run_fresh(_METADATA_ONLY, _project(tmp_path, "pyo3-pure")).strip() == "[]"


@pytest.fixture
def hook_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("FERRULE_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("FERRULE_PEP517_ARGS", "MATURIN_PEP517_ARGS", "FERRULE_NO_CACHE"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


CFFI = [] if sys.implementation.name == "pypy" else ["cffi"]  # PyPy ships cffi


@pytest.mark.parametrize(
    "hook", ["get_requires_for_build_wheel", "get_requires_for_build_editable"]
)
@pytest.mark.parametrize(
    ("crate", "build_args", "expected"),
    [
        ("pyo3-pure", None, []),
        ("pyo3-pure", "--zig", ["ziglang"]),
        ("pyo3-pure", "--zig --compatibility manylinux2014", ["ziglang"]),
        ("pyo3-pure", "-b cffi", CFFI),
        ("pyo3-pure", "-m ../bind-cffi/Cargo.toml", CFFI),
        ("bind-cffi", None, CFFI),
        ("bind-cffi", "--zig", [*CFFI, "ziglang"]),
        # cffi's generator runs on the target interpreter: PyPy has cffi built in.
        ("bind-cffi", "-i pypy3", []),
    ],
)
def test_requirements_follow_the_build_args(
    hook_env: pytest.MonkeyPatch,
    tmp_path: Path,
    hook: str,
    crate: str,
    build_args: str | None,
    expected: list[str],
) -> None:
    from ferrule import buildapi

    for name in ("pyo3-pure", "bind-cffi"):
        _project(tmp_path, name)
    hook_env.chdir(tmp_path / crate)
    settings = None if build_args is None else {"build-args": build_args}
    assert getattr(buildapi, hook)(settings) == expected
    # Asked again: the cached answer (keyed by the arguments) is the same.
    assert getattr(buildapi, hook)(settings) == expected


def test_requirements_follow_maturins_environment_variable(
    hook_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ferrule import buildapi

    hook_env.chdir(_project(tmp_path, "pyo3-pure"))
    assert buildapi.get_requires_for_build_wheel(None) == []
    hook_env.setenv("MATURIN_PEP517_ARGS", "--zig")
    assert buildapi.get_requires_for_build_wheel(None) == ["ziglang"]
    # config_settings come first, as in maturin's shim
    assert buildapi.get_requires_for_build_wheel({"build-args": ""}) == []


def test_bad_build_args_are_one_message(
    hook_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ferrule import buildapi

    hook_env.chdir(_project(tmp_path, "pyo3-pure"))
    with pytest.raises(SystemExit) as caught:
        buildapi.get_requires_for_build_wheel({"build-args": "--zig-zag"})
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "build-args: unknown option --zig-zag" in err
    assert "Traceback" not in err
