"""The console script: prints what the native module says."""

from . import describe


def main() -> None:
    print(describe())
