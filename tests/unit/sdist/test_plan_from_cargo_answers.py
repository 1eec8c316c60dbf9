"""The sdist plan from recorded cargo answers (issue 20): no cargo runs here.

tests/fixtures/sdist/ holds what ``cargo metadata`` and ``cargo package --list`` said for the
sdist-* test crates (tests/fixtures/sdist/record.py records them again); the plans below are
the ones the real ``plan_sdist`` makes for those crates (tests/integration/test_sdist*.py
build, install and import them).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ferrule import _run
from ferrule.config import load_settings
from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist.crates import CargoTarget, parse_crate_graph
from ferrule.sdist.plan import CargoAnswers, SdistPlan, make_plan, plan_sdist
from tests.helpers.sdists import CRATES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sdist"

# fixture name -> where its pyproject.toml is (relative to the crates directory)
PROJECTS = {
    "sdist-inside": "sdist-inside",
    "sdist-src": "sdist-src",
    "sdist-member": "sdist-member/bindings/python",
    "sdist-outside": "sdist-outside/py",
    "sdist-parent-workspace": "sdist-parent-workspace/crates/py",
}


def answers(name: str, manifest: Path, crates: Path) -> CargoAnswers:
    """The recorded answers of ``name``, with its crates under ``crates``."""
    text = (FIXTURES / f"{name}.metadata.json").read_text()
    graph = parse_crate_graph(json.loads(text.replace("@CRATES@", str(crates))), manifest)
    lists = {
        c.manifest_path: (FIXTURES / f"{name}.{c.name}.list").read_text().splitlines()
        for c in graph.crates
    }
    return CargoAnswers(graph, lists)


def plan(name: str, crates: Path) -> SdistPlan:
    """The plan of a copy of ``name`` made by :func:`copy_crate` into ``crates``."""
    settings = load_settings(crates / PROJECTS[name])
    return make_plan(settings, answers(name, settings.cargo.manifest_path, crates))


def copy_crate(name: str, tmp_path: Path) -> Path:
    """A copy of the test crate ``name`` under ``tmp_path`` (the crates directory of the copy).

    Outside any git checkout, so that no ignore rule of the place the tests run from
    (mutmut runs them from an ignored copy of the tree) filters the Python sources.
    """
    leftovers = shutil.ignore_patterns("target", "__pycache__", "*.so", "*.pyd", "*.egg-info")
    shutil.copytree(CRATES / name, tmp_path / name, ignore=leftovers)
    return tmp_path


def data(plan: SdistPlan, arcname: str) -> str:
    [entry] = [e for e in plan.entries if e.arcname == arcname]
    assert entry.data is not None, f"{arcname} is copied, not rewritten"
    return entry.data.decode()


@pytest.mark.parametrize(
    ("name", "filename", "names"),
    [
        pytest.param(
            "sdist-inside",
            "sdist_inside-0.4.0.tar.gz",
            # the include (extra/notes.txt) is in, the exclude (extra/scratch.txt) out
            "Cargo.lock Cargo.toml LICENSE PKG-INFO README.md crates/helper/Cargo.toml "
            "crates/helper/src/lib.rs exercise.py extra/notes.txt pyproject.toml "
            "sdist_inside/__init__.py sdist_inside/words.py src/lib.rs",
            id="mixed-path-dep-inside-include-exclude",
        ),
        pytest.param(
            "sdist-src",
            "sdist_src-3.1.4.tar.gz",
            "PKG-INFO README.rst pyproject.toml rust/Cargo.lock rust/Cargo.toml rust/src/lib.rs "
            "src/sdist_src/__init__.py src/sdist_src/data.json tests/test_palindrome.py",
            id="python-source",
        ),
        pytest.param(
            "sdist-member",
            "sdist_member-0.9.3.tar.gz",
            # tools/bench is a member the extension does not use: left out
            "Cargo.lock Cargo.toml LICENSE PKG-INFO README.md bindings/python/Cargo.toml "
            "bindings/python/LICENSE bindings/python/README.md bindings/python/exercise.py "
            "bindings/python/src/lib.rs core/Cargo.toml core/src/lib.rs pyproject.toml "
            "sdist_member/__init__.py",
            id="workspace-member",
        ),
        pytest.param(
            "sdist-outside",
            "sdist_outside-2.0.1.tar.gz",
            # core/README.md: the workspace readme core inherits, copied next to it
            "LICENSE PKG-INFO README.md core/Cargo.toml core/README.md core/src/lib.rs "
            "py/Cargo.lock py/Cargo.toml py/LICENSE py/README.md py/exercise.py "
            "py/sdist_outside.pyi py/src/lib.rs pyproject.toml sdist_outside.pyi",
            id="path-dep-outside-the-workspace",
        ),
        pytest.param(
            "sdist-parent-workspace",
            "sdist_parent_workspace-0.3.1.tar.gz",
            "PKG-INFO py/Cargo.lock py/Cargo.toml py/exercise.py py/src/lib.rs pyproject.toml "
            "shared/Cargo.toml shared/README.md shared/src/lib.rs",
            id="parent-workspace",
        ),
    ],
)
def test_archive_names(name: str, filename: str, names: str, tmp_path: Path) -> None:
    made = plan(name, copy_crate(name, tmp_path))
    assert made.filename == filename
    assert made.root == filename.removesuffix(".tar.gz")
    assert made.names() == names.split()


def test_a_plain_crate_keeps_its_manifests(tmp_path: Path) -> None:
    made = plan("sdist-inside", copy_crate("sdist-inside", tmp_path))
    entries = {e.arcname: e for e in made.entries}
    crate = tmp_path / "sdist-inside"
    assert entries["pyproject.toml"].source == crate / "pyproject.toml"
    assert entries["src/lib.rs"].source == crate / "src/lib.rs"
    # Cargo.toml is always written anew (here: the same text)
    assert data(made, "Cargo.toml") == (crate / "Cargo.toml").read_text()
    assert data(made, "PKG-INFO").startswith("Metadata-Version: ")


def test_member_moves_pyproject_to_the_top_and_prunes_the_workspace(tmp_path: Path) -> None:
    made = plan("sdist-member", copy_crate("sdist-member", tmp_path))
    assert data(made, "pyproject.toml").endswith(
        '[tool.maturin]\nmodule-name = "sdist_member._core"\n'
        'manifest-path = "bindings/python/Cargo.toml"\n'
    )
    assert data(made, "Cargo.toml").startswith(
        '[workspace]\nresolver = "2"\nmembers = ["core", "bindings/python"]\n'
    )
    assert data(made, "core/Cargo.toml") == (
        '[package]\nname = "member-core"\nversion.workspace = true\n'
        "edition.workspace = true\nlicense.workspace = true\n\n[dependencies]\n"
    )


def test_a_crate_outside_its_workspace_inlines_what_it_inherits(tmp_path: Path) -> None:
    made = plan("sdist-outside", copy_crate("sdist-outside", tmp_path))
    assert data(made, "core/Cargo.toml") == (
        '[package]\nname = "outside-core"\ndescription = "Rust code shared by several front ends"\n'
        'version = "2.0.1"\nreadme = "README.md"\nlicense = "MIT"\nedition = "2021"\n\n'
        '[dependencies]\n\n[dependencies.memchr]\nversion = "2.7"\ndefault-features = false\n'
        'features = ["alloc"]\n[lints.clippy]\nneedless_return = "deny"\n'
    )
    assert data(made, "pyproject.toml").endswith(
        'dynamic = ["version", "description"]\n\n[tool.ferrule]\nmanifest-path = "py/Cargo.toml"\n'
    )
    entries = {e.arcname: e for e in made.entries}
    assert entries["core/README.md"].source == tmp_path / "sdist-outside/README.md"


def test_parent_workspace_inherited_readme(tmp_path: Path) -> None:
    made = plan("sdist-parent-workspace", copy_crate("sdist-parent-workspace", tmp_path))
    assert data(made, "shared/Cargo.toml") == (
        '[package]\nname = "parent-shared"\nversion = "0.3.1"\nreadme = "README.md"\n'
        'edition = "2021"\n'
    )
    assert data(made, "pyproject.toml").endswith(
        '\n[tool.ferrule]\nmanifest-path = "py/Cargo.toml"\n'
    )


def test_targets_missing_from_the_package_list_leave_the_manifest(tmp_path: Path) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    settings = load_settings(crates / "sdist-src")
    cargo = answers("sdist-src", settings.cargo.manifest_path, crates)
    root = cargo.graph.root
    extra = (
        CargoTarget("bin", "tool", root.directory / "src/bin/tool.rs"),
        CargoTarget("example", "demo", root.directory / "examples/demo.rs"),
        CargoTarget("custom-build", "build-script-build", root.directory / "build.rs"),
    )
    root = dataclasses.replace(root, targets=root.targets + extra)
    graph = dataclasses.replace(cargo.graph, root=root)
    # listed but not on disk counts as missing too
    lists = {root.manifest_path: [*cargo.file_lists[root.manifest_path], "src/bin/tool.rs"]}
    manifest = root.manifest_path
    manifest.write_text(
        manifest.read_text().replace(
            "[lib]",
            'build = "build.rs"\ndefault-run = "tool"\n\n[[bin]]\nname = "tool"\npath = "src/bin/tool.rs"\n\n'
            '[[example]]\nname = "demo"\n\n[lib]',
        )
    )
    made = make_plan(settings, CargoAnswers(graph, lists))
    assert "rust/src/bin/tool.rs" not in made.names()
    # [[bin]], [[example]], package.build and the default-run naming the bin are gone
    assert data(made, "rust/Cargo.toml") == (
        '[package]\nname = "sdist-src"\nversion = "3.1.4"\nedition = "2021"\nlicense = "MIT"\n'
        '\n\n[lib]\nname = "_rust"\ncrate-type = ["cdylib"]\n\n'
        '[dependencies]\npyo3 = "0.29"\n'
    )


def test_a_missing_inherited_readme_names_the_crate_and_key(tmp_path: Path) -> None:
    crates = copy_crate("sdist-outside", tmp_path)
    (crates / "sdist-outside/README.md").unlink()
    with pytest.raises(ConfigError) as caught:
        plan("sdist-outside", crates)
    core = (crates / "sdist-outside/core").resolve()
    assert str(caught.value) == (
        f"invalid configuration: {core / 'Cargo.toml'}: package.readme: {core.parent / 'README.md'} does not exist"
    )


def test_a_readme_outside_the_sdist_tree_names_the_key(tmp_path: Path) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    (crates / "NOTES.rst").write_text("notes\n")
    pyproject = crates / "sdist-src/pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"README.rst"', '"../NOTES.rst"'))
    with pytest.raises(ConfigError) as caught:
        plan("sdist-src", crates)
    assert str(caught.value) == (
        f"invalid configuration: {pyproject.resolve()}: project.readme: '../NOTES.rst' is "
        f"outside the tree the sdist is made of ({pyproject.resolve().parent}); "
        "use a file inside the project"
    )


def test_a_moved_pyproject_gets_python_source(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    project = crates / "sdist-member/bindings/python"
    (project / "python").mkdir()
    (project / "sdist_member").rename(project / "python/sdist_member")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.maturin]\n", '[tool.maturin]\npython-source = "python"\n'
        )
    )
    made = plan("sdist-member", crates)
    assert "python/sdist_member/__init__.py" in made.names()
    assert "sdist_member/__init__.py" not in made.names()
    assert data(made, "pyproject.toml").endswith(
        '[tool.maturin]\npython-source = "python"\nmodule-name = "sdist_member._core"\n'
        'manifest-path = "bindings/python/Cargo.toml"\n'
    )


def test_python_source_outside_the_project_is_rewritten(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    project = crates / "sdist-member/bindings/python"
    (project / "sdist_member").rename(project.parent / "sdist_member")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.maturin]\n", '[tool.maturin]\npython-source = ".."\n')
    )
    made = plan("sdist-member", crates)
    assert "bindings/sdist_member/__init__.py" in made.names()
    assert data(made, "pyproject.toml").endswith(
        '[tool.maturin]\npython-source = "bindings"\nmodule-name = "sdist_member._core"\n'
        'manifest-path = "bindings/python/Cargo.toml"\n'
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_includes_excludes_and_data_of_a_moved_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    project = crates / "sdist-member/bindings/python"
    (project / "data/scripts").mkdir(parents=True)
    (project / "data/scripts/tool").write_text("#!/bin/sh\n")
    (project / "notes").mkdir()
    (project / "notes/a.txt").write_text("a\n")
    (project / "notes/wheel-only.txt").write_text("w\n")
    (project / "sdist_member/extra.txt").write_text("found below python-source\n")
    _edit(
        project / "pyproject.toml",
        "[tool.maturin]\n",
        '[tool.maturin]\ndata = "data"\nexclude = ["pyproject.toml", "README.md"]\ninclude = [\n'
        '  { path = "notes/wheel-only.txt", format = "wheel" },\n'
        '  { path = "notes/*.txt", format = "sdist" },\n'
        '  { path = "nothing/*", format = "sdist" },\n'
        "]\n",
    )
    made = plan("sdist-member", crates)
    names = made.names()
    assert "notes/a.txt" in names
    # the wheel-only include is in the sdist through the sdist glob only
    assert "notes/wheel-only.txt" in names
    assert "data/scripts/tool" in names
    # excludes never drop pyproject.toml or the readme
    assert "pyproject.toml" in names
    assert "README.md" in names
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("tool.maturin.include: 'nothing/*' matches no file")
    )
    tool = tomllib.loads(data(made, "pyproject.toml"))["tool"]["maturin"]
    assert sorted(tool) == ["data", "exclude", "include", "manifest-path", "module-name"]
    assert tool["data"] == "data"


def test_an_include_for_the_wheel_only_stays_out(tmp_path: Path) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    _edit(crates / "sdist-src/pyproject.toml", 'format = "sdist"', 'format = "wheel"')
    assert "tests/test_palindrome.py" not in plan("sdist-src", crates).names()


def test_git_ignored_python_files_stay_out(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    project = crates / "sdist-inside"
    (project / "sdist_inside/generated.py").write_text("X = 1\n")
    (project / ".gitignore").write_text("generated.py\n")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    names = plan("sdist-inside", crates).names()
    assert "sdist_inside/generated.py" not in names
    assert "sdist_inside/words.py" in names


def test_a_member_inheriting_the_workspace_readme_gets_a_copy(tmp_path: Path) -> None:
    crates = copy_crate("sdist-member", tmp_path)
    root = crates / "sdist-member"
    (root / "WS-README.md").write_text("the workspace\n")
    _edit(
        root / "Cargo.toml",
        "[workspace.package]\n",
        '[workspace.package]\nreadme = "WS-README.md"\n',
    )
    _edit(
        root / "core/Cargo.toml",
        "license.workspace = true\n",
        "license.workspace = true\nreadme.workspace = true\n",
    )
    made = plan("sdist-member", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["core/WS-README.md"].source == root / "WS-README.md"
    assert data(made, "core/Cargo.toml") == (
        '[package]\nname = "member-core"\nversion.workspace = true\n'
        'edition.workspace = true\nlicense.workspace = true\nreadme = "WS-README.md"\n\n'
        "[dependencies]\n"
    )


def test_an_exclude_never_drops_pyproject_toml(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    _edit(
        crates / "sdist-inside/pyproject.toml",
        '"extra/scratch.txt", format = "sdist" }]',
        '"extra/scratch.txt", format = "sdist" }, { path = "*.toml", format = "sdist" }, '
        '{ path = "*.lock", format = "sdist" }]',
    )
    names = plan("sdist-inside", crates).names()
    assert "pyproject.toml" in names
    assert "Cargo.lock" in names
    assert "extra/scratch.txt" not in names


def test_plan_sdist_asks_cargo_once_per_crate_then_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real entry point: cargo's answers (here replayed) go into make_plan unchanged."""
    crates = copy_crate("sdist-outside", tmp_path)
    settings = load_settings(crates / PROJECTS["sdist-outside"], environ={"CARGO": "my-cargo"})
    recorded = (FIXTURES / "sdist-outside.metadata.json").read_text()
    lists = {
        str((crates / "sdist-outside/py/Cargo.toml").resolve()): "sdist-outside.sdist-outside.list",
        str(
            (crates / "sdist-outside/core/Cargo.toml").resolve()
        ): "sdist-outside.outside-core.list",
    }
    calls: list[list[str]] = []
    real_run = _run.run

    def fake_run(argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        words = [str(a) for a in argv]
        if words[0] != "my-cargo":
            return real_run(argv, **kwargs)
        calls.append(words[1:])
        manifest = words[words.index("--manifest-path") + 1]
        if words[1] == "metadata":
            out = recorded.replace("@CRATES@", str(crates))
        else:
            out = (FIXTURES / lists[manifest]).read_text()
        return subprocess.CompletedProcess(argv, 0, out, "")

    monkeypatch.setattr(_run, "run", fake_run)
    made = plan_sdist(settings)
    manifest = str(settings.cargo.manifest_path)
    package = ["package", "--list"]
    assert [c[:2] for c in calls] == [["metadata", "--format-version"], package, package]
    assert calls[0][calls[0].index("--manifest-path") + 1] == manifest
    assert sorted(c[c.index("--manifest-path") + 1] for c in calls[1:]) == sorted(lists)
    expected = plan("sdist-outside", crates)
    assert made == dataclasses.replace(expected, entries=made.entries)
    assert [(e.arcname, e.source, e.data) for e in made.entries] == [
        (e.arcname, e.source, e.data) for e in expected.entries
    ]


def test_a_license_file_outside_the_crate_is_copied_next_to_it(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    helper = crates / "sdist-inside/crates/helper"
    _edit(helper / "Cargo.toml", 'license = "MIT"\n', 'license-file = "../../LICENSE"\n')
    made = plan("sdist-inside", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["crates/helper/LICENSE"].source == crates / "sdist-inside/LICENSE"
    assert 'license-file = "LICENSE"\n' in data(made, "crates/helper/Cargo.toml")


def test_without_cargo_lock_a_warning_or_with_locked_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    lock = crates / "sdist-src/rust/Cargo.lock"
    lock.unlink()
    settings = load_settings(crates / "sdist-src")
    cargo = answers("sdist-src", settings.cargo.manifest_path, crates)
    assert "rust/Cargo.lock" not in make_plan(settings, cargo).names()
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            "Cargo.lock not found: the sdist will resolve dependency versions anew when built; "
            "commit a Cargo.lock (cargo generate-lockfile) for reproducible builds"
        )
    )
    for flag in ("locked", "frozen"):
        options = dataclasses.replace(settings.cargo_options, **{flag: True})
        with pytest.raises(FerruleError) as caught:
            make_plan(dataclasses.replace(settings, cargo_options=options), cargo)
        assert str(caught.value) == (
            f"Cargo.lock not found next to {lock.parent / 'Cargo.toml'} or in the workspace "
            f"root {lock.parent}, but --locked/--frozen needs it; run cargo generate-lockfile"
        )


def test_packaged_targets_stay_in_the_manifest(tmp_path: Path) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    settings = load_settings(crates / "sdist-src")
    cargo = answers("sdist-src", settings.cargo.manifest_path, crates)
    root = cargo.graph.root
    (root.directory / "src/bin").mkdir()
    (root.directory / "src/bin/tool.rs").write_text("fn main() {}\n")
    (root.directory / "build.rs").write_text("fn main() {}\n")
    extra = (
        CargoTarget("bin", "tool", root.directory / "src/bin/tool.rs"),
        CargoTarget("custom-build", "build-script-build", root.directory / "build.rs"),
    )
    root = dataclasses.replace(root, targets=root.targets + extra)
    graph = dataclasses.replace(cargo.graph, root=root)
    files = [*cargo.file_lists[root.manifest_path], "src/bin/tool.rs", "build.rs"]
    manifest = root.manifest_path
    _edit(manifest, "[lib]", 'build = "build.rs"\n\n[[bin]]\nname = "tool"\n\n[lib]')
    made = make_plan(settings, CargoAnswers(graph, {root.manifest_path: files}))
    assert {"rust/build.rs", "rust/src/bin/tool.rs"} <= set(made.names())
    assert data(made, "rust/Cargo.toml") == manifest.read_text()


def test_a_readme_above_a_moved_pyproject_is_rewritten(tmp_path: Path) -> None:
    crates = copy_crate("sdist-outside", tmp_path)
    root = crates / "sdist-outside"
    pyproject = root / "py/pyproject.toml"
    _edit(
        pyproject,
        'readme = "README.md"',
        'readme = { file = "../README.md", content-type = "text/markdown" }',
    )
    _edit(
        pyproject,
        'license-files = ["LICENSE"]\n',
        'license-files = ["LICENSE"]\n[tool.maturin]\nexclude = ["LICENSE"]\n',
    )
    made = plan("sdist-outside", crates)
    entries = {e.arcname: e for e in made.entries}
    assert entries["README.md"].source == root / "README.md"
    # license-files are never excluded
    assert entries["LICENSE"].source == root / "py/LICENSE"
    project = tomllib.loads(data(made, "pyproject.toml"))["project"]
    assert project["readme"] == {"file": "README.md", "content-type": "text/markdown"}


def test_the_git_generator_refuses_a_readme_outside_the_project(tmp_path: Path) -> None:
    crates = copy_crate("sdist-outside", tmp_path)
    project = crates / "sdist-outside/py"
    pyproject = project / "pyproject.toml"
    _edit(pyproject, 'readme = "README.md"', 'readme = "../README.md"')
    _edit(
        pyproject,
        'license-files = ["LICENSE"]\n',
        'license-files = ["LICENSE"]\n[tool.maturin]\nsdist-generator = "git"\n',
    )
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    with pytest.raises(ConfigError) as caught:
        make_plan(load_settings(project), None)
    assert str(caught.value) == (
        f"invalid configuration: {pyproject.resolve()}: project.readme: '../README.md' is outside "
        'the project; sdist-generator = "git" packages only files below pyproject.toml'
    )


def test_the_git_generator_packs_what_git_tracks(tmp_path: Path) -> None:
    crates = copy_crate("sdist-inside", tmp_path)
    project = crates / "sdist-inside"
    _edit(
        project / "pyproject.toml", "[tool.maturin]\n", '[tool.maturin]\nsdist-generator = "git"\n'
    )
    git = ["git", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run(
        [*git, "add", "src", "sdist_inside", "README.md", "LICENSE", "extra"], check=True
    )
    (project / "sdist_inside/words.py").unlink()  # deleted, still in the index
    made = make_plan(load_settings(project), None)
    # pyproject.toml is not tracked but always there; extra/scratch.txt is excluded
    assert made.names() == [
        "LICENSE", "PKG-INFO", "README.md", "extra/notes.txt", "pyproject.toml",
        "sdist_inside/__init__.py", "src/lib.rs",
    ]  # fmt: skip
    entries = {e.arcname: e for e in made.entries}
    assert entries["pyproject.toml"].source == project / "pyproject.toml"
    assert entries["src/lib.rs"].source == project / "src/lib.rs"


def test_build_leftovers_in_the_package_list_stay_out(tmp_path: Path) -> None:
    crates = copy_crate("sdist-src", tmp_path)
    settings = load_settings(crates / "sdist-src")
    cargo = answers("sdist-src", settings.cargo.manifest_path, crates)
    manifest = cargo.graph.root.manifest_path
    (manifest.parent / "sdist_src-3.1.4.tar.gz").write_bytes(b"old sdist")
    (manifest.parent / "notes.txt").write_text("kept\n")
    files = [*cargo.file_lists[manifest], "sdist_src-3.1.4.tar.gz", "gone.txt", "notes.txt"]
    names = make_plan(settings, CargoAnswers(cargo.graph, {manifest: files})).names()
    assert "rust/sdist_src-3.1.4.tar.gz" not in names
    assert "rust/gone.txt" not in names  # listed, but not on disk
    assert "rust/notes.txt" in names
