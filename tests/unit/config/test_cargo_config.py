"""``build.rustc-wrapper`` from cargo's configuration files (ferrule.config.cargo_config).

cargo's rule (doc.rust-lang.org/cargo/reference/config.html): ``.cargo/config.toml``
(or ``.cargo/config``) of the directory it runs in and each parent, nearest first,
then ``$CARGO_HOME/config.toml``. ferrule only reads the wrapper, to build through
the stable root when a compile cache is in use; cargo applies it itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ferrule.build.cargo_invocation import cargo_recipe, rustc_wrapper
from ferrule.build.context import _stable_root
from ferrule.cargo.remap import PathRemap
from ferrule.config import CliOptions, load_settings
from ferrule.config.cargo_config import cargo_config_files, configured_rustc_wrapper
from ferrule.config.toml import TomlFiles

CRATES = Path(__file__).resolve().parents[2] / "crates"


def _config(directory: Path, text: str, name: str = "config.toml") -> Path:
    (directory / ".cargo").mkdir(parents=True, exist_ok=True)
    path = directory / ".cargo" / name
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """outer/project, with an empty CARGO_HOME outside both."""
    project = tmp_path / "outer" / "project"
    project.mkdir(parents=True)
    home = tmp_path / "cargo-home"
    home.mkdir()
    return project, {"CARGO_HOME": str(home), "HOME": str(tmp_path / "nohome")}


def test_nearest_file_wins_then_parents_then_cargo_home(
    tree: tuple[Path, dict[str, str]],
) -> None:
    project, env = tree
    home = Path(env["CARGO_HOME"])
    (home / "config.toml").write_text('[build]\nrustc-wrapper = "from-home"\n')
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "from-home"
    _config(project.parent, '[build]\nrustc-wrapper = "from-parent"\n')
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "from-parent"
    _config(project, "[build]\njobs = 2\n")  # nearer, but without a wrapper
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "from-parent"
    _config(project, '[build]\nrustc-wrapper = "sccache"\n')
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "sccache"
    assert list(cargo_config_files(project, env)) == [
        project / ".cargo" / "config.toml",
        project.parent / ".cargo" / "config.toml",
        home / "config.toml",
    ]


def test_legacy_name_only_without_config_toml(tree: tuple[Path, dict[str, str]]) -> None:
    project, env = tree
    _config(project, '[build]\nrustc-wrapper = "legacy"\n', name="config")
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "legacy"
    _config(project, '[build]\nrustc-wrapper = "new"\n')
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "new"
    assert [p.name for p in cargo_config_files(project, env)] == ["config.toml"]


def test_home_default_and_unreadable_files(tree: tuple[Path, dict[str, str]]) -> None:
    project, env = tree
    home = Path(env["HOME"]) / ".cargo"
    home.mkdir(parents=True)
    (home / "config.toml").write_text('[build]\nrustc-wrapper = "home-default"\n')
    env = {"HOME": env["HOME"]}  # no CARGO_HOME: ~/.cargo
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "home-default"
    _config(project, "[build\n")  # cargo reports a broken file, not ferrule
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "home-default"
    _config(project, '[build]\nrustc-wrapper = ""\n', name="config.toml")
    assert configured_rustc_wrapper(project, env, TomlFiles()) == "home-default"


def test_a_wrapper_in_cargo_config_builds_through_the_stable_root(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(CRATES / "pyo3-pure", project)
    env = {"CARGO_HOME": str(tmp_path / "home"), "HOME": str(tmp_path), "PATH": "/usr/bin"}
    release = CliOptions(release=True)
    plain = load_settings(project, release, env, report=False)
    assert rustc_wrapper(plain) is None
    assert _stable_root(plain, "pyo3_pure") is None
    _config(project, '[build]\nrustc-wrapper = "sccache"\n')
    configured = load_settings(project, release, env, report=False)
    assert rustc_wrapper(configured) == "sccache"
    stable = _stable_root(configured, "pyo3_pure")
    assert stable is not None and stable.real == project.resolve()
    # cargo applies its own configuration: ferrule does not put it into the environment.
    recipe = cargo_recipe(configured, project / "Cargo.toml", PathRemap(), tmp_path / "work")
    assert "RUSTC_WRAPPER" not in recipe.env
    # The environment wins over cargo's configuration, as in cargo.
    environ = load_settings(project, release, {**env, "RUSTC_WRAPPER": "other"}, report=False)
    assert rustc_wrapper(environ) == "other"
