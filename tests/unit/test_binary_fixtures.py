"""The zig-built fixtures: the musl ELF one read by ``ferrule.elf``, and a fresh rebuild.

scripts/make-binary-fixtures.py rebuilt into a temporary directory must give
files whose facts, read by ferrule's readers, are the committed manifest's; with
the zig that made the committed files (zig-version.txt) the same bytes too (zig's
output is reproducible). Skipped without ziglang, which fails the run under CI=true.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ferrule.audit.elf import read_elf
from ferrule.elf import parse_elf, wheel_arch
from ferrule.macho import parse_macho
from ferrule.pe import parse_pe
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


def _read_facts(fmt: str, data: bytes) -> dict[str, Any]:
    """What ferrule's readers say about ``data``, in the manifest's terms."""
    if fmt == "macho":
        (image,) = parse_macho(data).images
        return {
            "arch": image.arch,
            "minos": image.minos_text,
            "install_name": image.install_name,
            "rpaths": list(image.rpaths),
            "dylibs": [{"name": d.name, "kind": d.kind} for d in image.dylibs],
        }
    if fmt == "macho-fat":
        images = parse_macho(data).images
        return {"archs": [i.arch for i in images], "minos": [i.minos_text for i in images]}
    if fmt == "pe":
        pe = parse_pe(data)
        return {"machine": pe.machine, "exports": list(pe.exports), "imports": list(pe.imports)}
    elf = parse_elf(data)
    return {"machine": elf.machine, "needed": list(elf.needed)}


@pytest.mark.slow
def test_fixtures_rebuilt_with_zig_have_the_manifest_facts(tmp_path: Path) -> None:
    pytest.importorskip("ziglang", reason="ziglang (a test dependency) is not installed")
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True)
    for name, recorded in manifest().items():
        read = _read_facts(recorded["format"], (tmp_path / name).read_bytes())
        facts = dict(recorded)
        if "imports_linked" in facts:  # zig's C runtime adds API sets after ours
            read["imports"] = read["imports"][: len(facts["imports_linked"])]
            facts["imports"] = facts["imports_linked"]
        assert read == {key: facts[key] for key in read}, name
    same_zig = (tmp_path / "zig-version.txt").read_text() == (
        FIXTURES / "zig-version.txt"
    ).read_text()
    for name in manifest():
        assert ((tmp_path / name).read_bytes() == fixture(name)) or not same_zig, name
