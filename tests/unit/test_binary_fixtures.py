"""The zig-built fixtures: the musl ELF one read by ``ferrule.elf``, and a fresh rebuild.

scripts/make-binary-fixtures.py rebuilt into a temporary directory must give
files with the facts of the committed manifest (zig's output is reproducible,
so the same bytes too). Skipped without ziglang, which fails the run under CI=true.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ferrule.audit.elf import read_elf
from ferrule.elf import parse_elf, wheel_arch
from tests.helpers.binary_fixtures import FIXTURES, fixture, manifest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make-binary-fixtures.py"


def test_musl_elf_fixture_read_by_the_elf_reader() -> None:
    facts = manifest()["aarch64-musl.so"]
    elf = parse_elf(fixture("aarch64-musl.so"))
    assert elf.machine == facts["machine"]
    assert wheel_arch(elf.machine, elf.little_endian) == facts["arch"]
    assert list(elf.needed) == facts["needed"]
    info = read_elf(FIXTURES / "aarch64-musl.so")
    assert info.is_musl
    assert "strlen" in {s.name for s in info.imports}


@pytest.mark.slow
def test_fixtures_rebuilt_with_zig_have_the_manifest_facts(tmp_path: Path) -> None:
    pytest.importorskip("ziglang", reason="ziglang (a test dependency) is not installed")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True)
    fresh = json.loads((tmp_path / "manifest.json").read_text())
    committed = json.loads((FIXTURES / "manifest.json").read_text())
    for facts in (fresh, committed):  # whether an llvm-lipo was there to compare with
        facts["universal2.dylib"].pop("checked_with_llvm_lipo")
    assert fresh == committed  # every recorded fact, and each file's sha256
    for name in manifest():
        assert (tmp_path / name).read_bytes() == fixture(name), name
