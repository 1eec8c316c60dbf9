"""Which cbindgen ferrule runs, and its installation on first use.

Installing the real cbindgen compiles it for a minute (scripts/setup.sh does it
once, and the cffi tests in tests/integration/test_bindings_issue19.py run it); here a
stand-in ``cargo`` records the call and "installs" a script.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ferrule.bindings.cbindgen import PINNED, cbindgen_executable

PINNED_TEXT = ".".join(map(str, PINNED))


def fake_cbindgen(directory: Path, version: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / "cbindgen"
    tool.write_text(f"#!/bin/sh\necho 'cbindgen {version}'\n")
    tool.chmod(0o755)
    return tool


@pytest.fixture
def fake_cargo(tmp_path: Path) -> Path:
    """A cargo whose ``install ... --root R`` writes R/bin/cbindgen and logs its arguments."""
    cargo = tmp_path / "cargo"
    cargo.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {tmp_path}/cargo.log\n'
        'while [ "$1" != "--root" ]; do shift; done\n'
        f'mkdir -p "$2/bin" && printf "#!/bin/sh\\necho cbindgen {PINNED_TEXT}\\n" > "$2/bin/cbindgen"\n'
        'chmod +x "$2/bin/cbindgen"\n'
    )
    cargo.chmod(0o755)
    return cargo


def test_an_older_cbindgen_on_path_makes_ferrule_install_the_pinned_one_once(
    tmp_path: Path, fake_cargo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = fake_cbindgen(tmp_path / "path", "0.24.3")
    env = {"PATH": f"{old.parent}{os.pathsep}/usr/bin:/bin", "CARGO": str(fake_cargo)}
    env["FERRULE_TOOLS_DIR"] = str(tmp_path / "tools")
    first = cbindgen_executable(env)
    assert first == str(tmp_path / "tools" / f"cbindgen-{PINNED_TEXT}" / "bin" / "cbindgen")
    log = (tmp_path / "cargo.log").read_text().split()
    assert log[:4] == ["install", "--locked", "--quiet", f"cbindgen@{PINNED_TEXT}"]
    assert f"cbindgen 0.24.3 at {old} is older" in capsys.readouterr().err
    # Installed once: the next build finds it.
    assert cbindgen_executable(env) == first
    assert len((tmp_path / "cargo.log").read_text().splitlines()) == 1
    assert [p.name for p in (tmp_path / "tools").iterdir()] == [f"cbindgen-{PINNED_TEXT}"]


def test_a_recent_enough_cbindgen_on_path_is_used(tmp_path: Path, fake_cargo: Path) -> None:
    new = fake_cbindgen(tmp_path / "path", f"{PINNED[0]}.{PINNED[1] + 1}.0")
    env = {"PATH": str(new.parent), "CARGO": str(fake_cargo)}
    env["FERRULE_TOOLS_DIR"] = str(tmp_path / "tools")
    assert cbindgen_executable(env) == str(new)
    assert not (tmp_path / "cargo.log").exists()
