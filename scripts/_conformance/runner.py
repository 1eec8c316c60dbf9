"""Build one case with one tool, install its wheel into a fresh venv and run the crate's check."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cases import Case
from .compare import error_line

BUILD_TIMEOUT = 15 * 60
STEP_TIMEOUT = 5 * 60
# Left behind in a checkout by maturin's own test runs; never copied.
NOT_COPIED = shutil.ignore_patterns(
    "target", "targets", "venvs", "wheels", "case-packages", "__pycache__", "*.so", "*.whl"
)

# Files of the checkout's root that test crates point at.
ROOT_FILES = ("README.md", "license-mit", "license-apache")


@dataclass
class Outcome:
    """What one tool made of one case (JSON-ready through ``dataclasses.asdict``)."""

    wheels: list[str] = field(default_factory=list)  # paths of the built wheels
    error: str = ""  # the line saying why the build failed
    check: str = ""  # "pass", "no check", "FAIL: <line>", "install failed: <line>"
    seconds: float = 0.0
    log: str = ""


def run(
    argv: list[str],
    log: Path | None = None,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: int = STEP_TIMEOUT,
) -> tuple[int, str]:
    """Run ``argv`` (the harness's one subprocess door); (returncode, output). Never raises.

    The output is appended to ``log`` when given. A run past ``timeout`` has its whole
    process group killed and returns 124; a program that cannot start returns 127.
    """
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        code, text = 127, f"error: cannot run {argv[0]}: {exc}\n"
    else:
        try:
            text, _ = proc.communicate(timeout=timeout)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            text = proc.communicate()[0] + f"\nerror: timed out after {timeout} s\n"
            code = 124
    if log is not None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"\n$ (cd {cwd or '.'} && {' '.join(argv)})\n{text}[exit {code}]\n")
    return code, text


@dataclass(frozen=True)
class Tool:
    name: str  # "maturin" or "ferrule"
    argv: tuple[str, ...]  # the command before "build"


@dataclass(frozen=True)
class Setup:
    checkout: Path  # the maturin repository (test-crates/ inside)
    work: Path  # copies, wheels, venvs and logs go here
    targets: Path  # one CARGO_TARGET_DIR per tool and case group, kept between runs
    build_python: Path  # a venv's python with cffi (as maturin's tests use)
    uv: str
    env: dict[str, str]


def package_dir(root: Path, case: Case) -> Path:
    return root / "test-crates" / case.crate / case.package


def check_script(package: Path) -> Path | None:
    """check_installed/check_installed.py beside the package or one level up (as maturin's)."""
    for base in (package, package.parent):
        script = base / "check_installed" / "check_installed.py"
        if script.is_file():
            return script
    return None


def build_and_check(setup: Setup, tool: Tool, case: Case) -> Outcome:
    """Copy the test-crates tree, build the case, install and check each wheel. Never raises."""
    start = time.monotonic()
    here = setup.work / case.name / tool.name
    shutil.rmtree(here, ignore_errors=True)
    here.mkdir(parents=True)
    log = setup.work / "logs" / f"{case.name}.{tool.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    outcome = Outcome(log=str(log))
    try:
        # A fresh copy per tool: some crates generate files into their source tree.
        shutil.copytree(setup.checkout / "test-crates", here / "test-crates", ignore=NOT_COPIED)
        for name in ROOT_FILES:  # hello-world's readme is ../../README.md
            if (setup.checkout / name).is_file():
                shutil.copy2(setup.checkout / name, here / name)
        package = package_dir(here, case)
        python = case.python or str(setup.build_python)
        argv = [*tool.argv, "build", "--release", "--out", str(here / "dist"), "-i", python]
        if not (package / "pyproject.toml").is_file():
            argv += ["--manifest-path", "Cargo.toml"]
        env = dict(setup.env, CARGO_TARGET_DIR=str(setup.targets / f"{tool.name}-{case.group}"))
        code, output = run([*argv, *case.args], log, cwd=package, env=env, timeout=BUILD_TIMEOUT)
        wheels = sorted(str(p) for p in (here / "dist").glob("*.whl"))
        if code != 0 or not wheels:  # a failed build may leave a partial wheel behind
            # Paths relative to the copy: the table stays readable and the same between runs.
            outcome.error = error_line(output).replace(f"{here}/", "") or f"exit {code}, no wheel"
            return outcome
        outcome.wheels = wheels
        checks = [
            install_and_check(setup, Path(w), python, package, here / f"venv{i}", log)
            for i, w in enumerate(outcome.wheels)
        ]
        outcome.check = next((c for c in checks if c not in ("pass", "no check")), checks[0])
    except Exception as exc:  # the harness itself must go on with the next case
        outcome.error = outcome.error or f"harness error: {type(exc).__name__}: {exc}"
        with log.open("a", encoding="utf-8") as out:
            out.write(f"\nharness error: {exc!r}\n")
    finally:
        outcome.seconds = round(time.monotonic() - start, 1)
    return outcome


def install_and_check(
    setup: Setup, wheel: Path, python: str, package: Path, venv: Path, log: Path
) -> str:
    env = {k: v for k, v in setup.env.items() if k != "VIRTUAL_ENV"}
    code, out = run(
        [setup.uv, "venv", "-q", "--python", python, str(venv)],
        log,
        cwd=venv.parent,
        env=env,
        timeout=STEP_TIMEOUT,
    )
    if code == 0:
        code, out = run(
            [
                setup.uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(venv / "bin" / "python"),
                str(wheel),
            ],
            log,
            cwd=venv.parent,
            env=env,
            timeout=STEP_TIMEOUT,
        )
    if code != 0:
        return f"install failed: {error_line(out)}"
    script = check_script(package)
    if script is None:
        return "no check"
    # As maturin's check_installed(): only the venv's bin directory on PATH.
    check_env = dict(env, PATH=str(venv / "bin"), VIRTUAL_ENV=str(venv))
    code, out = run(
        [str(venv / "bin" / "python"), str(script)],
        log,
        cwd=package,
        env=check_env,
        timeout=STEP_TIMEOUT,
    )
    lines = out.strip().splitlines()
    if code == 0 and lines and lines[-1].strip() == "SUCCESS":
        return "pass"
    return f"FAIL: {error_line(out)}"
