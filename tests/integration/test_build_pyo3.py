"""Issue 2: a pure-Rust pyo3 crate through the CLI and through PEP 517 frontends."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES
from tests.helpers.host import arch, python_abi
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow

TEST_SCRIPT = CRATES / "pyo3-pure" / "exercise.py"


def install_and_exercise(venv: VEnv, wheel: Path) -> None:
    venv.pip("install", "-q", wheel)
    assert venv.exercise(TEST_SCRIPT) == "ok"
    venv.pip("check")


def validate(wheel: Path) -> None:
    run([sys.executable, "-m", "twine", "check", "--strict", wheel])
    run([sys.executable, "-m", "check_wheel_contents", wheel])


def test_cli_wheel_installs_imports_and_validates(pure_wheel_cli: Path, venv: VEnv) -> None:
    # ferrule build audits the extension and picks the oldest manylinux policy it
    # satisfies (which one depends on the build machine's glibc; tests/integration/test_audit.py
    # checks it against auditwheel).
    pattern = rf"pyo3_pure-0\.3\.1-{python_abi()}-manylinux_2_\d+_{arch()}\.whl"
    assert re.fullmatch(pattern, pure_wheel_cli.name)
    validate(pure_wheel_cli)
    install_and_exercise(venv, pure_wheel_cli)


def test_isolated_pip_wheel_installs_imports_and_validates(
    pure_wheel_pip: Path, venv: VEnv
) -> None:
    validate(pure_wheel_pip)
    install_and_exercise(venv, pure_wheel_pip)


def test_cli_and_pep517_give_the_same_package_files(
    pure_wheel_cli: Path, pure_wheel_pip: Path
) -> None:
    with zipfile.ZipFile(pure_wheel_cli) as a, zipfile.ZipFile(pure_wheel_pip) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name.endswith("/WHEEL"):
                # Only the platform differs: the CLI audits (manylinux), PEP 517 is linux_<arch>.
                def untagged(data: bytes) -> list[bytes]:
                    return [line for line in data.splitlines() if not line.startswith(b"Tag:")]

                assert untagged(a.read(name)) == untagged(b.read(name))
            elif not name.endswith((".so", "RECORD")):
                assert a.read(name) == b.read(name), name


def test_pip_install_from_source(offline_pip_env: dict[str, str], venv: VEnv) -> None:
    env = {**venv.env, **{k: v for k, v in offline_pip_env.items() if k.startswith("PIP_")}}
    run([venv.python, "-m", "pip", "install", "-q", CRATES / "pyo3-pure"], env=env)
    assert venv.exercise(TEST_SCRIPT) == "ok"


def test_python_m_build_wheel(offline_pip_env: dict[str, str], tmp_path: Path, venv: VEnv) -> None:
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", tmp_path, CRATES / "pyo3-pure"],
        env=offline_pip_env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    install_and_exercise(venv, wheel)


def test_uv_build_wheel(offline_pip_env: dict[str, str], tmp_path: Path, venv: VEnv) -> None:
    env = dict(offline_pip_env, UV_PYTHON=sys.executable)
    run(
        [
            sys.executable,
            "-m",
            "uv",
            "build",
            "--wheel",
            "--out-dir",
            tmp_path,
            CRATES / "pyo3-pure",
        ],
        env=env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    install_and_exercise(venv, wheel)
