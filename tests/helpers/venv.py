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


#: virtualenv's cache of unpacked seed wheels (kept across sessions, per worktree).
_SEED_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "virtualenv"


def _bundled_seeds() -> list[Path]:
    """The wheels ``python -m venv`` would install here (ensurepip's: pip, and setuptools
    before Python 3.12)."""
    import ensurepip

    return sorted((Path(ensurepip.__file__).parent / "_bundled").glob("*.whl"))


class VEnv:
    """A virtual environment with pip, as ``python -m venv`` makes it.

    For the interpreter running the tests it is made by virtualenv, seeded with the very
    wheels ``python -m venv`` would install (ensurepip's, same pip, same setuptools): the
    same environment, without running pip to install pip each time (seconds of CPU per
    venv, for a hundred venvs in a run). Other interpreters use their own ``-m venv``.
    """

    def __init__(self, path: Path, python: str = sys.executable) -> None:
        self.path = path
        seeds = _bundled_seeds() if python == sys.executable else []
        if seeds:
            versions: list[str] = []
            for seed in seeds:
                name, version = seed.name.split("-")[:2]
                versions += [f"--{name}", version]
            if "--setuptools" not in versions:
                versions.append("--no-setuptools")
            env = clean_env(VIRTUALENV_OVERRIDE_APP_DATA=str(_SEED_CACHE))
            argv: list[str | os.PathLike[str]] = [python, "-m", "virtualenv", "-q"]
            argv += ["--no-periodic-update", "--no-wheel", "--extra-search-dir", seeds[0].parent]
            run([*argv, *versions, path], env=env)
        else:
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
