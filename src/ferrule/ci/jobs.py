"""The jobs of the workflow: Linux in containers, Windows and macOS on the host, sdist, release.

Each job is a plain dict that :mod:`ferrule.ci.yaml` writes; a value that varies
between the rows of a matrix becomes a ``matrix.platform.<key>`` reference.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from typing import Any

from ferrule.ci.config import GitHubConfig
from ferrule.ci.interpreters import InterpreterPlan, container_python, step_id, usable
from ferrule.ci.project import ProjectInfo, ferrule_requirement
from ferrule.ci.targets import Target
from ferrule.errors import FerruleError

__all__ = ["host_job", "linux_job", "release_job", "sdist_job"]

_ACTIONS = {
    "checkout": "actions/checkout@v6",
    "setup-python": "actions/setup-python@v6",
    "rust": "dtolnay/rust-toolchain@master",
    "qemu": "docker/setup-qemu-action@v3",
    "upload": "actions/upload-artifact@v6",
    "download": "actions/download-artifact@v7",
    "attest": "actions/attest@v4",
    "publish": "pypa/gh-action-pypi-publish@release/v1",
}
_RUSTUP = (
    "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs"
    " | sh -s -- -y --profile minimal --default-toolchain {toolchain}"
)


def _expr(text: str) -> str:
    return "${{ " + text + " }}"


def _uniform(targets: Sequence[Target], get: Callable[[Target], Any]) -> tuple[bool, Any]:
    values = [get(t) for t in targets]
    return all(v == values[0] for v in values), values[0]


def _varying(
    targets: Sequence[Target], key: str, get: Callable[[Target], Any], rows: list[dict[str, Any]]
) -> str | None:
    """The value as text in the job: inline when all rows agree, else a matrix reference.

    Rows get ``key`` only when the value varies (and only where it is set).
    """
    same, value = _uniform(targets, get)
    if same:
        return None if value is None else str(value)
    for row, target in zip(rows, targets):
        if get(target) is not None:
            row[key] = get(target)
    return _expr(f"matrix.platform.{key}")


def _matrix_rows(targets: Sequence[Target]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for t in targets:
        row: dict[str, Any] = {"runner": t.runner, "target": t.arch}
        if t.python_arch:
            row["python_arch"] = t.python_arch
        if t.image:
            row["image"] = t.image
            row["docker_platform"] = t.docker_platform
        rows.append(row)
    return rows


def _build_command(project: ProjectInfo, interpreters: str, args: str | None) -> str:
    argv = ["ferrule", "build", "--release", "--out", "dist", "-i", interpreters]
    if project.manifest_path:
        argv += ["--manifest-path", shlex.quote(project.manifest_path)]
    if args:
        argv.append(args)
    return " ".join(argv)


def _pip_tools(project: ProjectInfo) -> list[str]:
    tools = [ferrule_requirement()]
    if project.bindings == "uniffi":
        # uniffi-bindgen must match the crate's uniffi version exactly.
        tools.append(f"uniffi-bindgen=={project.uniffi_version or '0.28.3'}")
    return tools


def _container_dir(project: ProjectInfo) -> str:
    return "/io" if project.workdir == "." else shlex.quote(f"/io/{project.workdir}")


def _in_workdir(project: ProjectInfo, step: dict[str, Any]) -> dict[str, Any]:
    if project.workdir != ".":
        step["working-directory"] = project.workdir
    return step


def _dist(project: ProjectInfo) -> str:
    return "dist" if project.workdir == "." else f"{project.workdir}/dist"


def _cd(project: ProjectInfo) -> str:
    return "" if project.project_dir in ("", ".") else f"cd {shlex.quote(project.project_dir)} && "


def _pytest_lines(project: ProjectInfo, venv_python: str, pytest: str) -> list[str]:
    name = shlex.quote(project.name)
    return [
        f"{venv_python} -m pip install pytest",
        f"{venv_python} -m pip install {name} --no-index --no-deps --find-links dist --force-reinstall",
        f"{venv_python} -m pip install {name}",
        f"{_cd(project)}{pytest}",
    ]


# --- jobs -------------------------------------------------------------------


def linux_job(
    project: ProjectInfo, config: GitHubConfig, plan: InterpreterPlan, targets: list[Target]
) -> dict[str, Any]:
    rows = _matrix_rows(targets)
    toolchain = _varying(targets, "rust_toolchain", lambda t: t.rust_toolchain, rows)
    components = _varying(targets, "rustup_components", lambda t: t.rustup_components, rows)
    options = _varying(targets, "docker_options", lambda t: t.docker_options, rows)
    before = _varying(targets, "before_script_linux", lambda t: t.before_script, rows)
    args = _varying(targets, "args", lambda t: t.args, rows)
    same_pythons, _ = _uniform(targets, plan.for_target)
    if not same_pythons:
        interpreters = _varying(
            targets,
            "interpreters",
            lambda t: " ".join(container_python(v) for v in plan.for_target(t)),
            rows,
        )
    else:
        interpreters = " ".join(container_python(v) for v in plan.for_target(targets[0]))
    emulated = [t.emulated for t in targets]
    if any(emulated) and not all(emulated):
        for row, target in zip(rows, targets):
            if target.emulated:
                row["emulated"] = True

    tool_python = container_python(plan.tool)
    script = [
        _RUSTUP.format(toolchain=toolchain),
        '. "$HOME/.cargo/env"',
    ]
    if components:
        script.append(f"rustup component add {components}")
    script += [
        f"{tool_python} -m venv /opt/ferrule",
        "/opt/ferrule/bin/python -m pip install "
        + " ".join(shlex.quote(t) for t in _pip_tools(project)),
        # Appended, so the image's own python3.X stay first on PATH.
        'export PATH="$PATH:/opt/ferrule/bin"',
    ]
    if project.bindings == "cffi":
        script += [f"{tool_python} -m pip install cffi", "cargo install cbindgen --locked"]
    if before:
        script.append(before)
    script.append(_build_command(project, str(interpreters), args))

    docker = (
        "docker run --rm --platform "
        + _expr("matrix.platform.docker_platform")
        + f' -v "$GITHUB_WORKSPACE:/io" -w {_container_dir(project)} -e SCRIPT '
        + (f"{options} " if options else "")
        + _expr("matrix.platform.image")
        + ' bash -euxo pipefail -c "$SCRIPT"'
    )
    steps: list[dict[str, Any]] = [{"uses": _ACTIONS["checkout"]}]
    if any(emulated):
        qemu: dict[str, Any] = {"name": "Set up QEMU"}
        if not all(emulated):
            qemu["if"] = _expr("matrix.platform.emulated")
        qemu["uses"] = _ACTIONS["qemu"]
        steps.append(qemu)
    steps += [
        {"name": "Build wheels", "env": {"SCRIPT": "\n".join(script) + "\n"}, "run": docker},
        _upload(project, targets[0].platform),
    ]
    if config.pytest:
        test = [f"{tool_python} -m venv /opt/test-venv"]
        test += _pytest_lines(project, "/opt/test-venv/bin/python", "/opt/test-venv/bin/pytest")
        steps.append({"name": "pytest", "env": {"SCRIPT": "\n".join(test) + "\n"}, "run": docker})
    return {
        "runs-on": _expr("matrix.platform.runner"),
        "strategy": {"matrix": {"platform": rows}},
        "steps": steps,
    }


def host_job(
    project: ProjectInfo, config: GitHubConfig, plan: InterpreterPlan, targets: list[Target]
) -> dict[str, Any]:
    platform = targets[0].platform
    rows = _matrix_rows(targets)
    toolchain = _varying(targets, "rust_toolchain", lambda t: t.rust_toolchain, rows)
    components = _varying(targets, "rustup_components", lambda t: t.rustup_components, rows)
    rust_target = _varying(targets, "rust_target", lambda t: t.rust_target, rows)
    # A cross target becomes part of the arguments, so rows without one get no --target.
    args = _varying(
        targets,
        "args",
        lambda t: (
            " ".join(a for a in (t.rust_target and f"--target {t.rust_target}", t.args) if a)
            or None
        ),
        rows,
    )

    for target in targets:
        if not usable(plan.tool, target):
            raise FerruleError(
                f"generate-ci: Python {plan.tool} (which runs ferrule) is not available for "
                f"{platform} {target.arch}; add a newer version to generate-ci.github.python-versions"
            )
    # One setup-python step per interpreter; the last one (ferrule's) becomes `python`.
    versions = [v for v in plan.build if v != plan.tool] + [plan.tool]
    steps: list[dict[str, Any]] = [{"uses": _ACTIONS["checkout"]}]
    for version in versions:
        step: dict[str, Any] = {"id": step_id(version)}
        missing = [t.arch for t in targets if not usable(version, t)]
        if len(missing) == len(targets):
            continue
        if missing:
            step["if"] = _expr(
                " && ".join(f"matrix.platform.target != '{arch}'" for arch in missing)
            )
        step["uses"] = _ACTIONS["setup-python"]
        step["with"] = {"python-version": version}
        if platform == "windows":
            step["with"]["architecture"] = _expr("matrix.platform.python_arch")
        steps.append(step)
    rust: dict[str, Any] = {"toolchain": toolchain}
    if rust_target:
        rust["targets"] = rust_target
    if components:
        rust["components"] = components
    steps.append({"uses": _ACTIONS["rust"], "with": rust})
    install = "python -m pip install " + " ".join(shlex.quote(t) for t in _pip_tools(project))
    if project.bindings == "cffi":
        install += " cffi\ncargo install cbindgen --locked\n"
    steps.append({"name": "Install ferrule", "run": install})
    # Skipped setup steps leave their output empty; the unquoted $PYTHONS drops them.
    pythons = " ".join(_expr(f"steps.{step_id(v)}.outputs.python-path") for v in plan.build)
    steps.append(
        _in_workdir(
            project,
            {
                "name": "Build wheels",
                "env": {"PYTHONS": pythons},
                "run": _build_command(project, "$PYTHONS", args),
            },
        )
    )
    steps.append(_upload(project, platform))
    if config.pytest:
        bindir = "Scripts" if platform == "windows" else "bin"
        venv = '"$RUNNER_TEMP/venv/' + bindir
        lines = ['python -m venv "$RUNNER_TEMP/venv"']
        lines += _pytest_lines(project, f'{venv}/python"', f'{venv}/pytest"')
        steps.append(_in_workdir(project, {"name": "pytest", "run": "\n".join(lines) + "\n"}))
    job: dict[str, Any] = {
        "runs-on": _expr("matrix.platform.runner"),
        "strategy": {"matrix": {"platform": rows}},
    }
    if platform == "windows":
        job["defaults"] = {"run": {"shell": "bash"}}
    job["steps"] = steps
    return job


def _upload(project: ProjectInfo, platform: str) -> dict[str, Any]:
    return {
        "name": "Upload wheels",
        "uses": _ACTIONS["upload"],
        "with": {
            "name": f"wheels-{platform}-{_expr('matrix.platform.target')}",
            "path": _dist(project),
        },
    }


def sdist_job(project: ProjectInfo, plan: InterpreterPlan) -> dict[str, Any]:
    command = "ferrule sdist --out dist"
    if project.manifest_path:
        command += f" --manifest-path {shlex.quote(project.manifest_path)}"
    return {
        "runs-on": "ubuntu-latest",
        "steps": [
            {"uses": _ACTIONS["checkout"]},
            {"uses": _ACTIONS["setup-python"], "with": {"python-version": plan.tool}},
            {"uses": _ACTIONS["rust"], "with": {"toolchain": "stable"}},
            {"name": "Install ferrule", "run": f"python -m pip install '{ferrule_requirement()}'"},
            _in_workdir(project, {"name": "Build sdist", "run": command}),
            {
                "name": "Upload sdist",
                "uses": _ACTIONS["upload"],
                "with": {"name": "wheels-sdist", "path": _dist(project)},
            },
        ],
    }


def release_job(config: GitHubConfig, needs: list[str]) -> dict[str, Any]:
    job: dict[str, Any] = {
        "name": "Release",
        "runs-on": "ubuntu-latest",
        "if": _expr("startsWith(github.ref, 'refs/tags/')"),
        "needs": needs,
    }
    if config.publishing_environment:
        job["environment"] = config.publishing_environment
    # id-token: PyPI trusted publishing (and the signatures of attestations).
    permissions = {"contents": "read", "id-token": "write"}
    if not config.skip_attestation:
        permissions["attestations"] = "write"
    job["permissions"] = permissions
    steps: list[dict[str, Any]] = [
        {
            "uses": _ACTIONS["download"],
            "with": {"pattern": "wheels-*", "path": "dist", "merge-multiple": True},
        }
    ]
    if not config.skip_attestation:
        steps.append(
            {
                "name": "Generate artifact attestation",
                "uses": _ACTIONS["attest"],
                "with": {"subject-path": "dist/*"},
            }
        )
    publish: dict[str, Any] = {"name": "Publish to PyPI", "uses": _ACTIONS["publish"]}
    if not config.trusted_publishing:
        publish["with"] = {"password": _expr("secrets.PYPI_API_TOKEN")}
    steps.append(publish)
    job["steps"] = steps
    return job
