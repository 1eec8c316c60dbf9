"""The introspection script: run as ferrule runs it (``python -I -c``) on modules with known shapes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from ferrule.stubs import _introspect_values
from ferrule.stubs.generate import introspection_script
from ferrule.stubs.model import from_json

SCRIPT = introspection_script()

PACKAGE = '''
"""A package with one of everything."""
import datetime
import sys
import types
from math import isclose

__all__ = ["Shape", "Shape2", "area", "isclose", "datetime", "sub", "reg", "LIMITS", "NAMES"]

LIMITS = (1, 2.5)
NAMES = ["a", "b"]
TABLE = {"a": 1}
HUGE = "x" * 100
WHEN = datetime.date(2020, 1, 1)


class Shape:
    """A shape."""

    SIDES = 3

    def __init__(self, name): self.name = name

    @property
    def kind(self):
        """Its kind."""
        return "shape"

    @property
    def size(self): return 1

    @size.setter
    def size(self, value): pass

    @staticmethod
    def make(n, *, exact=True): return Shape(n)

    @classmethod
    def default(cls): return cls("d")

    def area(self, scale=1.0, /): return 0.0


DEFAULT = Shape("x")
Shape2 = Shape


def area(shape, *args, precision: int = 2, **options):
    """The area."""


sub = types.ModuleType("sub", "Only an attribute.")
sub.VALUE = 1
reg = types.ModuleType("pkg.reg")
reg.f = area
sys.modules["pkg.reg"] = reg
'''


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("site")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text(textwrap.dedent(PACKAGE))
    out = root / "out.json"
    subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, str(root), "pkg", "pkg", str(out)],
        check=True,
        capture_output=True,
    )
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def members(module: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in module["members"]}


def test_module_tree(document: dict[str, Any]) -> None:
    root = document["module"]
    assert document["format"] == 1 and root["path"] == "pkg" and root["doc"].startswith("A package")
    found = members(root)
    assert found["sub"]["kind"] == "module" and found["sub"]["importable"] is False
    assert found["reg"]["importable"] is True and found["reg"]["path"] == "pkg.reg"
    (f,) = found["reg"]["members"]
    assert f["kind"] == "function" and f["name"] == "f" and f["doc"] == "The area."
    assert found["datetime"] == {
        "kind": "external",
        "name": "datetime",
        "module": "datetime",
        "qualname": None,
        "is_class": False,
    }
    assert found["isclose"]["kind"] == "external" and found["isclose"]["module"] == "math"
    assert found["Shape2"] == {"kind": "alias", "name": "Shape2", "target": "pkg.Shape"}
    # The model reads all of it.
    assert from_json(document).members


def test_values_are_typed_from_their_runtime_types(document: dict[str, Any]) -> None:
    found = members(document["module"])
    assert found["LIMITS"]["type"] == {
        "builtin": "tuple",
        "args": [{"builtin": "int"}, {"builtin": "float"}],
    }
    assert found["NAMES"]["type"] == {"builtin": "list", "args": [{"builtin": "str"}]}
    assert found["TABLE"]["type"]["args"] == [{"builtin": "str"}, {"builtin": "int"}]
    assert found["HUGE"]["value"] is None  # too long to spell in a stub
    assert found["WHEN"]["type"] == {"module": "datetime", "qualname": "date"}
    assert found["DEFAULT"]["type"] == {"ref": "pkg.Shape"}


def test_functions_and_classes(document: dict[str, Any]) -> None:
    found = members(document["module"])
    assert [(p["name"], p["kind"], p.get("default", "-")) for p in found["area"]["params"]] == [
        ("shape", "positional_or_keyword", "-"),
        ("args", "var_positional", "-"),
        ("precision", "keyword_only", "2"),
        ("options", "var_keyword", "-"),
    ]
    shape = found["Shape"]
    assert shape["final"] is False and shape["doc"] == "A shape."
    methods = members(shape)
    assert methods["make"]["binding"] == "static"
    assert methods["make"]["params"][1] == {
        "name": "exact",
        "kind": "keyword_only",
        "default": "True",
    }
    assert methods["default"]["binding"] == "class" and methods["default"]["params"] == []
    assert methods["area"]["params"] == [
        {"name": "scale", "kind": "positional_only", "default": "1.0"}
    ]
    assert methods["kind"] == {
        "kind": "property",
        "name": "kind",
        "doc": "Its kind.",
        "writable": False,
    }
    assert methods["size"]["writable"] is True
    assert methods["SIDES"]["type"] == {"builtin": "int"}


def test_builtin_signatures_come_from_text_signature() -> None:
    params = _introspect_values.signature(__import__("math").isclose)
    assert params == [
        {"name": "a", "kind": "positional_or_keyword"},
        {"name": "b", "kind": "positional_or_keyword"},
        {"name": "rel_tol", "kind": "keyword_only", "default": "1e-09"},
        {"name": "abs_tol", "kind": "keyword_only", "default": "0.0"},
    ]


@pytest.mark.skipif(
    sys.implementation.name != "cpython", reason="platform: reads CPython's PyGetSetDef"
)
def test_c_properties_know_whether_they_have_a_setter() -> None:
    assert _introspect_values.getset_writable(int.__dict__["real"]) is False
    assert _introspect_values.getset_writable(types.FunctionType.__dict__["__name__"]) is True


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", '"a"'),
        ("it's", '"it\'s"'),
        ('say "x"', "'say \"x\"'"),
        (b"ab", 'b"ab"'),
        (1.5, "1.5"),
        (float("inf"), None),
        (..., "..."),
        (None, "None"),
        (True, "True"),
        (-3, "-3"),
        ("x" * 60, None),
        ([1], None),
    ],
)
def test_literal(value: object, text: str | None) -> None:
    assert _introspect_values.literal(value) == text


def test_staging_keeps_the_project_modules_importable(tmp_path: Path) -> None:
    """A mixed project's extension may import its Python siblings; its __init__ is not run."""
    from pathlib import PurePosixPath

    from ferrule.layout import ProjectLayout
    from ferrule.stubs.generate import _stage

    python = tmp_path / "python"
    (python / "pkg").mkdir(parents=True)
    (python / "pkg" / "__init__.py").write_text("raise ImportError('not run')\n")
    (python / "pkg" / "helpers.py").write_text("VALUE = 42\n")
    (python / "pkg" / "_native.py").write_text("raise ImportError('a stale develop build')\n")
    fake_extension = tmp_path / "ext.py"
    fake_extension.write_text("from pkg.helpers import VALUE\n")
    layout = ProjectLayout(
        "pkg._native", "_native", True, python, python / "pkg", PurePosixPath("pkg"), (), None, None
    )
    site = tmp_path / "site"
    site.mkdir()
    assert _stage(site, layout, fake_extension, ".py") == ("pkg._native", "pkg._native")
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import pkg._native as m; print(m.VALUE)",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == "42"
