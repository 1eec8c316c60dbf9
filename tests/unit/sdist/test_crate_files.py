"""The Rust side of a planned sdist: workspace tables pruned, root manifests stripped, the lock file.

Planned, as in tests/unit/sdist/test_plan_from_cargo_answers.py, from the recorded cargo
answers of the sdist-* test crates (copies, edited here); no cargo runs. The Cargo.toml
texts are pinned whole.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist.plan import CargoAnswers, make_plan
from tests.unit.sdist.test_plan_from_cargo_answers import (
    PROJECTS,
    _edit,
    answers,
    copy_crate,
    data,
    plan,
)


def test_a_root_crate_with_its_own_workspace_keeps_the_members_it_ships(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    project = crates / "sdist-inside"
    _edit(
        project / "Cargo.toml",
        "[lib]\n",
        '[workspace]\nmembers = ["crates/helper/", "tools/*", 3]\n'
        'default-members = ["."]\n\n[lib]\n',
    )
    settings = load_settings(project)
    cargo = answers("sdist-inside", settings.cargo.manifest_path, crates)
    # the helper as a member of the root's workspace
    helpers = tuple(dataclasses.replace(c, member=True) for c in cargo.graph.path_dependencies)
    graph = dataclasses.replace(cargo.graph, path_dependencies=helpers)
    made = make_plan(settings, CargoAnswers(graph, cargo.file_lists))
    text = data(made, "Cargo.toml")
    assert '[workspace]\nmembers = ["crates/helper/"]\n\n[lib]\n' in text
    assert "default-members" not in text


def test_a_path_dependency_with_a_workspace_of_its_own_keeps_none_of_its_members(
    tmp_path: Path,
) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    helper = crates / "sdist-inside/crates/helper/Cargo.toml"
    _edit(helper, "[dependencies]\n", '[workspace]\nmembers = ["benches/*"]\n\n[dependencies]\n')
    made = plan("sdist-inside", crates)
    assert data(made, "crates/helper/Cargo.toml") == (
        '[package]\nname = "inside-helper"\nversion = "0.4.0"\nedition = "2021"\n'
        'license = "MIT"\npublish = false\n\n[workspace]\n\n[dependencies]\n'
    )


def test_a_path_dependency_with_a_workspace_keeps_itself_as_a_member(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    helper = crates / "sdist-inside/crates/helper/Cargo.toml"
    _edit(helper, "[dependencies]\n", '[workspace]\nmembers = [".", "x"]\n\n[dependencies]\n')
    made = plan("sdist-inside", crates)
    assert '[workspace]\nmembers = ["."]\n' in data(made, "crates/helper/Cargo.toml")


def test_a_workspace_root_with_a_package_of_its_own_becomes_virtual(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member/Cargo.toml"
    root.write_text(
        '[package]\nname = "member-root"\nversion = "0.1.0"\n\n[dependencies]\nlibc = "0.2"\n\n'
        "[profile.release]\nlto = true\n\n" + root.read_text()
    )
    made = plan("sdist-member", crates)
    assert data(made, "Cargo.toml") == (
        '[profile.release]\nlto = true\n\n[workspace]\nresolver = "2"\n'
        'members = ["core", "bindings/python"]\n\n[workspace.package]\nversion = "0.9.3"\n'
        'edition = "2021"\nlicense = "MIT"\n\n[workspace.dependencies]\n'
        'member-core = { path = "core" }\n'
    )
    entries = {e.arcname: e for e in made.entries}
    assert (entries["Cargo.toml"].source, entries["Cargo.toml"].origin) == (None, root)


def test_the_root_crates_lock_file_wins_over_the_workspace_one(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    python = crates / "sdist-member/bindings/python"
    (python / "Cargo.lock").write_text("# the bindings' own\n")
    made = plan("sdist-member", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["bindings/python/Cargo.lock"].source == python / "Cargo.lock"
    assert "Cargo.lock" not in entries


def test_the_workspace_lock_file_is_shipped_and_never_excluded(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    _edit(
        crates / "sdist-member/bindings/python/pyproject.toml",
        "[tool.maturin]\n",
        '[tool.maturin]\nexclude = [{ path = "Cargo.lock", format = "sdist" }]\n',
    )
    made = plan("sdist-member", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["Cargo.lock"].source == crates / "sdist-member/Cargo.lock"


def test_no_lock_file_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    (crates / "sdist-member/Cargo.lock").unlink()
    made = plan("sdist-member", crates)
    assert not [n for n in made.names() if n.endswith("Cargo.lock")]
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            "warning: Cargo.lock not found: the sdist will resolve dependency versions anew when "
            "built; commit a Cargo.lock (cargo generate-lockfile) for reproducible builds"
        )
    )


@pytest.mark.parametrize("flag", ["locked", "frozen"])
def test_no_lock_file_under_locked_or_frozen_is_an_error(flag: str, tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    workspace = crates / "sdist-member"
    (workspace / "Cargo.lock").unlink()
    settings = load_settings(crates / PROJECTS["sdist-member"])
    options = dataclasses.replace(settings.cargo_options, **{flag: True})
    settings = dataclasses.replace(settings, cargo_options=options)
    cargo = answers("sdist-member", settings.cargo.manifest_path, crates)
    with pytest.raises(FerruleError) as caught:
        make_plan(settings, cargo)
    manifest = workspace / "bindings/python/Cargo.toml"
    assert str(caught.value) == (
        f"Cargo.lock not found next to {manifest} or in the workspace root {workspace}, but "
        "--locked/--frozen needs it; run cargo generate-lockfile"
    )


def test_a_listed_link_leading_outside_is_left_out_and_the_rest_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    project = crates / "sdist-inside"
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not ours\n")
    (project / "extra/notes.txt").unlink()
    (project / "extra/notes.txt").symlink_to(outside)
    names = plan("sdist-inside", crates).names()
    assert "extra/notes.txt" not in names
    # the files cargo lists after it are all still there
    assert {"pyproject.toml", "sdist_inside/words.py", "src/lib.rs"} <= set(names)
    assert (
        f"leaving out {project / 'extra/notes.txt'}: it is a link to {outside}, outside "
        f"{project}" in capsys.readouterr().err
    )


def test_a_members_own_readme_is_not_replaced_by_the_workspace_one(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member"
    (root / "WS-README.md").write_text("the workspace\n")
    _edit(
        root / "Cargo.toml",
        "[workspace.package]\n",
        '[workspace.package]\nreadme = "WS-README.md"\n',
    )
    made = plan("sdist-member", crates)
    assert "bindings/python/WS-README.md" not in made.names()
    assert 'readme = "README.md"\n' in data(made, "bindings/python/Cargo.toml")


def test_a_license_file_outside_the_crate_is_copied_next_to_it(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member"
    (root / "core/README.md").write_text("core\n")
    (root / "LICENSE").write_text("the workspace's terms\n")
    # the readme inside the crate stays; the license file after it is still relocated
    _edit(
        root / "core/Cargo.toml",
        "license.workspace = true\n",
        'license.workspace = true\nreadme = "README.md"\nlicense-file = "../LICENSE"\n',
    )
    made = plan("sdist-member", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["core/LICENSE"].source == root / "LICENSE"
    assert data(made, "core/Cargo.toml") == (
        '[package]\nname = "member-core"\nversion.workspace = true\n'
        'edition.workspace = true\nlicense.workspace = true\nreadme = "README.md"\n'
        'license-file = "LICENSE"\n\n[dependencies]\n'
    )


def test_relocated_readmes_ignore_the_exclude_setting(tmp_path: Path) -> None:
    crates = copy_crate("sdist-outside", tmp_path)
    pyproject = crates / "sdist-outside/py/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.ferrule]\nexclude = [{ path = "core/*.md", format = "sdist" }]\n'
    )
    made = plan("sdist-outside", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["core/README.md"].source == crates / "sdist-outside/README.md"


def test_a_crate_outside_its_workspace_names_its_manifest_in_inheritance_errors(
    tmp_path: Path,
) -> None:
    crates = copy_crate("sdist-outside", tmp_path)
    core = crates / "sdist-outside/core/Cargo.toml"
    _edit(core, "description =", "homepage.workspace = true\ndescription =")
    with pytest.raises(ConfigError) as caught:
        plan("sdist-outside", crates)
    assert str(caught.value).startswith(
        f"invalid configuration: {core.resolve()}: package.homepage"
    )


def test_ask_cargo_runs_cargo_from_path_with_the_settings_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ferrule.sdist import plan as sdist_plan

    crates = copy_crate("sdist-outside", tmp_path)
    environ = {"PATH": "/nowhere", "MARK": "1"}
    settings = load_settings(crates / PROJECTS["sdist-outside"], environ=environ)
    recorded = answers("sdist-outside", settings.cargo.manifest_path, crates)
    calls: list[tuple[object, ...]] = []

    def graph(*args: object) -> object:
        calls.append(("metadata", *args))
        return recorded.graph

    def listing(*args: object) -> list[str]:
        calls.append(("package", *args))
        return ["src/lib.rs"]

    monkeypatch.setattr(sdist_plan, "load_crate_graph", graph)
    monkeypatch.setattr(sdist_plan, "package_file_list", listing)
    got = sdist_plan.ask_cargo(settings)
    assert got is not None and got.graph is recorded.graph
    options, env = settings.cargo_options, settings.environ
    assert dict(env) == environ
    assert calls == [
        ("metadata", "cargo", settings.cargo.manifest_path, options, env),
        *[("package", "cargo", c.manifest_path, options, env) for c in recorded.graph.crates],
    ]
    assert got.file_lists == {c.manifest_path: ["src/lib.rs"] for c in recorded.graph.crates}
    # sdist-generator = "git" asks git, not cargo
    git = dataclasses.replace(
        settings, tool=dataclasses.replace(settings.tool, sdist_generator="git")
    )
    assert sdist_plan.ask_cargo(git) is None
    assert len(calls) == 1 + len(recorded.graph.crates)


def test_rewritten_manifests_name_the_file_they_rewrite(tmp_path: Path) -> None:
    """The origin of a rewritten entry is what its mode and error messages come from."""
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member"
    made = plan("sdist-member", crates)
    origins = {e.arcname: e.origin for e in made.entries if e.data is not None}
    assert origins == {
        "Cargo.toml": root / "Cargo.toml",
        "PKG-INFO": None,
        "bindings/python/Cargo.toml": root / "bindings/python/Cargo.toml",
        "core/Cargo.toml": root / "core/Cargo.toml",
        "pyproject.toml": root / "bindings/python/pyproject.toml",
    }


@pytest.mark.parametrize("readme", [True, False], ids=["with-readme", "without-readme"])
def test_a_legacy_license_file_outside_the_project_moves_with_pyproject(
    readme: bool, tmp_path: Path
) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member"
    (root / "TERMS").write_text("terms\n")
    pyproject = root / "bindings/python/pyproject.toml"
    if not readme:
        _edit(pyproject, 'readme = "README.md"\n', "")
    _edit(
        pyproject,
        'license = "MIT"\nlicense-files = ["LICENSE"]\n',
        'license = { file = "../../TERMS" }\n',
    )
    made = plan("sdist-member", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["TERMS"].source == root / "TERMS"
    assert 'license = { file = "TERMS" }\n' in data(made, "pyproject.toml")


def test_no_pyproject_no_sdist(tmp_path: Path) -> None:
    from ferrule.errors import LayoutError

    crates = copy_crate("sdist-inside", tmp_path)
    project = crates / "sdist-inside"
    (project / "pyproject.toml").unlink()
    settings = load_settings(project, report=False)
    with pytest.raises(LayoutError) as caught:
        make_plan(settings, None)
    assert str(caught.value) == (
        f"no pyproject.toml for {project / 'Cargo.toml'}: a source distribution needs one "
        "(it names the build backend)"
    )
