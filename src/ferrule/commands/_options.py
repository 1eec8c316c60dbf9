"""Options shared by several commands (maturin's flag names) and their conversion.

The build options are rows of :mod:`ferrule.build_options`, which the PEP 517 hooks
read without argparse; here they become argparse arguments.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ferrule import build_options as rows
from ferrule.build_options import Option, bool_value
from ferrule.buildargs import cli_options, pgo_requested

if TYPE_CHECKING:
    from ferrule.config.model import Settings
    from ferrule.interpreter import Interpreter

__all__ = [
    "add_build_options",
    "add_cargo_options",
    "add_compression_options",
    "add_interpreter_options",
    "add_options",
    "add_pgo_option",
    "add_report_options",
    "add_strict_option",
    "add_strip_value_option",
    "cli_options",
    "interpreters",
    "pgo_requested",
    "without_verbosity",
]


def add_options(p: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    """argparse arguments from :mod:`ferrule.build_options`' rows (the hooks read the same rows)."""
    groups: dict[str, Any] = {}
    for option in options:
        target: Any = p
        if option.group is not None:
            if option.group not in groups:
                groups[option.group] = p.add_argument_group(option.group)
            target = groups[option.group]
        kwargs: dict[str, Any] = {"dest": option.dest}
        kwargs.update(_ACTIONS[option.kind])
        if option.kind in ("value", "append", "many", "some"):
            kwargs["default"] = option.initial()
        if option.choices is not None:
            kwargs["choices"] = option.choices
        if option.type is not None:
            kwargs["type"] = _argparse_type(option.type)
        if option.metavar is not None:
            kwargs["metavar"] = option.metavar
        kwargs["help"] = argparse.SUPPRESS if option.help is None else (option.help or None)
        target.add_argument(*option.names, **kwargs)


_ACTIONS: dict[str, dict[str, Any]] = {
    "flag": {"action": "store_true"},
    "count": {"action": "count", "default": 0},
    "value": {},
    "append": {"action": "append"},
    "many": {"nargs": "*", "action": "extend"},
    "some": {"nargs": "+", "action": "extend"},
    "optional-bool": {"nargs": "?", "const": True, "default": False},
}


def _argparse_type(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``int`` and ``Path`` as they are (argparse names them); ours with their own message."""
    if convert is not bool_value:
        return convert

    def checked(text: str) -> Any:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return checked


def add_cargo_options(p: argparse.ArgumentParser) -> None:
    add_options(p, rows.CARGO)


def add_interpreter_options(p: argparse.ArgumentParser) -> None:
    """``-i`` / ``-f`` / ``-b``: maturin's PythonOptions (build_options.rs).

    ``-i`` accumulates as clap's ``num_args = 0.., action = Append`` does:
    ``-i a b``, ``-i a -i b`` and any mix give ``[a, b]``.
    """
    add_options(p, rows.INTERPRETER)


def add_build_options(p: argparse.ArgumentParser) -> None:
    """The options of ``build`` that ``pep517`` and ``publish`` share (no -r/--strip)."""
    add_options(p, rows.BUILD)


def add_strip_value_option(p: argparse.ArgumentParser) -> None:
    """maturin's ``--strip [true|false]`` (commands/mod.rs: ``num_args = 0..=1``)."""
    add_options(p, rows.STRIP_VALUE)


def add_pgo_option(p: argparse.ArgumentParser) -> None:
    add_options(p, rows.PGO)


def add_strict_option(p: argparse.ArgumentParser) -> None:
    add_options(p, rows.STRICT)


def add_report_options(p: argparse.ArgumentParser) -> None:
    """``--report FILE`` and ``--json`` (:mod:`ferrule.commands._report`)."""
    add_options(p, rows.REPORT)


def add_compression_options(p: argparse.ArgumentParser) -> None:
    """maturin's CompressionOptions (compression.rs)."""
    add_options(p, rows.COMPRESSION)


def without_verbosity(argv: Sequence[str]) -> tuple[str, ...]:
    """cargo's argv without ``-v``/``-vv`` (before ``--``), as a replay records it.

    Verbosity is not part of the replay key, so a later quiet run replays a
    verbose one (and the other way round) with cargo as quiet as it was asked.

    >>> without_verbosity(["cargo", "rustc", "-vv", "--lib", "--", "-v"])
    ('cargo', 'rustc', '--lib', '--', '-v')
    """
    argv = list(argv)
    split = argv.index("--") if "--" in argv else len(argv)
    head = [a for a in argv[:split] if not (a.startswith("-v") and set(a[1:]) == {"v"})]
    return (*head, *argv[split:])


def interpreters(args: argparse.Namespace, settings: Settings) -> list[Interpreter]:
    """``-i`` resolved, ``-f`` discovery, or the default interpreter (see select_interpreters)."""
    from ferrule.interpreter import select_interpreters

    chosen = select_interpreters(
        settings,
        list(getattr(args, "interpreter", None) or []),
        getattr(args, "find_interpreter", False),
    )
    # The same interpreter named twice (-i python3 -i python3) is built for once:
    # maturin builds it twice and writes the same wheel twice (docs/compat.md).
    return list(dict.fromkeys(chosen))
