"""Issue 2: user mistakes end in one clear message, no traceback, and no output file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import clean_env, run

GOOD_PYPROJECT = (CRATES / "pyo3-pure" / "pyproject.toml").read_text()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(CRATES / "pyo3-pure", dest, ignore=shutil.ignore_patterns("target"))
    return dest


def build_fails(project: Path, out: Path, env: dict[str, str] | None = None) -> str:
    proc = ferrule("build", "-o", out, cwd=project, check=False, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or list(out.iterdir()) == []
    return proc.stderr


def test_unknown_key_names_file_key_and_suggestion(project: Path, tmp_path: Path) -> None:
    # maturin ignores unknown keys: an error in strict mode only (issue 19).
    (project / "pyproject.toml").write_text(
        GOOD_PYPROJECT + '\n[tool.maturin]\npython-sources = "py"\n'
    )
    err = build_fails(project, tmp_path / "out", clean_env(FERRULE_STRICT="1"))
    assert f"{project / 'pyproject.toml'}: tool.maturin.python-sources: unknown key" in err
    assert "did you mean 'python-source'?" in err


def test_wrong_type_names_the_key(project: Path, tmp_path: Path) -> None:
    (project / "pyproject.toml").write_text(GOOD_PYPROJECT + '\n[tool.ferrule]\nstrip = "yes"\n')
    err = build_fails(project, tmp_path / "out")
    assert "tool.ferrule.strip: must be true or false, not a string" in err


def test_several_problems_are_reported_together(project: Path, tmp_path: Path) -> None:
    (project / "pyproject.toml").write_text(
        GOOD_PYPROJECT + '\n[tool.ferrule]\nstrip = 1\nfeatures = ["a", 3]\nbogus = true\n'
    )
    err = build_fails(project, tmp_path / "out")
    assert "2 problems" in err
    assert "tool.ferrule.strip" in err and "tool.ferrule.features[1]" in err
    assert "tool.ferrule.bogus: unknown key" not in err  # a warning, not shown with errors
    err = build_fails(project, tmp_path / "out", clean_env(FERRULE_STRICT="1"))
    assert "(strict mode, 3 problems)" in err
    assert "tool.ferrule.bogus: unknown key" in err


def test_broken_toml_names_line_and_column(project: Path, tmp_path: Path) -> None:
    (project / "pyproject.toml").write_text(GOOD_PYPROJECT + "\n[tool.ferrule\n")
    err = build_fails(project, tmp_path / "out")
    line = GOOD_PYPROJECT.count("\n") + 2
    assert f"{project / 'pyproject.toml'}: line {line}, column" in err
    assert "TOML syntax error" in err


def test_broken_cargo_toml(project: Path, tmp_path: Path) -> None:
    (project / "Cargo.toml").write_text("[package\nname = 'x'\n")
    err = build_fails(project, tmp_path / "out")
    assert f"{project / 'Cargo.toml'}: line 1, column" in err


def test_both_tool_tables_is_an_error_in_strict_mode(project: Path, tmp_path: Path) -> None:
    # maturin reads [tool.maturin] and ignores [tool.ferrule]: a warning otherwise.
    (project / "pyproject.toml").write_text(GOOD_PYPROJECT + "\n[tool.ferrule]\n[tool.maturin]\n")
    err = build_fails(project, tmp_path / "out", clean_env(FERRULE_STRICT="1"))
    assert "tool.ferrule: [tool.maturin] is present too; [tool.ferrule] is ignored" in err


@pytest.mark.slow
def test_compile_error_is_shown_once_and_no_wheel_is_left(project: Path, tmp_path: Path) -> None:
    lib = project / "src" / "lib.rs"
    lib.write_text(
        lib.read_text().replace("Ok((a + b).to_string())", "Ok(a + b + undefined_thing)")
    )
    err = build_fails(project, tmp_path / "out")
    assert err.count("cannot find value `undefined_thing`") == 1
    assert "ferrule: error: cargo failed with exit code 101" in err
    assert "command: cargo rustc --lib" in err
    assert '"reason"' not in err  # no cargo JSON in the output


@pytest.mark.slow
def test_pep517_hook_errors_have_no_traceback(
    project: Path, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    (project / "pyproject.toml").write_text(GOOD_PYPROJECT + '\n[tool.ferrule]\nstrip = "yes"\n')
    out = tmp_path / "out"
    proc = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, "."],
        cwd=project,
        env=offline_pip_env,
        check=False,
    )
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "tool.ferrule.strip: must be true or false" in output
    assert "Traceback" not in output
    assert not out.exists() or list(out.iterdir()) == []
