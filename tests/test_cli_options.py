"""Issue 26 and issue 19 item 3 through real builds: repeated -i, -vv, --compression-method."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import VEnv, clean_env

pytestmark = pytest.mark.slow

_SYS_TAGS = "import json; from pip._vendor.packaging import tags; print(json.dumps([str(t) for t in tags.sys_tags()]))"


def sys_tags(venv: VEnv) -> list[str]:
    """The tags the venv's own interpreter accepts, best first (pip's vendored packaging)."""
    result: list[str] = json.loads(venv.run_python("-c", _SYS_TAGS))
    return result


@pytest.mark.skipif(shutil.which("pypy3") is None, reason="pypy3 missing: run scripts/setup.sh")
def test_repeated_interpreter_option_builds_a_wheel_for_each(tmp_path: Path) -> None:
    """`ferrule build -i python3 -i pypy3` (maturin's spelling too) writes two wheels."""
    out = tmp_path / "wheels"
    proc = ferrule(
        "build", "--release", "-vv", "-i", "python3", "-i", "pypy3", "-o", out,
        cwd=CRATES / "tags-pypy", env=clean_env(),
    )  # fmt: skip
    # -vv is cargo's: every unit cargo looks at is reported, fresh or compiled.
    assert "Fresh " in proc.stderr or "Running `" in proc.stderr, proc.stderr
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 2, wheels
    for python, implementation in (("python3", "cpython"), ("pypy3", "pypy")):
        venv = VEnv(tmp_path / python, python=shutil.which(python) or python)
        accepted = sys_tags(venv)
        best = accepted[0].rsplit("-", 1)[0]  # e.g. pp39-pypy39_pp73, cp311-cp311
        (wheel,) = [
            w for w in wheels if {str(t) for t in parse_wheel_filename(w.name)[3]} & set(accepted)
        ]
        (tag,) = parse_wheel_filename(wheel.name)[3]
        if implementation == "pypy":
            assert f"{tag.interpreter}-{tag.abi}" == best
        else:  # the crate is abi3-py38: one wheel for every CPython >= 3.8
            assert tag.interpreter.startswith("cp3") and tag.abi == "abi3"
        venv.pip("install", "-q", "--no-index", wheel)
        assert venv.exercise(CRATES / "tags-pypy" / "exercise.py") == f"ok {implementation}"


def test_same_interpreter_twice_gives_one_wheel(tmp_path: Path) -> None:
    out = tmp_path / "wheels"
    proc = ferrule(
        "build", "--release", "-i", "python3", "python3", "-i", "python3", "-o", out,
        cwd=CRATES / "tags-pypy", env=clean_env(),
    )  # fmt: skip
    assert len(proc.stdout.split()) == 1
    assert len(list(out.glob("*.whl"))) == 1


def test_compression_method_stored(tmp_path: Path, venv: VEnv) -> None:
    out = tmp_path / "wheels"
    ferrule(
        "build", "--compression-method", "stored", "-i", str(venv.python), "-o", out,
        cwd=CRATES / "pyo3-pure", env=clean_env(),
    )  # fmt: skip
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        assert zf.testzip() is None
    venv.pip("install", "-q", "--no-index", wheel)
    assert venv.exercise(CRATES / "pyo3-pure" / "exercise.py") == "ok"
