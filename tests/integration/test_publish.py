"""Issue 10: ``ferrule publish`` / ``ferrule upload`` against a real pypiserver on 127.0.0.1.

Every upload that lands is installed from the index into a fresh venv and called.
Every ferrule run here goes through :class:`Ferrule`, which asserts that no
password or token appears in its output (including the error text), and runs
with ``-v`` so debug logging is checked too.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.index import DyingServer, FlakyProxy, PypiServer, pure_python_wheel
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.version_info < (3, 10), reason="platform: pypiserver needs Python >= 3.10"
    ),
]

PASSWORD = "pw-" + secrets.token_hex(12)
TOKEN = "pypi-" + secrets.token_hex(16)
WRONG = "wrong-" + secrets.token_hex(8)
SECRETS = (PASSWORD, TOKEN, WRONG)
EXERCISE = CRATES / "pyo3-pure" / "exercise.py"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    server = PypiServer(tmp_path_factory.mktemp("index"), {"alice": PASSWORD, "__token__": TOKEN})
    yield server
    server.close()


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no upload variables, an empty home, no keyring, no proxy."""
    env = {
        k: v
        for k, v in clean_env().items()
        if not k.startswith(("FERRULE_", "MATURIN_", "PYTHON_KEYRING"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "ci")
    }
    # A fresh HOME hides the developer's ~/.pypirc; cargo and rustup stay where they are.
    for var, default in (("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")):
        env.setdefault(var, str(Path.home() / default))
    env.update(
        HOME=str(home),
        NO_PROXY="127.0.0.1,localhost",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    env.update(extra)
    return env


class Ferrule:
    """Runs the CLI and asserts that no secret appears in anything it printed."""

    def __call__(
        self, *args: str | os.PathLike[str], cwd: Path, env: dict[str, str], ok: bool
    ) -> str:
        # Successes run with -v (debug logging is checked too); failures without, as a
        # user sees them: one message, no traceback, exit code 1.
        verbose = ("-v",) if ok else ()
        proc = ferrule(*verbose, *args, cwd=cwd, env=env, check=False)
        text = proc.stdout + proc.stderr
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into the output:\n{text}"
        assert proc.returncode == (0 if ok else 1), text
        if not ok:
            assert "Traceback" not in text, text
            assert proc.stderr.count("ferrule: error: ") == 1, text
        return proc.stderr


def install_and_call(index: PypiServer, tmp_path: Path, requirement: str, script: Path) -> None:
    venv = VEnv(tmp_path / "venv")
    # The local index is the one index these installs may use (the session is offline).
    env = dict(venv.env, NO_PROXY="127.0.0.1,localhost", PIP_NO_INDEX="0")
    run(
        [venv.python, "-m", "pip", "install", "-q", "--index-url", index.simple_url, requirement],
        env=env,
    )
    assert run([venv.python, script], env=env).stdout.strip() == "ok"


def crate_with_version(tmp_path: Path, version: str) -> Path:
    dest = tmp_path / "pyo3-pure"
    shutil.copytree(CRATES / "pyo3-pure", dest, ignore=shutil.ignore_patterns("target"))
    cargo_toml = dest / "Cargo.toml"
    text = cargo_toml.read_text()
    cargo_toml.write_text(text.replace('version = "0.3.1"', f'version = "{version}"', 1))
    return dest


def cargo_env_recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A ``$CARGO`` that records the environment cargo is given, then runs cargo."""
    record = tmp_path / "cargo-env.txt"
    wrapper = tmp_path / "cargo-wrapper"
    wrapper.write_text(f'#!/bin/sh\nenv >> "{record}"\nexec "{shutil.which("cargo")}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, record


def test_publish_installs_from_the_index_and_skip_existing(
    index: PypiServer, tmp_path: Path
) -> None:
    run = Ferrule()
    project = crate_with_version(tmp_path, "0.3.2")
    out = tmp_path / "dist"
    cargo, cargo_env = cargo_env_recorder(tmp_path)
    env = base_env(
        tmp_path,
        FERRULE_USERNAME="alice",
        MATURIN_PASSWORD=PASSWORD,
        CARGO=str(cargo),
    )
    args = ("publish", "--no-sdist", "--repository-url", index.url, "-o", out)

    err = run(*args, cwd=project, env=env, ok=True)
    assert "password from MATURIN_PASSWORD" in err
    (wheel,) = out.glob("*.whl")
    assert wheel.name.startswith("pyo3_pure-0.3.2-")
    assert wheel.name in index.files()
    assert (index.packages / wheel.name).read_bytes() == wheel.read_bytes()
    # The build never saw the password: cargo and build scripts get the env without it.
    assert cargo_env.read_text().count("PATH=") >= 1
    assert PASSWORD not in cargo_env.read_text()
    install_and_call(index, tmp_path, "pyo3-pure==0.3.2", EXERCISE)

    err = run(*args, "--skip-existing", cwd=project, env=env, ok=True)
    assert f"skipping {wheel.name}: it already exists" in err
    err = run(*args, cwd=project, env=env, ok=False)
    assert f"{wheel.name} already exists on {index.url} (409 Conflict)" in err
    assert "--skip-existing" in err
    assert "already exists!" in err  # pypiserver's own words


@pytest.fixture(scope="module")
def uploaded_wheel(
    index: PypiServer, pure_wheel_cli: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The pyo3-pure 0.3.1 wheel, uploaded with a token, the index named in ~/.pypirc."""
    home = tmp_path_factory.mktemp("home")
    (home / ".pypirc").write_text(
        f"[distutils]\nindex-servers = local\n\n[local]\nrepository = {index.url}\n"
    )
    env = base_env(home, FERRULE_PYPI_TOKEN=TOKEN, MATURIN_PYPI_TOKEN="pypi-loses")  # noqa: S106
    err = Ferrule()("upload", "-r", "local", pure_wheel_cli, cwd=home, env=env, ok=True)
    assert f"to {index.url} as '__token__' (password from FERRULE_PYPI_TOKEN)" in err
    assert pure_wheel_cli.name in index.files()
    return pure_wheel_cli


def test_upload_with_token_and_pypirc_then_install(
    index: PypiServer, uploaded_wheel: Path, tmp_path: Path
) -> None:
    install_and_call(index, tmp_path, "pyo3-pure==0.3.1", EXERCISE)


def test_pypirc_password_is_used(index: PypiServer, uploaded_wheel: Path, tmp_path: Path) -> None:
    # pypiserver checks the password before it looks for the file: a skip proves the login.
    (tmp_path / ".pypirc").write_text(
        f"[private]\nrepository = {index.url}\nusername = alice\npassword = {PASSWORD}\n"
    )
    err = Ferrule()(
        "upload", "-r", "private", "--skip-existing", uploaded_wheel,
        cwd=tmp_path, env=base_env(tmp_path), ok=True,
    )  # fmt: skip
    assert f"password from {tmp_path / '.pypirc'} [private]" in err
    assert "skipping" in err


def test_keyring_password_is_used(index: PypiServer, uploaded_wheel: Path, tmp_path: Path) -> None:
    """A real keyring backend (a plugin class, as keyring loads them) holding the password."""
    (tmp_path / "file_keyring.py").write_text(
        "import json, os\n"
        "from keyring.backend import KeyringBackend\n"
        "class FileKeyring(KeyringBackend):\n"
        "    priority = 1\n"
        "    def get_password(self, service, username):\n"
        "        with open(os.environ['TEST_KEYRING_FILE']) as f:\n"
        "            return json.load(f).get(service, {}).get(username)\n"
        "    def set_password(self, service, username, password):\n"
        "        raise NotImplementedError\n"
        "    def delete_password(self, service, username):\n"
        "        raise NotImplementedError\n"
    )
    store = tmp_path / "keyring.json"
    store.write_text(json.dumps({index.url: {"alice": PASSWORD}}))
    env = base_env(
        tmp_path,
        PYTHON_KEYRING_BACKEND="file_keyring.FileKeyring",
        PYTHONPATH=str(tmp_path),
        TEST_KEYRING_FILE=str(store),
        MATURIN_USERNAME="alice",
        MATURIN_REPOSITORY_URL=index.url,
    )
    err = Ferrule()("upload", "--skip-existing", uploaded_wheel, cwd=tmp_path, env=env, ok=True)
    assert f"password from keyring ({index.url})" in err
    assert "skipping" in err


def test_wrong_password_is_a_clear_error(
    index: PypiServer, pure_wheel_cli: Path, tmp_path: Path
) -> None:
    run = Ferrule()
    env = base_env(tmp_path)
    before = index.files()
    err = run(
        "upload", "--repository-url", index.url, "-u", "alice", "-p", WRONG, pure_wheel_cli,
        cwd=tmp_path, env=env, ok=False,
    )  # fmt: skip
    assert "refused the upload: the username or password (or token) is wrong" in err
    assert "403 Forbidden; user 'alice', password from -p/--password" in err
    assert "retrying" not in err
    # A large file the server refuses before reading it: its answer is still read.
    big = pure_python_wheel(tmp_path, "big-probe", "1.0", module_source="", pad=24 * 1024 * 1024)
    err = run(
        "upload", "--repository-url", index.url, big, cwd=tmp_path,
        env=dict(env, FERRULE_USERNAME="alice", FERRULE_PASSWORD=WRONG), ok=False,
    )  # fmt: skip
    assert "403 Forbidden; user 'alice', password from FERRULE_PASSWORD" in err
    assert index.files() == before


def test_no_credentials_non_interactive(
    index: PypiServer, uploaded_wheel: Path, tmp_path: Path
) -> None:
    err = Ferrule()(
        "upload", "--repository-url", index.url, uploaded_wheel,
        cwd=tmp_path, env=base_env(tmp_path, CI="true"), ok=False,
    )  # fmt: skip
    assert (
        f"no password or token for {index.url}, and ferrule does not prompt because CI is set"
        in err
    )
    assert "FERRULE_PYPI_TOKEN" in err


def test_server_dying_mid_upload_is_retried_then_a_clear_error(
    pure_wheel_cli: Path, tmp_path: Path
) -> None:
    server = DyingServer()
    try:
        err = Ferrule()(
            "upload", "--repository-url", server.url, pure_wheel_cli, cwd=tmp_path,
            env=base_env(tmp_path, FERRULE_USERNAME="alice", FERRULE_PASSWORD=PASSWORD),
            ok=False,
        )  # fmt: skip
    finally:
        server.close()
    retries = re.findall(r"failed \((.*)\); retrying in (\d+) s \(attempt (\d) of 4\)", err)
    assert [(delay, attempt) for _, delay, attempt in retries] == [
        ("1", "2"),
        ("2", "3"),
        ("4", "4"),
    ]
    assert server.connections == 4
    assert (
        f"could not upload {pure_wheel_cli.name} to {server.url} after 4 attempts: the server closed the connection"
        in err
    )


def test_503_is_retried_until_the_index_answers(index: PypiServer, tmp_path: Path) -> None:
    wheel = pure_python_wheel(
        tmp_path, "retry-probe", "1.0", module_source="def answer():\n    return 42\n"
    )
    proxy = FlakyProxy(index.url, failures=2)
    try:
        err = Ferrule()(
            "upload", "--repository-url", proxy.url, wheel, cwd=tmp_path,
            env=base_env(tmp_path, FERRULE_USERNAME="alice", FERRULE_PASSWORD=PASSWORD),
            ok=True,
        )  # fmt: skip
    finally:
        proxy.close()
    assert err.count("503 Service Unavailable: upstream is restarting); retrying") == 2
    assert proxy.posts == 3
    assert wheel.name in index.files()
    script = tmp_path / "probe.py"
    script.write_text("import retry_probe\nassert retry_probe.answer() == 42\nprint('ok')\n")
    install_and_call(index, tmp_path, "retry-probe==1.0", script)


def test_default_publish_uploads_the_sdist_and_wheels_built_from_it(
    index: PypiServer, tmp_path: Path
) -> None:
    project = crate_with_version(tmp_path, "0.3.3")
    out = tmp_path / "dist"
    env = base_env(tmp_path, MATURIN_USERNAME="alice", FERRULE_PASSWORD=PASSWORD)
    Ferrule()("publish", "--repository-url", index.url, "-o", out, cwd=project, env=env, ok=True)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    assert {sdist.name, wheel.name} <= index.files()
    install_and_call(index, tmp_path, "pyo3-pure==0.3.3", EXERCISE)


def run_in_terminal(
    argv: list[str], env: dict[str, str], replies: list[tuple[str, str]]
) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal (its controlling terminal), answering prompts.

    ``replies`` pairs a prompt to wait for with the line to type. Returns the exit
    code and everything the terminal showed.
    """
    import select
    import subprocess

    master, slave = os.openpty()
    # Make the pty the child's controlling terminal, as a login shell's is.
    launcher = (
        "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", launcher, *argv],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    shown = b""
    pending = list(replies)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            shown += data
        if pending and pending[0][0].encode() in shown:
            os.write(master, pending.pop(0)[1].encode() + b"\n")
            shown += b"<typed>"
        elif ready == [] and proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=30), shown.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="platform: needs a POSIX pseudo-terminal")
def test_prompts_on_a_terminal_without_echoing_the_password(
    index: PypiServer, uploaded_wheel: Path, tmp_path: Path
) -> None:
    code, shown = run_in_terminal(
        [sys.executable, "-m", "ferrule", "upload", "--repository-url", index.url,
         "--skip-existing", str(uploaded_wheel)],
        base_env(tmp_path),
        [(f"username for {index.url}: ", "alice"), (f"password for alice at {index.url}: ", PASSWORD)],
    )  # fmt: skip
    assert code == 0, shown
    assert "password from the prompt" in shown
    assert "skipping" in shown  # the login worked: pypiserver checks it before the file
    assert PASSWORD not in shown
