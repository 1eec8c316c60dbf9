"""Issue 7: ``ferrule develop`` installs without pip, correctly, and does nothing when nothing changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.helpers.develop import Project, tree, unique_crate, uv, uv_venv
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow


@pytest.fixture
def mixed(tmp_path: Path, request: pytest.FixtureRequest) -> Project:
    tag = f"t{zlib.crc32(request.node.name.encode()) % 10**6}"
    crate = unique_crate(tmp_path, "develop-mixed", tag)
    return Project(crate, VEnv(tmp_path / "venv"), tmp_path / "cache")


def module(project: Project) -> str:
    (package,) = [p.name for p in project.crate.iterdir() if p.name.startswith("develop_mixed")]
    return package


def pip_list(project: Project) -> list[dict[str, str]]:
    out = run(
        [project.venv.python, "-m", "pip", "list", "--format=json", "-v"], env=project.env
    ).stdout
    return [d for d in json.loads(out) if d["name"].startswith("develop-mixed")]


def test_develop_import_edit_develop_new_behaviour(mixed: Project) -> None:
    name = module(mixed)
    done = mixed.develop()
    assert "installed develop-mixed" in done.stderr
    assert mixed.value(f"{name}.describe()", name) == "answer=42 greeting=hello profile=debug"
    script = mixed.venv.path / "bin" / name.replace("_", "-")
    assert run([script], env=mixed.env).stdout.strip() == "answer=42 greeting=hello profile=debug"

    # An editable install as pip and uv understand it: installer, direct_url, one version.
    (dist_info,) = mixed.site.glob("develop_mixed_*.dist-info")
    assert (dist_info / "INSTALLER").read_text() == "ferrule\n"
    assert (dist_info / "sboms" / f"{mixed.crate.name}.cyclonedx.json").is_file()  # as maturin
    direct = json.loads((dist_info / "direct_url.json").read_text())
    assert direct == {"dir_info": {"editable": True}, "url": mixed.crate.as_uri()}
    (listed,) = pip_list(mixed)
    assert listed["editable_project_location"] == str(mixed.crate)
    assert listed["installer"] == "ferrule"
    mixed.venv.pip("check")
    # Mixed layout: the extension sits next to the Python sources, the venv has a .pth.
    assert list((mixed.crate / name).glob("_native.cpython-*.so"))
    assert (mixed.site / f"{name}.pth").read_text() == f"{mixed.crate}\n"

    mixed.edit("src/lib.rs", "42", "43")
    mixed.develop()
    assert mixed.value(f"{name}.answer()", name) == "43"

    # Python sources are live: no develop needed.
    mixed.edit(f"{name}/__init__.py", 'f"answer=', 'f"ANSWER=')
    assert mixed.value(f"{name}.describe()", name).startswith("ANSWER=43")


def test_nothing_changed_writes_nothing(mixed: Project) -> None:
    name = module(mixed)
    mixed.develop()
    (dist_info,) = mixed.site.glob("develop_mixed_*.dist-info")
    record = (dist_info / "RECORD").stat()
    library = next((mixed.crate / name).glob("_native.*.so")).stat()

    replayed = mixed.develop(verbose=True)
    assert "is up to date" in replayed.stderr
    assert "full develop" not in replayed.stderr  # the replay path: no settings loaded
    full = mixed.develop(verbose=True, FERRULE_NO_REPLAY="1")
    assert "is up to date" in full.stderr
    assert (dist_info / "RECORD").stat().st_mtime_ns == record.st_mtime_ns
    assert next((mixed.crate / name).glob("_native.*.so")).stat().st_ino == library.st_ino
    assert mixed.value(f"{name}.answer()", name) == "42"


def test_develop_twice_leaves_one_version_and_pip_uninstall_removes_all(mixed: Project) -> None:
    before = tree(mixed.venv.path)
    mixed.develop()
    mixed.edit("Cargo.toml", 'version = "0.1.0"', 'version = "0.2.0"')
    mixed.develop()
    (listed,) = pip_list(mixed)
    assert listed["version"] == "0.2.0"
    assert [p.name for p in mixed.site.glob("develop_mixed_*.dist-info")] == [
        f"{module(mixed)}-0.2.0.dist-info"
    ]
    mixed.venv.pip("check")
    installed = tree(mixed.venv.path) - before
    assert any(p.startswith("bin/develop-mixed") for p in installed)

    mixed.venv.pip("uninstall", "-y", listed["name"])
    assert tree(mixed.venv.path) == before


def test_develop_pure_layout_release_and_profile_switch(tmp_path: Path) -> None:
    crate = unique_crate(tmp_path, "pyo3-pure", "dv")
    project = Project(crate, VEnv(tmp_path / "venv"), tmp_path / "cache")
    project.develop("--release")
    exercise = (crate / "exercise.py").read_text()
    assert project.python(exercise).stdout.strip() == "ok"
    package = project.site / "pyo3_pure_dv"
    assert (package / "__init__.py").is_file()
    (library,) = package.glob("pyo3_pure_dv.cpython-*.so")
    release_size = library.stat().st_size
    project.venv.pip("check")

    project.develop()  # the dev profile: a different build, installed again
    (library,) = package.glob("pyo3_pure_dv.cpython-*.so")
    assert library.stat().st_size != release_size
    assert project.python(exercise).stdout.strip() == "ok"
    (dist_info,) = project.site.glob("pyo3_pure_dv-*.dist-info")
    record = (dist_info / "RECORD").read_text()
    assert "pyo3_pure_dv/__init__.py" in record
    assert "__pycache__/__init__" in record  # byte-compiled, as pip does


def test_skip_install_builds_in_place_only(mixed: Project) -> None:
    mixed.develop("--skip-install")
    assert list((mixed.crate / module(mixed)).glob("_native.cpython-*.so"))
    assert not list(mixed.site.glob("develop_mixed_*"))


def test_uv_venv_extras_dependency_groups_and_uv_pip(
    tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    """A uv venv has no pip: dependencies go through uv, once; uv pip sees and removes the install."""
    crate = unique_crate(tmp_path, "develop-mixed", "uvx")
    with (crate / "pyproject.toml").open("a") as f:
        f.write(
            '\n[dependency-groups]\ndev = [{include-group = "lint"}]\nlint = ["pyproject-metadata"]\n'
        )
    venv = uv_venv(tmp_path / "uv-venv")
    offline = {k: v for k, v in offline_pip_env.items() if k.startswith("UV_")}
    project = Project(crate, venv, tmp_path / "cache", **offline)
    before = tree(venv.path)

    first = project.develop("-E", "pkg")
    assert "installing dependencies" in first.stderr
    # The 'dev' group (and the group it includes) came along, as with maturin.
    listed = uv("pip", "list", "--python", venv.python, "--format=json", env=project.env)
    names = {d["name"] for d in json.loads(listed.stdout)}
    assert {"packaging", "pyproject-metadata", "develop-mixed-uvx"} <= names
    second = project.develop("-E", "pkg", verbose=True, FERRULE_NO_REPLAY="1")
    assert "installing dependencies" not in second.stderr  # satisfied: uv is not run again
    assert project.value("develop_mixed_uvx.answer()", "develop_mixed_uvx") == "42"

    uv("pip", "uninstall", "--python", venv.python, "develop-mixed-uvx", env=project.env)
    assert not any("develop_mixed" in p for p in tree(venv.path) - before)


def other_python() -> str | None:
    """A working CPython 3.9+ of another minor version than the one running the tests."""
    candidates = [shutil.which(f"python3.{m}") for m in (12, 13, 10, 9)]
    candidates += [
        str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.1[0-4]*/bin/python3"))
    ]
    for candidate in filter(None, candidates):
        proc = subprocess.run(
            [
                candidate,
                "-c",
                "import sys; print(sys.version_info[:2] >= (3, 9), sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if (
            proc.returncode == 0
            and proc.stdout.startswith("True")
            and str(tuple(sys.version_info[:2])) not in proc.stdout
        ):
            return candidate
    return None


def test_interpreter_change_in_the_same_venv_rebuilds(tmp_path: Path) -> None:
    """The venv is recreated with another Python: cargo rebuilds, the right module is installed."""
    other = other_python()
    if other is None:
        pytest.skip("needs a second CPython 3.9+ (python3.12, python3.13, ...)")
    crate = unique_crate(tmp_path, "develop-mixed", "py")
    # Its own target directory: switching interpreters rebuilds pyo3, which must not
    # disturb the shared one. Kept across sessions, so pyo3's own dependencies (syn...)
    # compile once per machine; this crate and pyo3 are rebuilt at each switch anyway.
    target = Path(os.environ["CARGO_TARGET_DIR"] + "-other-python")
    project = Project(
        crate, VEnv(tmp_path / "venv"), tmp_path / "cache", CARGO_TARGET_DIR=str(target)
    )
    project.develop()
    assert project.value("develop_mixed_py.answer()", "develop_mixed_py") == "42"

    shutil.rmtree(tmp_path / "venv")
    project.venv = VEnv(tmp_path / "venv", python=other)
    project.develop()
    version = project.value("sys.version_info[:2]", "sys")
    assert version != str(tuple(sys.version_info[:2]))
    code = "import develop_mixed_py, sys; print(develop_mixed_py.answer(), develop_mixed_py._native.__file__)"
    answer, path = project.python(code).stdout.split()
    assert answer == "42"
    assert f"cpython-{version.strip('()').replace(', ', '')}" in path


def test_build_leaves_an_identical_wheel_alone(mixed: Project, tmp_path: Path) -> None:
    out = tmp_path / "wheels"
    mixed.ferrule("build", "-o", str(out))
    (wheel,) = out.glob("*.whl")
    first = wheel.stat()
    again = mixed.ferrule("build", "-o", str(out))
    assert "is up to date" in again.stderr
    assert wheel.stat().st_mtime_ns == first.st_mtime_ns

    mixed.edit("src/lib.rs", "42", "50")
    rebuilt = mixed.ferrule("build", "-o", str(out))
    assert "built " in rebuilt.stderr
    second = wheel.stat()
    assert second.st_mtime_ns != first.st_mtime_ns
    # A wheel changed behind ferrule's back is written again.
    wheel.write_bytes(b"not a wheel")
    assert "built " in mixed.ferrule("build", "-o", str(out)).stderr
    mixed.venv.pip("install", str(wheel))
    assert mixed.value(f"{module(mixed)}.answer()", module(mixed)) == "50"
