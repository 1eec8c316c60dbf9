"""Issue 8: a repeated ``ferrule build`` of an unchanged project is replayed.

Replay runs cargo's own check and nothing else (no settings, no metadata, no
audit); any change to what the last full build read, to the command, the
environment or the wheel it wrote, or a rebuild by cargo, falls back to the
full build. Checked on a mixed project (Python sources, a build script that
reads a file) with a real cargo, and the last wheel installed and called.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.develop import unique_crate
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow


class Builds:
    def __init__(self, tmp_path: Path) -> None:
        self.crate = unique_crate(tmp_path, "develop-mixed", "rp")
        self.out = tmp_path / "out"
        self.env = clean_env(FERRULE_CACHE_DIR=str(tmp_path / "cache"))
        self.package = "develop_mixed_rp"

    def build(self, **env: str) -> tuple[bool, Path, str]:
        """(replayed?, wheel, stderr) of ``ferrule -v build --release -o out``."""
        proc = run(
            [sys.executable, "-m", "ferrule", "-v", "build", "--release", "-o", self.out],
            cwd=self.crate,
            env={**self.env, **env},
        )
        (printed,) = proc.stdout.split()
        wheel = Path(printed)
        assert wheel.is_file() and wheel.parent == self.out
        replayed = "full build:" not in proc.stderr
        # A replay loads nothing of the project: no metadata, no audit, no packaging.
        assert replayed == ("building develop-mixed-rp" not in proc.stderr), proc.stderr
        return replayed, wheel, proc.stderr

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.crate / rel
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    def build_paused(self, phase: str, during: Callable[[], None]) -> None:
        """``build`` stopped at ``phase`` (ferrule._faults), ``during()`` run there, then resumed."""
        marker = self.out.parent / "paused"
        marker.unlink(missing_ok=True)
        env = {**self.env, "FERRULE_TEST_PAUSE_AT": phase, "FERRULE_TEST_PAUSE_FILE": str(marker)}
        argv = [sys.executable, "-m", "ferrule", "-v", "build", "--release", "-o", self.out]
        log = self.out.parent / "paused.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                argv, cwd=self.crate, env=env, stdout=subprocess.DEVNULL, stderr=err
            )
        try:
            deadline = time.monotonic() + 300
            while not marker.exists():
                assert proc.poll() is None, f"finished without reaching {phase}"
                assert time.monotonic() < deadline, f"{phase} not reached in 300 s"
                time.sleep(0.01)
            proc_stat = Path("/proc") / str(proc.pid) / "stat"
            while proc_stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
                time.sleep(0.005)
            during()
            os.kill(proc.pid, signal.SIGCONT)
            assert proc.wait(timeout=120) == 0, log.read_text()
            assert "full build:" in log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _read(wheel: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(suffix)]
        return z.read(name)


def test_replay_and_every_way_out_of_it(tmp_path: Path) -> None:
    b = Builds(tmp_path)
    replayed, wheel, err = b.build()
    assert not replayed and "no record of an earlier run" in err
    first = wheel.read_bytes()

    replayed, wheel2, err = b.build()
    assert replayed, err
    assert wheel2 == wheel and wheel.read_bytes() == first
    assert "is up to date" in err and "running cargo rustc" in err

    # A Python source of the package changes: full build, new content in the wheel.
    b.edit(f"{b.package}/__init__.py", "answer={answer()}", "answer = {answer()}")
    replayed, wheel, err = b.build()
    assert not replayed and "__init__.py changed" in err
    assert b"answer = {answer()}" in _read(wheel, f"{b.package}/__init__.py")
    assert b.build()[0]

    # pyproject.toml changes: full build, METADATA follows.
    b.edit("pyproject.toml", "[project]", '[project]\nkeywords = ["replayed"]')
    replayed, wheel, err = b.build()
    assert not replayed and "pyproject.toml changed" in err
    assert b"Keywords: replayed" in _read(wheel, ".dist-info/METADATA")

    # The Rust source changes: cargo rebuilds, so the replay gives way to a full build.
    assert b.build()[0]
    b.edit("src/lib.rs", "42", "43")
    replayed, wheel, err = b.build()
    assert not replayed and "cargo rebuilt the extension" in err

    # A file the build script reads (rerun-if-changed): the same.
    assert b.build()[0]
    b.edit("greeting.txt", "hello", "bonjour")
    replayed, wheel, err = b.build()
    assert not replayed and "cargo rebuilt the extension" in err

    # The wheel was removed, or the environment or command line differs: full build.
    assert b.build()[0]
    wheel.unlink()
    replayed, wheel, err = b.build()
    assert not replayed and wheel.is_file()
    replayed, _, err = b.build(SOME_SETTING="1")
    assert not replayed and "environment differs" in err
    assert b.build(SOME_SETTING="1")[0]
    replayed, _, err = b.build(FERRULE_NO_REPLAY="1")
    assert not replayed

    # The last wheel works.
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", str(wheel))
    out = venv.run_python("-c", f"import {b.package}; print({b.package}.describe())")
    assert out.strip() == "answer = 43 greeting=bonjour profile=release"


def _names(sdist: Path) -> set[str]:
    import tarfile

    with tarfile.open(sdist) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}


def test_sdist_replay_restores_and_notices_new_files(
    tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    b = Builds(tmp_path)

    def sdist(**env: str) -> tuple[bool, Path]:
        proc = run(
            [sys.executable, "-m", "ferrule", "-v", "sdist", "-o", b.out],
            cwd=b.crate,
            env={**b.env, **env},
        )
        (printed,) = proc.stdout.split()
        return "full sdist:" not in proc.stderr, Path(printed)

    replayed, path = sdist()
    assert not replayed
    first = path.read_bytes()
    assert sdist() == (True, path)

    # The archive is reproducible: a removed one is put back from the kept copy, unchanged.
    path.unlink()
    assert sdist() == (True, path)
    assert path.read_bytes() == first
    assert sdist() == (True, path)

    # A kept copy that was tampered with is never used.
    # The copy, named by its SHA-256 (the other blobs are the records' lists of files).
    (kept,) = [p for p in (tmp_path / "cache" / "blobs").iterdir() if p.read_bytes() == first]
    kept.write_bytes(b"not an sdist")
    path.unlink()
    replayed, _ = sdist()
    assert not replayed and path.read_bytes() == first

    # A new file where cargo lists sources, and an edited one: full runs, both in the sdist.
    (b.crate / "src" / "extra.rs").write_text("// more\n")
    replayed, _ = sdist()
    assert not replayed and "src/extra.rs" in _names(path)
    assert sdist()[0]
    b.edit("src/lib.rs", "42", "44")
    replayed, _ = sdist()
    assert not replayed and path.read_bytes() != first

    # What pip builds from it works.
    venv = VEnv(tmp_path / "venv")
    offline = {k: v for k, v in offline_pip_env.items() if k.startswith("PIP_")}
    run([venv.python, "-m", "pip", "install", path], env={**venv.env, **offline})
    assert venv.run_python("-c", f"import {b.package}; print({b.package}.answer())").strip() == "44"


def test_a_file_edited_during_the_build_is_built_again(tmp_path: Path) -> None:
    """The replay record holds each file's state from before ferrule read it: a Python
    source edited after it was packed (the build stopped with the wheel in place) makes
    the next build a full one, whose wheel has the new code."""
    b = Builds(tmp_path)
    source = f"{b.package}/__init__.py"
    b.build_paused(
        "after-replace", lambda: b.edit(source, "answer={answer()}", "edited={answer()}")
    )
    replayed, wheel, err = b.build()
    assert not replayed and "__init__.py changed" in err
    assert b"edited={answer()}" in _read(wheel, source)
    assert b.build()[0]
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", str(wheel))
    out = venv.run_python("-c", f"import {b.package}; print({b.package}.describe())")
    assert out.strip().startswith("edited=42 ")


def test_a_rewrite_keeping_size_and_mtime_is_built_again(tmp_path: Path) -> None:
    """A tool that rewrites a file in place and puts its mtime back (same size and inode):
    its ctime still moved, so the build is not replayed."""
    b = Builds(tmp_path)
    assert not b.build()[0]
    assert b.build()[0]
    path = b.crate / b.package / "__init__.py"
    st = path.stat()
    text = path.read_text()
    with path.open("r+") as f:  # same length, same inode
        f.write(text.replace("answer={answer()}", "ANSWER={answer()}"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    replayed, wheel, err = b.build()
    assert not replayed and "__init__.py changed" in err
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", str(wheel))
    out = venv.run_python("-c", f"import {b.package}; print({b.package}.describe())")
    assert out.strip().startswith("ANSWER=42 ")
