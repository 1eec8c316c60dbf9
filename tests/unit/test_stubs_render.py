"""The stub renderer: model -> .pyi text that parses, type-checks and says what the runtime does."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path, PurePosixPath

import mypy.api
import pytest

from ferrule.stubs.model import (
    ANY,
    Alias,
    Attribute,
    Class,
    Const,
    External,
    Function,
    Module,
    Name,
    Param,
    Property,
    Ref,
    Subscript,
    UnionOf,
)
from ferrule.stubs.render import HEADER, docstring, reexport_stub, render_stubs, star_exports

INT = Name("builtins", "int")
STR = Name("builtins", "str")


def p(name: str, kind: str = "positional_or_keyword", default: str | None = None, annotation=None):  # type: ignore[no-untyped-def]
    return Param(name, kind, default, annotation)


POINT = Class(
    name="Point",
    path="pkg.Point",
    doc="A point.",
    final=True,
    disjoint_base=True,
    has_new=True,
    new_params=(p("x", default="0.0"), p("y", default="0.0")),
    hash_none=True,
    members=(
        Attribute("DIMENSIONS", INT),
        Function("norm", (), doc="Length.", binding="instance"),
        Function("origin", (), binding="static"),
        Function("from_pair", (p("pair"),), binding="class"),
        Function("__eq__", (p("value", "positional_only"),), binding="instance"),
        Function("__lt__", (p("value", "positional_only"),), binding="instance"),
        Function("__len__", (), binding="instance"),
        Property("x", writable=True, doc="Horizontal."),
        Property("quadrant", writable=False),
    ),
)
SHAPE = Class("Shape", "pkg.Shape", disjoint_base=True, has_new=True, new_params=(p("name"),))
ERROR = Class("Error", "pkg.Error", doc='Raised "here"', bases=(Name("builtins", "ValueError"),))
FUNCS = (
    Function(
        "f",
        (
            p("a", "positional_only"),
            p("b", "positional_only", default="1"),
            p("c", default='"x"'),
            p("d", "keyword_only", default="..."),
            p("kw", "var_keyword"),
        ),
        doc='Line one.\n\n    Indented \\ and """ quotes.',
    ),
    Function("g", (p("args", "var_positional"), p("e", "keyword_only"))),
    Function("h", None),
)
NESTED = Module(
    "units",
    "pkg.geo.units",
    importable=False,
    members=(Attribute("FACTOR", Name("builtins", "float")), Function("feet", (p("m"),))),
)
GEO = Module(
    "geo",
    "pkg.geo",
    importable=True,
    doc="Geometry.",
    all=("Vector", "units"),
    members=(
        Class("Vector", "pkg.geo.Vector", final=True, members=(Property("p", writable=None),)),
        NESTED,
    ),
)
TEXT = Module(
    "text",
    "pkg.text",
    importable=False,
    doc="Text helpers.",
    members=(
        Function("shout", (p("s", annotation=STR),), returns=STR),
        Class("Word", "pkg.text.Word"),
    ),
)
ROOT = Module(
    "pkg",
    "pkg",
    doc="The root.",
    all=("Point", "f"),
    members=(
        POINT,
        SHAPE,
        ERROR,
        *FUNCS,
        Attribute("VERSION", STR, '"1.0"', final=True),
        Attribute("ORIGIN", Subscript(Name("builtins", "tuple"), (INT, INT))),
        Function(
            "make",
            (p("where", annotation=UnionOf((Ref("pkg.geo.Vector"), Const("None")))),),
            returns=Ref("pkg.text.Word"),
        ),
        Alias("P", "pkg.Point"),
        External("date", "datetime", "date", is_class=True),
        External("dt", "datetime", None),
        GEO,
        TEXT,
    ),
)


def lines(text: str) -> list[str]:
    return text.splitlines()


@pytest.fixture(scope="module")
def split() -> dict[PurePosixPath, str]:
    return render_stubs(ROOT)


def test_every_module_has_a_file(split: dict[PurePosixPath, str]) -> None:
    """As pyo3's stub generator (maturin) lays them out, importable or not: a module with
    submodules is a stub package, one without is a file."""
    assert sorted(map(str, split)) == [
        "pkg/__init__.pyi",
        "pkg/geo/__init__.pyi",
        "pkg/geo/units.pyi",
        "pkg/text.pyi",
    ]
    alone = render_stubs(Module("m", "m", members=(Function("f", ()),)))
    assert list(alone) == [PurePosixPath("m.pyi")]
    for text in [*split.values(), *alone.values()]:
        assert text.startswith(HEADER + "\n") and "Protocol" not in text
        ast.parse(text)


def test_signatures(split: dict[PurePosixPath, str]) -> None:
    text = lines(split[PurePosixPath("pkg/__init__.pyi")])
    assert 'def f(a: Any, b: Any = 1, /, c: Any = "x", *, d: Any = ..., **kw: Any) -> Any:' in text
    assert "def g(*args: Any, e: Any) -> Any: ..." in text
    assert "def h(*args: Any, **kwargs: Any) -> Any: ..." in text
    assert "def make(where: Vector | None) -> Word: ..." in text
    assert "from pkg.text import Word" in text


def test_classes(split: dict[PurePosixPath, str]) -> None:
    text = split[PurePosixPath("pkg/__init__.pyi")]
    point = lines(text[text.index("@final\nclass Point:") : text.index("@disjoint_base")])
    for line in [
        '    """A point."""',
        "    DIMENSIONS: ClassVar[int]",
        "    __hash__: ClassVar[None]  # type: ignore[assignment]",
        "    def __new__(cls, x: Any = 0.0, y: Any = 0.0) -> Point: ...",
        "    def __eq__(self, value: object, /) -> bool: ...",
        "    def __len__(self) -> int: ...",
        "    @classmethod",
        "    def from_pair(cls, pair: Any) -> Any: ...",
        "    @staticmethod",
        "    def origin() -> Any: ...",
        "    def x(self, value: Any) -> None: ...",
    ]:
        assert line in point, line
    assert "    @quadrant.setter" not in point
    assert not any("__lt__" in line for line in point)  # untyped ordering: unreliable in pyo3
    assert "@disjoint_base\nclass Shape:\n    def __new__(cls, name: Any) -> Self: ..." in text
    assert 'class Error(ValueError):\n    """Raised "here\\""""' in text


def test_submodules_aliases_and_externals(split: dict[PurePosixPath, str]) -> None:
    root = lines(split[PurePosixPath("pkg/__init__.pyi")])
    geo = lines(split[PurePosixPath("pkg/geo/__init__.pyi")])
    units = lines(split[PurePosixPath("pkg/geo/units.pyi")])
    text = lines(split[PurePosixPath("pkg/text.pyi")])
    assert "from . import geo as geo, text as text" in root
    assert "from datetime import date as date" in root
    assert "dt = datetime" in root and "import datetime" in root
    assert "P = Point" in root
    assert "from pkg.geo import Vector" in root
    assert 'VERSION: Final = "1.0"' in root and "ORIGIN: tuple[int, int]" in root
    assert '"""Text helpers."""' in text and "def shout(s: str) -> str: ..." in text
    assert "class Word: ..." in text
    assert "from . import units as units" in geo
    assert '__all__ = [\n    "Vector",\n    "units",\n]' in "\n".join(geo)
    assert "FACTOR: float" in units and "def feet(m: Any) -> Any: ..." in units


def test_the_extension_of_a_pure_package_reexports_it() -> None:
    exported = star_exports(ROOT)
    text = reexport_stub(exported)
    assert text.startswith(HEADER + "\n")
    assert "from . import Point as Point, f as f" in text.splitlines()
    assert '__all__ = [\n    "Point",\n    "f",\n]' in text
    ast.parse(text)


def test_names_that_shadow_imports_are_qualified() -> None:
    module = Module(
        "m",
        "m",
        members=(
            Class("Any", "m.Any", members=(Property("int", writable=False, type=INT),)),
            Function("f", (p("x"),), returns=STR),
        ),
    )
    text = render_stubs(module)[PurePosixPath("m.pyi")]
    assert "import builtins\nimport typing" in text
    assert "    def int(self) -> builtins.int: ..." in text
    assert "def f(x: typing.Any) -> str: ..." in text


def test_star_exports_keep_what_import_star_copies() -> None:
    module = Module("m", "m", members=(Function("a", ()), Function("_b", ())))
    assert [m.name for m in star_exports(module).members] == ["a"]
    listed = Module("m", "m", all=("_b",), members=module.members)
    assert [m.name for m in star_exports(listed).members] == ["_b"]


def test_docstrings_stay_one_literal() -> None:
    for doc in ['ends with "', 'has """ inside', "back\\slash", "many\n\n  lines\n"]:
        for indent in ("", "        "):
            source = "\n".join(line.removeprefix(indent) for line in docstring(doc, indent))
            assert inspect.cleandoc(ast.literal_eval(source)) == inspect.cleandoc(doc)


def test_rendered_stubs_pass_mypy_strict(split: dict[PurePosixPath, str], tmp_path: Path) -> None:
    for rel, text in split.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    client = tmp_path / "client.py"
    client.write_text(
        "import pkg\nfrom pkg import geo\n"
        "v: geo.Vector = pkg.P.origin()\n"
        "n: int = len(pkg.Point())\n"
        "s: str = pkg.text.shout('x')\n"
        "w: pkg.text.Word = pkg.make(None)\n"
        "import pkg.geo.units\n"
        "f: float = pkg.geo.units.FACTOR\n"
    )
    files = [str(tmp_path / rel) for rel in split] + [str(client)]
    out, err, status = mypy.api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".cache"), *files]
    )
    assert status == 0, out + err


def test_any_is_the_default_type() -> None:
    module = Module("m", "m", members=(Attribute("X", ANY),))
    assert "X: Any" in render_stubs(module)[PurePosixPath("m.pyi")]
