"""Issue 4: layout and binding mistakes end in one clear message and no wheel."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule

pytestmark = pytest.mark.slow


def copy(crate: str, tmp_path: Path) -> Path:
    dest = tmp_path / crate
    shutil.copytree(CRATES / crate, dest, ignore=shutil.ignore_patterns("target"))
    return dest


def rename_library(manifest: Path, old: str, new: str) -> None:
    """Give a modified copy its own library file name.

    All test crates share one cargo target directory, where a library is
    written to ``<profile>/lib<name>.so``: a copy whose code differs must not
    overwrite the original's file (cargo would still call the original fresh).
    """
    manifest.write_text(manifest.read_text().replace(f'name = "{old}"', f'name = "{new}"'))


def fails(project: Path, tmp_path: Path) -> str:
    out = tmp_path / "out"
    proc = ferrule("build", "-i", sys.executable, "-o", out, cwd=project, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or list(out.iterdir()) == []
    return proc.stderr


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_module_name_not_matching_the_pymodule(tmp_path: Path) -> None:
    project = copy("pyo3-pure", tmp_path)
    append(project / "pyproject.toml", '\n[tool.maturin]\nmodule-name = "other_name"\n')
    err = fails(project, tmp_path)
    assert "exports a Python module named 'pyo3_pure', but the module name is 'other_name'" in err
    assert "tool.maturin.module-name" in err


def test_library_without_any_pymodule(tmp_path: Path) -> None:
    project = copy("pyo3-pure", tmp_path)
    rename_library(project / "Cargo.toml", "pyo3_pure", "no_pymodule")
    (project / "src" / "lib.rs").write_text("pub fn nothing() {}\n")
    err = fails(project, tmp_path)
    assert "exports no PyInit_no_pymodule: it has no #[pymodule]" in err


def test_python_source_missing(tmp_path: Path) -> None:
    project = copy("pyo3-pure", tmp_path)
    append(project / "pyproject.toml", '\n[tool.ferrule]\npython-source = "python"\n')
    err = fails(project, tmp_path)
    assert "pyproject.toml: tool.ferrule.python-source: directory" in err
    assert "does not exist" in err


def test_data_subdirectory_not_allowed(tmp_path: Path) -> None:
    project = copy("layout-stubs-data", tmp_path)
    (project / "layout_stubs_data.data" / "lib").mkdir()
    (project / "layout_stubs_data.data" / "lib" / "x.txt").write_text("x")
    err = fails(project, tmp_path)
    assert "layout_stubs_data.data/lib is not allowed in the data directory" in err
    assert "data, scripts, headers, purelib, platlib" in err


def test_project_scripts_with_bin_bindings(tmp_path: Path) -> None:
    project = copy("bind-bin", tmp_path)
    text = (project / "pyproject.toml").read_text()
    text = text.replace(
        'dynamic = ["version"]', 'dynamic = ["version"]\nscripts = { tool = "x:main" }'
    )
    (project / "pyproject.toml").write_text(text)
    err = fails(project, tmp_path)
    assert "project.scripts: cannot be used with bin bindings" in err


def test_two_native_artifacts_with_one_path(tmp_path: Path) -> None:
    project = copy("multi-extension", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'module-name = "multi_extension._second"', 'module-name = "multi_extension._first"'
        )
    )
    rename_library(project / "second" / "Cargo.toml", "_second", "_clash")
    (project / "second" / "src" / "lib.rs").write_text(
        (project / "second" / "src" / "lib.rs").read_text().replace("mod _second", "mod _first")
    )
    err = fails(project, tmp_path)
    assert "two files map to multi_extension/_first.cpython-" in err


def test_ferrule_only_key_in_the_maturin_table(tmp_path: Path) -> None:
    project = copy("pyo3-pure", tmp_path)
    # maturin ignores it: a warning (tests/unit/test_config.py), an error in strict mode.
    append(
        project / "pyproject.toml",
        '\n[[tool.maturin.extensions]]\nmanifest-path = "x/Cargo.toml"\nmodule-name = "a.b"\n'
        "[tool.ferrule]\nstrict = true\n",
    )
    err = fails(project, tmp_path)
    assert "tool.maturin.extensions: is a ferrule key, which maturin ignores here" in err
