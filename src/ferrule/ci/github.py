"""The GitHub Actions workflow: wheels on every platform, an sdist, and a release.

ferrule builds natively (it does not cross-compile), so each wheel is built on
a machine of its own kind, and the workflow is what spreads the work:

- Linux: the build runs in a ``quay.io/pypa`` manylinux or musllinux image
  (which ship every CPython under ``/opt/python``) through ``docker run`` on a
  runner of the same architecture, or under QEMU for the other architectures.
  Rust is installed in the container with rustup; ferrule in a venv.
- Windows and macOS: ``actions/setup-python`` once per interpreter, Rust from
  ``dtolnay/rust-toolchain``, and ``ferrule build -i <each python>``.
- ``ferrule sdist`` on Ubuntu; on tags, one job downloads everything, attests
  it and publishes with ``pypa/gh-action-pypi-publish`` (trusted publishing).

:func:`render_workflow` is pure: project facts and settings in, YAML text out.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ferrule._version import __version__
from ferrule.ci.config import PLATFORMS, GitHubConfig, Overrides, parse_manylinux
from ferrule.ci.yaml import dump
from ferrule.errors import FerruleError

__all__ = [
    "ProjectInfo",
    "Target",
    "default_python_versions",
    "ferrule_requirement",
    "render_workflow",
    "resolve_targets",
]

MIN_MINOR = 9
MAX_MINOR = 14
DEFAULT_ARCHES: Mapping[str, tuple[str, ...]] = {
    # Native runners only: Linux aarch64 builds on GitHub's arm64 runners;
    # other Linux architectures can be listed and are built under QEMU (slowly).
    "linux": ("x86_64", "aarch64"),
    "musllinux": ("x86_64", "aarch64"),
    "windows": ("x64", "x86", "aarch64"),
    "macos": ("x86_64", "aarch64"),
}
_IMAGE_ARCH = {"x86": "i686", "armv7": "armv7l"}
_DOCKER_PLATFORM = {
    "x86_64": "linux/amd64",
    "x86": "linux/386",
    "aarch64": "linux/arm64",
    "armv7": "linux/arm/v7",
    "s390x": "linux/s390x",
    "ppc64le": "linux/ppc64le",
}
# Images that exist for each architecture when ``manylinux`` is "auto".
_AUTO_MANYLINUX = {"x86": "manylinux2014", "armv7": "manylinux_2_31"}
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


def ferrule_requirement() -> str:
    """The requirement on ferrule that generated files use: this minor series (0.x) or major.

    >>> ferrule_requirement().startswith("ferrule>=")
    True
    """
    parts = [int(p) for p in __version__.split(".")[:2] if p.isdigit()]
    major, minor = [*parts, 0, 0][:2]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}.0"
    return f"ferrule>={major}.{minor},<{upper}"


@dataclass(frozen=True)
class ProjectInfo:
    """What the workflow needs to know about the project."""

    name: str
    bindings: str
    abi3: bool = False
    requires_python: str | None = None
    uniffi_version: str | None = None
    sdist: bool = True
    # Where ferrule runs, relative to the repository root (where a workflow starts);
    # the other paths are relative to it (POSIX).
    workdir: str = "."
    manifest_path: str | None = None
    project_dir: str = "."  # the directory of pyproject.toml: pytest runs there
    command: str = "ferrule generate-ci github"

    @property
    def per_interpreter(self) -> bool:
        """One wheel per interpreter (version-specific pyo3 modules) or one for all."""
        return self.bindings in ("pyo3", "pyo3-ffi") and not self.abi3


@dataclass(frozen=True)
class Target:
    """One row of a platform's build matrix, with everything resolved."""

    platform: str
    arch: str
    runner: str
    rust_toolchain: str
    rustup_components: str | None
    args: str | None
    python_arch: str | None = None  # Windows
    rust_target: str | None = None  # Windows x86 (cargo's host is x86_64)
    image: str | None = None  # Linux
    docker_platform: str | None = None
    emulated: bool = False
    docker_options: str | None = None
    before_script: str | None = None


def default_python_versions(requires_python: str | None) -> tuple[str, ...]:
    """CPython 3.9 to 3.14, as far as ``requires-python`` allows.

    >>> default_python_versions(">=3.11")
    ('3.11', '3.12', '3.13', '3.14')
    >>> default_python_versions(">=3.8,<3.11,!=3.9.*")
    ('3.10',)
    """
    try:
        spec = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        raise FerruleError(
            f"project.requires-python {requires_python!r} is not a version specifier"
        ) from None
    versions = tuple(
        f"3.{minor}"
        for minor in range(MIN_MINOR, MAX_MINOR + 1)
        if any(spec.contains(f"3.{minor}.{patch}", prereleases=True) for patch in (0, 99))
    )
    if not versions:
        raise FerruleError(
            f"project.requires-python {requires_python!r} allows none of CPython "
            f"3.{MIN_MINOR} to 3.{MAX_MINOR}; list the interpreters in "
            "generate-ci.github.python-versions"
        )
    return versions


def _runner(platform: str, arch: str) -> str:
    if platform in ("linux", "musllinux"):
        return "ubuntu-24.04-arm" if arch == "aarch64" else "ubuntu-24.04"
    if platform == "windows":
        return "windows-11-arm" if arch == "aarch64" else "windows-latest"
    return "macos-15-intel" if arch == "x86_64" else "macos-latest"


def _image(platform: str, arch: str, manylinux: str | None, container: str | None) -> str:
    if container:
        return container
    family = parse_manylinux(manylinux) if manylinux else None
    if family in (None, "auto"):
        family = (
            "musllinux_1_2"
            if platform == "musllinux"
            else _AUTO_MANYLINUX.get(arch, "manylinux_2_28")
        )
    return f"quay.io/pypa/{family}_{_IMAGE_ARCH.get(arch, arch)}"


def _runner_arch(runner: str) -> str:
    """The CPU of a Linux runner, judged by its label (GitHub's arm64 runners say "arm")."""
    return "aarch64" if "arm" in runner else "x86_64"


def resolve_targets(config: GitHubConfig, platform: str) -> list[Target]:
    """The matrix rows of one platform: per-target overrides > platform > workflow."""
    table = config.platforms.get(platform)
    arches = table.arches(DEFAULT_ARCHES[platform]) if table else DEFAULT_ARCHES[platform]
    rows = []
    for arch in arches:
        per_target = table.target_overrides(arch) if table else Overrides()
        level = table.overrides if table else Overrides()

        def pick(name: str, per_target: Overrides = per_target, level: Overrides = level) -> Any:
            value = getattr(per_target, name)
            return value if value is not None else getattr(level, name)

        runner = pick("runner") or _runner(platform, arch)
        target = Target(
            platform=platform,
            arch=arch,
            runner=runner,
            rust_toolchain=pick("rust_toolchain") or "stable",
            rustup_components=pick("rustup_components"),
            args=pick("args") if pick("args") is not None else config.args,
        )
        if platform == "windows":
            target = dataclasses.replace(
                target,
                python_arch="arm64" if arch == "aarch64" else arch,
                rust_target="i686-pc-windows-msvc" if arch == "x86" else None,
            )
        elif platform in ("linux", "musllinux"):
            host = _runner_arch(runner)
            target = dataclasses.replace(
                target,
                image=_image(platform, arch, pick("manylinux"), pick("container")),
                docker_platform=_DOCKER_PLATFORM[arch],
                emulated=not (arch == host or (arch == "x86" and host == "x86_64")),
                docker_options=pick("docker_options"),
                before_script=pick("before_script_linux"),
            )
        rows.append(target)
    return rows


# --- interpreters -----------------------------------------------------------


def _usable(version: str, target: Target) -> bool:
    """Whether ``version`` exists for the target (images, python.org and PyPy builds)."""
    pypy = version.startswith("pypy")
    minor = int(version.split(".")[1].rstrip("t"))
    if target.platform in ("linux", "musllinux"):
        # The pypa images have PyPy for these architectures only, and none for musl.
        return not pypy or (
            target.platform == "linux" and target.arch in ("x86_64", "x86", "aarch64")
        )
    if target.platform == "windows" and target.arch == "aarch64":
        return not pypy and minor >= 11  # python.org has Windows on Arm builds from 3.11
    return not (pypy and target.platform == "windows" and target.arch == "x86")


def _container_python(version: str) -> str:
    """Where a manylinux/musllinux image keeps an interpreter.

    >>> _container_python("3.13t"), _container_python("pypy3.11")
    ('/opt/python/cp313-cp313t/bin/python', '/opt/python/pp311-pypy311_pp73/bin/python')
    """
    if version.startswith("pypy"):
        digits = version[4:].replace(".", "")
        return f"/opt/python/pp{digits}-pypy{digits}_pp73/bin/python"
    digits = version.rstrip("t").replace(".", "")
    return f"/opt/python/cp{digits}-cp{digits}{'t' if version.endswith('t') else ''}/bin/python"


def _step_id(version: str) -> str:
    return "python-" + version.replace(".", "_")


@dataclass(frozen=True)
class _Plan:
    """Interpreters of one workflow: what ferrule builds for, and what runs ferrule."""

    build: tuple[str, ...]
    tool: str

    def for_target(self, target: Target) -> tuple[str, ...]:
        return tuple(v for v in self.build if _usable(v, target))


def _plan(project: ProjectInfo, config: GitHubConfig) -> _Plan:
    versions = config.python_versions or default_python_versions(project.requires_python)
    cpython = [v for v in versions if not v.startswith("pypy") and not v.endswith("t")]
    # ferrule itself runs on the newest plain CPython of the list (it needs 3.9+).
    tool = max(cpython, key=lambda v: int(v.split(".")[1])) if cpython else f"3.{MAX_MINOR}"
    if int(tool.split(".")[1]) < 9:
        tool = f"3.{MAX_MINOR}"
    # Stable-ABI, cffi, uniffi and bin wheels fit every interpreter: build once.
    build = versions if project.per_interpreter else (tool,)
    return _Plan(build=tuple(build), tool=tool)


# --- matrix helpers ---------------------------------------------------------


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


def _linux_job(
    project: ProjectInfo, config: GitHubConfig, plan: _Plan, targets: list[Target]
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
            lambda t: " ".join(_container_python(v) for v in plan.for_target(t)),
            rows,
        )
    else:
        interpreters = " ".join(_container_python(v) for v in plan.for_target(targets[0]))
    emulated = [t.emulated for t in targets]
    if any(emulated) and not all(emulated):
        for row, target in zip(rows, targets):
            if target.emulated:
                row["emulated"] = True

    tool_python = _container_python(plan.tool)
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


def _host_job(
    project: ProjectInfo, config: GitHubConfig, plan: _Plan, targets: list[Target]
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
        if not _usable(plan.tool, target):
            raise FerruleError(
                f"generate-ci: Python {plan.tool} (which runs ferrule) is not available for "
                f"{platform} {target.arch}; add a newer version to generate-ci.github.python-versions"
            )
    # One setup-python step per interpreter; the last one (ferrule's) becomes `python`.
    versions = [v for v in plan.build if v != plan.tool] + [plan.tool]
    steps: list[dict[str, Any]] = [{"uses": _ACTIONS["checkout"]}]
    for version in versions:
        step: dict[str, Any] = {"id": _step_id(version)}
        missing = [t.arch for t in targets if not _usable(version, t)]
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
    pythons = " ".join(_expr(f"steps.{_step_id(v)}.outputs.python-path") for v in plan.build)
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


def _sdist_job(project: ProjectInfo, plan: _Plan) -> dict[str, Any]:
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


def _release_job(config: GitHubConfig, needs: list[str]) -> dict[str, Any]:
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


def _header(project: ProjectInfo) -> str:
    return (
        f"# This file is autogenerated by ferrule v{__version__}\n"
        "# To update, run\n"
        "#\n"
        f"#    {project.command}\n"
        "#\n"
    )


def render_workflow(
    project: ProjectInfo, config: GitHubConfig, platforms: Sequence[str] | None = None
) -> str:
    """The workflow as YAML text.

    ``platforms`` (the deprecated ``--platform`` option) wins over the tables
    present in the configuration, which win over the default four platforms.
    """
    if platforms is None:
        platforms = [p for p in PLATFORMS if p in config.platforms] or list(PLATFORMS)
    plan = _plan(project, config)
    jobs: dict[str, dict[str, Any]] = {}
    for platform in PLATFORMS:
        if platform not in platforms:
            continue
        targets = resolve_targets(config, platform)
        if platform in ("linux", "musllinux"):
            jobs[platform] = _linux_job(project, config, plan, targets)
        else:
            jobs[platform] = _host_job(project, config, plan, targets)
    if project.sdist:
        jobs["sdist"] = _sdist_job(project, plan)
    jobs["release"] = _release_job(config, list(jobs))
    top = {
        "name": "CI",
        "on": {
            "push": {"branches": ["main", "master"], "tags": ["*"]},
            "pull_request": None,
            "workflow_dispatch": None,
        },
        "permissions": {"contents": "read"},
    }
    parts = [_header(project) + "\n".join(dump({key: value}) for key, value in top.items())]
    parts.append("jobs:")
    jobs_text = "\n".join(dump({name: job}, depth=1) for name, job in jobs.items())
    return "\n".join(parts) + "\n" + jobs_text
