"""Issue 6: source distributions that rebuild anywhere.

Each sdist test crate is built the way release CI should build it
(``ferrule build --release --sdist``: the sdist, then the wheel from the sdist
unpacked in an empty temporary directory) and from its tree. The wheels are
installed and exercised, compared with each other, and the sdists' file lists
are compared with maturin's.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from ferrule.sdist.unpack import unpack_sdist
from tests.conftest import ferrule
from tests.helpers.sdists import (
    NAMES,
    compiled_members,
    is_compiled,
    project_dir,
    release_builds,
    tar_names,
    tar_read,
    wheel_hashes,
)
from tests.helpers.venv import VEnv, clean_env, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Built:
    sdist: Path
    sdist_wheel: Path  # built from the unpacked sdist
    tree_wheel: Path  # built from the source tree


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The release builds in a copy of the crates (shared with test_reproducible)."""

    def get(name: str) -> Built:
        b = release_builds(tmp_path_factory, name)
        assert b.sdist_wheel is not None
        return Built(b.sdist, b.sdist_wheel, b.tree_wheel)

    return get


@pytest.fixture(scope="session")
def sdist_venv(tmp_path_factory: pytest.TempPathFactory, built) -> VEnv:  # type: ignore[no-untyped-def]
    """One environment with every wheel built from an sdist."""
    venv = VEnv(tmp_path_factory.mktemp("sdist-venv") / "venv")
    venv.pip("install", "-q", *[built(name).sdist_wheel for name in NAMES])
    return venv


def exercise(venv: VEnv, name: str, tmp_path: Path) -> None:
    # Run from elsewhere: next to the script, the source package would shadow the wheel.
    script = tmp_path / f"exercise_{name}.py"
    shutil.copy(project_dir(name) / "exercise.py", script)
    assert venv.run_python(script).strip().endswith("ok")


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", NAMES)
def test_wheel_from_unpacked_sdist_installs_and_passes(
    name: str, sdist_venv: VEnv, tmp_path: Path
) -> None:
    exercise(sdist_venv, name, tmp_path)


def test_installed_sdist_wheels_are_consistent(sdist_venv: VEnv) -> None:
    sdist_venv.pip("check")


@pytest.mark.parametrize("name", NAMES)
def test_sdist_and_tree_wheels_agree(name: str, built) -> None:  # type: ignore[no-untyped-def]
    b = built(name)
    assert b.sdist_wheel.name == b.tree_wheel.name
    ours, theirs = wheel_hashes(b.sdist_wheel), wheel_hashes(b.tree_wheel)
    assert sorted(ours) == sorted(theirs)
    for arcname, digest in ours.items():
        if not is_compiled(arcname) and not arcname.endswith("RECORD"):
            assert digest == theirs[arcname], arcname
    # Paths are remapped (and outside path dependencies built through a stable
    # link), so even the compiled module is the same bytes.
    assert b.sdist_wheel.read_bytes() == b.tree_wheel.read_bytes()
    for data in compiled_members(b.sdist_wheel).values():
        assert b"ferrule-sdist-" not in data  # the temporary unpack directory


@pytest.mark.parametrize("name", NAMES)
def test_sdist_layout(name: str, built) -> None:  # type: ignore[no-untyped-def]
    sdist = built(name).sdist
    names = tar_names(sdist)
    assert names[0] == "PKG-INFO"
    assert "pyproject.toml" in names
    with tarfile.open(sdist) as tar:
        members = tar.getmembers()
    (top,) = {m.name.split("/", 1)[0] for m in members}
    assert sdist.name == f"{top}.tar.gz"
    for m in members:
        assert m.isfile(), m.name
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", "")
        assert m.mode in (0o644, 0o755)
        assert m.mtime == 1153704088
    assert names[1:] == sorted(names[1:], key=lambda n: n.split("/"))
    run([sys.executable, "-m", "twine", "check", "--strict", sdist])


def test_member_pyproject_moves_to_the_top(built) -> None:  # type: ignore[no-untyped-def]
    sdist = built("member").sdist
    pyproject = tomllib.loads(tar_read(sdist, "pyproject.toml").decode())
    assert pyproject["tool"]["maturin"]["manifest-path"] == "bindings/python/Cargo.toml"
    workspace = tomllib.loads(tar_read(sdist, "Cargo.toml").decode())["workspace"]
    assert workspace["members"] == ["core", "bindings/python"]  # tools/bench pruned
    names = tar_names(sdist)
    assert "sdist_member/__init__.py" in names  # relative to pyproject.toml
    assert not any(n.startswith(("tools/", "bindings/python/sdist_member/")) for n in names)


def test_workspace_keeps_inheritance_and_drops_unused_members(built) -> None:  # type: ignore[no-untyped-def]
    sdist = built("workspace").sdist
    root = tomllib.loads(tar_read(sdist, "Cargo.toml").decode())
    assert root["workspace"]["members"] == ["crates/*"]
    assert "default-members" not in root["workspace"]  # it named the dropped CLI
    assert root["profile"]["release"]["codegen-units"] == 4
    assert not any(n.startswith("crates/cli/") for n in tar_names(sdist))
    member = tomllib.loads(tar_read(sdist, "crates/python/Cargo.toml").decode())
    assert member["package"]["version"] == {"workspace": True}


def test_outside_dependency_is_carried_and_made_self_contained(built) -> None:  # type: ignore[no-untyped-def]
    sdist = built("outside").sdist
    names = tar_names(sdist)
    assert {"core/Cargo.toml", "core/src/lib.rs", "core/README.md", "py/Cargo.lock"} <= set(names)
    # The Rust workspace core belongs to stays behind; what core inherited is inlined.
    assert "Cargo.toml" not in names
    text = tar_read(sdist, "core/Cargo.toml").decode()
    core = tomllib.loads(text)
    assert "workspace = true" not in text and ".workspace" not in text
    assert core["package"]["version"] == "2.0.1"
    assert core["package"]["readme"] == "README.md"
    assert core["dependencies"]["memchr"] == {
        "version": "2.7",
        "default-features": False,
        "features": ["alloc"],
    }
    assert core["lints"] == {"clippy": {"needless_return": "deny"}}
    assert core["package"]["description"] == "Rust code shared by several front ends"
    pyproject = tomllib.loads(tar_read(sdist, "pyproject.toml").decode())
    assert pyproject["tool"]["ferrule"]["manifest-path"] == "py/Cargo.toml"
    original = project_dir("outside") / "Cargo.toml"
    assert tar_read(sdist, "py/Cargo.toml") == original.read_bytes()
    # The stub of the pure-Rust module sits next to the moved pyproject.toml, so
    # wheels built from the sdist keep it (maturin's sdist loses it).
    assert "sdist_outside.pyi" in names


def test_readme_outside_the_project(crate_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``readme = "../README.md"`` (maturin refuses it here): the file moves along
    and the path is rewritten for pyproject.toml's new place."""
    tree = crate_copy("sdist-outside")
    pyproject = tree / "py" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"README.md"', '"../README.md"'))
    ferrule("sdist", "-o", tmp_path, cwd=tree / "py")
    (sdist,) = tmp_path.glob("*.tar.gz")
    rewritten = tomllib.loads(tar_read(sdist, "pyproject.toml").decode())
    assert rewritten["project"]["readme"] == "README.md"
    assert tar_read(sdist, "README.md") == (tree / "README.md").read_bytes()
    assert "# sdist-outside" in tar_read(sdist, "PKG-INFO").decode()


def test_stub_survives_the_sdist(built) -> None:  # type: ignore[no-untyped-def]
    names = wheel_hashes(built("outside").sdist_wheel)
    assert {"sdist_outside/__init__.pyi", "sdist_outside/py.typed"} <= set(names)


def test_include_and_exclude_for_sdist_format(built) -> None:  # type: ignore[no-untyped-def]
    names = tar_names(built("inside").sdist)
    assert "extra/notes.txt" in names
    assert "extra/scratch.txt" not in names
    assert "tests/test_palindrome.py" in tar_names(built("src").sdist)
    assert "extra/notes.txt" not in wheel_hashes(built("inside").sdist_wheel)


# -- compared with maturin ---------------------------------------------------

# Intended differences in the file lists (docs/differences.md, "Source distributions").
MATURIN_ONLY = {
    # maturin ships the Rust workspace's root manifest that core inherits from;
    # ferrule inlines what core inherits and leaves that workspace behind.
    "outside": {"Cargo.toml"},
}
FERRULE_ONLY = {
    # the .pyi stub next to the moved pyproject.toml (maturin's wheels from its
    # own sdist lose the stub and py.typed).
    "outside": {"sdist_outside.pyi"},
}


@pytest.fixture(scope="session")
def maturin_sdists(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("maturin-sdists")
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            dest = out / name
            run(["maturin", "sdist", "-o", dest], cwd=project_dir(name), env=env)
            (cache[name],) = dest.glob("*.tar.gz")
        return cache[name]

    return get


@pytest.mark.maturin
@pytest.mark.parametrize("name", NAMES)
def test_file_list_matches_maturin(name: str, built, maturin_sdists) -> None:  # type: ignore[no-untyped-def]
    ours = set(tar_names(built(name).sdist))
    theirs = set(tar_names(maturin_sdists(name)))
    assert built(name).sdist.name == maturin_sdists(name).name
    assert theirs - ours == MATURIN_ONLY.get(name, set())
    assert ours - theirs == FERRULE_ONLY.get(name, set())


@pytest.mark.maturin
def test_wheel_from_maturin_sdist(
    maturin_sdists,  # type: ignore[no-untyped-def]
    offline_pip_env: dict[str, str],
    tmp_path: Path,
    venv: VEnv,
) -> None:
    """maturin's sdists move pyproject.toml to the top and add manifest-path;
    ferrule (the backend these test crates name) builds wheels from them."""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            tmp_path,
            maturin_sdists("member"),
        ],
        env=offline_pip_env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    venv.pip("install", "-q", wheel)
    exercise(venv, "member", tmp_path)


@pytest.mark.maturin
def test_settings_from_maturin_sdist_with_added_tool_table(maturin_sdists, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """For sdist-outside maturin adds ``[tool]`` and ``[tool.maturin]`` with
    manifest-path; ferrule reads that layout (metadata only, no compiler)."""
    top = unpack_sdist(maturin_sdists("outside"), tmp_path / "unpacked")
    assert 'manifest-path = "py/Cargo.toml"' in (top / "pyproject.toml").read_text()
    meta = tmp_path / "meta"
    done = ferrule("pep517", "write-dist-info", "--metadata-directory", meta, cwd=top)
    dist_info = done.stdout.strip().splitlines()[-1]
    assert dist_info == "sdist_outside-2.0.1.dist-info"
    metadata = (meta / dist_info / "METADATA").read_text()
    assert "Summary: A Python package whose Rust core lives outside the Python project" in metadata


# -- PEP 517 -------------------------------------------------------------------


def test_build_sdist_hook_gives_the_same_bytes(
    built,  # type: ignore[no-untyped-def]
    offline_pip_env: dict[str, str],
    tmp_path: Path,
) -> None:
    project = project_dir("workspace")
    run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", tmp_path, project],
        env=offline_pip_env,
    )
    (sdist,) = tmp_path.glob("*.tar.gz")
    assert sdist.read_bytes() == built("workspace").sdist.read_bytes()


def test_pip_builds_the_same_wheel_from_the_sdist(
    built,  # type: ignore[no-untyped-def]
    offline_pip_env: dict[str, str],
    tmp_path: Path,
) -> None:
    b = built("member")
    # PEP 517 builds are tagged with the interpreter's platform unless a
    # compatibility is asked for (as maturin's): ask for the CLI wheel's policy.
    policy = re.search(r"-((?:many|musl)linux_\d+_\d+)_", b.sdist_wheel.name)
    args = [f"--config-settings=build-args=--compatibility {policy[1]}"] if policy else []
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *args, "-w", tmp_path, b.sdist],
        env=offline_pip_env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.read_bytes() == b.sdist_wheel.read_bytes()


# -- what never goes in -------------------------------------------------------


def test_junk_never_goes_in(crate_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = crate_copy("sdist-inside")
    (tmp_path / "secret.txt").write_text("not for the sdist\n")
    junk = {
        "target/release/libjunk.so": "x",
        "target/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55",
        ".git/config": "[core]",
        ".hg/store": "x",
        "__pycache__/exercise.cpython-311.pyc": "x",
        "sdist_inside/__pycache__/words.cpython-311.pyc": "x",
        "sdist_inside/_native.cpython-311-x86_64-linux-gnu.so": "x",
        "sdist_inside/_native.abi3.so": "x",
        "sdist_inside.egg-info/PKG-INFO": "x",
        "dist/sdist_inside-0.4.0.tar.gz": "x",
        "dist/sdist_inside-0.4.0-cp311-cp311-linux_x86_64.whl": "x",
        "crates/helper/target/debug/junk": "x",
    }
    for name, text in junk.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    links = project / "sdist_inside"
    (links / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (links / "dangling.txt").symlink_to(project / "missing.txt")
    (links / "passwd").symlink_to("/etc/passwd")
    (links / "readme_copy.md").symlink_to(project / "README.md")  # inside: packaged
    out = tmp_path / "out"
    done = ferrule("sdist", "-o", out, cwd=project)
    (sdist,) = out.glob("*.tar.gz")
    names = tar_names(sdist)
    for name in junk:
        assert name not in names
    for bad in ("escape.txt", "dangling.txt", "passwd"):
        assert f"sdist_inside/{bad}" not in names
        assert bad in done.stderr
    assert "outside" in done.stderr
    assert "sdist_inside/readme_copy.md" in names
    assert tar_read(sdist, "sdist_inside/readme_copy.md") == (project / "README.md").read_bytes()
    assert not any("secret" in n for n in names)
    with tarfile.open(sdist) as tar:
        assert all(m.isfile() for m in tar.getmembers())


def test_sdist_generator_git(crate_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = crate_copy("sdist-src")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'sdist-generator = "git"\n')
    (project / "notes-untracked.txt").write_text("not committed\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    env = clean_env(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    run([*git, "init", "-q"], cwd=project, env=env)
    run([*git, "add", "pyproject.toml", "README.rst", "rust", "src", "tests"], cwd=project, env=env)
    run([*git, "commit", "-q", "-m", "x"], cwd=project, env=env)
    tracked = run(["git", "ls-files"], cwd=project, env=env).stdout.split()
    out = tmp_path / "out"
    ferrule("sdist", "-o", out, cwd=project)
    (sdist,) = out.glob("*.tar.gz")
    names = tar_names(sdist)
    assert sorted(names) == sorted(["PKG-INFO", *tracked])
    assert tar_read(sdist, "pyproject.toml") == pyproject.read_bytes()


def test_cargo_lock(crate_copy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Without a Cargo.lock, cargo writes one while ferrule reads the crate graph
    and the sdist carries it; with ``frozen`` (or ``locked``) cargo refuses."""
    project = crate_copy("sdist-src")
    lock = project / "rust" / "Cargo.lock"
    lock.unlink()
    offline = clean_env(CARGO_NET_OFFLINE="true")
    ferrule("sdist", "-o", tmp_path, cwd=project, env=offline)
    (sdist,) = tmp_path.glob("*.tar.gz")
    assert tar_read(sdist, "rust/Cargo.lock") == lock.read_bytes()
    lock.unlink()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "frozen = true\n")
    failed = ferrule("sdist", "-o", tmp_path, cwd=project, check=False, env=offline)
    assert failed.returncode == 1
    assert "--frozen" in failed.stderr and "cargo metadata" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_sdist_needs_a_pyproject(tmp_path: Path) -> None:
    crate = tmp_path / "bare"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "bare"\nversion = "0.1.0"\n')
    (crate / "src" / "lib.rs").write_text("")
    failed = ferrule("sdist", "-o", tmp_path, cwd=crate, check=False)
    assert failed.returncode == 1
    assert "needs one" in failed.stderr and "pyproject.toml" in failed.stderr


def test_cli_sdist_matches_build_sdist(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ferrule("sdist", "-o", tmp_path, cwd=project_dir("src"))
    (sdist,) = tmp_path.glob("*.tar.gz")
    assert sdist.read_bytes() == built("src").sdist.read_bytes()


def test_manifest_path_option(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``ferrule sdist -m`` from elsewhere gives the same sdist."""
    manifest = project_dir("member") / "Cargo.toml"
    ferrule("sdist", "-m", manifest, "-o", tmp_path, cwd=tmp_path)
    (sdist,) = tmp_path.glob("*.tar.gz")
    assert sdist.read_bytes() == built("member").sdist.read_bytes()


def test_help_lists_sdist(tmp_path: Path) -> None:
    assert "sdist" in ferrule("--help", cwd=tmp_path).stdout
    assert "--sdist" in ferrule("build", "--help", cwd=tmp_path).stdout
