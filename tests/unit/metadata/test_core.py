"""Core Metadata rendering (ferrule.metadata.core): every field, exact bytes, maturin's order.

The bytes are also read back with ``packaging.metadata`` (what pip and twine use), so a
field that renders but does not parse fails too.
"""

from __future__ import annotations

from packaging.metadata import Metadata

from ferrule.metadata.core import (
    CoreMetadata,
    fold_header,
    one_line,
    render_entry_points,
    render_metadata,
)

FULL = CoreMetadata(
    name="demo",
    version="1.0",
    classifiers=("Programming Language :: Rust", "Typing :: Typed"),
    requires_dist=("attrs>=23", "rich; extra == 'cli'"),
    provides_extra=("cli", "docs"),
    license_files=("LICENSE", "NOTICE"),
    summary="A demo\r\n  on two lines",
    keywords="rust,python",
    home_page="https://example.org",
    author="Jane",
    author_email="Jane <jane@example.org>",
    maintainer="Joe",
    maintainer_email="joe@example.org",
    license_expression="MIT OR Apache-2.0",
    license="MIT License\r\n\r\nCopyright (c) Jane  \rline three",
    requires_python=">=3.9",
    description_content_type="text/markdown; charset=UTF-8; variant=GFM",
    project_urls=(("Homepage", "https://example.org"), ("Source", "https://example.org/src")),
    description="# Demo\n\nBody.\n",
)

FULL_BYTES = (
    b"Metadata-Version: 2.4\n"
    b"Name: demo\n"
    b"Version: 1.0\n"
    b"Classifier: Programming Language :: Rust\n"
    b"Classifier: Typing :: Typed\n"
    b"Requires-Dist: attrs>=23\n"
    b"Requires-Dist: rich; extra == 'cli'\n"
    b"Provides-Extra: cli\n"
    b"Provides-Extra: docs\n"
    b"License-File: LICENSE\n"
    b"License-File: NOTICE\n"
    b"Summary: A demo on two lines\n"
    b"Keywords: rust,python\n"
    b"Home-Page: https://example.org\n"
    b"Author: Jane\n"
    b"Author-email: Jane <jane@example.org>\n"
    b"Maintainer: Joe\n"
    b"Maintainer-email: joe@example.org\n"
    b"License-Expression: MIT OR Apache-2.0\n"
    b"License: MIT License\n\t\n\tCopyright (c) Jane\n\tline three\n"
    b"Requires-Python: >=3.9\n"
    b"Description-Content-Type: text/markdown; charset=UTF-8; variant=GFM\n"
    b"Project-URL: Homepage, https://example.org\n"
    b"Project-URL: Source, https://example.org/src\n"
    b"\n"
    b"# Demo\n\nBody.\n\n"
)


def test_every_field_in_maturins_order() -> None:
    assert render_metadata(FULL) == FULL_BYTES


def test_packaging_reads_back_every_field() -> None:
    meta = Metadata.from_email(FULL_BYTES, validate=False)
    assert meta.name == "demo"
    assert str(meta.version) == "1.0"
    assert meta.summary == "A demo on two lines"
    assert [str(r) for r in meta.requires_dist or []] == ["attrs>=23", 'rich; extra == "cli"']
    assert meta.provides_extra == ["cli", "docs"]
    assert meta.license_files == ["LICENSE", "NOTICE"]
    assert meta.project_urls == {
        "Homepage": "https://example.org",
        "Source": "https://example.org/src",
    }
    # Folded: each continuation line keeps its tab (as email parsers give it).
    assert (meta.license or "").split("\n") == [
        "MIT License",
        "\t",
        "\tCopyright (c) Jane",
        "\tline three",
    ]
    assert meta.description == "# Demo\n\nBody.\n\n"
    assert str(meta.requires_python) == ">=3.9"


def test_only_name_and_version() -> None:
    assert render_metadata(CoreMetadata("x", "0.1")) == (
        b"Metadata-Version: 2.4\nName: x\nVersion: 0.1\n"
    )


def test_an_empty_body_is_still_a_body() -> None:
    assert render_metadata(CoreMetadata("x", "0.1", description="")) == (
        b"Metadata-Version: 2.4\nName: x\nVersion: 0.1\n\n\n"
    )


def test_non_ascii_is_utf8() -> None:
    out = render_metadata(CoreMetadata("x", "1", author="J\u00fcrgen", description="\u00e9"))
    assert out.endswith("Author: J\u00fcrgen\n\n\u00e9\n".encode())


def test_header_values_are_one_line_each() -> None:
    meta = CoreMetadata(
        "x",
        "1",
        classifiers=("A ::\n B",),
        requires_python=">=3.9,\n<4",
        description_content_type="text/plain;\r\n charset=UTF-8",
        project_urls=(("Home\npage", "https://h\n/x"),),
    )
    assert render_metadata(meta) == (
        b"Metadata-Version: 2.4\nName: x\nVersion: 1\nClassifier: A :: B\n"
        b"Requires-Python: >=3.9, <4\n"
        b"Description-Content-Type: text/plain; charset=UTF-8\n"
        b"Project-URL: Home page, https://h /x\n"
    )


def test_one_line() -> None:
    assert one_line("  a\r\n b \r c\n\n") == "a b c"
    assert one_line("") == ""
    assert one_line("single") == "single"


def test_fold_header() -> None:
    assert fold_header("a\r\nb\rc\nd") == "a\n\tb\n\tc\n\td"
    assert fold_header("a  \n\n  b  \n\n") == "a\n\t\n\t  b"
    assert fold_header("plain") == "plain"


def test_entry_points_in_the_order_given() -> None:
    out = render_entry_points(
        [
            ("console_scripts", {"b": "pkg:b", "a": "pkg.cli:main"}),
            ("empty", {}),
            ("gui_scripts", {"g": "pkg:gui"}),
        ]
    )
    assert out == b"[console_scripts]\nb=pkg:b\na=pkg.cli:main\n[gui_scripts]\ng=pkg:gui\n"
    assert render_entry_points([("only", {})]) is None
    assert render_entry_points([]) is None
