"""``ferrule._record.record`` behaves as ``@dataclass(frozen=True)`` for every shape ferrule
uses, and costs one ``exec`` a class instead of dataclasses' six."""

from __future__ import annotations

import ast
import builtins
import copy
import dataclasses
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
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


RECORDS = shapes(record)
DATACLASSES = shapes(dataclass(frozen=True))

ARGS: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Empty": [((), {})],
    "One": [(("x",), {}), ((), {"name": "y"})],
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
    ours, theirs = make(RECORDS, name, args, kwargs), make(DATACLASSES, name, args, kwargs)
    assert repr(ours) == repr(theirs)
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert [
        (f.name, f.default, f.repr, f.compare, dict(f.metadata)) for f in dataclasses.fields(ours)
    ] == [
        (f.name, f.default, f.repr, f.compare, dict(f.metadata)) for f in dataclasses.fields(theirs)
    ]
    assert hash_or_error(ours) == hash_or_error(theirs)
    for field_name in [f.name for f in dataclasses.fields(ours)] + ["unknown"]:
        with pytest.raises(dataclasses.FrozenInstanceError) as error:
            setattr(ours, field_name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(theirs, field_name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(ours, field_name)
        assert str(error.value) == f"cannot assign to field {field_name!r}"


@pytest.mark.parametrize("name", list(ARGS))
def test_equality_and_hash_follow_the_compared_fields(name: str) -> None:
    calls = ARGS[name]
    for kind in (RECORDS, DATACLASSES):
        made = [make(kind, name, args, kwargs) for args, kwargs in calls]
        again = [make(kind, name, args, kwargs) for args, kwargs in calls]
        table = [[a == b for b in again] for a in made]
        if kind is RECORDS:
            expected = table
        else:
            assert table == expected, name
        for a, b in zip(made, again):
            assert a == b
            assert hash_or_error(a) == hash_or_error(b)
    first = make(RECORDS, name, *calls[0])
    assert first != object() and (first == object()) is False


def test_equality_needs_the_same_class() -> None:
    one = RECORDS["Defaults"](1)
    assert one != RECORDS["Child"](1)
    assert one.__eq__(DATACLASSES["Defaults"](1)) is NotImplemented


def test_unequal_when_a_compared_field_differs() -> None:
    base = RECORDS["Defaults"](1)
    for change in ({"a": 2}, {"b": "x"}, {"c": (1,)}, {"d": [1]}, {"f": "x"}, {"g": 1}):
        other = dataclasses.replace(base, **change)
        assert other != base, change
    assert dataclasses.replace(base, e={"x": 1}) == base


def test_defaults_constructor_errors_and_class_attributes() -> None:
    for kind in (RECORDS, DATACLASSES):
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
    child = RECORDS["Child"]
    assert [f.name for f in dataclasses.fields(child)] == [
        f.name for f in dataclasses.fields(DATACLASSES["Child"])
    ]
    assert child(1).b == "child b"


def test_post_init_runs_after_the_fields_are_set() -> None:
    assert RECORDS["Posted"](3).seen == [3]
    with pytest.raises(ValueError, match="negative"):
        RECORDS["Posted"](-1)
    assert dataclasses.replace(RECORDS["Posted"](3), value=4).seen == [3, 4]


def test_methods_the_class_writes_are_kept() -> None:
    own = RECORDS["Own"]
    assert repr(own("k")) == "<k>"
    assert own("k", 1) == own("k", 2)
    assert hash(own("k", 1)) == hash(own("k", 1))  # Python set __hash__ = None: ours is added
    assert hash(RECORDS["OwnHash"]("a")) == 42


def test_records_pickle_and_copy() -> None:
    value = RECORDS["Defaults"](1, e={"k": 1})
    assert copy.copy(value) == value and copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(Pickled(5))) == Pickled(5)  # noqa: S301


@record
class Pickled:  # pickle finds a class by its module-level name
    x: int


def test_a_stdlib_dataclass_may_inherit_from_a_record() -> None:
    @dataclass(frozen=True)
    class Sub(RECORDS["One"]):  # type: ignore[misc,valid-type]
        more: int = 1

    assert repr(Sub("n", 2)).endswith("Sub(name='n', more=2)")
    with pytest.raises(TypeError, match="non-frozen"):

        @dataclass
        class Thawed(RECORDS["One"]):  # type: ignore[misc,valid-type]
            more: int = 1


def test_what_records_refuse() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Mutable:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Order:
            a: int = 1
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
