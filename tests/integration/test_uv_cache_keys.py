"""Issue 24 item 3: ``ferrule cache-keys --write`` makes ``uv sync`` rebuild after Rust edits.

A project whose Rust core is a path dependency outside it (tests/crates/sdist-outside:
bindings in ``py/``, the core in ``../core``) with ``build-backend = "ferrule"``; ferrule
comes from the session's wheelhouse, offline. uv says what it built on stderr
(``Built <name> @ file://...``); the module is called to see the build it installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import ferrule
from tests.helpers.develop import unique_crate
from tests.helpers.venv import run

pytestmark = pytest.mark.slow

NAME = "sdist-outside-uk"
MODULE = "sdist_outside_uk"


def _sync(project: Path, env: dict[str, str]) -> bool:
    """Run ``uv sync``; whether it built the project."""
    done = run(
        [sys.executable, "-m", "uv", "sync", "--python", sys.executable], cwd=project, env=env
    )
    return f"Built {NAME} @ " in done.stderr


def _call(project: Path, expr: str, env: dict[str, str]) -> str:
    python = project / ".venv" / "bin" / "python"
    code = f"import {MODULE}; print({MODULE}.{expr})"
    return run([python, "-c", code], cwd=project.parent, env=env).stdout.strip()


def test_uv_sync_rebuilds_after_rust_edits_only(
    tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    root = unique_crate(tmp_path, "sdist-outside", "uk")
    project = root / "py"
    env = {**offline_pip_env, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_PROGRESS": "1"}
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# keys below are ferrule's\n")
    ferrule("cache-keys", "--write", cwd=project, env=env)
    assert "# keys below are ferrule's" in pyproject.read_text()

    assert _sync(project, env)
    assert _call(project, 'word_count("two words")', env) == "2"
    assert not _sync(project, env)  # nothing changed: no rebuild

    # A Rust edit in the path dependency outside the project: uv rebuilds, the new code runs.
    lib = root / "core" / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace(".count()\n}", ".count() * 10\n}", 1))
    assert _sync(project, env)
    assert _call(project, 'word_count("two words")', env) == "20"
    assert not _sync(project, env)

    # And in the bindings' own sources.
    own = project / "src" / "lib.rs"
    text = own.read_text()
    assert "triangle" in text
    own.write_text(text + "\n// edited\n")
    assert _sync(project, env)
    assert _call(project, "triangle(4)", env) == "10"
