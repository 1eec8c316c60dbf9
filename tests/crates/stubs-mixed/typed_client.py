"""A client of stubs_mixed: `mypy --strict` must accept it, and it must run."""

from __future__ import annotations

import os

import stubs_mixed
import stubs_mixed.stubs_mixed.submodule.deeper
from stubs_mixed.stubs_mixed import get_21, submodule
from stubs_mixed.stubs_mixed.submodule import Counter
from typing_extensions import assert_type

assert_type(get_21(), int)
assert_type(submodule.get_42(), int)
assert stubs_mixed.get_42() == 42 and submodule.get_42() == 42
counter = Counter(start=1)
assert_type(counter.bump(), int)
assert counter.count == 2
assert stubs_mixed.stubs_mixed.submodule.deeper.ANSWER == 42

# As maturin's pyo3-stub-generation-mixed/check_installed: the stubs sit next to the extension.
here = os.path.dirname(stubs_mixed.__file__)
for stub in ("__init__.py", "stubs_mixed/__init__.pyi", "stubs_mixed/submodule/__init__.pyi"):
    assert os.path.exists(os.path.join(here, stub)), stub


def rejected() -> None:
    """Uses the stubs must reject (never run: each line fails at runtime too)."""
    get_21(1)  # type: ignore[call-arg]
    Counter(start="1")  # type: ignore[arg-type]


print("ok")
