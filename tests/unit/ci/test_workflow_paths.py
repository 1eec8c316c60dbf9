"""The generated GitHub workflow read as a runner would: do its paths meet?

tests/integration/test_generate_ci.py checks the schema, that every ferrule command parses,
and the matrix values. Here, for every job and matrix row, the workflow is
followed like a runner: the ``docker run`` mount and working directory put
ferrule in the project's directory inside the container; the ``--out`` of the
build, seen from the host, is what ``Upload wheels`` uploads and what the
pytest step installs from; artifact names never collide; each row's image,
Docker platform and runner agree on the CPU (or QEMU is set up for that row).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from ferrule.ci.config import parse_generate_ci
from ferrule.ci.github import ProjectInfo, render_workflow
from ferrule.cli import build_parser, split_rustc_args

WORKSPACE = PurePosixPath("/home/runner/work/repo/repo")  # $GITHUB_WORKSPACE on a runner
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

# What each Docker platform runs (the OCI platform names) and what the pypa images call it.
DOCKER_CPU = {
    "linux/amd64": "x86_64",
    "linux/386": "i686",
    "linux/arm64": "aarch64",
    "linux/arm/v7": "armv7l",
    "linux/s390x": "s390x",
    "linux/ppc64le": "ppc64le",
}

ALL_LINUX = {
    "linux": {"targets": ["x86_64", "x86", "aarch64", "armv7", "s390x", "ppc64le"]},
    "musllinux": {"targets": ["x86_64", "x86", "aarch64", "armv7"]},
}
CASES = {
    "root": (ProjectInfo(name="demo", bindings="pyo3"), {"pytest": True}),
    "subdirectory": (
        ProjectInfo(name="demo", bindings="pyo3", workdir="python"),
        {"pytest": True, **ALL_LINUX},
    ),
    "space-in-path": (
        ProjectInfo(name="demo", bindings="cffi", workdir="my project/py"),
        {"pytest": True},
    ),
    "manifest-path": (
        ProjectInfo(
            name="demo",
            bindings="uniffi",
            workdir="python",
            manifest_path="../rust/Cargo.toml",
            project_dir=".",
        ),
        {"pytest": True},
    ),
    "container": (
        ProjectInfo(name="demo", bindings="pyo3", workdir="sub"),
        {"pytest": True, "linux": {"container": "ghcr.io/example/builder:1"}},
    ),
}


def workflow(case: str) -> dict[str, Any]:
    project, github = CASES[case]
    config = parse_generate_ci({"github": github}, "tool.ferrule", Path("pyproject.toml"))
    data = yaml.safe_load(render_workflow(project, config, None))
    assert isinstance(data, dict)
    return data


def expand(text: str, row: dict[str, Any]) -> str:
    """GitHub's expressions for one matrix row (a step's python-path output: a stand-in)."""

    def one(match: re.Match[str]) -> str:
        expr = match[1]
        if expr.startswith("matrix.platform."):
            value = row.get(expr.removeprefix("matrix.platform."))
            return "" if value is None else str(value)
        if re.fullmatch(r"steps\.[\w-]+\.outputs\.python-path", expr):
            return "/hosted/python"
        raise AssertionError(f"unexpected expression {expr}")

    return _EXPR.sub(one, text)


def rows_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("strategy", {}).get("matrix", {}).get("platform") or [{}]


def runs(step: dict[str, Any], row: dict[str, Any]) -> bool:
    """Evaluate the conditions ferrule writes: a row flag, or ``!=`` clauses joined by ``&&``."""
    condition = step.get("if")
    if condition is None:
        return True
    inner = _EXPR.fullmatch(condition)
    assert inner, condition
    verdict = True
    for clause in inner[1].split(" && "):
        flag = re.fullmatch(r"matrix\.platform\.(\w+)", clause)
        differs = re.fullmatch(r"matrix\.platform\.(\w+) != '([^']*)'", clause)
        assert flag or differs, f"unexpected condition {condition}"
        if flag:
            verdict = verdict and bool(row.get(flag[1]))
        elif differs:
            verdict = verdict and row.get(differs[1]) != differs[2]
    return verdict


def docker_run(command: str) -> tuple[PurePosixPath, PurePosixPath, PurePosixPath]:
    """(host directory mounted, where it is mounted, the working directory) of a docker run."""
    argv = shlex.split(command.replace("$GITHUB_WORKSPACE", str(WORKSPACE)))
    assert argv[:2] == ["docker", "run"], command
    mounts = [argv[i + 1] for i, a in enumerate(argv) if a in ("-v", "--volume")]
    workdirs = [argv[i + 1] for i, a in enumerate(argv) if a in ("-w", "--workdir")]
    assert len(mounts) == 1 and len(workdirs) == 1, command
    host, _, inside = mounts[0].partition(":")
    return PurePosixPath(host), PurePosixPath(inside), PurePosixPath(workdirs[0])


def host_dir(step: dict[str, Any], command: str) -> PurePosixPath:
    """The host directory the step's command runs in."""
    if command.startswith("docker run"):
        host, inside, workdir = docker_run(command)
        assert workdir == inside or inside in workdir.parents, (
            f"-w {workdir} is outside the mount {inside}"
        )
        return host / workdir.relative_to(inside)
    return WORKSPACE / step.get("working-directory", ".")


def ferrule_build(step: dict[str, Any], row: dict[str, Any]) -> Any:
    env = {k: expand(str(v), row) for k, v in step.get("env", {}).items()}
    for script in (env.get("SCRIPT", ""), expand(step["run"], row)):
        for line in script.splitlines():
            words = shlex.split(line)
            if len(words) > 1 and words[0].endswith("ferrule") and words[1] == "build":
                argv = []
                for w in words[1:]:
                    argv += env[w[1:]].split() if w.startswith("$") and w[1:] in env else [w]
                return build_parser().parse_args(split_rustc_args(argv)[0])
    return None


def find_links(step: dict[str, Any], row: dict[str, Any]) -> list[str]:
    text = step.get("env", {}).get("SCRIPT", "") + step.get("run", "")
    found = []
    for line in expand(text, row).splitlines():
        words = shlex.split(line)
        found += [words[i + 1] for i, w in enumerate(words) if w == "--find-links"]
    return found


@pytest.mark.parametrize("case", list(CASES))
def test_wheels_are_built_uploaded_and_tested_in_one_directory(case: str) -> None:
    project, _ = CASES[case]
    data = workflow(case)
    wheel_jobs = [name for name in data["jobs"] if name not in ("sdist", "release")]
    assert wheel_jobs
    for name in wheel_jobs:
        job = data["jobs"][name]
        for row in rows_of(job):
            steps = [s for s in job["steps"] if runs(s, row)]
            build = next(s for s in steps if s.get("name") == "Build wheels")
            args = ferrule_build(build, row)
            assert args is not None, f"{name}: no ferrule build in the build step"
            built = host_dir(build, expand(build["run"], row))
            # ferrule runs in the project's directory, however the job reaches it.
            assert built == WORKSPACE / project.workdir, (name, row)
            out = built / str(args.out)
            upload = next(s for s in steps if s.get("name") == "Upload wheels")
            assert WORKSPACE / upload["with"]["path"] == out, (name, row)
            for test in (s for s in steps if s.get("name") == "pytest"):
                where = host_dir(test, expand(test["run"], row))
                links = find_links(test, row)
                assert links and all(where / link == out for link in links), (name, row)


@pytest.mark.parametrize("case", list(CASES))
def test_the_sdist_is_uploaded_from_where_it_is_written(case: str) -> None:
    steps = {s.get("name"): s for s in workflow(case)["jobs"]["sdist"]["steps"]}
    argv = shlex.split(steps["Build sdist"]["run"])
    out = argv[argv.index("--out") + 1]
    built = host_dir(steps["Build sdist"], steps["Build sdist"]["run"])
    assert WORKSPACE / steps["Upload sdist"]["with"]["path"] == built / out


@pytest.mark.parametrize("case", list(CASES))
def test_artifact_names_never_collide(case: str) -> None:
    data = workflow(case)
    names = []
    for job in data["jobs"].values():
        for row in rows_of(job):
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/upload-artifact@") and runs(step, row):
                    names.append(expand(step["with"]["name"], row))
    assert names and len(names) == len(set(names))
    release = data["jobs"]["release"]
    download = next(s for s in release["steps"] if "download-artifact" in s.get("uses", ""))
    pattern = download["with"]["pattern"]
    assert all(re.fullmatch(pattern.replace("*", ".*"), n) for n in names)


@pytest.mark.parametrize("case", ["subdirectory", "root"])
def test_each_row_runs_on_the_cpu_its_image_is_for(case: str) -> None:
    data = workflow(case)
    for family in ("linux", "musllinux"):
        job = data["jobs"][family]
        for row in rows_of(job):
            cpu = DOCKER_CPU[row["docker_platform"]]
            image = row["image"]
            assert image.startswith(f"quay.io/pypa/{'musl' if family == 'musllinux' else 'many'}")
            assert image.endswith(f"_{cpu}"), (image, row["docker_platform"])
            runner_cpu = "aarch64" if "arm" in row["runner"] else "x86_64"
            native = cpu == runner_cpu or (cpu == "i686" and runner_cpu == "x86_64")
            qemu = [s for s in job["steps"] if "setup-qemu-action" in s.get("uses", "")]
            assert native or (qemu and all(runs(s, row) for s in qemu)), row
