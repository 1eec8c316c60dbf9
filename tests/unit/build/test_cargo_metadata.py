"""``cargo metadata`` once per build, parsed once; cargo's global flags reach every cargo command.

cargo is replaced by a recorder that answers ``metadata`` and ``tree`` like cargo
would for the test crate pyo3-pure (as the member of a two-member workspace, so
the ``cargo tree`` check runs too).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ferrule import _run, cli
from ferrule.build.context import open_context
from ferrule.cargo import metadata
from ferrule.config.model import Settings
from ferrule.sdist.crates import load_crate_graph, package_file_list
from ferrule.sdist.crates import start_cargo as start_sdist_cargo
from tests.unit.build.planning import crate_settings, running

GLOBAL = {"config": ("net.retry=3",), "unstable_flags": ("build-std",), "offline": True}
GLOBAL_ARGV = ["--offline", "--config", "net.retry=3", "-Z", "build-std"]


def _answer(settings: Settings) -> dict[str, Any]:
    manifest = str(settings.cargo.manifest_path)
    return {
        "packages": [
            {
                "id": "root",
                "name": settings.cargo.name,
                "version": "0.3.1",
                "manifest_path": manifest,
                "source": None,
                "targets": [{"name": "pyo3_pure", "kind": ["cdylib"], "src_path": "/p/src/lib.rs"}],
            },
            {
                "id": "pyo3",
                "name": "pyo3",
                "version": "0.29.3",
                "manifest_path": "/r/pyo3/Cargo.toml",
                "source": "registry+https://github.com/rust-lang/crates.io-index",
                "targets": [],
            },
        ],
        "resolve": {
            "root": "root",
            "nodes": [
                {"id": "root", "deps": [{"pkg": "pyo3", "dep_kinds": [{"kind": None}]}]},
                {"id": "pyo3", "deps": []},
            ],
        },
        "workspace_members": ["root", "sibling"],
        "workspace_root": str(settings.project_dir),
        "target_directory": str(settings.project_dir / "target"),
    }


class FakeCargo:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls: list[Sequence[str]] = []

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        argv = [str(a) for a in argv]
        self.calls.append(argv)
        out = {
            "metadata": json.dumps(_answer(self.settings)),
            "tree": "pyo3 v0.29.3\n",
            "package": "Cargo.toml\nsrc/lib.rs\n",
        }[argv[1]]
        return subprocess.CompletedProcess(argv, 0, out, "")

    def of(self, command: str) -> list[Sequence[str]]:
        return [c for c in self.calls if c[1] == command]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = crate_settings("pyo3-pure", tmp_path, **GLOBAL)
    return dataclasses.replace(settings, environ={**settings.environ, "FERRULE_NO_CACHE": "1"})


@pytest.fixture
def cargo(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeCargo:
    fake = FakeCargo(settings)
    monkeypatch.setattr(_run, "run", fake)
    return fake


def test_one_metadata_run_and_one_parse_per_build(
    settings: Settings, cargo: FakeCargo, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = []
    real = metadata.parse_metadata

    def counting(*args: Any, **kwargs: Any) -> metadata.CargoProject:
        parses.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(metadata, "parse_metadata", counting)
    with open_context(settings, [running()], "ferrule-test-") as ctx:
        assert ctx.plan.bindings == "pyo3"
    assert len(cargo.of("metadata")) == 1
    assert len(cargo.of("tree")) == 1
    assert len(parses) == 1


def _ends_with_global_flags(argv: Sequence[str]) -> bool:
    words = list(argv)
    return any(words[i : i + len(GLOBAL_ARGV)] == GLOBAL_ARGV for i in range(len(words)))


def test_global_flags_reach_metadata_tree_and_the_sdist_commands(
    settings: Settings, cargo: FakeCargo
) -> None:
    metadata.read_metadata(settings)
    manifest, options = settings.cargo.manifest_path, settings.cargo_options
    load_crate_graph("cargo", manifest, options, settings.environ)
    package_file_list("cargo", manifest, options, settings.environ)
    assert [c[1] for c in cargo.calls] == ["metadata", "tree", "metadata", "package"]
    for argv in cargo.calls:
        assert _ends_with_global_flags(argv), argv


def test_a_target_filters_the_metadata_to_its_platform(
    settings: Settings, cargo: FakeCargo
) -> None:
    """As maturin (cargo_options.rs, cargo_metadata_args): the SBOM lists that platform's crates."""
    metadata.read_metadata(settings)
    assert "--filter-platform" not in cargo.of("metadata")[0]
    options = dataclasses.replace(settings.cargo_options, target="aarch64-unknown-linux-gnu")
    metadata.read_metadata(dataclasses.replace(settings, cargo_options=options))
    argv = list(cargo.of("metadata")[1])
    assert argv[argv.index("--filter-platform") + 1] == "aarch64-unknown-linux-gnu"


def test_the_early_cargo_runs_are_the_ones_asked_for_later(
    settings: Settings, cargo: FakeCargo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build starts ``cargo metadata`` early, an sdist its two cargo questions: each
    must be exactly the command (argv and environment) the later run asks for, or the
    early one is wasted and cargo runs twice."""
    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(
        _run, "start", lambda argv, *, env, cwd=None: started.append((list(argv), dict(env)))
    )
    monkeypatch.setattr(metadata, "cache_answers", lambda argv, environ: False)
    metadata.start_metadata(settings)
    metadata.read_metadata(settings)
    start_sdist_cargo(settings)
    manifest, options = settings.cargo.manifest_path, settings.cargo_options
    load_crate_graph("cargo", manifest, options, settings.environ)
    package_file_list("cargo", manifest, options, settings.environ)
    asked = [c for c in cargo.calls if c[1] != "tree"]
    assert [argv for argv, _ in started] == asked
    assert all(env == dict(settings.environ) for _, env in started)


def test_no_early_cargo_metadata_when_its_cache_answers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(_run, "start", lambda argv, *, env, cwd=None: started.append(list(argv)))
    monkeypatch.setattr(metadata, "cache_answers", lambda argv, environ: True)
    metadata.start_metadata(settings)
    assert started == []
    monkeypatch.setattr(metadata, "cache_answers", lambda argv, environ: False)
    metadata.start_metadata(settings)
    assert len(started) == 1


class _Built(Exception):
    """Raised where cargo would build: the test has seen what it needs by then."""


_Call = tuple[list[str], dict[str, str], Path]


def _watch_cargo(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[_Call], list[_Call]]:
    """(what was started early, which ``cargo metadata`` was asked for): cargo is faked
    and stops the run where it would compile (:class:`_Built`); other programs (the
    environment's interpreter) really run."""
    started: list[_Call] = []
    asked: list[_Call] = []
    fake, real = FakeCargo(settings), _run.run

    def start(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None) -> None:
        started.append((list(argv), dict(env), cwd or Path.cwd()))

    def run(argv: Sequence[str], *, env: Mapping[str, str], **kwargs: Any) -> _run.Completed:
        if Path(argv[0]).name != "cargo":
            return real(argv, env=env, **kwargs)
        if argv[1] == "metadata":
            asked.append((list(argv), dict(env), kwargs.get("cwd") or Path.cwd()))
        if argv[1] not in ("metadata", "tree"):
            raise _Built
        done = fake(argv)
        return _run.Completed(tuple(argv), 0, done.stdout, "")

    monkeypatch.setattr(_run, "start", start)
    monkeypatch.setattr(_run, "run", run)
    monkeypatch.setattr(metadata, "cache_answers", lambda argv, environ: False)
    monkeypatch.chdir(settings.project_dir)
    monkeypatch.setenv("FERRULE_NO_CACHE", "1")
    monkeypatch.setenv("CARGO_TARGET_DIR", str(tmp_path / "target"))
    return started, asked


def test_develop_starts_the_cargo_metadata_its_build_reads(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ferrule develop`` starts ``cargo metadata`` once its settings are read (its
    command-line options count): exactly the command its build asks for later."""
    started, asked = _watch_cargo(settings, tmp_path, monkeypatch)
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)  # found, never written: --skip-install
    with pytest.raises(_Built):
        cli.main(["develop", "--skip-install", "--offline", "--config", "net.retry=3"])
    assert len(asked) == 1 and {"--offline", "net.retry=3"} <= set(asked[0][0])
    assert started == asked


def test_build_editable_starts_the_cargo_metadata_its_build_reads(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PEP 660's ``build_editable`` as ``ferrule develop``: the early ``cargo metadata``
    is the one its build asks for, build arguments and editable profile included."""
    from ferrule import backend

    started, asked = _watch_cargo(settings, tmp_path, monkeypatch)
    with pytest.raises(_Built):
        backend.build_editable(str(tmp_path / "out"), {"build-args": "--offline"})
    assert len(asked) == 1 and "--offline" in asked[0][0]
    assert started == asked
