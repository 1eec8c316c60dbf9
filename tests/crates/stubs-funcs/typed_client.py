"""A client of stubs_funcs: `mypy --strict` must accept it, and it must run."""

from __future__ import annotations

import stubs_funcs
from stubs_funcs import add, clamp, count, describe, repeat, transform
from typing_extensions import assert_type

assert add(2, 3) == 5
assert repeat("ab") == "ab ab"
assert repeat("ab", 3, sep="-") == "ab-ab-ab"
assert transform(2.0, scale=3.0) == 6.0
assert transform(2.0, offset=1.0) == 3.0
assert count(1, 2, a=3) == 3
assert clamp(500, 0) == 100
assert clamp(5, 10, high=20) == 10
assert describe(limit=3) == 'true it\'s "quoted" 3 0.25'
assert stubs_funcs.opaque(4) == -4
assert_type(stubs_funcs.VERSION, str)
assert_type(stubs_funcs.RATIO, float)
assert_type(stubs_funcs.NAMES, list[str])
assert_type(stubs_funcs.LIMITS, tuple[int, int])
assert stubs_funcs.ENABLED is True and stubs_funcs.VERSION.count(".") == 2


def rejected() -> None:
    """Calls the stubs must reject (never run: each line fails at runtime too)."""
    add(1)  # type: ignore[call-arg]
    transform(1.0, 2.0)  # type: ignore[call-arg]
    clamp(value=1, low=2)  # type: ignore[call-arg]
    repeat("x", tims=3)  # type: ignore[call-arg]
    stubs_funcs.missing()  # type: ignore[attr-defined]
    stubs_funcs.RATIO.upper()  # type: ignore[attr-defined]


print("ok")
