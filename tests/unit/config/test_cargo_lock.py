"""Cargo.lock's checksums by cargo package id, and the lock file found above a manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config import toml
from ferrule.config.cargo_lock import lock_checksums, locked_checksums
from ferrule.config.toml import TomlFiles

LOCK = """version = 4
[[package]]
name = "heck"
version = "0.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "ab"
[[package]]
name = "demo"
version = "0.1.0"
[[package]]
name = "local"
version = "0.2.0"
checksum = "cd"
[[package]]
name = "odd"
version = "1.0.0"
checksum = 3
"""


def test_checksums_by_package_id() -> None:
    lock = {
        "package": [
            {"name": "a", "version": "1", "source": "registry+x", "checksum": "ab"},
            {"name": "b", "version": "2", "checksum": "cd"},
            {"name": "c", "version": "3", "source": "", "checksum": "ef"},
            {"name": "d", "version": "4"},
            {"name": "e", "version": "5", "checksum": 1},
            "not a table",
            {"name": "f", "version": "6", "source": "git+y", "checksum": "01"},
        ]
    }
    assert locked_checksums(lock) == {
        "registry+x#a@1": "ab",
        "b@2": "cd",
        "c@3": "ef",
        "git+y#f@6": "01",
    }


def test_no_packages() -> None:
    assert locked_checksums({}) == {}
    assert locked_checksums({"package": None}) == {}


def test_the_first_lock_file_above_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text(LOCK)
    crate = tmp_path / "crates" / "demo"
    crate.mkdir(parents=True)
    assert lock_checksums(crate / "Cargo.toml", TomlFiles()) == {
        "registry+https://github.com/rust-lang/crates.io-index#heck@0.5.0": "ab",
        "local@0.2.0": "cd",
    }
    (crate / "Cargo.lock").write_text('[[package]]\nname = "x"\nversion = "1"\nchecksum = "ff"\n')
    assert lock_checksums(crate / "Cargo.toml", TomlFiles()) == {"x@1": "ff"}


def test_a_lock_directory_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text(LOCK)
    crate = tmp_path / "demo"
    (crate / "Cargo.lock").mkdir(parents=True)
    assert list(lock_checksums(crate / "Cargo.toml", TomlFiles())) == [
        "registry+https://github.com/rust-lang/crates.io-index#heck@0.5.0",
        "local@0.2.0",
    ]


def test_a_broken_lock_file_gives_no_checksums(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text(LOCK)
    crate = tmp_path / "demo"
    crate.mkdir()
    (crate / "Cargo.lock").write_text("[[package]\n")
    assert lock_checksums(crate / "Cargo.toml", TomlFiles()) == {}


def test_a_relative_manifest_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Cargo.lock").write_text(LOCK)
    monkeypatch.chdir(tmp_path)
    assert lock_checksums(Path("Cargo.toml"), TomlFiles())["local@0.2.0"] == "cd"


def test_the_lock_the_settings_read_is_read_again_only_when_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's settings read Cargo.lock (pyo3's version); the SBOM's checksums use that
    read, unless cargo rewrote the file since (then the file as it is now)."""
    lock = tmp_path / "Cargo.lock"
    lock.write_text(LOCK)
    reads: list[Path] = []
    real = toml.load_toml
    monkeypatch.setattr(toml, "load_toml", lambda path: reads.append(path) or real(path))
    files = TomlFiles()
    files.read(lock)
    assert lock_checksums(tmp_path / "Cargo.toml", files)["local@0.2.0"] == "cd"
    assert reads == [lock]
    lock.write_text(LOCK.replace('checksum = "cd"', 'checksum = "ce"') + "\n")
    assert lock_checksums(tmp_path / "Cargo.toml", files)["local@0.2.0"] == "ce"
    assert reads == [lock, lock]
    assert files.read(lock) is files.read_current(lock)  # the new read is the one kept
    assert reads == [lock, lock]
