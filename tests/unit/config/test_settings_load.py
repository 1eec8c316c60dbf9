"""``load_settings`` and its helpers: each answer, warning and problem whole.

Small projects written to ``tmp_path`` (no cargo); every problem is checked with its file,
dotted key and exact message, every merged value with its exact result.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from ferrule.config import (
    CliOptions,
    _cargo_version_warning,
    _check_build_system,
    _find_pyproject,
    _given_manifest,
    _merge_cargo_options,
    _project_name_dir,
    _resolve_manifest,
    _select_tool_table,
    _split_features,
    _strict,
    load_settings,
)
from ferrule.config.model import (
    CargoFlags,
    CargoOptions,
    CargoPackage,
    Compression,
    FeatureSpec,
    PlatformOptions,
    ToolConfig,
)
from ferrule.errors import ConfigError, ConfigProblem, LayoutError

BUILD_SYSTEM = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'
CARGO = '[package]\nname = "demo"\nversion = "0.1.0"\n[lib]\ncrate-type = ["cdylib"]\n'
FILE = Path("/p/pyproject.toml")


def _project(root: Path, pyproject: str | None = "", cargo: str | None = CARGO) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(BUILD_SYSTEM + pyproject)
    if cargo is not None:
        (root / "Cargo.toml").write_text(cargo)
    return root


def _problems(caught: pytest.ExceptionInfo[ConfigError]) -> list[tuple[Path, str, str]]:
    return [(p.file, p.key, p.message) for p in caught.value.problems]


# --- the helpers ------------------------------------------------------------------------------


def test_split_features() -> None:
    assert _split_features(["a,b", "c d", " ", "e,,f\t g", ""]) == (
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
    )
    assert _split_features([]) == ()


def test_find_pyproject_stops_at_the_parent_of_the_crate(tmp_path: Path) -> None:
    crate = tmp_path / "top" / "ws" / "crate"
    crate.mkdir(parents=True)
    manifest = crate / "Cargo.toml"
    assert _find_pyproject(manifest) is None
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "top" / "pyproject.toml").write_text("")
    assert _find_pyproject(manifest) is None  # two levels up: too far
    (tmp_path / "top" / "ws" / "pyproject.toml").mkdir()  # not a file
    assert _find_pyproject(manifest) is None
    (tmp_path / "top" / "ws" / "pyproject.toml").rmdir()
    (tmp_path / "top" / "ws" / "pyproject.toml").write_text("")
    assert _find_pyproject(manifest) == tmp_path / "top" / "ws" / "pyproject.toml"
    (crate / "pyproject.toml").write_text("")
    assert _find_pyproject(manifest) == crate / "pyproject.toml"


def test_given_manifest(tmp_path: Path) -> None:
    assert _given_manifest(None) is None
    (tmp_path / "crate").mkdir()
    assert _given_manifest(tmp_path / "crate" / ".." / "crate") == (
        tmp_path.resolve() / "crate" / "Cargo.toml"
    )
    # A file, or a path that is not there yet, is taken as the manifest itself.
    assert (
        _given_manifest(tmp_path / "crate" / "My.toml") == tmp_path.resolve() / "crate" / "My.toml"
    )


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ({"project": {"name": "My.Pkg--name"}}, "my_pkg_name"),
        ({"project": {"name": "a-.b"}}, "a_b"),
        ({"project": {"name": "plain"}}, "plain"),
        ({"project": {"name": 1}}, None),
        ({"project": {}}, None),
        ({"project": "x"}, None),
        ({}, None),
    ],
)
def test_project_name_dir(pyproject: dict[str, Any], expected: str | None) -> None:
    assert _project_name_dir(pyproject) == expected


def test_select_tool_table() -> None:
    warnings: list[ConfigProblem] = []
    assert _select_tool_table({}, FILE, warnings) == ("tool.ferrule", {})
    assert _select_tool_table({"tool": {}}, FILE, warnings) == ("tool.ferrule", {})
    assert _select_tool_table({"tool": {"x": 1}}, FILE, warnings) == ("tool.ferrule", {})
    ours = {"strip": True}
    assert _select_tool_table({"tool": {"ferrule": ours}}, FILE, warnings) == (
        "tool.ferrule",
        ours,
    )
    theirs = {"profile": "x"}
    assert _select_tool_table({"tool": {"maturin": theirs}}, FILE, warnings) == (
        "tool.maturin",
        theirs,
    )
    assert warnings == []
    both = {"tool": {"ferrule": ours, "maturin": theirs}}
    assert _select_tool_table(both, FILE, warnings) == ("tool.maturin", theirs)
    assert warnings == [
        ConfigProblem(
            FILE,
            "tool.ferrule",
            "[tool.maturin] is present too; [tool.ferrule] is ignored (but its 'strict') and "
            "[tool.maturin] is used, as maturin does; keep one of them (they take the same keys)",
        )
    ]


@pytest.mark.parametrize(
    ("pyproject", "key"),
    [
        ({"tool": 1}, "tool"),
        ({"tool": {"ferrule": 1}}, "tool.ferrule"),
        ({"tool": {"maturin": []}}, "tool.maturin"),
        ({"tool": {"ferrule": {}, "maturin": "x"}}, "tool.maturin"),
    ],
)
def test_select_tool_table_refuses_what_is_not_a_table(pyproject: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _select_tool_table(pyproject, FILE, [])
    assert _problems(caught) == [(FILE, key, "must be a table")]
    assert not caught.value.strict


@pytest.mark.parametrize(
    ("cli", "pyproject", "environ", "strict"),
    [
        (False, {}, {}, False),
        (True, {}, {}, True),
        (False, {"tool": {"ferrule": {"strict": True}}}, {}, True),
        (False, {"tool": {"ferrule": {"strict": True}, "maturin": {}}}, {}, True),
        (False, {"tool": {"ferrule": {"strict": "yes"}}}, {}, False),
        (False, {"tool": {"ferrule": {"strict": 1}}}, {}, False),
        (False, {"tool": {"ferrule": {"strict": False}}}, {}, False),
        (False, {"tool": {"maturin": {"strict": True}}}, {}, False),
        (False, {"tool": {"ferrule": True}}, {}, False),
        (False, {"tool": 1}, {}, False),
        (False, {}, {"FERRULE_STRICT": "1"}, True),
        (False, {}, {"FERRULE_STRICT": "true"}, True),
        (False, {}, {"FERRULE_STRICT": "YES"}, True),
        (False, {}, {"FERRULE_STRICT": "On"}, True),
        (False, {}, {"FERRULE_STRICT": "0"}, False),
        (False, {}, {"FERRULE_STRICT": ""}, False),
        (False, {}, {"FERRULE_STRICT": "no"}, False),
        (False, {}, {"STRICT": "1"}, False),
    ],
)
def test_strict(
    cli: bool, pyproject: dict[str, Any], environ: dict[str, str], strict: bool
) -> None:
    assert _strict(CliOptions(strict=cli), pyproject, environ) is strict


def test_check_build_system() -> None:
    assert _check_build_system({"build-system": {"requires": ["a", "b"]}}, FILE) == []
    assert _check_build_system({"build-system": {}}, FILE) == []
    assert _check_build_system({}, FILE) == [
        ConfigProblem(
            FILE,
            "build-system",
            'missing; add [build-system] with requires = ["ferrule"] and build-backend = "ferrule"',
        )
    ]
    assert _check_build_system({"build-system": []}, FILE) == [
        ConfigProblem(FILE, "build-system", "must be a table")
    ]
    wrong = ConfigProblem(FILE, "build-system.requires", "must be an array of strings")
    assert _check_build_system({"build-system": {"requires": "ferrule"}}, FILE) == [wrong]
    assert _check_build_system({"build-system": {"requires": ["a", 1]}}, FILE) == [wrong]


def test_resolve_manifest(tmp_path: Path) -> None:
    pyproject = {"project": {"name": "My-Pkg"}}
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig()) == tmp_path / "Cargo.toml"
    (tmp_path / "sub").mkdir()
    assert _resolve_manifest(tmp_path, {}, ToolConfig(manifest_path="sub/../x/Cargo.toml")) == (
        tmp_path.resolve() / "x" / "Cargo.toml"
    )
    rust = tmp_path / "rust" / "Cargo.toml"
    rust.parent.mkdir()
    rust.write_text(CARGO)
    # rust/Cargo.toml alone is not enough: a python-source, or src/<name>/__init__.py
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig()) == tmp_path / "Cargo.toml"
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig(python_source="python")) == rust
    package = tmp_path / "src" / "my_pkg"
    package.mkdir(parents=True)
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig()) == tmp_path / "Cargo.toml"
    (package / "__init__.py").write_text("")
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig()) == rust
    assert _resolve_manifest(tmp_path, {}, ToolConfig()) == tmp_path / "Cargo.toml"
    # A Cargo.toml next to pyproject.toml wins.
    (tmp_path / "Cargo.toml").write_text(CARGO)
    assert _resolve_manifest(tmp_path, pyproject, ToolConfig(python_source="p")) == (
        tmp_path / "Cargo.toml"
    )


def test_merge_cargo_options_profile() -> None:
    tool = ToolConfig(profile="fast")

    def profile(cli: CliOptions, tool: ToolConfig | None = None) -> str | None:
        return _merge_cargo_options(cli, tool or ToolConfig(), FILE).profile

    assert profile(CliOptions()) == "dev"
    assert profile(CliOptions(default_profile="release")) == "release"
    assert profile(CliOptions(), tool) == "fast"
    assert profile(CliOptions(profile="mine"), tool) == "mine"
    assert profile(CliOptions(release=True), tool) == "release"
    assert profile(CliOptions(release=True, profile="release"), tool) == "release"
    with pytest.raises(ConfigError) as caught:
        _merge_cargo_options(CliOptions(release=True, profile="dev"), tool, FILE)
    assert _problems(caught) == [(FILE, "", "--release conflicts with --profile dev")]
    with pytest.raises(ConfigError) as caught:
        _merge_cargo_options(CliOptions(release=True, profile="x"), tool, None)
    assert _problems(caught) == [
        (Path("<command line>"), "", "--release conflicts with --profile x")
    ]


def test_merge_cargo_options_features_and_flags() -> None:
    tool = ToolConfig(
        features=(FeatureSpec("t"),),
        all_features=True,
        no_default_features=True,
        locked=True,
        frozen=True,
        offline=True,
        config=("c=1",),
        unstable_flags=("u",),
        rustc_args=("-Cr",),
    )
    from_file = _merge_cargo_options(CliOptions(), tool, FILE)
    assert from_file == CargoOptions(
        profile="dev",
        features=(FeatureSpec("t"),),
        all_features=True,
        no_default_features=True,
        locked=True,
        frozen=True,
        offline=True,
        config=("c=1",),
        unstable_flags=("u",),
        rustc_args=("-Cr",),
    )
    cli = CliOptions(
        features=("a,b", "c"),
        config=("c=2",),
        unstable_flags=("v",),
        rustc_args=("-Cs",),
        target="x86_64-unknown-linux-gnu",
        target_dir=Path("/t"),
        jobs=3,
        quiet=True,
        verbose=2,
        color="never",
        timings=True,
        ignore_rust_version=True,
        future_incompat_report=True,
    )
    merged = _merge_cargo_options(cli, tool, FILE)
    assert merged == CargoOptions(
        profile="dev",
        features=(FeatureSpec("a"), FeatureSpec("b"), FeatureSpec("c")),
        all_features=True,
        no_default_features=True,
        locked=True,
        frozen=True,
        offline=True,
        config=("c=2",),
        unstable_flags=("v",),
        rustc_args=("-Cs",),
        target="x86_64-unknown-linux-gnu",
        target_dir=Path("/t"),
        jobs=3,
        quiet=True,
        verbose=2,
        color="never",
        timings=True,
        ignore_rust_version=True,
        future_incompat_report=True,
    )
    # Only the command line sets the other flags.
    assert _merge_cargo_options(CliOptions(), ToolConfig(), None) == CargoOptions(profile="dev")
    assert {f.name for f in dataclasses.fields(CargoFlags)} >= {"target", "jobs"}


def test_cargo_version_warning(tmp_path: Path) -> None:
    manifest = tmp_path / "Cargo.toml"

    def package(version: str | None) -> CargoPackage:
        return CargoPackage(manifest, "demo", version, None, (), (), {}, None)

    missing = ConfigProblem(
        manifest,
        "package.version",
        "missing; the version is 0.0.0, as cargo and maturin take it; set package.version "
        "(or project.version in pyproject.toml)",
    )
    assert _cargo_version_warning(package(None), {}) == [missing]
    assert _cargo_version_warning(package(None), {"project": {"name": "x"}}) == [missing]
    assert _cargo_version_warning(package(None), {"project": "version"}) == [missing]
    assert _cargo_version_warning(package(None), {"project": {"version": "1"}}) == []
    assert _cargo_version_warning(package("1.0.0"), {}) == []


# --- load_settings ----------------------------------------------------------------------------


def test_a_project_without_pyproject(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    settings = load_settings(root, environ={"A": "b"}, report=False)
    assert settings.project_dir == root.resolve()
    assert settings.pyproject_path is None
    assert settings.pyproject == {}
    assert (settings.tool_table, settings.tool) == ("tool.ferrule", ToolConfig())
    assert settings.cargo.manifest_path == root.resolve() / "Cargo.toml"
    assert settings.cargo_options == CargoOptions(profile="dev")
    assert dict(settings.environ) == {"A": "b"}
    assert settings.platform == PlatformOptions()
    assert settings.warnings == ()
    assert settings.strict is False
    assert settings.compression == Compression("deflated", None, False)
    assert settings.sbom_include == ()
    assert (settings.include_debuginfo, settings.pgo) == (False, False)
    assert (settings.bundle_licenses, settings.allow_missing_license_files) == (False, False)


def test_the_environment_defaults_to_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERRULE_TEST_MARK", "1")
    settings = load_settings(_project(tmp_path, None), report=False)
    assert settings.environ["FERRULE_TEST_MARK"] == "1"
    with pytest.raises(TypeError):
        settings.environ["X"] = "y"  # type: ignore[index]
    assert "FERRULE_TEST_MARK" not in load_settings(tmp_path, environ={}, report=False).environ


def test_a_project_with_pyproject(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        '[project]\nname = "demo"\nversion = "1.0"\n[tool.maturin]\nprofile = "fast"\n'
        'features = ["x"]\nlocked = true\n',
    )
    settings = load_settings(root / ".", environ={}, report=False)
    assert settings.project_dir == root.resolve()
    assert settings.pyproject_path == root.resolve() / "pyproject.toml"
    assert settings.pyproject["project"] == {"name": "demo", "version": "1.0"}
    assert settings.tool_table == "tool.maturin"
    assert settings.tool == ToolConfig(profile="fast", features=(FeatureSpec("x"),), locked=True)
    assert settings.cargo_options == CargoOptions(
        profile="fast", features=(FeatureSpec("x"),), locked=True
    )
    assert settings.warnings == ()


def test_the_command_line_values(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "[tool.ferrule]\nbundle-licenses = true\nallow-missing-license-files = true\n"
    )
    settings = load_settings(root, environ={}, report=False)
    assert (settings.bundle_licenses, settings.allow_missing_license_files) == (True, True)
    cli = CliOptions(
        compression_method="stored",
        compression_level=5,
        compression_large_file=True,
        sbom_include=(Path("a.json"),),
        include_debuginfo=True,
        bundle_licenses=True,
        allow_missing_license_files=True,
        bindings="cffi",
        zig=True,
    )
    root = _project(tmp_path / "b")
    settings = load_settings(root, cli, environ={}, report=False)
    assert settings.compression == Compression("stored", 5, True)
    assert settings.sbom_include == (Path("a.json"),)
    assert settings.include_debuginfo is True
    assert (settings.bundle_licenses, settings.allow_missing_license_files) == (True, True)
    assert settings.tool == ToolConfig(bindings="cffi")
    assert settings.platform == PlatformOptions(zig=True)


def test_strip_adds_the_rustc_argument(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.maturin]\nrustc-args = ['-Cx']\n")
    plain = load_settings(root, environ={"MATURIN_STRIP": "0"}, report=False)
    assert plain.cargo_options.rustc_args == ("-Cx",)
    assert plain.platform.strip is False
    for environ in ({"MATURIN_STRIP": "1"}, {"MATURIN_STRIP": "True"}):
        stripped = load_settings(root, environ=environ, report=False)
        assert stripped.platform.strip is True
        assert stripped.cargo_options.rustc_args == ("-Cx", "-C", "strip=symbols")
    cli = load_settings(root, CliOptions(strip=True), environ={}, report=False)
    assert cli.cargo_options.rustc_args == ("-Cx", "-C", "strip=symbols")


@pytest.mark.parametrize("given", ["manifest", "directory"])
def test_the_manifest_path_finds_the_pyproject(tmp_path: Path, given: str) -> None:
    root = _project(tmp_path, '[tool.maturin]\nprofile = "p"\n', cargo=None)
    crate = root / "crate"
    _project(crate, None)
    path = crate / "Cargo.toml" if given == "manifest" else crate
    settings = load_settings(
        tmp_path / "elsewhere", CliOptions(manifest_path=path), environ={}, report=False
    )
    assert settings.pyproject_path == root.resolve() / "pyproject.toml"
    assert settings.project_dir == root.resolve()
    assert settings.cargo.manifest_path == crate.resolve() / "Cargo.toml"
    assert settings.cargo_options.profile == "p"


def test_a_manifest_path_without_pyproject(tmp_path: Path) -> None:
    crate = _project(tmp_path / "a" / "crate", None)
    settings = load_settings(
        tmp_path, CliOptions(manifest_path=crate / "Cargo.toml"), environ={}, report=False
    )
    assert settings.pyproject_path is None
    assert settings.project_dir == tmp_path.resolve()
    assert settings.cargo.manifest_path == crate.resolve() / "Cargo.toml"


def test_the_tool_table_manifest_path(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\n', cargo=None)
    with pytest.raises(LayoutError) as caught:
        load_settings(root, environ={}, report=False)
    assert str(caught.value) == (
        f"Cargo.toml not found: {root.resolve() / 'rust' / 'Cargo.toml'} "
        "(from tool.maturin.manifest-path)"
    )
    _project(root / "rust", None)
    settings = load_settings(root, environ={}, report=False)
    assert settings.cargo.manifest_path == root.resolve() / "rust" / "Cargo.toml"


def test_no_cargo_toml(tmp_path: Path) -> None:
    root = _project(tmp_path, "", cargo=None)
    with pytest.raises(LayoutError) as caught:
        load_settings(root, environ={}, report=False)
    assert str(caught.value) == f"Cargo.toml not found: {root.resolve() / 'Cargo.toml'}"


def test_the_rust_directory_layout(tmp_path: Path) -> None:
    root = _project(tmp_path, '[project]\nname = "my-pkg"\nversion = "1"\n', cargo=None)
    _project(root / "rust", None)
    (root / "src" / "my_pkg").mkdir(parents=True)
    (root / "src" / "my_pkg" / "__init__.py").write_text("")
    settings = load_settings(root, environ={}, report=False)
    assert settings.cargo.manifest_path == root.resolve() / "rust" / "Cargo.toml"


def test_problems_are_raised_together_without_the_warnings(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.maturin]\nmodule-name = 1\nzzz = 1\nstrip = 'x'\n")
    (root / "pyproject.toml").write_text(
        "[build-system]\nrequires = 'ferrule'\n"
        + (root / "pyproject.toml").read_text().split("\n", 3)[3]
    )
    path = root.resolve() / "pyproject.toml"
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={}, report=False)
    assert _problems(caught) == [
        (path, "build-system.requires", "must be an array of strings"),
        (path, "tool.maturin.module-name", "must be a string, not an integer"),
        (path, "tool.maturin.strip", "must be true or false, not a string"),
    ]
    assert caught.value.strict is False
    # In strict mode the warnings so far come with them.
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={"FERRULE_STRICT": "1"}, report=False)
    assert _problems(caught)[3:] == [
        (path, "tool.maturin.zzz", "unknown key; it is ignored; remove it")
    ]
    assert len(caught.value.problems) == 4
    assert caught.value.strict is True


def test_warnings_are_kept_and_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(
        tmp_path,
        '[project]\nname = "demo"\nversion = "1"\nnmae = "x"\n[tool.ferrule]\nzzz = 1\n',
        cargo='[package]\nname = "demo"\n',
    )
    path = root.resolve() / "pyproject.toml"
    settings = load_settings(root, environ={}, report=False)
    keys = [(w.file, w.key) for w in settings.warnings]
    assert keys == [(path, "tool.ferrule.zzz"), (path, "project.nmae")]
    assert capsys.readouterr().err == ""
    load_settings(root, environ={"NO_COLOR": "1"})
    err = capsys.readouterr().err
    assert err.splitlines() == [f"ferrule: warning: {w}" for w in settings.warnings]
    with pytest.raises(ConfigError) as caught:
        load_settings(root, CliOptions(strict=True), environ={}, report=False)
    assert caught.value.problems == settings.warnings
    assert caught.value.strict is True


def test_a_missing_cargo_version_is_a_warning(tmp_path: Path) -> None:
    root = _project(tmp_path, None, cargo='[package]\nname = "demo"\n')
    manifest = root.resolve() / "Cargo.toml"
    settings = load_settings(root, environ={}, report=False)
    assert [(w.file, w.key) for w in settings.warnings] == [(manifest, "package.version")]
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={"FERRULE_STRICT": "yes"}, report=False)
    assert [(p.file, p.key) for p in caught.value.problems] == [(manifest, "package.version")]
    assert caught.value.strict is True
    # Strict from [tool.ferrule] also when [tool.maturin] is the table used.
    _project(tmp_path, "[tool.ferrule]\nstrict = true\n[tool.maturin]\n", cargo=None)
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={}, report=False)
    assert [p.key for p in caught.value.problems] == ["tool.ferrule", "package.version"]


def test_pgo_needs_a_command(tmp_path: Path) -> None:
    message = (
        "--pgo needs the command that exercises the built module "
        '(e.g. pgo-command = "python -m pytest tests"); it is not set or empty'
    )
    root = _project(tmp_path, "[tool.maturin]\npgo-command = '  '\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(root, CliOptions(pgo=True), environ={}, report=False)
    assert _problems(caught) == [
        (root.resolve() / "pyproject.toml", "tool.maturin.pgo-command", message)
    ]
    bare = _project(tmp_path / "bare", None)
    with pytest.raises(ConfigError) as caught:
        load_settings(bare, CliOptions(pgo=True), environ={}, report=False)
    assert _problems(caught) == [
        (bare.resolve() / "pyproject.toml", "tool.ferrule.pgo-command", message)
    ]
    _project(tmp_path, "[tool.maturin]\npgo-command = 'python -c 1'\n")
    settings = load_settings(root, CliOptions(pgo=True), environ={}, report=False)
    assert settings.pgo is True
    assert load_settings(root, environ={}, report=False).pgo is False


def test_the_tool_table_problems_name_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.ferrule]\nstrip = true\n[tool.maturin]\nlocked = true\n")
    path = root.resolve() / "pyproject.toml"
    settings = load_settings(root, environ={}, report=False)
    assert (settings.tool_table, settings.tool) == ("tool.maturin", ToolConfig(locked=True))
    assert [(w.file, w.key) for w in settings.warnings] == [(path, "tool.ferrule")]
    _project(tmp_path, "[tool]\nmaturin = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(root, environ={}, report=False)
    assert _problems(caught) == [(path, "tool.maturin", "must be a table")]


def test_strict_mode_without_warnings_is_kept(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert load_settings(root, environ={"FERRULE_STRICT": "1"}, report=False).strict is True
    assert load_settings(root, CliOptions(strict=True), environ={}, report=False).strict is True
    assert load_settings(root, environ={}, report=False).strict is False


def test_a_profile_conflict_names_the_pyproject(tmp_path: Path) -> None:
    root = _project(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(root, CliOptions(release=True, profile="dev"), environ={}, report=False)
    assert _problems(caught) == [
        (root.resolve() / "pyproject.toml", "", "--release conflicts with --profile dev")
    ]
