"""Run inside a venv where the wheel is installed."""

import sdist_parent_workspace

assert sdist_parent_workspace.digit_sum(2026) == 10
print("ok")
