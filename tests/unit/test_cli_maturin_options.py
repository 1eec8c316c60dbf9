"""ferrule's command line against the pinned maturin's (issues 19 and 26).

The option table is read at test time from ``maturin <command> --help`` of the
maturin in this environment (pinned to 1.16.0 in pyproject.toml's test extra).
clap prints ``<VALUE>...`` / ``[<VALUE>...]`` for an option that takes several
values (``num_args = 1..`` / ``0..``, all declared with ``ArgAction::Append`` in
maturin's src/build_options.rs and src/ci/mod.rs), so those accumulate in both
spellings. ``--help`` does not show ``ArgAction::Append`` on single-value
options; those come from maturin's source, cited in ``_APPEND_ONE``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from ferrule.cli import build_parser, parse_args

MATURIN = Path(sys.executable).with_name("maturin")
COMMANDS = (
    "build",
    "develop",
    "sdist",
    "publish",
    "upload",
    "new",
    "init",
    "generate-ci",
    "list-python",
    "generate-stubs",
)
# Arguments each command needs before its options parse.
POSITIONALS = {"generate-ci": ["github"], "new": ["p"], "upload": ["f.whl"]}

# Single-value options declared ArgAction::Append in maturin 1.16's source:
# -F/--features, --config, -Z (src/cargo_options.rs, CargoOptions) and
# -E/--extras, -G/--group (src/develop/mod.rs, DevelopOptions; value_delimiter ',').
_APPEND_ONE = {"--features", "--config", "-Z", "--extras", "--group"}


@dataclass(frozen=True)
class MaturinOption:
    short: str | None
    long: str | None
    value: str | None  # "<OUT>", "[<INTERPRETER>...]"; None for flags
    choices: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.long or self.short or "?"

    @property
    def multi(self) -> bool:
        """Several values per occurrence: clap prints ``...`` after the value."""
        return self.value is not None and self.value.rstrip("]").endswith("...")

    @property
    def accumulates(self) -> bool:
        return self.multi or self.name in _APPEND_ONE or self.short in _APPEND_ONE


_HEAD = re.compile(r"^(?: {2}| {6})(-\S.*)$")


@cache
def maturin_help(command: str) -> str:
    return subprocess.run(
        [MATURIN, *command.split(), "--help"], capture_output=True, text=True, check=True
    ).stdout


@cache
def maturin_options(command: str) -> tuple[MaturinOption, ...]:
    """Every option in ``maturin <command> --help``, with its value syntax and choices."""
    found: list[MaturinOption] = []
    lines = maturin_help(command).splitlines()
    for i, line in enumerate(lines):
        m = _HEAD.match(line)
        if not m:
            continue
        head = re.split(r"\s{2,}", m.group(1).strip())[0]
        names = re.findall(r"(?:^|, |\s)(--?[A-Za-z][\w-]*)", head.split(" <")[0].split(" [")[0])
        value = re.search(r"[\[<].*$", head)
        short = next((n for n in names if not n.startswith("--")), None)
        long = next((n for n in names if n.startswith("--")), None)
        # Choices: "[possible values: a, b]" or a "Possible values:" list below the head.
        body: list[str] = []
        for follow in lines[i + 1 :]:
            if _HEAD.match(follow) or (follow and not follow.startswith(" ")):
                break
            body.append(follow)
        text = "\n".join([line, *body])
        inline = re.search(r"\[possible values: ([^\]]+)\]", text)
        choices = (
            tuple(c.strip() for c in inline.group(1).split(","))
            if inline
            else tuple(re.findall(r"^\s+- ([\w-]+):", text, re.M))
        )
        found.append(MaturinOption(short, long, value.group(0) if value else None, choices))
    assert found, f"no options read from `maturin {command} --help`"
    return tuple(found)


@cache
def ferrule_parser(command: str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = sub.choices[command]
    return parser


def ferrule_action(command: str, option: str) -> argparse.Action:
    return ferrule_parser(command)._option_string_actions[option]


def test_maturin_is_the_pinned_release() -> None:
    out = subprocess.run([MATURIN, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["maturin", "1.16.0"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_maturin_option_is_accepted(command: str) -> None:
    ours = set(ferrule_parser(command)._option_string_actions)
    missing = [
        name
        for option in maturin_options(command)
        for name in (option.short, option.long)
        if name is not None and name not in ours
    ]
    assert missing == [], f"ferrule {command} lacks maturin's {missing}"


def _cases() -> list[tuple[str, MaturinOption]]:
    return [
        (command, option)
        for command in COMMANDS
        for option in maturin_options(command)
        if option.accumulates
    ]


def _values(option: MaturinOption) -> tuple[str, str, str]:
    if len(option.choices) >= 3:
        return option.choices[0], option.choices[1], option.choices[2]
    return "a", "b", "c"


def _parsed(command: str, option: MaturinOption, argv: list[str]) -> list[str]:
    args = parse_args([command, *POSITIONALS.get(command, []), *argv])
    value = getattr(args, ferrule_action(command, option.name).dest)
    return [str(v) for v in value]


@pytest.mark.parametrize(
    ("command", "option"), _cases(), ids=lambda x: x if isinstance(x, str) else x.name
)
def test_option_accumulates_as_maturins(command: str, option: MaturinOption) -> None:
    """``-X a -X b c`` gives ``[a, b, c]`` (and ``-X a b c`` where maturin takes several)."""
    a, b, c = _values(option)
    flag = option.name
    if option.multi:
        assert _parsed(command, option, [flag, a, b, c]) == [a, b, c]
        assert _parsed(command, option, [flag, a, flag, b, c]) == [a, b, c]
    else:
        assert _parsed(command, option, [flag, a, flag, b, flag, c]) == [a, b, c]


def test_cases_cover_the_known_multi_value_options() -> None:
    """The table above is not empty by accident (a change in clap's help format)."""
    names = {(c, o.name) for c, o in _cases() if o.multi}
    assert {
        ("build", "--interpreter"),
        ("build", "--compatibility"),
        ("build", "--sbom-include"),
        ("publish", "--interpreter"),
        ("generate-ci", "--platform"),
        ("generate-stubs", "--interpreter"),
    } <= names


@pytest.mark.parametrize("command", COMMANDS)
def test_ferrule_accumulates_only_where_maturin_does(command: str) -> None:
    """Options maturin takes once are not lists in ferrule either (the last one wins)."""
    maturin = {n for o in maturin_options(command) if o.accumulates for n in (o.short, o.long)}
    ours = {
        option
        for option, action in ferrule_parser(command)._option_string_actions.items()
        if isinstance(action, (argparse._AppendAction, argparse._ExtendAction))
        and option in {n for o in maturin_options(command) for n in (o.short, o.long)}
    }
    assert ours - maturin == set()


def test_pep517_build_args_accumulate() -> None:
    """config_settings build-args go through the hooks' parser: the same options."""
    from ferrule.buildargs import parse

    argv = "-i python3 -i pypy3 python3.12 --compatibility pypi --manylinux manylinux_2_28"
    args = parse([*argv.split(), "--sbom-include", "a.json", "--sbom-include", "b.json"])
    assert args.interpreter == ["python3", "pypy3", "python3.12"]
    assert args.compatibility == ["pypi", "manylinux_2_28"]
    assert [str(p) for p in args.sbom_include] == ["a.json", "b.json"]


def test_verbose_counts_on_every_command() -> None:
    for command in COMMANDS:
        args = parse_args([command, *POSITIONALS.get(command, []), "-vv"])
        assert args.verbose == 2, command
    assert parse_args(["-v", "build", "-v"]).verbose == 2
