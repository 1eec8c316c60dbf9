"""``[tool.ferrule]`` / ``[tool.maturin]`` validation: each answer, warning and problem whole.

``parse_tool_table`` is called directly (no files): the value it makes, and each problem
and warning with its file, dotted key and exact message.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet

from ferrule.config.model import ExtraExtension, FeatureSpec, IncludeSpec, TargetFilter, ToolConfig
from ferrule.config.tool import KNOWN_KEYS, parse_tool_table, suggest
from ferrule.errors import ConfigProblem

FILE = Path("/project/pyproject.toml")
BINDINGS = "'pyo3', 'pyo3-ffi', 'cffi', 'uniffi', 'bin'"


def _parse(
    table: dict[str, Any], prefix: str = "tool.ferrule"
) -> tuple[ToolConfig, list[tuple[str, str]], list[tuple[str, str]]]:
    tool, problems, warnings = parse_tool_table(table, prefix, FILE)
    for problem in (*problems, *warnings):
        assert isinstance(problem, ConfigProblem)
        assert problem.file == FILE
    return (
        tool,
        [(p.key, p.message) for p in problems],
        [(w.key, w.message) for w in warnings],
    )


def _problem(key: str, value: Any) -> tuple[str, str]:
    """The one problem of a table with one key; no warning, the model keeps its default."""
    tool, problems, warnings = _parse({key: value})
    assert warnings == []
    assert tool == ToolConfig()
    (problem,) = problems
    return problem


def _value(key: str, value: Any, prefix: str = "tool.ferrule") -> ToolConfig:
    """The model of a valid table with one key: no problem, no warning."""
    tool, problems, warnings = _parse({key: value}, prefix)
    assert (problems, warnings) == ([], [])
    return tool


def test_known_keys_are_the_model_keys_in_order() -> None:
    assert KNOWN_KEYS[:4] == ("module-name", "python-source", "python-packages", "data")
    assert KNOWN_KEYS[-1] == "allow-missing-license-files"
    assert len(KNOWN_KEYS) == len(set(KNOWN_KEYS)) == 37


def test_an_empty_table_is_the_default_model() -> None:
    assert _parse({}) == (ToolConfig(), [], [])


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("module-name", 1, "must be a string, not an integer"),
        ("python-source", True, "must be a string, not a boolean"),
        ("data", 1.5, "must be a string, not a float"),
        ("profile", ["a"], "must be a string, not an array"),
        ("module-name", {"a": 1}, "must be a string, not a table"),
        ("pgo-command", datetime.date(2020, 1, 2), "must be a string, not date"),
        ("strip", "yes", "must be true or false, not a string"),
        ("locked", 1, "must be true or false, not an integer"),
        ("python-packages", "pkg", "must be an array of strings, not a string"),
        ("rustc-args", {}, "must be an array of strings, not a table"),
        ("compatibility", 3, "must be an array of strings, not an integer"),
        ("target", 1, "must be a table, not an integer"),
        ("sbom", [], "must be a table, not an array"),
    ],
)
def test_a_wrong_type_is_named(key: str, value: Any, message: str) -> None:
    assert _problem(key, value) == (f"tool.ferrule.{key}", message)


@pytest.mark.parametrize(
    ("value", "key"),
    [([1, "a"], "[0]"), (["a", "b", False], "[2]")],
)
def test_a_wrong_item_of_an_array_of_strings_is_named_by_index(value: list[Any], key: str) -> None:
    item = "an integer" if value[0] == 1 else "a boolean"
    assert _problem("config", value) == (
        f"tool.ferrule.config{key}",
        f"must be a string, not {item}",
    )


def test_valid_plain_values() -> None:
    table = {
        "module-name": "pkg._native",
        "strip": True,
        "skip-auditwheel": False,
        "python-packages": ["a", "b"],
        "compatibility": "manylinux_2_17",
        "target": {"x86_64-apple-darwin": {"macos-deployment-target": "11.0"}},
    }
    tool, problems, warnings = _parse(table)
    assert (problems, warnings) == ([], [])
    assert tool == ToolConfig(
        module_name="pkg._native",
        strip=True,
        python_packages=("a", "b"),
        compatibility=("manylinux_2_17",),
        target={"x86_64-apple-darwin": {"macos-deployment-target": "11.0"}},
    )
    assert _value("compatibility", ["linux", "x"]).compatibility == ("linux", "x")
    assert _value("rustc-args", []).rustc_args == ()


def test_manylinux_is_an_alias_of_compatibility() -> None:
    assert _value("manylinux", "off").compatibility == ("off",)
    assert _parse({"manylinux": 1}, "tool.maturin")[1] == [
        ("tool.maturin.manylinux", "must be an array of strings, not an integer")
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bindings", "pyo4", f"'pyo4' is not one of {BINDINGS} (did you mean 'pyo3'?)"),
        ("bindings", "zzz", f"'zzz' is not one of {BINDINGS}"),
        ("bindings", 3, f"3 is not one of {BINDINGS}"),
        ("bindings", ["pyo3"], f"['pyo3'] is not one of {BINDINGS}"),
        (
            "auditwheel",
            "repairs",
            "'repairs' is not one of 'repair', 'check', 'warn', 'skip' (did you mean 'repair'?)",
        ),
        ("sdist-generator", "svn", "'svn' is not one of 'cargo', 'git'"),
    ],
)
def test_a_choice_outside_its_list(key: str, value: Any, message: str) -> None:
    assert _problem(key, value) == (f"tool.ferrule.{key}", message)


def test_a_choice_in_its_list() -> None:
    assert _value("bindings", "cffi").bindings == "cffi"
    assert _value("sdist-generator", "git").sdist_generator == "git"
    assert ToolConfig().sdist_generator == "cargo"


def test_suggest() -> None:
    assert suggest("python-sources", ["python-source", "data"]) == (
        " (did you mean 'python-source'?)"
    )
    assert suggest("zzz", ("python-source",)) == ""


def test_unknown_keys_are_ignored_with_a_warning() -> None:
    tool, problems, warnings = _parse({"module-nme": "x", "zzz": 1, "strip": True})
    assert tool == ToolConfig(strip=True)
    assert problems == []
    assert warnings == [
        ("tool.ferrule.module-nme", "unknown key; it is ignored; did you mean 'module-name'?"),
        ("tool.ferrule.zzz", "unknown key; it is ignored; remove it"),
    ]


def test_ferrule_keys_in_the_maturin_table_are_ignored_with_a_warning() -> None:
    tool, problems, warnings = _parse(
        {"strict": True, "rebuild-on-import": True, "strip": True}, "tool.maturin"
    )
    assert tool == ToolConfig(strip=True)
    assert problems == []
    message = (
        "is a ferrule key, which maturin ignores here; it is ignored; move it to [tool.ferrule]"
    )
    assert warnings == [
        ("tool.maturin.strict", message),
        ("tool.maturin.rebuild-on-import", message),
    ]
    # In [tool.ferrule] they are read.
    assert _value("strict", True) == ToolConfig(strict=True)
    assert _value("rustc-wrapper", "sccache") == ToolConfig(rustc_wrapper="sccache")
    # And maturin's own keys are read in [tool.maturin].
    assert _value("profile", "fast", "tool.maturin") == ToolConfig(profile="fast")


def test_every_problem_is_collected_with_the_valid_values_kept() -> None:
    tool, problems, warnings = _parse(
        {"module-name": 1, "strip": True, "bindings": "x", "profile": "fast"}, "tool.maturin"
    )
    assert tool == ToolConfig(strip=True, profile="fast")
    assert problems == [
        ("tool.maturin.module-name", "must be a string, not an integer"),
        ("tool.maturin.bindings", f"'x' is not one of {BINDINGS}"),
    ]
    assert warnings == []


# --- features ---------------------------------------------------------------------------------


def test_features() -> None:
    tool = _value(
        "features",
        [
            "a",
            {"feature": "b", "python-version": ">=3.10", "python-implementation": "cpython"},
            {"feature": "c"},
        ],
    )
    assert tool.features == (
        FeatureSpec("a"),
        FeatureSpec("b", SpecifierSet(">=3.10"), "cpython"),
        FeatureSpec("c", None, None),
    )


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        ("a", "", "must be an array, not a string"),
        (["a", 1], "[1]", "must be a string or a table, not an integer"),
        ([{"python-version": ">=3"}], "[0].feature", "must be a string"),
        ([{"feature": 1}], "[0].feature", "must be a string"),
        (
            [{"feature": "a", "python-version": "three"}],
            "[0].python-version",
            "'three' is not a PEP 440 version specifier such as '>=3.10'",
        ),
        (
            ["x", {"feature": "a", "python-version": 3}],
            "[1].python-version",
            "3 is not a PEP 440 version specifier such as '>=3.10'",
        ),
        (
            [{"feature": "a", "python-implementation": 1}],
            "[0].python-implementation",
            "must be a string",
        ),
    ],
)
def test_features_problems(value: Any, key: str, message: str) -> None:
    assert _problem("features", value) == (f"tool.ferrule.features{key}", message)


def test_unknown_keys_of_a_feature_entry_are_ignored_with_a_warning() -> None:
    tool, problems, warnings = _parse(
        {"features": [{"feature": "a", "python-versions": ">=3.9", "zzz": 1}]}, "tool.maturin"
    )
    assert tool.features == (FeatureSpec("a"),)
    assert problems == []
    assert warnings == [
        (
            "tool.maturin.features[0].python-versions",
            "unknown key; it is ignored; did you mean 'python-version'?",
        ),
        ("tool.maturin.features[0].zzz", "unknown key; it is ignored; remove it"),
    ]


def test_notes_before_a_problem_are_still_warnings() -> None:
    tool, problems, warnings = _parse({"features": [{"feature": "a", "zzz": 1}, 2]})
    assert tool == ToolConfig()
    assert problems == [("tool.ferrule.features[1]", "must be a string or a table, not an integer")]
    assert warnings == [("tool.ferrule.features[0].zzz", "unknown key; it is ignored; remove it")]


# --- include / exclude ------------------------------------------------------------------------


def test_include_entries() -> None:
    tool = _value(
        "include",
        [
            "a/*.txt",
            "..data/x",
            "x",
            {"path": "b", "format": "sdist"},
            {"path": "c", "format": ["sdist", "wheel"]},
            {"path": "d"},
            {"path": "e", "from": "out-dir", "to": "pkg/", "crate-name": "dep"},
            {"path": "f", "from": "out-dir", "format": "wheel"},
        ],
    )
    assert tool.include == (
        IncludeSpec("a/*.txt", ("sdist", "wheel"), False, None, None),
        IncludeSpec("..data/x"),
        IncludeSpec("x"),
        IncludeSpec("b", ("sdist",)),
        IncludeSpec("c", ("sdist", "wheel")),
        IncludeSpec("d", ("sdist", "wheel"), False, None, None),
        IncludeSpec("e", ("wheel",), True, "pkg/", "dep"),
        IncludeSpec("f", ("wheel",), True, None, None),
    )


def test_exclude_entries() -> None:
    tool = _value("exclude", ["a", {"path": "b", "format": ["wheel"]}])
    assert tool.exclude == (IncludeSpec("a"), IncludeSpec("b", ("wheel",)))


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        ("a", "", "must be an array, not a string"),
        ([1], "[0]", "must be a glob string or a table, not an integer"),
        (
            ["/abs/*"],
            "[0]",
            "'/abs/*' is an absolute path; patterns are relative to pyproject.toml",
        ),
        (["\\x"], "[0]", "'\\\\x' is an absolute path; patterns are relative to pyproject.toml"),
        (["C:"], "[0]", "'C:' is an absolute path; patterns are relative to pyproject.toml"),
        (
            ["ok", "c:/x"],
            "[1]",
            "'c:/x' is an absolute path; patterns are relative to pyproject.toml",
        ),
        (
            [".."],
            "[0]",
            "'..' reaches outside the project ('..'); patterns are relative to pyproject.toml",
        ),
        (
            ["a\\..\\b"],
            "[0]",
            "'a\\\\..\\\\b' reaches outside the project ('..'); patterns are relative to "
            "pyproject.toml",
        ),
        (
            [{"path": "a/../../b"}],
            "[0].path",
            "'a/../../b' reaches outside the project ('..'); patterns are relative to "
            "pyproject.toml",
        ),
        (
            [{"path": "/b"}],
            "[0].path",
            "'/b' is an absolute path; patterns are relative to pyproject.toml",
        ),
        ([{"format": "sdist"}], "[0].path", "is required and must be a string"),
        ([{"path": 1}], "[0].path", "is required and must be a string"),
        (
            [{"path": "a", "format": []}],
            "[0].format",
            "must be 'sdist', 'wheel' or an array of them",
        ),
        (
            [{"path": "a", "format": 1}],
            "[0].format",
            "must be 'sdist', 'wheel' or an array of them",
        ),
        ([{"path": "a", "format": "egg"}], "[0].format", "'egg' is not one of 'sdist', 'wheel'"),
        (
            [{"path": "a", "format": ["sdist", "egg"]}],
            "[0].format",
            "'egg' is not one of 'sdist', 'wheel'",
        ),
        ([{"path": "a", "from": "src"}], "[0].from", "'src' is not supported (only 'out-dir')"),
        ([{"path": "a", "to": 1}], "[0].to", "must be a string"),
        ([{"path": "a", "crate-name": 1}], "[0].crate-name", "must be a string"),
        (
            [{"path": "a", "from": "out-dir", "format": "sdist"}],
            "[0]",
            "'from = \"out-dir\"' entries go into wheels only",
        ),
        (
            [{"path": "a", "from": "out-dir", "format": ["wheel", "sdist"]}],
            "[0]",
            "'from = \"out-dir\"' entries go into wheels only",
        ),
    ],
)
def test_include_problems(value: Any, key: str, message: str) -> None:
    assert _problem("include", value) == (f"tool.ferrule.include{key}", message)


def test_exclude_problems_and_its_keys() -> None:
    assert _problem("exclude", [{"path": "/x"}]) == (
        "tool.ferrule.exclude[0].path",
        "'/x' is an absolute path; patterns are relative to pyproject.toml",
    )
    tool, problems, warnings = _parse(
        {"exclude": [{"path": "a", "format": "sdist", "crate-name": "x", "pth": "b"}]}
    )
    assert tool.exclude == (IncludeSpec("a", ("sdist",)),)
    assert problems == []
    assert warnings == [
        ("tool.ferrule.exclude[0].crate-name", "unknown key; it is ignored; remove it"),
        ("tool.ferrule.exclude[0].pth", "unknown key; it is ignored; did you mean 'path'?"),
    ]
    # `from`, `to` and `crate-name` are include keys: in exclude they are ignored as said
    # (the entry excludes from both formats), whatever their values.
    tool, problems, warnings = _parse(
        {"exclude": [{"path": "a", "from": "out-dir", "to": 1}, {"path": "b", "from": "x"}]}
    )
    assert tool.exclude == (IncludeSpec("a"), IncludeSpec("b"))
    assert problems == []
    assert warnings == [
        ("tool.ferrule.exclude[0].from", "unknown key; it is ignored; did you mean 'format'?"),
        ("tool.ferrule.exclude[0].to", "unknown key; it is ignored; remove it"),
        ("tool.ferrule.exclude[1].from", "unknown key; it is ignored; did you mean 'format'?"),
    ]
    _, _, warnings = _parse({"include": [{"path": "a", "pth": "b", "too": "x"}]})
    assert warnings == [
        ("tool.ferrule.include[0].pth", "unknown key; it is ignored; did you mean 'path'?"),
        ("tool.ferrule.include[0].too", "unknown key; it is ignored; did you mean 'to'?"),
    ]


# --- targets and extensions -------------------------------------------------------------------


def test_targets() -> None:
    tool = _value("targets", [{"name": "a"}, {"name": "b", "kind": "cdylib"}])
    assert tool.targets == (TargetFilter("a", None), TargetFilter("b", "cdylib"))
    kinds = ("bin", "cdylib", "dylib", "lib", "rlib", "staticlib")
    tool = _value("targets", [{"name": "t", "kind": k} for k in kinds])
    assert [t.kind for t in tool.targets] == list(kinds)


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        ("a", "", "must be an array of tables, not a string"),
        (["a"], "[0]", "must be a table, not a string"),
        ([{"kind": "bin"}], "[0].name", "is required and must be a string"),
        ([{"name": 1}], "[0].name", "is required and must be a string"),
        (
            [{"name": "a"}, {"name": "b", "kind": "exe"}],
            "[1].kind",
            "must be one of bin, cdylib, dylib, lib, rlib, staticlib",
        ),
    ],
)
def test_targets_problems(value: Any, key: str, message: str) -> None:
    assert _problem("targets", value) == (f"tool.ferrule.targets{key}", message)


def test_unknown_keys_of_a_target_are_ignored_with_a_warning() -> None:
    tool, problems, warnings = _parse(
        {"targets": [{"name": "a", "bindings": "bin", "knd": "bin"}]}, "tool.maturin"
    )
    assert tool.targets == (TargetFilter("a"),)
    assert problems == []
    assert warnings == [
        ("tool.maturin.targets[0].bindings", "unknown key; it is ignored; remove it"),
        ("tool.maturin.targets[0].knd", "unknown key; it is ignored; did you mean 'kind'?"),
    ]


def test_extensions() -> None:
    tool = _value(
        "extensions",
        [
            {"manifest-path": "a/Cargo.toml", "module-name": "pkg.a"},
            {"manifest-path": "b/Cargo.toml", "module-name": "pkg.b", "features": ["x", "y"]},
        ],
    )
    assert tool.extensions == (
        ExtraExtension("a/Cargo.toml", "pkg.a", ()),
        ExtraExtension("b/Cargo.toml", "pkg.b", ("x", "y")),
    )


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        ({}, "", "must be an array of tables, not a table"),
        ([{"module-name": "m"}], "[0].manifest-path", "is required and must be a string"),
        (
            [{"manifest-path": "C", "module-name": 1}],
            "[0].module-name",
            "is required and must be a string",
        ),
        (
            [{"manifest-path": "C", "module-name": "m", "features": "x"}],
            "[0].features",
            "must be an array of strings",
        ),
        (
            [{"manifest-path": "C", "module-name": "m", "features": ["x", 1]}],
            "[0].features",
            "must be an array of strings",
        ),
    ],
)
def test_extensions_problems(value: Any, key: str, message: str) -> None:
    assert _problem("extensions", value) == (f"tool.ferrule.extensions{key}", message)


def test_unknown_keys_of_an_extension_are_ignored_with_a_warning() -> None:
    _, problems, warnings = _parse(
        {"extensions": [{"manifest-path": "C", "module-name": "m", "feature": ["x"]}]}
    )
    assert problems == []
    assert warnings == [
        (
            "tool.ferrule.extensions[0].feature",
            "unknown key; it is ignored; did you mean 'features'?",
        )
    ]


def test_warnings_of_every_kind_are_kept_in_order() -> None:
    tool, problems, warnings = _parse(
        {
            "zzz": 1,
            "targets": [{"name": "a", "x": 1}],
            "strict": True,
            "features": [{"feature": "f", "y": 2}],
        },
        "tool.maturin",
    )
    assert tool == ToolConfig(targets=(TargetFilter("a"),), features=(FeatureSpec("f"),))
    assert problems == []
    assert [key for key, _ in warnings] == [
        "tool.maturin.zzz",
        "tool.maturin.targets[0].x",
        "tool.maturin.strict",
        "tool.maturin.features[0].y",
    ]


def test_the_invalid_exception_says_its_message() -> None:
    from ferrule.config.tool import _Invalid

    invalid = _Invalid("must be a table")
    assert (str(invalid), invalid.message, invalid.subkey) == (
        "must be a table",
        "must be a table",
        "",
    )
