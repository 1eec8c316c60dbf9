"""Issue 9: a build killed at any moment leaves no partial wheel behind."""

from __future__ import annotations

import os
import random
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
    argv = [sys.executable, "-m", "ferrule", "build", "--release", "-o", str(out)]
    started = time.monotonic()
    subprocess.run(argv, cwd=CRATES / "pyo3-pure", env=clean_env(), check=True, capture_output=True)
    duration = time.monotonic() - started
    for wheel in out.glob("*.whl"):
        wheel.unlink()
    rng = random.Random(20261123)
    outcomes = {"killed": 0, "finished": 0}
    for i in range(KILLS):
        proc = subprocess.Popen(
            argv,
            cwd=CRATES / "pyo3-pure",
            env=clean_env(),
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
    subprocess.run(argv, cwd=CRATES / "pyo3-pure", env=clean_env(), check=True, capture_output=True)
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
