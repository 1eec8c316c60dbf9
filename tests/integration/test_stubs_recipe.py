"""``ferrule stubs`` compiles the module through the build's own recipe (issue 21).

The stubs' compile used to render cargo itself, without ``--zig``, the path remap or
pyo3's own place in the target directory; now it is the build's invocation.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from ferrule.cargo.command import CargoInvocation
from ferrule.config import CliOptions, load_settings
from ferrule.interpreter_probe import probe
from tests.conftest import CRATES

pytestmark = pytest.mark.slow

LINKER = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER"


class _Stop(Exception):
    pass


def test_stubs_compile_with_the_builds_recipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "stubs-pure"
    shutil.copytree(CRATES / "stubs-pure", project, ignore=shutil.ignore_patterns("target"))
    settings = load_settings(project, CliOptions(zig=True, release=True))
    interp = probe(sys.executable, settings.environ)
    seen: list[CargoInvocation] = []

    def fake_run_cargo(invocation: CargoInvocation, kind: str, *_: Any, **__: Any) -> None:
        seen.append(invocation)
        raise _Stop

    monkeypatch.setattr("ferrule.build.native.run_cargo", fake_run_cargo)
    from ferrule.stubs.generate import build_extension

    with pytest.raises(_Stop):
        build_extension(settings, interp)
    (inv,) = seen
    argv = list(inv.argv)
    assert argv[1:3] == ["rustc", "--lib"]
    assert "--release" in argv
    assert any(".package.pyo3-build-config.codegen-units=" in a for a in argv)  # pyo3's own
    assert Path(inv.env[LINKER]).name.startswith("zigcc-")  # --zig's linker
    assert any("--remap-path-prefix" in a for a in argv)  # the checkout path stays out
