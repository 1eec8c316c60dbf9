"""Run inside a venv where the wheel is installed."""

import layout_twin

assert layout_twin.value() == 1, layout_twin.value()
print("ok")
