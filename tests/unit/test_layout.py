"""The module name, chosen as maturin 1.16 chooses it (src/project_layout.rs).

``tool.maturin.module-name`` > Cargo ``[lib] name`` > ``project.name`` > the crate name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.layout import determine_layout, module_name, module_name_key

CARGO = '[package]\nname = "demo-crate"\nversion = "1.0.0"\nedition = "2021"\n{lib}'
PYPROJECT = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n{rest}'


@pytest.mark.parametrize(
    ("lib", "project", "tool", "expected", "key"),
    [
        ("", "", "", "demo_crate", "package.name"),
        ("", 'name = "demo"', "", "demo", "project.name"),
        ('[lib]\nname = "native"\n', 'name = "demo"', "", "native", "lib.name"),
        (
            '[lib]\nname = "native"\n',
            'name = "demo"',
            'module-name = "pkg._native"',
            "pkg._native",
            "tool.maturin.module-name",
        ),
        # maturin takes a dotted project name as a dotted module name; ferrule the crate's
        # name (docs/compat.md).
        ("", 'name = "backports.demo"', "", "demo_crate", "package.name"),
        # maturin refuses a `-` in a library's module name; ferrule falls back to the
        # crate's name (docs/compat.md).
        ("", 'name = "demo-py"', "", "demo_crate", "package.name"),
    ],
)
def test_module_name_precedence(
    tmp_path: Path, lib: str, project: str, tool: str, expected: str, key: str
) -> None:
    (tmp_path / "Cargo.toml").write_text(CARGO.format(lib=lib))
    rest = ""
    if project:
        rest += f'[project]\n{project}\nversion = "1.0"\n'
    if tool:
        rest += f"[tool.maturin]\n{tool}\n"
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(rest=rest))
    if "." in expected:
        package = tmp_path / expected.partition(".")[0]
        package.mkdir()
        (package / "__init__.py").write_text("")
    settings = load_settings(tmp_path)
    assert module_name(settings) == expected
    assert module_name_key(settings).startswith(f"{key} in ")
    assert determine_layout(settings).module_name == expected
