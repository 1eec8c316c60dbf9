"""``ferrule new`` / ``ferrule init``: every binding in every layout builds, installs and
passes the test it was generated with.

The slow tests make each project with the CLI, install it with pip (PEP 517,
ferrule offered from the session wheelhouse, offline) or with ``ferrule develop``
into a real venv, and run the project's own pytest suite there.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.config.toml import load_toml
from ferrule.layout import determine_layout
from ferrule.scaffold import ProjectSpec, project_files
from ferrule.scaffold.workflow import new_project_workflow
from tests.conftest import ferrule
from tests.helpers.venv import VEnv, clean_env, run

BINDINGS = ("pyo3", "cffi", "uniffi", "bin")
LAYOUT_FLAGS = {"pure": [], "mixed": ["--mixed"], "src": ["--mixed", "--src"]}
COMBOS = [(b, layout) for b in BINDINGS for layout in LAYOUT_FLAGS]
DEV_BIN = Path(sys.executable).parent  # uniffi-bindgen and check-jsonschema live here

EXPECTED_FILES = {
    "pure": {"Cargo.toml", "src/{lib}", "tests/test_all.py"},
    "mixed": {
        "Cargo.toml",
        "src/{lib}",
        "python/{module}/__init__.py",
        "python/tests/test_all.py",
    },
    "src": {
        "rust/Cargo.toml",
        "rust/src/{lib}",
        "src/{module}/__init__.py",
        "src/tests/test_all.py",
    },
}


def _expected(bindings: str, layout: str, module: str) -> set[str]:
    lib = "main.rs" if bindings == "bin" else "lib.rs"
    files = {p.format(lib=lib, module=module) for p in EXPECTED_FILES[layout]}
    files |= {".gitignore", "pyproject.toml", ".github/workflows/CI.yml"}
    rust = "rust/" if layout == "src" else ""
    if bindings == "uniffi":
        files |= {f"{rust}build.rs", f"{rust}src/{module}.udl"}
    if bindings == "bin" and layout != "pure":
        files.add(f"{'python' if layout == 'mixed' else 'src'}/{module}/__main__.py")
    return files


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(("bindings", "layout"), COMBOS)
def test_files_of_each_combination_are_complete_and_load(
    bindings: str, layout: str, tmp_path: Path
) -> None:
    spec = ProjectSpec(f"demo-{bindings}-{layout}", bindings, layout)
    files = project_files(spec, new_project_workflow(spec))
    assert set(files) == _expected(bindings, layout, spec.crate_name)
    for relative, text in files.items():
        if relative.endswith("CI.yml"):
            continue
        assert "$" not in text, f"unfilled template in {relative}"
        if relative.endswith(".py"):
            compile(text, relative, "exec")
    _write(tmp_path, files)
    # ferrule's own configuration loader accepts it, and finds the intended layout.
    settings = load_settings(tmp_path)
    layout_found = determine_layout(settings)
    assert layout_found.module_name == spec.crate_name
    assert layout_found.mixed == (layout != "pure")
    assert settings.tool.bindings == (bindings if bindings in ("cffi", "bin") else None)
    pyproject = load_toml(tmp_path / "pyproject.toml")
    assert pyproject["build-system"]["build-backend"] == "ferrule"
    assert pyproject["build-system"]["requires"][0].startswith("ferrule>=")
    cargo = load_toml(settings.cargo.manifest_path)
    edition = "2021" if bindings in ("cffi", "uniffi") else "2024"
    assert cargo["package"]["edition"] == edition


def test_every_new_workflow_validates_against_the_github_schema(tmp_path: Path) -> None:
    paths = []
    for bindings, layout in COMBOS:
        spec = ProjectSpec(f"demo-{bindings}-{layout}", bindings, layout)
        path = tmp_path / f"{bindings}-{layout}.yml"
        path.write_text(new_project_workflow(spec))
        paths.append(path)
    exe = shutil.which("check-jsonschema", path=str(DEV_BIN))
    assert exe, "check-jsonschema is not installed: run scripts/setup.sh"
    run([exe, "--builtin-schema", "vendor.github-workflows", *paths])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("2fast", "starting with a letter"),
        ("has space", "starting with a letter"),
        ("test", "reserved in Rust or Python"),
        ("class", "reserved in Rust or Python"),
    ],
)
def test_invalid_names_are_refused(name: str, message: str, tmp_path: Path) -> None:
    proc = ferrule("new", "-b", "pyo3", "--name", name, "x", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_new_refuses_an_existing_destination(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    proc = ferrule("new", "-b", "pyo3", "taken", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "already exists" in proc.stderr
    assert list((tmp_path / "taken").iterdir()) == []


def test_init_refuses_an_existing_project(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package]\nname = 'mine'\n")
    proc = ferrule("init", "-b", "pyo3", cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "Cargo.toml exists" in proc.stderr
    assert (tmp_path / "Cargo.toml").read_text() == "[package]\nname = 'mine'\n"


def test_init_fills_a_directory_and_keeps_its_files(tmp_path: Path) -> None:
    project = tmp_path / "my_lib"
    project.mkdir()
    (project / ".gitignore").write_text("mine\n")
    (project / "README.md").write_text("hello\n")
    proc = ferrule("init", "-b", "cffi", "--src", cwd=project)
    assert "kept existing .gitignore" in proc.stderr
    assert (project / ".gitignore").read_text() == "mine\n"
    assert (project / "README.md").read_text() == "hello\n"
    # --src alone means the Python-first src layout (maturin needs --mixed too).
    assert (project / "src" / "my_lib" / "__init__.py").is_file()
    assert (project / "rust" / "Cargo.toml").is_file()
    assert 'name = "my_lib"' in (project / "pyproject.toml").read_text()
    # And an explicit path, with --name.
    ferrule("init", "other", "--name", "renamed", "-b", "bin", cwd=tmp_path)
    assert 'name = "renamed"' in (tmp_path / "other" / "Cargo.toml").read_text()


def test_bindings_are_asked_for_on_a_terminal(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ferrule", "new", "asked"],
            cwd=tmp_path,
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_env(),
            text=True,
        )
        os.write(leader, b"7\nuniffi\n")
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 0, err
    assert "Which kind of bindings to use?" in err
    assert "please answer 1-4" in err  # "7" was refused, then "uniffi" taken
    assert "uniffi" in (tmp_path / "asked" / "Cargo.toml").read_text()


def test_bindings_default_to_pyo3_without_a_terminal(tmp_path: Path) -> None:
    proc = ferrule("new", "quiet", cwd=tmp_path)
    assert "no terminal to ask: using pyo3" in proc.stderr
    assert 'pyo3 = "0.29' in (tmp_path / "quiet" / "Cargo.toml").read_text()


# --- new -> install -> the generated test passes -----------------------------


@pytest.fixture(scope="module")
def offline(offline_pip_env: dict[str, str]) -> dict[str, str]:
    """pytest (for the generated tests) and ferrule from the session wheelhouse, offline."""
    return offline_pip_env


def _venv_with_pytest(path: Path, offline: dict[str, str]) -> VEnv:
    venv = VEnv(path)
    run([venv.python, "-m", "pip", "install", "-q", "pytest"], env=_env(venv, offline))
    return venv


def _env(venv: VEnv, offline: dict[str, str]) -> dict[str, str]:
    env = dict(offline)
    env["VIRTUAL_ENV"] = str(venv.path)
    env["PATH"] = os.pathsep.join([str(venv.path / "bin"), str(DEV_BIN), offline["PATH"]])
    # A new project has no Cargo.lock: cargo resolves it from what scripts/setup.sh fetched.
    env["CARGO_NET_OFFLINE"] = "true"
    return env


@pytest.fixture(scope="module")
def pip_venv(tmp_path_factory: pytest.TempPathFactory, offline: dict[str, str]) -> VEnv:
    """One venv for every combination: the projects' names differ, so they coexist."""
    return _venv_with_pytest(tmp_path_factory.mktemp("scaffold") / "pip-venv", offline)


@pytest.fixture(scope="module")
def develop_venv(tmp_path_factory: pytest.TempPathFactory, offline: dict[str, str]) -> VEnv:
    return _venv_with_pytest(tmp_path_factory.mktemp("scaffold") / "develop-venv", offline)


def _new(parent: Path, bindings: str, layout: str, prefix: str) -> Path:
    name = f"{prefix}-{bindings}-{layout}"
    ferrule("new", "-b", bindings, *LAYOUT_FLAGS[layout], name, cwd=parent)
    return parent / name


def _run_generated_tests(venv: VEnv, project: Path, env: dict[str, str]) -> str:
    proc = run([venv.path / "bin" / "pytest", "-v"], cwd=project, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout
    assert "skipped" not in proc.stdout
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("bindings", "layout"), COMBOS)
def test_new_project_installs_with_pip_and_passes_its_test(
    bindings: str, layout: str, tmp_path: Path, pip_venv: VEnv, offline: dict[str, str]
) -> None:
    project = _new(tmp_path, bindings, layout, "sc")
    env = _env(pip_venv, offline)
    # PEP 517 in an isolated environment: pip installs ferrule (and cffi) from the wheelhouse.
    run([pip_venv.python, "-m", "pip", "install", "-q", project], env=env)
    # From elsewhere, so the test can only see the installed package.
    out = _run_generated_tests(pip_venv, project, env)
    assert "tests/test_all.py::" in out
    if layout != "pure":
        # Nothing was built into the source tree: the installed wheel was tested.
        package = project / ("python" if layout == "mixed" else "src") / f"sc_{bindings}_{layout}"
        assert sorted(p.name for p in package.iterdir() if p.name != "__pycache__") == sorted(
            ["__init__.py"] + (["__main__.py"] if bindings == "bin" else [])
        )
    # The workflow `new` wrote is the one `generate-ci` writes for the project.
    regenerated = ferrule("generate-ci", "github", cwd=project).stdout
    assert regenerated == (project / ".github" / "workflows" / "CI.yml").read_text()


@pytest.mark.slow
@pytest.mark.parametrize(("bindings", "layout"), COMBOS)
def test_new_project_develops_and_passes_its_test(
    bindings: str, layout: str, tmp_path: Path, develop_venv: VEnv, offline: dict[str, str]
) -> None:
    project = _new(tmp_path, bindings, layout, "dv")
    env = _env(develop_venv, offline)
    run([sys.executable, "-m", "ferrule", "develop"], cwd=project, env=env)
    _run_generated_tests(develop_venv, project, env)
