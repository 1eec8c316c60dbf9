from .layout_srcrust import answer
