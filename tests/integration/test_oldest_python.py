"""ferrule itself on the oldest Python it supports (``requires-python >= 3.9``).

Debian's PyPy is Python 3.9: ferrule is installed into a PyPy venv from its
wheel (with ``tomli``, its dependency before 3.11) and run there. Every module
must import; sdists and metadata must be byte for byte what CPython 3.11 makes
of the same projects (the sdist rewrites run on ``tomli`` there); and a wheel
built there must install and run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pypy3") is None, reason="pypy3 missing: run scripts/setup.sh"),
]

SDIST_CRATES = ["sdist-inside", "sdist-workspace", "sdist-src"]


@pytest.fixture(scope="module")
def old_venv(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> VEnv:
    """PyPy 3.9 with ferrule from its wheel, and the dependencies pip picks for 3.9
    (``tomli``; ``packaging`` 26 needs 3.10, so an older one)."""
    root = tmp_path_factory.mktemp("py39")
    (own,) = wheelhouse.glob("ferrule-*.whl")
    venv = VEnv(root / "venv", python=str(shutil.which("pypy3")))
    version = venv.run_python("-c", "import sys; print(sys.version_info[:2])").strip()
    assert version == "(3, 9)", version
    # Its own pip resolves what 3.9 gets (markers and Requires-Python), offline, from the
    # wheelhouse (scripts/setup.sh downloaded PyPy 3.9's picks there with pypy3's pip).
    venv.pip("install", "-q", "--no-index", "--find-links", wheelhouse, own)
    return venv


def test_every_module_imports(old_venv: VEnv) -> None:
    out = old_venv.run_python(
        "-c",
        "import importlib, pkgutil, ferrule\n"
        "names = [m.name for m in pkgutil.walk_packages(ferrule.__path__, 'ferrule.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names))",
    )
    assert int(out) >= 100


@pytest.mark.parametrize("crate", SDIST_CRATES)
def test_sdist_and_metadata_are_those_of_cpython(
    old_venv: VEnv, crate: str, tmp_path: Path
) -> None:
    project = tmp_path / crate
    shutil.copytree(CRATES / crate, project, ignore=shutil.ignore_patterns("target"))
    ferrule("sdist", "-o", tmp_path / "new", cwd=project)
    run(
        [old_venv.path / "bin" / "ferrule", "sdist", "-o", tmp_path / "old"],
        cwd=project,
        env=old_venv.env,
    )
    (new,) = (tmp_path / "new").glob("*.tar.gz")
    (old,) = (tmp_path / "old").glob("*.tar.gz")
    assert old.name == new.name
    assert old.read_bytes() == new.read_bytes()

    hook = (
        "import sys, ferrule.buildapi as b; print(b.prepare_metadata_for_build_wheel(sys.argv[1]))"
    )
    dirs = {}
    for label, python, env in (
        ("new", sys.executable, None),
        ("old", old_venv.python, old_venv.env),
    ):
        target = tmp_path / f"meta-{label}"
        target.mkdir()
        name = run([python, "-c", hook, target], cwd=project, env=env).stdout.strip()
        dirs[label] = target / name
    assert dirs["old"].name == dirs["new"].name
    assert (dirs["old"] / "METADATA").read_bytes() == (dirs["new"] / "METADATA").read_bytes()


def test_a_wheel_built_there_installs_and_runs(old_venv: VEnv, tmp_path: Path) -> None:
    project = tmp_path / "bind-bin"
    shutil.copytree(CRATES / "bind-bin", project, ignore=shutil.ignore_patterns("target"))
    run(
        [old_venv.path / "bin" / "ferrule", "build", "--release", "-o", tmp_path / "out"],
        cwd=project,
        env=old_venv.env,
    )
    (wheel,) = (tmp_path / "out").glob("*.whl")
    assert wheel.name.startswith("bind_bin-0.1.0-py3-none-")
    # The crate has no readme (twine's --strict asks for one) and no Python package (W007).
    run([sys.executable, "-m", "twine", "check", wheel])
    run([sys.executable, "-m", "check_wheel_contents", "--ignore", "W007", wheel])
    run([Path(sys.executable).parent / "auditwheel", "show", wheel])
    old_venv.pip("install", "-q", "--no-index", wheel)
    assert old_venv.exercise(CRATES / "bind-bin" / "exercise.py") == "ok"
