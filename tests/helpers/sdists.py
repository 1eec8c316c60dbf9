"""The sdist test crates, built once per session in two checkouts, and small readers.

Two copies of ``tests/crates`` are made at different paths (the second one
deeper, and with older modification times), each with its own cargo target
directory so that no compiled artifact is shared between them. Those two
directories are kept across sessions for the registry crates (pyo3 compiles
once per machine, not twice per run); every path package of a checkout (what
the test crates are) is removed from them with ``cargo clean -p`` before the
checkout's first build, so no artifact of an earlier run is reused (cargo
would: a copy at another path with older files looks fresh to it). The release
builds of each crate are made lazily and cached for the whole session, so
``test_sdist.py`` and ``test_reproducible.py`` share them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib

from tests.conftest import ferrule
from tests.helpers.venv import clean_env, run

CRATES = Path(__file__).resolve().parents[1] / "crates"

# name -> (directory copied as "a checkout", project directory inside it)
SDIST_CRATES: dict[str, tuple[str, str]] = {
    "inside": ("sdist-inside", "."),
    "outside": ("sdist-outside", "py"),
    "workspace": ("sdist-workspace", "."),
    "member": ("sdist-member", "bindings/python"),
    "src": ("sdist-src", "."),
}
NAMES = sorted(SDIST_CRATES)


def project_dir(name: str, checkout: Path | None = None) -> Path:
    tree, project = SDIST_CRATES[name]
    return (checkout or CRATES / tree) / project


@dataclass(frozen=True)
class Builds:
    sdist: Path
    tree_wheel: Path  # built from the checkout's tree
    sdist_wheel: Path | None  # built from the sdist, unpacked in a temporary directory


@dataclass(frozen=True)
class Checkout:
    root: Path
    target_dir: Path
    age: int  # seconds subtracted from every file's modification time

    def project(self, name: str) -> Path:
        tree, _ = SDIST_CRATES[name]
        checkout = self.root / tree
        if not checkout.exists():
            shutil.copytree(CRATES / tree, checkout, symlinks=True)
            if self.age:
                for dirpath, _dirs, files in os.walk(checkout):
                    for f in files:
                        path = Path(dirpath) / f
                        st = path.stat()
                        os.utime(path, (st.st_atime - self.age, st.st_mtime - self.age))
        return project_dir(name, checkout)

    def forget_path_packages(self, name: str) -> None:
        """Remove what earlier runs built from the crate's path packages (each lock file's
        packages without a source) from this checkout's target directory."""
        env = clean_env(CARGO_TARGET_DIR=str(self.target_dir))
        for lock in sorted((self.root / SDIST_CRATES[name][0]).rglob("Cargo.lock")):
            packages = tomllib.loads(lock.read_text())["package"]
            specs = [arg for p in packages if "source" not in p for arg in ("-p", p["name"])]
            argv = ["cargo", "clean", "--release", "--offline", "--locked", *specs]
            run(argv, cwd=lock.parent, env=env)

    def build(self, name: str, out: Path) -> Builds:
        project = self.project(name)
        self.forget_path_packages(name)
        env = clean_env(CARGO_TARGET_DIR=str(self.target_dir))
        # What release CI should run: the sdist, then the wheel from it.
        ferrule("build", "--release", "--sdist", "-o", out / "sdist", cwd=project, env=env)
        ferrule("build", "--release", "-o", out / "tree", cwd=project, env=env)
        (sdist,) = (out / "sdist").glob("*.tar.gz")
        sdist_wheels = list((out / "sdist").glob("*.whl"))
        (tree_wheel,) = (out / "tree").glob("*.whl")
        return Builds(sdist, tree_wheel, sdist_wheels[0] if sdist_wheels else None)


_CHECKOUTS: list[Checkout] = []
_BUILDS: dict[tuple[str, int], Builds] = {}


def checkouts(factory: pytest.TempPathFactory) -> tuple[Checkout, Checkout]:
    if not _CHECKOUTS:
        base = factory.mktemp("checkouts")
        target = os.environ["CARGO_TARGET_DIR"]
        _CHECKOUTS.append(Checkout(base / "a", Path(f"{target}-sdist-a"), 0))
        _CHECKOUTS.append(
            Checkout(
                base / "elsewhere" / "much" / "deeper" / "b", Path(f"{target}-sdist-b"), 400 * 86400
            )
        )
    return _CHECKOUTS[0], _CHECKOUTS[1]


def release_builds(factory: pytest.TempPathFactory, name: str, which: int = 0) -> Builds:
    """The builds of crate ``name`` in checkout ``which`` (0 or 1), made once.

    Each checkout builds the wheel from its tree and from its sdist.
    """
    key = (name, which)
    if key not in _BUILDS:
        checkout = checkouts(factory)[which]
        out = factory.mktemp(f"{name}-{'ab'[which]}")
        _BUILDS[key] = checkout.build(name, out)
    return _BUILDS[key]


def tar_names(sdist: Path) -> list[str]:
    """Entry names without the top ``<name>-<version>/`` directory, in archive order."""
    with tarfile.open(sdist) as tar:
        return [m.name.split("/", 1)[1] for m in tar.getmembers()]


def tar_read(sdist: Path, name: str) -> bytes:
    with tarfile.open(sdist) as tar:
        (member,) = [m for m in tar.getmembers() if m.name.split("/", 1)[1] == name]
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read()


def wheel_hashes(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}


def is_compiled(name: str) -> bool:
    return name.endswith((".so", ".pyd", ".dylib"))


def compiled_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as z:
        return {n: z.read(n) for n in z.namelist() if is_compiled(n)}
