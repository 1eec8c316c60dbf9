"""Helpers for the develop / editable / rebuild-on-import tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.venv import VEnv, run

CRATES = Path(__file__).resolve().parents[1] / "crates"


def unique_crate(dest_root: Path, name: str, tag: str) -> Path:
    """Copy a test crate, renaming its package, library and Python package with ``tag``.

    cargo writes a cdylib to ``<target>/<profile>/lib<name>.so`` whatever the
    crate's path, so two copies of one crate sharing the test target directory
    would overwrite each other's library (and cargo, comparing mtimes, would not
    notice). Distinct names keep each copy's artifacts apart while pyo3 is still
    compiled once for all of them.
    """
    src = CRATES / name
    under = name.replace("-", "_")
    dest = dest_root / f"{name}-{tag}"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("target", "*.so", "__pycache__"))
    for path in sorted(dest.rglob("*")):
        if path.is_file():
            try:
                text = path.read_text()
            except UnicodeDecodeError:
                continue
            new = text.replace(under, f"{under}_{tag}").replace(name, f"{name}-{tag}")
            if new != text:
                path.write_text(new)
    for path in sorted(dest.rglob(under), reverse=True):
        if path.is_dir():
            path.rename(path.with_name(f"{under}_{tag}"))
    return dest


def tree(root: Path) -> set[str]:
    """Every file and directory below ``root``, relative, byte-code caches aside."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    }


class Project:
    """A crate copy, a venv, and the environment ferrule and Python run with."""

    def __init__(self, crate: Path, venv: VEnv, cache: Path, **env: str) -> None:
        self.crate = crate
        self.venv = venv
        self.env = {**venv.env, "FERRULE_CACHE_DIR": str(cache), **env}

    @property
    def site(self) -> Path:
        (site,) = self.venv.path.glob("lib/python*/site-packages")
        return site

    def ferrule(
        self, *args: str, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return run(
            [sys.executable, "-m", "ferrule", *args],
            cwd=self.crate,
            env={**self.env, **env},
            check=check,
        )

    def develop(
        self, *args: str, verbose: bool = False, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return self.ferrule(*(["-v"] if verbose else []), "develop", *args, check=check, **env)

    def python(self, code: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        """Run code in the venv from its own directory (not the crate, which is on sys.path)."""
        return run(
            [self.venv.python, "-c", code],
            cwd=self.venv.path,
            env={**self.env, **env},
            check=check,
        )

    def value(self, expr: str, module: str, **env: str) -> str:
        return self.python(f"import {module}; print({expr})", **env).stdout.strip()

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.crate / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))


def uv_venv(path: Path) -> VEnv:
    """A venv made by ``uv venv`` (no pip in it)."""
    run([sys.executable, "-m", "uv", "venv", "-q", "--python", sys.executable, path])
    venv = VEnv.__new__(VEnv)
    venv.path = path
    venv.python = path / "bin" / "python"
    return venv


def uv(*args: str | os.PathLike[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "uv", *args], env=env)
