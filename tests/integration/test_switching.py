"""Issue 22: switching between plain cargo and ``ferrule develop`` recompiles no dependency.

In the activated venv, ``cargo test`` / ``cargo build`` / ``cargo check`` configure pyo3
to link libpython; ``ferrule develop`` builds an extension module, which must not
(``PYO3_BUILD_EXTENSION_MODULE``). pyo3's build scripts watch that variable, so with
one copy of pyo3 each switch rebuilt pyo3-ffi and pyo3 (maturin still does). ferrule
keeps its pyo3 crates apart in the target directory (``pyo3_own_units``): after the
first build of each kind, only the project's own crate may compile again.
See docs/develop.md, "Switching between cargo and ferrule".
"""

from __future__ import annotations

import re
import shutil
import sys
import zlib
from pathlib import Path

import pytest

from tests.helpers.develop import CRATES, Project, unique_crate
from tests.helpers.elf_oracle import pyelftools_reading
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

_COMPILED = re.compile(r"^\s*(?:Compiling|Checking) (\S+) v", re.MULTILINE)


def compiled(output: str) -> list[str]:
    """The packages cargo compiled (or checked), from its progress lines."""
    return _COMPILED.findall(output)


def extension(project: Project, name: str) -> Path:
    (found,) = (project.crate / name).glob("_native*.so")
    return found


def test_cargo_and_develop_alternate_without_rebuilding_dependencies(tmp_path: Path) -> None:
    if shutil.which("cargo") is None:
        pytest.fail("cargo is not on PATH")
    tag = f"s{zlib.crc32(tmp_path.name.encode()) % 10**6}"
    crate = unique_crate(tmp_path, "develop-mixed", tag)
    project = Project(crate, VEnv(tmp_path / "venv"), tmp_path / "cache")
    package, module = f"develop-mixed-{tag}", f"develop_mixed_{tag}"

    def develop(answer: str) -> list[str]:
        done = project.develop()
        assert project.value(f"{module}.answer()", module) == answer
        # Still an extension module: no libpython among its needed libraries.
        needed = pyelftools_reading(extension(project, module).read_bytes())["needed"]
        assert not [lib for lib in needed if lib.startswith("libpython")], needed
        return compiled(done.stderr)

    def cargo(command: str) -> list[str]:
        done = run(["cargo", command], cwd=crate, env=project.env)
        return compiled(done.stderr)

    def dependencies(names: list[str]) -> list[str]:
        return [n for n in names if n != package]

    develop("42")  # the first build of ferrule's pyo3 (none when another test made it)
    cargo("test")  # the first build of plain cargo's pyo3 for this venv
    assert dependencies(develop("42")) == []
    project.edit("src/lib.rs", "42", "43")
    assert dependencies(cargo("build")) == []  # shares cargo test's dependencies
    assert dependencies(develop("43")) == []
    cargo("check")  # metadata-only units of its own: may check dependencies once
    assert dependencies(develop("43")) == []
    assert dependencies(cargo("test")) == []
    assert dependencies(develop("43")) == []


def test_a_multi_interpreter_build_does_not_rebuild_pyo3_for_each_interpreter(
    tmp_path: Path,
) -> None:
    """CPython (abi3) and PyPy in one run, twice: the second run compiles only the crate.

    Each interpreter's pyo3 configuration has its own copy of pyo3 (``pyo3_own_units``);
    with one copy, every run rebuilt pyo3-ffi and pyo3 for each interpreter.
    """
    if shutil.which("pypy3.9") is None:
        pytest.fail("pypy3.9 is not installed: run scripts/setup.sh")
    crate = tmp_path / "tags-pypy"
    shutil.copytree(CRATES / "tags-pypy", crate, ignore=shutil.ignore_patterns("target"))
    env = clean_env(FERRULE_NO_CACHE="1")  # no replay: cargo runs every time

    def build(n: int) -> list[str]:
        out = tmp_path / f"out-{n}"
        argv = ["build", "--release", "-i", "python3.11", "pypy3.9", "-o", out]
        done = run([sys.executable, "-m", "ferrule", *argv], cwd=crate, env=env)
        assert len(list(out.glob("*.whl"))) == 2
        return [n for n in compiled(done.stderr) if n != "tags-pypy"]

    build(1)  # pyo3 for each interpreter, once (or none, when another test made them)
    assert build(2) == []
