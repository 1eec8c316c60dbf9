"""Which stub file holds each module and class, and the imports one file needs.

Every module of the tree gets a file of its own, as pyo3's stub generator
(the one maturin runs) lays them out: a module with submodules is a stub
package ``<name>/__init__.pyi``, a module without is ``<name>.pyi``. A
:class:`Placement` records where each module and class is written, so a
:class:`Scope` can spell a reference to it from any file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ferrule.stubs.model import Class, Const, ListOf, Module, Name, Ref, TypeExpr, UnionOf

__all__ = ["Placement", "Scope", "StubFile"]


@dataclass
class StubFile:
    module: Module
    path: PurePosixPath  # relative to the directory holding the root module's stub
    local_names: set[str] = field(default_factory=set)  # names a module import must not shadow


class Placement:
    """The file of every module of the tree, and the module of every class.

    >>> tree = Module("m", "m", members=(Module("sub", "m.sub", members=(Class("C", "m.sub.C"),)),))
    >>> sorted(str(f.path) for f in Placement(tree).files.values())
    ['m/__init__.pyi', 'm/sub.pyi']
    >>> Placement(tree).classes["m.sub.C"]
    'm.sub'
    """

    def __init__(self, root: Module) -> None:
        self.files: dict[str, StubFile] = {}  # module path -> its file
        self.classes: dict[str, str] = {}  # class path -> path of the module defining it
        self._place(root, PurePosixPath())

    def _place(self, module: Module, directory: PurePosixPath) -> None:
        submodules = [m for m in module.members if isinstance(m, Module)]
        if submodules:
            path = directory / module.name / "__init__.pyi"
        else:
            path = directory / f"{module.name}.pyi"
        file = StubFile(module, path, {m.name for m in module.members})
        self.files[module.path] = file
        self._place_classes(file, module.members)
        for sub in submodules:
            self._place(sub, path.parent)

    def _place_classes(self, file: StubFile, members: tuple[object, ...]) -> None:
        for member in members:
            if isinstance(member, Class):
                self.classes[member.path] = file.module.path
                file.local_names.update(m.name for m in member.members)
                self._place_classes(file, member.members)


class Scope:
    """One file being written: its imports and the names it must not shadow."""

    def __init__(self, placement: Placement, file: StubFile) -> None:
        self.placement = placement
        self.file = file
        self.plain: set[str] = set()  # import X
        self.froms: dict[str, dict[str, bool]] = {}  # module -> {name: re-exported}
        self.bound: dict[str, str] = {}  # name -> module it was imported from

    def import_from(self, module: str, name: str, *, export: bool = False) -> str | None:
        """Bind ``name`` from ``module`` (``as name`` when ``export``); None if that would clash."""
        if self.bound.get(name) == module:
            if export:
                self.froms[module][name] = True
            return name
        if name in self.bound or (name in self.file.local_names and not export):
            return None
        self.bound[name] = module
        self.froms.setdefault(module, {})[name] = export
        return name

    def qualified(self, module: str, qualname: str) -> str:
        """An expression for ``module.qualname``: imported by name unless that clashes."""
        first, _, rest = qualname.partition(".")
        if module == "builtins":
            if first in self.file.local_names:
                self.plain.add("builtins")
                return f"builtins.{qualname}"
            return qualname
        bound = self.import_from(module, first)
        if bound is None:
            self.plain.add(module)
            return f"{module}.{qualname}"
        return f"{bound}.{rest}" if rest else bound

    def typing(self, name: str) -> str:
        module = "typing_extensions" if name in ("Self", "disjoint_base") else "typing"
        return self.qualified(module, name)

    def ref(self, path: str) -> str:
        """A class of the tree, by its path; ``Any`` for one the stubs do not define."""
        module = self.placement.classes.get(path)
        if module is None:
            return self.typing("Any")
        qualname = path[len(module) + 1 :]
        if module == self.file.module.path:
            return qualname
        return self.qualified(module, qualname)

    def module_ref(self, path: str) -> str:
        self.plain.add(path)
        return path

    def type(self, expr: TypeExpr | None) -> str:
        if expr is None:
            return self.typing("Any")
        if isinstance(expr, Name):
            return self.qualified(expr.module, expr.qualname)
        if isinstance(expr, Ref):
            return self.ref(expr.path)
        if isinstance(expr, Const):
            return expr.text
        if isinstance(expr, UnionOf):
            return " | ".join(self.type(item) for item in expr.items)
        if isinstance(expr, ListOf):
            return "[" + ", ".join(self.type(item) for item in expr.items) + "]"
        args = ", ".join(self.type(a) for a in expr.args) if expr.args else "()"
        return f"{self.type(expr.value)}[{args}]"

    def import_lines(self) -> list[str]:
        lines = [f"import {m}" for m in sorted(self.plain)]
        for module in sorted(self.froms, key=lambda m: (m.startswith("."), m)):
            names = self.froms[module]
            parts = [f"{n} as {n}" if names[n] else n for n in sorted(names)]
            lines.append(f"from {module} import {', '.join(parts)}")
        return lines
