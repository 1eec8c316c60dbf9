"""Run inside a venv where the wheel is installed."""

import layout_ws_members

assert layout_ws_members.version() == "1.4.0", layout_ws_members.version()
print("ok")
