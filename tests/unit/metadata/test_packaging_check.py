"""The last check of METADATA (ferrule.metadata.build_metadata): what packaging refuses in the
finished file is one ConfigError per problem, naming the file and the dotted key it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.errors import ConfigError
from ferrule.metadata import build_metadata
from tests.helpers.metadata_projects import Project, cargo, pyproject


def problems(root: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as e:
        build_metadata(load_settings(root))
    return [(p.file.name, p.key, p.message) for p in e.value.problems]


def test_a_readme_charset_packaging_refuses(tmp_path: Path) -> None:
    root = Project(
        "charset",
        {
            "Cargo.toml": cargo("charset-demo"),
            "pyproject.toml": pyproject(
                'name = "charset-demo"\nversion = "1.0"\n'
                'readme = { file = "README.md", content-type = "text/markdown; charset=latin1" }\n'
            ),
            "README.md": "# Demo\n",
        },
    ).write(tmp_path)
    assert problems(root) == [
        (
            "pyproject.toml",
            "project.readme.content-type",
            "'description-content-type' can only specify the UTF-8 charset, not 'latin1'",
        )
    ]
