"""The crate's pyo3 facts from Cargo.toml, Cargo.lock and a fake cargo registry (no cargo).

Every answer is a whole :class:`Pyo3Crate`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config.pyo3_crate import Pyo3Crate, VersionRange, read_pyo3_crate
from ferrule.config.toml import TomlFiles

V29 = VersionRange(((3, 8), (3, 15)), ((3, 11), (3, 11)), (3, 14))
V23 = VersionRange(((3, 7), (3, 13)), ((3, 9), (3, 10)), (3, 13))


def _lock(directory: Path, *packages: tuple[str, str]) -> None:
    text = "version = 4\n" + "".join(
        f'[[package]]\nname = "{n}"\nversion = "{v}"\n' for n, v in packages
    )
    (directory / "Cargo.lock").write_text(text)


def _read(
    tmp_path: Path,
    cargo: str,
    environ: dict[str, str] | None = None,
    workspace: Path | None = None,
    top: str = "",
) -> Pyo3Crate:
    """``top``: top-level keys, written before ``[package]``; ``cargo``: tables after it."""
    manifest = tmp_path / "Cargo.toml"
    manifest.write_text(top + '[package]\nname = "x"\nversion = "0.1.0"\n' + cargo)
    env = {"CARGO_HOME": str(tmp_path / "no-cargo-home")} if environ is None else environ
    return read_pyo3_crate(manifest, workspace, env, TomlFiles())


def test_no_pyo3(tmp_path: Path) -> None:
    assert _read(tmp_path, '[dependencies]\nserde = "1"\n') == Pyo3Crate(None)
    assert _read(tmp_path, "", top="dependencies = 1\n") == Pyo3Crate(None)
    assert _read(tmp_path, "") == Pyo3Crate(None)


def test_pyo3_as_a_version_string(tmp_path: Path) -> None:
    assert _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n') == Pyo3Crate(
        "pyo3", frozenset(), {}, None, VersionRange()
    )


def test_pyo3_ffi_and_pyo3_first(tmp_path: Path) -> None:
    assert _read(tmp_path, '[dependencies]\npyo3-ffi = "0.29"\n').name == "pyo3-ffi"
    both = '[dependencies]\npyo3-ffi = "0.29"\npyo3 = { version = "0.29" }\n'
    assert _read(tmp_path, both).name == "pyo3"


def test_features_locked_version_and_known_range(tmp_path: Path) -> None:
    _lock(tmp_path, ("pyo3", "0.29.3"), ("pyo3-ffi", "0.29.3"), ("other", "1.0.0"))
    cargo = (
        '[dependencies]\npyo3 = { version = "0.29", features = ["abi3-py38", "macros"] }\n'
        '[features]\nabi3 = ["pyo3/abi3-py39"]\ndefault = []\nodd = "x"\n'
    )
    assert _read(tmp_path, cargo) == Pyo3Crate(
        "pyo3",
        frozenset({"abi3-py38", "macros"}),
        {"abi3": ("pyo3/abi3-py39",), "default": ()},
        "0.29.3",
        V29,
    )


def test_features_table_not_a_table(tmp_path: Path) -> None:
    assert _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n[package.x]\n').crate_features == {}
    manifest = '[dependencies]\npyo3 = { version = "0.29", features = [] }\n'
    assert _read(tmp_path, manifest, top="features = 1\n").crate_features == {}


def test_unknown_ffi_release_has_no_range(tmp_path: Path) -> None:
    _lock(tmp_path, ("pyo3", "0.19.0"), ("pyo3-ffi", "0.19.0"))
    assert _read(tmp_path, '[dependencies]\npyo3 = "0.19"\n') == Pyo3Crate(
        "pyo3", frozenset(), {}, "0.19.0", VersionRange()
    )


@pytest.mark.parametrize("version", ["git", "1", "v0.29"])
def test_a_locked_version_that_is_no_version(version: str, tmp_path: Path) -> None:
    _lock(tmp_path, ("pyo3", version))
    assert _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n').locked_version is None


def test_lock_entries_that_are_not_tables(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text(
        'package = [1, { name = "pyo3" }, { name = "pyo3-ffi", version = "0.23.1" }]\n'
    )
    found = _read(tmp_path, '[dependencies]\npyo3 = "0.23"\n')
    # A pyo3 entry without a version is locked as "" (no version: nothing checks it).
    assert (found.locked_version, found.versions) == ("", V23)


def test_workspace_dependency_features(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    crate = root / "crate"
    crate.mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crate"]\n'
        '[workspace.dependencies]\npyo3 = { version = "0.23", features = ["abi3"] }\n'
    )
    _lock(root, ("pyo3", "0.23.1"), ("pyo3-ffi", "0.23.1"))
    _lock(crate, ("pyo3", "0.29.0"))  # not the workspace's lock: not read
    cargo = '[dependencies]\npyo3 = { workspace = true, features = ["macros"] }\n'
    assert _read(crate, cargo, workspace=root / "Cargo.toml") == Pyo3Crate(
        "pyo3", frozenset({"abi3", "macros"}), {}, "0.23.1", V23
    )
    # Without the workspace manifest only the crate's own features count.
    assert _read(crate, cargo).declared_features == frozenset({"macros"})


def test_workspace_dependency_as_a_string_or_missing(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    crate = root / "crate"
    crate.mkdir(parents=True)
    (root / "Cargo.toml").write_text('[workspace]\n[workspace.dependencies]\npyo3 = "0.23"\n')
    cargo = "[dependencies]\npyo3 = { workspace = true }\n"
    assert _read(crate, cargo, workspace=root / "Cargo.toml").declared_features == frozenset()
    (root / "Cargo.toml").write_text('[workspace]\n[workspace.dependencies]\nserde = "1"\n')
    assert _read(crate, cargo, workspace=root / "Cargo.toml").declared_features == frozenset()


def _registry(home: Path, version: str, metadata: str) -> Path:
    crate = home / "registry" / "src" / "index.crates.io-x" / f"pyo3-ffi-{version}"
    crate.mkdir(parents=True)
    manifest = crate / "Cargo.toml"
    manifest.write_text(f'[package]\nname = "pyo3-ffi"\nversion = "{version}"\n{metadata}')
    return manifest


def test_range_from_the_unpacked_crate(tmp_path: Path) -> None:
    home = tmp_path / "cargo-home"
    manifest = _registry(
        home,
        "0.29.3",
        '[package.metadata.cpython]\nmin-version = "3.9"\nmax-version = "3.16.0"\n'
        '[package.metadata.pypy]\nmin-version = "3.11"\n',
    )
    _lock(tmp_path, ("pyo3", "0.29.3"), ("pyo3-ffi", "0.29.3"))
    found = _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n', {"CARGO_HOME": str(home)})
    assert found.versions == VersionRange(((3, 9), (3, 16)), None, (3, 14), str(manifest))


def test_range_from_the_unpacked_crate_under_home(tmp_path: Path) -> None:
    manifest = _registry(
        tmp_path / "home" / ".cargo",
        "0.18.0",
        '[package.metadata.pypy]\nmin-version = "3.7"\nmax-version = "3.9"\n',
    )
    _lock(tmp_path, ("pyo3-ffi", "0.18.0"))
    environ = {"HOME": str(tmp_path / "home"), "CARGO_HOME": ""}
    found = _read(tmp_path, '[dependencies]\npyo3-ffi = "0.18"\n', environ)
    assert found.versions == VersionRange(None, ((3, 7), (3, 9)), None, str(manifest))


def test_unpacked_crate_without_ranges_falls_back_to_the_table(tmp_path: Path) -> None:
    home = tmp_path / "cargo-home"
    _registry(home, "0.29.3", '[package.metadata.cpython]\nmin-version = "3.9"\n')
    (home / "registry" / "src" / "a-broken" / "pyo3-ffi-0.29.3").mkdir(parents=True)
    (home / "registry" / "src" / "a-broken" / "pyo3-ffi-0.29.3" / "Cargo.toml").write_text("[x\n")
    _lock(tmp_path, ("pyo3-ffi", "0.29.3"))
    found = _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n', {"CARGO_HOME": str(home)})
    assert found.versions == V29


def test_workspace_manifest_without_dependencies_or_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    crate = root / "crate"
    crate.mkdir(parents=True)
    cargo = '[dependencies]\npyo3 = { workspace = true, features = ["macros"] }\n'
    for text in ('[workspace]\nmembers = ["crate"]\n', '[package]\nname = "root"\n'):
        (root / "Cargo.toml").write_text(text)
        found = _read(crate, cargo, workspace=root / "Cargo.toml")
        assert found.declared_features == frozenset({"macros"})


@pytest.mark.parametrize(
    "text",
    ["[x\n", "[workspace]\n", '[package]\nname = "pyo3-ffi"\n'],
    ids=["broken", "no-package", "no-metadata"],
)
def test_unusable_unpacked_crates_are_skipped(text: str, tmp_path: Path) -> None:
    home = tmp_path / "cargo-home"
    first = home / "registry" / "src" / "a-first" / "pyo3-ffi-0.29.3" / "Cargo.toml"
    first.parent.mkdir(parents=True)
    first.write_text(text)
    manifest = _registry(
        home, "0.29.3", '[package.metadata.cpython]\nmin-version = "3.9"\nmax-version = "3.16"\n'
    )
    _lock(tmp_path, ("pyo3-ffi", "0.29.3"))
    found = _read(tmp_path, '[dependencies]\npyo3 = "0.29"\n', {"CARGO_HOME": str(home)})
    assert found.versions == VersionRange(((3, 9), (3, 16)), None, (3, 14), str(manifest))
