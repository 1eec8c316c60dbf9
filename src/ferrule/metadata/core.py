"""Core Metadata 2.4 (2.5 with PEP 794's import names) as a value, and its two file formats.

:class:`CoreMetadata` holds the fields ferrule writes; :func:`render_metadata`
turns it into the bytes of ``METADATA`` (wheels) and ``PKG-INFO`` (sdists), and
:func:`render_entry_points` into ``entry_points.txt``. Both writers follow
maturin's layout (field order, ``name=value`` entry points, a blank line and the
readme as the body) so that a project moving from maturin gets the same files.
Everything here is pure; the values are validated where they are read
(:mod:`ferrule.metadata`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ferrule._record import record

__all__ = [
    "CoreMetadata",
    "EntryPoints",
    "fold_header",
    "one_line",
    "render_entry_points",
    "render_metadata",
]

METADATA_VERSION = "2.4"
# Only with Import-Name / Import-Namespace (PEP 794), which maturin 1.16 does not write.
METADATA_VERSION_IMPORT_NAMES = "2.5"

# entry_points.txt: (group, {name: object reference}) in the order written.
EntryPoints = Sequence[tuple[str, Mapping[str, str]]]


@record
class CoreMetadata:
    """The fields of a ``METADATA`` file (https://packaging.python.org/specifications/core-metadata/).

    Multiple-use fields are tuples in the order they are written; optional
    single fields are ``None`` when absent. ``description`` is the body.
    """

    name: str
    version: str
    classifiers: tuple[str, ...] = ()
    requires_dist: tuple[str, ...] = ()
    provides_extra: tuple[str, ...] = ()
    license_files: tuple[str, ...] = ()
    summary: str | None = None
    keywords: str | None = None
    home_page: str | None = None
    author: str | None = None
    author_email: str | None = None
    maintainer: str | None = None
    maintainer_email: str | None = None
    license_expression: str | None = None
    license: str | None = None
    requires_python: str | None = None
    description_content_type: str | None = None
    project_urls: tuple[tuple[str, str], ...] = ()
    # PEP 794: None when not given; () for `import-names = []` (an empty Import-Name).
    import_names: tuple[str, ...] | None = None
    import_namespaces: tuple[str, ...] = ()
    description: str | None = None

    @property
    def metadata_version(self) -> str:
        """2.5 when there are import names or namespaces, else 2.4 (as maturin 1.16 writes)."""
        if self.import_names is not None or self.import_namespaces:
            return METADATA_VERSION_IMPORT_NAMES
        return METADATA_VERSION


def one_line(text: str) -> str:
    """Join a multi-line value into the single line a header needs.

    A line break inside a header would end the header block early and turn the
    fields after it into part of the body. maturin joins ``Summary`` this way.

    >>> one_line("  A test project\\n  written in Rust\\n\\n")
    'A test project written in Rust'
    """
    return " ".join(line.strip() for line in re.split(r"[\r\n]", text) if line.strip())


def fold_header(text: str) -> str:
    r"""A multi-line value (the legacy ``License`` text) as a folded header.

    Continuation lines start with a tab, and an empty line becomes a lone tab so
    that it cannot end the header block.

    >>> fold_header("MIT License\n\nCopyright (c) Jane  \n")
    'MIT License\n\t\n\tCopyright (c) Jane'
    >>> fold_header("MIT OR Apache-2.0")
    'MIT OR Apache-2.0'
    """
    lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", text.rstrip())]
    return "\n\t".join(lines)


def render_metadata(meta: CoreMetadata) -> bytes:
    r"""The bytes of ``METADATA`` / ``PKG-INFO``, in maturin's field order.

    >>> print(render_metadata(CoreMetadata(
    ...     name="demo", version="1.0", requires_dist=("attrs",), summary="A demo",
    ...     project_urls=(("Homepage", "https://example.org"),), description="# Demo\n",
    ...     description_content_type="text/markdown; charset=UTF-8; variant=GFM",
    ... )).decode(), end="")
    Metadata-Version: 2.4
    Name: demo
    Version: 1.0
    Requires-Dist: attrs
    Summary: A demo
    Description-Content-Type: text/markdown; charset=UTF-8; variant=GFM
    Project-URL: Homepage, https://example.org
    <BLANKLINE>
    # Demo
    <BLANKLINE>
    """
    fields: list[tuple[str, str]] = [
        ("Metadata-Version", meta.metadata_version),
        ("Name", meta.name),
        ("Version", meta.version),
    ]
    fields += [("Classifier", c) for c in meta.classifiers]
    fields += [("Requires-Dist", r) for r in meta.requires_dist]
    fields += [("Provides-Extra", e) for e in meta.provides_extra]
    fields += [("License-File", f) for f in meta.license_files]
    optional = (
        ("Summary", meta.summary),
        ("Keywords", meta.keywords),
        ("Home-Page", meta.home_page),
        ("Author", meta.author),
        ("Author-email", meta.author_email),
        ("Maintainer", meta.maintainer),
        ("Maintainer-email", meta.maintainer_email),
        ("License-Expression", meta.license_expression),
    )
    fields += [(key, value) for key, value in optional if value is not None]
    lines = [f"{key}: {one_line(value)}" for key, value in fields]
    if meta.license is not None:
        lines.append(f"License: {fold_header(meta.license)}")
    if meta.requires_python is not None:
        lines.append(f"Requires-Python: {one_line(meta.requires_python)}")
    if meta.description_content_type is not None:
        lines.append(f"Description-Content-Type: {one_line(meta.description_content_type)}")
    lines += [
        f"Project-URL: {one_line(label)}, {one_line(url)}" for label, url in meta.project_urls
    ]
    # After maturin's last header, where pyproject-metadata (and so meson-python and
    # scikit-build-core) writes them too: the last headers before the body.
    if meta.import_names is not None:
        lines += [f"Import-Name: {one_line(n)}".rstrip() for n in meta.import_names or ("",)]
    lines += [f"Import-Namespace: {one_line(name)}" for name in meta.import_namespaces]
    text = "".join(f"{line}\n" for line in lines)
    if meta.description is not None:
        text += f"\n{meta.description}\n"
    return text.encode("utf-8")


def render_entry_points(groups: EntryPoints) -> bytes | None:
    """``entry_points.txt``: groups and entries in the order given, as maturin writes it.

    >>> print(render_entry_points([("console_scripts", {"demo": "demo:main"}),
    ...                            ("gui_scripts", {})]).decode(), end="")
    [console_scripts]
    demo=demo:main
    >>> render_entry_points([]) is None
    True
    """
    text = ""
    for group, entries in groups:
        if entries:
            text += f"[{group}]\n" + "".join(f"{k}={v}\n" for k, v in entries.items())
    return text.encode("utf-8") if text else None
