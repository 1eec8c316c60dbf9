"""A client of stubs_classes: `mypy --strict` must accept it, and it must run."""

from __future__ import annotations

from stubs_classes import Color, Point, Shape, ShapeError, Square, Token, make_token
from typing_extensions import assert_type

p = Point(3.0, y=4.0)
assert p.norm() == 5.0
assert p.scaled(2.0, round=True) == Point(6.0, 8.0)
assert p.quadrant == 1 and p.x == 3.0
p.x = -3.0
assert p.quadrant == 2
assert Point.origin() == Point() and Point.from_pair((1.0, 2.0)).y == 2.0
assert Point.DIMENSIONS == 2
assert_type(Point.DIMENSIONS, int)
assert repr(p) == "Point(-3, 4)"

square = Square(2.0)
assert isinstance(square, Shape) and square.area() == 4.0 and len(square) == 4
assert square.name == "square"
square.side = 3.0
try:
    square.sides = 2
except ShapeError:
    pass
else:
    raise AssertionError("a shape needs 3 sides")
assert square.sides == 4


class Hexagon(Shape):
    """Shape may be subclassed; Point may not."""


assert len(Hexagon("hexagon", 6)) == 6
assert Color.Red != Color.Green and int(Color.Green) == 1
assert isinstance(make_token(), Token)
assert issubclass(ShapeError, ValueError)


def rejected() -> None:
    """Uses the stubs must reject (never run: each line fails at runtime too)."""
    Point(1.0, 2.0, 3.0)  # type: ignore[call-arg]
    p.quadrant = 3  # type: ignore[misc]
    square.name = "circle"  # type: ignore[misc]
    Point.origin(1)  # type: ignore[call-arg]
    _ = Token().value  # type: ignore[attr-defined]

    class Point3(Point):  # type: ignore[misc]
        pass


print("ok")
