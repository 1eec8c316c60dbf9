"""Run inside a venv where the wheel is installed."""

import layout_strip

assert layout_strip.flavour() == "rustc-args", layout_strip.flavour()
print("ok")
