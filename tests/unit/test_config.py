"""Settings: reading, validation, merging of command line over files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.config import CliOptions, load_settings
from ferrule.errors import ConfigError, LayoutError

CARGO = """
[package]
name = "demo-crate"
version = "1.2.0-beta.3"
edition = "2021"

[lib]
crate-type = ["cdylib"]
"""


def write(tmp_path: Path, pyproject: str | None, cargo: str = CARGO) -> Path:
    (tmp_path / "Cargo.toml").write_text(cargo)
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n' + pyproject
        )
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, None))
    assert settings.pyproject_path is None
    assert settings.cargo.name == "demo-crate"
    assert settings.cargo_options.profile == "dev"


def test_maturin_table_is_read(tmp_path: Path) -> None:
    settings = load_settings(
        write(
            tmp_path,
            '[tool.maturin]\nfeatures = ["a", {feature = "b", python-version = ">=3.12"}]\n'
            'profile = "fast"\nrustc-args = ["-Copt-level=1"]\n',
        )
    )
    assert settings.tool_table == "tool.maturin"
    assert [f.feature for f in settings.cargo_options.features] == ["a", "b"]
    assert settings.cargo_options.profile == "fast"
    assert settings.cargo_options.rustc_args == ("-Copt-level=1",)


def test_command_line_wins(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        '[tool.ferrule]\nfeatures = ["a"]\nprofile = "fast"\nlocked = true\nrustc-args = ["-Cx"]\n',
    )
    settings = load_settings(
        project, CliOptions(release=True, features=("b,c",), rustc_args=("-Cy",))
    )
    assert settings.cargo_options.profile == "release"
    assert [f.feature for f in settings.cargo_options.features] == ["b", "c"]
    assert settings.cargo_options.locked  # booleans are OR-ed, as in maturin
    assert settings.cargo_options.rustc_args == ("-Cy",)


def test_release_conflicts_with_another_profile(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--release conflicts with --profile dev"):
        load_settings(write(tmp_path, ""), CliOptions(release=True, profile="dev"))


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("bindings = 'pyo4'", "tool.ferrule.bindings: 'pyo4' is not one of"),
        (
            "include = [{path = 'a', format = 'egg'}]",
            "tool.ferrule.include[0].format: 'egg' is not one of",
        ),
        (
            "features = [{feature = 'a', python-version = 'three'}]",
            "tool.ferrule.features[0].python-version: 'three' is not a PEP 440",
        ),
        ("targets = [{name = 'a', kind = 'exe'}]", "tool.ferrule.targets[0].kind: must be one of"),
        (
            "compatibility = 3",
            "tool.ferrule.compatibility: must be an array of strings, not an integer",
        ),
        (
            "python-packages = ['a', 1]",
            "tool.ferrule.python-packages[1]: must be a string, not an integer",
        ),
    ],
)
def test_invalid_tool_keys(tmp_path: Path, table: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, f"[tool.ferrule]\n{table}\n"))
    assert expected in str(info.value)
    assert str(tmp_path / "pyproject.toml") in str(info.value)


# Keys maturin ignores silently: ignored with a warning, errors in strict mode (issue 19).
LOOSE_TOOL_KEYS = [
    ("module-nme = 'x'", "tool.maturin.module-nme: unknown key; it is ignored; did you mean"),
    (
        "include = [{path = 'a', pth = 'b'}]",
        "tool.maturin.include[0].pth: unknown key; it is ignored",
    ),
    (
        "exclude = [{path = 'a', from = 'out-dir'}]",
        "tool.maturin.exclude[0].from: unknown key; it is ignored",
    ),
    (
        "targets = [{name = 'a', bindings = 'bin'}]",
        "tool.maturin.targets[0].bindings: unknown key; it is ignored; remove it",
    ),
    ("extensions = []", "tool.maturin.extensions: is a ferrule key, which maturin ignores here"),
]


@pytest.mark.parametrize(("table", "expected"), LOOSE_TOOL_KEYS)
def test_keys_maturin_ignores_are_warnings(
    tmp_path: Path, table: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(write(tmp_path, f"[tool.maturin]\n{table}\n"))
    (warning,) = settings.warnings
    assert expected in str(warning)
    err = capsys.readouterr().err
    assert err == f"ferrule: warning: {warning}\n"
    assert str(tmp_path / "pyproject.toml") in err


def test_strict_mode_lists_every_loose_key_at_once(tmp_path: Path) -> None:
    body = "\n".join(t for t, _ in LOOSE_TOOL_KEYS)
    project = write(tmp_path, f"[tool.maturin]\n{body}\n")
    switches = [
        (CliOptions(strict=True), {}),
        (CliOptions(), {"FERRULE_STRICT": "1"}),
    ]
    for cli, environ in switches:
        with pytest.raises(ConfigError) as info:
            load_settings(project, cli, environ)
        message = str(info.value)
        assert message.startswith(f"invalid configuration (strict mode, {len(LOOSE_TOOL_KEYS)} ")
        for _, expected in LOOSE_TOOL_KEYS:
            assert expected in message
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text() + "[tool.ferrule]\nstrict = true\n"
    )
    with pytest.raises(ConfigError, match=r"strict mode, 6 problems"):  # + both tables
        load_settings(project, CliOptions(), {})
    # Without strict mode, FERRULE_STRICT=0 included, they are warnings.
    write(tmp_path, f"[tool.maturin]\n{body}\n")
    assert len(load_settings(project, CliOptions(), {"FERRULE_STRICT": "0"}).warnings) == 5


def test_manylinux_is_maturins_alias_of_compatibility(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[tool.maturin]\nmanylinux = 'manylinux_2_28'\n"))
    assert settings.warnings == ()
    assert settings.platform.compatibility == ("manylinux_2_28",)


def test_missing_build_system(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(CARGO)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="build-system: missing"):
        load_settings(tmp_path)


def test_missing_cargo_toml_names_manifest_path(tmp_path: Path) -> None:
    write(tmp_path, "[tool.ferrule]\nmanifest-path = 'rust/Cargo.toml'\n")
    with pytest.raises(LayoutError, match=r"rust/Cargo.toml \(from tool.ferrule.manifest-path\)"):
        load_settings(tmp_path)


def test_src_rust_layout_is_found_without_configuration(tmp_path: Path) -> None:
    (tmp_path / "rust").mkdir()
    (tmp_path / "rust" / "Cargo.toml").write_text(CARGO)
    (tmp_path / "src" / "demo_pkg").mkdir(parents=True)
    (tmp_path / "src" / "demo_pkg" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n[project]\nname = "demo-pkg"\n'
    )
    assert load_settings(tmp_path).cargo.manifest_path == tmp_path / "rust" / "Cargo.toml"


def test_manifest_path_option_finds_pyproject_above(tmp_path: Path) -> None:
    (tmp_path / "rust").mkdir()
    (tmp_path / "rust" / "Cargo.toml").write_text(CARGO)
    write(tmp_path, "", cargo=CARGO)
    (tmp_path / "Cargo.toml").unlink()
    settings = load_settings(Path("/"), CliOptions(manifest_path=tmp_path / "rust" / "Cargo.toml"))
    assert settings.pyproject_path == tmp_path / "pyproject.toml"
    assert settings.project_dir == tmp_path


def test_workspace_inheritance(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["py"]\n[workspace.package]\nversion = "2.0.0"\n'
        'description = "from the workspace"\nreadme = "README.md"\n'
    )
    member = tmp_path / "py"
    member.mkdir()
    (member / "Cargo.toml").write_text(
        '[package]\nname = "m"\nversion.workspace = true\ndescription.workspace = true\n'
        "readme.workspace = true\n"
    )
    settings = load_settings(member)
    assert settings.cargo.version == "2.0.0"
    assert settings.cargo.description == "from the workspace"
    assert settings.cargo.readme == "../README.md"
    assert settings.cargo.workspace_root == tmp_path / "Cargo.toml"


def test_workspace_inheritance_without_the_field(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["py"]\n')
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "Cargo.toml").write_text('[package]\nname = "m"\nversion.workspace = true\n')
    with pytest.raises(
        ConfigError, match=r"package.version: inherits from the workspace, but .* has no"
    ):
        load_settings(tmp_path / "py")


def test_environment_is_snapshotted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, None), environ={"SOURCE_DATE_EPOCH": "1"})
    assert dict(settings.environ) == {"SOURCE_DATE_EPOCH": "1"}
    with pytest.raises(TypeError):
        settings.environ["X"] = "y"  # type: ignore[index]


def _cargo_workspace_root(manifest: Path) -> Path:
    import json
    import subprocess

    out = subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1", "--manifest-path", manifest],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Path(json.loads(out)["workspace_root"])


def test_workspace_root_follows_cargo_past_an_excluding_workspace(tmp_path: Path) -> None:
    """The nearest workspace excludes the crate: cargo looks further up, and so do we."""
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["inner/py"]\n[workspace.package]\nversion = "3.1.0"\n'
    )
    inner = tmp_path / "inner"
    (inner / "py" / "src").mkdir(parents=True)
    (inner / "core" / "src").mkdir(parents=True)
    (inner / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["core"]\nexclude = ["py"]\n[workspace.package]\nversion = "9.9.9"\n'
    )
    (inner / "core" / "Cargo.toml").write_text('[package]\nname = "core"\nversion = "1.0.0"\n')
    (inner / "core" / "src" / "lib.rs").write_text("")
    (inner / "py" / "Cargo.toml").write_text('[package]\nname = "m"\nversion.workspace = true\n')
    (inner / "py" / "src" / "lib.rs").write_text("")
    assert _cargo_workspace_root(inner / "py" / "Cargo.toml") == tmp_path
    settings = load_settings(inner / "py")
    assert settings.cargo.version == "3.1.0"
    assert settings.cargo.workspace_root == tmp_path / "Cargo.toml"


def test_a_crate_with_its_own_workspace_table_is_its_root(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = []\nexclude = ["py"]\n[workspace.package]\nversion = "9.9.9"\n'
    )
    (tmp_path / "py" / "src").mkdir(parents=True)
    (tmp_path / "py" / "Cargo.toml").write_text(
        '[package]\nname = "m"\nversion.workspace = true\n'
        '[workspace]\n[workspace.package]\nversion = "0.4.0"\n'
    )
    (tmp_path / "py" / "src" / "lib.rs").write_text("")
    assert _cargo_workspace_root(tmp_path / "py" / "Cargo.toml") == tmp_path / "py"
    settings = load_settings(tmp_path / "py")
    assert settings.cargo.version == "0.4.0"
    assert settings.cargo.workspace_root == tmp_path / "py" / "Cargo.toml"
