"""cargo's configuration files found for a run, and the wrapper read from them (no cargo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config.cargo_config import cargo_config_files, configured_rustc_wrapper
from ferrule.config.toml import TomlFiles


def _config(directory: Path, text: str = "", name: str = "config.toml") -> Path:
    (directory / ".cargo").mkdir(parents=True, exist_ok=True)
    path = directory / ".cargo" / name
    path.write_text(text)
    return path


def test_home_from_home_when_cargo_home_is_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _config(tmp_path / "home")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert list(cargo_config_files(project, {})) == [home]
    assert list(cargo_config_files(project, {"HOME": str(tmp_path / "home")})) == [home]


def test_the_home_directory_in_the_walk_is_read_last(tmp_path: Path) -> None:
    top = _config(tmp_path / "g")
    home = _config(tmp_path / "g" / "outer", 'build.rustc-wrapper = "home"\n')
    project = tmp_path / "g" / "outer" / "project"
    project.mkdir()
    environ = {"CARGO_HOME": str(tmp_path / "g" / "outer" / ".cargo")}
    assert list(cargo_config_files(project, environ)) == [top, home]


def test_home_config_without_toml_suffix(tmp_path: Path) -> None:
    home = _config(tmp_path, name="config")
    project = tmp_path / "project"
    project.mkdir()
    environ = {"CARGO_HOME": str(tmp_path / ".cargo")}
    assert list(cargo_config_files(project, environ)) == [home]


def test_a_home_file_linked_from_the_project_is_read_once(tmp_path: Path) -> None:
    home = _config(tmp_path / "home")
    project = tmp_path / "project"
    (project / ".cargo").mkdir(parents=True)
    (project / ".cargo" / "config.toml").symlink_to(home)
    environ = {"CARGO_HOME": str(tmp_path / "home" / ".cargo")}
    assert list(cargo_config_files(project, environ)) == [project / ".cargo" / "config.toml"]


def test_a_build_key_that_is_not_a_table_is_passed_over(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _config(project, "build = 1\n")
    _config(tmp_path, 'build.rustc-wrapper = "sccache"\n')
    environ = {"CARGO_HOME": str(tmp_path / "no-home")}
    assert configured_rustc_wrapper(project, environ, TomlFiles()) == "sccache"
