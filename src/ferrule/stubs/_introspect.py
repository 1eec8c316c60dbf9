"""Describe an imported extension module as JSON, for ferrule's stub generator.

This file runs inside the *target* interpreter (any CPython or PyPy >= 3.8),
in a subprocess, so it uses the standard library only and no syntax newer
than Python 3.8. ferrule runs it as::

    python -I -c <this file> <sys.path entry> <import name> <public name> <output.json>

It imports ``<import name>`` (the freshly built extension, staged in a
temporary directory that is put first on ``sys.path``), walks the module
tree through attributes (pyo3 submodules are attributes, and importable by
their dotted name only when the extension registers them in ``sys.modules``)
and writes one JSON document describing what it found. Nothing here guesses
types: values are described by their runtime types and functions by
``__text_signature__``; the renderer decides what to write.
"""

from __future__ import annotations

import ctypes
import importlib
import inspect
import json
import keyword
import math
import struct
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMAT = 1

# Attributes every module has; they are not part of its API.
_MODULE_DUNDERS = {
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
_CLASS_SKIP = {
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
_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional_only",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional_or_keyword",
    inspect.Parameter.VAR_POSITIONAL: "var_positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword_only",
    inspect.Parameter.VAR_KEYWORD: "var_keyword",
}
_SCALARS = (bool, int, float, complex, str, bytes)
_MAX_LITERAL = 50  # longer strings are written as `...`, as flake8-pyi asks
_MAX_TUPLE = 8
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
        if len(value) > _MAX_LITERAL:
            return None
        text = repr(value)
        plain = value.decode("latin-1") if isinstance(value, bytes) else value
        if text.endswith("'") and '"' not in plain and "'" not in plain:
            text = text[:-1].replace("'", '"', 1) + '"'
        return text
    return None


def _is_identifier(name: object) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def _doc(obj: object) -> str | None:
    doc = getattr(obj, "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)


def _signature(obj: Any) -> list[dict[str, Any]] | None:
    """Parameters from ``__text_signature__`` (via inspect), or None when unknown."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params: list[dict[str, Any]] = []
    for p in sig.parameters.values():
        if not _is_identifier(p.name):
            return None
        param: dict[str, Any] = {"name": p.name, "kind": _KINDS[p.kind]}
        if p.default is not inspect.Parameter.empty:
            param["default"] = literal(p.default)
        params.append(param)
    return params


def _shape_differs(t1: type, t2: type) -> bool:
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


def _can_subclass(cls: type) -> bool:
    flags = getattr(cls, "__flags__", None)
    return not isinstance(flags, int) or bool(flags & Py_TPFLAGS_BASETYPE)


def _getset_writable(descriptor: Any) -> bool | None:
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


class Describer:
    def __init__(self, root: types.ModuleType, public_name: str) -> None:
        self.root = root
        self.public_name = public_name
        self.module_paths: dict[int, str] = {}  # id(module) -> public dotted path
        self.class_paths: dict[int, str] = {}  # id(class) -> public dotted path
        self.warnings: list[str] = []

    # -- pass 1: where everything lives ----------------------------------------------------

    def locate(self) -> None:
        """Give each module and class of the tree its home: where a breadth-first walk meets it."""
        queue: list[tuple[types.ModuleType, str]] = [(self.root, self.public_name)]
        self.module_paths[id(self.root)] = self.public_name
        while queue:
            module, path = queue.pop(0)
            for name, obj in self._members(module):
                if isinstance(obj, types.ModuleType):
                    if id(obj) not in self.module_paths and not self._external_module(obj):
                        self.module_paths[id(obj)] = f"{path}.{name}"
                        queue.append((obj, f"{path}.{name}"))
                elif (
                    isinstance(obj, type)
                    and id(obj) not in self.class_paths
                    and self._external(obj) is None
                ):
                    self.class_paths[id(obj)] = f"{path}.{name}"

    def _members(self, module: types.ModuleType) -> Iterator[tuple[str, Any]]:
        for name in list(vars(module)):
            if name in _MODULE_DUNDERS:
                continue
            if not _is_identifier(name):
                self.warnings.append(
                    f"{module.__name__}.{name!r} is not a valid Python name; left out"
                )
                continue
            yield name, getattr(module, name)

    def _in_tree(self, dotted: str) -> bool:
        return dotted == self.public_name or dotted.startswith(self.public_name + ".")

    def _external_module(self, module: types.ModuleType) -> bool:
        """A module from elsewhere (``datetime``, ``numpy``) that the extension refers to."""
        name = getattr(module, "__name__", None)
        if not isinstance(name, str) or sys.modules.get(name) is not module:
            return False
        return not self._in_tree(name)

    def _external(self, obj: Any) -> tuple[str, str] | None:
        """``(module, qualname)`` when ``obj`` is importable from a module outside the tree."""
        module_name = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if not isinstance(module_name, str) or not isinstance(qualname, str):
            return None
        if self._in_tree(module_name):
            return None
        module = sys.modules.get(module_name)
        if module is None or id(module) in self.module_paths:
            return None
        target: Any = module
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if target is not obj:
            return None
        return (module_name, qualname)

    # -- pass 2: what everything is --------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        self.locate()
        described: set[int] = set()
        return self.module(self.root, self.public_name, self.public_name, described)

    def module(
        self, module: types.ModuleType, name: str, path: str, described: set[int]
    ) -> dict[str, Any]:
        described.add(id(module))
        all_ = getattr(module, "__all__", None)
        if not (isinstance(all_, (list, tuple)) and all(isinstance(n, str) for n in all_)):
            all_ = None
        members = [self.member(attr, obj, path, described) for attr, obj in self._members(module)]
        return {
            "kind": "module",
            "name": name,
            "path": path,
            "runtime_name": getattr(module, "__name__", None),
            "importable": sys.modules.get(path) is module,
            "doc": _doc(module),
            "all": list(all_) if all_ is not None else None,
            "members": members,
        }

    def member(self, name: str, obj: Any, path: str, described: set[int]) -> dict[str, Any]:
        if isinstance(obj, types.ModuleType):
            if id(obj) in self.module_paths:
                target = self.module_paths[id(obj)]
                if target == path + "." + name and id(obj) not in described:
                    return self.module(obj, name, target, described)
                return {"kind": "alias", "name": name, "target": target}
            return self._external_member(name, obj.__name__, None, False)
        if isinstance(obj, type):
            home = self.class_paths.get(id(obj))
            if home is None:
                external = self._external(obj)
                assert external is not None
                return self._external_member(name, external[0], external[1], True)
            if home != path + "." + name or id(obj) in described:
                return {"kind": "alias", "name": name, "target": home}
            described.add(id(obj))
            return self.klass(name, obj, home)
        if isinstance(obj, (types.BuiltinFunctionType, types.FunctionType)):
            external = self._external(obj)
            if external is not None:
                return self._external_member(name, external[0], external[1], False)
            return {
                "kind": "function",
                "name": name,
                "doc": _doc(obj),
                "params": _signature(obj),
                "async": inspect.iscoroutinefunction(obj),
            }
        return self.attribute(name, obj)

    @staticmethod
    def _external_member(
        name: str, module: str, qualname: str | None, is_class: bool
    ) -> dict[str, Any]:
        return {
            "kind": "external",
            "name": name,
            "module": module,
            "qualname": qualname,
            "is_class": is_class,
        }

    def attribute(self, name: str, value: object) -> dict[str, Any]:
        return {
            "kind": "attribute",
            "name": name,
            "type": self.type_of(value),
            "value": literal(value),
        }

    def type_of(self, value: Any, depth: int = 0) -> dict[str, Any]:
        """A type reference for a runtime value."""
        cls = type(value)
        if value is None:
            return {"none": True}
        if id(cls) in self.class_paths:
            return {"ref": self.class_paths[id(cls)]}
        if depth < 2 and cls is tuple:
            if 0 < len(value) <= _MAX_TUPLE:
                return {"builtin": "tuple", "args": [self.type_of(v, depth + 1) for v in value]}
            return {"builtin": "tuple", "args": [self._common(value, depth)], "variadic": True}
        if depth < 2 and cls in (list, set, frozenset):
            return {"builtin": cls.__name__, "args": [self._common(value, depth)]}
        if depth < 2 and cls is dict:
            return {
                "builtin": "dict",
                "args": [self._common(value.keys(), depth), self._common(value.values(), depth)],
            }
        if cls in _SCALARS or cls in (list, set, frozenset, dict, tuple):
            return {"builtin": cls.__name__}
        if isinstance(value, (types.BuiltinFunctionType, types.FunctionType)):
            return {"callable": True}
        external = self._external(cls)
        if external is not None:
            return {"module": external[0], "qualname": external[1]}
        return {"any": True}

    def _common(self, values: Any, depth: int) -> dict[str, Any]:
        types_ = {type(v) for v in values}
        if len(types_) == 1 and next(iter(types_)) in _SCALARS:
            return {"builtin": next(iter(types_)).__name__}
        if len(types_) == 1 and id(next(iter(types_))) in self.class_paths:
            return {"ref": self.class_paths[id(next(iter(types_)))]}
        return {"any": True}

    def klass(self, name: str, cls: type, path: str) -> dict[str, Any]:
        bases: list[dict[str, Any]] = []
        for base in cls.__bases__:
            if base is object:
                continue
            if id(base) in self.class_paths:
                bases.append({"ref": self.class_paths[id(base)]})
                continue
            external = self._external(base)
            bases.append(
                {"module": external[0], "qualname": external[1]} if external else {"any": True}
            )
        own = vars(cls)
        is_disjoint = cls is not object and _shape_differs(cls, cls.__base__ or object)
        members = []
        for attr in own:
            if attr in _CLASS_SKIP or not _is_identifier(attr):
                continue
            described = self.class_member(cls, attr, own[attr])
            if described is not None:
                members.append(described)
        new = None
        if "__new__" in own:
            new = _signature(cls) if getattr(cls, "__text_signature__", None) else None
            if new is None:
                new = _signature(own["__new__"])
                if new and new[0]["kind"] in ("positional_only", "positional_or_keyword"):
                    new = new[1:]
        return {
            "kind": "class",
            "name": name,
            "path": path,
            "doc": _doc(cls) if own.get("__doc__") else None,
            "bases": bases,
            "final": not _can_subclass(cls),
            "disjoint_base": is_disjoint,
            "has_new": "__new__" in own,
            "new_params": new,
            "hash_none": "__hash__" in own and own["__hash__"] is None,
            "members": members,
        }

    def class_member(self, cls: type, name: str, raw: Any) -> dict[str, Any] | None:
        if name == "__init__" and not isinstance(raw, types.FunctionType):
            return None  # a C type's generic __init__: the constructor is __new__
        if isinstance(raw, staticmethod):
            func = raw.__func__
            return {
                "kind": "method",
                "binding": "static",
                "name": name,
                "doc": _doc(func),
                "params": _signature(func),
            }
        if isinstance(raw, (classmethod, types.ClassMethodDescriptorType)):
            bound = getattr(cls, name)
            return {
                "kind": "method",
                "binding": "class",
                "name": name,
                "doc": _doc(raw),
                "params": _signature(bound),
            }
        if isinstance(
            raw, (types.MethodDescriptorType, types.WrapperDescriptorType, types.FunctionType)
        ):
            params = _signature(raw)
            if params is not None:
                if not params or params[0]["kind"] not in (
                    "positional_only",
                    "positional_or_keyword",
                ):
                    params = None  # no room for self: unknown
                else:
                    params = params[1:]
            doc = None if isinstance(raw, types.WrapperDescriptorType) else _doc(raw)
            return {
                "kind": "method",
                "binding": "instance",
                "name": name,
                "doc": doc,
                "params": params,
            }
        if isinstance(raw, types.GetSetDescriptorType):
            return {
                "kind": "property",
                "name": name,
                "doc": _doc(raw),
                "writable": _getset_writable(raw),
            }
        if isinstance(raw, types.MemberDescriptorType):
            return {"kind": "property", "name": name, "doc": _doc(raw), "writable": None}
        if isinstance(raw, property):
            return {
                "kind": "property",
                "name": name,
                "doc": _doc(raw),
                "writable": raw.fset is not None,
            }
        if callable(raw) and not isinstance(raw, type):
            return None  # some other descriptor: not describable
        return self.attribute(name, raw)


def main(argv: list[str]) -> None:
    path_entry, import_name, public_name, output = argv
    sys.path.insert(0, path_entry)
    module = importlib.import_module(import_name)
    describer = Describer(module, public_name)
    tree = describer.describe()
    document = {
        "format": FORMAT,
        "python": list(sys.version_info[:2]),
        "implementation": sys.implementation.name,
        "warnings": describer.warnings,
        "module": tree,
    }
    Path(output).write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
