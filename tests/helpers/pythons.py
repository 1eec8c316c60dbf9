"""The Python interpreters this machine has, found independently of ferrule's discovery."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def pyenv_bin_dirs() -> list[str]:
    """Each pyenv version's bin directory (pyenv's shims only run the active version)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    return sorted(str(p) for p in root.glob("versions/*/bin") if p.is_dir())


def path_with_all_pythons() -> str:
    """A PATH on which every installed Python is reachable as python3.X / pypy3.X."""
    return os.pathsep.join([*pyenv_bin_dirs(), os.environ.get("PATH", "")])


def installed_cpythons(minimum: tuple[int, int] = (3, 0)) -> dict[tuple[int, int], str]:
    """``{(3, 11): "/path/to/python3.11"}`` for every CPython 3 found, at or above ``minimum``."""
    found: dict[tuple[int, int], str] = {}
    path = path_with_all_pythons()
    for minor in range(20):
        exe = shutil.which(f"python3.{minor}", path=path)
        if exe is None or (3, minor) < minimum:
            continue
        proc = subprocess.run(
            [exe, "-c", "import sys; print(sys.implementation.name, *sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        parts = proc.stdout.split()
        if proc.returncode == 0 and parts[:1] == ["cpython"]:
            found[(int(parts[1]), int(parts[2]))] = exe
    return found
