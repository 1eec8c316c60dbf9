"""The hooks' build arguments, read without argparse, mean what the CLI's argparse reads.

The oracle is argparse itself, configured from the same rows (``ferrule pep517
build-wheel``'s parser): for any sequence of the hooks' options, :func:`parse`
gives the same values, so maturin's semantics of ``build-args`` (repeated
options accumulate, both spellings, ``--name=value``) hold in the hooks exactly
as on the command line (tests/unit/test_cli_maturin_options.py pins those
against maturin's own ``--help``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ferrule import build_options
from ferrule.build_options import OPTIONS, Option
from ferrule.buildargs import find_build_args, parse
from ferrule.commands._options import add_build_options, add_strip_value_option
from ferrule.config import model
from ferrule.errors import FerruleError


def argparse_parser() -> argparse.ArgumentParser:
    """``ferrule pep517 build-wheel``'s options, as the CLI declares them."""
    parser = argparse.ArgumentParser(prog="ferrule pep517 build-wheel", exit_on_error=False)
    parser.add_argument("-v", "--verbose", action="count", default=0)
    add_build_options(parser)
    add_strip_value_option(parser)
    return parser


_WORD = st.text("abcxyz019_.", min_size=1, max_size=6).filter(lambda w: not w[0].isdigit())


def _values(option: Option) -> st.SearchStrategy[list[str]]:
    one: st.SearchStrategy[str]
    if option.choices is not None:
        one = st.sampled_from(option.choices)
    elif option.type is int:
        one = st.integers(-7, 99).map(str)  # zstd levels go down to -7
    elif option.kind == "optional-bool":
        one = st.sampled_from(("true", "false"))
    else:
        one = _WORD
    if option.kind in ("flag", "count"):
        return st.just([])
    if option.kind == "many":
        return st.lists(one, max_size=2)
    if option.kind == "some":
        return st.lists(one, min_size=1, max_size=2)
    if option.kind == "optional-bool":
        return st.lists(one, max_size=1)
    return st.lists(one, min_size=1, max_size=1)


@st.composite
def _use(draw: st.DrawFn) -> list[str]:
    """One option as a user writes it: any of its names, value attached or not."""
    option = draw(st.sampled_from(OPTIONS))
    name = draw(st.sampled_from(option.names))
    values = draw(_values(option))
    if len(values) == 1 and option.kind != "optional-bool" and draw(st.booleans()):
        return [f"{name}={values[0]}" if name.startswith("--") else f"{name}{values[0]}"]
    return [name, *values]


def _argparse_reading(argv: list[str]) -> dict[str, Any]:
    with contextlib.redirect_stderr(io.StringIO()):
        ns = argparse_parser().parse_args(argv)
    return {o.dest: getattr(ns, o.dest) for o in OPTIONS}


@settings(max_examples=300, deadline=None)
@given(st.lists(_use(), max_size=6).map(lambda uses: [a for use in uses for a in use]))
def test_the_hooks_read_what_argparse_reads(argv: list[str]) -> None:
    assert vars(parse(argv)) == _argparse_reading(argv)


@pytest.mark.parametrize(
    ("argv", "dest", "expected"),
    [
        # maturin's accumulating options, in both spellings and both forms
        ("-i python3 -i pypy3 python3.12", "interpreter", ["python3", "pypy3", "python3.12"]),
        ("--compatibility pypi --manylinux 2_28", "compatibility", ["pypi", "2_28"]),
        ("-F a --features=b -Fc", "features", ["a", "b", "c"]),
        ("--config a=1 --config b=2", "config", ["a=1", "b=2"]),
        ("-Z x -Zy", "unstable_flags", ["x", "y"]),
        # single-valued: the last wins
        ("--profile dev --profile=release", "profile", "release"),
        ("--strip", "strip", True),
        ("--strip false", "strip", False),
        ("-vv -v", "verbose", 3),
    ],
)
def test_maturins_build_args_semantics(argv: str, dest: str, expected: object) -> None:
    assert getattr(parse(argv.split()), dest) == expected
    assert _argparse_reading(argv.split())[dest] == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--zig-zag"], "build-args: unknown option --zig-zag"),
        (["--profile"], "build-args: --profile needs a value"),
        (["--auditwheel", "fix"], "build-args: --auditwheel: invalid value 'fix' (possible"),
        (["-j", "many"], "build-args: -j: invalid value 'many'"),
        (["--strip", "yes"], "build-args: --strip: invalid value 'yes' (possible values: true"),
        (["--zig=1"], "build-args: --zig takes no value"),
        (["release"], "build-args: unexpected argument 'release'"),
    ],
)
def test_bad_build_args_are_one_message_naming_the_option(argv: list[str], message: str) -> None:
    with pytest.raises(FerruleError) as caught:
        parse(argv)
    assert str(caught.value).startswith(message)
    with pytest.raises((argparse.ArgumentError, SystemExit)):
        _argparse_reading(argv)  # refused on the command line too


def test_the_source_is_named() -> None:
    argv, source = find_build_args(None, {"MATURIN_PEP517_ARGS": "--zig-zag"})
    with pytest.raises(FerruleError, match=r"^MATURIN_PEP517_ARGS: unknown option --zig-zag$"):
        parse(argv, source)
    assert find_build_args({"maturin.build-args": ["-F", "a b"]}, {}) == (
        ["-F", "a b"],
        "maturin.build-args",
    )


def test_choices_are_the_models() -> None:
    """The option rows and the configuration model agree on the values they accept."""
    rows = {o.dest: o.choices for o in OPTIONS}
    assert rows["bindings"] == model.BINDINGS
    fields = {f.name: f.metadata.get("choices") for f in dataclasses.fields(model.ToolConfig)}
    assert rows["auditwheel"] == fields["auditwheel"]


def test_rows_cover_the_cli_build_options() -> None:
    """Every build option of ``ferrule build`` that the hooks share is one row."""
    names = {n for o in build_options.BUILD for n in o.names}
    build = argparse_parser()
    assert {s for s in build._option_string_actions if s not in ("-h", "--help")} == names | {
        "-v",
        "--verbose",
        "--strip",
    }
