"""Issue 19: layouts maturin 1.16 builds (or refuses) are built (or refused) the same way.

Each case runs maturin on the same copy of one of our crates, so the expected
outcome comes from maturin itself; every wheel ferrule builds is installed,
imported and called.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow


def copy(crate: str, dest: Path) -> Path:
    shutil.copytree(CRATES / crate, dest / crate, ignore=shutil.ignore_patterns("target"))
    return dest / crate


def maturin(*args: str | os.PathLike[str], cwd: Path, check: bool = True) -> str:
    """Run the pinned maturin; its own target directory (it configures pyo3 differently)."""
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    proc = run(["maturin", *args], cwd=cwd, env=env, check=check)
    return proc.stderr


def test_python_source_without_the_package(tmp_path: Path) -> None:
    """wrong-python-source: maturin stops; a wheel without the Python package is no answer."""
    project = copy("bind-bin", tmp_path)
    with (project / "pyproject.toml").open("a") as f:
        f.write('python-source = "python"\n')
    (project / "python" / "other").mkdir(parents=True)
    (project / "python" / "other" / "__init__.py").write_text("")

    err = maturin("build", "-o", tmp_path / "m", cwd=project, check=False)
    assert "python-source is set to" in err and "does not exist" in err
    out = tmp_path / "out"
    proc = ferrule("build", "-o", out, cwd=project, check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert f"{project / 'pyproject.toml'}: tool.maturin.python-source: is set to 'python'" in line
    assert f"the Python package {project / 'python' / 'bind_bin'} does not exist" in line
    assert not out.exists()

    # With the package there, both build it into the wheel.
    (project / "python" / "other").rename(project / "python" / "bind_bin")
    (project / "python" / "bind_bin" / "__init__.py").write_text("HERE = 'python-source'\n")
    ferrule("build", "-o", out, cwd=project)
    (wheel,) = out.glob("*.whl")
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel)
    assert venv.run_python("-c", "import bind_bin; print(bind_bin.HERE)").strip() == (
        "python-source"
    )
    assert venv.exercise(project / "exercise.py").endswith("ok")
