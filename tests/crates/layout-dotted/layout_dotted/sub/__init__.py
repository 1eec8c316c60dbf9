from .ext import depth
