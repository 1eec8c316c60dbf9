"""``ferrule.sdist.tomldoc``: edits that keep the rest of a TOML file as it was.

The corpus is real: the manifests of the crates the test crates depend on
(the originals, ``Cargo.toml.orig``, comments and all, and cargo's normalised
copies), fetched into cargo's registry by ``cargo fetch`` (the suite compiles
them anyway), the pyproject.toml files installed on this machine, and the test
crates. On each file, seeded random edits (replace, add, remove, at every
depth, in every form the file uses) must give exactly the data the edit means
(checked here again with tomllib), and keep every comment that is not inside
what was edited.

How many edits each file gets follows the property tests' profile
(``FERRULE_HYPOTHESIS_PROFILE``, tests/unit/config/conftest.py): by default every file
of the corpus gets every kind of edit once (a value replaced and removed, a scalar
replaced and removed, keys and a table added to one of its tables and to the root);
``scripts/test.sh --deep`` draws six values, four scalars and four tables per file.
"""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferrule.sdist.tomldoc import TomlDocument, TomlEditError
from tests.conftest import CRATES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

Path_ = tuple[Any, ...]

# The pinned corpus: every registry package in these crates' Cargo.lock files (pyo3's and
# uniffi's trees, and tests/crates/toml-corpus, which pins manifests that broke an earlier
# editor), fetched by scripts/setup.sh. Never whatever else the machine's registry holds.
_LOCKED = ("pyo3-pure", "bind-uniffi", "toml-corpus")

#: Per file: values replaced then removed, scalars replaced then removed, tables added to.
_EDITS = (6, 4, 4) if os.environ.get("FERRULE_HYPOTHESIS_PROFILE") == "deep" else (1, 1, 1)


def _registry_sources() -> Path:
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    return home / "registry" / "src"


def _locked_packages() -> list[tuple[str, str]]:
    out = []
    for crate in _LOCKED:
        lock = tomllib.loads((CRATES / crate / "Cargo.lock").read_text(encoding="utf-8"))
        out += [
            (p["name"], p["version"])
            for p in lock["package"]
            if p.get("source", "").startswith("registry+")
        ]
    return sorted(set(out))


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    for crate in _LOCKED:
        # Offline: scripts/setup.sh fetched them; a missing one is a failure, not a download.
        subprocess.run(
            ["cargo", "fetch", "--locked", "--offline"],
            cwd=CRATES / crate,
            check=True,
            capture_output=True,
        )
    files: list[Path] = []
    for name, version in _locked_packages():
        (unpacked,) = _registry_sources().glob(f"*/{name}-{version}")
        files += [unpacked / "Cargo.toml.orig", unpacked / "Cargo.toml"]
    files += sorted(CRATES.rglob("Cargo.toml"))
    files += sorted(CRATES.rglob("pyproject.toml"))
    seen: set[int] = set()
    out = []
    for path in files:
        if "target" in path.parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)  # every file of the corpus is valid TOML
        digest = zlib.crc32(text.encode())
        if digest not in seen:
            seen.add(digest)
            out.append(path)
    return out


def _paths(data: Any, prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every (path, value) in ``data``, tables and arrays of tables included."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key), value
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, value in enumerate(data):
            yield (*prefix, i), value
            yield from _paths(value, (*prefix, i))


def _comments(text: str) -> list[str]:
    """Whole-line comments; a line inside a multi-line string is not one."""
    found = []
    inside: str | None = None  # the delimiter of the multi-line string we are in
    for line in text.splitlines():
        if inside is None and line.strip().startswith("#"):
            found.append(line.strip())
            continue
        i = 0
        while i < len(line):
            if inside is not None:
                if line[i] == "\\" and inside == '"""':
                    i += 2
                    continue
                if line.startswith(inside, i):
                    i, inside = i + 3, None
                    continue
                i += 1
            elif line.startswith(('"""', "'''"), i):
                inside, i = line[i : i + 3], i + 3
            elif line[i] in "\"'":
                quote, i = line[i], i + 1
                while i < len(line) and line[i] != quote:
                    i += 2 if quote == '"' and line[i] == "\\" else 1
                i += 1
            elif line[i] == "#":
                break
            else:
                i += 1
    return found


def test_comment_lines_inside_multiline_strings_are_not_comments() -> None:
    text = (
        '# a\nx = """\n# not a comment\n"""\n  # b\ny = \'"""\'  # c\nz = \'\'\'\n# no\n\'\'\'\n# d'
    )
    assert _comments(text) == ["# a", "# b", "# d"]


def _expect_set(data: Any, path: Path_, value: Any) -> Any:
    new = copy.deepcopy(data)
    parent = new
    for part in path[:-1]:
        parent = parent.setdefault(part, {}) if isinstance(parent, dict) else parent[part]
    parent[path[-1]] = value
    return new


@pytest.mark.slow  # cargo fetch (offline) and a few hundred files
def test_corpus_is_pinned_and_real(corpus: list[Path]) -> None:
    registry = [p for p in corpus if _registry_sources() in p.parents]
    originals = {p.parent.name for p in registry if p.name == "Cargo.toml.orig"}
    # Exactly the locked packages (each with both manifests), nothing else of the registry.
    assert originals == {f"{n}-{v}" for n, v in _locked_packages()}
    assert {"predicates-core-1.0.10", "proc-exit-2.0.2"} <= originals
    assert len(originals) >= 100, len(originals)


@pytest.mark.slow
def test_random_edits_mean_what_they_say(corpus: list[Path]) -> None:
    failures = []
    for path in corpus:
        try:
            _random_edits(path)
        except (AssertionError, TomlEditError) as exc:
            failures.append(f"{path}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, f"{len(failures)} of {len(corpus)} files:\n" + "\n".join(failures[:20])


def _random_edits(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    comments = _comments(text)
    rng = random.Random(zlib.crc32(text.encode()))
    entries = list(_paths(data))
    if not entries:
        return
    leaves = [(p, v) for p, v in entries if not isinstance(v, (dict, list))]
    tables = [p for p, v in entries if isinstance(v, dict)]
    n_values, n_scalars, n_tables = _EDITS
    picks = rng.sample(entries, min(n_values, len(entries)))
    for where, _old in picks + rng.sample(leaves, min(n_scalars, len(leaves))):
        # Replace a value: with a string needing escapes, or a small table.
        new_value: Any = rng.choice(['new "value"\\\n\t', {"path": "../x", "features": ["a"]}, 7])
        if isinstance(where[-1], int):
            new_value = {"name": "replaced"}
        doc = TomlDocument(text)
        doc.set(where, new_value)
        out = doc.as_string()
        assert tomllib.loads(out) == _expect_set(data, where, new_value), where
        if not isinstance(_old, (dict, list)):
            # A scalar replaced: every comment stays.
            assert _comments(out) == comments, where

        # Remove it (tables left empty above it may vanish with it).
        doc = TomlDocument(text)
        doc.delete(where)
        got = tomllib.loads(doc.as_string())
        assert got == doc.data
        expected = copy.deepcopy(data)
        parent = expected
        for part in where[:-1]:
            parent = parent[part]
        del parent[where[-1]]
        if got != expected:  # only emptied tables may differ
            assert _pruned(expected) == _pruned(got), where

    for table in [*rng.sample(tables, min(n_tables, len(tables))), ()]:
        # Add a key beside its siblings, and a new table below an existing one.
        for key in ("ferrule-new", "needs quoting"):
            doc = TomlDocument(text)
            doc.set((*table, key), [1, 2])
            out = doc.as_string()
            assert tomllib.loads(out) == _expect_set(data, (*table, key), [1, 2])
            assert _comments(out) == comments
        doc = TomlDocument(text)
        doc.set((*table, "new-table", "deep"), {"a": True})
        assert tomllib.loads(doc.as_string()) == _expect_set(
            data, (*table, "new-table", "deep"), {"a": True}
        )


def _pruned(data: Any) -> Any:
    if isinstance(data, dict):
        out = {k: _pruned(v) for k, v in data.items()}
        return {k: v for k, v in out.items() if v not in ({}, [])}
    return data


def test_unchanged_parts_keep_their_bytes() -> None:
    text = (
        "# top comment\r\n"
        '[package]\r\nname = "x"   # aligned comment\r\n'
        "version.workspace = true\r\n"
        "keywords = [\r\n  'a',  # first\r\n  'b',\r\n]\r\n\r\n"
        "[dependencies.serde]\r\nworkspace = true\r\nfeatures = ['derive']\r\n"
        # The manifest that broke the old hand-written editor (predicates-core 1.0.10):
        # a table header inside a multi-line string.
        "\r\n[[package.metadata.release.pre-release-replacements]]\r\n"
        'search = """\r\n## [Unreleased] - ReleaseDate\r\n[x]\r\n"""\r\n'
    )
    doc = TomlDocument(text)
    doc.set(("package", "version"), "1.0")
    doc.set(("dependencies", "serde"), {"version": "1", "features": ["derive"]})
    doc.set(("package", "edition"), "2021")
    out = doc.as_string()
    assert tomllib.loads(out) == _expect_set(
        _expect_set(
            _expect_set(tomllib.loads(text), ("package", "version"), "1.0"),
            ("dependencies", "serde"),
            {"version": "1", "features": ["derive"]},
        ),
        ("package", "edition"),
        "2021",
    )
    # Every line no edit touched is still there, byte for byte and in order, and every
    # line ends as the file's lines do.
    edited = ("version.workspace", "workspace =", "features =")
    untouched = [line for line in text.split("\r\n") if line and not line.startswith(edited)]
    assert [line for line in out.split("\r\n") if line in untouched] == untouched
    assert "\n" not in out.replace("\r\n", "")


def test_arrays_of_tables_and_inline_arrays() -> None:
    text = (
        '[[bin]]\nname = "a"\n[bin.metadata]\nx = 1\n\n[[bin]]\nname = "b"\n\n'
        '[[bin]]\nname = "c"\n'
        'example = [{ name = "e1" }, { name = "e2" }]\n'
    )
    text = text.replace('example = [{ name = "e1" }, { name = "e2" }]\n', "")
    doc = TomlDocument('example = [{ name = "e1" }, { name = "e2" }]\n' + text)
    doc.remove_array_entries("bin", lambda e: e["name"] in ("a", "c"))
    doc.remove_array_entries("example", lambda e: e["name"] == "e1")
    assert tomllib.loads(doc.as_string()) == {"bin": [{"name": "b"}], "example": [{"name": "e2"}]}
    assert "[bin.metadata]" not in doc.as_string()
    doc.remove_array_entries("bin", lambda e: True)
    assert "bin" not in tomllib.loads(doc.as_string())


def test_values_are_written_as_toml() -> None:
    import datetime

    odd = {
        "s": 'quote " backslash \\ newline \n del \x7f é',
        "f": 1.5e300,
        "neg": -3,
        "when": datetime.date(2024, 1, 2),
        "nested": {"a b": [1, [2, 3]], "": {}},
    }
    doc = TomlDocument("")
    doc.set(("t", "v"), odd)
    assert tomllib.loads(doc.as_string()) == {"t": {"v": odd}}
    doc.set(("t", "inf"), float("-inf"))
    assert tomllib.loads(doc.as_string())["t"]["inf"] == float("-inf")


def test_an_impossible_edit_names_the_file_and_key(tmp_path: Path) -> None:
    doc = TomlDocument("a = 1\n", tmp_path / "Cargo.toml")
    with pytest.raises(TomlEditError, match=r"Cargo\.toml.*a\.b"):
        doc.set(("a", "b"), 2)  # a is an integer: nothing can be put below it


def test_an_unedited_document_is_its_text_without_tomlkit() -> None:
    """Most manifests go into an sdist unchanged: tomlkit is imported (and parses)
    only for an edit, and an unedited document gives back its text (line ends of a
    CRLF file evened out, as after an edit)."""
    code = (
        "import sys; from ferrule.sdist.tomldoc import TomlDocument; "
        "doc = TomlDocument('a = 1 # x\\r\\n[t]\\nb = [1,2]\\r\\n'); "
        "print(repr(doc.as_string()), doc['t']['b'], 'tomlkit' in sys.modules); "
        "doc.set(('c',), 3); print('tomlkit' in sys.modules, repr(doc.as_string()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "'a = 1 # x\\r\\n[t]\\r\\nb = [1,2]\\r\\n' [1, 2] False"
    assert out[1] == "True 'a = 1 # x\\r\\nc = 3\\r\\n\\r\\n[t]\\r\\nb = [1,2]\\r\\n'"
