"""``ferrule._record.record`` behaves as ``@dataclass(frozen=True)`` for every shape ferrule
uses, and costs one ``exec`` a class instead of dataclasses' six."""

from __future__ import annotations

import ast
import builtins
import copy
import dataclasses
import importlib
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from ferrule._record import record

SRC = Path(__file__).resolve().parents[2] / "src" / "ferrule"


def shapes(decorate: Callable[[type], type]) -> dict[str, type]:
    """The same classes, made by ``decorate``: every feature ferrule's records use."""

    class Empty:
        pass

    class One:
        name: str

    class Defaults:
        a: int
        b: str = "b"
        c: tuple[int, ...] = ()
        d: list[int] = field(default_factory=list)
        e: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
        f: str = field(default="f", metadata={"key": "f-key"})
        g: int | None = field(default=None, repr=False)
        h: ClassVar[int] = 7

    class Posted:
        value: int
        seen: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")
            self.seen.append(self.value)

    class Own:  # noqa: PLW1641 (the record adds it, as a dataclass does)
        key: str
        other: int = 0

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Own) and other.key == self.key

        def __repr__(self) -> str:
            return f"<{self.key}>"

    class OwnHash:
        key: str

        def __hash__(self) -> int:
            return 42

    made = {cls.__name__: decorate(cls) for cls in (Empty, One, Defaults, Posted, Own, OwnHash)}

    class Child(made["Defaults"]):  # type: ignore[misc,valid-type]
        i: int = 9
        b: str = "child b"  # a redefined field keeps its place

    made["Child"] = decorate(Child)
    return made


DATACLASSES = shapes(dataclass(frozen=True))


# Each test makes its records in its body, not at import or in a fixture: what a test
# checks is the class made now (mutation testing attributes to a test what its body runs).


ARGS: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Empty": [((), {})],
    "One": [(("xyz",), {}), ((), {"name": "abc"})],
    "Defaults": [
        ((1,), {}),
        ((2, "b2", (1, 2), [3]), {"e": {"k": 1}, "f": "f2", "g": 5}),
        ((1,), {"e": {"other": 2}}),  # equal to the first: e is not compared
    ],
    "Posted": [((1,), {}), ((2, [7]), {})],
    "Own": [(("k",), {}), (("k", 1), {})],
    "OwnHash": [(("k",), {})],
    "Child": [((1,), {}), ((1, "x"), {"i": 3})],
}


def pairs() -> Iterator[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    for name, calls in ARGS.items():
        for args, kwargs in calls:
            yield name, args, kwargs


def make(kind: dict[str, type], name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return kind[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))


def hash_or_error(value: object) -> object:
    try:
        return hash(value)
    except TypeError as error:  # a list among the compared fields, for both
        return str(error)


@pytest.mark.parametrize(("name", "args", "kwargs"), list(pairs()))
def test_an_instance_is_what_the_dataclass_gives(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    records = shapes(record)
    ours, theirs = make(records, name, args, kwargs), make(DATACLASSES, name, args, kwargs)
    assert repr(ours) == repr(theirs)
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)

    def described(value: object) -> list[tuple[object, ...]]:
        return [
            (f.name, f.type, f.default, f.repr, f.compare, dict(f.metadata))
            for f in dataclasses.fields(value)  # type: ignore[arg-type]
        ]

    assert described(ours) == described(theirs)
    assert type(ours).__init__.__qualname__ == type(theirs).__init__.__qualname__
    assert type(ours).__init__.__module__ == __name__
    assert hash_or_error(ours) == hash_or_error(theirs)
    for field_name in [f.name for f in dataclasses.fields(ours)] + ["unknown"]:
        with pytest.raises(dataclasses.FrozenInstanceError) as error:
            setattr(ours, field_name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(theirs, field_name, 1)
        assert str(error.value) == f"cannot assign to field {field_name!r}"
        with pytest.raises(dataclasses.FrozenInstanceError) as error:
            delattr(ours, field_name)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(theirs, field_name)
        assert str(error.value) == f"cannot delete field {field_name!r}"


@pytest.mark.parametrize("name", list(ARGS))
def test_equality_and_hash_follow_the_compared_fields(name: str) -> None:
    records = shapes(record)
    calls = ARGS[name]
    for kind in (records, DATACLASSES):
        made = [make(kind, name, args, kwargs) for args, kwargs in calls]
        again = [make(kind, name, args, kwargs) for args, kwargs in calls]
        table = [[a == b for b in again] for a in made]
        if kind is records:
            expected = table
        else:
            assert table == expected, name
        for a, b in zip(made, again):
            assert a == b
            assert hash_or_error(a) == hash_or_error(b)
    first = make(records, name, *calls[0])
    assert first != object() and (first == object()) is False


def test_equality_needs_the_same_class() -> None:
    records = shapes(record)
    one = records["Defaults"](1)
    assert one != records["Child"](1)
    assert one.__eq__(DATACLASSES["Defaults"](1)) is NotImplemented


def test_unequal_when_a_compared_field_differs() -> None:
    records = shapes(record)
    base = records["Defaults"](1)
    for change in ({"a": 2}, {"b": "x"}, {"c": (1,)}, {"d": [1]}, {"f": "x"}, {"g": 1}):
        other = dataclasses.replace(base, **change)
        assert other != base, change
    assert dataclasses.replace(base, e={"x": 1}) == base


def test_defaults_constructor_errors_and_class_attributes() -> None:
    records = shapes(record)
    for kind in (records, DATACLASSES):
        cls = kind["Defaults"]
        assert cls.b == "b" and cls.f == "f" and cls.g is None and cls.h == 7
        assert "d" not in cls.__dict__ and "e" not in cls.__dict__
        assert cls.__match_args__ == ("a", "b", "c", "d", "e", "f", "g")
        assert cls(1).d is not cls(1).d  # a fresh list from the factory each time
        assert dataclasses.is_dataclass(cls)
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            cls(1, "b", (), [], {}, "f", None, "too many")
        with pytest.raises(TypeError):
            cls(1, unknown=2)
    child = records["Child"]
    assert [f.name for f in dataclasses.fields(child)] == [
        f.name for f in dataclasses.fields(DATACLASSES["Child"])
    ]
    assert child(1).b == "child b"


def test_post_init_runs_after_the_fields_are_set() -> None:
    records = shapes(record)
    assert records["Posted"](3).seen == [3]
    with pytest.raises(ValueError, match="negative"):
        records["Posted"](-1)
    assert dataclasses.replace(records["Posted"](3), value=4).seen == [3, 4]


def test_methods_the_class_writes_are_kept() -> None:
    records = shapes(record)
    own = records["Own"]
    assert repr(own("k")) == "<k>"
    assert own("k", 1) == own("k", 2)
    assert hash(own("k", 1)) == hash(own("k", 1))  # Python set __hash__ = None: ours is added
    assert hash(records["OwnHash"]("a")) == 42


def test_records_pickle_and_copy() -> None:
    records = shapes(record)
    value = records["Defaults"](1, e={"k": 1})
    assert copy.copy(value) == value and copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(Pickled(5))) == Pickled(5)  # noqa: S301


@record
class Pickled:  # pickle finds a class by its module-level name
    x: int


def test_a_stdlib_dataclass_may_inherit_from_a_record() -> None:
    records = shapes(record)

    @dataclass(frozen=True)
    class Sub(records["One"]):  # type: ignore[misc,valid-type]
        more: int = 1

    assert repr(Sub("n", 2)).endswith("Sub(name='n', more=2)")
    with pytest.raises(TypeError, match="non-frozen"):

        @dataclass
        class Thawed(records["One"]):  # type: ignore[misc,valid-type]
            more: int = 1


def test_what_records_refuse() -> None:
    with pytest.raises(ValueError) as error:

        @record
        class Mutable:
            items: list[int] = []  # noqa: RUF012

    assert str(error.value) == (
        "mutable default <class 'list'> for field items is not allowed: use default_factory"
    )

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Order:
            a: int = 1
            b: int

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class AfterFactory:
            a: list[int] = field(default_factory=list)
            b: int

    with pytest.raises(TypeError, match="init=False"):

        @record
        class NoInit:
            a: int = field(default=1, init=False)

    for annotation in ("InitVar[int]", "dataclasses.KW_ONLY", dataclasses.InitVar[int]):
        with pytest.raises(TypeError, match="do not support"):
            record(type("Odd", (), {"__annotations__": {"a": annotation}}))
    with pytest.raises(TypeError, match="cannot overwrite attribute __setattr__"):

        @record
        class Settable:
            a: int

            def __setattr__(self, name: str, value: object) -> None: ...


def test_annotations_given_as_objects() -> None:
    """Without ``from __future__ import annotations`` the annotations are objects."""
    made = record(
        type(
            "Plain",
            (),
            {
                "__annotations__": {
                    "a": int,
                    "b": ClassVar[int],
                    "c": ClassVar,
                    "d": "typing.ClassVar[str]",
                    "e": str,
                },
                "b": 1,
                "c": 2,
                "d": "d",
                "e": "e",
            },
        )
    )
    assert [(f.name, f.type) for f in dataclasses.fields(made)] == [("a", int), ("e", str)]
    assert made(1) == made(1, "e") and made.b == 1 and made.d == "d"
    if hasattr(dataclasses, "KW_ONLY"):  # Python 3.10 and later
        with pytest.raises(TypeError, match="do not support"):
            record(type("Odd", (), {"__annotations__": {"a": dataclasses.KW_ONLY}}))


@pytest.mark.parametrize("key", ["__annotate_func__", "__annotate__"])
def test_annotations_from_annotationlib(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """Python 3.14 keeps a class's annotations behind ``__annotate__`` (without the
    ``__future__`` import): they are read with annotationlib, forward references kept."""
    asked: list[tuple[object, object]] = []

    class Format:
        FORWARDREF = "forward"

    def get_annotations(cls: type, *, format: object) -> dict[str, Any]:
        asked.append((cls, format))
        return {"x": "int"}

    fake = SimpleNamespace(Format=Format, get_annotations=get_annotations)
    real = importlib.import_module
    monkeypatch.setattr(
        importlib, "import_module", lambda name: fake if name == "annotationlib" else real(name)
    )
    lazy = type("Lazy", (), {key: lambda _format: {}})
    assert "__annotations__" not in lazy.__dict__
    made = record(lazy)
    assert asked == [(made, "forward")]
    assert made(3).x == 3
    bare = record(type("Bare", (), {}))
    assert bare() == bare() and repr(bare()) == "Bare()"
    assert asked == [(made, "forward")]  # a class with neither: no fields, no annotationlib


def test_one_exec_a_class(monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes records cheap: dataclasses compiles six methods, a record one."""
    real = builtins.exec
    counts: list[object] = []

    def counting(*args: Any, **kwargs: Any) -> None:
        counts.append(args[0])
        real(*args, **kwargs)

    def execs(decorate: Callable[[type], type]) -> int:
        counts.clear()
        with monkeypatch.context() as patch:
            patch.setattr(builtins, "exec", counting)
            shapes(decorate)
        return len(counts)

    classes = len(shapes(record))
    assert execs(record) == classes
    if sys.version_info < (3, 13):  # 3.13 joins the six methods into one exec
        assert execs(dataclass(frozen=True)) >= 5 * classes


def test_every_frozen_value_class_in_ferrule_is_a_record() -> None:
    """A frozen dataclass written the stdlib way costs the start-up what records save."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and any(k.arg == "frozen" for k in node.keywords)
                and "dataclass" in ast.unparse(node.func)
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == [], "use ferrule._record.record instead of @dataclass(frozen=True)"
