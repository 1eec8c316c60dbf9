"""Issue 7, without compiling: stamps, watch lists, replay keys, dependencies, environments."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ferrule import _import_hook, _store
from ferrule.develop import replay
from ferrule.develop.environment import TargetEnvironment, find_prefix, target_environment
from ferrule.develop.fresh import ENV_EXCLUDE, ENV_PREFIXES, Watch, render_stamp, watch_list
from ferrule.develop.install import Installer, uninstall
from ferrule.develop.requirements import project_requirements, unsatisfied
from ferrule.errors import ConfigError, FerruleError
from ferrule.interpreter import probe

PYTHON_ID = _import_hook.python_id(sys.version, __import__("_imp").extension_suffixes()[0])


def stamp_for(files: list[Path], environ: dict[str, str], names: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    text = render_stamp(
        module="pkg",
        python_id=PYTHON_ID,
        watch=Watch(tuple(files), names),
        installed=[],
        environ=environ,
        config={"project": "/p"},
    )
    return _import_hook.parse_stamp(text)


def test_stamp_detects_each_kind_of_change(tmp_path: Path) -> None:
    src = tmp_path / "lib.rs"
    src.write_text("fn a() {}")
    missing = tmp_path / ".cargo" / "config.toml"
    env = {"RUSTFLAGS": "-Copt-level=1", "HOME": "/h", "CARGO_TERM_COLOR": "always"}
    stamp = stamp_for([src, missing], env, names=("MY_TAG",))
    base = str(tmp_path)
    assert _import_hook.stale_reason(stamp, base, env) is None
    # Variables nobody reads, and cargo's terminal settings, do not matter.
    assert (
        _import_hook.stale_reason(stamp, base, {**env, "HOME": "/x", "CARGO_TERM_COLOR": "never"})
        is None
    )

    assert "RUSTFLAGS" in str(_import_hook.stale_reason(stamp, base, {**env, "RUSTFLAGS": "-g"}))
    new_var = {**env, "CARGO_PROFILE_DEV_OPT_LEVEL": "2"}
    assert "CARGO_PROFILE_DEV_OPT_LEVEL" in str(_import_hook.stale_reason(stamp, base, new_var))
    assert "MY_TAG" in str(_import_hook.stale_reason(stamp, base, {**env, "MY_TAG": "1"}))

    missing.parent.mkdir()
    missing.write_text("[build]\n")
    assert _import_hook.stale_reason(stamp, base, env) == f"{missing} appeared"
    missing.unlink()
    src.write_text("fn a() { 1; }")
    assert _import_hook.stale_reason(stamp, base, env) == f"{src} changed"
    src.unlink()
    assert _import_hook.stale_reason(stamp, base, env) == f"{src} was removed"

    other = dict(stamp, python="2.7.18 .so")
    assert _import_hook.stale_reason(other, base, env) == "the Python interpreter changed"


def test_stamp_checks_installed_files_by_size_when_mtime_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    ext = tmp_path / "pkg" / "pkg.so"
    ext.write_bytes(b"x" * 10)
    text = render_stamp(
        module="pkg",
        python_id=PYTHON_ID,
        watch=Watch((), ()),
        installed=[("pkg/pkg.so", "*", "10")],
        environ={},
        config={},
    )
    stamp = _import_hook.parse_stamp(text)
    assert _import_hook.stale_reason(stamp, str(tmp_path), {}) is None
    ext.write_bytes(b"y" * 11)
    assert "pkg.so" in str(_import_hook.stale_reason(stamp, str(tmp_path), {}))


def test_env_snapshot_never_stores_values() -> None:
    text = render_stamp(
        module="m",
        python_id=PYTHON_ID,
        watch=Watch((), ()),
        installed=[],
        environ={"CARGO_REGISTRY_TOKEN": "secret-token", "RUSTFLAGS": "secret-flags"},
        config={},
    )
    assert "secret" not in text
    assert "CARGO_REGISTRY_TOKEN" not in text  # excluded altogether
    assert set(ENV_EXCLUDE).isdisjoint(ENV_PREFIXES)


def test_watch_list_follows_local_packages_only(tmp_path: Path) -> None:
    crate = tmp_path / "crate"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text("[package]\n")
    (crate / "src" / "lib.rs").write_text("")
    (crate / "data.txt").write_text("")
    target = tmp_path / "target" / "debug"
    (target / "deps").mkdir(parents=True)
    artifact = target / "libdemo.so"
    (target / "libdemo.d").write_text(f"{artifact}: {crate}/src/lib.rs {crate}/data.txt\n")
    (target / "deps" / "demo.d").write_text("# env-dep:DEMO_TAG=1\n")
    out_dir = target / "build" / "demo-1" / "out"
    out_dir.mkdir(parents=True)
    (out_dir.parent / "output").write_text("cargo:rerun-if-env-changed=DEMO_CC\n")
    registry = tmp_path / "home" / "registry" / "pyo3" / "Cargo.toml"
    messages = [
        {
            "reason": "compiler-artifact",
            "package_id": "registry+https://github.com/rust-lang/crates.io-index#pyo3@0.29.3",
            "manifest_path": str(registry),
            "target": {"kind": ["lib"], "src_path": str(registry.parent / "lib.rs")},
            "filenames": [],
        },
        {
            "reason": "compiler-artifact",
            "package_id": f"path+file://{crate}#demo@0.1.0",
            "manifest_path": str(crate / "Cargo.toml"),
            "target": {"kind": ["cdylib"], "src_path": str(crate / "src" / "lib.rs")},
            "filenames": [str(artifact)],
        },
        {
            "reason": "build-script-executed",
            "package_id": f"path+file://{crate}#demo@0.1.0",
            "out_dir": str(out_dir),
        },
    ]
    watch = watch_list(
        messages, crate / "Cargo.toml", None, [], {"CARGO_HOME": str(tmp_path / "home")}
    )
    files = set(watch.files)
    assert {
        crate / "Cargo.toml",
        crate / "src" / "lib.rs",
        crate / "data.txt",
        crate / "Cargo.lock",
    } <= files
    assert not any("registry" in str(p) for p in files)
    assert crate / ".cargo" / "config.toml" in files  # may appear later
    # A build script without rerun-if-changed reruns on any file of its package, as in cargo.
    assert crate / "src" in files
    assert {"DEMO_TAG", "DEMO_CC"} <= set(watch.env_names)


def test_replay_key_ignores_shell_variables_only(tmp_path: Path) -> None:
    env = {"PATH": "/bin", "PWD": "/a", "SHLVL": "1", "XDG_CACHE_HOME": str(tmp_path)}
    key = replay._key(["develop"], tmp_path, env)
    assert replay._key(["develop"], tmp_path, {**env, "PWD": "/b", "SHLVL": "2"}) == key
    assert replay._key(["develop"], tmp_path, {**env, "RUSTFLAGS": "-g"}) != key
    assert replay._key(["develop"], tmp_path, {**env, "ANYTHING": "1"}) != key
    assert replay._key(["develop", "-r"], tmp_path, env) != key
    assert not replay.replay(["develop"], tmp_path, {**env, "FERRULE_NO_REPLAY": "1"})


def test_recorder_sees_reads_not_writes(tmp_path: Path) -> None:
    read, written = tmp_path / "read.toml", tmp_path / "written"
    read.write_text("x")
    recorder = replay.Recorder().start()
    try:
        read.read_text()
        written.write_text("y")
        os.listdir(tmp_path)
    finally:
        recorder.stop()
    read.read_text()
    assert str(read) in recorder.paths
    assert str(tmp_path) in recorder.paths
    assert str(written) not in recorder.paths


def test_requirements_expand_extras_groups_and_self_references() -> None:
    pyproject = {
        "project": {
            "name": "Demo",
            "dependencies": ["numpy>=1"],
            "optional-dependencies": {"test": ["pytest"], "all": ["demo[test]", "rich"]},
        },
        "dependency-groups": {"dev": [{"include-group": "lint"}, "demo[all]"], "lint": ["ruff"]},
    }
    reqs = project_requirements(pyproject, Path("pyproject.toml"), ["all"], [])
    assert [str(r) for r in reqs] == ["numpy>=1", "pytest", "rich", "ruff"]
    with pytest.raises(ConfigError, match="there is no extra 'nope'"):
        project_requirements(pyproject, Path("pyproject.toml"), ["nope"], [])
    cyclic = {"project": {"name": "x"}, "dependency-groups": {"a": [{"include-group": "a"}]}}
    with pytest.raises(ConfigError, match="include cycle: a -> a"):
        project_requirements(cyclic, Path("pyproject.toml"), [], ["a"])


def fake_env(prefix: Path) -> TargetEnvironment:
    site = prefix / "lib" / "site-packages"
    site.mkdir(parents=True)
    interp = probe(sys.executable, os.environ)
    markers = {"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux"}
    return TargetEnvironment(
        prefix=prefix,
        python=prefix / "bin" / "python",
        interpreter=interp,
        purelib=site,
        platlib=site,
        scripts=prefix / "bin",
        data=prefix,
        headers=prefix / "include",
        markers=markers,
        python_id=PYTHON_ID,
        made_by_uv=False,
    )


def dist(site: Path, name: str, version: str, *requires: str) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    lines = [f"Name: {name}", f"Version: {version}", *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n")


def test_unsatisfied_follows_installed_requirements(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "env")
    dist(
        env.purelib,
        "alpha",
        "1.0",
        "beta>=2",
        "gamma; extra == 'fast'",
        "delta; sys_platform == 'win32'",
    )
    dist(env.purelib, "beta", "1.5")
    assert unsatisfied([Requirement("alpha>=1")], env) == ["beta>=2 (1.5 is installed)"]
    dist(env.purelib, "beta", "2.1")
    (env.purelib / "beta-1.5.dist-info" / "METADATA").unlink()
    (env.purelib / "beta-1.5.dist-info").rmdir()
    assert unsatisfied([Requirement("alpha>=1")], env) == []
    assert unsatisfied([Requirement("alpha[fast]")], env) == [
        'gamma; extra == "fast" (not installed)'
    ]
    assert unsatisfied([Requirement("zeta; python_version < '3'")], env) == []


def test_uninstall_stays_inside_the_environment(tmp_path: Path) -> None:
    env = fake_env(tmp_path / "env")
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    installer = Installer(env, "demo-1.0.dist-info")
    installer.add_bytes("platlib", "demo/__init__.py", b"x = 1\n")
    installer.add_bytes("scripts", "demo", b"#!/bin/sh\n", executable=True)
    installer.add_meta("METADATA", b"Name: demo\nVersion: 1.0\n")
    record = installer.finish()
    with record.open("a") as f:
        f.write("../../../precious.txt,,\n")
    assert "demo/__pycache__/__init__" in record.read_text()  # byte-compiled like pip
    assert (env.scripts / "demo").stat().st_mode & 0o111

    uninstall(env, env.platlib / "demo-1.0.dist-info")
    assert outside.read_text() == "keep me"
    assert sorted(p.name for p in env.platlib.iterdir()) == []
    assert not (env.scripts / "demo").exists()


def test_find_prefix_rules(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    with pytest.raises(FerruleError, match="both VIRTUAL_ENV"):
        find_prefix({"VIRTUAL_ENV": str(a), "CONDA_PREFIX": str(b)}, tmp_path)
    assert find_prefix({"VIRTUAL_ENV": str(a), "CONDA_PREFIX": str(a)}, tmp_path) == a
    assert find_prefix({"CONDA_PREFIX": str(b)}, tmp_path) == b
    project = tmp_path / "project" / "sub"
    project.mkdir(parents=True)
    with pytest.raises(FerruleError, match="no virtual environment"):
        find_prefix({}, project)
    (tmp_path / "project" / ".venv").mkdir()
    (tmp_path / "project" / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    assert find_prefix({}, project) == tmp_path / "project" / ".venv"


def test_a_system_interpreter_is_refused(tmp_path: Path) -> None:
    base = Path(sys.base_prefix)
    if not (base / "bin" / "python3").exists() or (base / "conda-meta").exists():
        pytest.skip("no plain base interpreter here")
    with pytest.raises(FerruleError, match="is not a virtual environment"):
        target_environment({"VIRTUAL_ENV": str(base)}, tmp_path, cached=False)


def test_stamp_text_round_trips_config(tmp_path: Path) -> None:
    config = {"args": ["--profile", "release", "--", "-C", "x=a b"], "project": str(tmp_path)}
    text = render_stamp(
        module="m",
        python_id=PYTHON_ID,
        watch=Watch((), ()),
        installed=[],
        environ={},
        config=config,
    )
    assert json.loads(_import_hook.parse_stamp(text)["config"]) == config


def test_stamp_marks_sources_changed_during_the_build(tmp_path: Path) -> None:
    """A source edited after the build started may not be in the build: the stamp records
    it as changed (the next import rebuilds, and cargo sees the edit). What cargo writes
    itself (Cargo.lock, files in the target directory) is not marked."""
    before, during, lock = tmp_path / "old.rs", tmp_path / "lib.rs", tmp_path / "Cargo.lock"
    generated = tmp_path / "target" / "out" / "gen.rs"
    generated.parent.mkdir(parents=True)
    before.write_text("fn a() {}")
    time.sleep(_store.RACY_NS[0] / 1e9 + 0.03)
    started = time.time_ns()
    for path in (during, lock, generated):
        path.write_text("written while cargo ran")

    def stamp(since: int | None) -> dict:  # type: ignore[type-arg]
        text = render_stamp(
            module="pkg",
            python_id=PYTHON_ID,
            watch=Watch((before, during, lock, generated), ()),
            installed=[],
            environ={},
            config={},
            since_ns=since,
        )
        return _import_hook.parse_stamp(text)

    assert _import_hook.stale_reason(stamp(None), str(tmp_path), {}) is None
    assert _import_hook.stale_reason(stamp(started), str(tmp_path), {}) == f"{during} changed"
    marked = [p for p, (_, _, ctime) in stamp(started)["files"] if ctime == "?"]
    assert marked == [str(during)]
