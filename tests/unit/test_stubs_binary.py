"""Reading pyo3's introspection fragments from ELF binaries, and laying their types over the model."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import pytest

from ferrule.stubs.binary import introspection_chunks
from ferrule.stubs.model import ANY, Attribute, Class, Function, Module, Name, Param, Property, Ref
from ferrule.stubs.pyo3data import apply_introspection


def make_elf(symbols: dict[bytes, bytes], *, bits: int, endian: str) -> bytes:
    """A minimal shared object: .rodata holding the fragments, .dynstr and .dynsym naming them."""
    header_size, address = (64 if bits == 64 else 52), 0x4000
    rodata, values = b"", []
    for name, payload in symbols.items():
        values.append((name, len(rodata)))
        rodata += struct.pack(endian + "I", len(payload)) + payload
    dynstr, dynsym = b"\0", b"\0" * (24 if bits == 64 else 16)
    for name, offset in values:
        if bits == 64:
            dynsym += struct.pack(endian + "IBBHQQ", len(dynstr), 0x11, 0, 1, address + offset, 8)
        else:
            dynsym += struct.pack(endian + "IIIBBH", len(dynstr), address + offset, 8, 0x11, 0, 1)
        dynstr += name + b"\0"
    rodata_at = header_size
    dynstr_at = rodata_at + len(rodata)
    dynsym_at = dynstr_at + len(dynstr)
    sections_at = dynsym_at + len(dynsym)
    sym_size = 24 if bits == 64 else 16
    # (type, addr, offset, size, link, entsize)
    sections = [
        (0, 0, 0, 0, 0, 0),
        (1, address, rodata_at, len(rodata), 0, 0),
        (3, 0, dynstr_at, len(dynstr), 0, 0),
        (11, 0, dynsym_at, len(dynsym), 2, sym_size),
    ]
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if endian == "<" else 2, 1]) + b"\0" * 9
    if bits == 64:
        header = ident + struct.pack(
            endian + "HHIQQQIHHHHHH", 3, 62, 1, 0, 0, sections_at, 0, 64, 0, 0, 64, 4, 0
        )
        table = b"".join(
            struct.pack(endian + "IIQQQQIIQQ", 0, t, 0, a, o, s, link, 0, 1, e)
            for t, a, o, s, link, e in sections
        )
    else:
        header = ident + struct.pack(
            endian + "HHIIIIIHHHHHH", 3, 3, 1, 0, 0, sections_at, 0, 52, 0, 0, 40, 4, 0
        )
        table = b"".join(
            struct.pack(endian + "IIIIIIIIII", 0, t, 0, a, o, s, link, 0, 1, e)
            for t, a, o, s, link, e in sections
        )
    return header + rodata + dynstr + dynsym + table


@pytest.mark.parametrize(("bits", "endian"), [(64, "<"), (32, ">")])
def test_fragments_are_found_by_symbol(tmp_path: Path, bits: int, endian: str) -> None:
    chunks = [{"type": "module", "id": "1", "name": "m", "members": [], "incomplete": False}]
    chunks.append({"type": "function", "name": "f", "arguments": {}, "parent": "1"})
    symbols = {b"PYO3_INTROSPECTION_1_%d" % i: json.dumps(c).encode() for i, c in enumerate(chunks)}
    symbols[b"unrelated"] = b"{not json"
    lib = tmp_path / "lib.so"
    lib.write_bytes(make_elf(symbols, bits=bits, endian=endian))
    assert introspection_chunks(lib) == chunks


def test_other_files(tmp_path: Path) -> None:
    text = tmp_path / "lib.pyd"
    text.write_bytes(b"MZ\x90\x00 a PE file")
    assert introspection_chunks(text) is None
    if sys.platform.startswith("linux"):  # an ELF file without pyo3 in it
        assert introspection_chunks(Path(sys.executable).resolve()) == []


INT = {"type": "attribute", "value": {"type": "name", "id": "builtins"}, "attr": "int"}
CHUNKS = [
    {
        "type": "module",
        "id": "m",
        "name": "_native",
        "members": ["c", "f", "s"],
        "incomplete": True,
    },
    {"type": "module", "id": "s", "name": "sub", "members": ["g"], "incomplete": False},
    {"type": "class", "id": "c", "name": "Point"},
    {
        "type": "function",
        "id": "f",
        "name": "make",
        "arguments": {"args": [{"name": "x", "annotation": INT}]},
        "returns": {"type": "id", "id": "c"},
    },
    {
        "type": "function",
        "id": "g",
        "name": "g",
        "arguments": {"vararg": {"name": "rest", "annotation": INT}},
        "returns": {"type": "id", "id": "unknown"},
    },
    {
        "type": "function",
        "name": "x",
        "parent": "c",
        "decorators": [{"type": "name", "id": "property"}],
        "arguments": {"posonlyargs": [{"name": "self"}]},
        "returns": INT,
    },
    {
        "type": "function",
        "name": "x",
        "parent": "c",
        "decorators": [
            {
                "type": "attribute",
                "value": {"type": "attribute", "value": {"type": "id", "id": "c"}, "attr": "x"},
                "attr": "setter",
            }
        ],
        "arguments": {"posonlyargs": [{"name": "self"}], "args": [{"name": "value"}]},
    },
    {
        "type": "attribute",
        "name": "N",
        "parent": "c",
        "annotation": {
            "type": "attribute",
            "value": {"type": "name", "id": "typing"},
            "attr": "Final",
        },
        "value": {"type": "constant", "kind": "int", "value": "2"},
    },
]


def test_types_are_laid_over_the_runtime_model() -> None:
    runtime = Module(
        "_native",
        "pkg._native",
        members=(
            Class(
                "Point",
                "pkg._native.Point",
                members=(
                    Property("x", writable=None),
                    Attribute("N", Name("builtins", "int"), "2"),
                ),
            ),
            Function("make", (Param("x", "positional_or_keyword"),)),
            Function("added_at_init", (Param("y", "positional_or_keyword"),)),
            Module(
                "sub",
                "pkg._native.sub",
                members=(Function("g", (Param("rest", "var_positional"),)),),
            ),
        ),
    )
    typed = apply_introspection(runtime, "_native", CHUNKS)
    assert typed is not None
    point, make, added, sub = typed.members
    assert isinstance(make, Function) and make.returns == Ref("pkg._native.Point")
    assert make.params == (Param("x", "positional_or_keyword", None, Name("builtins", "int")),)
    assert added == runtime.members[2]  # pyo3 knows nothing of it: stays Any
    assert isinstance(point, Class)
    x, n = point.members
    assert x == Property("x", writable=True, type=Name("builtins", "int"))
    assert n == Attribute("N", Name("builtins", "int"), "2", final=True)
    assert isinstance(sub, Module)
    (g,) = sub.members
    assert isinstance(g, Function) and g.returns == ANY  # a class pyo3 names but Python never sees
    assert g.params is not None and g.params[0].annotation == Name("builtins", "int")
    assert apply_introspection(runtime, "other", CHUNKS) is None


def test_function_style_modules_match_unlisted_items_by_unique_name() -> None:
    """`#[pymodule] fn` modules list no members; their functions are found by name if unique."""
    function = {"type": "function", "name": "f", "arguments": {}, "returns": INT}
    chunks = [
        {"type": "module", "id": "m", "name": "m", "members": [], "incomplete": True},
        {**function, "id": "1"},
        {**function, "id": "2", "name": "twice"},
        {**function, "id": "3", "name": "twice"},
    ]
    runtime = Module("m", "m", members=(Function("f", ()), Function("twice", ())))
    typed = apply_introspection(runtime, "m", chunks)
    assert typed is not None
    f, twice = typed.members
    assert isinstance(f, Function) and f.returns == Name("builtins", "int")
    assert twice == runtime.members[1]  # ambiguous: left as the runtime shows it
