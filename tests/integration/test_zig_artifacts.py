"""``--zig`` reaches every artifact kind, not only pyo3 extensions.

Linked by the host's toolchain, a Rust cdylib or binary on this machine needs glibc
symbols newer than 2.17 (``pthread_key_create@GLIBC_2.34`` on glibc >= 2.34); linked by
zig for glibc 2.17 it needs none. ``auditwheel show`` reads the symbol versions each
artifact needs, independently of ferrule's audit.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

from ferrule.elf import parse_elf
from tests.conftest import CRATES, ferrule
from tests.helpers.host import arch, auditwheel_platform
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

POLICY = f"manylinux_2_17_{arch()}"


def _newest_glibc(data: bytes) -> tuple[int, ...]:
    """The newest ``GLIBC_x.y`` version an ELF file needs (via ferrule's reader)."""
    versions = [
        tuple(int(p) for p in v.removeprefix("GLIBC_").split("."))
        for needs in parse_elf(data).version_needs.values()
        for v in needs
        if v.startswith("GLIBC_") and v[6:7].isdigit()
    ]
    return max(versions, default=(0,))


# uniffi is left out: with zig's linker, uniffi-bindgen finds no interface in the library
# (to be looked into; before, --zig was ignored there and the audit refused the wheel).
@pytest.mark.parametrize("crate", ["bind-cffi", "bind-bin"])
def test_zig_links_cffi_and_binaries_for_the_old_glibc(
    crate: str, tmp_path: Path, venv: VEnv
) -> None:
    out = tmp_path / "out"
    # zig changes cargo's linker: a target directory of its own (shared with test_audit's
    # zig build) keeps the session's shared one valid.
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-zig")
    ferrule(
        "build", "--release", "--zig", "--compatibility", "manylinux2014", "-o", out,
        cwd=CRATES / crate, env=env,
    )  # fmt: skip
    (wheel,) = out.glob("*.whl")
    assert auditwheel_platform(wheel) == POLICY
    # The same name as the pinned maturin's (legacy alias first).
    theirs = tmp_path / "maturin"
    run(
        [
            "maturin",
            "build",
            "--release",
            "--zig",
            "--compatibility",
            "manylinux2014",
            "-o",
            theirs,
        ],
        cwd=CRATES / crate,
        # maturin runs zig as `python -m ziglang`: the test environment's Python has it.
        env=clean_env(
            CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-zig-maturin",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        ),
    )
    assert [w.name for w in theirs.glob("*.whl")] == [wheel.name]
    with zipfile.ZipFile(wheel) as z:
        binaries = [
            n for n in z.namelist() if n.endswith(".so") or ("/scripts/" in n and ".data/" in n)
        ]
        assert binaries
        for name in binaries:
            assert _newest_glibc(z.read(name)) <= (2, 17), name
    venv.pip("install", "-q", wheel)
    assert venv.run_python(CRATES / crate / "exercise.py").strip() == "ok"
