"""Issue 19: binding bugs where ferrule's wheel differed from maturin's, each pinned with a crate of ours.

Every wheel built here is installed into a venv, imported and called.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow


def maturin_wheel(project: Path, out: Path, *args: str) -> Path:
    """maturin's wheel of ``project`` (its own target directory: it configures pyo3 differently)."""
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    run(["maturin", "build", "-i", sys.executable, "-o", out, *args], cwd=project, env=env)
    (wheel,) = out.glob("*.whl")
    return wheel


def ferrule_wheel(project: Path, out: Path, *args: str | os.PathLike[str]) -> Path:
    ferrule("build", "-i", sys.executable, "-o", out, *args, cwd=project)
    (wheel,) = out.glob("*.whl")
    return wheel


def site_packages(venv: VEnv) -> Path:
    return Path(
        venv.run_python("-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    )


def install_codegen(venv: VEnv) -> None:
    """A code generator installed in the build venv only, not in its base interpreter."""
    (site_packages(venv) / "bind_codegen.py").write_text(
        "import sys\n\n"
        "def rust_source():\n"
        "    return 'pub const BUILT_BY: &str = %s;' % repr(sys.prefix).replace(\"'\", '\"')\n"
    )


def assert_built_by(venv: VEnv, wheel: Path) -> None:
    assert "-abi3-" in wheel.name
    venv.pip("install", "-q", wheel)
    prefix = venv.run_python("-c", "import sys; print(sys.prefix)").strip()
    built_by = venv.run_python("-c", "import bind_build_script as m; print(m.built_by())")
    assert built_by.strip() == prefix == str(venv.path)


def test_abi3_build_script_runs_the_target_environments_interpreter(
    venv: VEnv, tmp_path: Path
) -> None:
    """abi3 with pyo3 >= 0.29 (pyo3 reads PYO3_CONFIG_FILE): the crate's build script
    still finds PYO3_PYTHON, and it is the venv's interpreter, whose packages it imports
    (maturin's pyo3-cffi-build-script; cryptography runs cffi this way)."""
    install_codegen(venv)
    out = tmp_path / "wheels"
    ferrule("build", "-i", venv.python, "-o", out, cwd=CRATES / "bind-build-script")
    (wheel,) = out.glob("*.whl")
    assert_built_by(venv, wheel)


def test_abi3_build_script_through_pep517(
    venv: VEnv, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    """The same through pip and the PEP 517 hooks, run by the build environment's Python."""
    install_codegen(venv)
    env = {**venv.env, **{k: v for k, v in offline_pip_env.items() if k.startswith("PIP_")}}
    run([venv.python, "-m", "pip", "install", "-q", "ferrule"], env=env)
    project = CRATES / "bind-build-script"
    argv = [venv.python, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps"]
    run([*argv, "-w", tmp_path, "."], cwd=project, env=env)
    (wheel,) = tmp_path.glob("*.whl")
    assert_built_by(venv, wheel)


@pytest.mark.maturin
def test_bin_is_detected_from_its_own_graph_not_the_workspaces(venv: VEnv, tmp_path: Path) -> None:
    """A sibling member turns on pyo3 in a shared crate: the binary still does not embed
    Python, so its wheel is py3-none-<platform> as maturin's (bin-workspace-pyo3-feature)."""
    project = CRATES / "bind-workspace-bin" / "tool"
    ours = ferrule_wheel(project, tmp_path / "ferrule")
    theirs = maturin_wheel(project, tmp_path / "maturin")
    assert ours.name == theirs.name
    assert ours.name.split("-")[2:4] == ["py3", "none"]
    venv.pip("install", "-q", ours)
    tool = venv.path / "bin" / "bind-workspace-bin"
    assert run([tool]).stdout.strip() == "built without python"


def test_bin_in_a_pyo3_workspace_through_pep517(
    venv: VEnv, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    """The same through pip's isolated PEP 517 build."""
    project = CRATES / "bind-workspace-bin" / "tool"
    argv = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path, "."]
    run(argv, cwd=project, env=offline_pip_env)
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.split("-")[2:4] == ["py3", "none"]
    venv.pip("install", "-q", wheel)
    tool = venv.path / "bin" / "bind-workspace-bin"
    assert run([tool]).stdout.strip() == "built without python"


def file_list(wheel: Path) -> list[str]:
    """The wheel's members (the crate's SBOM included: ferrule writes it too)."""
    with zipfile.ZipFile(wheel) as z:
        return z.namelist()


@pytest.mark.maturin
def test_uniffi_bindgen_binary_gets_its_required_features(venv: VEnv, tmp_path: Path) -> None:
    """The crate's own uniffi-bindgen has required-features = ["bindgen"]: it is run with
    them, as maturin does (uniffi-pure-proc-macro)."""
    project = CRATES / "bind-uniffi-bindgen"
    ours = ferrule_wheel(project, tmp_path / "ferrule")
    theirs = maturin_wheel(project, tmp_path / "maturin")
    assert ours.name == theirs.name
    assert file_list(ours) == file_list(theirs)
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py") == "ok"


def wheel_member(wheel: Path, suffix: str) -> bytes:
    with zipfile.ZipFile(wheel) as z:
        (name,) = (n for n in z.namelist() if n.endswith(suffix))
        return z.read(name)


@pytest.mark.maturin
def test_cffi_header_written_into_cargos_target_directory(venv: VEnv, tmp_path: Path) -> None:
    """A build script writes header.h into CARGO_TARGET_DIR (not <crate>/target): that
    header is used, as maturin does (issue 19, cffi header)."""
    project = CRATES / "bind-cffi-header"
    wheels = {}
    for tool in ("ferrule", "maturin"):
        # A target directory of its own: every cffi crate built there would take this header.
        env = clean_env(CARGO_TARGET_DIR=str(tmp_path / f"target-{tool}"))
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        command = [sys.executable, "-m", "ferrule"] if tool == "ferrule" else ["maturin"]
        out = tmp_path / tool
        run([*command, "build", "-i", sys.executable, "-o", out], cwd=project, env=env)
        (wheels[tool],) = out.glob("*.whl")
    ours, theirs = wheels["ferrule"], wheels["maturin"]
    assert ours.name == theirs.name
    assert file_list(ours) == file_list(theirs)
    assert b"header_from_build_script" in wheel_member(ours, "/ffi.py")
    assert wheel_member(ours, "/ffi.py") == wheel_member(theirs, "/ffi.py")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py") == "ok"


@pytest.mark.maturin
@pytest.mark.parametrize("crate", ["bind-cffi-edition2024", "bind-cffi-cbindgen-toml"])
def test_cbindgen_header_as_maturins(crate: str, venv: VEnv, tmp_path: Path) -> None:
    """The header comes from the pinned cbindgen (Debian's 0.24 cannot parse edition
    2024's #[unsafe(no_mangle)]) with maturin's overrides of cbindgen.toml (C, no
    includes, guard, pragma once, defines, cpp_compat): the same ffi.py as maturin's,
    constants (#define) included."""
    project = CRATES / crate
    ours = ferrule_wheel(project, tmp_path / "ferrule")
    theirs = maturin_wheel(project, tmp_path / "maturin")
    assert ours.name == theirs.name
    assert file_list(ours) == file_list(theirs)
    assert wheel_member(ours, "/ffi.py") == wheel_member(theirs, "/ffi.py")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py") == "ok"
