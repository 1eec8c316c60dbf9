"""``ferrule generate-ci github``: schema-valid workflows whose ferrule commands ferrule accepts.

Every option combination below is rendered, validated with
``check-jsonschema --builtin-schema vendor.github-workflows``, and every
``ferrule ...`` command line of it (for every matrix row, with GitHub's
expressions and the step's shell variables expanded) is parsed by
``ferrule.cli.build_parser()``.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ferrule.ci.config import parse_generate_ci
from ferrule.ci.github import ProjectInfo, render_workflow
from ferrule.ci.yaml import dump
from ferrule.cli import build_parser, split_rustc_args
from ferrule.commands._argv import build_args_problem
from ferrule.errors import ConfigError
from tests.conftest import CRATES, ferrule
from tests.helpers.venv import run

PYPROJECT = Path("pyproject.toml")


@dataclass(frozen=True)
class Case:
    """One combination: project facts, the generate-ci table and --platform."""

    id: str
    project: ProjectInfo
    table: dict[str, Any] = field(default_factory=dict)
    platforms: tuple[str, ...] | None = None
    tool_table: str = "tool.ferrule"


def _project(**kw: Any) -> ProjectInfo:
    return ProjectInfo(**{"name": "demo-pkg", "bindings": "pyo3", **kw})


CASES = [
    Case("defaults", _project()),
    Case("abi3", _project(abi3=True)),
    Case("cffi", _project(bindings="cffi")),
    Case("uniffi", _project(bindings="uniffi", uniffi_version="0.28.3")),
    Case("bin", _project(bindings="bin")),
    Case("pyo3-ffi", _project(bindings="pyo3-ffi", requires_python=">=3.12")),
    Case("no-sdist", _project(sdist=False)),
    Case(
        "publishing",
        _project(),
        {
            "github": {
                "pytest": True,
                "skip-attestation": True,
                "trusted-publishing": False,
                "publishing-environment": "pypi",
            }
        },
        tool_table="tool.maturin",
    ),
    Case(
        "detailed-targets",
        _project(),
        {
            "github": {
                "pytest": True,
                "args": "--locked",
                "linux": {
                    "manylinux": "2_28",
                    "target": [
                        {"arch": "x86_64", "args": "-F simd --locked"},
                        {
                            "arch": "aarch64",
                            "runner": "self-hosted-arm64",
                            "manylinux": "2014",
                            "before-script-linux": "yum install -y openssl-devel",
                        },
                        {"arch": "s390x"},
                    ],
                },
                "musllinux": {
                    "targets": ["x86_64", "armv7", "ppc64le"],
                    "docker-options": "-e CARGO_NET_RETRY=5",
                },
                "windows": {"targets": ["x64"], "rustup-components": "rust-src"},
                "macos": {
                    "rust-toolchain": "nightly",
                    "target": [{"arch": "aarch64", "rust-toolchain": "1.85"}, {"arch": "x86_64"}],
                },
            }
        },
    ),
    Case(
        "python-versions",
        _project(),
        {
            "github": {
                "pytest": True,
                "python-versions": ["3.10", "3.12", "3.13t", "pypy3.11"],
                "linux": {"targets": ["x86_64", "s390x"]},
                "musllinux": {},
                "windows": {},
            }
        },
    ),
    Case(
        "container",
        _project(bindings="cffi"),
        {"github": {"linux": {"container": "ghcr.io/example/builder:1", "targets": ["x86_64"]}}},
    ),
    Case(
        "requires-python",
        _project(requires_python=">=3.11,<3.14", manifest_path="rust/Cargo.toml"),
        {"github": {"pytest": True}},
    ),
    Case(
        "subdirectory",
        _project(workdir="python", bindings="uniffi"),
        {"github": {"pytest": True}},
    ),
    Case(
        "manifest-path",
        _project(manifest_path="crates/py/Cargo.toml", project_dir="crates/py"),
        {"github": {"pytest": True}},
    ),
    Case("platform-flag", _project(), platforms=("linux", "macos")),
]


def _render(case: Case) -> str:
    config = parse_generate_ci(case.table, case.tool_table, PYPROJECT)
    return render_workflow(case.project, config, case.platforms)


def _load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    # PyYAML reads the `on` key as YAML 1.1's boolean; GitHub (YAML 1.2) does not.
    data["on"] = data.pop(True)
    return data


_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _runs(condition: str | None, row: dict[str, Any]) -> bool:
    """Evaluate the step conditions ferrule writes: ``matrix.platform.K != 'v'`` joined by &&."""
    if condition is None:
        return True
    inner = _EXPR.fullmatch(condition)
    assert inner, condition
    if inner[1] == "matrix.platform.emulated":
        return bool(row.get("emulated"))
    verdict = True
    for clause in inner[1].split(" && "):
        match = re.fullmatch(r"matrix\.platform\.(\w+) != '([^']*)'", clause)
        assert match, f"unexpected condition {condition}"
        verdict = verdict and row.get(match[1]) != match[2]
    return verdict


def _expand(text: str, row: dict[str, Any], skipped: frozenset[str] = frozenset()) -> str:
    """Replace GitHub expressions the way the runner would for one matrix row
    (the outputs of skipped steps are empty)."""

    def one(match: re.Match[str]) -> str:
        expr = match[1]
        if expr.startswith("matrix.platform."):
            value = row.get(expr.removeprefix("matrix.platform."))
            return "" if value is None else str(value)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.python-path", expr)
        if step:
            return "" if step[1] in skipped else f"/hostedtoolcache/{step[1]}/python"
        raise AssertionError(f"unexpected expression in a command: {expr}")

    return _EXPR.sub(one, text)


def ferrule_commands(workflow: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(job, argv) of every ``ferrule`` command, for every matrix row, expanded."""
    found: list[tuple[str, list[str]]] = []
    for name, job in workflow["jobs"].items():
        rows = job.get("strategy", {}).get("matrix", {}).get("platform") or [{}]
        for row in rows:
            skipped = frozenset(
                s["id"] for s in job["steps"] if "id" in s and not _runs(s.get("if"), row)
            )
            for step in job["steps"]:
                if not _runs(step.get("if"), row):
                    continue
                env = {k: _expand(str(v), row, skipped) for k, v in step.get("env", {}).items()}
                for script in (step.get("run", ""), env.get("SCRIPT", "")):
                    for raw in _expand(script, row).splitlines():
                        line = re.sub(r"^cd \S+ && ", "", raw.strip())
                        if not re.match(r"^(\S*/)?ferrule\s", line):
                            continue
                        argv: list[str] = []
                        for token in shlex.split(line)[1:]:
                            # Unquoted $VAR: word-split, empty values vanish (as in bash).
                            if token.startswith("$") and token[1:] in env:
                                argv += env[token[1:]].split()
                            else:
                                argv.append(token)
                        assert not any("$" in a for a in argv), f"unexpanded in {line!r}"
                        found.append((name, argv))
    return found


def _parse(argv: list[str]) -> Any:
    ours, _ = split_rustc_args(argv)
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            return build_parser().parse_args(ours)
    except SystemExit:
        pytest.fail(f"ferrule refuses {shlex.join(['ferrule', *argv])}:\n{stderr.getvalue()}")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case written to a file, validated by check-jsonschema in one run."""
    directory = tmp_path_factory.mktemp("workflows")
    paths = {}
    for case in CASES:
        path = directory / f"{case.id}.yml"
        path.write_text(_render(case))
        paths[case.id] = path
    return paths


def test_every_combination_validates_against_the_github_workflow_schema(
    rendered: dict[str, Path],
) -> None:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert exe, "check-jsonschema is not installed: run scripts/setup.sh"
    proc = run([exe, "--builtin-schema", "vendor.github-workflows", *rendered.values()])
    assert "ok -- validation done" in proc.stdout


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The validator really checks: a job without runs-on or steps is refused."""
    broken = tmp_path / "broken.yml"
    broken.write_text(dump({"on": {"push": None}, "jobs": {"build": {"name": "x"}}}))
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert exe
    proc = run([exe, "--builtin-schema", "vendor.github-workflows", broken], check=False)
    assert proc.returncode != 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_ferrule_command_parses(case: Case) -> None:
    workflow = _load(_render(case))
    commands = ferrule_commands(workflow)
    builds = [(job, argv) for job, argv in commands if argv[0] == "build"]
    platform_jobs = [j for j in workflow["jobs"] if j not in ("sdist", "release")]
    # One build command per matrix row of every platform job: nothing was missed.
    rows = sum(len(workflow["jobs"][j]["strategy"]["matrix"]["platform"]) for j in platform_jobs)
    assert len(builds) == rows > 0
    for _, argv in builds:
        args = _parse(argv)
        assert args.release
        assert args.out == Path("dist")
        assert args.interpreter, "every build names its interpreters"
    others = [argv for _, argv in commands if argv[0] != "build"]
    assert {argv[0] for argv in others} <= {"sdist"}


@pytest.mark.parametrize("case", [c for c in CASES if c.project.sdist], ids=lambda c: c.id)
def test_the_sdist_command_parses(case: Case) -> None:
    commands = [argv for _, argv in ferrule_commands(_load(_render(case))) if argv[0] == "sdist"]
    assert len(commands) == 1
    _parse(commands[0])


def _build_argv(workflow: dict[str, Any], job: str) -> list[list[str]]:
    return [argv for name, argv in ferrule_commands(workflow) if name == job and argv[0] == "build"]


def test_defaults_build_every_platform_natively_and_publish_with_trusted_publishing() -> None:
    workflow = _load(_render(CASES[0]))
    jobs = workflow["jobs"]
    assert list(jobs) == ["linux", "musllinux", "windows", "macos", "sdist", "release"]
    linux = jobs["linux"]
    rows = linux["strategy"]["matrix"]["platform"]
    assert [(r["target"], r["runner"], r["image"]) for r in rows] == [
        ("x86_64", "ubuntu-24.04", "quay.io/pypa/manylinux_2_28_x86_64"),
        ("aarch64", "ubuntu-24.04-arm", "quay.io/pypa/manylinux_2_28_aarch64"),
    ]
    assert not any("qemu" in s.get("uses", "") for s in linux["steps"])
    musl = jobs["musllinux"]["strategy"]["matrix"]["platform"]
    assert {r["image"] for r in musl} == {
        "quay.io/pypa/musllinux_1_2_x86_64",
        "quay.io/pypa/musllinux_1_2_aarch64",
    }
    # One wheel per interpreter: CPython 3.9 to 3.14 from the image's /opt/python.
    (argv, *_) = _build_argv(workflow, "linux")
    args = _parse(argv)
    assert args.interpreter == [f"/opt/python/cp3{m}-cp3{m}/bin/python" for m in range(9, 15)]
    # Windows x86 cross-compiles from the x64 runner; arm64 has Python from 3.11 on.
    win = _build_argv(workflow, "windows")
    assert [_parse(a).target for a in win] == [None, "i686-pc-windows-msvc", None]
    assert [len(_parse(a).interpreter) for a in win] == [6, 6, 4]
    release = jobs["release"]
    assert release["if"] == "${{ startsWith(github.ref, 'refs/tags/') }}"
    assert release["needs"] == ["linux", "musllinux", "windows", "macos", "sdist"]
    assert release["permissions"]["id-token"] == "write"
    publish = release["steps"][-1]
    assert publish["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in publish, "trusted publishing needs no password"
    assert any(s.get("uses", "").startswith("actions/attest@") for s in release["steps"])
    assert not any(s.get("name") == "pytest" for j in jobs.values() for s in j["steps"])


@pytest.mark.parametrize(
    ("case_id", "interpreters"),
    [
        ("abi3", ["/opt/python/cp314-cp314/bin/python"]),
        ("cffi", ["/opt/python/cp314-cp314/bin/python"]),
        ("bin", ["/opt/python/cp314-cp314/bin/python"]),
        ("pyo3-ffi", [f"/opt/python/cp3{m}-cp3{m}/bin/python" for m in (12, 13, 14)]),
        ("requires-python", [f"/opt/python/cp3{m}-cp3{m}/bin/python" for m in (11, 12, 13)]),
    ],
)
def test_interpreters_follow_bindings_abi3_and_requires_python(
    case_id: str, interpreters: list[str]
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    workflow = _load(_render(case))
    for argv in _build_argv(workflow, "linux"):
        assert _parse(argv).interpreter == interpreters


def test_binding_tools_are_installed_where_ferrule_runs() -> None:
    cffi = _render(next(c for c in CASES if c.id == "cffi"))
    assert cffi.count("cargo install cbindgen --locked") == 4  # every platform job
    assert "/opt/python/cp314-cp314/bin/python -m pip install cffi" in cffi
    uniffi = _render(next(c for c in CASES if c.id == "uniffi"))
    assert uniffi.count(" uniffi-bindgen==0.28.3") == 4
    assert "cbindgen" not in uniffi
    # The build itself links musl's C runtime dynamically for a cdylib
    # (ferrule.cargo.command.dynamic_crt_flags): the workflow exports nothing.
    musl = _load(cffi)["jobs"]["musllinux"]["steps"][1]["env"]["SCRIPT"]
    assert "crt-static" not in musl and "RUSTFLAGS" not in musl


def test_publishing_options() -> None:
    workflow = _load(_render(next(c for c in CASES if c.id == "publishing")))
    release = workflow["jobs"]["release"]
    assert release["environment"] == "pypi"
    assert "attestations" not in release["permissions"]
    assert not any("attest" in s.get("uses", "") for s in release["steps"])
    assert release["steps"][-1]["with"] == {"password": "${{ secrets.PYPI_API_TOKEN }}"}
    for job in ("linux", "musllinux", "windows", "macos"):
        names = [s.get("name") for s in workflow["jobs"][job]["steps"]]
        assert names.index("pytest") > names.index("Upload wheels")


def test_detailed_targets() -> None:
    workflow = _load(_render(next(c for c in CASES if c.id == "detailed-targets")))
    linux = workflow["jobs"]["linux"]
    rows = linux["strategy"]["matrix"]["platform"]
    assert [r["image"] for r in rows] == [
        "quay.io/pypa/manylinux_2_28_x86_64",
        "quay.io/pypa/manylinux2014_aarch64",
        "quay.io/pypa/manylinux_2_28_s390x",
    ]
    assert rows[1]["runner"] == "self-hosted-arm64"
    # s390x has no runner of its own: built under QEMU, and only that row sets it up.
    assert [r.get("emulated", False) for r in rows] == [False, False, True]
    qemu = next(s for s in linux["steps"] if s.get("name") == "Set up QEMU")
    assert qemu["if"] == "${{ matrix.platform.emulated }}"
    assert rows[1]["before_script_linux"] == "yum install -y openssl-devel"
    features = [_parse(a) for a in _build_argv(workflow, "linux")]
    assert [(a.features, a.locked) for a in features] == [(["simd"], True), ([], True), ([], True)]
    musl = workflow["jobs"]["musllinux"]
    assert [r["image"] for r in musl["strategy"]["matrix"]["platform"]] == [
        "quay.io/pypa/musllinux_1_2_x86_64",
        "quay.io/pypa/musllinux_1_2_armv7l",
        "quay.io/pypa/musllinux_1_2_ppc64le",
    ]
    assert "-e CARGO_NET_RETRY=5" in musl["steps"][2]["run"]
    assert musl["steps"][1]["name"] == "Set up QEMU"
    mac = workflow["jobs"]["macos"]
    rust = next(s for s in mac["steps"] if "rust-toolchain" in s.get("uses", ""))
    assert rust["with"]["toolchain"] == "${{ matrix.platform.rust_toolchain }}"
    assert [r["rust_toolchain"] for r in mac["strategy"]["matrix"]["platform"]] == [
        "1.85",
        "nightly",
    ]
    win = workflow["jobs"]["windows"]
    rust = next(s for s in win["steps"] if "rust-toolchain" in s.get("uses", ""))
    assert rust["with"] == {"toolchain": "stable", "components": "rust-src"}


def test_python_versions_skip_what_a_platform_lacks() -> None:
    workflow = _load(_render(next(c for c in CASES if c.id == "python-versions")))
    assert list(workflow["jobs"]) == ["linux", "musllinux", "windows", "sdist", "release"]
    x86_64, s390x = (_parse(argv).interpreter for argv in _build_argv(workflow, "linux"))
    assert x86_64 == [
        "/opt/python/cp310-cp310/bin/python",
        "/opt/python/cp312-cp312/bin/python",
        "/opt/python/cp313-cp313t/bin/python",
        "/opt/python/pp311-pypy311_pp73/bin/python",
    ]
    assert s390x == x86_64[:3]  # the s390x image has no PyPy
    (musl, *_) = _build_argv(workflow, "musllinux")
    assert len(_parse(musl).interpreter) == 3  # no PyPy for musl
    # Windows: the PyPy step is skipped on x86 and arm64, 3.10 on arm64.
    win = workflow["jobs"]["windows"]["steps"]
    conditions = {s["id"]: s.get("if") for s in win if "id" in s}
    assert conditions["python-pypy3_11"] == (
        "${{ matrix.platform.target != 'x86' && matrix.platform.target != 'aarch64' }}"
    )
    assert conditions["python-3_10"] == "${{ matrix.platform.target != 'aarch64' }}"
    # The tool Python (ferrule's own) comes last, so it is `python` for later steps.
    assert [s["id"] for s in win if "id" in s][-1] == "python-3_12"


def test_manifest_path_and_project_directory() -> None:
    text = _render(next(c for c in CASES if c.id == "manifest-path"))
    workflow = _load(text)
    for job in ("linux", "macos"):
        for argv in _build_argv(workflow, job):
            assert _parse(argv).manifest_path == Path("crates/py/Cargo.toml")
    steps = workflow["jobs"]["macos"]["steps"]
    pytest_step = next(s for s in steps if s.get("name") == "pytest")
    assert 'cd crates/py && "$RUNNER_TEMP/venv/bin/pytest"' in pytest_step["run"]
    assert "ferrule sdist --out dist --manifest-path crates/py/Cargo.toml" in text


def test_a_project_below_the_repository_root_builds_there() -> None:
    workflow = _load(_render(next(c for c in CASES if c.id == "subdirectory")))
    linux = workflow["jobs"]["linux"]["steps"]
    assert all("-w /io/python " in s["run"] for s in linux if "docker run" in s.get("run", ""))
    mac = {s.get("name"): s for s in workflow["jobs"]["macos"]["steps"]}
    assert mac["Build wheels"]["working-directory"] == "python"
    assert mac["pytest"]["working-directory"] == "python"
    assert mac["Upload wheels"]["with"]["path"] == "python/dist"
    sdist = {s.get("name"): s for s in workflow["jobs"]["sdist"]["steps"]}
    assert sdist["Build sdist"]["working-directory"] == "python"
    assert sdist["Upload sdist"]["with"]["path"] == "python/dist"


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ({"gitlab": {}}, "tool.ferrule.generate-ci.gitlab", "unknown key"),
        ({"github": {"pytets": True}}, "generate-ci.github.pytets", "did you mean 'pytest'"),
        ({"github": {"pytest": "yes"}}, "generate-ci.github.pytest", "must be true or false"),
        ({"github": {"args": "--relase"}}, "generate-ci.github.args", "--relase"),
        ({"github": {"args": "-F 'x"}}, "generate-ci.github.args", "No closing quotation"),
        (
            {"github": {"linux": {"targets": ["x86-64"]}}},
            "generate-ci.github.linux.targets[0]",
            "did you mean 'x86_64'",
        ),
        (
            {"github": {"linux": {"targets": ["x86_64"], "target": [{"arch": "x86_64"}]}}},
            "generate-ci.github.linux.targets",
            "cannot be used together",
        ),
        ({"github": {"linux": {"targets": []}}}, "generate-ci.github.linux.targets", "non-empty"),
        (
            {"github": {"linux": {"target": [{"runner": "x"}]}}},
            "generate-ci.github.linux.target[0].arch",
            "is required",
        ),
        (
            {"github": {"linux": {"target": [{"arch": "x86_64"}, {"arch": "x86_64"}]}}},
            "generate-ci.github.linux.target[1].arch",
            "listed twice",
        ),
        (
            {"github": {"linux": {"manylinux": "2010"}}},
            "generate-ci.github.linux.manylinux",
            "not a manylinux image",
        ),
        (
            {"github": {"windows": {"manylinux": "2_28"}}},
            "generate-ci.github.windows.manylinux",
            "Linux builds only",
        ),
        (
            {"github": {"macos": {"target": [{"arch": "aarch64", "runner": 3}]}}},
            "generate-ci.github.macos.target[0].runner",
            "must be a string",
        ),
        (
            {"github": {"emscripten": {}}},
            "generate-ci.github.emscripten",
            "cannot build emscripten",
        ),
        (
            {"github": {"python-versions": ["3.12", "py3"]}},
            "generate-ci.github.python-versions",
            "'py3' is not a version",
        ),
    ],
)
def test_configuration_errors_name_the_dotted_key(
    table: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_generate_ci(table, "tool.ferrule", PYPROJECT, build_args_problem)
    (problem,) = info.value.problems
    assert problem.key.endswith(key)
    assert message in problem.message


def test_python_versions_is_refused_under_tool_maturin() -> None:
    with pytest.raises(ConfigError, match="ferrule extension"):
        parse_generate_ci({"github": {"python-versions": ["3.12"]}}, "tool.maturin", PYPROJECT)


def test_all_problems_are_reported_together() -> None:
    table = {"github": {"pytest": 1, "zig": "no", "macos": {"targets": ["ppc"]}}}
    with pytest.raises(ConfigError) as info:
        parse_generate_ci(table, "tool.maturin", PYPROJECT)
    assert [p.key for p in info.value.problems] == [
        "tool.maturin.generate-ci.github.pytest",
        "tool.maturin.generate-ci.github.zig",
        "tool.maturin.generate-ci.github.macos.targets[0]",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "3.10",
        "2_28",
        "on",
        "No",
        "null",
        "*",
        "- dash",
        "a: b",
        "x #y",
        "it's",
        "'quoted'",
        '"double"',
        "${{ matrix.platform.runner }}",
        "${{ startsWith(github.ref, 'refs/tags/') }}",
        "trailing ",
        " leading",
        "2024-01-01",
        "@at",
        "multi\nline\n",
        "multi\nno final newline",
        "  indented\nfirst line\n",
        "",
    ],
)
def test_yaml_strings_read_back_unchanged(text: str) -> None:
    doc = {"key": text, "list": [text, {"nested": text, "other": [text]}]}
    assert yaml.safe_load(dump(doc)) == doc


# --- the command ------------------------------------------------------------


def _copy(crate: str, tmp_path: Path) -> Path:
    dest = tmp_path / crate
    shutil.copytree(CRATES / crate, dest, ignore=shutil.ignore_patterns("target"))
    return dest


@pytest.mark.slow
@pytest.mark.parametrize(
    ("crate", "bindings_evidence"),
    [
        ("pyo3-pure", "/opt/python/cp310-cp310/bin/python"),
        ("bind-cffi", "cargo install cbindgen --locked"),
        ("bind-uniffi", "uniffi-bindgen==0.28.3"),
        ("bind-bin", "--release --out dist -i /opt/python/cp314-cp314/bin/python\n"),
    ],
)
def test_command_detects_bindings_and_writes_a_valid_workflow(
    crate: str, bindings_evidence: str, tmp_path: Path
) -> None:
    project = _copy(crate, tmp_path)
    out = project / ".github" / "workflows" / "CI.yml"
    proc = ferrule("generate-ci", "github", "-o", out, cwd=project)
    assert f"wrote {out}" in proc.stderr
    text = out.read_text()
    assert (
        text.startswith("# This file is autogenerated by ferrule v")
        and f"ferrule generate-ci github --output {out}" in text
    )
    assert bindings_evidence in text
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert exe
    run([exe, "--builtin-schema", "vendor.github-workflows", out])
    # Standard output by default, the same workflow (but for the command in the header).
    stdout = ferrule("generate-ci", "github", cwd=project).stdout
    assert stdout.splitlines()[5:] == text.splitlines()[5:]


@pytest.mark.slow
def test_command_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    """layout-parent: pyproject.toml in python/ (where ferrule runs), the crate at the root."""
    project = _copy("layout-parent", tmp_path)
    (project / ".git").mkdir()
    proc = ferrule("generate-ci", "github", "--pytest", cwd=project / "python")
    assert "--pytest is deprecated" in proc.stderr
    workflow = _load(proc.stdout)
    assert len(_build_argv(workflow, "linux")) == 2
    for step in workflow["jobs"]["linux"]["steps"]:
        if "docker run" in step.get("run", ""):
            assert "-w /io/python " in step["run"]
    assert workflow["jobs"]["windows"]["steps"][-2]["with"]["path"] == "python/dist"
    # -m is written as given, relative to where ferrule runs.
    proc = ferrule("generate-ci", "github", "-m", "../Cargo.toml", cwd=project / "python")
    for argv in _build_argv(_load(proc.stdout), "macos"):
        assert _parse(argv).manifest_path == Path("../Cargo.toml")


@pytest.mark.slow
def test_command_reports_configuration_errors_once(tmp_path: Path) -> None:
    project = _copy("pyo3-pure", tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.maturin.generate-ci.github]\nargs = "--zig-zag"\n'
    )
    proc = ferrule("generate-ci", "github", cwd=project, check=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "tool.maturin.generate-ci.github.args" in proc.stderr
    assert "unrecognized arguments: --zig-zag" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_deprecated_flags(tmp_path: Path) -> None:
    project = _copy("bind-bin", tmp_path)
    proc = ferrule(
        "generate-ci",
        "github",
        "--platform",
        "manylinux",
        "windows",
        "--zig",
        "--skip-attestation",
        cwd=project,
    )
    workflow = _load(proc.stdout)
    assert list(workflow["jobs"]) == ["linux", "windows", "sdist", "release"]
    assert "attestations" not in workflow["jobs"]["release"]["permissions"]
    assert "zig has no effect" in proc.stderr
    assert "--skip-attestation is deprecated" in proc.stderr
    every = _load(ferrule("generate-ci", "github", "--platform", "all", cwd=project).stdout)
    assert list(every["jobs"])[:4] == ["linux", "musllinux", "windows", "macos"]
