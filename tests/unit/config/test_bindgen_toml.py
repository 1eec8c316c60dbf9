"""uniffi.toml and cbindgen.toml beside the crate, read in-process (no cargo).

Each answer is pinned whole: the path (or None), the cdylib name, the table, and a
broken file's one problem (file, dotted key, message).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config.bindgen_toml import (
    CbindgenToml,
    UniffiToml,
    read_cbindgen_toml,
    read_uniffi_toml,
)
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError


def _uniffi_problem(crate: Path) -> tuple[Path, str, str]:
    with pytest.raises(ConfigError) as caught:
        read_uniffi_toml(crate, TomlFiles())
    (problem,) = caught.value.problems
    return problem.file, problem.key, problem.message


def test_no_uniffi_toml(tmp_path: Path) -> None:
    assert read_uniffi_toml(tmp_path, TomlFiles()) == UniffiToml(None, None)


def test_a_uniffi_toml_directory_is_no_file(tmp_path: Path) -> None:
    (tmp_path / "uniffi.toml").mkdir()
    assert read_uniffi_toml(tmp_path, TomlFiles()) == UniffiToml(None, None)


def test_uniffi_cdylib_name(tmp_path: Path) -> None:
    path = tmp_path / "uniffi.toml"
    path.write_text('[bindings.python]\ncdylib_name = "native"\n')
    assert read_uniffi_toml(tmp_path, TomlFiles()) == UniffiToml(path, "native")


@pytest.mark.parametrize(
    "text",
    ["", "[bindings]\nkotlin = {}\n", "[bindings.python]\ncdylib_name = 3\n", "[other]\n"],
    ids=["empty", "no-python", "not-a-string", "other-table"],
)
def test_uniffi_without_a_cdylib_name(text: str, tmp_path: Path) -> None:
    path = tmp_path / "uniffi.toml"
    path.write_text(text)
    assert read_uniffi_toml(tmp_path, TomlFiles()) == UniffiToml(path, None)


@pytest.mark.parametrize(
    "text", ['bindings = "x"\n', "[bindings]\npython = 1\n"], ids=["bindings", "python"]
)
def test_uniffi_bindings_python_not_a_table(text: str, tmp_path: Path) -> None:
    path = tmp_path / "uniffi.toml"
    path.write_text(text)
    assert _uniffi_problem(tmp_path) == (path, "bindings.python", "must be a table")


def test_uniffi_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "uniffi.toml"
    path.write_text("[bindings.python\n")
    file, key, message = _uniffi_problem(tmp_path)
    assert (file, key) == (path, "")
    assert message.startswith("line 1, column ")


def test_no_cbindgen_toml(tmp_path: Path) -> None:
    files = TomlFiles()
    found = read_cbindgen_toml(tmp_path, files)
    assert found == CbindgenToml(None, files)
    assert found.table == {}


def test_a_cbindgen_toml_directory_is_no_file(tmp_path: Path) -> None:
    (tmp_path / "cbindgen.toml").mkdir()
    found = read_cbindgen_toml(tmp_path, TomlFiles())
    assert found.path is None
    assert found.table == {}


def test_cbindgen_table_parsed_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "cbindgen.toml"
    path.write_text('language = "C"\n[export]\ninclude = ["Point"]\n')
    files = TomlFiles()
    found = read_cbindgen_toml(tmp_path, files)
    assert found == CbindgenToml(path, files)
    path.write_text('language = "C++"\n')  # not read yet: the first use reads this
    assert found.table == {"language": "C++"}
    path.write_text("")  # read once, through the build's store
    assert found.table == {"language": "C++"}
