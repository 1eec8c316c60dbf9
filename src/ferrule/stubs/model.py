"""What a stub describes: the module tree found by the introspection script.

:func:`from_json` reads the JSON that ``_introspect.py`` writes in the target
interpreter; :mod:`ferrule.stubs.pyo3data` then fills in precise types where
the binary carries pyo3's introspection data; :mod:`ferrule.stubs.render`
writes ``.pyi`` text from it. Types are small expression trees
(:class:`Name`, :class:`Ref`, ...) so that the renderer can choose imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field
from typing import Any, Union

from ferrule._record import record

__all__ = [
    "ANY",
    "NONE",
    "Alias",
    "Attribute",
    "Class",
    "Const",
    "External",
    "Function",
    "Member",
    "Module",
    "Name",
    "Param",
    "Property",
    "Ref",
    "Subscript",
    "TypeExpr",
    "UnionOf",
    "from_json",
]


@record
class Name:
    """A name importable from a module: ``Name("builtins", "int")``, ``Name("typing", "Any")``."""

    module: str
    qualname: str


@record
class Ref:
    """A class of the stubbed module tree, by its public dotted path."""

    path: str


@record
class Subscript:
    """``value[arg, ...]``; a :class:`Const` ``...`` arg spells ``tuple[int, ...]``."""

    value: TypeExpr
    args: tuple[TypeExpr, ...]


@record
class UnionOf:
    items: tuple[TypeExpr, ...]


@record
class ListOf:
    """``[a, b]``, as in ``Callable[[int], str]``."""

    items: tuple[TypeExpr, ...]


@record
class Const:
    """Source text written as is: ``None``, ``...``, a literal inside ``Literal[...]``."""

    text: str


TypeExpr = Union[Name, Ref, Subscript, UnionOf, ListOf, Const]
ANY = Name("typing", "Any")
NONE = Const("None")


@record
class Param:
    """One parameter. ``default`` is None without a default, ``"..."`` when it cannot be spelt."""

    name: str
    kind: str  # positional_only, positional_or_keyword, var_positional, keyword_only, var_keyword
    default: str | None = None
    annotation: TypeExpr | None = None


@record
class Function:
    """A function, or a method when ``binding`` is instance, class or static.

    ``params`` is None when the runtime has no signature (no ``__text_signature__``);
    for methods it leaves out ``self`` / ``cls``.
    """

    name: str
    params: tuple[Param, ...] | None
    doc: str | None = None
    binding: str = "function"
    returns: TypeExpr | None = None
    is_async: bool = False


@record
class Property:
    """A property (a getset or member descriptor, or a Python ``property``)."""

    name: str
    writable: bool | None
    """Whether it has a setter; None when the runtime cannot tell (off CPython, or a
    member descriptor), and the stub then shows none."""
    doc: str | None = None
    type: TypeExpr | None = None


@record
class Attribute:
    """A constant or class attribute; ``value`` is its literal source text when it has one."""

    name: str
    type: TypeExpr
    value: str | None = None
    final: bool = False


@record
class Alias:
    """Another name for a class or module of the tree (``target`` is its public path)."""

    name: str
    target: str


@record
class External:
    """An object from another module, re-exported under ``name``."""

    name: str
    module: str
    qualname: str | None
    """Its name in ``module``; None when the object is a module itself."""
    is_class: bool = False


@record
class Class:
    """A class of the tree, at its public dotted ``path``."""

    name: str
    path: str
    doc: str | None = None
    bases: tuple[TypeExpr, ...] = ()
    final: bool = False
    """It cannot be subclassed (no ``Py_TPFLAGS_BASETYPE``): ``@final`` in the stub."""
    disjoint_base: bool = False
    """Its instance layout differs from its base's: ``@disjoint_base`` (PEP 800)."""
    has_new: bool = False
    new_params: tuple[Param, ...] | None = None
    hash_none: bool = False
    """``__hash__ = None``: instances are unhashable (pyo3's ``eq`` without ``hash``)."""
    members: tuple[Member, ...] = ()


@record
class Module:
    """A module; ``importable`` says whether ``import <path>`` works at runtime."""

    name: str
    path: str
    importable: bool = True
    doc: str | None = None
    all: tuple[str, ...] | None = None
    members: tuple[Member, ...] = field(default=())


Member = Union[Module, Class, Function, Property, Attribute, Alias, External]

_GENERIC_BUILTINS = {"list": 1, "set": 1, "frozenset": 1, "dict": 2}


def type_from_json(data: Mapping[str, Any]) -> TypeExpr:
    """A runtime type reference as written by ``_introspect.py``.

    >>> type_from_json({"builtin": "tuple", "args": [{"builtin": "int"}], "variadic": True})
    Subscript(value=Name(module='builtins', qualname='tuple'), args=(Name(module='builtins', qualname='int'), Const(text='...')))
    >>> type_from_json({"builtin": "dict"})
    Subscript(value=Name(module='builtins', qualname='dict'), args=(Name(module='typing', qualname='Any'), Name(module='typing', qualname='Any')))
    """
    if data.get("none"):
        return NONE
    if "ref" in data:
        return Ref(str(data["ref"]))
    if "builtin" in data:
        name = Name("builtins", str(data["builtin"]))
        args = tuple(type_from_json(a) for a in data.get("args", ()))
        if data.get("variadic"):
            args += (Const("..."),)
        if not args and name.qualname in _GENERIC_BUILTINS:
            args = (ANY,) * _GENERIC_BUILTINS[name.qualname]
        if not args and name.qualname == "tuple":
            args = (ANY, Const("..."))
        return Subscript(name, args) if args else name
    if "module" in data:
        return Name(str(data["module"]), str(data["qualname"]))
    if data.get("callable"):
        return Subscript(Name("collections.abc", "Callable"), (Const("..."), ANY))
    return ANY


def _params(data: Sequence[Mapping[str, Any]] | None) -> tuple[Param, ...] | None:
    if data is None:
        return None
    out = []
    for p in data:
        default = p.get("default", None) if "default" in p else None
        if "default" in p and default is None:
            default = "..."
        out.append(Param(str(p["name"]), str(p["kind"]), default))
    return tuple(out)


def member_from_json(data: Mapping[str, Any]) -> Member:
    kind = data["kind"]
    name = str(data["name"])
    doc = data.get("doc")
    if kind == "module":
        return Module(
            name=name.rsplit(".", 1)[-1],
            path=str(data["path"]),
            importable=bool(data.get("importable")),
            doc=doc,
            all=tuple(data["all"]) if data.get("all") is not None else None,
            members=tuple(member_from_json(m) for m in data.get("members", ())),
        )
    if kind == "class":
        return Class(
            name=name,
            path=str(data["path"]),
            doc=doc,
            bases=tuple(type_from_json(b) for b in data.get("bases", ())),
            final=bool(data.get("final")),
            disjoint_base=bool(data.get("disjoint_base")),
            has_new=bool(data.get("has_new")),
            new_params=_params(data.get("new_params")),
            hash_none=bool(data.get("hash_none")),
            members=tuple(member_from_json(m) for m in data.get("members", ())),
        )
    if kind in ("function", "method"):
        return Function(
            name=name,
            params=_params(data.get("params")),
            doc=doc,
            binding=str(data.get("binding", "function")),
            is_async=bool(data.get("async")),
        )
    if kind == "property":
        writable = data.get("writable")
        return Property(name, writable if writable is None else bool(writable), doc)
    if kind == "attribute":
        return Attribute(name, type_from_json(data["type"]), data.get("value"))
    if kind == "alias":
        return Alias(name, str(data["target"]))
    if kind == "external":
        return External(name, str(data["module"]), data.get("qualname"), bool(data.get("is_class")))
    raise ValueError(f"unknown member kind {kind!r}")


def from_json(document: Mapping[str, Any]) -> Module:
    """The root module of an introspection document."""
    root = member_from_json(document["module"])
    assert isinstance(root, Module)
    return root
