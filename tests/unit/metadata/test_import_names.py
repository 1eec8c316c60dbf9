"""PEP 794's ``project.import-names`` / ``import-namespaces``: written as Core Metadata 2.5
(ferrule.metadata.import_names, ferrule.metadata.core), refused with the file and dotted key
when invalid, filled from the module name when dynamic; 2.4 without them, as maturin writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.metadata import ExceptionGroup, Metadata

from ferrule.config import load_settings
from ferrule.errors import ConfigError
from ferrule.metadata import build_metadata
from ferrule.metadata.core import CoreMetadata, render_metadata
from ferrule.metadata.import_names import import_name_problem
from tests.helpers.metadata_projects import Project, cargo, pyproject

BASE = 'name = "meta-demo"\nversion = "1.0"\n'


def metadata(tmp_path: Path, project: str, tool: str = "") -> bytes:
    root = Project(
        "import-names",
        {"Cargo.toml": cargo("meta-demo"), "pyproject.toml": pyproject(project, tool)},
    ).write(tmp_path)
    return build_metadata(load_settings(root)).rfc822


def problems(tmp_path: Path, project: str) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as e:
        metadata(tmp_path, project)
    return [(p.file.name, p.key, p.message) for p in e.value.problems]


def test_the_fields_come_last_in_the_order_given_and_make_it_2_5() -> None:
    meta = CoreMetadata(
        name="demo",
        version="1.0",
        provides_extra=("cli",),
        summary="A demo",
        project_urls=(("Homepage", "https://example.org"),),
        import_names=("demo", "demo._native; private"),
        import_namespaces=("zns", "ans"),
        description="# Demo\n",
    )
    assert render_metadata(meta) == (
        b"Metadata-Version: 2.5\n"
        b"Name: demo\n"
        b"Version: 1.0\n"
        b"Provides-Extra: cli\n"
        b"Summary: A demo\n"
        b"Project-URL: Homepage, https://example.org\n"
        b"Import-Name: demo\n"
        b"Import-Name: demo._native; private\n"
        b"Import-Namespace: zns\n"
        b"Import-Namespace: ans\n"
        b"\n"
        b"# Demo\n\n"
    )
    parsed = Metadata.from_email(render_metadata(meta), validate=True)
    assert parsed.metadata_version == "2.5"
    assert parsed.import_names == ["demo", "demo._native; private"]
    assert parsed.import_namespaces == ["zns", "ans"]


def test_without_them_the_file_stays_2_4() -> None:
    assert render_metadata(CoreMetadata(name="demo", version="1.0")) == (
        b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
    )


def test_namespaces_alone_make_it_2_5() -> None:
    meta = CoreMetadata(name="demo", version="1.0", import_namespaces=("ns",))
    assert render_metadata(meta) == (
        b"Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Namespace: ns\n"
    )


def test_an_empty_list_is_an_empty_import_name() -> None:
    # PEP 794: `import-names = []` says the project provides no import names.
    rfc822 = render_metadata(CoreMetadata(name="demo", version="1.0", import_names=()))
    assert rfc822 == b"Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name:\n"
    assert Metadata.from_email(rfc822, validate=True).import_names == []


def test_from_pyproject(tmp_path: Path) -> None:
    rfc822 = metadata(
        tmp_path,
        BASE + 'import-names = ["meta_demo", "meta_demo._x ;  private"]\n'
        'import-namespaces = ["meta_ns"]\n',
    )
    assert rfc822 == (
        b"Metadata-Version: 2.5\n"
        b"Name: meta-demo\n"
        b"Version: 1.0\n"
        b"Import-Name: meta_demo\n"
        b"Import-Name: meta_demo._x ;  private\n"
        b"Import-Namespace: meta_ns\n"
    )
    assert Metadata.from_email(rfc822, validate=True).import_names is not None


def test_without_them_the_bytes_are_unchanged(tmp_path: Path) -> None:
    assert metadata(tmp_path, BASE) == b"Metadata-Version: 2.4\nName: meta-demo\nVersion: 1.0\n"


def test_dynamic_import_names_are_the_top_level_packages(tmp_path: Path) -> None:
    rfc822 = metadata(
        tmp_path,
        'name = "meta-demo"\nversion = "1.0"\ndynamic = ["import-names"]\n',
        '[tool.maturin]\nmodule-name = "meta_pkg.sub._native"\npython-packages = ["meta_extra"]\n',
    )
    assert rfc822.endswith(b"Import-Name: meta_pkg\nImport-Name: meta_extra\n")
    assert rfc822.startswith(b"Metadata-Version: 2.5\n")


def test_dynamic_import_names_without_module_name_take_the_lib_name(tmp_path: Path) -> None:
    rfc822 = metadata(tmp_path, BASE + 'dynamic = ["import-names"]\n')
    assert rfc822.endswith(b"Import-Name: meta_demo\n")


def test_a_static_value_wins_over_dynamic(tmp_path: Path) -> None:
    rfc822 = metadata(tmp_path, BASE + 'dynamic = ["import-names"]\nimport-names = ["other"]\n')
    assert rfc822.endswith(b"Import-Name: other\n")


def test_invalid_values_name_the_key_and_index(tmp_path: Path) -> None:
    assert problems(
        tmp_path,
        BASE + 'import-names = ["ok", "not-a-name", "a.class", "ok ; private", 3, "x; public"]\n'
        'import-namespaces = ["ns", "ok"]\n',
    ) == [
        (
            "pyproject.toml",
            "project.import-names[1]",
            "'not-a-name' is not an import name (a dotted name of Python identifiers, optionally "
            "followed by '; private'): 'not-a-name' is not a Python identifier",
        ),
        (
            "pyproject.toml",
            "project.import-names[2]",
            "'a.class' is not an import name (a dotted name of Python identifiers, optionally "
            "followed by '; private'): 'class' is a Python keyword",
        ),
        ("pyproject.toml", "project.import-names[3]", "'ok' is listed twice; remove one"),
        ("pyproject.toml", "project.import-names[4]", "must be a string (a dotted name), not 3"),
        (
            "pyproject.toml",
            "project.import-names[5]",
            "'x; public' is not an import name (a dotted name of Python identifiers, optionally "
            "followed by '; private'): the only option after ';' is 'private'",
        ),
        (
            "pyproject.toml",
            "project.import-namespaces[1]",
            "'ok' is also in project.import-names; a name is either provided or a namespace; "
            "remove it from one of them",
        ),
    ]


def test_not_an_array(tmp_path: Path) -> None:
    assert problems(tmp_path, BASE + 'import-namespaces = "ns"\n') == [
        (
            "pyproject.toml",
            "project.import-namespaces",
            'must be an array of dotted names, such as ["pkg"]',
        )
    ]


@pytest.mark.parametrize(
    "value", ["pkg", "pkg.sub", "_p.q_1", "pkg; private", "pkg.sub ;private", "été"]
)
def test_valid_names_agree_with_packaging(value: str) -> None:
    assert import_name_problem(value) is None
    rfc822 = render_metadata(CoreMetadata(name="d", version="1", import_names=(value,)))
    Metadata.from_email(rfc822, validate=True)


def test_an_empty_string_is_no_name() -> None:
    # (Written, it would read back as the empty list: refused before.)
    assert import_name_problem("") == "'' is not a Python identifier"


@pytest.mark.parametrize("value", ["pkg.", ".pkg", "1pkg", "a-b", "def", "a; privat", "a b"])
def test_invalid_names_agree_with_packaging(value: str) -> None:
    assert import_name_problem(value) is not None
    rfc822 = render_metadata(CoreMetadata(name="d", version="1", import_names=(value,)))
    with pytest.raises(ExceptionGroup) as e:
        Metadata.from_email(rfc822, validate=True)
    assert [exc.field for exc in e.value.exceptions] == ["import-name"]
