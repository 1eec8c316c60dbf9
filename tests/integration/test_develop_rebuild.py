"""Issue 7: rebuild on import. Sources change, the next import rebuilds, with no develop call.

Every input the issue lists is changed in turn (a .rs file, Cargo.toml,
Cargo.lock, a build-script input, a feature, an environment variable read by
rustc and one read by a build script) and the next import must see the new
behaviour; imports in between must not rebuild (no loops).
"""

from __future__ import annotations

import subprocess
import time
import zlib
from pathlib import Path

import pytest

from tests.helpers.develop import Project, unique_crate
from tests.helpers.venv import VEnv

pytestmark = pytest.mark.slow


@pytest.fixture
def hooked(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Project, str]:
    tag = f"r{zlib.crc32(request.node.name.encode()) % 10**6}"
    crate = unique_crate(tmp_path, "develop-mixed", tag)
    project = Project(crate, VEnv(tmp_path / "venv"), tmp_path / "cache")
    name = f"develop_mixed_{tag}"
    return project, name


def imported(project: Project, name: str, expr: str, **env: str) -> tuple[str, str]:
    """(value, stderr) of a fresh interpreter importing the package."""
    parts = ", ".join(f"{name}.{e.strip()}" for e in expr.split(", "))
    done = project.python(f"import {name}; print({parts})", **env)
    return done.stdout.strip(), done.stderr


def test_edit_rust_then_import_without_develop(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    done = project.develop("--rebuild-on-import")
    assert "with rebuild on import" in done.stderr
    assert imported(project, name, "answer()") == ("42", "")

    project.edit("src/lib.rs", "42", "43")
    value, stderr = imported(project, name, "answer()")
    assert value == "43"
    assert "src/lib.rs changed" in stderr and "rebuilding" in stderr
    assert imported(project, name, "answer()") == ("43", "")  # fresh now: silent
    project.venv.pip("check")

    # A develop after the hook's rebuild has nothing to do.
    assert "is up to date" in project.develop("--rebuild-on-import").stderr

    # FERRULE_NO_CACHE=1: the stamp is not trusted, the import runs develop again.
    value, stderr = imported(project, name, "answer()", FERRULE_NO_CACHE="1")
    assert value == "43" and "FERRULE_NO_CACHE is set" in stderr and "rebuilding" in stderr
    assert imported(project, name, "answer()") == ("43", "")


def test_every_input_rebuilds_and_nothing_loops(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    project.develop("--rebuild-on-import")

    def check(expr: str, expected: str, why: str, **env: str) -> None:
        value, stderr = imported(project, name, expr, **env)
        assert value == expected, stderr
        assert why in stderr, stderr
        # The next import in the same conditions is fresh: no rebuild loop.
        assert imported(project, name, expr, **env) == (expected, "")

    project.edit("Cargo.toml", 'version = "0.1.0"', 'version = "0.1.1"')
    check("version()", "0.1.1", "Cargo.toml changed")
    project.edit("greeting.txt", "hello", "howdy")
    check("greeting()", "howdy", "greeting.txt changed")
    # Read by the build script (rerun-if-env-changed), then by rustc itself (option_env!).
    check("greeting()", "howdy!", "DEVELOP_MIXED_SUFFIX", DEVELOP_MIXED_SUFFIX="!")
    check("tag()", "x", "DEVELOP_MIXED_TAG", DEVELOP_MIXED_TAG="x", DEVELOP_MIXED_SUFFIX="!")
    check("tag()", "", "DEVELOP_MIXED_TAG", DEVELOP_MIXED_SUFFIX="!")  # unset again
    check("greeting()", "howdy", "DEVELOP_MIXED_SUFFIX")
    project.edit("pyproject.toml", 'module-name = "', 'features = ["loud"]\nmodule-name = "')
    check("loud()", "True", "pyproject.toml changed")
    # A Cargo.lock edit that changes nothing for cargo: one cargo check, then quiet.
    lock = project.crate / "Cargo.lock"
    lock.write_text(lock.read_text() + "\n")
    check("answer()", "42", "Cargo.lock changed")
    # A new stub or a data file next to the Python sources is not a build input.
    (project.crate / name / "_native.pyi").write_text("def answer() -> int: ...\n")
    (project.crate / ".coverage").write_text("")
    assert imported(project, name, "answer()") == ("42", "")
    # The metadata followed Cargo.toml's version.
    assert (
        project.value(
            f"importlib.metadata.version({name!r}.replace('_', '-'))", "importlib.metadata"
        )
        == "0.1.1"
    )
    project.venv.pip("check")


def test_release_install_is_rebuilt_as_release(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    project.develop("--release", "--rebuild-on-import")
    assert imported(project, name, "profile()") == ("release", "")
    project.edit("src/lib.rs", "42", "44")
    value, stderr = imported(project, name, "answer(), profile()")
    assert "rebuilding" in stderr
    assert value == "44 release"


def test_build_error_is_shown_as_a_build_error(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    project.develop("--rebuild-on-import")
    project.edit("src/lib.rs", "42\n", "42 +\n")
    failed = project.python(f"import {name}", check=False)
    assert failed.returncode == 1
    assert "RebuildError: rebuilding" in failed.stderr
    assert "error: expected expression" in failed.stderr  # rustc's own message
    assert "ModuleNotFoundError" not in failed.stderr and "ImportError" not in failed.stderr

    # Switched off, the installed (older) build imports.
    value, stderr = imported(project, name, "answer()", FERRULE_REBUILD_ON_IMPORT="0")
    assert (value, stderr) == ("42", "")
    project.edit("src/lib.rs", "42 +\n", "45\n")
    assert imported(project, name, "answer()")[0] == "45"


def test_parallel_imports_build_once(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    project.develop("--rebuild-on-import")
    project.edit("src/lib.rs", "42", "46")
    code = f"import {name}; print({name}.answer())"
    procs = [
        subprocess.Popen(
            [project.venv.python, "-c", code],
            cwd=project.venv.path,
            env=project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    assert [out.strip() for out, _ in results] == ["46"] * 4
    rebuilt = [err for _, err in results if "rebuilding" in err]
    assert len(rebuilt) == 1, results


def test_develop_without_the_flag_removes_the_hook(hooked: tuple[Project, str]) -> None:
    project, name = hooked
    project.develop("--rebuild-on-import")
    assert list(project.site.glob("_ferrule_rebuild_*"))
    project.develop()
    assert not list(project.site.glob("_ferrule_rebuild_*"))
    project.edit("src/lib.rs", "42", "47")
    time.sleep(0.01)
    assert imported(project, name, "answer()") == ("42", "")  # no hook: the installed build
