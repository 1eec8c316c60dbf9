"""``ferrule cache-keys`` (issue 24 item 3): uv's cache keys for a project, and ``--write``.

The key lists are ferrule's own output for the test crates' layouts; each is also checked
against the files on disk: every Rust, manifest, lock and Python file the build reads is
matched by a key (with the globs resolved as uv resolves them: relative to pyproject.toml,
``**`` recursive), and a crate the extension does not use is not.
tests/integration/test_uv_cache_keys.py shows real ``uv sync`` acting on them.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from ferrule import cli
from ferrule.config import load_settings
from ferrule.errors import ConfigError
from ferrule.uv_cache_keys import cache_key_files, write_cache_keys
from tests.helpers.sdists import CRATES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def _copy(name: str, dest: Path) -> Path:
    shutil.copytree(CRATES / name, dest / name, ignore=shutil.ignore_patterns("target"))
    return dest / name


def _matched(base: Path, keys: list[str]) -> set[Path]:
    found: set[Path] = set()
    for key in keys:
        found |= {Path(os.path.normpath(p)) for p in glob.glob(str(base / key), recursive=True)}
    return found


def _build_inputs(root: Path) -> set[Path]:
    names = {"Cargo.toml", "Cargo.lock", "pyproject.toml"}
    return {
        p
        for p in root.rglob("*")
        if p.is_file() and (p.name in names or p.suffix in (".rs", ".py", ".pyi"))
    }


def test_workspace_with_path_dependency_and_python_source(tmp_path: Path) -> None:
    root = _copy("sdist-workspace", tmp_path)
    keys = cache_key_files(load_settings(root))
    assert keys == [
        "pyproject.toml",
        "crates/python/Cargo.toml",
        "crates/python/src/**/*.rs",
        "crates/python/build.rs",
        "crates/shapes/Cargo.toml",  # ws-shapes, a path dependency through [workspace.dependencies]
        "crates/shapes/src/**/*.rs",
        "crates/shapes/build.rs",
        "Cargo.toml",  # the workspace: inherited fields
        "Cargo.lock",
        "python/sdist_workspace/**/*.py",  # python-source
        "python/sdist_workspace/**/*.pyi",
    ]
    # The bindings use shapes, not the cli member: its edits need no rebuild.
    unused = {p for p in _build_inputs(root) if "cli" in p.relative_to(root).parts}
    assert unused
    assert _matched(root, keys) == _build_inputs(root) - unused - {root / "exercise.py"}


def test_path_dependency_outside_the_project(tmp_path: Path) -> None:
    root = _copy("sdist-outside", tmp_path)
    keys = cache_key_files(load_settings(root / "py"))
    assert keys == [
        "pyproject.toml",
        "Cargo.toml",
        "src/**/*.rs",
        "build.rs",
        "../core/Cargo.toml",
        "../core/src/**/*.rs",
        "../core/build.rs",
        "Cargo.lock",  # py/ is excluded from the workspace: its own lock
        "../Cargo.toml",  # core's workspace (inherited fields)
        "sdist_outside.pyi",  # the pure-Rust module's stub, shipped in the wheel
    ]
    assert _matched(root / "py", keys) == _build_inputs(root) - {
        root / "Cargo.lock",  # core's workspace's lock: cargo reads py/Cargo.lock
        root / "py" / "exercise.py",
    }


def test_cargo_and_rustup_configuration_where_present(tmp_path: Path) -> None:
    root = _copy("sdist-workspace", tmp_path)
    (root / ".cargo").mkdir()
    (root / ".cargo" / "config.toml").write_text("[build]\n")
    (root / "crates" / "python" / "rust-toolchain.toml").write_text("[toolchain]\n")
    keys = cache_key_files(load_settings(root))
    assert keys[keys.index("Cargo.lock") + 1 :][:2] == [
        ".cargo/config.toml",
        "crates/python/rust-toolchain.toml",
    ]


def _main(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(list(argv))
    return code, out.getvalue()


def test_printed_table_is_the_key_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("sdist-workspace", tmp_path)
    monkeypatch.chdir(root)
    code, out = _main("cache-keys")
    assert code == 0
    entries = tomllib.loads(out)["tool"]["uv"]["cache-keys"]
    assert entries == [{"file": key} for key in cache_key_files(load_settings(root))]


PYPROJECT_TAIL = """\

[tool.uv]
# Rebuild when these change (ferrule cache-keys --write)
cache-keys = [
  { file = "old/Cargo.toml" },    # an older ferrule list: replaced
  { file = "old/src/**/*.rs" },
  { git = { commit = true } },    # the user's: kept
  { file = "requirements.txt" },
]
managed = true  # a comment on another key
"""


def test_write_replaces_ferrule_entries_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy("pyo3-pure", tmp_path)
    pyproject = root / "pyproject.toml"
    head = "# the project's own comment\n" + pyproject.read_text()
    pyproject.write_text(head + PYPROJECT_TAIL)
    monkeypatch.chdir(root)
    assert _main("cache-keys", "--write")[0] == 0

    text = pyproject.read_text()
    assert text.startswith(head)  # everything before [tool.uv] as it was
    assert "# Rebuild when these change (ferrule cache-keys --write)" in text
    assert "managed = true  # a comment on another key" in text
    assert "old/" not in text
    data = tomllib.loads(text)
    own = [{"file": key} for key in cache_key_files(load_settings(root))]
    assert own[:3] == [{"file": "pyproject.toml"}, {"file": "Cargo.toml"}, {"file": "src/**/*.rs"}]
    assert data["tool"]["uv"]["cache-keys"] == [
        *own,
        {"git": {"commit": True}},
        {"file": "requirements.txt"},
    ]
    # Again: nothing to change, the file is not rewritten.
    before = pyproject.stat().st_mtime_ns, text
    os.utime(pyproject, ns=(1, 1))
    assert write_cache_keys(load_settings(root)) == data["tool"]["uv"]["cache-keys"]
    assert (pyproject.stat().st_mtime_ns, pyproject.read_text()) == (1, before[1])


def test_write_adds_the_table_when_missing(tmp_path: Path) -> None:
    root = _copy("pyo3-pure", tmp_path)
    pyproject = root / "pyproject.toml"
    original = pyproject.read_text()
    write_cache_keys(load_settings(root))
    text = pyproject.read_text()
    assert text.startswith(original)
    own = [{"file": key} for key in cache_key_files(load_settings(root))]
    assert tomllib.loads(text)["tool"]["uv"] == {"cache-keys": own}


def test_a_cache_keys_that_is_no_array_is_refused_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy("pyo3-pure", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.uv]\ncache-keys = "src"\n')
    before = pyproject.read_bytes()
    with pytest.raises(ConfigError, match=r"tool\.uv\.cache-keys"):
        write_cache_keys(load_settings(root))
    monkeypatch.chdir(root)
    assert _main("cache-keys", "--write")[0] == 1
    err = capsys.readouterr().err
    assert "pyproject.toml" in err and "tool.uv.cache-keys" in err and "Traceback" not in err
    assert pyproject.read_bytes() == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []
