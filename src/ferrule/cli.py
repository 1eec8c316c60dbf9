"""The ``ferrule`` command line: maturin's command and flag names.

Argument parsing only; each command lives in :mod:`ferrule.commands` and imports
its implementation lazily so that ``ferrule --version`` starts fast.
"""

from __future__ import annotations

import sys

from ferrule._version import __version__

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ["build_parser", "main", "parse_args", "split_rustc_args"]


def _command_named(argv: Sequence[str]) -> str | None:
    """The command a command line runs (its first word that is not an option), if it
    names one: only that command's module is imported then.

    >>> _command_named(["-v", "b", "--release"]), _command_named(["--help"])
    ('build', None)
    >>> _command_named(["bild"]) is None, _command_named(["upload", "build"])
    (True, 'upload')
    """
    from ferrule.commands import ALIASES, COMMANDS

    word = next((a for a in argv if not a.startswith("-")), None)
    if word is None:
        return None
    word = ALIASES.get(word, word)
    return word if word in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``argv``, of the command it runs only
    (every one when it names none: help, a mistyped command)."""
    import argparse
    import importlib

    from ferrule.commands import COMMANDS

    parser = argparse.ArgumentParser(
        prog="ferrule", description="Build and publish Rust crates as Python packages."
    )
    parser.add_argument("-V", "--version", action="version", version=f"ferrule {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more output (-v shows tracebacks)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    named = _command_named(argv) if argv is not None else None
    for name in (named,) if named else COMMANDS:
        module = importlib.import_module(f"ferrule.commands.{name.replace('-', '_')}")
        before = set(sub.choices)
        module.register(sub)
        for added in set(sub.choices) - before:
            sub.choices[added].set_defaults(_command_module=module)
    # -v after the command too, counted, as maturin's (-v: cargo -v, -vv: cargo -vv);
    # aliases share their command's parser.
    for command_parser in {id(p): p for p in sub.choices.values()}.values():
        command_parser.add_argument(
            "-v",
            "--verbose",
            dest="command_verbose",
            action="count",
            default=0,
            help="more output; passed on to cargo (-v, -vv)",
        )
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """``argv`` (without the rustc part) parsed; ``-v`` counted before and after the command.

    >>> args = parse_args(["-v", "build", "-vv", "-i", "python3", "-i", "pypy3"])
    >>> args.verbose, args.interpreter
    (3, ['python3', 'pypy3'])
    """
    args = build_parser(argv).parse_args(list(argv))
    args.verbose += args.command_verbose
    return args


def split_rustc_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """:func:`ferrule.buildargs.split_rustc_args`, imported when first called."""
    from ferrule.buildargs import split_rustc_args as split

    return split(argv)


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    if given in (["--version"], ["-V"]):
        # Answered before anything else is imported: the parser imports every
        # command module, buildargs its option table (tests/unit/test_cli_startup.py).
        print(f"ferrule {__version__}")
        return 0
    from ferrule import _log

    ours, rustc_args = split_rustc_args(given)
    args = parse_args(ours)
    _log.set_verbosity(args.verbose)
    try:
        result: int = args._command_module.run(args, rustc_args)
    except Exception as exc:
        from ferrule.errors import FerruleError  # imported only when needed: start-up cost

        if not isinstance(exc, FerruleError):
            raise
        if args.verbose:
            import traceback

            traceback.print_exc()
        _log.error(str(exc))
        return 1
    except KeyboardInterrupt:
        _log.error("interrupted")
        return 130
    return result
