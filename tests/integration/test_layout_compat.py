"""Issue 19: layouts maturin 1.16 builds (or refuses) are built (or refused) the same way.

Each case runs maturin on the same copy of one of our crates, so the expected
outcome comes from maturin itself; every wheel ferrule builds is installed,
imported and called.
"""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ferrule.sdist.unpack import unpack_sdist
from tests.conftest import CRATES, ferrule
from tests.helpers.sdists import tar_names, tar_read, wheel_hashes
from tests.helpers.venv import VEnv, clean_env, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.slow


def copy(crate: str, dest: Path) -> Path:
    shutil.copytree(CRATES / crate, dest / crate, ignore=shutil.ignore_patterns("target"))
    return dest / crate


def one(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


def file_list(wheel: Path) -> list[str]:
    """Names in the wheel, without maturin's SBOMs (docs/differences.md)."""
    with zipfile.ZipFile(wheel) as z:
        return sorted(n for n in z.namelist() if ".dist-info/sboms/" not in n)


# PEP 517's build_wheel, called as a frontend would (in a subprocess, in the project).
HOOK_BUILD_WHEEL = (
    "import pathlib, sys, ferrule.buildapi as b; "
    "pathlib.Path(sys.argv[1]).mkdir(exist_ok=True); b.build_wheel(sys.argv[1])"
)


def maturin(*args: str | os.PathLike[str], cwd: Path, check: bool = True) -> str:
    """Run the pinned maturin; its own target directory (it configures pyo3 differently)."""
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    proc = run(["maturin", *args], cwd=cwd, env=env, check=check)
    return proc.stderr


def test_python_source_without_the_package(tmp_path: Path) -> None:
    """wrong-python-source: maturin stops; a wheel without the Python package is no answer."""
    project = copy("bind-bin", tmp_path)
    with (project / "pyproject.toml").open("a") as f:
        f.write('python-source = "python"\n')
    (project / "python" / "other").mkdir(parents=True)
    (project / "python" / "other" / "__init__.py").write_text("")

    err = maturin("build", "-o", tmp_path / "m", cwd=project, check=False)
    assert "python-source is set to" in err and "does not exist" in err
    out = tmp_path / "out"
    proc = ferrule("build", "-o", out, cwd=project, check=False)
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert f"{project / 'pyproject.toml'}: tool.maturin.python-source: is set to 'python'" in line
    assert f"the Python package {project / 'python' / 'bind_bin'} does not exist" in line
    assert not out.exists()
    hook = run([sys.executable, "-c", HOOK_BUILD_WHEEL, out], cwd=project, check=False)
    assert hook.returncode == 1 and "Traceback" not in hook.stderr, hook.stderr
    assert line in hook.stderr.strip().splitlines()
    assert not out.exists() or not list(out.iterdir())

    # With the package there, both build it into the wheel.
    (project / "python" / "other").rename(project / "python" / "bind_bin")
    (project / "python" / "bind_bin" / "__init__.py").write_text("HERE = 'python-source'\n")
    ferrule("build", "-o", out, cwd=project)
    (wheel,) = out.glob("*.whl")
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel)
    assert venv.run_python("-c", "import bind_bin; print(bind_bin.HERE)").strip() == (
        "python-source"
    )
    assert venv.exercise(project / "exercise.py").endswith("ok")


def test_python_source_outside_the_project(tmp_path: Path) -> None:
    """external-python-source: ``python-source = "../python"``, beside the crate.

    maturin's sdist moves pyproject.toml up and rewrites the paths; its wheel from
    the tree misses the Python package (it walks the pyproject's directory only),
    its wheel from the sdist has it. ferrule's wheels from the tree and from the
    sdist are that one.
    """
    checkout = copy("layout-external", tmp_path)
    project = checkout / "crate"
    ferrule("build", "--release", "-o", tmp_path / "tree", cwd=project)
    ferrule("build", "--release", "--sdist", "-o", tmp_path / "sdist", cwd=project)
    maturin("sdist", "-o", tmp_path / "maturin", cwd=project)
    theirs_sdist = one(tmp_path / "maturin", "*.tar.gz")
    unpacked = unpack_sdist(theirs_sdist, tmp_path / "maturin-unpacked")
    maturin("build", "--release", "-o", tmp_path / "maturin", cwd=unpacked)
    tree, from_sdist = one(tmp_path / "tree", "*.whl"), one(tmp_path / "sdist", "*.whl")
    theirs = one(tmp_path / "maturin", "*.whl")

    ours_sdist = one(tmp_path / "sdist", "*.tar.gz")
    assert sorted(tar_names(ours_sdist)) == sorted(tar_names(theirs_sdist))
    pyproject = tomllib.loads(tar_read(ours_sdist, "pyproject.toml").decode())
    assert pyproject["tool"]["maturin"]["python-source"] == "python"
    assert pyproject["tool"]["maturin"]["manifest-path"] == "crate/Cargo.toml"
    assert tree.name == from_sdist.name == theirs.name
    assert "layout_external/__init__.py" in file_list(tree)
    assert file_list(tree) == file_list(theirs)
    assert wheel_hashes(tree) == wheel_hashes(from_sdist)
    # The PEP 517 hook (a release build too; its platform tag is its own) packs the same.
    run([sys.executable, "-c", HOOK_BUILD_WHEEL, tmp_path / "pep517"], cwd=project)
    pep517 = wheel_hashes(one(tmp_path / "pep517", "*.whl"))
    assert {k: v for k, v in pep517.items() if ".dist-info/" not in k} == {
        k: v for k, v in wheel_hashes(tree).items() if ".dist-info/" not in k
    }

    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", tree)
    assert venv.exercise(project / "exercise.py").endswith("ok")


def extension_bytes(wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".so")]
        return z.read(name)


def test_strip_adds_to_the_pyproject_rustc_args(tmp_path: Path) -> None:
    """``--strip`` appends ``-C strip=symbols`` to ``rustc-args``, as maturin's compile.rs."""
    project = copy("layout-strip", tmp_path)
    ferrule("build", "--strip", "-o", tmp_path / "stripped", cwd=project)
    ferrule("build", "-o", tmp_path / "plain", cwd=project)
    # The PEP 517 hook, with maturin's environment variable for --strip.
    env = clean_env(MATURIN_STRIP="1")
    run([sys.executable, "-c", HOOK_BUILD_WHEEL, tmp_path / "pep517"], cwd=project, env=env)
    maturin("build", "--strip", "-o", tmp_path / "maturin", cwd=project)
    stripped, plain = one(tmp_path / "stripped", "*.whl"), one(tmp_path / "plain", "*.whl")
    theirs, pep517 = one(tmp_path / "maturin", "*.whl"), one(tmp_path / "pep517", "*.whl")

    assert b".symtab" in extension_bytes(plain)
    for wheel in (stripped, pep517, theirs):
        assert b".symtab" not in extension_bytes(wheel), wheel
        venv = VEnv(tmp_path / f"venv-{wheel.parent.name}")
        venv.pip("install", "-q", wheel)
        assert venv.exercise(project / "exercise.py").endswith("ok")


def test_copies_of_one_crate_in_one_target_dir(tmp_path: Path, cargo_target_dir: Path) -> None:
    """Two checkouts of one project, built in turn into one CARGO_TARGET_DIR.

    cargo hashes the workspace's crates by their paths relative to its root, so
    the copies share fingerprints, ``lib<name>.so`` and the member's ``.rlib``,
    and cargo reports the other copy's code fresh. The copies differ in the
    workspace member the extension depends on.
    """
    first = copy("layout-twin", tmp_path / "first")
    second = copy("layout-twin", tmp_path / "second")
    lib = second / "core" / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("    1\n", "    2\n"))
    venv = VEnv(tmp_path / "venv")
    for i, (project, expected) in enumerate([(first, 1), (second, 2), (first, 1)]):
        out = tmp_path / f"out{i}"
        env = clean_env(CARGO_TARGET_DIR=str(cargo_target_dir))
        ferrule("build", "-i", sys.executable, "-o", out, cwd=project, env=env)
        venv.pip("install", "-q", "--force-reinstall", one(out, "*.whl"))
        got = venv.run_python("-c", "import layout_twin; print(layout_twin.value())")
        assert got.strip() == str(expected), (project, got)
    assert venv.exercise(first / "exercise.py").endswith("ok")


def test_workspace_members_decide_membership(tmp_path: Path) -> None:
    """``find_workspace_root`` follows cargo's members: a glob, a path dependency of a
    member (an implicit member), and a crate that is neither, which cargo refuses."""
    checkout = copy("layout-ws-members", tmp_path)
    project = checkout / "crates" / "py"
    ferrule("build", "-o", tmp_path / "glob", cwd=project)
    maturin("build", "-o", tmp_path / "maturin", cwd=project)
    ours, theirs = one(tmp_path / "glob", "*.whl"), one(tmp_path / "maturin", "*.whl")
    assert ours.name == theirs.name and ours.name.startswith("layout_ws_members-1.4.0-")
    assert file_list(ours) == file_list(theirs)
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py").endswith("ok")

    # Not listed any more: cargo refuses the crate, and so does ferrule (also for the
    # metadata hook, which runs no cargo), in one line.
    root = checkout / "Cargo.toml"
    root.write_text(root.read_text().replace('["crates/*"]', '["crates/other"]'))
    cargo = run(["cargo", "metadata", "--no-deps", "--offline"], cwd=project, check=False)
    assert "believes it's in a workspace when it's not" in cargo.stderr
    hook = "import sys, ferrule.buildapi as b; b.prepare_metadata_for_build_wheel(sys.argv[1])"
    for proc in (
        ferrule("build", "-o", tmp_path / "refused", cwd=project, check=False),
        run([sys.executable, "-c", hook, tmp_path / "meta"], cwd=project, check=False),
    ):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        (line,) = proc.stderr.strip().splitlines()
        assert f"{project / 'Cargo.toml'}: package: the crate is inside the workspace" in line
        assert "add 'crates/py' to workspace.members" in line
    assert not (tmp_path / "refused").exists()

    # A path dependency of a member is a member.
    with (checkout / "crates" / "other" / "Cargo.toml").open("a") as f:
        f.write('\n[dependencies]\nlayout-ws-members = { path = "../py" }\n')
    ferrule("build", "-o", tmp_path / "implicit", cwd=project)
    venv.pip("install", "-q", "--force-reinstall", one(tmp_path / "implicit", "*.whl"))
    assert venv.exercise(project / "exercise.py").endswith("ok")


def test_extra_extensions_in_an_abi3_wheel(tmp_path: Path) -> None:
    """``[[tool.ferrule.extensions]]`` with abi3: every module built for the stable ABI.

    maturin has no extra extensions (it ignores ``[tool.ferrule]`` and builds the
    first crate alone, under its own name); the abi3 wheel's name is the same.
    """
    project = copy("layout-abi3-ext", tmp_path)
    ferrule("build", "-o", tmp_path / "out", cwd=project)
    maturin("build", "-o", tmp_path / "maturin", cwd=project)
    ours = one(tmp_path / "out", "*.whl")
    assert ours.name == one(tmp_path / "maturin", "*.whl").name
    assert "-cp39-abi3-" in ours.name  # the crates' abi3-py39
    assert {"layout_abi3_ext/_first.abi3.so", "layout_abi3_ext/_second.abi3.so"} <= set(
        file_list(ours)
    )
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py").endswith("ok")

    # An extra module that is not for the stable ABI (or needs a newer Python) cannot go in.
    second = project / "second" / "Cargo.toml"
    original = second.read_text()
    for features, problem in (
        ('["macros"]', "is not built for the stable ABI"),
        ('["abi3-py310"]', "needs Python >= 3.10"),
    ):
        second.write_text(original.replace('["abi3-py39"]', features))
        proc = ferrule("build", "-o", tmp_path / "refused", cwd=project, check=False)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        (line,) = [ln for ln in proc.stderr.splitlines() if "error:" in ln]
        assert f"{project / 'pyproject.toml'}: tool.ferrule.extensions[0].manifest-path:" in line
        assert problem in line and "the wheel is abi3 for Python >= 3.9" in line
        assert not (tmp_path / "refused").exists()


def test_module_named_after_the_project(tmp_path: Path) -> None:
    """No ``[lib] name``: maturin names the module after ``project.name``, not the crate."""
    project = copy("pyo3-pure", tmp_path)
    cargo = project / "Cargo.toml"
    text = cargo.read_text().replace('name = "pyo3-pure"', 'name = "pyo3-pure-rs"')
    cargo.write_text(text.replace('name = "pyo3_pure"\n', ""))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "pyo3-pure"', 'name = "pyo3_pure"'))

    maturin("build", "-o", tmp_path / "maturin", cwd=project)
    ferrule("build", "-o", tmp_path / "ferrule", cwd=project)
    theirs, ours = one(tmp_path / "maturin", "*.whl"), one(tmp_path / "ferrule", "*.whl")
    assert ours.name == theirs.name
    assert file_list(ours) == file_list(theirs)
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py").endswith("ok")
