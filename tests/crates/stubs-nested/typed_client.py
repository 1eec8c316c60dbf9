"""A client of stubs_nested: `mypy --strict` must accept it, and it must run."""

from __future__ import annotations

import stubs_nested._native.geometry
import stubs_nested._native.geometry.units
from stubs_nested import _native, text
from stubs_nested._native.geometry import Vector, dot, units
from typing_extensions import assert_type

v = Vector(3.0, y=4.0)
assert_type(v.norm(), float)
assert_type(v.scaled(2.0), Vector)
assert_type(_native.greet("ann", loud=True), str)
assert_type(text.words("a b c", limit=2), list[str])
assert_type(units.feet(0.3048), float)
assert_type(stubs_nested._native.geometry.ORIGIN, tuple[float, float])
assert v.norm() == 5.0 and dot(v, Vector.unit_x()) == 3.0 and Vector.zero().kind == "vector"
v.x = 1.0
assert _native.greet("ann", loud=True) == "HELLO ANN"
assert text.shout("hi") == "HI" and text.words("a b c", limit=2) == ["a", "b"]
assert round(_native.geometry.units.feet(0.3048), 6) == 1.0
assert units.METERS_PER_FOOT == 0.3048 and _native.VERSION == "1.0"
assert stubs_nested._native.geometry.units.feet(0.0) == 0.0


def rejected() -> None:
    """Uses the stubs must reject (never run: each line fails at runtime too)."""
    _native.greet(1)  # type: ignore[arg-type]
    v.scaled("x")  # type: ignore[arg-type]
    units.feet("1")  # type: ignore[arg-type]
    v.kind = "point"  # type: ignore[misc]
    text.words("a", 1, 2)  # type: ignore[call-arg]
    import stubs_nested._native.missing  # type: ignore[import-not-found]  # noqa: F401


print("ok")
