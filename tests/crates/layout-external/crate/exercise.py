"""Run inside a venv where the wheel is installed."""

import layout_external

assert layout_external.greet("from", "outside") == "layout-external says: from outside\n"
print("ok")
