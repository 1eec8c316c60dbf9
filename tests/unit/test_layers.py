"""No module imports from a layer above its own.

The layers and the package or module each row of ``docs/architecture.md``'s layer
table places in them are the one declaration: this test parses that table, reads
every module under ``src/ferrule`` with :mod:`ast` (imports inside functions and
under ``TYPE_CHECKING`` count too: a lazy import is still a dependency), and fails
on an import that climbs, on a module no row places, and on a row that names
nothing. A row names a module or a package; a package's row covers every module
inside it, and the most specific row wins, so a new module in an existing
package falls into the package's layer without a new row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"
TOP = "ferrule"


def module_names(src: Path = SRC) -> dict[str, Path]:
    """Every module under ``src/ferrule`` by dotted name (a package by its own name)."""
    names = {}
    for path in sorted((src / TOP).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[int, str]]:
    """(line, module) for each import of a ferrule module, wherever it stands.

    ``from ferrule.x import y`` names the module ``ferrule.x.y`` when that is a
    module, else ``ferrule.x`` (y is a name defined there).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.append((node.lineno, child if child in known else base))
    return [(line, mod) for line, mod in found if mod == TOP or mod.startswith(TOP + ".")]


def layer_table(text: str) -> list[tuple[str, str]]:
    """(layer, dotted name) per name in the table under the ``## Layers`` heading.

    A row's first cell is the layer, its second the module(s) or package(s), in
    backquotes.

    >>> layer_table('''## Layers
    ...
    ... | layer | package or module | responsibility |
    ... | --- | --- | --- |
    ... | base | `ferrule.errors` | the errors |
    ... | config | `ferrule.config`, `ferrule.interpreter` | settings |
    ...
    ... ## Next''')
    [('base', 'ferrule.errors'), ('config', 'ferrule.config'), ('config', 'ferrule.interpreter')]
    """
    section = ("\n" + text).split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    table = []
    for line in rows[2:]:  # after the header and its rule
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        table += [(cells[0], n) for n in re.findall(r"`([\w.]+)`", cells[1])]
    return table


TABLE = layer_table(DOC.read_text())
MODULES = module_names()


def layer_order(table: list[tuple[str, str]]) -> dict[str, int]:
    """The layers, lowest first, in the order the table lists them."""
    return {layer: rank for rank, layer in enumerate(dict.fromkeys(layer for layer, _ in table))}


def owner(module: str, table: list[tuple[str, str]]) -> str | None:
    """The most specific row naming ``module`` or a package that holds it.

    The top package's row (the backend object) covers its ``__init__.py`` only.
    """
    best = None
    for _, name in table:
        covers = module == name or (name != TOP and module.startswith(name + "."))
        if covers and (best is None or len(name) > len(best)):
            best = name
    return best


def upward_imports(
    table: list[tuple[str, str]], modules: dict[str, Path]
) -> list[tuple[str, int, str, str, str]]:
    """(module, line, imported module, its layer, the importer's layer) for each climb."""
    layer_of = {name: layer for layer, name in table}
    rank = layer_order(table)
    climbs = []
    for module, path in modules.items():
        here = owner(module, table)
        if here is None:
            continue
        for line, target in imports_of(module, path, set(modules)):
            there = owner(target, table)
            if there is not None and rank[layer_of[there]] > rank[layer_of[here]]:
                climbs.append((module, line, target, layer_of[there], layer_of[here]))
    return climbs


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if owner(m, TABLE) is None] == []


def test_every_row_names_a_module() -> None:
    assert [name for _, name in TABLE if name not in MODULES] == []
    names = [name for _, name in TABLE]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_each_layer_is_one_block_of_rows() -> None:
    """Reading the table top-down is reading the layers lowest first."""
    layers = [layer for layer, _ in TABLE]
    blocks = [layer for i, layer in enumerate(layers) if i == 0 or layers[i - 1] != layer]
    assert len(blocks) == len(set(blocks)), blocks


def test_no_import_climbs_a_layer() -> None:
    climbs = [
        f"{module}:{line} imports {target} ({above} is above {own})"
        for module, line, target, above, own in upward_imports(TABLE, MODULES)
    ]
    assert climbs == []


def test_the_checker_sees_a_lazy_upward_import(tmp_path: Path) -> None:
    """An import of the CLI inside a function of a base module is found."""
    src = tmp_path / "src"
    (src / TOP).mkdir(parents=True)
    (src / TOP / "__init__.py").write_text("")
    (src / TOP / "cli.py").write_text("")
    (src / TOP / "errors.py").write_text("def f():\n    from ferrule.cli import main\n")
    table = [("base", "ferrule.errors"), ("cli", "ferrule.cli"), ("hooks", TOP)]
    assert upward_imports(table, module_names(src)) == [
        ("ferrule.errors", 2, "ferrule.cli", "cli", "base")
    ]


@pytest.mark.parametrize(
    ("module", "row"),
    [
        ("ferrule.cargo.new_module", "ferrule.cargo"),  # a package's row covers new modules
        ("ferrule.audit.policy", "ferrule.audit.policy"),  # the most specific row wins
        ("ferrule.unknown", None),  # the top package's row covers its __init__ only
    ],
)
def test_rows_cover_packages(module: str, row: str | None) -> None:
    table = [
        ("base", "ferrule.audit.policy"),
        ("cargo", "ferrule.cargo"),
        ("wheel", "ferrule.audit"),
        ("hooks", TOP),
    ]
    assert owner(module, table) == row
