"""Run inside a venv where the wheel is installed."""

import sdist_member

assert sdist_member.fib(10) == 55
assert sdist_member.fibs(6) == [0, 1, 1, 2, 3, 5]
print("ok")
