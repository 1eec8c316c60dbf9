"""Issue 9: a build killed at any moment leaves no partial wheel behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES
from tests.helpers.venv import clean_env

pytestmark = pytest.mark.slow

KILLS = 50


def complete(wheel: Path) -> bool:
    """A wheel that opens, whose members all read back, and whose RECORD lists them all."""
    with zipfile.ZipFile(wheel) as z:
        if z.testzip() is not None:
            return False
        records = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            return False
        listed = {line.split(",")[0] for line in z.read(records[0]).decode().splitlines()}
        return listed == set(z.namelist())


def test_builds_killed_at_random_moments(pure_wheel_cli: Path, tmp_path: Path) -> None:
    """``pure_wheel_cli`` warms cargo's cache, so each build takes a fraction of a second
    and the random kill lands in every phase: settings, cargo, packing, writing."""
    out = tmp_path / "out"
    # The full path, every time: a replay (ferrule.develop.replay) writes no wheel.
    env = clean_env(FERRULE_NO_REPLAY="1")
    argv = [sys.executable, "-m", "ferrule", "build", "--release", "-o", str(out)]
    started = time.monotonic()
    subprocess.run(argv, cwd=CRATES / "pyo3-pure", env=env, check=True, capture_output=True)
    duration = time.monotonic() - started
    for wheel in out.glob("*.whl"):
        wheel.unlink()
    rng = random.Random(20261123)
    outcomes = {"killed": 0, "finished": 0}
    for i in range(KILLS):
        proc = subprocess.Popen(
            argv,
            cwd=CRATES / "pyo3-pure",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.0, duration))
        if proc.poll() is None:
            sig = signal.SIGKILL if i % 3 else signal.SIGINT
            os.killpg(proc.pid, sig)
            outcomes["killed"] += 1
        else:
            outcomes["finished"] += 1
        proc.wait(timeout=60)
        for wheel in out.glob("*.whl") if out.exists() else []:
            assert complete(wheel), f"partial wheel after kill {i}: {wheel}"
    assert outcomes["killed"] >= KILLS // 2, outcomes  # the test really interrupted builds

    # The next build finishes, and cleans up what the killed ones left.
    subprocess.run(argv, cwd=CRATES / "pyo3-pure", env=env, check=True, capture_output=True)
    (wheel,) = out.glob("*.whl")
    assert complete(wheel)
    assert sorted(p.name for p in out.iterdir()) == [wheel.name]


def test_concurrent_builds_of_one_project(pure_wheel_cli: Path, tmp_path: Path) -> None:
    """Two terminals building the same project into the same directory at once."""
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "ferrule", "build", "--release", "-o", str(out)]
    for _ in range(3):
        procs = [
            subprocess.Popen(
                argv,
                cwd=CRATES / "pyo3-pure",
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr
        (wheel,) = out.glob("*.whl")
        assert complete(wheel)
        assert sorted(p.name for p in out.iterdir()) == [wheel.name]


def test_develop_killed_midway_leaves_the_old_version_importable(tmp_path: Path) -> None:
    """``ferrule develop`` killed at random moments: the environment keeps a working install."""
    from tests.helpers.venv import VEnv

    project = tmp_path / "kill-dev"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    # Its own library name: the shared target directory keeps pyo3_pure intact.
    for rel, old, new in (
        ("Cargo.toml", 'name = "pyo3_pure"', 'name = "kill_dev"'),
        ("Cargo.toml", 'name = "pyo3-pure"', 'name = "kill-dev"'),
        ("pyproject.toml", 'name = "pyo3-pure"', 'name = "kill-dev"'),
        ("src/lib.rs", "mod pyo3_pure", "mod kill_dev"),
    ):
        path = project / rel
        path.write_text(path.read_text().replace(old, new))
    venv = VEnv(tmp_path / "venv")
    argv = [sys.executable, "-m", "ferrule", "develop"]
    subprocess.run(argv, cwd=project, env=venv.env, check=True, capture_output=True)
    check = "import kill_dev; print(kill_dev.sum_as_string(2, 3))"
    assert venv.run_python("-c", check).strip() == "5"

    lib = project / "src" / "lib.rs"
    original = lib.read_text()
    rng = random.Random(7)
    seen = set()
    for i in range(10):
        lib.write_text(original.replace("(a + b).to_string()", f"(a + b + {i + 1}).to_string()"))
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=project,
            env=venv.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.0, 3.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=120)
        # Whatever the moment, the package imports and runs: the old or the new version.
        value = int(venv.run_python("-c", check).strip())
        assert value in (5, *(6 + j for j in range(i + 1)))
        seen.add(value)
        elapsed = time.monotonic() - started
        assert elapsed < 120
    subprocess.run(argv, cwd=project, env=venv.env, check=True, capture_output=True)
    assert venv.run_python("-c", check).strip() == "15"  # 2 + 3 + 10
    venv.pip("check")
