"""METADATA byte for byte as maturin 1.16 writes it: field order, spelling, body.

The other metadata comparisons parse both files and compare multisets, so a
change of field order passes them. Here maturin's own ``METADATA`` comes from
``maturin pep517 write-dist-info`` (pinned maturin, which runs ``cargo metadata``
on a dependency-free crate and compiles nothing) and ferrule's from its
``prepare_metadata_for_build_wheel`` hook, and the files must be equal as bytes.

maturin's order (``Metadata24::to_vec`` in src/metadata.rs) is: Name, Version,
Platform, Supported-Platform, Classifier, Requires-Dist, Provides-Dist,
Obsoletes-Dist, Requires-External, Provides-Extra, License-File, Summary,
Keywords, Home-Page, Download-URL, Author, Author-email, Maintainer,
Maintainer-email, License-Expression, License, Requires-Python,
Description-Content-Type, Project-URL, then the body. maturin 1.16 never fills
Platform, Supported-Platform, Provides-Dist, Obsoletes-Dist, Requires-External
or Download-URL (no input reaches them; only ``Metadata24::new`` sets them,
empty), so no project can make it write them and ferrule has no such fields.
"""

from __future__ import annotations

import subprocess
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ferrule.metadata.core import CoreMetadata, render_metadata
from tests.helpers.metadata_projects import Project, cargo, prepare_metadata, pyproject
from tests.helpers.venv import clean_env

pytestmark = pytest.mark.maturin

# Metadata24::to_vec's order, restricted to the fields maturin 1.16 can write.
MATURIN_ORDER = [
    "Metadata-Version",
    "Name",
    "Version",
    "Classifier",
    "Requires-Dist",
    "Provides-Extra",
    "License-File",
    "Summary",
    "Keywords",
    "Home-Page",
    "Author",
    "Author-email",
    "Maintainer",
    "Maintainer-email",
    "License-Expression",
    "License",
    "Requires-Python",
    "Description-Content-Type",
    "Project-URL",
]

# Every [project] field maturin writes. Lists are in the order maturin keeps
# (it sorts URLs, extras and entry points; ferrule keeps pyproject.toml's order,
# docs/differences.md), so that the bytes can be equal.
STATIC = """\
name = "Rich.Demo"
version = "2.0.0"
description = "Everything  [project] can say"
readme = "README.md"
requires-python = ">=3.9, <4"
license = "MIT OR Apache-2.0"
license-files = ["LICENSE-APACHE", "LICENSE-MIT"]
authors = [{ name = "Jane Doe", email = "jane@example.org" }, { name = "Solo" }]
maintainers = [{ name = "Maint", email = "maint@example.org" }, { name = "Helper" }]
keywords = ["rust", "ffi"]
classifiers = ["Programming Language :: Rust", "Development Status :: 4 - Beta"]
dependencies = ["attrs>=22", "numpy>=1.24"]

[project.urls]
Changelog = "https://example.org/changes"
Homepage = "https://example.org"

[project.scripts]
alpha = "rich_demo:alpha"
zeta = "rich_demo:zeta"

[project.gui-scripts]
rich-gui = "rich_demo:gui"

[project.entry-points."rich.plugins"]
one = "rich_demo.plugins:one"
"""

# The fields only Cargo.toml gives: Home-Page and the legacy License.
CARGO_FIELDS = """\
description = "From cargo"
authors = ["Jane Doe <jane@example.org>", "Team"]
license = "MIT"
license-file = "LICENSE"
keywords = ["a", "b"]
homepage = "https://example.org/home"
repository = "https://example.org/repo"
documentation = "https://docs.example.org"
"""

PROJECTS = {
    "static": Project(
        "static",
        {
            "Cargo.toml": cargo("rich-demo"),
            "pyproject.toml": pyproject(STATIC),
            "README.md": "# Rich\n\nThe body, *after* a blank line.\n",
            "LICENSE-MIT": "MIT\n",
            "LICENSE-APACHE": "Apache\n",
        },
    ),
    "cargo": Project(
        "cargo",
        {
            "Cargo.toml": cargo("cargo-demo", extra=CARGO_FIELDS),
            "pyproject.toml": pyproject(),
            "README.md": "# Cargo\n",
            "LICENSE": "MIT text\n",
        },
    ),
    "legacy-license": Project(
        "legacy-license",
        {
            "Cargo.toml": cargo("legacy-demo"),
            "pyproject.toml": pyproject(
                'name = "legacy-demo"\nversion = "1.0"\nlicense = { text = "Proprietary" }\n'
                'readme = { text = "Plain body", content-type = "text/plain" }\n'
            ),
        },
    ),
    # Extras: maturin re-renders their markers (docs/differences.md), so
    # Requires-Dist is compared by meaning here and everything else as text.
    "extras": Project(
        "extras",
        {
            "Cargo.toml": cargo("extras-demo"),
            "pyproject.toml": pyproject(
                'name = "extras-demo"\nversion = "0.3"\ndescription = "Extras"\n'
                'dependencies = ["attrs"]\n'
                '[project.optional-dependencies]\ndocs = ["sphinx>=7"]\ntest = ["pytest>=8"]\n'
            ),
        },
    ),
}


def maturin_dist_info(cwd: Path, out: Path) -> Path:
    # ``maturin`` on PATH is the pinned reference (tests/conftest.py checks its version).
    proc = subprocess.run(
        ["maturin", "pep517", "write-dist-info", "--metadata-directory", str(out)],
        cwd=cwd,
        env=clean_env(CARGO_TARGET_DIR=str(out / "target")),
        capture_output=True,
        text=True,
        check=True,
    )
    return out / proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dist_infos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    out = {}
    for key, project in PROJECTS.items():
        root = tmp_path_factory.mktemp(key)
        cwd = project.write(root / "src")
        out[key] = (maturin_dist_info(cwd, root / "maturin"), prepare_metadata(cwd, root / "ours"))
    return out


def keys(metadata: bytes) -> list[str]:
    return list(Parser().parsestr(metadata.decode()).keys())


@pytest.mark.parametrize("project", ["static", "cargo", "legacy-license"])
def test_metadata_bytes_equal_maturins(
    dist_infos: dict[str, tuple[Path, Path]], project: str
) -> None:
    theirs, ours = dist_infos[project]
    assert (ours / "METADATA").read_bytes() == (theirs / "METADATA").read_bytes()


def test_the_projects_reach_every_field_maturin_writes(
    dist_infos: dict[str, tuple[Path, Path]],
) -> None:
    seen = {
        k for theirs, _ in dist_infos.values() for k in keys((theirs / "METADATA").read_bytes())
    }
    assert seen == set(MATURIN_ORDER)


def test_extras_in_maturins_order_requirements_by_meaning(
    dist_infos: dict[str, tuple[Path, Path]],
) -> None:
    theirs, ours = (Parser().parsestr((d / "METADATA").read_text()) for d in dist_infos["extras"])
    assert ours.keys() == theirs.keys()
    for (key, a), (_, b) in zip(ours.items(), theirs.items()):
        if key == "Requires-Dist":
            assert Requirement(a) == Requirement(b)
        else:
            assert a == b


def test_entry_points_bytes_equal_maturins(dist_infos: dict[str, tuple[Path, Path]]) -> None:
    theirs, ours = dist_infos["static"]
    assert (ours / "entry_points.txt").read_bytes() == (theirs / "entry_points.txt").read_bytes()


def test_render_writes_every_field_in_maturins_order() -> None:
    everything = CoreMetadata(
        name="n",
        version="1",
        classifiers=("c",),
        requires_dist=("r",),
        provides_extra=("e",),
        license_files=("L",),
        summary="s",
        keywords="k",
        home_page="h",
        author="a",
        author_email="ae",
        maintainer="m",
        maintainer_email="me",
        license_expression="MIT",
        license="l",
        requires_python=">=3",
        description_content_type="text/plain",
        project_urls=(("u", "https://u"),),
        description="body",
    )
    text = render_metadata(everything)
    assert keys(text) == MATURIN_ORDER
    assert text.endswith(b"Project-URL: u, https://u\n\nbody\n")
