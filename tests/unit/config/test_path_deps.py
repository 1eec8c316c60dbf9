"""Path crates and cargo's workspace root, read from Cargo.toml files (no cargo).

Each case writes a small tree of manifests and pins the answer whole.
"""

from __future__ import annotations

from pathlib import Path

from ferrule.config.path_deps import PathCrate, cargo_workspace_root, path_crates
from ferrule.config.toml import TomlFiles


def _crate(directory: Path, name: str, body: str = "", version: str | None = "0.1.0") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    line = f'version = "{version}"\n' if version is not None else ""
    manifest = directory / "Cargo.toml"
    manifest.write_text(f'[package]\nname = "{name}"\n{line}{body}')
    return manifest


def _found(manifest: Path) -> list[tuple[str, str, str]]:
    root = manifest.parent.parent.resolve()
    return [
        (c.directory.relative_to(root).as_posix(), c.name, c.version)
        for c in path_crates(manifest, TomlFiles())
    ]


def test_no_dependencies(tmp_path: Path) -> None:
    assert path_crates(_crate(tmp_path / "app", "app"), TomlFiles()) == ()


def test_every_kind_and_platform_of_the_start_crate(tmp_path: Path) -> None:
    for name in ("a", "b", "c", "d", "e", "f"):
        _crate(tmp_path / name, name, version=None if name == "f" else "1.2.3")
    manifest = _crate(
        tmp_path / "app",
        "app",
        '[dependencies]\na = { path = "../a" }\nreg = "1"\nver = { version = "1" }\n'
        '[build-dependencies]\nb = { path = "../b" }\n'
        '[dev-dependencies]\nc = { path = "../c/" }\n'
        "[target.'cfg(unix)'.dependencies]\nd = { path = \"../d\" }\n"
        "[target.'cfg(unix)'.build-dependencies]\ne = { path = \"../e\" }\n"
        "[target.'cfg(unix)'.dev-dependencies]\nf = { path = \"../f\" }\n"
        "[target.other]\ndependencies = 1\n",
    )
    assert _found(manifest) == [
        ("a", "a", "1.2.3"),
        ("b", "b", "1.2.3"),
        ("c", "c", "1.2.3"),
        ("d", "d", "1.2.3"),
        ("e", "e", "1.2.3"),
        ("f", "f", "0.0.0"),
    ]
    assert path_crates(manifest, TomlFiles())[0] == PathCrate(
        (tmp_path / "a").resolve(), "a", "1.2.3"
    )


def test_dev_dependencies_of_dependencies_do_not_count(tmp_path: Path) -> None:
    _crate(tmp_path / "dev", "dev")
    _crate(tmp_path / "deep", "deep")
    _crate(
        tmp_path / "mid",
        "mid",
        '[dependencies]\ndeep = { path = "../deep" }\n'
        '[dev-dependencies]\ndev = { path = "../dev" }\n'
        '[target.x.dev-dependencies]\ndev = { path = "../dev" }\n',
    )
    manifest = _crate(tmp_path / "app", "app", '[dependencies]\nmid = { path = "../mid" }\n')
    assert _found(manifest) == [("deep", "deep", "0.1.0"), ("mid", "mid", "0.1.0")]


def test_cycles_and_broken_manifests(tmp_path: Path) -> None:
    _crate(
        tmp_path / "a", "a", '[dependencies]\napp = { path = "../app" }\nb = { path = "../b" }\n'
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "Cargo.toml").write_text("[package\n")
    _crate(tmp_path / "c", "", '[dependencies]\nd = { path = "../d" }\n')  # no name: skipped
    _crate(tmp_path / "d", "d")
    manifest = _crate(
        tmp_path / "app",
        "app",
        '[dependencies]\na = { path = "../a" }\nagain = { path = "../a" }\n'
        'c = { path = "../c" }\nmissing = { path = "../missing" }\n',
    )
    assert _found(manifest) == [("a", "a", "0.1.0")]


def test_a_broken_start_manifest(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package\n")
    assert path_crates(tmp_path / "Cargo.toml", TomlFiles()) == ()


def test_workspace_dependencies(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crates/*"]\n'
        '[workspace.dependencies]\nshared = { path = "libs/shared" }\nreg = "1"\n'
        'ver = { version = "1" }\n'
    )
    _crate(tmp_path / "libs" / "shared", "shared")
    manifest = _crate(
        tmp_path / "crates" / "app",
        "app",
        "[dependencies]\nshared = { workspace = true }\nreg = { workspace = true }\n"
        "ver = { workspace = true }\nnone = { workspace = true }\n"
        "[build-dependencies]\nshared = { workspace = true }\n",
    )
    assert [(c.directory, c.name) for c in path_crates(manifest, TomlFiles())] == [
        ((tmp_path / "libs" / "shared").resolve(), "shared")
    ]


def test_workspace_true_only_as_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["app"]\n[workspace.dependencies]\nshared = { path = "shared" }\n'
    )
    _crate(tmp_path / "shared", "shared")
    manifest = _crate(tmp_path / "app", "app", '[dependencies]\nshared = { workspace = "yes" }\n')
    assert path_crates(manifest, TomlFiles()) == ()


def test_workspace_dependencies_not_a_table(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["app"]\ndependencies = 1\n')
    manifest = _crate(tmp_path / "app", "app", "[dependencies]\nshared = { workspace = true }\n")
    assert path_crates(manifest, TomlFiles()) == ()


def test_workspace_root_is_the_listing_ancestor(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*", "/tools/"]\n')
    app = _crate(tmp_path / "crates" / "app", "app")
    tool = _crate(tmp_path / "tools" / "x", "x")
    files = TomlFiles()
    assert cargo_workspace_root(app, files) == tmp_path.resolve()
    assert cargo_workspace_root(tool, files) == tmp_path.resolve()


def test_workspace_root_unlisted_or_excluded(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crates/*", 3]\nexclude = ["crates/out", 4]\n'
    )
    out = _crate(tmp_path / "crates" / "out", "out")
    other = _crate(tmp_path / "other", "other")
    files = TomlFiles()
    assert cargo_workspace_root(out, files) == out.parent.resolve()
    assert cargo_workspace_root(other, files) == other.parent.resolve()


def test_workspace_root_members_not_a_list(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = "app"\n')
    app = _crate(tmp_path / "app", "app")
    assert cargo_workspace_root(app, TomlFiles()) == app.parent.resolve()


def test_workspace_root_skips_ancestors_without_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["mid/app"]\n')
    (tmp_path / "mid").mkdir()
    (tmp_path / "mid" / "Cargo.toml").write_text('[package]\nname = "mid"\n')
    (tmp_path / "mid" / "app").mkdir()
    app = _crate(tmp_path / "mid" / "app", "app")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Cargo.toml").write_text("[workspace\n")
    assert cargo_workspace_root(app, TomlFiles()) == tmp_path.resolve()
    (tmp_path / "mid" / "Cargo.toml").write_text("workspace = 1\n")
    assert cargo_workspace_root(app, TomlFiles()) == tmp_path.resolve()


def test_workspace_root_of_a_root_and_of_a_broken_manifest(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["app"]\n')
    app = _crate(tmp_path / "app", "app", "[workspace]\n")
    assert cargo_workspace_root(app, TomlFiles()) == app.parent.resolve()
    app.write_text("[package\n")
    assert cargo_workspace_root(app, TomlFiles()) == app.parent.resolve()


def test_workspace_root_from_package_workspace(tmp_path: Path) -> None:
    app = _crate(tmp_path / "a" / "app", "app", 'workspace = "../../root"\n')
    assert cargo_workspace_root(app, TomlFiles()) == (tmp_path / "root").resolve()
    app.write_text('[package]\nname = "app"\nworkspace = 1\n')
    assert cargo_workspace_root(app, TomlFiles()) == app.parent.resolve()


def test_workspace_root_without_an_ancestor(tmp_path: Path) -> None:
    app = _crate(tmp_path / "app", "app")
    assert cargo_workspace_root(app, TomlFiles()) == app.parent.resolve()


def test_the_walk_goes_on_after_a_seen_or_broken_dependency(tmp_path: Path) -> None:
    _crate(
        tmp_path / "a",
        "a",
        '[dependencies]\napp = { path = "../app" }\nbroken = { path = "../broken" }\n'
        'c = { path = "../c" }\n',
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Cargo.toml").write_text("[package\n")
    _crate(tmp_path / "c", "c")
    manifest = _crate(tmp_path / "app", "app", '[dependencies]\na = { path = "../a" }\n')
    assert _found(manifest) == [("a", "a", "0.1.0"), ("c", "c", "0.1.0")]


def test_workspace_root_above_a_broken_manifest(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["mid/app"]\n')
    (tmp_path / "mid").mkdir()
    (tmp_path / "mid" / "Cargo.toml").write_text("[workspace\n")
    app = _crate(tmp_path / "mid" / "app", "app")
    assert cargo_workspace_root(app, TomlFiles()) == tmp_path.resolve()


def test_workspace_member_pattern_is_stripped_of_slashes_only(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["Xtra/"]\n')
    app = _crate(tmp_path / "Xtra", "app")
    assert cargo_workspace_root(app, TomlFiles()) == tmp_path.resolve()


def test_workspace_root_when_package_is_not_a_table(tmp_path: Path) -> None:
    manifest = tmp_path / "app" / "Cargo.toml"
    manifest.parent.mkdir()
    manifest.write_text('package = "app"\n')
    assert cargo_workspace_root(manifest, TomlFiles()) == manifest.parent.resolve()
