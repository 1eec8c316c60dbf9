"""Run inside a venv where the wheel is installed: calls into the path dependency."""

import licenses_pathdep

assert licenses_pathdep.greet("ferrule") == "hello, ferrule"
print("ok")
