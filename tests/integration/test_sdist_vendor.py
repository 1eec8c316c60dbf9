"""Issue 24 item 5: ``ferrule sdist --vendor`` builds where no registry is reachable.

The crate (pyo3-pure) gets a git dependency (a local repository); the sdist carries
``vendor/`` (cargo vendor) and a ``.cargo/config.toml`` replacing crates.io and the git
source with it, merged into the one the project packs. A wheel is built from it by pip
(isolated, ferrule from the session's wheelhouse) with an empty ``CARGO_HOME``, cargo
offline and every proxy unroutable; the same build of the plain sdist fails, which shows
the environment really has no registry. Installed, imported and called.
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


GITDEP_LIB = "pub fn plus_one(x: u64) -> u64 {\n    x + 1\n}\n"
PLUS_ONE = """\
    #[pyfunction]
    fn plus_one(x: u64) -> u64 {
        gitdep::plus_one(x)
    }

"""


def _git_dependency(tmp_path: Path) -> str:
    """A crate in a local git repository; its URL."""
    repo = tmp_path / "gitdep"
    (repo / "src").mkdir(parents=True)
    (repo / "Cargo.toml").write_text(
        '[package]\nname = "gitdep"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    (repo / "src" / "lib.rs").write_text(GITDEP_LIB)
    env = clean_env(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    run([*git, "init", "-q"], cwd=repo, env=env)
    run([*git, "add", "."], cwd=repo, env=env)
    run([*git, "commit", "-q", "-m", "gitdep"], cwd=repo, env=env)
    return repo.as_uri()


def test_vendored_sdist_builds_without_a_registry(
    tmp_path: Path, venv: VEnv, offline_pip_env: dict[str, str]
) -> None:
    crate = unique_crate(tmp_path, "pyo3-pure", "vd")
    url = _git_dependency(tmp_path)
    manifest = crate / "Cargo.toml"
    dependency = f'pyo3 = "0.29"\ngitdep = {{ git = "{url}" }}\n'
    manifest.write_text(manifest.read_text().replace('pyo3 = "0.29"\n', dependency))
    lib = crate / "src" / "lib.rs"
    lib.write_text(
        lib.read_text().replace(
            "    /// Multiplies two floats.\n", PLUS_ONE + "    /// Multiplies two floats.\n", 1
        )
    )
    (crate / ".cargo").mkdir()
    (crate / ".cargo" / "config.toml").write_text(PROJECT_CONFIG)
    pyproject = crate / "pyproject.toml"
    include = '\n[tool.maturin]\ninclude = [{ path = ".cargo/config.toml", format = "sdist" }]\n'
    pyproject.write_text(pyproject.read_text() + include)

    # The git dependency is fetched (a local repository, into a CARGO_HOME of the test's
    # that shares the machine's registry cache); no registry is asked: proxies unroutable.
    home = tmp_path / "cargo-home"
    home.mkdir()
    (home / "registry").symlink_to(
        Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "registry"
    )
    fetch = clean_env(CARGO_HOME=str(home), https_proxy="http://127.0.0.1:9")
    ferrule("sdist", "--vendor", "-o", tmp_path / "a", cwd=crate, env=fetch)
    ferrule("sdist", "--vendor", "-o", tmp_path / "b", cwd=crate, env=fetch)
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
        f"git+{url}": {"git": url, "replace-with": "vendored-sources"},
        "vendored-sources": {"directory": "vendor"},
    }
    assert "vendor/gitdep-0.1.0/src/lib.rs" in names

    no_registry = {**offline_pip_env, **_no_registry(tmp_path)}
    ferrule("sdist", "-o", tmp_path / "plain", cwd=crate, env=fetch)
    (plain,) = (tmp_path / "plain").glob("*.tar.gz")
    failed = _pip_wheel(venv, plain, tmp_path / "plain-wheel", no_registry, check=False)
    assert failed.returncode != 0
    assert "offline" in failed.stdout + failed.stderr  # cargo: no pyo3 without the network

    wheels = tmp_path / "wheels"
    _pip_wheel(venv, sdist, wheels, no_registry)
    (wheel,) = wheels.glob("pyo3_pure_vd-*.whl")
    venv.pip("install", wheel)
    assert venv.exercise(crate / "exercise.py") == "ok"
    assert (
        venv.run_python(
            "-c", "import pyo3_pure_vd; print(pyo3_pure_vd.plus_one(41))", cwd=venv.path
        ).strip()
        == "42"
    )
