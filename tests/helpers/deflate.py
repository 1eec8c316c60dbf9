"""The wheel writer's block deflate stream (ferrule.wheel.deflate), written down
independently of it: what tests compare the writer's entries with."""

from __future__ import annotations

import zlib

# The format's block size, fixed: wheels must not depend on a constant changing.
BLOCK = 128 * 1024


def deflate_blocks(data: bytes, level: int) -> bytes:
    """The block stream, written down independently: 128 KiB blocks, each raw deflate
    primed with the 32 KiB before it, sync-flushed, the last one finishing the stream."""
    out = []
    for at in range(0, max(len(data), 1), BLOCK):
        packer = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=data[max(0, at - 32768) : at])
        last = at + BLOCK >= len(data)
        out.append(
            packer.compress(data[at : at + BLOCK])
            + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
        )
    return b"".join(out)
