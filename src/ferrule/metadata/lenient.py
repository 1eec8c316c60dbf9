"""The loose ``[project]`` input maturin builds, made acceptable to pyproject-metadata.

:mod:`ferrule.config.project_table` finds the loose input and warns about it
(strict mode refuses it there). Here the copy of ``[project]`` that
pyproject-metadata validates is reshaped so that it accepts what maturin
accepts; :func:`ferrule.metadata.project.from_project` then takes the values
left out of that copy from ``[project]`` itself, as maturin writes them.
"""

from __future__ import annotations

from typing import Any

from ferrule.config.project_table import dotted_group

__all__ = ["lenient_table"]

# What maturin writes that pyproject-metadata refuses, and how it is kept from it:
#   readme table without content-type -> validated as text/plain, written without one
#   entry-point group that is no dotted name -> left out, taken from [project]
#   import-names / import-namespaces -> left out, validated and taken from [project]
#     (ferrule.metadata.import_names: pyproject-metadata wants metadata_version 2.5 for them)
#   License classifiers next to an SPDX license -> left out, taken from [project]
#   project.urls labels over 32 characters -> left out, taken from [project]


def lenient_table(table: dict[str, Any]) -> None:
    """Reshape ``table`` (a copy of ``[project]``) in place, before pyproject-metadata."""
    readme = table.get("readme")
    if isinstance(readme, dict) and "content-type" not in readme:
        table["readme"] = {**readme, "content-type": "text/plain"}
    groups = table.get("entry-points")
    if isinstance(groups, dict):
        table["entry-points"] = {
            g: v for g, v in groups.items() if not isinstance(g, str) or dotted_group(g)
        }
    for key in ("import-names", "import-namespaces"):
        table.pop(key, None)
    classifiers = table.get("classifiers")
    if isinstance(table.get("license"), str) and isinstance(classifiers, list):
        table["classifiers"] = [c for c in classifiers if not str(c).startswith("License ::")]
    urls = table.get("urls")
    if isinstance(urls, dict):
        table["urls"] = {k: v for k, v in urls.items() if not (isinstance(k, str) and len(k) > 32)}
