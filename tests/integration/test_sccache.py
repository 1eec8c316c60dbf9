"""Issue 22: a shared compile cache (sccache on redis) serves a checkout at another path.

Both checkouts are built by pip through the PEP 517 hooks in isolated environments.
Checkout A with ``RUSTC_WRAPPER=sccache`` in the environment; then a second checkout
at another path, with an empty target directory and sccache's local state gone (a
fresh server, its own ``SCCACHE_DIR``; only redis is shared), the wrapper named by
``[tool.ferrule] rustc-wrapper`` alone. At least 90 % of what sccache compiles must
be cache hits, and the wheel must be byte-identical. See docs/ci.md.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

CRATE = Path(__file__).resolve().parents[1] / "crates" / "pyo3-pure"


def _sccache() -> str:
    found = shutil.which("sccache", path=str(Path(sys.executable).parent)) or shutil.which(
        "sccache"
    )
    if found is None:
        pytest.fail("sccache is not installed: run scripts/setup.sh")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis server of this test's own on 127.0.0.1, nothing persisted."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed: run scripts/setup.sh")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _phase(
    tmp_path: Path, name: str, redis: str, build: list[str], cwd: Path, **extra: str
) -> tuple[dict[str, int], Path]:
    """Build with a fresh sccache server (own state dir and port); its stats and the wheel."""
    sccache = _sccache()
    out = tmp_path / f"out-{name}"
    env = clean_env(
        SCCACHE_REDIS_ENDPOINT=redis,
        SCCACHE_DIR=str(tmp_path / f"sccache-{name}"),
        SCCACHE_SERVER_PORT=str(_free_port()),
        SCCACHE_IDLE_TIMEOUT="0",
    )
    env.pop("RUSTC_WRAPPER", None)
    env.update(extra)
    env.pop("CARGO_TARGET_DIR", None)  # the checkout's own target/, empty
    run([sccache, "--start-server"], env=env)
    try:
        run([*build, str(out)], cwd=cwd, env=env)
        stats = json.loads(
            run([sccache, "--show-stats", "--stats-format", "json"], env=env).stdout
        )["stats"]
    finally:
        run([sccache, "--stop-server"], env=env, check=False)
    counts = {
        "hits": sum(stats["cache_hits"]["counts"].values()),
        "misses": sum(stats["cache_misses"]["counts"].values()),
    }
    (wheel,) = out.glob("*.whl")
    return counts, wheel


def test_second_checkout_at_another_path_hits_the_shared_cache(
    tmp_path: Path, redis_url: str, offline_pip_env: dict[str, str]
) -> None:
    first = tmp_path / "a" / "pyo3-pure"
    second = tmp_path / "elsewhere" / "b" / "pyo3-pure"
    for checkout in (first, second):
        shutil.copytree(CRATE, checkout, ignore=shutil.ignore_patterns("target"))
    with (second / "pyproject.toml").open("a") as f:
        f.write(f'\n[tool.ferrule]\nrustc-wrapper = "{_sccache()}"\n')

    # PEP 517 in an isolated environment: pip passes the environment through.
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", ".", "-w"]
    wrapper = {"RUSTC_WRAPPER": _sccache()}
    cold, wheel_a = _phase(tmp_path, "a", redis_url, pip, first, **offline_pip_env, **wrapper)
    assert cold["misses"] >= 10, cold  # the dependencies went through sccache

    warm, wheel_b = _phase(tmp_path, "b", redis_url, pip, second, **offline_pip_env)
    total = warm["hits"] + warm["misses"]
    assert total >= cold["misses"], warm  # sccache saw every compile again
    assert warm["hits"] >= 0.9 * total, warm
    assert wheel_a.name == wheel_b.name
    assert wheel_a.read_bytes() == wheel_b.read_bytes()

    venv = VEnv(tmp_path / "venv")
    venv.pip("install", "--no-index", "--no-deps", wheel_b)
    assert venv.exercise(second / "exercise.py") != ""
