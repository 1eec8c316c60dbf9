"""Cargo.toml read directly (no cargo): the package, workspace inheritance and the
workspace root, each answer or problem pinned whole (file, dotted key, message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config.cargo_toml import find_workspace_root, read_cargo_package
from ferrule.config.model import CargoPackage
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _problems(manifest: Path) -> list[tuple[Path, str, str]]:
    with pytest.raises(ConfigError) as caught:
        read_cargo_package(manifest, TomlFiles())
    return [(p.file, p.key, p.message) for p in caught.value.problems]


def test_a_full_package(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        '[package]\nname = "demo"\nversion = "0.1.0"\ndescription = "d"\n'
        'authors = ["A <a@x>"]\nlicense = "MIT"\nlicense-file = "LICENSE"\nkeywords = ["k"]\n'
        'homepage = "https://h"\nrepository = "https://r"\ndocumentation = "https://d"\n'
        'readme = "README.rst"\n'
        '[lib]\nname = "demo_lib"\ncrate-type = ["cdylib", "rlib"]\n'
        '[[bin]]\nname = "one"\n[[bin]]\npath = "x.rs"\n[[bin]]\nname = "two"\n'
        '[dependencies]\npyo3 = "0.29"\n',
    )
    assert read_cargo_package(manifest, TomlFiles()) == CargoPackage(
        manifest,
        "demo",
        "0.1.0",
        "demo_lib",
        ("cdylib", "rlib"),
        ("one", "two"),
        dependencies={"pyo3": "0.29"},
        workspace_root=None,
        description="d",
        authors=("A <a@x>",),
        license="MIT",
        license_file="LICENSE",
        keywords=("k",),
        homepage="https://h",
        repository="https://r",
        documentation="https://d",
        readme="README.rst",
    )


def test_a_minimal_package(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "Cargo.toml", '[package]\nname = "demo"\n')
    assert read_cargo_package(manifest, TomlFiles()) == CargoPackage(
        manifest, "demo", None, None, (), (), dependencies={}, workspace_root=None
    )


def test_crate_type_old_spelling_and_odd_values(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        '[package]\nname = "demo"\nreadme = true\n[lib]\ncrate_type = ["cdylib"]\n'
        "[[bin]]\nname = 3\n",
    )
    package = read_cargo_package(manifest, TomlFiles())
    assert (package.crate_types, package.bin_names, package.readme) == (
        ("cdylib",),
        (),
        "README.md",
    )
    _write(manifest, '[package]\nname = "demo"\nreadme = false\nbin = 1\ndependencies = 1\n')
    package = read_cargo_package(manifest, TomlFiles())
    assert (package.bin_names, package.readme, package.dependencies) == ((), False, {})
    _write(manifest, 'bin = 1\ndependencies = 1\n[package]\nname = "demo"\n')
    package = read_cargo_package(manifest, TomlFiles())
    assert (package.bin_names, package.dependencies) == ((), {})


def test_no_package_table(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "Cargo.toml", "[dependencies]\n")
    assert _problems(manifest) == [(manifest, "package", "missing [package] table")]
    _write(manifest, 'package = "x"\n')
    assert _problems(manifest) == [(manifest, "package", "missing [package] table")]


def test_a_virtual_workspace(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["a"]\n')
    assert _problems(manifest) == [
        (
            manifest,
            "package",
            "is a virtual workspace manifest; point manifest-path (-m) at the Cargo.toml of "
            "the member crate to build",
        )
    ]


def test_every_bad_value_at_once(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        "[package]\nname = 1\nversion = 2\ndescription = 3\nauthors = [1]\nlicense = []\n"
        'keywords = "k"\nreadme = 4\nhomepage = 5\n[lib]\nname = 6\ncrate-type = "cdylib"\n',
    )
    assert _problems(manifest) == [
        (manifest, "package.name", "missing or not a string"),
        (manifest, "package.version", "must be a string"),
        (manifest, "lib.name", "must be a string"),
        (manifest, "lib.crate-type", "must be an array of strings"),
        (manifest, "package.readme", "must be a string or false"),
        (manifest, "package.description", "must be a string"),
        (manifest, "package.authors", "must be an array of strings"),
        (manifest, "package.license", "must be a string"),
        (manifest, "package.keywords", "must be an array of strings"),
        (manifest, "package.homepage", "must be a string"),
    ]


def test_empty_name_lib_not_a_table_crate_types_not_strings(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "Cargo.toml", 'lib = 1\n[package]\nname = ""\n')
    assert _problems(manifest) == [
        (manifest, "package.name", "missing or not a string"),
        (manifest, "lib", "must be a table"),
    ]
    _write(manifest, '[package]\nname = "x"\n[lib]\ncrate-type = ["a", 1]\n')
    assert _problems(manifest) == [(manifest, "lib.crate-type", "must be an array of strings")]


WORKSPACE = (
    '[workspace]\nmembers = ["crates/*"]\n[workspace.package]\nversion = "2.0.0"\n'
    'authors = ["W"]\nlicense-file = "LICENSE"\nreadme = "docs/README.md"\ndescription = "ws"\n'
)


def test_inheritance_from_the_workspace(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", WORKSPACE)
    manifest = _write(
        tmp_path / "crates" / "demo" / "Cargo.toml",
        '[package]\nname = "demo"\nversion.workspace = true\nauthors = { workspace = true }\n'
        "license-file.workspace = true\nreadme.workspace = true\n"
        'keywords = ["own"]\n',
    )
    package = read_cargo_package(manifest, TomlFiles())
    assert (
        package.version,
        package.authors,
        package.license_file,
        package.readme,
        package.keywords,
        package.workspace_root,
    ) == ("2.0.0", ("W",), "../../LICENSE", "../../docs/README.md", ("own",), root.resolve())


def test_inheritance_without_the_key_in_the_workspace(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", WORKSPACE)
    manifest = _write(
        tmp_path / "crates" / "demo" / "Cargo.toml",
        '[package]\nname = "demo"\nhomepage.workspace = true\nkeywords.workspace = true\n',
    )
    assert _problems(manifest) == [
        (
            manifest,
            "package.keywords",
            f"inherits from the workspace, but {root.resolve()} has no workspace.package.keywords",
        ),
        (
            manifest,
            "package.homepage",
            f"inherits from the workspace, but {root.resolve()} has no workspace.package.homepage",
        ),
    ]


def test_inheritance_without_a_workspace(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml", '[package]\nname = "demo"\nversion.workspace = true\n'
    )
    assert _problems(manifest) == [
        (
            manifest,
            "package.version",
            "inherits from the workspace, but no workspace root was found",
        )
    ]


def test_a_package_that_is_its_own_workspace_root(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        '[package]\nname = "demo"\nversion.workspace = true\nreadme.workspace = true\n'
        '[workspace]\n[workspace.package]\nversion = "3.0.0"\nreadme = "R.md"\n',
    )
    package = read_cargo_package(manifest, TomlFiles())
    assert (package.version, package.readme, package.workspace_root) == (
        "3.0.0",
        "R.md",
        manifest,
    )


def test_workspace_tables_that_are_not_tables(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        'workspace = 1\n[package]\nname = "demo"\nversion.workspace = true\n',
    )
    assert _problems(manifest)[0][1:] == (
        "package.version",
        f"inherits from the workspace, but {manifest} has no workspace.package.version",
    )


def test_explicit_package_workspace(tmp_path: Path) -> None:
    root = _write(tmp_path / "root" / "Cargo.toml", WORKSPACE.replace("crates/*", "../demo"))
    manifest = _write(
        tmp_path / "demo" / "Cargo.toml",
        '[package]\nname = "demo"\nworkspace = "../root"\nversion.workspace = true\n',
    )
    package = read_cargo_package(manifest, TomlFiles())
    assert (package.version, package.workspace_root) == ("2.0.0", root.resolve())
    assert find_workspace_root(manifest, {"workspace": "../root/Cargo.toml"}, TomlFiles()) == (
        root.resolve()
    )


def test_workspace_root_search(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["a", "b/*", "c/[xy]"]\n')
    files = TomlFiles()
    for crate in ("a", "b/one", "c/x"):
        manifest = _write(tmp_path / crate / "Cargo.toml", f'[package]\nname = "{crate[-1]}"\n')
        assert find_workspace_root(manifest, {}, files) == root, crate


def test_a_path_dependency_of_a_member_is_a_member(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["app"]\n')
    _write(
        tmp_path / "app" / "Cargo.toml",
        '[package]\nname = "app"\n[dependencies]\nlib = { path = "../libs/lib" }\n',
    )
    _write(
        tmp_path / "libs" / "lib" / "Cargo.toml",
        '[package]\nname = "lib"\n[dev-dependencies]\ndeep = { path = "../deep" }\n',
    )
    deep = _write(tmp_path / "libs" / "deep" / "Cargo.toml", '[package]\nname = "deep"\n')
    assert find_workspace_root(deep, {}, TomlFiles()) == root


def test_a_crate_in_a_workspace_but_not_a_member(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "Cargo.toml",
        '[workspace]\nmembers = ["a", 3, "missing/*"]\n[dependencies]\nout = { path = "../out" }\n',
    )
    _write(tmp_path.parent / "out" / "Cargo.toml", '[package]\nname = "out"\n')
    manifest = _write(tmp_path / "crates" / "b" / "Cargo.toml", '[package]\nname = "b"\n')
    with pytest.raises(ConfigError) as caught:
        find_workspace_root(manifest, {}, TomlFiles())
    ((file, key, message),) = [(p.file, p.key, p.message) for p in caught.value.problems]
    assert (file, key, message) == (
        manifest,
        "package",
        f"the crate is inside the workspace of {root} but not one of its members; add "
        "'crates/b' to workspace.members or workspace.exclude there (cargo refuses it too)",
    )


def test_excluded_crates_pass_over_the_workspace(tmp_path: Path) -> None:
    _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["a"]\nexclude = ["py", 1]\n')
    manifest = _write(tmp_path / "py" / "x" / "Cargo.toml", '[package]\nname = "x"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) is None
    _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = "a"\nexclude = "py"\n')
    with pytest.raises(ConfigError):
        find_workspace_root(manifest, {}, TomlFiles())


def test_member_under_an_excluded_path_is_a_member(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["py/x"]\nexclude = ["py"]\n')
    manifest = _write(tmp_path / "py" / "x" / "Cargo.toml", '[package]\nname = "x"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) == root


def test_the_search_stops_at_a_broken_manifest(tmp_path: Path) -> None:
    _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["a/b"]\n')
    _write(tmp_path / "a" / "Cargo.toml", "[package\n")
    manifest = _write(tmp_path / "a" / "b" / "Cargo.toml", '[package]\nname = "b"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) is None


def test_the_search_passes_manifests_without_a_workspace(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["a/b"]\n')
    _write(tmp_path / "a" / "Cargo.toml", '[package]\nname = "a"\nworkspace = 1\n')
    manifest = _write(tmp_path / "a" / "b" / "Cargo.toml", '[package]\nname = "b"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) == root


def _refused(manifest: Path) -> None:
    with pytest.raises(ConfigError):
        find_workspace_root(manifest, {}, TomlFiles())


def test_members_that_is_a_string_names_no_member(tmp_path: Path) -> None:
    _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = "x"\n')
    _refused(_write(tmp_path / "x" / "Cargo.toml", '[package]\nname = "x"\n'))


def test_members_after_one_that_is_not_a_string(tmp_path: Path) -> None:
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = [3, "b"]\n')
    manifest = _write(tmp_path / "b" / "Cargo.toml", '[package]\nname = "b"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) == root


def test_a_plain_member_path_is_normalised_not_globbed(tmp_path: Path) -> None:
    # No directory X: as a glob the pattern would match nothing.
    root = _write(tmp_path / "Cargo.toml", '[workspace]\nmembers = ["X/../a"]\n')
    manifest = _write(tmp_path / "a" / "Cargo.toml", '[package]\nname = "a"\n')
    assert find_workspace_root(manifest, {}, TomlFiles()) == root


def test_path_dependencies_outside_the_root_are_not_followed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _write(ws / "Cargo.toml", '[workspace]\nmembers = ["app"]\n')
    _write(
        ws / "app" / "Cargo.toml",
        '[package]\nname = "app"\n[dependencies]\nout = { path = "../../out" }\n',
    )
    _write(
        tmp_path / "out" / "Cargo.toml",
        '[package]\nname = "out"\n[dependencies]\nlib = { path = "../ws/lib" }\n',
    )
    _refused(_write(ws / "lib" / "Cargo.toml", '[package]\nname = "lib"\n'))


def test_own_workspace_without_a_package_table(tmp_path: Path) -> None:
    manifest = _write(
        tmp_path / "Cargo.toml",
        '[package]\nname = "demo"\nversion.workspace = true\n[workspace]\n',
    )
    assert _problems(manifest) == [
        (
            manifest,
            "package.version",
            f"inherits from the workspace, but {manifest} has no workspace.package.version",
        )
    ]


def test_explicit_workspace_whose_workspace_is_not_a_table(tmp_path: Path) -> None:
    root = _write(tmp_path / "root" / "Cargo.toml", "workspace = 1\n")
    manifest = _write(
        tmp_path / "demo" / "Cargo.toml",
        '[package]\nname = "demo"\nworkspace = "../root"\nversion.workspace = true\n',
    )
    assert _problems(manifest) == [
        (
            manifest,
            "package.version",
            f"inherits from the workspace, but {root.resolve()} has no workspace.package.version",
        )
    ]
