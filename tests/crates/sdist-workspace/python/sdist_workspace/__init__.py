"""Python front end of a Cargo workspace."""

from sdist_workspace._shapes import rectangle_area


def square_area(side: float) -> float:
    return rectangle_area(side, side)


__all__ = ["rectangle_area", "square_area"]
