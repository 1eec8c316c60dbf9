"""Packaging a project keeps nothing per file in memory (issue 22): the peak of walking,
stamping and writing 10 times as many files grows by far less than what a path string
and an entry per file (about 200 bytes each) would add."""

from __future__ import annotations

import base64
import gc
import os
import tracemalloc
from pathlib import Path

from ferrule.develop import replay
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


def _packaging_peak(root: Path, files: int) -> tuple[int, int, int]:
    """tracemalloc's peak while packaging ``files`` files as ``ferrule build`` does after
    cargo (the walk, the stamp, the archive, the replay record of every file read), the
    peak of writing that record, and the number of entries written."""
    py = _project(root, files)
    environ = {"FERRULE_CACHE_DIR": str(root / "cache")}
    gc.collect()
    tracemalloc.start()
    try:
        session = replay.Session("build", ["build", f"--flat-{files}"], environ)
        with session:
            packed = package_files(layout(py), metadata(), FileSelection(root))
            wheel = wheel_file("ferrule (test)", ["py3-none-any"])
            entries = wheel_entries(metadata(), [], wheel, packed)
            target = root / "out" / "demo-1.0-py3-none-any.whl"
            stamp = WheelStamp(target, entries, environ)
            assert not stamp.is_current()
            count = 0
            with WheelWriter(target, metadata().dist_info, environ) as writer:
                for entry in entries:
                    if entry.source_path is not None:
                        writer.add_file(entry.arcname, entry.source_path)
                    else:
                        assert entry.data is not None
                        writer.add_bytes(entry.arcname, entry.data)
                    count += 1
            stamp.record()
        packaging = tracemalloc.get_traced_memory()[1]
        # The record is written at the end, when the archive's buffers are gone: its own
        # peak, above what was held before, is measured apart.
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        session.record([], None, {}, None, None, "done", outputs=[target])
        return packaging, tracemalloc.get_traced_memory()[1] - before, count
    finally:
        tracemalloc.stop()


def test_the_packaging_peak_does_not_grow_with_the_number_of_files(tmp_path: Path) -> None:
    small, small_record, small_count = _packaging_peak(tmp_path / "small", 600)
    large, large_record, large_count = _packaging_peak(tmp_path / "large", 6000)
    assert (small_count, large_count) == (600 + 3, 6000 + 3)  # __init__, METADATA, WHEEL
    # 5,400 more files: a path string and an entry per file, or the recorder's dict of
    # paths, would each add about 200 bytes a file (1 MB). What is left: the recorder's
    # compact log (~30 bytes a file: a name, its offset, hash slots); packed names add
    # a byte or two each.
    assert large - small < 384 * 1024, (small, large)
    # The record's list of files is streamed to the store, not gathered (~90 bytes a file).
    assert large_record - small_record < 128 * 1024, (small_record, large_record)
