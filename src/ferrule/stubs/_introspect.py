"""Describe an imported extension module as JSON, for ferrule's stub generator.

This file runs inside the *target* interpreter (any CPython or PyPy >= 3.8),
in a subprocess, so it uses the standard library only and no syntax newer
than Python 3.8. ferrule runs it as::

    python -I -c <_introspect_values.py + this file> <sys.path entry> <import name> <public name> <output.json>

It imports ``<import name>`` (the freshly built extension, staged in a
temporary directory that is put first on ``sys.path``), walks the module
tree through attributes (pyo3 submodules are attributes, and importable by
their dotted name only when the extension registers them in ``sys.modules``)
and writes one JSON document describing what it found. Nothing here guesses
types: values are described by their runtime types and functions by
``__text_signature__``; the renderer decides what to write.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# When run, this file follows _introspect_values.py in one script, without this
# import and the __future__ one (ferrule.stubs.generate.introspection_script).
from ferrule.stubs._introspect_values import (
    CLASS_SKIP,
    MAX_TUPLE,
    MODULE_DUNDERS,
    SCALARS,
    can_subclass,
    doc_of,
    getset_writable,
    is_identifier,
    literal,
    shape_differs,
    signature,
)

FORMAT = 1


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
            if name in MODULE_DUNDERS:
                continue
            if not is_identifier(name):
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
            "doc": doc_of(module),
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
                "doc": doc_of(obj),
                "params": signature(obj),
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
            if 0 < len(value) <= MAX_TUPLE:
                return {"builtin": "tuple", "args": [self.type_of(v, depth + 1) for v in value]}
            return {"builtin": "tuple", "args": [self._common(value, depth)], "variadic": True}
        if depth < 2 and cls in (list, set, frozenset):
            return {"builtin": cls.__name__, "args": [self._common(value, depth)]}
        if depth < 2 and cls is dict:
            return {
                "builtin": "dict",
                "args": [self._common(value.keys(), depth), self._common(value.values(), depth)],
            }
        if cls in SCALARS or cls in (list, set, frozenset, dict, tuple):
            return {"builtin": cls.__name__}
        if isinstance(value, (types.BuiltinFunctionType, types.FunctionType)):
            return {"callable": True}
        external = self._external(cls)
        if external is not None:
            return {"module": external[0], "qualname": external[1]}
        return {"any": True}

    def _common(self, values: Any, depth: int) -> dict[str, Any]:
        types_ = {type(v) for v in values}
        if len(types_) == 1 and next(iter(types_)) in SCALARS:
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
        is_disjoint = cls is not object and shape_differs(cls, cls.__base__ or object)
        members = []
        for attr in own:
            if attr in CLASS_SKIP or not is_identifier(attr):
                continue
            described = self.class_member(cls, attr, own[attr])
            if described is not None:
                members.append(described)
        new = None
        if "__new__" in own:
            new = signature(cls) if getattr(cls, "__text_signature__", None) else None
            if new is None:
                new = signature(own["__new__"])
                if new and new[0]["kind"] in ("positional_only", "positional_or_keyword"):
                    new = new[1:]
        return {
            "kind": "class",
            "name": name,
            "path": path,
            "doc": doc_of(cls) if own.get("__doc__") else None,
            "bases": bases,
            "final": not can_subclass(cls),
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
                "doc": doc_of(func),
                "params": signature(func),
            }
        if isinstance(raw, (classmethod, types.ClassMethodDescriptorType)):
            bound = getattr(cls, name)
            return {
                "kind": "method",
                "binding": "class",
                "name": name,
                "doc": doc_of(raw),
                "params": signature(bound),
            }
        if isinstance(
            raw, (types.MethodDescriptorType, types.WrapperDescriptorType, types.FunctionType)
        ):
            params = signature(raw)
            if params is not None:
                if not params or params[0]["kind"] not in (
                    "positional_only",
                    "positional_or_keyword",
                ):
                    params = None  # no room for self: unknown
                else:
                    params = params[1:]
            doc = None if isinstance(raw, types.WrapperDescriptorType) else doc_of(raw)
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
                "doc": doc_of(raw),
                "writable": getset_writable(raw),
            }
        if isinstance(raw, types.MemberDescriptorType):
            return {"kind": "property", "name": name, "doc": doc_of(raw), "writable": None}
        if isinstance(raw, property):
            return {
                "kind": "property",
                "name": name,
                "doc": doc_of(raw),
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
