"""Run inside a venv where the wheel is installed."""

import json
from importlib import resources

import sdist_src

assert sdist_src.reverse("abc") == "cba"
assert sdist_src.is_palindrome("rotor")
words = json.loads(resources.files("sdist_src").joinpath("data.json").read_text())["words"]
assert all(sdist_src.is_palindrome(w) for w in words)
print("ok")
