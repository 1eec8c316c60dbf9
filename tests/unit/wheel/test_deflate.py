"""Large entries deflated in blocks on several threads (ferrule.wheel.deflate).

The stream must be one valid raw deflate stream whatever the sizes of the pieces
fed in, the same bytes for any number of workers (reproducible wheels), close to
one stream's size, really spread over the workers, and bounded in what it holds.
"""

from __future__ import annotations

import os
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from ferrule.wheel import deflate
from ferrule.wheel.deflate import BLOCK, BlockDeflate, Workers
from ferrule.wheel.writer import WheelWriter
from tests.helpers.deflate import deflate_blocks


def _text(size: int) -> bytes:
    """Compressible data with matches that cross block boundaries."""
    line = b"".join(b"row %d: %x\n" % (i, i * 7919 % 65521) for i in range(5_000))
    return (line * (size // len(line) + 1))[:size]


def _fed(data: bytes, piece: int, workers: Workers, level: int = 6) -> bytes:
    packer = BlockDeflate(level, workers)
    out = [packer.compress(data[at : at + piece]) for at in range(0, len(data), piece)]
    return b"".join(out) + packer.flush()


SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 5 * BLOCK + 17]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("piece", [1000, 1 << 16, 3 * BLOCK])
@pytest.mark.parametrize("count", [1, 3])
def test_any_feed_and_any_workers_give_the_one_block_stream(
    size: int, piece: int, count: int
) -> None:
    data = _text(size)
    workers = Workers(count)
    try:
        packed = _fed(data, piece, workers)
    finally:
        workers.close()
    assert packed == deflate_blocks(data, 6)
    assert zlib.decompress(packed, -15) == data


@pytest.mark.parametrize("level", [1, 6, 9])
def test_the_blocks_cost_almost_nothing_against_one_stream(level: int) -> None:
    data = _text(12 * BLOCK)
    one = zlib.compressobj(level, zlib.DEFLATED, -15)
    single = len(one.compress(data) + one.flush())
    # Each block is primed with the 32 KiB before it: within 0.02 % of one stream
    # here. Unprimed blocks, each starting from nothing, lose 0.3 to 1.2 % on this text.
    assert len(deflate_blocks(data, level)) < single * 1.002


def test_random_data_round_trips() -> None:
    data = os.urandom(3 * BLOCK + 5)
    workers = Workers(2)
    try:
        assert zlib.decompress(_fed(data, 1 << 16, workers), -15) == data
    finally:
        workers.close()


def _slow_blocks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Blocks that take a while (so work queues up), noting the thread of each."""
    seen: list[str] = []
    real = deflate._block

    def slow(data: bytes, primer: bytes, level: int, mode: int) -> bytes:
        seen.append(threading.current_thread().name)
        time.sleep(0.02)
        return real(data, primer, level, mode)

    monkeypatch.setattr(deflate, "_block", slow)
    return seen


def test_blocks_are_compressed_on_exactly_the_pool_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _slow_blocks(monkeypatch)
    workers = Workers(2)
    data = _text(8 * BLOCK)
    try:
        assert _fed(data, 1 << 16, workers) == deflate_blocks(data, 6)
    finally:
        workers.close()
    assert len(seen) == 8
    assert all(name.startswith("ferrule-deflate") for name in seen), seen
    assert len(set(seen)) == 2  # as many threads as workers, no more


def test_one_worker_uses_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _slow_blocks(monkeypatch)
    workers = Workers(1)
    _fed(_text(3 * BLOCK), 1 << 16, workers)
    assert workers.pool() is None
    assert set(seen) == {threading.current_thread().name}


@pytest.mark.parametrize("count", [2, 3])
def test_two_blocks_per_worker_wait_and_no_more(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """Memory does not grow with the entry: when the workers are slower than the
    reading, exactly two blocks per worker are queued or running."""
    _slow_blocks(monkeypatch)
    workers = Workers(count)
    packer = BlockDeflate(6, workers)
    waiting = []
    data = _text(6 * count * BLOCK)
    try:
        for at in range(0, len(data), 1 << 16):
            packer.compress(data[at : at + (1 << 16)])
            waiting.append(len(packer._jobs))
        packer.flush()
    finally:
        workers.close()
    assert max(waiting) == 2 * count


def test_closing_waits_for_running_blocks_and_drops_queued_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What ``ZipOut.discard`` relies on when an error stops an archive midway."""
    _slow_blocks(monkeypatch)
    workers = Workers(2)
    packer = BlockDeflate(6, workers)
    pool = workers.pool()
    assert pool is not None
    packer.compress(_text(5 * BLOCK))  # four blocks submitted, the last one pending
    jobs = list(packer._jobs)
    workers.close()
    assert all(job.done() for job in jobs if not isinstance(job, bytes))
    assert any(job.cancelled() for job in jobs if not isinstance(job, bytes))
    assert not [t for t in threading.enumerate() if t.name.startswith("ferrule-deflate")]
    assert workers.pool() is not pool  # a new pool when used again
    workers.close()


def test_the_worker_count_follows_the_cpus_this_process_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert Workers().count == 3
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    assert Workers().count == 8
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert Workers().count == 1
    assert Workers(0).count == 1
    assert Workers(100).count == 32


def test_a_wheel_entry_over_one_block_is_the_block_stream(tmp_path: Path) -> None:
    """Through the writer: the entry's raw data is exactly the block stream at the
    chosen level, whatever the machine's core count, and zipfile reads it back."""
    data = _text(4 * BLOCK + 3)
    source = tmp_path / "lib.so"
    source.write_bytes(data)
    target = tmp_path / "w-1-py3-none-any.whl"
    with WheelWriter(target, "w-1.dist-info", {}, zipfile.ZIP_DEFLATED, 9) as w:
        w.add_file("w/lib.so", source)
        w.add_bytes("w/generated.bin", data)
    with zipfile.ZipFile(target) as z:
        assert z.testzip() is None
        for name in ("w/lib.so", "w/generated.bin"):
            info = z.getinfo(name)
            assert z.read(name) == data
            assert info.compress_type == zipfile.ZIP_DEFLATED
            raw = target.read_bytes()
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            assert raw[start : start + info.compress_size] == deflate_blocks(data, 9)


def test_a_whole_entry_given_at_once_keeps_the_queue_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``ZipOut.add`` passes an entry in one piece: blocks are still queued two per
    worker at most, not all at once."""
    _slow_blocks(monkeypatch)
    queued: list[int] = []
    real_submit = BlockDeflate._submit

    def submit(self: BlockDeflate, data: bytes, mode: int) -> None:
        real_submit(self, data, mode)
        queued.append(len(self._jobs))

    monkeypatch.setattr(BlockDeflate, "_submit", submit)
    workers = Workers(2)
    data = _text(12 * BLOCK + 5)
    try:
        packer = BlockDeflate(6, workers)
        packed = packer.compress(data) + packer.flush()
    finally:
        workers.close()
    assert packed == deflate_blocks(data, 6)
    assert len(queued) == 13 and max(queued) <= 2 * workers.count + 1
