"""How the introspection script sees single values: literals, signatures, docstrings, layouts.

The first half of the script ``_introspect.py`` describes: ferrule runs this file
and that one as one script in the *target* interpreter (see
:func:`ferrule.stubs.generate.introspection_script`), so this file too uses the
standard library only and no syntax newer than Python 3.8.
"""

from __future__ import annotations

import ctypes
import inspect
import keyword
import math
import struct
import sys
from typing import Any

# Attributes every module has; they are not part of its API.
MODULE_DUNDERS = {
    "__name__",
    "__doc__",
    "__package__",
    "__loader__",
    "__spec__",
    "__file__",
    "__path__",
    "__builtins__",
    "__cached__",
    "__all__",
    "__annotations__",
}
# Attributes every class has, or that the renderer handles by itself.
CLASS_SKIP = {
    "__doc__",
    "__module__",
    "__dict__",
    "__weakref__",
    "__qualname__",
    "__slots__",
    "__text_signature__",
    "__new__",
    "__hash__",
    "__getattribute__",
    "__setattr__",
    "__delattr__",
    "__reduce__",
    "__reduce_ex__",
    "__getstate__",
    "__setstate__",
    "__getnewargs__",
    "__getnewargs_ex__",
    "__sizeof__",
    "__init_subclass__",
    "__subclasshook__",
    "__class_getitem__",
    "__dir__",
    "__format__",
    "__annotations__",
    "__firstlineno__",
    "__static_attributes__",
}
KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional_only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    inspect.Parameter.VAR_POSITIONAL: "var_positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}
SCALARS = (bool, int, float, complex, str, bytes)
MAX_LITERAL = 50  # longer strings are written as `...`, as flake8-pyi asks
MAX_TUPLE = 8
Py_TPFLAGS_BASETYPE = 1 << 10


def literal(value: object) -> str | None:
    """The source text of ``value`` when a stub can spell it, else None.

    Strings use double quotes where they can, as stubs usually do; ``...``
    (pyo3's placeholder for a default it cannot show) stays ``...``.
    """
    if value is None or type(value) in (bool, int):
        return repr(value)
    if value is Ellipsis:
        return "..."
    if type(value) is float:
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, (str, bytes)) and type(value) in (str, bytes):
        if len(value) > MAX_LITERAL:
            return None
        text = repr(value)
        plain = value.decode("latin-1") if isinstance(value, bytes) else value
        if text.endswith("'") and '"' not in plain and "'" not in plain:
            text = text[:-1].replace("'", '"', 1) + '"'
        return text
    return None


def is_identifier(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def doc_of(obj: object) -> str | None:
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)


def signature(obj: Any) -> list[dict[str, Any]] | None:
    """Parameters from ``__text_signature__`` (via inspect), or None when unknown."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params: list[dict[str, Any]] = []
    for p in sig.parameters.values():
        if not is_identifier(p.name):
            return None
        param: dict[str, Any] = {"name": p.name, "kind": KINDS[p.kind]}
        if p.default is not inspect.Parameter.empty:
            param["default"] = literal(p.default)
        params.append(param)
    return params


def shape_differs(t1: type, t2: type) -> bool:
    """Whether two types have different instance layouts (CPython's shape_differs)."""
    if sys.version_info >= (3, 12) or t1.__itemsize__ or t2.__itemsize__:
        return t1.__basicsize__ != t2.__basicsize__ or t1.__itemsize__ != t2.__itemsize__
    size = t1.__basicsize__
    pointer = struct.calcsize("P")
    if not t2.__weakrefoffset__ and t1.__weakrefoffset__ + pointer == size:
        size -= pointer
    if not t2.__dictoffset__ and t1.__dictoffset__ + pointer == size:
        size -= pointer
    return size != t2.__basicsize__


def can_subclass(cls: type) -> bool:
    flags = getattr(cls, "__flags__", None)
    return not isinstance(flags, int) or bool(flags & Py_TPFLAGS_BASETYPE)


def getset_writable(descriptor: Any) -> bool | None:
    """Whether a C getset descriptor has a setter: True, False, or None when unknown.

    Python offers no way to ask without an instance, so on CPython this reads
    the descriptor's ``PyGetSetDef`` and trusts it only after checking that
    the fields around it are the descriptor's own type and name.
    """
    if sys.implementation.name != "cpython":
        return None
    try:
        pointer = ctypes.sizeof(ctypes.c_void_p)
        base = id(descriptor) + object.__basicsize__
        fields = [ctypes.c_void_p.from_address(base + i * pointer).value for i in range(4)]
        d_type, d_name, _, d_getset = fields
        if d_type != id(descriptor.__objclass__) or d_name != id(descriptor.__name__):
            return None
        if d_getset is None:
            return None
        name_ptr, _, setter = (
            ctypes.c_void_p.from_address(d_getset + i * pointer).value for i in range(3)
        )
        if name_ptr is None or ctypes.string_at(name_ptr).decode() != descriptor.__name__:
            return None
        return setter is not None
    except Exception:
        return None
