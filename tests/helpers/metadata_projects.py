"""The table of projects for the metadata tests (issue 3).

Each entry is a complete, dependency-free project (a cdylib crate with an empty
``src/lib.rs``): maturin reads it with ``cargo metadata`` and ferrule reads the
files directly, and nothing is compiled. ``differences`` names the intended
differences from maturin (docs/differences.md, "Metadata") that the project
shows, with the exact value each one concerns, so the comparison test can
assert them precisely instead of skipping them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

BUILD_SYSTEM = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'

RICH_CARGO_FIELDS = """\
description = "Fast things, from Rust"
authors = ["Jane Doe <jane@example.org>", "The Meta Team"]
license = "MIT OR Apache-2.0"
keywords = ["ffi", "rust"]
homepage = "https://example.org/home"
repository = "https://example.org/repo"
documentation = "https://docs.example.org"
"""

README_MD = "# Demo\n\nA *demo* package with `code`.\n\n- one\n- two\n"
README_RST = "Demo\n====\n\nA *demo* package with ``code``.\n\n* one\n* two\n"
MIT = "MIT License\n\nCopyright (c) 2026 Jane Doe\n"


def cargo(
    name: str = "meta-demo",
    version: str = "0.1.0",
    extra: str = "",
    *,
    lib_name: str | None = None,
) -> str:
    lib = lib_name or name.replace("-", "_")
    return (
        f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n{extra}\n'
        f'[lib]\nname = "{lib}"\ncrate-type = ["cdylib"]\n'
    )


def pyproject(project: str | None = None, tool: str = "") -> str:
    text = BUILD_SYSTEM
    if project is not None:
        text += f"\n[project]\n{project}"
    return text + (f"\n{tool}" if tool else "")


@dataclass(frozen=True)
class Project:
    id: str
    files: Mapping[str, str]
    # The directory (relative to the root) that frontends run in.
    cwd: str = "."
    # Intended differences from maturin: name -> the value concerned.
    differences: Mapping[str, str] = field(default_factory=dict)
    # False when the project has no readme (twine's --strict wants one).
    has_readme: bool = True

    def write(self, root: Path) -> Path:
        for rel, text in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for manifest in list(root.rglob("Cargo.toml")):
            if "[lib]" in manifest.read_text():
                src = manifest.parent / "src" / "lib.rs"
                src.parent.mkdir(exist_ok=True)
                src.touch()
        return root / self.cwd


WORKSPACE_ROOT = """\
[workspace]
members = ["crates/py"]
resolver = "2"

[workspace.package]
version = "1.2.3-rc.1"
description = "Inherited from the workspace"
authors = ["Ws Author <ws@example.org>"]
license = "Apache-2.0"
license-file = "LICENSE-WS"
keywords = ["workspace"]
homepage = "https://example.org/ws"
repository = "https://example.org/ws.git"
documentation = "https://docs.example.org/ws"
readme = "README.md"
"""

WORKSPACE_MEMBER = cargo(
    "ws-py",
    extra="""\
version.workspace = true
description.workspace = true
authors.workspace = true
license.workspace = true
license-file.workspace = true
keywords.workspace = true
homepage.workspace = true
repository.workspace = true
documentation.workspace = true
readme.workspace = true
""",
).replace('version = "0.1.0"\n', "", 1)

LONG_LICENSE_TEXT = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software and associated documentation files, to deal in the Software without restriction."
    "\n\nTHE SOFTWARE IS PROVIDED AS IS.\n"
)

STATIC_FULL = """\
name = "Meta.Full"
version = "2.0.0"
description = "Everything static"
readme = "README.md"
requires-python = ">=3.9, <4"
license = "MIT OR Apache-2.0"
license-files = ["LICENSE*", "licenses/*.txt"]
authors = [
    { name = "Jane Doe", email = "jane@example.org" },
    { name = "Solo Name" },
    { email = "bare@example.org" },
    { name = "Dr. Who", email = "who@example.org" },
]
maintainers = [{ name = "Maint", email = "maint@example.org" }, { name = "Helper" }]
keywords = ["rust", "ffi", "speed"]
classifiers = [
    "Development Status :: 4 - Beta",
    "Programming Language :: Rust",
    "Programming Language :: Python :: 3",
]
dependencies = ["attrs>=22", "numpy>=1.24; python_version >= '3.10'"]

[project.optional-dependencies]
test = ["pytest>=8", "hypothesis"]

[project.urls]
Homepage = "https://example.org"
Changelog = "https://example.org/changes"
"Issue Tracker" = "https://example.org/issues"

[project.scripts]
meta-full = "meta_full:main"

[project.gui-scripts]
meta-full-gui = "meta_full:gui"

[project.entry-points."meta.plugins"]
builtin = "meta_full.plugins:builtin"
"""

OPTIONAL_DEPS = """\
name = "meta-extras"
version = "0.5.0"
readme = "README.md"
dependencies = [
    "requests[socks,security] >= 2.0, <3 ; python_version < '3.12'",
    "Typing_Extensions>=4; python_version<'3.11'",
    "pywin32 ; sys_platform == 'win32' or os_name == 'nt'",
    "local-thing @ https://example.org/local_thing-1.0.tar.gz",
]

[project.optional-dependencies]
Dev_Tools = ["pytest>=7; python_version >= '3.8'", "coverage ; os_name == 'posix' or os_name == 'nt'"]
"docs.build" = ["sphinx>=7"]
speed = ["orjson ; platform_python_implementation == 'CPython' and python_version >= '3.9'"]
"""

ENTRY_POINTS = """\
name = "meta-entry"
version = "0.1.0"
readme = "README.md"

[project.scripts]
zeta = "meta_entry.cli:zeta"
alpha = "meta_entry.cli:alpha"

[project.gui-scripts]
meta-gui = "meta_entry.gui:run"

[project.entry-points."meta.plugins"]
first = "meta_entry.plugins:first"

[project.entry-points.pytest11]
meta = "meta_entry.pytest_plugin"
"""

ALL_CARGO_DYNAMIC = (
    'dynamic = ["version", "description", "authors", "license", "keywords", "urls", "readme"]\n'
)

PROJECTS: tuple[Project, ...] = (
    Project(
        "cargo-only",
        {
            "Cargo.toml": cargo(extra=RICH_CARGO_FIELDS),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
            "LICENSE": MIT,
        },
    ),
    Project(
        "no-pyproject",
        {"Cargo.toml": cargo("meta-bare", extra=RICH_CARGO_FIELDS), "README.md": README_MD},
    ),
    Project(
        "static-full",
        {
            "Cargo.toml": cargo("meta-full"),
            "pyproject.toml": pyproject(STATIC_FULL),
            "README.md": README_MD,
            "LICENSE-MIT": MIT,
            "LICENSE-APACHE": "Apache License 2.0\n",
            "licenses/third-party.txt": "Third-party notices\n",
            "COPYING": "not included: license-files is given\n",
        },
    ),
    Project(
        "dynamic-version-cargo-fields-stay-out",
        {
            "Cargo.toml": cargo(extra=RICH_CARGO_FIELDS),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\ndynamic = ["version"]\nreadme = "README.md"\n'
                'requires-python = ">=3.9"\n'
            ),
            "README.md": README_MD,
        },
        differences={"home-page": "https://example.org/home"},
    ),
    Project(
        "dynamic-everything-from-cargo",
        {
            "Cargo.toml": cargo(extra=RICH_CARGO_FIELDS),
            "pyproject.toml": pyproject('name = "meta-demo"\n' + ALL_CARGO_DYNAMIC),
            "README.md": README_MD,
            "LICENSE-MIT": MIT,
            "NOTICE": "Notice\n",
        },
    ),
    Project(
        "workspace-inheritance",
        {
            "Cargo.toml": WORKSPACE_ROOT,
            "README.md": README_MD,
            "LICENSE-WS": "Workspace license\n",
            "crates/py/Cargo.toml": WORKSPACE_MEMBER,
            "crates/py/pyproject.toml": pyproject(),
        },
        cwd="crates/py",
    ),
    Project(
        "workspace-inheritance-dynamic",
        {
            "Cargo.toml": WORKSPACE_ROOT,
            "README.md": README_MD,
            "LICENSE-WS": "Workspace license\n",
            "crates/py/Cargo.toml": WORKSPACE_MEMBER,
            "crates/py/pyproject.toml": pyproject('name = "ws-py"\n' + ALL_CARGO_DYNAMIC),
            "crates/py/LICENSE": MIT,
        },
        cwd="crates/py",
    ),
    Project(
        "readme-rst",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.rst"\n'
            ),
            "README.rst": README_RST,
        },
    ),
    Project(
        "readme-plain-no-extension",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README"\n'
            ),
            "README": "Plain text readme.\nSecond line.\n",
        },
    ),
    Project(
        "readme-table-text",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\n'
                'readme = { text = "# Inline\\n\\nText from pyproject.toml.\\n", '
                'content-type = "text/markdown" }\n'
            ),
        },
    ),
    Project(
        "readme-table-file",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\n'
                'readme = { file = "docs/intro.rst", content-type = "text/x-rst; charset=UTF-8" }\n'
            ),
            "docs/intro.rst": README_RST,
        },
    ),
    Project(
        "cargo-readme-txt-guessed",
        {
            "Cargo.toml": cargo(extra='description = "Guessed readme"\n'),
            "pyproject.toml": pyproject(),
            "README.txt": "A plain text readme, found by name.\n",
        },
    ),
    Project(
        "cargo-readme-path",
        {
            "Cargo.toml": cargo(extra='readme = "docs/README.rst"\n'),
            "pyproject.toml": pyproject(),
            "docs/README.rst": README_RST,
            "README.md": "not this one\n",
        },
    ),
    Project(
        "cargo-readme-false",
        {
            "Cargo.toml": cargo(extra='readme = false\ndescription = "No long description"\n'),
            "pyproject.toml": pyproject(),
            "README.md": "not used\n",
        },
        differences={"readme-false": "not used\n"},
        has_readme=False,
    ),
    Project(
        "license-expression-and-files",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'license = "Apache-2.0 WITH LLVM-exception"\n'
                'license-files = ["LICENSES/*", "NOTICE"]\n'
            ),
            "README.md": README_MD,
            "LICENSES/Apache-2.0.txt": "Apache\n",
            "LICENSES/LLVM-exception.txt": "LLVM exception\n",
            "NOTICE": "Notice\n",
        },
    ),
    Project(
        "license-expression-case",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'license = "mit or apache-2.0"\n'
            ),
            "README.md": README_MD,
        },
        differences={"license-case": "mit or apache-2.0"},
    ),
    Project(
        "license-legacy-text",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                f"license = {{ text = {json.dumps(LONG_LICENSE_TEXT)} }}\n"
            ),
            "README.md": README_MD,
        },
        differences={"license-fold": LONG_LICENSE_TEXT},
    ),
    Project(
        "license-legacy-file",
        {
            "Cargo.toml": cargo(),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'license = { file = "LICENSE.txt" }\n'
            ),
            "README.md": README_MD,
            "LICENSE.txt": MIT,
            "COPYING.md": "copying\n",
        },
    ),
    Project(
        "license-files-found-automatically",
        {
            "Cargo.toml": cargo(extra='license-file = "LICENSE-MIT"\n'),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'license = "MIT OR Apache-2.0"\n'
            ),
            "README.md": README_MD,
            "LICENSE-MIT": MIT,
            "LICENSE-APACHE": "Apache\n",
            "LICENCE.md": "British spelling\n",
            "COPYING": "copying\n",
            "NOTICE.txt": "notice\n",
            "AUTHORS": "authors\n",
            "docs/LICENSE": "not at the top: not found\n",
        },
    ),
    Project(
        "cargo-license-file-with-license-files",
        {
            "Cargo.toml": cargo(extra='license-file = "legal/CARGO-LICENSE"\n'),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'license = "MIT"\nlicense-files = ["LICENSE"]\n'
            ),
            "README.md": README_MD,
            "LICENSE": MIT,
            "legal/CARGO-LICENSE": "cargo license\n",
        },
        differences={"cargo-license-file": "legal/CARGO-LICENSE"},
    ),
    Project(
        "optional-dependencies-with-markers",
        {
            "Cargo.toml": cargo("meta-extras"),
            "pyproject.toml": pyproject(OPTIONAL_DEPS),
            "README.md": README_MD,
        },
    ),
    Project(
        "entry-points",
        {
            "Cargo.toml": cargo("meta-entry"),
            "pyproject.toml": pyproject(ENTRY_POINTS),
            "README.md": README_MD,
        },
    ),
    Project(
        "rust-version-alpha",
        {
            "Cargo.toml": cargo(version="1.0.0-alpha.1"),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
        },
    ),
    Project(
        "rust-version-beta-dynamic",
        {
            "Cargo.toml": cargo(version="2.0.0-beta.2"),
            "pyproject.toml": pyproject('name = "meta-demo"\ndynamic = ["version"]\n'),
            "README.md": README_MD,
        },
        has_readme=False,
    ),
    Project(
        "rust-version-rc-and-build",
        {
            "Cargo.toml": cargo(version="1.0.0-rc.3+build.7"),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
        },
    ),
    Project(
        "rust-version-bare-pre",
        {
            "Cargo.toml": cargo(version="0.4.0-beta"),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
        },
    ),
    Project(
        "rust-version-dev",
        {
            "Cargo.toml": cargo(version="0.1.0-dev.4"),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
        },
    ),
    Project(
        "rust-dir-with-manifest-path",
        {
            "rust/Cargo.toml": cargo(extra=RICH_CARGO_FIELDS + 'license-file = "LICENSE-RUST"\n'),
            "rust/LICENSE-RUST": "rust license\n",
            "pyproject.toml": pyproject(
                'name = "meta-demo"\ndynamic = ["version", "license", "authors"]\n'
                'readme = "README.md"\n',
                '[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\n',
            ),
            "README.md": README_MD,
            "LICENSE": MIT,
        },
        differences={"home-page": "https://example.org/home"},
    ),
    Project(
        "multiline-descriptions-and-plain-authors",
        {
            "Cargo.toml": cargo(
                extra='description = """\n  Fast things\n  from Rust\n"""\n'
                'authors = ["Jane Doe", "John Roe"]\nkeywords = ["a", "b", "c"]\n'
            ),
            "pyproject.toml": pyproject(),
            "README.md": README_MD,
        },
    ),
    Project(
        "static-description-multiline",
        {
            "Cargo.toml": cargo(extra=RICH_CARGO_FIELDS),
            "pyproject.toml": pyproject(
                'name = "meta-demo"\nversion = "3.1"\n'
                'description = """\nSpread over\ntwo lines"""\nreadme = "README.md"\n'
                'dynamic = ["authors", "urls"]\n'
            ),
            "README.md": README_MD,
        },
    ),
)


def prepare_metadata(project_dir: Path, out: Path) -> Path:
    """Call ferrule's ``prepare_metadata_for_build_wheel`` in-process, as a frontend would."""
    import ferrule

    old = Path.cwd()
    os.chdir(project_dir)
    try:
        return out / ferrule.prepare_metadata_for_build_wheel(str(out))
    finally:
        os.chdir(old)
