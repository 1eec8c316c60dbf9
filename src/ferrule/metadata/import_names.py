"""``project.import-names`` and ``project.import-namespaces`` (PEP 794, Core Metadata 2.5).

Each value is a dotted name of Python identifiers (no keywords), optionally
followed by ``; private``. They are written as ``Import-Name`` and
``Import-Namespace``, one line per value in the order given, and make the file
``Metadata-Version: 2.5`` (maturin 1.16 drops them; docs/compat.md). An empty
``import-names`` says the project provides no import names (an empty
``Import-Name``). Listed in ``project.dynamic``, ``import-names`` is filled with
the top-level package of the module (and ``python-packages``), as PEP 794 lets
a backend do.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping
from typing import Any

from ferrule.metadata.problems import Problems

__all__ = ["import_fields", "import_name_problem"]


def import_name_problem(value: str) -> str | None:
    """Why ``value`` is no PEP 794 import name, or None when it is one.

    >>> import_name_problem("pkg.sub; private") is None
    True
    >>> import_name_problem("pkg.2nd")
    "'2nd' is not a Python identifier"
    >>> import_name_problem("pkg.class")
    "'class' is a Python keyword"
    >>> import_name_problem("pkg; public")
    "the only option after ';' is 'private'"
    """
    name, semicolon, option = value.partition(";")
    if semicolon and option.strip() != "private":
        return "the only option after ';' is 'private'"
    for part in name.strip().split("."):
        if not part.isidentifier():
            return f"{part!r} is not a Python identifier"
        if keyword.iskeyword(part):
            return f"{part!r} is a Python keyword"
    return None


def _bare(value: str) -> str:
    """The dotted name without ``; private`` and spaces, to compare names."""
    return value.partition(";")[0].strip()


def _listed(project: Mapping[str, Any], key: str, problems: Problems) -> list[str] | None:
    """``project.<key>`` validated: None when absent; problems are collected."""
    if key not in project:
        return None
    raw = project[key]
    if not isinstance(raw, list):
        problems.add(f"project.{key}", 'must be an array of dotted names, such as ["pkg"]')
        return []
    seen: set[str] = set()
    for i, value in enumerate(raw):
        if not isinstance(value, str):
            problems.add(f"project.{key}[{i}]", f"must be a string (a dotted name), not {value!r}")
            continue
        why = import_name_problem(value)
        if why is not None:
            problems.add(
                f"project.{key}[{i}]",
                f"{value!r} is not an import name (a dotted name of Python identifiers, "
                f"optionally followed by '; private'): {why}",
            )
        elif _bare(value) in seen:
            problems.add(f"project.{key}[{i}]", f"{_bare(value)!r} is listed twice; remove one")
        seen.add(_bare(value))
    return [v for v in raw if isinstance(v, str)]


def import_fields(
    project: Mapping[str, Any],
    dynamic: list[str],
    module_names: Callable[[], tuple[str, ...]],
    problems: Problems,
) -> dict[str, tuple[str, ...] | None]:
    """``import_names`` and ``import_namespaces`` for :class:`CoreMetadata`, validated.

    ``module_names`` gives the names a dynamic ``import-names`` is filled with.
    """
    names = _listed(project, "import-names", problems)
    namespaces = _listed(project, "import-namespaces", problems)
    if names is not None and namespaces:
        bare_names = {_bare(n) for n in names}
        for i, value in enumerate(namespaces):
            if _bare(value) in bare_names:
                problems.add(
                    f"project.import-namespaces[{i}]",
                    f"{_bare(value)!r} is also in project.import-names; a name is either "
                    "provided or a namespace; remove it from one of them",
                )
    if names is None and "import-names" in dynamic:
        filled = problems.guard(module_names)
        names = list(filled) if filled is not None else None
    return {
        "import_names": None if names is None else tuple(names),
        "import_namespaces": tuple(namespaces or ()),
    }
