"""A client of stubs_pure: `mypy --strict` must accept it, and it must run."""

from __future__ import annotations

import os

import stubs_pure
import stubs_pure.submodule.nested
from stubs_pure import Class, func, submodule
from stubs_pure.stubs_pure import Class as NativeClass
from typing_extensions import assert_type

assert_type(func(42), int)
assert func(42) == 42 and Class().name() == "Class"
assert NativeClass is Class  # the extension's stub re-exports the package's names
assert_type(submodule.Class2(7).value, int)
assert submodule.Class2(7).value == 7
assert_type(stubs_pure.submodule.nested.triple(2), int)
assert stubs_pure.submodule.nested.triple(2) == 6

# As maturin's pyo3-stub-generation-pure/check_installed: the stubs sit in the package.
here = os.path.dirname(stubs_pure.__file__)
for stub in ("__init__.pyi", "submodule/__init__.pyi", "submodule/nested.pyi", "py.typed"):
    assert os.path.exists(os.path.join(here, stub)), stub


def rejected() -> None:
    """Uses the stubs must reject (never run: each line fails at runtime too)."""
    func("x")  # type: ignore[arg-type]
    submodule.Class2()  # type: ignore[call-arg]
    stubs_pure.submodule.nested.triple(1, 2)  # type: ignore[call-arg]


print("ok")
