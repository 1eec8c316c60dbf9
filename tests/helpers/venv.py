"""Real virtual environments for tests: create, install, run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without venv/pip variables that would leak in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX", "PIP_REQUIRE_VIRTUALENV")
    }
    env.update(extra)
    return env


def offline_installs(*links: Path) -> dict[str, str]:
    """Environment variables that make pip and uv install from local directories only.

    No index, no network: every distribution comes from ``links`` (``--find-links``).
    """
    found = " ".join(str(link) for link in links)
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": found,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "UV_NO_INDEX": "1",
        "UV_OFFLINE": "1",
        "UV_FIND_LINKS": ",".join(str(link) for link in links),
    }


def run(
    argv: list[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"command failed ({proc.returncode}): {argv}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


class VEnv:
    """A virtual environment made by ``python -m venv`` (with pip)."""

    def __init__(self, path: Path, python: str = sys.executable) -> None:
        self.path = path
        run([python, "-m", "venv", path])
        self.python = path / "bin" / "python"

    @property
    def env(self) -> dict[str, str]:
        return clean_env(
            VIRTUAL_ENV=str(self.path),
            PATH=f"{self.path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
        )

    def pip(
        self, *args: str | os.PathLike[str], cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run([self.python, "-m", "pip", *args], cwd=cwd, env=self.env)

    def run_python(self, *args: str | os.PathLike[str], cwd: Path | None = None) -> str:
        return run([self.python, *args], cwd=cwd, env=self.env).stdout

    def exercise(self, script: Path) -> str:
        """Run a crate's exercise script against what is installed, not the source tree.

        (Running the file directly would put its directory, the crate, first on sys.path.)
        """
        return self.run_python("-c", script.read_text(), cwd=self.path).strip()
