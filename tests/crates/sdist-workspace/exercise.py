"""Run inside a venv where the wheel is installed."""

import sdist_workspace

assert sdist_workspace.rectangle_area(2.0, 3.5) == 7.0
assert sdist_workspace.square_area(3.0) == 9.0
print("ok")
