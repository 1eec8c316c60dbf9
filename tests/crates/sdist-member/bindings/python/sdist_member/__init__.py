"""A Python package that is a member of a larger Cargo workspace."""

from sdist_member._core import fib

__all__ = ["fib", "fibs"]


def fibs(n: int) -> list[int]:
    return [fib(i) for i in range(n)]
