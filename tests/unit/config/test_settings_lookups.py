"""The settings' look-ups of other local crates: each crate's answer is its own."""

from __future__ import annotations

from pathlib import Path

from ferrule.config import load_settings

PYPROJECT = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'


def _crate(directory: Path, name: str, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.1.0"\n[lib]\ncrate-type = ["cdylib"]\n{extra}'
    )
    return directory / "Cargo.toml"


def test_cargo_package_and_workspace_dir_per_manifest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    _crate(tmp_path, "main")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "Cargo.toml").write_text('[workspace]\nmembers = ["b"]\n')
    a = _crate(tmp_path / "a", "a")
    b = _crate(ws / "b", "b")
    settings = load_settings(tmp_path, report=False)
    assert [settings.cargo_package(m).name for m in (a, b, a)] == ["a", "b", "a"]
    assert [settings.workspace_dir_of(m) for m in (a, b)] == [a.parent.resolve(), ws.resolve()]


def test_workspace_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    _crate(tmp_path, "main")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "Cargo.toml").write_text('[workspace]\nmembers = ["b"]\n')
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "Cargo.toml").write_text("workspace = 1\n")
    settings = load_settings(tmp_path, report=False)
    assert settings.workspace_table(tmp_path / "ws") == {"members": ["b"]}
    assert settings.workspace_table(tmp_path / "odd") == {}
    assert settings.workspace_table(tmp_path) == {}


def test_key_fields_carry_the_key_kind_and_choices() -> None:
    # ToolConfig's fields are made at import time; called here the maker runs in a test.
    from dataclasses import MISSING

    from ferrule.config.model import _key

    plain = _key("module-name", kind="str")
    assert (plain.default, plain.default_factory) == (None, MISSING)
    assert dict(plain.metadata) == {"key": "module-name", "kind": "str", "choices": ()}
    chosen = _key("auditwheel", kind="choice", default="repair", choices=("repair", "skip"))
    assert chosen.default == "repair"
    assert dict(chosen.metadata) == {
        "key": "auditwheel",
        "kind": "choice",
        "choices": ("repair", "skip"),
    }
    made = _key("target", kind="table", default_factory=dict)
    assert (made.default, made.default_factory) == (MISSING, dict)
    assert dict(made.metadata) == {"key": "target", "kind": "table", "choices": ()}
