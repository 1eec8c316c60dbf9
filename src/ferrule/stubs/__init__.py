"""Type stubs (``.pyi``) for any pyo3 extension module.

The freshly built extension is imported in the target interpreter (in a
subprocess running the stdlib-only ``_introspect.py``), which reports what it
exposes as JSON: functions with their ``__text_signature__``, classes with
their methods, properties and attributes, constants with their runtime
types, submodules, docstrings. pyo3's introspection data, when the binary
carries it (``experimental-inspect``), adds precise types. The model is
rendered to ``.pyi`` text (:mod:`~ferrule.stubs.render`) and written where
the wheel ships stubs from (:mod:`~ferrule.stubs.writer`).

``generate_for_build(settings, interpreter)`` is the entry point for
``build --generate-stubs`` and ``develop --generate-stubs``.
"""

from ferrule.stubs.generate import (
    build_extension,
    check_stubs,
    describe,
    generate_for_build,
    generate_stubs,
    stub_files,
)
from ferrule.stubs.writer import StubsError

__all__ = [
    "StubsError",
    "build_extension",
    "check_stubs",
    "describe",
    "generate_for_build",
    "generate_stubs",
    "stub_files",
]
