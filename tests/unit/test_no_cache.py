"""``FERRULE_NO_CACHE=1`` turns every fast path off (issue 20, item 5).

One test per cache: the cache answers without the switch (so the test can see
it), and does not with it. The import code cache (``ferrule._codecache``) is
pinned the same way in tests/unit/test_codecache.py.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ferrule import _metadata_cache
from ferrule.cargo import metadata_cache
from ferrule.develop import environment, replay
from ferrule.develop.fresh import InstallRecord, WheelStamp
from ferrule.develop.run import previous_install
from ferrule.wheel.manifest import Entry

OFF = {"FERRULE_NO_CACHE": "1"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A cache of the test's own, and cargo/rustup homes that hold nothing."""
    return {
        "FERRULE_CACHE_DIR": str(tmp_path / "cache"),
        "CARGO_HOME": str(tmp_path / "no-cargo-home"),
        "RUSTUP_HOME": str(tmp_path / "no-rustup-home"),
        "PATH": os.environ.get("PATH", ""),
    }


def _age(*paths: Path) -> None:
    """Older than the caches' racy window (files changed just now are never trusted)."""
    old = time.time() - 60
    for path in paths:
        os.utime(path, (old, old))


def test_metadata_hook_cache(env: dict[str, str]) -> None:
    assert _metadata_cache.begin([], {}, env) is not None
    assert _metadata_cache.begin([], {}, {**env, **OFF}) is None


def test_cargo_metadata_cache(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text('[package]\nname = "x"\n')
    _age(manifest, tmp_path)
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
        assert read({**env, **OFF}) == (1,)
    assert len(calls) == 3


def test_replay_records(env: dict[str, str], tmp_path: Path) -> None:
    for kind in ("develop", "build", "sdist"):
        assert replay._cache_file(["build"], tmp_path, env, kind) is not None
        assert replay._cache_file(["build"], tmp_path, {**env, **OFF}, kind) is None


def test_wheel_stamp(env: dict[str, str], tmp_path: Path) -> None:
    wheel = tmp_path / "out" / "x-1-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a wheel")
    entries = [Entry("x/__init__.py", data=b"")]
    stamp = WheelStamp(tmp_path / "state", wheel, entries, env)
    stamp.record()
    assert WheelStamp(tmp_path / "state", wheel, entries, env).is_current()
    assert not WheelStamp(tmp_path / "state", wheel, entries, {**env, **OFF}).is_current()


def test_install_record(env: dict[str, str], tmp_path: Path) -> None:
    """The record that makes a repeated ``develop`` a no-op."""
    path = tmp_path / "state" / "install.json"
    InstallRecord(config="k", name="x", version="1").save(path)
    found = previous_install(path, env)
    assert found is not None and found.out_of_date("k") is None
    assert previous_install(path, {**env, **OFF}) is None


def test_interpreter_probe_cache(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sys.prefix != sys.base_prefix, "the suite runs from .venv (scripts/setup.sh)"
    probes: list[Path] = []
    real = environment._probe

    def counting(python: Path, environ: Any) -> dict[str, Any]:
        probes.append(python)
        return real(python, environ)

    monkeypatch.setattr(environment, "_probe", counting)
    environ = {**env, "VIRTUAL_ENV": sys.prefix}
    cache = tmp_path / "interpreters"
    for _ in range(2):
        environment.target_environment(environ, tmp_path, cache)
    assert len(probes) == 1  # the second description came from the cache
    for _ in range(2):
        environment.target_environment({**environ, **OFF}, tmp_path, cache)
    assert len(probes) == 3


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
    for extra in ({}, OFF):
        monkeypatch.setattr(os, "environ", {**environ, **extra})
        _import_hook._Finder("x", str(stamp)).check()
    assert rebuilt == ["FERRULE_NO_CACHE is set"]  # the first check found the stamp current
