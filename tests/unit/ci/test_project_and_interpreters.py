"""The project facts a workflow depends on, and the interpreters it builds for.

tests/unit/ci/test_workflow_text.py pins whole workflows made from hand-written
:class:`ProjectInfo` values; here :func:`project_info` is read from real project files, and
the interpreter rules are pinned one by one (which Python exists where, the image paths,
the refusals with their keys).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.ci import project as ci_project
from ferrule.ci.config import GitHubConfig
from ferrule.ci.interpreters import (
    InterpreterPlan,
    container_python,
    default_python_versions,
    plan,
    step_id,
    usable,
)
from ferrule.ci.project import (
    ProjectInfo,
    ferrule_requirement,
    project_info,
    repository_root,
    uses_abi3,
)
from ferrule.ci.targets import Target
from ferrule.config import load_settings
from ferrule.errors import FerruleError


@pytest.mark.parametrize(
    ("version", "requirement"),
    [
        ("0.1.0", "ferrule>=0.1,<0.2"),
        ("0.12.3", "ferrule>=0.12,<0.13"),
        ("1.4.0", "ferrule>=1.4,<2.0"),
        ("2.0.0.dev1", "ferrule>=2.0,<3.0"),
        ("3", "ferrule>=3.0,<4.0"),
        ("0.2rc1", "ferrule>=0.0,<0.1"),
        ("dev", "ferrule>=0.0,<0.1"),
    ],
)
def test_the_ferrule_requirement_is_the_minor_or_major_series(
    version: str, requirement: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ci_project, "__version__", version)
    assert ferrule_requirement() == requirement


@pytest.mark.parametrize(
    ("dependencies", "features", "abi3"),
    [
        ({"pyo3": {"version": "0.29", "features": ["abi3-py39"]}}, (), True),
        ({"pyo3": {"version": "0.29", "features": ["macros", "abi3"]}}, (), True),
        ({"pyo3": {"version": "0.29", "features": ["abi3x"]}}, (), False),
        ({"pyo3": {"version": "0.29", "features": ["py-abi3"]}}, (), False),
        ({"pyo3-ffi": {"version": "0.29", "features": ["abi3"]}}, (), True),
        ({"python": {"package": "pyo3", "features": ["abi3"]}}, (), True),
        ({"pyo3": {"package": "other", "features": ["abi3"]}}, (), False),
        ({"other": {"features": ["abi3"]}}, (), False),
        ({"pyo3": {"features": "abi3"}}, (), False),
        ({"pyo3": {"features": [3, "abi3"]}}, (), True),
        ({"pyo3": "0.29"}, (), False),
        ({"pyo3": "0.29"}, ("pyo3/abi3",), True),
        ({"pyo3": "0.29"}, ("pyo3-ffi/abi3-py310",), True),
        ({"pyo3": "0.29"}, ("other/abi3",), False),
        ({"pyo3": "0.29"}, ("abi3",), False),
        ({"pyo3": "0.29"}, ("pyo3/macros",), False),
    ],
)
def test_uses_abi3(dependencies: dict[str, object], features: tuple[str, ...], abi3: bool) -> None:
    assert uses_abi3(dependencies, features) is abi3


def test_repository_root_is_the_nearest_directory_with_git(tmp_path: Path) -> None:
    deep = tmp_path / "repo/python/pkg"
    deep.mkdir(parents=True)
    assert repository_root(deep) == deep
    (tmp_path / "repo/.git").mkdir()
    assert repository_root(deep) == tmp_path / "repo"
    (deep / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    assert repository_root(deep) == deep


def _write_project(root: Path, pyproject: str, cargo: str) -> Path:
    project = root / "repo/python"
    project.mkdir(parents=True)
    (root / "repo/.git").mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n' + pyproject
    )
    (project / "Cargo.toml").write_text(
        '[package]\nname = "demo-crate"\nversion = "0.1.0"\nedition = "2021"\n'
        '[lib]\ncrate-type = ["cdylib"]\n' + cargo
    )
    return project


def test_project_info_from_the_project_files(tmp_path: Path) -> None:
    project = _write_project(
        tmp_path,
        '[project]\nname = "demo-pkg"\nrequires-python = ">=3.10"\ndynamic = ["version"]\n',
        '[dependencies]\npyo3 = { version = "0.29", features = ["abi3-py310"] }\n',
    )
    settings = load_settings(project, environ={})
    info = project_info(
        settings, "pyo3", None, cwd=project, manifest_path=None, command="ferrule generate-ci x"
    )
    assert info == ProjectInfo(
        name="demo-pkg",
        bindings="pyo3",
        abi3=True,
        requires_python=">=3.10",
        uniffi_version=None,
        sdist=True,
        workdir="python",
        manifest_path=None,
        project_dir=".",
        command="ferrule generate-ci x",
    )
    assert not info.per_interpreter


def test_project_info_falls_back_to_cargo_and_takes_the_tool_features(tmp_path: Path) -> None:
    project = _write_project(
        tmp_path,
        '[project]\nname = 3\nrequires-python = 3.10\n[tool.maturin]\nfeatures = ["pyo3/abi3"]\n',
        '[dependencies]\npyo3 = "0.29"\n',
    )
    settings = load_settings(project, environ={}, report=False)
    repo = tmp_path / "repo"
    info = project_info(
        settings,
        "uniffi",
        "0.28.3",
        cwd=repo,
        manifest_path=Path("python/Cargo.toml"),
        command="c",
    )
    assert (info.name, info.abi3, info.requires_python, info.uniffi_version) == (
        "demo-crate",
        True,
        None,
        "0.28.3",
    )
    assert (info.workdir, info.manifest_path, info.project_dir) == (
        ".",
        "python/Cargo.toml",
        "python",
    )


def test_project_info_without_a_pyproject_has_no_sdist(tmp_path: Path) -> None:
    crate = tmp_path / "crate"
    crate.mkdir()
    (crate / "Cargo.toml").write_text(
        '[package]\nname = "lone"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    settings = load_settings(crate, environ={}, report=False)
    info = project_info(settings, "bin", None, cwd=crate, manifest_path=None, command="c")
    assert (info.name, info.sdist, info.workdir, info.abi3) == ("lone", False, ".", False)


@pytest.mark.parametrize(
    ("bindings", "abi3", "per_interpreter"),
    [
        ("pyo3", False, True),
        ("pyo3-ffi", False, True),
        ("pyo3", True, False),
        ("cffi", False, False),
        ("uniffi", False, False),
        ("bin", False, False),
    ],
)
def test_per_interpreter(bindings: str, abi3: bool, per_interpreter: bool) -> None:
    assert ProjectInfo("p", bindings, abi3=abi3).per_interpreter is per_interpreter


@pytest.mark.parametrize(
    ("requires", "versions"),
    [
        (None, ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")),
        ("", ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")),
        (">=3.11", ("3.11", "3.12", "3.13", "3.14")),
        ("<3.10", ("3.9",)),
        ("<=3.14", ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")),
        (">3.13", ("3.13", "3.14")),  # 3.13.99 is above 3.13
        (">=3.8,<3.11,!=3.9.*", ("3.10",)),
        (">=3.14.1", ("3.14",)),
    ],
)
def test_default_python_versions(requires: str | None, versions: tuple[str, ...]) -> None:
    assert default_python_versions(requires) == versions


def test_default_python_versions_refusals() -> None:
    with pytest.raises(FerruleError) as info:
        default_python_versions("3.9+")
    assert str(info.value) == "project.requires-python '3.9+' is not a version specifier"
    with pytest.raises(FerruleError) as info:
        default_python_versions(">=3.15")
    assert str(info.value) == (
        "project.requires-python '>=3.15' allows none of CPython 3.9 to 3.14; list the "
        "interpreters in generate-ci.github.python-versions"
    )


def _target(platform: str, arch: str) -> Target:
    return Target(platform, arch, "runner", "stable", None, None)


@pytest.mark.parametrize(
    ("platform", "arch", "usable_versions"),
    [
        ("linux", "x86_64", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
        ("linux", "x86", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
        ("linux", "aarch64", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
        ("linux", "armv7", "3.9 3.10 3.13t"),
        ("linux", "s390x", "3.9 3.10 3.13t"),
        ("musllinux", "x86_64", "3.9 3.10 3.13t"),
        ("windows", "x64", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
        ("windows", "x86", "3.9 3.10 3.13t"),
        ("windows", "aarch64", "3.13t"),
        ("macos", "x86_64", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
        ("macos", "aarch64", "3.9 3.10 3.13t pypy3.10 pypy3.11"),
    ],
)
def test_usable(platform: str, arch: str, usable_versions: str) -> None:
    candidates = ["3.9", "3.10", "3.13t", "pypy3.10", "pypy3.11"]
    target = _target(platform, arch)
    assert [v for v in candidates if usable(v, target)] == usable_versions.split()


def test_windows_on_arm_starts_at_3_11() -> None:
    target = _target("windows", "aarch64")
    assert [m for m in range(9, 15) if usable(f"3.{m}", target)] == [11, 12, 13, 14]


def test_container_python_and_step_id() -> None:
    assert container_python("3.9") == "/opt/python/cp39-cp39/bin/python"
    assert container_python("3.14t") == "/opt/python/cp314-cp314t/bin/python"
    assert container_python("pypy3.10") == "/opt/python/pp310-pypy310_pp73/bin/python"
    assert step_id("3.13t") == "python-3_13t"
    assert step_id("pypy3.11") == "python-pypy3_11"


@pytest.mark.parametrize(
    ("versions", "per_interpreter", "expected"),
    [
        (None, True, InterpreterPlan(("3.11", "3.12", "3.13", "3.14"), "3.14")),
        (None, False, InterpreterPlan(("3.14",), "3.14")),
        (("3.10", "3.9", "3.13t", "pypy3.11"), True, None),
        (("3.13t", "pypy3.11"), True, InterpreterPlan(("3.13t", "pypy3.11"), "3.14")),
        (("3.8", "3.7"), True, InterpreterPlan(("3.8", "3.7"), "3.14")),
        (("3.9",), True, InterpreterPlan(("3.9",), "3.9")),
        (("3.12", "3.10"), False, InterpreterPlan(("3.12",), "3.12")),
    ],
)
def test_plan(
    versions: tuple[str, ...] | None, per_interpreter: bool, expected: InterpreterPlan | None
) -> None:
    project = ProjectInfo("p", "pyo3" if per_interpreter else "cffi", requires_python=">=3.11")
    made = plan(project, GitHubConfig(python_versions=versions))
    if expected is None:  # the newest plain CPython of the list runs ferrule
        expected = InterpreterPlan(("3.10", "3.9", "3.13t", "pypy3.11"), "3.10")
    assert made == expected


def test_for_target_keeps_the_order_and_drops_what_is_missing() -> None:
    made = InterpreterPlan(("pypy3.11", "3.10", "3.12"), "3.12")
    assert made.for_target(_target("windows", "aarch64")) == ("3.12",)
    assert made.for_target(_target("linux", "x86_64")) == ("pypy3.11", "3.10", "3.12")


def test_a_platform_without_the_tool_python_is_refused() -> None:
    from pathlib import Path

    from ferrule.ci.config import parse_generate_ci
    from ferrule.ci.github import render_workflow

    table = {"github": {"python-versions": ["3.10"], "windows": {"targets": ["x64", "aarch64"]}}}
    config = parse_generate_ci(table, "tool.ferrule", Path("pyproject.toml"))
    with pytest.raises(FerruleError) as info:
        render_workflow(ProjectInfo("p", "pyo3"), config, None)
    assert str(info.value) == (
        "generate-ci: Python 3.10 (which runs ferrule) is not available for windows aarch64; "
        "add a newer version to generate-ci.github.python-versions"
    )
