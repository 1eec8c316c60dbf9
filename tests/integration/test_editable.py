"""Issue 7: PEP 660 editable installs through pip and uv, with and without rebuild on import."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.develop import Project, tree, unique_crate, uv, uv_venv
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow


def offline(offline_pip_env: dict[str, str], prefix: str) -> dict[str, str]:
    return {k: v for k, v in offline_pip_env.items() if k.startswith(prefix)}


def test_pip_install_editable_mixed(tmp_path: Path, offline_pip_env: dict[str, str]) -> None:
    crate = unique_crate(tmp_path, "develop-mixed", "pe")
    project = Project(
        crate, VEnv(tmp_path / "venv"), tmp_path / "cache", **offline(offline_pip_env, "PIP_")
    )
    before = tree(project.venv.path)
    run([project.venv.python, "-m", "pip", "install", "-e", crate], env=project.env)
    # dev is the editable default profile; the extension went next to the sources.
    assert project.value("develop_mixed_pe.describe()", "develop_mixed_pe") == (
        "answer=42 greeting=hello profile=debug"
    )
    assert list((crate / "develop_mixed_pe").glob("_native.cpython-*.so"))
    (listed,) = [
        d
        for d in json.loads(project.venv.pip("list", "--format=json", "-v").stdout)
        if d["name"] == "develop-mixed-pe"
    ]
    assert listed["editable_project_location"] == str(crate)
    # Only the .pth and the metadata are in the environment; Python edits are live.
    added = tree(project.venv.path) - before
    site = project.site.relative_to(project.venv.path).as_posix()
    assert f"{site}/develop_mixed_pe.pth" in added
    assert not any(p.startswith(f"{site}/develop_mixed_pe/") for p in added)
    project.edit("develop_mixed_pe/__init__.py", 'f"answer=', 'f"ANSWER=')
    assert project.value("develop_mixed_pe.describe()", "develop_mixed_pe").startswith("ANSWER=")

    # Rust edits need a rebuild: pip install -e again.
    project.edit("src/lib.rs", "42", "48")
    run([project.venv.python, "-m", "pip", "install", "-e", crate], env=project.env)
    assert project.value("develop_mixed_pe.answer()", "develop_mixed_pe") == "48"
    project.venv.pip("check")
    project.venv.pip("uninstall", "-y", "develop-mixed-pe")
    assert tree(project.venv.path) == before


def test_editable_profile_is_honoured(tmp_path: Path, offline_pip_env: dict[str, str]) -> None:
    crate = unique_crate(tmp_path, "develop-mixed", "ep")
    project = Project(
        crate, VEnv(tmp_path / "venv"), tmp_path / "cache", **offline(offline_pip_env, "PIP_")
    )
    project.edit(
        "pyproject.toml", "[tool.maturin]\n", '[tool.maturin]\neditable-profile = "release"\n'
    )
    run([project.venv.python, "-m", "pip", "install", "-e", crate], env=project.env)
    assert project.value("develop_mixed_ep.profile()", "develop_mixed_ep") == "release"
    # develop follows the same setting, so the two never undo each other's build.
    project.develop()
    assert project.value("develop_mixed_ep.profile()", "develop_mixed_ep") == "release"


def test_uv_pip_editable_pure_layout_with_rebuild_on_import(
    tmp_path: Path, offline_pip_env: dict[str, str], wheelhouse: Path
) -> None:
    """uv builds the editable wheel in an environment of its own; the hook rebuilds later
    with the ferrule installed in the project's environment."""
    crate = unique_crate(tmp_path, "pyo3-pure", "ue")
    venv = uv_venv(tmp_path / "venv")
    project = Project(crate, venv, tmp_path / "cache", **offline(offline_pip_env, "UV_"))
    before = tree(venv.path)
    uv(
        "pip",
        "install",
        "--python",
        venv.python,
        "-C",
        "rebuild-on-import=true",
        "-e",
        crate,
        env=project.env,
    )
    uv("pip", "install", "--python", venv.python, "ferrule", env=project.env)
    exercise = (crate / "exercise.py").read_text()
    assert project.python(exercise).stdout.strip() == "ok"
    assert project.python("import pyo3_pure_ue").stderr == ""  # fresh: no rebuild

    project.edit("src/lib.rs", "Ok((a + b).to_string())", 'Ok(format!("{}!", a + b))')
    done = project.python("import pyo3_pure_ue; print(pyo3_pure_ue.sum_as_string(2, 3))")
    assert done.stdout.strip() == "5!"
    assert "src/lib.rs changed" in done.stderr
    assert project.python("import pyo3_pure_ue").stderr == ""
    # The rebuild replaced uv's install with ferrule's: still one, still editable.
    listed = json.loads(
        uv("pip", "list", "--python", venv.python, "--format=json", env=project.env).stdout
    )
    assert [d["name"] for d in listed if d["name"].startswith("pyo3")] == ["pyo3-pure-ue"]
    uv("pip", "uninstall", "--python", venv.python, "pyo3-pure-ue", "ferrule", env=project.env)
    leftover = {p for p in tree(venv.path) - before if "pyo3_pure" in p or "ferrule" in p}
    assert leftover == set()


def test_editable_wheel_contents(tmp_path: Path, offline_pip_env: dict[str, str]) -> None:
    """What pip receives: metadata, the .pth, the hook; no Python sources, no extension."""
    crate = unique_crate(tmp_path, "develop-mixed", "ew")
    out = tmp_path / "wheels"
    run(
        [
            sys.executable,
            "-c",
            "import ferrule, sys; print(ferrule.build_editable(sys.argv[1], {'rebuild-on-import': 'true'}))",
            out,
        ],
        cwd=crate,
    )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = sorted(zf.namelist())
        pth = zf.read("develop_mixed_ew.pth").decode()
        hook_pth = zf.read("_ferrule_rebuild_develop_mixed_ew.pth").decode()
    assert names == [
        "_ferrule_rebuild_develop_mixed_ew.pth",
        "_ferrule_rebuild_develop_mixed_ew.py",
        "develop_mixed_ew-0.1.0.dist-info/METADATA",
        "develop_mixed_ew-0.1.0.dist-info/RECORD",
        "develop_mixed_ew-0.1.0.dist-info/WHEEL",
        "develop_mixed_ew-0.1.0.dist-info/entry_points.txt",
        "develop_mixed_ew-0.1.0.dist-info/ferrule-rebuild.stamp",
        # The crate's SBOM, as in maturin's editable wheels (docs/compat.md, "SBOM").
        "develop_mixed_ew-0.1.0.dist-info/sboms/develop-mixed-ew.cyclonedx.json",
        "develop_mixed_ew.pth",
    ]
    assert pth == f"{crate}\n"
    assert hook_pth.startswith("import _ferrule_rebuild_develop_mixed_ew; ")
    run([sys.executable, "-m", "check_wheel_contents", wheel])


def test_pip_editable_hook_needs_a_ferrule_after_the_build_environment_is_gone(
    tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    crate = unique_crate(tmp_path, "develop-mixed", "pg")
    project = Project(
        crate, VEnv(tmp_path / "venv"), tmp_path / "cache", **offline(offline_pip_env, "PIP_")
    )
    pip = [project.venv.python, "-m", "pip", "install"]
    run([*pip, "--config-settings", "rebuild-on-import=true", "-e", crate], env=project.env)
    assert project.python("import develop_mixed_pg").stderr == ""

    project.edit("src/lib.rs", "42", "49")
    failed = project.python("import develop_mixed_pg", check=False)
    assert failed.returncode == 1
    assert "ferrule is not installed in this environment" in failed.stderr
    assert "FERRULE_REBUILD_ON_IMPORT=0" in failed.stderr

    run([*pip, "ferrule"], env=project.env)
    done = project.python("import develop_mixed_pg; print(develop_mixed_pg.answer())")
    assert done.stdout.strip() == "49"
    assert "rebuilt develop_mixed_pg" in done.stderr
