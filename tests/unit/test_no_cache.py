"""``FERRULE_NO_CACHE=1`` turns every fast path off (issue 20, item 5; issue 21, item 4).

One test per kind of entry in ferrule's cache store (:data:`ferrule._store.KINDS`):
without the switch the entry is written and answers (so the test can see it);
with it, nothing is read and nothing is written (the store's directory is not
even created). The import code cache is also pinned in tests/unit/test_codecache.py.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ferrule import _codecache, _metadata_cache, _store
from ferrule.cargo import metadata_cache
from ferrule.develop import environment, replay
from ferrule.develop.fresh import InstallRecord, WheelStamp
from ferrule.develop.run import previous_install
from ferrule.wheel.manifest import Entry

# Each kind of entry, and the test below that writes it and checks the switch.
COVERED_BY = {
    "metadata": "test_metadata_hook_cache",
    "cargo-metadata": "test_cargo_metadata_cache",
    "code": "test_code_cache",
    "develop": "test_replay_records_and_kept_outputs",
    "build": "test_replay_records_and_kept_outputs",
    "sdist": "test_replay_records_and_kept_outputs",
    "blobs": "test_replay_records_and_kept_outputs",
    "wheel": "test_wheel_stamp",
    "install": "test_install_record",
    "interpreter": "test_interpreter_probe_cache",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache of the test's own, and cargo/rustup homes that hold nothing."""
    return {
        "FERRULE_CACHE_DIR": str(tmp_path / "cache"),
        "CARGO_HOME": str(tmp_path / "no-cargo-home"),
        "RUSTUP_HOME": str(tmp_path / "no-rustup-home"),
        "PATH": os.environ.get("PATH", ""),
    }


@pytest.fixture
def off(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    """The same with the switch, and a cache directory of its own that must stay absent."""
    return {**env, "FERRULE_CACHE_DIR": str(tmp_path / "off-cache"), "FERRULE_NO_CACHE": "1"}


def _kinds(environ: dict[str, str]) -> set[str]:
    root = Path(environ["FERRULE_CACHE_DIR"])
    return {p.name for p in root.iterdir() if any(p.iterdir())} if root.exists() else set()


def _settle() -> None:
    """Out of the caches' racy window (files whose ctime is moments old are never trusted)."""
    time.sleep(_store.RACY_NS[0] / 1e9 + 0.03)


def _covers(kind: str, env: dict[str, str], off: dict[str, str]) -> None:
    assert kind in _kinds(env)
    assert not Path(off["FERRULE_CACHE_DIR"]).exists()
    assert kind in COVERED_BY


def test_metadata_hook_cache(
    env: dict[str, str], off: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "pyproject.toml"
    source.write_text("[project]\n")
    _settle()
    fingerprint = _metadata_cache.begin([], {}, env)
    assert fingerprint is not None
    _metadata_cache.save_value(fingerprint, _metadata_cache.snapshot(([str(source)], [])), [1])
    assert _metadata_cache.restore_value(fingerprint) == [1]
    assert _metadata_cache.begin([], {}, off) is None
    _covers("metadata", env, off)


def test_cargo_metadata_cache(
    env: dict[str, str], off: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text('[package]\nname = "x"\n')
    _settle()
    monkeypatch.chdir(tmp_path)
    calls: list[int] = []

    def compute() -> dict[str, Any]:
        calls.append(1)
        return {"packages": [], "workspace_root": str(tmp_path)}

    def read(environ: dict[str, str]) -> tuple[Any, ...]:
        argv = ["cargo", "metadata", "--format-version", "1"]
        return metadata_cache.cached_metadata(argv, manifest, environ, compute, lambda d: (1,))

    for _ in range(2):
        assert read(env) == (1,)
    assert len(calls) == 1  # the second answer came from the cache
    for _ in range(2):
        assert read(off) == (1,)
    assert len(calls) == 3
    _covers("cargo-metadata", env, off)


def test_code_cache(
    env: dict[str, str], off: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the switch says no here (turned on, the cache would serve this process's
    imports: tests/unit/test_codecache.py runs it in fresh interpreters)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as pytest runs it
    assert not _codecache.enable(off)
    _store.Store(env["FERRULE_CACHE_DIR"]).put("code", "x", {"code": compile("", "x", "exec")})
    _covers("code", env, off)


@pytest.mark.parametrize("kind", ["develop", "build", "sdist"])
def test_replay_records_and_kept_outputs(
    kind: str,
    env: dict[str, str],
    off: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A record without cargo (as ``sdist`` writes), with its output kept as a blob."""
    output = tmp_path / "out.tar.gz"
    output.write_bytes(b"an archive")
    read = tmp_path / "input"
    read.write_text("x")
    monkeypatch.chdir(tmp_path)
    for environ in (env, off):
        session = replay.Session(kind, ["c"], environ)
        session.record([read], None, {}, None, None, "same", [output], keep=True)
    output.unlink()
    assert replay.replay(["c"], tmp_path, env, kind)  # and put the output back
    assert output.read_bytes() == b"an archive"
    assert not replay.replay(["c"], tmp_path, off, kind)
    _covers(kind, env, off)
    _covers("blobs", env, off)


def test_wheel_stamp(env: dict[str, str], off: dict[str, str], tmp_path: Path) -> None:
    wheel = tmp_path / "out" / "x-1-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a wheel")
    entries = [Entry("x/__init__.py", data=b"")]
    for environ in (env, off):
        WheelStamp(wheel, entries, environ).record()
    assert WheelStamp(wheel, entries, env).is_current()
    assert not WheelStamp(wheel, entries, off).is_current()
    _covers("wheel", env, off)


def test_install_record(env: dict[str, str], off: dict[str, str]) -> None:
    """The record that makes a repeated ``develop`` a no-op."""
    for environ in (env, off):
        InstallRecord(config="k", name="x", version="1").save("venv+project", environ)
    found = previous_install("venv+project", env)
    assert found is not None and found.out_of_date("k") is None
    assert previous_install("venv+project", off) is None
    _covers("install", env, off)


def test_interpreter_probe_cache(
    env: dict[str, str], off: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sys.prefix != sys.base_prefix, "the suite runs from .venv (scripts/setup.sh)"
    probes: list[Path] = []
    real = environment._probe

    def counting(python: Path, environ: Any) -> dict[str, Any]:
        probes.append(python)
        return real(python, environ)

    monkeypatch.setattr(environment, "_probe", counting)
    for _ in range(2):
        environment.target_environment({**env, "VIRTUAL_ENV": sys.prefix}, tmp_path)
    assert len(probes) == 1  # the second description came from the cache
    for _ in range(2):
        environment.target_environment({**off, "VIRTUAL_ENV": sys.prefix}, tmp_path)
    assert len(probes) == 3
    _covers("interpreter", env, off)


def test_every_kind_is_covered() -> None:
    """A new kind of entry needs its test here."""
    assert set(COVERED_BY) == set(_store.KINDS)
    assert all(name in globals() for name in COVERED_BY.values())


def test_import_hook_stamp(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild-on-import hook trusts a current stamp only while caching is on."""
    from ferrule import _import_hook
    from ferrule.develop.fresh import Watch, render_stamp

    watched = tmp_path / "lib.rs"
    watched.write_text("")
    environ = {**env, "CARGO_HOME": "/nowhere"}
    stamp = tmp_path / "stamp"
    stamp.write_text(
        render_stamp(
            module="x",
            python_id=_import_hook._current_python_id(),
            watch=Watch(files=(watched,), env_names=("RUSTFLAGS",)),
            installed=[],
            environ=environ,
            config={"project": str(tmp_path), "lock": str(tmp_path / "lock")},
        )
    )
    rebuilt: list[str] = []
    monkeypatch.setattr(_import_hook, "_rebuild", lambda module, config, why: rebuilt.append(why))
    for extra in ({}, {"FERRULE_NO_CACHE": "1"}):
        monkeypatch.setattr(os, "environ", {**environ, **extra})
        _import_hook._Finder("x", str(stamp)).check()
    assert rebuilt == ["FERRULE_NO_CACHE is set"]  # the first check found the stamp current
