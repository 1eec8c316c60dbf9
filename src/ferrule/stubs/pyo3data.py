"""Precise types from pyo3's introspection data, laid over the runtime model.

The runtime decides *what* the stubs contain (names, parameter kinds,
defaults: what ``stubtest`` compares); pyo3's data, when the binary carries
it (``experimental-inspect``), only adds annotations: parameter and return
types, property types, ``Final`` constants. Items it does not describe, such
as those added in ``#[pymodule_init]``, keep ``Any``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ferrule.stubs.model import (
    ANY,
    NONE,
    Attribute,
    Class,
    Const,
    Function,
    ListOf,
    Member,
    Module,
    Name,
    Param,
    Property,
    Ref,
    Subscript,
    TypeExpr,
    UnionOf,
)

__all__ = ["apply_introspection", "type_from_pyo3"]

Chunk = Mapping[str, Any]


def _dotted(node: Chunk) -> str | None:
    """``typing`` or ``collections.abc`` from a name / attribute chain."""
    if node.get("type") == "name":
        return str(node["id"])
    if node.get("type") == "attribute":
        base = _dotted(node["value"])
        return f"{base}.{node['attr']}" if base else None
    return None


def type_from_pyo3(node: Chunk | None, classes: Mapping[str, str]) -> TypeExpr | None:
    """A pyo3 type hint (``PyStaticExpr`` JSON) as a type expression.

    ``classes`` maps pyo3's ids of ``#[pyclass]`` types to their public paths.

    >>> hint = {"type": "binop", "op": "bitor",
    ...         "left": {"type": "attribute", "value": {"type": "name", "id": "builtins"}, "attr": "int"},
    ...         "right": {"type": "constant", "kind": "none"}}
    >>> type_from_pyo3(hint, {})
    UnionOf(items=(Name(module='builtins', qualname='int'), Const(text='None')))
    >>> type_from_pyo3({"type": "id", "id": "42"}, {"42": "pkg.Point"})
    Ref(path='pkg.Point')
    """
    if node is None:
        return None
    kind = node.get("type")
    if kind == "name":
        return Name("builtins", str(node["id"]))
    if kind == "attribute":
        module = _dotted(node["value"])
        return Name(module, str(node["attr"])) if module else ANY
    if kind == "id":
        path = classes.get(str(node["id"]))
        return Ref(path) if path else ANY
    if kind == "binop" and node.get("op") == "bitor":
        items: list[TypeExpr] = []
        for side in (node["left"], node["right"]):
            expr = type_from_pyo3(side, classes) or ANY
            items += expr.items if isinstance(expr, UnionOf) else [expr]
        return UnionOf(tuple(dict.fromkeys(items)))
    if kind == "subscript":
        value = type_from_pyo3(node["value"], classes) or ANY
        piece = node["slice"]
        elts = piece["elts"] if piece.get("type") == "tuple" else [piece]
        return Subscript(value, tuple(type_from_pyo3(e, classes) or ANY for e in elts))
    if kind == "list":
        return ListOf(tuple(type_from_pyo3(e, classes) or ANY for e in node["elts"]))
    if kind == "constant":
        constant = node.get("kind")
        if constant == "none":
            return NONE
        if constant == "bool":
            return Const("True" if node["value"] else "False")
        if constant in ("int", "float"):
            return Const(str(node["value"]))
        if constant == "str":
            return Const(repr(str(node["value"])))
        if constant == "ellipsis":
            return Const("...")
    return ANY


def _is_final(node: Chunk | None) -> bool:
    return node is not None and _dotted(node) == "typing.Final"


def _final_type(node: Chunk | None) -> Chunk | None:
    """``T`` of ``typing.Final[T]``."""
    if node is not None and node.get("type") == "subscript" and _is_final(node["value"]):
        inner: Chunk = node["slice"]
        return inner
    return None


def _decorator(chunk: Chunk) -> str:
    """``property``, ``setter``, ``staticmethod``, ``classmethod`` or ``""``."""
    for node in chunk.get("decorators", ()):
        if node.get("type") == "attribute" and node.get("attr") == "setter":
            return "setter"
        name = _dotted(node)
        if name in ("property", "staticmethod", "classmethod"):
            return name
    return ""


class _Index:
    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.by_id: dict[str, Chunk] = {}
        self.by_parent: dict[str, list[Chunk]] = {}
        self.modules: list[Chunk] = []
        member_ids: set[str] = set()
        for chunk in chunks:
            if "id" in chunk:
                self.by_id[str(chunk["id"])] = chunk
            if chunk.get("parent"):
                self.by_parent.setdefault(str(chunk["parent"]), []).append(chunk)
            if chunk.get("type") == "module":
                self.modules.append(chunk)
                member_ids.update(str(m) for m in chunk.get("members", ()))
        self.top_modules = [m for m in self.modules if str(m["id"]) not in member_ids]
        self.classes: dict[str, str] = {}  # pyo3 id -> public path
        # Functions and classes that no declarative module lists: those of
        # `#[pymodule] fn` modules, added with `add_function` / `add_class`.
        self.loose: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in chunks:
            kind = chunk.get("type")
            listed = str(chunk.get("id")) in member_ids
            if kind in ("function", "class") and not chunk.get("parent") and not listed:
                self.loose.setdefault((str(kind), str(chunk["name"])), []).append(chunk)

    def members(self, module: Chunk) -> list[Chunk]:
        found = [self.by_id[str(m)] for m in module.get("members", ()) if str(m) in self.by_id]
        return found + self.by_parent.get(str(module.get("id")), [])

    def find(self, module: Chunk, kind: str, name: str) -> Chunk | None:
        """The chunk of ``module``'s member ``name``, or the only unlisted one of that name."""
        for chunk in self.members(module):
            if chunk.get("type") == kind and chunk.get("name") == name:
                return chunk
        loose = self.loose.get((kind, name), [])
        return loose[0] if len(loose) == 1 else None


_UNKNOWN_MODULE: Chunk = {"type": "module", "members": []}


def _locate(index: _Index, module: Module, chunk: Chunk, found: dict[str, Chunk]) -> None:
    """Pair the runtime modules and classes with pyo3's chunks (``found``: path -> chunk)."""
    found[module.path] = chunk
    for member in module.members:
        if isinstance(member, Module):
            sub = index.find(chunk, "module", member.name)
            _locate(index, member, sub or _UNKNOWN_MODULE, found)
        elif isinstance(member, Class):
            klass = index.find(chunk, "class", member.name)
            if klass is not None:
                found[member.path] = klass
                index.classes[str(klass["id"])] = member.path


def _argument_types(chunk: Chunk, classes: Mapping[str, str]) -> dict[str, TypeExpr]:
    arguments = chunk.get("arguments", {})
    types: dict[str, TypeExpr] = {}
    for group in ("posonlyargs", "args", "kwonlyargs"):
        for arg in arguments.get(group, ()):
            expr = type_from_pyo3(arg.get("annotation"), classes)
            if expr is not None:
                types[str(arg["name"])] = expr
    for group in ("vararg", "kwarg"):
        arg = arguments.get(group)
        if arg:
            expr = type_from_pyo3(arg.get("annotation"), classes)
            if expr is not None:
                types[str(arg["name"])] = expr
    return types


def _typed_params(
    params: tuple[Param, ...] | None, chunk: Chunk, classes: Mapping[str, str]
) -> tuple[Param, ...] | None:
    if params is None:
        return None
    types = _argument_types(chunk, classes)
    return tuple(dataclasses.replace(p, annotation=types.get(p.name)) for p in params)


def _typed_function(f: Function, chunk: Chunk | None, classes: Mapping[str, str]) -> Function:
    if chunk is None:
        return f
    return dataclasses.replace(
        f,
        params=_typed_params(f.params, chunk, classes),
        returns=type_from_pyo3(chunk.get("returns"), classes) or ANY,
        is_async=f.is_async or bool(chunk.get("async")),
    )


def _typed_attribute(a: Attribute, chunk: Chunk | None, classes: Mapping[str, str]) -> Attribute:
    if chunk is None:
        return a
    annotation = chunk.get("annotation")
    if _is_final(annotation):
        return dataclasses.replace(a, final=True)
    inner = _final_type(annotation)
    if inner is not None:
        return dataclasses.replace(a, type=type_from_pyo3(inner, classes) or a.type, final=True)
    return dataclasses.replace(a, type=type_from_pyo3(annotation, classes) or a.type)


def _typed_class(c: Class, chunk: Chunk, index: _Index) -> Class:
    own = index.by_parent.get(str(chunk["id"]), [])
    functions: dict[tuple[str, str], Chunk] = {}
    for f in own:
        if f.get("type") == "function":
            functions.setdefault((str(f["name"]), _decorator(f)), f)
    attributes = {str(a["name"]): a for a in own if a.get("type") == "attribute"}
    binding = {"instance": "", "static": "staticmethod", "class": "classmethod"}
    members: list[Member] = []
    for m in c.members:
        if isinstance(m, Function):
            members.append(
                _typed_function(m, functions.get((m.name, binding[m.binding])), index.classes)
            )
        elif isinstance(m, Property):
            getter = functions.get((m.name, "property"))
            setter = functions.get((m.name, "setter"))
            hint = type_from_pyo3(getter.get("returns"), index.classes) if getter else None
            writable = m.writable
            if writable is None and (getter or setter):
                writable = setter is not None
            members.append(dataclasses.replace(m, type=hint, writable=writable))
        elif isinstance(m, Attribute):
            members.append(_typed_attribute(m, attributes.get(m.name), index.classes))
        else:
            members.append(m)
    new = functions.get(("__new__", ""))
    new_params = _typed_params(c.new_params, new, index.classes) if new else c.new_params
    return dataclasses.replace(c, members=tuple(members), new_params=new_params)


def _typed_module(module: Module, index: _Index, found: Mapping[str, Chunk]) -> Module:
    chunk = found.get(module.path, _UNKNOWN_MODULE)
    members: list[Member] = []
    for m in module.members:
        if isinstance(m, Module):
            members.append(_typed_module(m, index, found))
        elif isinstance(m, Class):
            klass = found.get(m.path)
            members.append(_typed_class(m, klass, index) if klass else m)
        elif isinstance(m, Function):
            members.append(_typed_function(m, index.find(chunk, "function", m.name), index.classes))
        elif isinstance(m, Attribute):
            members.append(
                _typed_attribute(m, index.find(chunk, "attribute", m.name), index.classes)
            )
        else:
            members.append(m)
    return dataclasses.replace(module, members=tuple(members))


def apply_introspection(root: Module, runtime_name: str, chunks: Sequence[Chunk]) -> Module | None:
    """``root`` with the types pyo3 recorded; None when no chunk describes ``runtime_name``.

    ``runtime_name`` is the name pyo3 knows the root module by (the last part
    of the module name: the ``#[pymodule]``'s name).
    """
    index = _Index(chunks)
    candidates = [m for m in index.top_modules if m.get("name") == runtime_name]
    candidates += [m for m in index.modules if m.get("name") == runtime_name]
    if not candidates:
        return None
    found: dict[str, Chunk] = {}
    _locate(index, root, candidates[0], found)
    return _typed_module(root, index, found)
