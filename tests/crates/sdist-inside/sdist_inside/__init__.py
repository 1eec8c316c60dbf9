"""A mixed package: Python code around a compiled module."""

from sdist_inside._native import checked_double, greet
from sdist_inside.words import shout

__all__ = ["checked_double", "greet", "shout"]
