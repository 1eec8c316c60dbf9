"""WHEEL and RECORD bytes as maturin 1.16 writes them, from ferrule's pure planning and writer.

WHEEL: maturin's own file comes from ``maturin pep517 write-dist-info`` (no
compile); ferrule's :func:`~ferrule.wheel.manifest.wheel_file` with maturin's
generator string must give the same bytes for the tag maturin chose.

RECORD: maturin keeps its rows in a ``BTreeMap<PathBuf, _>`` (src/module_writer/
wheel_writer.rs), so they come out sorted by path *components*, dist-info
included, each ``path,sha256=<urlsafe b64, unpadded>,<size>``, and the row
``<dist-info>/RECORD,,`` last. Component order differs from plain string order
when a name has a character below ``/`` (``a.py`` sorts after ``a/b.py``, and
``pkg-1.0.data`` before ``pkg_native``); the wheel below has both. The
archive's entries are in the same order except that dist-info comes last.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from ferrule.audit import expand_tags
from ferrule.config import load_settings
from ferrule.metadata import build_metadata
from ferrule.wheel.manifest import Entry, plan_entries, wheel_file
from ferrule.wheel.writer import WheelWriter
from tests.helpers.metadata_projects import Project, cargo, pyproject
from tests.unit.metadata.test_field_order import PROJECTS, maturin_dist_info

MATURIN_VERSION = "1.16.0"  # tests/conftest.py checks that the reference is this one


@pytest.mark.maturin
def test_wheel_file_bytes_equal_maturins(tmp_path: Path) -> None:
    cwd = PROJECTS["legacy-license"].write(tmp_path / "src")
    theirs = (maturin_dist_info(cwd, tmp_path / "maturin") / "WHEEL").read_bytes()
    tag_lines = [line for line in theirs.decode().splitlines() if line.startswith("Tag: ")]
    tags = [line.removeprefix("Tag: ") for line in tag_lines]
    assert wheel_file(f"maturin ({MATURIN_VERSION})", tags) == theirs


def test_compressed_tags_expand_in_maturins_order() -> None:
    # WheelTag::expand: the cartesian product of python, abi, platform, the last varying fastest.
    assert expand_tags("cp38.cp39-abi3.none-manylinux_2_17_x86_64.manylinux2014_x86_64") == [
        f"{p}-{a}-{x}"
        for p in ("cp38", "cp39")
        for a in ("abi3", "none")
        for x in ("manylinux_2_17_x86_64", "manylinux2014_x86_64")
    ]


def maturin_record(files: dict[str, bytes], dist_info: str) -> bytes:
    """RECORD as maturin's WheelWriter::finish writes it, for these archive entries."""
    rows = []
    for name in sorted(files, key=lambda n: n.split("/")):
        digest = base64.urlsafe_b64encode(hashlib.sha256(files[name]).digest()).rstrip(b"=")
        rows.append(f"{name},sha256={digest.decode()},{len(files[name])}\n")
    return "".join(rows).encode() + f"{dist_info}/RECORD,,\n".encode()


def test_record_bytes_in_maturins_order(tmp_path: Path) -> None:
    root = Project(
        "record",
        {
            "Cargo.toml": cargo("rich-demo"),
            "pyproject.toml": pyproject(
                'name = "rich-demo"\nversion = "2.0.0"\nlicense-files = ["LICENSE"]\n'
                '[project.scripts]\nrich = "rich_demo:main"\n'
            ),
            "LICENSE": "MIT\n",
        },
    ).write(tmp_path / "src")
    metadata = build_metadata(load_settings(root))
    sources = {"rich_demo/a.py": b"A = 1\n", "rich_demo/a/b.py": b"B = 2\n"}
    for rel, data in sources.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    native = [Entry("rich_demo_native.abi3.so", data=b"\x7fELF not really", executable=True)]
    package = [Entry(rel, source=root / rel) for rel in sources]
    package.append(Entry("rich_demo/__init__.py", data=b""))
    package.append(Entry(f"{metadata.dist_name}-2.0.0.data/scripts/tool", data=b"#!/bin/sh\n"))
    entries = plan_entries(metadata, native, wheel_file("ferrule (x)", ["py3-none-any"]), package)

    target = tmp_path / "rich_demo-2.0.0-py3-none-any.whl"
    with WheelWriter(target, metadata.dist_info, {}) as writer:
        for entry in entries:
            if entry.source is not None:
                writer.add_file(entry.arcname, entry.source, entry.executable)
            else:
                assert entry.data is not None
                writer.add_bytes(entry.arcname, entry.data, entry.executable)

    record_name = f"{metadata.dist_info}/RECORD"
    with zipfile.ZipFile(target) as z:
        files = {n: z.read(n) for n in z.namelist() if n != record_name}
        record = z.read(record_name)
    assert {"rich_demo/a.py", f"{metadata.dist_info}/entry_points.txt"} <= set(files)
    assert record == maturin_record(files, metadata.dist_info)
    # The archive's own order: maturin's WheelWriter::file_ordering, dist-info last.
    dist_info = metadata.dist_info + "/"
    assert list(files) == sorted(files, key=lambda n: (n.startswith(dist_info), n.split("/")))
