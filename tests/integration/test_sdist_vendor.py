"""Issue 24 item 5: ``ferrule sdist --vendor`` builds where no registry is reachable.

The sdist carries ``vendor/`` (cargo vendor) and a ``.cargo/config.toml`` replacing
crates.io with it, merged into the one the project packs. A wheel is built from it by
pip (isolated, ferrule from the session's wheelhouse) with an empty ``CARGO_HOME``,
cargo offline and every proxy unroutable; the same build of the plain sdist fails, which
shows the environment really has no registry. Installed, imported and called.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ferrule
from tests.helpers.develop import unique_crate
from tests.helpers.sdists import tar_names, tar_read
from tests.helpers.venv import VEnv, clean_env, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.slow

PROJECT_CONFIG = """\
# The project's own cargo configuration, packed with include.
[net]
retry = 3  # kept by --vendor
"""


def _no_registry(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "empty-cargo-home"
    home.mkdir()
    unroutable = "http://127.0.0.1:9"
    return {
        "CARGO_HOME": str(home),
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
        "CARGO_NET_OFFLINE": "true",
        "CARGO_REGISTRIES_CRATES_IO_PROTOCOL": "sparse",
        **dict.fromkeys(("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"), unroutable),
    }


def _pip_wheel(
    venv: VEnv, sdist: Path, out: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = [venv.python, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, sdist]
    return run(argv, env={**venv.env, **env}, check=check)


def test_vendored_sdist_builds_without_a_registry(
    tmp_path: Path, venv: VEnv, offline_pip_env: dict[str, str]
) -> None:
    crate = unique_crate(tmp_path, "pyo3-pure", "vd")
    (crate / ".cargo").mkdir()
    (crate / ".cargo" / "config.toml").write_text(PROJECT_CONFIG)
    pyproject = crate / "pyproject.toml"
    include = '\n[tool.maturin]\ninclude = [{ path = ".cargo/config.toml", format = "sdist" }]\n'
    pyproject.write_text(pyproject.read_text() + include)

    offline = clean_env(CARGO_NET_OFFLINE="true")
    ferrule("sdist", "--vendor", "-o", tmp_path / "a", cwd=crate, env=offline)
    ferrule("sdist", "--vendor", "-o", tmp_path / "b", cwd=crate, env=offline)
    (sdist,) = (tmp_path / "a").glob("*.tar.gz")
    assert sdist.read_bytes() == (tmp_path / "b" / sdist.name).read_bytes()

    # Every registry package of the lock file is in vendor/, with cargo's checksums.
    lock = tomllib.loads((crate / "Cargo.lock").read_text())
    registry = [p for p in lock["package"] if p.get("source", "").startswith("registry+")]
    assert any(p["name"] == "pyo3" for p in registry)
    names = set(tar_names(sdist))
    for package in registry:
        assert f"vendor/{package['name']}-{package['version']}/.cargo-checksum.json" in names
    config = tar_read(sdist, ".cargo/config.toml").decode()
    assert config.startswith(PROJECT_CONFIG)  # the project's, merged into
    assert tomllib.loads(config)["source"] == {
        "crates-io": {"replace-with": "vendored-sources"},
        "vendored-sources": {"directory": "vendor"},
    }

    no_registry = {**offline_pip_env, **_no_registry(tmp_path)}
    ferrule("sdist", "-o", tmp_path / "plain", cwd=crate, env=offline)
    (plain,) = (tmp_path / "plain").glob("*.tar.gz")
    failed = _pip_wheel(venv, plain, tmp_path / "plain-wheel", no_registry, check=False)
    assert failed.returncode != 0
    assert "offline" in failed.stdout + failed.stderr  # cargo: no pyo3 without the network

    wheels = tmp_path / "wheels"
    _pip_wheel(venv, sdist, wheels, no_registry)
    (wheel,) = wheels.glob("pyo3_pure_vd-*.whl")
    venv.pip("install", wheel)
    assert venv.exercise(crate / "exercise.py") == "ok"
