"""Packaging a project keeps nothing per file in memory (issue 22): the peak of walking,
stamping and writing 10 times as many files grows by far less than what a path string
and an entry per file (about 200 bytes each) would add."""

from __future__ import annotations

import base64
import gc
import os
import tracemalloc
from pathlib import Path

from ferrule.wheel.manifest import FileSelection, package_files, wheel_entries, wheel_file
from ferrule.wheel.stamp import WheelStamp
from ferrule.wheel.writer import WheelWriter
from tests.unit.wheel.test_manifest import layout, metadata

# Each file compresses to about 2 KiB: 600 of them already fill the
# writer's output buffer (1 MiB), so both runs below hold it whole.
_BODY = 2048


def _project(root: Path, files: int) -> Path:
    py = root / "python"
    package = py / "demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for i in range(files):
        sub = package / f"mod{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        text = base64.b64encode(os.urandom(_BODY)).decode()
        (sub / f"m{i:05d}.py").write_text(f"X = {text!r}\n")
    return py


def _packaging_peak(root: Path, files: int) -> tuple[int, int]:
    """tracemalloc's peak while packaging ``files`` files (what ``build`` does after
    cargo: the walk, the stamp, the archive), and the number of entries written."""
    py = _project(root, files)
    environ = {"FERRULE_NO_CACHE": "1"}
    gc.collect()
    tracemalloc.start()
    try:
        packed = package_files(layout(py), metadata(), FileSelection(root))
        entries = wheel_entries(
            metadata(), [], wheel_file("ferrule (test)", ["py3-none-any"]), packed
        )
        target = root / "out" / "demo-1.0-py3-none-any.whl"
        WheelStamp(target, entries, environ).is_current()
        count = 0
        with WheelWriter(target, metadata().dist_info, environ) as writer:
            for entry in entries:
                if entry.source_path is not None:
                    writer.add_file(entry.arcname, entry.source_path)
                else:
                    assert entry.data is not None
                    writer.add_bytes(entry.arcname, entry.data)
                count += 1
        return tracemalloc.get_traced_memory()[1], count
    finally:
        tracemalloc.stop()


def test_the_packaging_peak_does_not_grow_with_the_number_of_files(tmp_path: Path) -> None:
    small, small_count = _packaging_peak(tmp_path / "small", 600)
    large, large_count = _packaging_peak(tmp_path / "large", 6000)
    assert (small_count, large_count) == (600 + 3, 6000 + 3)  # __init__, METADATA, WHEEL
    # 5,400 more files: an object per file (200 bytes) would add 1 MB; packed names
    # add a byte or two each. 256 KiB leaves room for the allocator's noise.
    assert large - small < 256 * 1024, (small, large)
