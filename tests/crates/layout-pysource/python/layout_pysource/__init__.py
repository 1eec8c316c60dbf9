from ._core import shout

__all__ = ["shout"]
