"""Frozen records: what ``@dataclass(frozen=True)`` makes, for a fraction of its import cost.

Every ferrule command and hook defines some sixty immutable value classes at
import. ``dataclasses`` compiles six methods for each with ``exec``
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``,
``__delattr__``): about 0.5 ms a class on CPython 3.11, a sixth of a cold
no-op build. :func:`record` compiles ``__init__`` alone and gives every record
the same five other methods, which read the class's field names. A record is a
dataclass to everything else: ``__dataclass_fields__`` holds real
:class:`dataclasses.Field` objects, so :func:`dataclasses.fields`,
:func:`dataclasses.replace`, :func:`dataclasses.asdict` and
:func:`dataclasses.is_dataclass` work, and type checkers see
``@dataclass(frozen=True)`` (``dataclass_transform``).

What it supports is what ferrule's classes use: fields with a default, a
``field(default=..., default_factory=..., repr=..., compare=..., metadata=...)``,
``ClassVar`` annotations (not fields), ``__post_init__``, and inheriting the
fields of another record. ``InitVar``, ``KW_ONLY`` and ``field(init=False)``
are refused, as is a mutable default: each a ``TypeError`` or ``ValueError``
when the class is defined, as ``dataclasses`` does for what it refuses.

>>> @record
... class Pair:
...     left: int
...     right: str = "r"
>>> Pair(1)
Pair(left=1, right='r')
>>> Pair(1) == Pair(1, "r"), hash(Pair(1)) == hash(Pair(1, "r"))
(True, True)
>>> import dataclasses
>>> dataclasses.replace(Pair(1), right="x")
Pair(left=1, right='x')
>>> Pair(1).left = 2
Traceback (most recent call last):
...
dataclasses.FrozenInstanceError: cannot assign to field 'left'
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import MISSING, Field, FrozenInstanceError
from operator import attrgetter
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: object) -> Callable[[Any], Any]:
        return lambda decorated: decorated


__all__ = ["record"]

_T = TypeVar("_T", bound=type)

# How dataclasses marks a real field (as against a ClassVar or an InitVar) in
# ``Field._field_type``; dataclasses.fields() returns only those.
_FIELD = dataclasses._FIELD  # type: ignore[attr-defined]

_UNSUPPORTED = ("InitVar", "dataclasses.InitVar", "KW_ONLY", "dataclasses.KW_ONLY")

# What dataclasses reads of a dataclass base's parameters (a stdlib dataclass
# may inherit from a record): it is frozen.
_PARAMS = SimpleNamespace(
    init=True,
    repr=True,
    eq=True,
    order=False,
    unsafe_hash=False,
    frozen=True,
    match_args=True,
    kw_only=False,
    slots=False,
    weakref_slot=False,
)

# The default of a field made by a factory, in the compiled __init__'s signature.
_FACTORY = object()


def _values(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """A function giving the values of ``names`` as a tuple (attrgetter gives a bare
    value for one name and refuses none)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda _obj: ()


def _repr(self: Any) -> str:
    cls = type(self)
    parts = [
        f"{name}={value!r}" for name, value in zip(cls.__record_repr__, cls._repr_values(self))
    ]
    return f"{cls.__qualname__}({', '.join(parts)})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return self._compare_values(self) == other._compare_values(other)


def _hash(self: Any) -> int:
    return hash(self._compare_values(self))


def _setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _is_classvar(annotation: object) -> bool:
    if isinstance(annotation, str):  # ``from __future__ import annotations``
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _is_unsupported(annotation: object) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(_UNSUPPORTED)
    kw_only = getattr(dataclasses, "KW_ONLY", None)  # Python 3.10 and later
    return isinstance(annotation, dataclasses.InitVar) or annotation in (
        dataclasses.InitVar,
        kw_only,
    )


def _annotations(cls: type) -> dict[str, Any]:
    """The annotations the class body wrote (strings under ``from __future__ import
    annotations``, as in all of ferrule), not those of its bases."""
    own: dict[str, Any] | None = cls.__dict__.get("__annotations__")  # noqa: RUF063
    # Python 3.14, without the import: the class keeps its annotate function (under
    # one name or the other) and annotationlib evaluates it.
    if own is None and ("__annotate_func__" in cls.__dict__ or "__annotate__" in cls.__dict__):
        lib = importlib.import_module("annotationlib")
        return dict(lib.get_annotations(cls, format=lib.Format.FORWARDREF))
    return own or {}


def _own_fields(cls: type) -> list[Field[Any]]:
    made = []
    for name, annotation in _annotations(cls).items():
        if _is_classvar(annotation):
            continue
        if _is_unsupported(annotation):
            raise TypeError(f"{cls.__qualname__}.{name}: records do not support {annotation}")
        given = cls.__dict__.get(name, MISSING)
        found: Field[Any] = given if isinstance(given, Field) else dataclasses.field(default=given)
        if not found.init:
            raise TypeError(f"{cls.__qualname__}.{name}: records do not support init=False")
        default = found.default
        if default is not MISSING and type(default).__hash__ is None:
            raise ValueError(
                f"mutable default {type(default)} for field {name} is not allowed: "
                "use default_factory"
            )
        found.name = name
        found.type = annotation
        found._field_type = _FIELD  # type: ignore[attr-defined]
        if hasattr(found, "kw_only"):  # Python 3.10 and later; a dataclass subclass reads it
            found.kw_only = False
        # As dataclasses leaves it: the class attribute is the default, or nothing.
        if default is not MISSING:
            setattr(cls, name, default)
        elif isinstance(given, Field):
            delattr(cls, name)
        made.append(found)
    return made


def _compile_init(cls: type, fields: list[Field[Any]]) -> Callable[..., None]:
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    params: list[str] = []
    lines: list[str] = []
    seen_default = False
    for f in fields:
        name = f.name
        if f.default is not MISSING:
            namespace[f"_d_{name}"] = f.default
            params.append(f"{name}=_d_{name}")
            lines.append(f"_set(self, {name!r}, {name})")
            seen_default = True
        elif f.default_factory is not MISSING:
            namespace[f"_f_{name}"] = f.default_factory
            params.append(f"{name}=_FACTORY")
            lines.append(f"_set(self, {name!r}, _f_{name}() if {name} is _FACTORY else {name})")
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        else:
            params.append(name)
            lines.append(f"_set(self, {name!r}, {name})")
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    body = "\n ".join(lines or ["pass"])
    exec(f"def __init__(self, {', '.join(params)}):\n {body}", namespace)  # noqa: S102
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, Field))
def record(cls: _T) -> _T:
    """Make ``cls`` a frozen dataclass (see the module's docstring)."""
    own = cls.__dict__
    for method in ("__setattr__", "__delattr__"):
        if method in own:
            raise TypeError(f"cannot overwrite attribute {method} in class {cls.__qualname__}")
    inherited: dict[str, Field[Any]] = {}
    for base in reversed(cls.__mro__[1:]):
        inherited.update(base.__dict__.get("__dataclass_fields__", {}))
    fields = {f.name: f for f in inherited.values()}
    fields.update((f.name, f) for f in _own_fields(cls))
    ordered = list(fields.values())

    cls.__dataclass_fields__ = fields  # type: ignore[attr-defined]
    cls.__dataclass_params__ = _PARAMS  # type: ignore[attr-defined]
    cls.__match_args__ = tuple(fields)  # type: ignore[attr-defined,misc]
    cls.__record_repr__ = tuple(f.name for f in ordered if f.repr)  # type: ignore[attr-defined]
    cls._repr_values = staticmethod(_values(cls.__record_repr__))  # type: ignore[attr-defined]
    cls._compare_values = staticmethod(  # type: ignore[attr-defined]
        _values(tuple(f.name for f in ordered if f.compare))
    )
    if "__init__" not in own:
        cls.__init__ = _compile_init(cls, ordered)  # type: ignore[misc]
    if "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[assignment]
    if "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[assignment]
    # A class that writes __eq__ gets __hash__ = None from Python: dataclasses then
    # adds its own __hash__, and keeps one the class wrote.
    if own.get("__hash__") is None:
        cls.__hash__ = _hash  # type: ignore[assignment]
    cls.__setattr__ = _setattr  # type: ignore[assignment]
    cls.__delattr__ = _delattr  # type: ignore[assignment]
    return cls
