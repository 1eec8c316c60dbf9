"""Deflate for large entries, in blocks compressed side by side on every core.

A release build's extension module is the largest thing in most wheels (tens of
MiB for big crates), and deflating it in one stream, as :mod:`zipfile` and
maturin do, runs on one core while the others wait. Here an entry larger than
one block is cut into 128 KiB blocks; each is deflated on its own, primed with
the block before it (deflate keeps its last 32 KiB, the whole window a match can
refer back to), and ended with a sync flush, so the pieces joined in order are one valid raw
deflate stream, the way ``pigz`` writes gzip files. The blocks are compressed
on a thread pool (zlib releases the GIL while it works) and written in order.

The bytes depend only on the data and the level, never on the number of cores
(one core compresses the same blocks one after the other), so wheels stay
reproducible. The cost is a few bytes per block: a sync flush marker, and
matches that cannot cross the start of a block beyond the primed window.
"""

from __future__ import annotations

import os
import zlib
from collections import deque

TYPE_CHECKING = False
if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["BLOCK", "BlockDeflate", "Workers"]

BLOCK = 1 << 17


def _block(data: bytes, primer: bytes, level: int, mode: int) -> bytes:
    """One block of the stream: raw deflate primed with ``primer`` (zlib keeps its
    last 32 KiB, the window), ended by ``mode``: a sync flush, or the stream's end."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=primer)
    return packer.compress(data) + packer.flush(mode)


class Workers:
    """The threads one archive's large entries are deflated on, started at first use
    and stopped with the archive; none at all on a single core."""

    def __init__(self, count: int | None = None) -> None:
        if count is None:
            affinity = getattr(os, "sched_getaffinity", None)
            count = len(affinity(0)) if affinity else (os.cpu_count() or 1)
        self.count = max(1, min(count, 32))
        self._pool: ThreadPoolExecutor | None = None

    def pool(self) -> ThreadPoolExecutor | None:
        if self.count == 1:
            return None
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.count, thread_name_prefix="ferrule-deflate")
        return self._pool

    def close(self) -> None:
        """Wait for the running blocks and drop the queued ones (an archive that failed)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)  # waits for the running ones
            self._pool = None


class BlockDeflate:
    """A ``zlib.compressobj`` look-alike (``compress``, then ``flush`` once) that writes
    the block stream, compressing up to two blocks per worker at a time; what it
    returns is always in order."""

    def __init__(self, level: int, workers: Workers) -> None:
        self._level = level
        self._pool = workers.pool()
        self._ahead = 2 * workers.count
        self._pending = bytearray()  # data not yet in a block
        self._primer = b""  # the block before the pending data
        self._jobs: deque[Future[bytes] | bytes] = deque()

    def _submit(self, data: bytes, mode: int) -> None:
        primer, self._primer = self._primer, data
        if self._pool is None:
            self._jobs.append(_block(data, primer, self._level, mode))
        else:
            self._jobs.append(self._pool.submit(_block, data, primer, self._level, mode))

    def _done(self, wait_for: int) -> bytes:
        """What is finished at the front, waiting until at most ``wait_for`` jobs remain."""
        out = []
        jobs = self._jobs
        while jobs:
            job = jobs[0]
            if isinstance(job, bytes):
                out.append(job)
            elif len(jobs) > wait_for or job.done():
                out.append(job.result())
            else:
                break
            jobs.popleft()
        return b"".join(out)

    def compress(self, data: bytes | memoryview) -> bytes:
        self._pending += data
        out = []
        # The last block is cut only at flush: a full pending block may be the end.
        # Waiting after each block keeps the queue bounded for a whole entry given at once.
        while len(self._pending) > BLOCK:
            self._submit(bytes(self._pending[:BLOCK]), zlib.Z_SYNC_FLUSH)
            del self._pending[:BLOCK]
            out.append(self._done(self._ahead))
        return b"".join(out)

    def flush(self) -> bytes:
        self._submit(bytes(self._pending), zlib.Z_FINISH)
        return self._done(0)
