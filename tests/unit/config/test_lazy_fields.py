"""The settings' store of parsed TOML files and the fields read through it on first use.

:class:`~ferrule.config.toml.TomlFiles` parses a file once (its error too);
``Settings.pyo3``, ``path_dependencies``, ``workspace_dir``, ``uniffi`` read only when
asked, so the metadata hook reads what it read before; copies made with
``dataclasses.replace`` share the store. tests/integration/test_read_once.py counts
the reads of whole builds.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferrule.config import load_settings
from ferrule.config import toml as config_toml
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError

PYPROJECT = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'


def _crate(directory: Path, name: str, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'
        f'[lib]\ncrate-type = ["cdylib"]\n{extra}'
    )
    return directory / "Cargo.toml"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often each file (by name relative to its test directory) is parsed."""
    counts: Counter[str] = Counter()
    load = config_toml.load_toml

    def counted(path: Path) -> dict[str, Any]:
        counts[path.resolve().as_posix()] += 1
        return load(path)

    monkeypatch.setattr(config_toml, "load_toml", counted)
    yield counts


def _names(counts: Counter[str], root: Path) -> dict[str, int]:
    prefix = root.resolve().as_posix() + "/"
    return {k.removeprefix(prefix): n for k, n in counts.items() if k.startswith(prefix)}


def test_store_parses_once_and_keeps_errors(tmp_path: Path, parsed: Counter[str]) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text("a = 1\n")
    bad.write_text("a = = 1\n")
    files = TomlFiles()
    assert files.read(good) == {"a": 1}
    assert files.read(tmp_path / "." / "good.toml") is files.read(good)
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"bad\.toml: line 1, column 5"):
            files.read(bad)
    assert files.read_if_valid(bad) is None
    assert files.read_if_valid(tmp_path / "missing.toml") is None
    assert _names(parsed, tmp_path) == {"good.toml": 1, "bad.toml": 1, "missing.toml": 1}


def test_lazy_fields_are_read_on_first_use_only(tmp_path: Path, parsed: Counter[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    _crate(
        tmp_path,
        "lazy",
        '[dependencies]\npyo3 = { version = "0.29", features = ["abi3-py39"] }\n'
        'core = { path = "core" }\n',
    )
    _crate(tmp_path / "core", "core")
    (tmp_path / "Cargo.lock").write_text(
        'version = 4\n[[package]]\nname = "pyo3"\nversion = "0.29.3"\n'
    )
    (tmp_path / "uniffi.toml").write_text('[bindings.python]\ncdylib_name = "other"\n')
    settings = load_settings(tmp_path, report=False)
    # What the metadata hook needs, and nothing more.
    assert _names(parsed, tmp_path) == {"pyproject.toml": 1, "Cargo.toml": 1}

    assert settings.pyo3.declared_features == {"abi3-py39"}
    assert settings.pyo3.locked_version == "0.29.3"
    assert [c.name for c in settings.path_dependencies] == ["core"]
    assert settings.workspace_dir == tmp_path.resolve()
    assert settings.uniffi.cdylib_name == "other"
    assert settings.uniffi.path == tmp_path.resolve() / "uniffi.toml"
    # Asked again, and through a copy (as the builder's copies for extra extensions): no
    # file is parsed again.
    again = dataclasses.replace(settings, cargo_options=settings.cargo_options)
    assert again.pyo3 == settings.pyo3
    assert again.path_dependencies == settings.path_dependencies
    assert _names(parsed, tmp_path) == {
        "pyproject.toml": 1,
        "Cargo.toml": 1,
        "Cargo.lock": 1,
        "core/Cargo.toml": 1,
        "uniffi.toml": 1,
    }


def test_copy_for_another_crate_reads_that_crate(tmp_path: Path, parsed: Counter[str]) -> None:
    """An extra extension's settings: its own pyo3 facts, from the shared store."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    _crate(tmp_path, "main", '[dependencies]\npyo3 = "0.29"\n')
    ext = _crate(
        tmp_path / "ext",
        "ext",
        '[dependencies]\npyo3 = { version = "0.29", features = ["abi3"] }\n',
    )
    settings = load_settings(tmp_path, report=False)
    other = dataclasses.replace(settings, cargo=settings.cargo_package(ext))
    assert settings.pyo3.declared_features == frozenset()
    assert other.pyo3.declared_features == {"abi3"}
    assert settings.cargo_package(ext) is other.cargo
    assert _names(parsed, tmp_path)["ext/Cargo.toml"] == 1


def test_uniffi_toml_errors_name_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    _crate(tmp_path, "uni")
    (tmp_path / "uniffi.toml").write_text('[bindings]\npython = "yes"\n')
    settings = load_settings(tmp_path, report=False)
    with pytest.raises(ConfigError, match=r"uniffi\.toml: bindings\.python: must be a table"):
        _ = settings.uniffi
    (tmp_path / "uniffi.toml").unlink()
    fresh = load_settings(tmp_path, report=False)
    assert fresh.uniffi.path is None and fresh.uniffi.cdylib_name is None
