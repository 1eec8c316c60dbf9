"""TOML files that cannot be read or parsed: one problem naming the file, line and column.

The doctests of ferrule.config.toml show the two shapes of tomllib's messages; here
:func:`load_toml` is pinned whole, in-process (mutation testing runs no doctests).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config.toml import load_toml
from ferrule.errors import ConfigError


def _problem(path: Path) -> tuple[Path, str, str]:
    with pytest.raises(ConfigError) as caught:
        load_toml(path)
    (problem,) = caught.value.problems
    return problem.file, problem.key, problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = 1\nb = = 2\n", "line 2, column 5: TOML syntax error: Invalid value"),
        ("a = 1\nb = [", "line 2, column 6: TOML syntax error: Invalid value (at end of file)"),
        (
            "a = 1\nbb = [\n",
            "line 2, column 7: TOML syntax error: Invalid value (at end of file)",
        ),
        ("b = [", "line 1, column 6: TOML syntax error: Invalid value (at end of file)"),
    ],
    ids=["inside", "at-end", "at-end-after-newline", "one-line"],
)
def test_syntax_errors_name_line_and_column(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    assert _problem(path) == (path, "", message)


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "Cargo.toml"
    assert _problem(path) == (path, "", "file not found")


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "Cargo.toml"
    path.mkdir()
    assert _problem(path) == (path, "", "cannot be read: Is a directory")


def test_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('a = 1\n[t]\nb = "c"\n')
    assert load_toml(path) == {"a": 1, "t": {"b": "c"}}


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    assert _problem(path) == (path, "", "not valid UTF-8 (byte 11)")
