"""Issue 8: the cache of ``cargo metadata`` (``ferrule.cargo.metadata_cache``).

Real cargo on a small workspace-less crate with a path dependency. ``cargo``
is a wrapper that logs each call, so every step shows whether cargo ran. The
rule checked throughout: the cached answer equals the answer with the cache
off; an unchanged project is answered without cargo; after any change to what
cargo's answer follows from, cargo runs again.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from ferrule._store import RACY_NS
from ferrule.cargo.metadata import CargoProject, read_metadata
from ferrule.config import CliOptions, load_settings

HOUR = 3600


def _age(root: Path) -> None:
    """Wait until every file is out of the caches' racy window (files whose ctime is
    moments old are never trusted); their mtimes move back too."""
    past = time.time() - HOUR
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(Path(dirpath) / name, (past, past))
        os.utime(dirpath, (past, past))
    time.sleep(RACY_NS[0] / 1e9 + 0.03)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "lib.rs").write_text("pub fn f() -> u32 { helper::g() }\n")
    (root / "Cargo.toml").write_text(
        '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[lib]\ncrate-type = ["cdylib"]\n\n'
        '[dependencies]\nhelper = { path = "../helper" }\n\n'
        "[features]\nextra = []\n"
    )
    helper = tmp_path / "helper"
    (helper / "src").mkdir(parents=True)
    (helper / "src" / "lib.rs").write_text("pub fn g() -> u32 { 1 }\n")
    (helper / "Cargo.toml").write_text(
        '[package]\nname = "helper"\nversion = "1.0.0"\nedition = "2021"\n'
    )
    return root


class Probe:
    """read_metadata with a logging cargo, against read_metadata with the cache off."""

    def __init__(self, root: Path, tmp_path: Path) -> None:
        self.root = root
        self.log = tmp_path / "cargo-calls.log"
        wrapper = tmp_path / "cargo-wrapper"
        wrapper.write_text(f'#!/bin/sh\necho "$*" >> {self.log}\nexec cargo "$@"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        self.env = {
            **os.environ,
            "CARGO": str(wrapper),
            "FERRULE_CACHE_DIR": str(tmp_path / "cache"),
            "CARGO_NET_OFFLINE": "true",
        }
        for name in ("FERRULE_NO_CACHE", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"):
            self.env.pop(name, None)  # nothing is built: the target directory is only named

    def calls(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0

    def read(self, *, features: tuple[str, ...] = (), **env: str) -> tuple[CargoProject, bool]:
        """(the cached answer, whether cargo ran for it); checked against the uncached one."""
        environ = {**self.env, **env}
        cli = CliOptions(features=features)
        before = self.calls()
        cached = read_metadata(load_settings(self.root, cli, environ=environ))
        ran = self.calls() > before
        uncached = read_metadata(
            load_settings(self.root, cli, environ={**environ, "FERRULE_NO_CACHE": "1"})
        )
        assert cached == uncached
        return cached, ran


def test_unchanged_project_needs_no_cargo(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    probe = Probe(project, tmp_path)
    _age(tmp_path)
    first, ran = probe.read()
    assert ran and first.dependency_versions == {"helper": "1.0.0"}
    _age(tmp_path)  # cargo wrote Cargo.lock just now: not trusted until it is older
    assert probe.read()[1]
    for _ in range(2):
        again, ran = probe.read()
        assert not ran and again == first


def test_fresh_inputs_are_not_trusted(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files changed within two seconds of the run: a later change could keep their stat."""
    monkeypatch.chdir(project)
    probe = Probe(project, tmp_path)
    assert probe.read()[1]
    assert probe.read()[1]


def _prepare(change: str, project: Path) -> None:
    """What must exist before the answer is cached, for ``change`` to be a small one."""
    if change == "new multi-file example":
        (project / "examples" / "ex").mkdir(parents=True)


def _change(change: str, project: Path, tmp_path: Path, probe: Probe) -> dict[str, object]:
    """Make ``change``; the extra arguments of the next read."""
    if change == "new bin in src/bin":
        (project / "src" / "bin").mkdir()
        (project / "src" / "bin" / "tool.rs").write_text("fn main() {}\n")
    elif change == "new multi-file example":
        # Only the nested directory's own mtime tells (examples/ itself is unchanged).
        (project / "examples" / "ex" / "main.rs").write_text("fn main() {}\n")
    elif change == "new src/main.rs":
        (project / "src" / "main.rs").write_text("fn main() {}\n")
    elif change == "path dependency's version":
        manifest = project.parent / "helper" / "Cargo.toml"
        manifest.write_text(manifest.read_text().replace('"1.0.0"', '"1.2.0"'))
    elif change == "root manifest's dependencies":
        manifest = project / "Cargo.toml"
        text = manifest.read_text().replace("[dependencies]", "[dev-dependencies]")
        manifest.write_text(text)
    elif change == "Cargo.lock":
        lock = project / "Cargo.lock"
        lock.write_text(lock.read_text() + "\n")
    elif change == "new .cargo/config.toml":
        # In a parent directory: nothing of the crates' own directories changes.
        (tmp_path / ".cargo").mkdir()
        (tmp_path / ".cargo" / "config.toml").write_text(
            f'[build]\ntarget-dir = "{tmp_path / "other-target"}"\n'
        )
    elif change == "new rust-toolchain.toml":
        (tmp_path / "rust-toolchain.toml").write_text('[toolchain]\nchannel = "stable"\n')
    elif change == "features":
        return {"features": ("extra",)}
    elif change == "CARGO_TARGET_DIR":
        return {"CARGO_TARGET_DIR": str(tmp_path / "target-2")}
    return {}


CHANGES = [
    "new bin in src/bin",
    "new multi-file example",
    "new src/main.rs",
    "path dependency's version",
    "root manifest's dependencies",
    "Cargo.lock",
    "new .cargo/config.toml",
    "new rust-toolchain.toml",
    "features",
    "CARGO_TARGET_DIR",
]


@pytest.mark.parametrize("change", CHANGES)
def test_each_input_change_runs_cargo_again(
    change: str, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    probe = Probe(project, tmp_path)
    _prepare(change, project)
    probe.read()
    _age(tmp_path)
    base, _ = probe.read()
    assert not probe.read()[1], "the unchanged project should be answered from the cache"

    kwargs = _change(change, project, tmp_path, probe)
    after, ran = probe.read(**kwargs)
    assert ran, f"cargo should run again after: {change}"
    expected_change = {
        "new bin in src/bin": lambda: "tool" in {t.name for t in after.targets_of_kind("bin")},
        "new multi-file example": lambda: (
            "ex" in {t.name for t in after.targets_of_kind("example")}
        ),
        "new src/main.rs": lambda: "demo" in {t.name for t in after.targets_of_kind("bin")},
        "path dependency's version": lambda: after.dependency_versions == {"helper": "1.2.0"},
        "root manifest's dependencies": lambda: not after.dependencies,
        "new .cargo/config.toml": lambda: after.target_directory == tmp_path / "other-target",
        "CARGO_TARGET_DIR": lambda: after.target_directory == tmp_path / "target-2",
    }
    if change in expected_change:
        assert after != base and expected_change[change](), change


def test_cache_off_and_damaged_entries(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    probe = Probe(project, tmp_path)
    probe.read()
    _age(tmp_path)
    probe.read()
    assert not probe.read()[1]
    assert probe.read(FERRULE_NO_CACHE="1")[1]
    (entry,) = (tmp_path / "cache" / "cargo-metadata").glob("*")
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert probe.read()[1], "a damaged entry is never used"
