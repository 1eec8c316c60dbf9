"""Issue 19: input maturin 1.16 builds, ferrule builds too, with one warning per problem.

Each loose case is a pyproject.toml maturin accepts and ferrule used to refuse.
Through the metadata hook (no cargo), ferrule must print one warning line per
problem, naming the file and the dotted key, and write METADATA byte for byte
as ``maturin pep517 write-dist-info`` does; in strict mode (``--strict``,
``FERRULE_STRICT=1``, ``[tool.ferrule] strict = true``) it must fail with all
the problems in one message, no traceback and no output. The crate
``tests/crates/config-loose`` has every kind at once and is built for real
through the CLI, pip and ``python -m build``, and its wheel installed and run.

Cargo.toml has no ``homepage``: maturin writes it as Home-Page whatever
``[project]`` says, a deliberate difference (docs/differences.md, "Metadata")
that is not the subject here.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, clean_env, run

BUILD_SYSTEM = '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'
CARGO = """\
[package]
name = "meta-demo"
version = "0.2.0"
edition = "2021"
description = "From Cargo.toml"
license = "Apache-2.0"
authors = ["Cargo Author <cargo@example.org>"]
keywords = ["ffi"]

[lib]
name = "meta_demo"
crate-type = ["cdylib"]
"""
NAME = 'name = "meta-demo"\nversion = "0.1.0"\n'


@dataclass(frozen=True)
class Case:
    id: str
    pyproject: str  # after [build-system]
    warnings: tuple[tuple[str, str], ...]  # (dotted key, part of the message)
    cargo: str = CARGO
    file: str = "pyproject.toml"  # the file the warnings name


CASES = [
    Case(
        "license-file-static-and-dynamic",  # maturin's test-crates/pyo3-pure, license-test
        f'[project]\n{NAME}license = {{ file = "LICENSE" }}\ndynamic = ["license"]\n',
        (
            (
                "project.dynamic",
                "'license' is set in [project] and also listed in project.dynamic; the static "
                "value is used, and Cargo.toml's package.license (if set) is also written as "
                "License, as maturin does; remove 'license' from project.dynamic",
            ),
            ("project.license", "is a table (the form PEP 639 deprecates)"),
        ),
    ),
    Case(
        "expression-and-version-static-and-dynamic",
        f'[project]\n{NAME}license = "MIT"\ndynamic = ["license", "version"]\n',
        (
            ("project.dynamic", "'license' is set in [project] and also listed"),
            (
                "project.dynamic",
                "'version' is set in [project] and also listed in project.dynamic; the static "
                "value is used; remove 'version' from project.dynamic",
            ),
        ),
    ),
    Case(
        "authors-description-keywords-static-and-dynamic",
        f"[project]\n{NAME}"
        'description = "Static"\nauthors = [{ name = "Static Author" }]\nkeywords = ["static"]\n'
        'dynamic = ["description", "authors", "keywords"]\n',
        (
            ("project.dynamic", "'description' is set in [project] and also listed"),
            ("project.dynamic", "names or addresses it lacks come from Cargo.toml's"),
            ("project.dynamic", "'keywords' is set in [project] and also listed"),
        ),
    ),
    Case(
        "names-that-are-no-field-in-dynamic",
        f'[project]\n{NAME}dynamic = ["home_page", "project_url", "description"]\n',
        (
            (
                "project.dynamic",
                "'home_page' is not a [project] field; it is ignored; remove it from "
                "project.dynamic (did you mean 'urls'?)",
            ),
            ("project.dynamic", "'project_url' is not a [project] field; it is ignored"),
        ),
    ),
    Case(
        "unknown-project-keys",
        f'[project]\n{NAME}repository = "https://example.org/r"\nrequires_python = ">=3.9"\n',
        (
            (
                "project.repository",
                "is not a [project] field; it is ignored, as maturin does; move it into "
                "[project.urls]",
            ),
            ("project.requires_python", "rename it to 'requires-python'"),
        ),
    ),
    Case(
        "expression-with-license-classifiers",
        f'[project]\n{NAME}license = "MIT"\n'
        'classifiers = ["License :: OSI Approved :: MIT License", "Programming Language :: Rust"]\n',
        (
            (
                "project.classifiers",
                "'License :: OSI Approved :: MIT License' next to the SPDX expression in "
                "project.license; both are written, as maturin does; remove the 'License ::' "
                "classifiers (PEP 639)",
            ),
        ),
    ),
    Case(
        "license-files-beside-a-license-table-and-unmatched",
        f'[project]\n{NAME}license = {{ text = "MIT" }}\nlicense-files = ["LICENSE", "NOPE*"]\n',
        (
            ("project.license-files", "is used with the legacy table form of project.license"),
            ("project.license-files[1]", "'NOPE*' matches no file; it adds nothing"),
        ),
    ),
    Case(
        "license-files-pattern-matching-nothing",
        f'[project]\n{NAME}license = "MIT"\nlicense-files = ["NOPE*", "", "LICEN[CS]E"]\n',
        (
            ("project.license-files[0]", "'NOPE*' matches no file; it adds nothing"),
            ("project.license-files[1]", "'' matches no file; it adds nothing"),
        ),
    ),
    Case(
        "readme-without-content-type",
        f'[project]\n{NAME}readme = {{ file = "README.adoc" }}\n',
        (("project.readme", "has no content-type; the readme is written without"),),
    ),
    Case(
        "cargo-version-missing",  # cargo and maturin take it as 0.0.0
        '[project]\nname = "meta-demo"\ndynamic = ["version"]\n',
        (("package.version", "missing; the version is 0.0.0, as cargo and maturin take it"),),
        cargo=CARGO.replace('version = "0.2.0"\n', ""),
        file="Cargo.toml",
    ),
    Case(
        "entry-point-groups-that-are-no-dotted-names",
        f"[project]\n{NAME}[project.entry-points.'my-plugins']\na = 'b:c'\n"
        "[project.entry-points.'my.group']\nd = 'e:f'\n",
        (("project.entry-points", "group 'my-plugins' is not a dotted name"),),
    ),
    Case(
        "values-pypi-refuses",  # maturin writes them as given
        f'[project]\n{NAME}license = "MIT AND Not-A-License"\n'
        'readme = { text = "= Title", content-type = "text/asciidoc" }\n'
        '[project.urls]\n"A label that is longer than thirty-two characters" = "https://x.org"\n'
        'Docs = "https://docs.x.org"\n',
        (
            ("project.license", "'MIT AND Not-A-License' is not a valid SPDX license expression"),
            ("project.readme.content-type", "'text/asciidoc' is not text/plain, text/x-rst"),
            ("project.urls", "is longer than 32 characters; it is written as given"),
        ),
    ),
    Case(
        "unknown-tool-keys",  # maturin's test-crates/hello-world: targets[].bindings
        f"[project]\n{NAME}\n[tool.maturin]\npython-sources = 'python'\n"
        "extensions = []\n[[tool.maturin.targets]]\nname = 'meta_demo'\nbindings = 'pyo3'\n",
        (
            (
                "tool.maturin.python-sources",
                "unknown key; it is ignored; did you mean 'python-source'?",
            ),
            ("tool.maturin.extensions", "is a ferrule key, which maturin ignores here"),
            ("tool.maturin.targets[0].bindings", "unknown key; it is ignored; remove it"),
        ),
    ),
    Case(
        "both-tool-tables",
        f"[project]\n{NAME}\n[tool.ferrule]\nprofile = 'dev'\n[tool.maturin]\n",
        (("tool.ferrule", "[tool.maturin] is present too; [tool.ferrule] is ignored"),),
    ),
]


def write_case(root: Path, case: Case) -> Path:
    root.mkdir(parents=True)
    (root / "Cargo.toml").write_text(case.cargo)
    (root / "src").mkdir()
    (root / "src" / "lib.rs").touch()
    (root / "LICENSE").write_text("MIT License\n\nCopyright (c) 2026 Jane Doe\n")
    (root / "README.adoc").write_text("= Demo\n\nA readme in AsciiDoc.\n")
    (root / "pyproject.toml").write_text(BUILD_SYSTEM + case.pyproject)
    return root


def maturin_dist_info(project: Path, out: Path) -> Path:
    if shutil.which("maturin") is None:
        pytest.fail("maturin is not installed: run scripts/setup.sh")
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    proc = run(
        ["maturin", "pep517", "write-dist-info", "--metadata-directory", out], cwd=project, env=env
    )
    return out / proc.stdout.strip().splitlines()[-1]


def entry_point_groups(dist_info: Path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((dist_info / "entry_points.txt").read_text())
    return {group: dict(parser[group]) for group in parser.sections()}


def maturin_metadata(project: Path, out: Path) -> bytes:
    return (maturin_dist_info(project, out) / "METADATA").read_bytes()


def assert_warned(output: str, pyproject: Path, warnings: tuple[tuple[str, str], ...]) -> None:
    """Each warning once, on a line of its own naming the file and the dotted key."""
    lines = [line for line in output.splitlines() if line.startswith("ferrule: warning: ")]
    for key, message in warnings:
        prefix = f"ferrule: warning: {pyproject}: {key}: "
        assert any(line.startswith(prefix) and message in line for line in lines), (
            key,
            message,
            output,
        )
    assert len(lines) == len(warnings), output


def assert_refused(proc: subprocess.CompletedProcess[str], problems: list[tuple[str, str]]) -> None:
    """Strict mode: one error listing every problem, no traceback, no warning lines."""
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output
    assert output.count("ferrule: error: invalid configuration (strict mode, ") == 1, output
    assert f"strict mode, {len(problems)} problem" in output
    lines = output.splitlines()
    for key, message in problems:
        assert any(f": {key}: " in line and message in line for line in lines), (key, output)
    assert "ferrule: warning:" not in output


@pytest.mark.maturin
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_loose_input_warns_and_writes_maturins_metadata(case: Case, tmp_path: Path) -> None:
    project = write_case(tmp_path / "proj", case)
    out = tmp_path / "ferrule"
    proc = ferrule("pep517", "write-dist-info", "--metadata-directory", out, cwd=project)
    assert_warned(proc.stderr, project / case.file, case.warnings)
    (dist_info,) = out.glob("*.dist-info")
    theirs = maturin_dist_info(project, tmp_path / "maturin")
    assert (dist_info / "METADATA").read_bytes() == (theirs / "METADATA").read_bytes()
    if (theirs / "entry_points.txt").exists():
        # (maturin sorts the groups, ferrule keeps pyproject.toml's order: docs/differences.md)
        assert entry_point_groups(dist_info) == entry_point_groups(theirs)


STRICT_SWITCHES = ["--strict", "FERRULE_STRICT=1", "[tool.ferrule] strict = true"]


def switch_on(switch: str, project: Path) -> tuple[list[str], dict[str, str]]:
    """(extra arguments, environment) for a strict switch; the third edits pyproject.toml."""
    if switch == "--strict":
        return ["--strict"], clean_env()
    if switch == "FERRULE_STRICT=1":
        return [], clean_env(FERRULE_STRICT="1")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    if "[tool.ferrule]" in text:
        text = text.replace("[tool.ferrule]\n", "[tool.ferrule]\nstrict = true\n")
    else:
        text += "\n[tool.ferrule]\nstrict = true\n"
    pyproject.write_text(text)
    return [], clean_env()


def strict_problems(case: Case, switch: str, project: Path) -> list[tuple[str, str]]:
    problems = list(case.warnings)
    text = (project / "pyproject.toml").read_text()
    already = any(key == "tool.ferrule" for key, _ in problems)
    if switch.startswith("[tool.ferrule]") and "[tool.maturin]" in text and not already:
        # [tool.ferrule] next to [tool.maturin] is one more (its `strict` still counts).
        problems.append(("tool.ferrule", "[tool.maturin] is present too"))
    return problems


@pytest.mark.parametrize("switch", STRICT_SWITCHES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_strict_mode_refuses_listing_every_problem(case: Case, switch: str, tmp_path: Path) -> None:
    project = write_case(tmp_path / "proj", case)
    args, env = switch_on(switch, project)
    out = tmp_path / "out"
    proc = ferrule(
        "pep517", "write-dist-info", "--metadata-directory", out, *args,
        cwd=project, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert_refused(proc, strict_problems(case, switch, project))
    assert not out.exists() or not any(out.iterdir())


def test_strict_off_values_are_not_strict(tmp_path: Path) -> None:
    project = write_case(tmp_path / "proj", CASES[0])
    out = tmp_path / "out"
    ferrule(
        "pep517", "write-dist-info", "--metadata-directory", out,
        cwd=project, env=clean_env(FERRULE_STRICT="0"),
    )  # fmt: skip
    assert list(out.glob("*.dist-info"))


# --- the PEP 517 metadata hook, and its cache ----------------------------------------


def hook(
    project: Path, out: Path, env: dict[str, str], build_args: str = ""
) -> subprocess.CompletedProcess[str]:
    """prepare_metadata_for_build_wheel through pyproject_hooks, as pip and build call it."""
    script = (
        "import subprocess, sys, pyproject_hooks\n"
        "caller = pyproject_hooks.BuildBackendHookCaller(sys.argv[1], 'ferrule')\n"
        "settings = {'build-args': sys.argv[3]} if sys.argv[3] else None\n"
        "try:\n"
        "    print(caller.prepare_metadata_for_build_wheel(sys.argv[2], settings))\n"
        "except subprocess.CalledProcessError:\n"
        "    sys.exit(1)  # the hook's own output is the message\n"
    )
    return run([sys.executable, "-c", script, project, out, build_args], env=env, check=False)


def age(root: Path) -> None:
    """Wait out the metadata cache's racy window (RACY_NS), so that it trusts the project."""
    del root
    time.sleep(0.05)


def test_metadata_hook_warns_on_every_call_also_from_its_cache(tmp_path: Path) -> None:
    from ferrule._store import read_entry

    case = next(c for c in CASES if c.id == "unknown-project-keys")
    project = write_case(tmp_path / "proj", case)
    age(project)
    cache = tmp_path / "cache"
    env = clean_env(FERRULE_CACHE_DIR=str(cache))
    first = hook(project, tmp_path / "one", env)
    assert first.returncode == 0, first.stderr
    assert_warned(first.stderr, project / "pyproject.toml", case.warnings)
    (entry,) = (cache / "metadata").glob("*")
    stored = read_entry(str(entry))
    assert stored is not None and len(stored["warnings"]) == 2  # type: ignore[arg-type]
    second = hook(project, tmp_path / "two", env)  # answered from the cache
    assert second.returncode == 0, second.stderr
    assert_warned(second.stderr, project / "pyproject.toml", case.warnings)
    assert (tmp_path / "two" / "meta_demo-0.1.0.dist-info" / "METADATA").read_bytes() == (
        tmp_path / "one" / "meta_demo-0.1.0.dist-info" / "METADATA"
    ).read_bytes()
    # A cached answer does not hide strict mode.
    strict = hook(project, tmp_path / "three", {**env, "FERRULE_STRICT": "1"})
    assert_refused(strict, list(case.warnings))
    assert not (tmp_path / "three").exists() or not any((tmp_path / "three").iterdir())
    # So is --strict in the PEP 517 build arguments (config_settings).
    strict = hook(project, tmp_path / "four", env, build_args="--strict")
    assert_refused(strict, list(case.warnings))
    assert not (tmp_path / "four").exists() or not any((tmp_path / "four").iterdir())


# --- real builds of tests/crates/config-loose -----------------------------------------

LOOSE_CRATE = CRATES / "config-loose"
CRATE_WARNINGS = (
    ("tool.maturin.python-sources", "unknown key; it is ignored; did you mean 'python-source'?"),
    ("tool.maturin.targets[0].bindings", "unknown key; it is ignored"),
    ("project.dynamic", "'license' is set in [project] and also listed in project.dynamic"),
    ("project.dynamic", "'authors' is set in [project] and also listed in project.dynamic"),
    ("project.dynamic", "'home_page' is not a [project] field; it is ignored"),
    ("project.dynamic", "'project_url' is not a [project] field; it is ignored"),
    ("project.repository", "is not a [project] field; it is ignored"),
    ("project.classifiers", "next to the SPDX expression in project.license"),
    ("project.readme", "has no content-type; the readme is written without"),
    ("project.urls", "label 'Where the source code of this crate lives' is longer than 32"),
    ("project.entry-points", "group 'my-plugins' is not a dotted name"),
    ("project.license-files[1]", "'NOTICE*' matches no file; it adds nothing"),
)


def copy_crate(tmp_path: Path) -> Path:
    dest = tmp_path / "config-loose"
    shutil.copytree(LOOSE_CRATE, dest, ignore=shutil.ignore_patterns("target"))
    return dest


def frontend(
    name: str, project: Path, out: Path, env: dict[str, str], args: list[str]
) -> subprocess.CompletedProcess[str]:
    if name in ("cli", "cli-sdist"):
        argv = [sys.executable, "-m", "ferrule", "build", "--release", "-i", sys.executable]
        if name == "cli-sdist":
            argv.append("--sdist")
        return run([*argv, "-o", out, *args], cwd=project, env=env, check=False)
    if name == "pip":
        argv = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", out, project]
        return run(argv, env=env, check=False)
    argv = [sys.executable, "-m", "build", "--wheel", "--outdir", out, project]
    return run(argv, env=env, check=False)


@pytest.fixture(scope="module")
def maturin_crate_metadata(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    root = tmp_path_factory.mktemp("maturin-config-loose")
    return maturin_metadata(copy_crate(root), root / "dist-info")


# How often a build prints each warning: once; pip calls two hooks that read the
# project (prepare_metadata_for_build_wheel, build_wheel), each prints them once.
PRINTS = {"cli": 1, "cli-sdist": 1, "pip": 2, "build": 1}


@pytest.mark.slow
@pytest.mark.maturin
@pytest.mark.parametrize("name", list(PRINTS))
def test_the_loose_crate_builds_warns_and_runs(
    name: str,
    tmp_path: Path,
    offline_pip_env: dict[str, str],
    maturin_crate_metadata: bytes,
) -> None:
    project = copy_crate(tmp_path)
    out = tmp_path / "out"
    proc = frontend(name, project, out, offline_pip_env, [])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    if name == "pip":  # pip -v indents what the backend prints
        output = "\n".join(line.strip() for line in output.splitlines())
    warned = [line for line in output.splitlines() if line.startswith("ferrule: warning: ")]
    for key, message in CRATE_WARNINGS:
        prefix = f"ferrule: warning: {project / 'pyproject.toml'}: {key}: "
        assert sum(line.startswith(prefix) and message in line for line in warned) == PRINTS[name]
    assert len(warned) == len(CRATE_WARNINGS) * PRINTS[name], output
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("config_loose-0.4.0.dist-info/METADATA") == maturin_crate_metadata
    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "-q", wheel)
    assert venv.exercise(LOOSE_CRATE / "exercise.py") == "ok"


@pytest.mark.parametrize(
    ("name", "switch"),
    [
        ("cli", "--strict"),
        ("pip", "FERRULE_STRICT=1"),
        ("build", "[tool.ferrule] strict = true"),
        ("build", "FERRULE_STRICT=1"),
    ],
)
def test_the_loose_crate_is_refused_in_strict_mode(
    name: str, switch: str, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    project = copy_crate(tmp_path)
    args, env = switch_on(switch, project)
    env = {**offline_pip_env, **{k: v for k, v in env.items() if k == "FERRULE_STRICT"}}
    out = tmp_path / "out"
    proc = frontend(name, project, out, env, args)
    problems = list(CRATE_WARNINGS)
    if switch.startswith("[tool.ferrule]"):
        problems.append(("tool.ferrule", "[tool.maturin] is present too"))
    assert_refused(proc, problems)
    assert not out.exists() or not list(out.glob("*.whl"))
