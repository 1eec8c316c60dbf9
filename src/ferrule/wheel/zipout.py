"""The zip structures of a wheel, written directly: local headers, data, the central
directory and the end records, byte for byte what :mod:`zipfile` writes for the same
entries (stored or deflated; ``tests/unit/wheel/test_writer.py`` compares both ways),
except the data of deflated entries over 128 KiB: those are deflated in blocks on
every core (:mod:`ferrule.wheel.deflate`), the same content in a slightly different stream.

:mod:`zipfile` keeps a ``ZipInfo`` object per entry until it writes the central
directory (about 200 bytes each, plus the name), and seeks back twice per entry to
patch its header. Here each entry's central directory record is appended to one
``bytearray`` as soon as the entry is written (46 bytes plus the name), and a whole
entry is compressed before its header is written, so the header is written once.
Other methods (bzip2, zstd) stay with :mod:`zipfile` (:mod:`ferrule.wheel.writer`).
Nothing is kept per entry in memory: the central directory records wait in an
anonymous temporary file (:class:`Spill`) until the archive is closed.
"""

from __future__ import annotations

import contextlib
import stat
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ferrule.wheel.deflate import BLOCK, BlockDeflate, Workers

__all__ = ["PatchBuffer", "Spill", "ZipOut"]

STORED, DEFLATED = 0, 8
# zipfile's limits and versions (the same constants in every Python since 3.6).
_ZIP64_LIMIT = (1 << 31) - 1
_COUNT_LIMIT = (1 << 16) - 1
_DEFAULT_VERSION, _ZIP64_VERSION = 20, 45
_UTF8_NAME = 0x800
_UNIX = 3
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_LOCAL_SIG, _CENTRAL_SIG = b"PK\x03\x04", b"PK\x01\x02"
_EXECUTABLE = (stat.S_IFREG | 0o755) << 16
_REGULAR = (stat.S_IFREG | 0o644) << 16


class PatchBuffer:
    """The archive's file, written through a buffer that a seek back into what is still
    gathered (a streamed entry's header, rewritten once its CRC and sizes are known)
    patches in memory instead of flushing. At most ``limit`` bytes (plus one write)
    are held; older ones are on disk."""

    def __init__(self, raw: BinaryIO, limit: int = 1 << 20) -> None:
        self._raw = raw
        self._limit = limit
        self._base = 0  # file offset of the buffer's first byte
        self._buf = bytearray()
        self._pos = 0  # the current position in the file

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            self.flush()
            offset += self._raw.seek(0, 2)
        self._pos = offset
        return offset

    def write(self, data: bytes | bytearray | memoryview) -> int:
        n = len(data)
        buf = self._buf
        end = self._base + len(buf)
        if self._pos == end:  # the usual case: appending
            buf += data
            self._pos += n
            if len(buf) >= self._limit:
                self.flush()
            return n
        if self._base <= self._pos < end:
            at = self._pos - self._base
            self._buf[at : at + n] = data
        else:  # outside what is gathered (a header far back): straight to the file
            self.flush()
            self._raw.seek(self._pos)
            self._write_all(data)
            self._base = self._raw.tell()
            self._pos = self._base
            return n
        self._pos += n
        if len(self._buf) >= self._limit and self._pos == self._base + len(self._buf):
            self.flush()
        return n

    def _write_all(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        while view:
            view = view[self._raw.write(view) or 0 :]

    def flush(self) -> None:
        if self._buf:
            self._raw.seek(self._base)
            self._write_all(self._buf)
            self._base += len(self._buf)
            self._buf = bytearray()
        # Where the next gathered bytes go.
        if self._pos != self._base:
            self._base = self._pos
        self._raw.flush()

    def close(self) -> None:
        self.flush()
        self._raw.close()


class Spill:
    """Bytes appended one record at a time and read back once, kept in an anonymous
    temporary file (in ``directory``) rather than in memory: what a wheel writer would
    otherwise hold per entry until the end (central directory records, RECORD rows)."""

    def __init__(self, directory: str | None = None) -> None:
        # Closed by close(): it lives as long as the archive being written.
        self._file = tempfile.TemporaryFile(dir=directory, buffering=1 << 16)  # noqa: SIM115
        self.size = 0

    def append(self, data: bytes) -> None:
        self.size += self._file.write(data)

    def chunks(self, size: int = 1 << 16) -> Iterator[bytes]:
        """Everything appended, from the start, in pieces of at most ``size`` bytes."""
        self._file.flush()
        self._file.seek(0)
        while chunk := self._file.read(size):
            yield chunk
        self._file.seek(0, 2)

    def read(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        self._file.close()


def _dos_time(when: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """(time, date) in MS-DOS form, as zipfile stores them.

    >>> _dos_time((1980, 1, 1, 0, 0, 0))
    (0, 33)
    """
    return when[3] << 11 | when[4] << 5 | when[5] // 2, (when[0] - 1980) << 9 | when[1] << 5 | when[
        2
    ]


def _encoded(name: str) -> tuple[bytes, int]:
    """The name's bytes and flag bits: ASCII as is, else UTF-8 with the UTF-8 flag."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


class ZipOut:
    """A zip archive written to ``out`` entry by entry (stored or deflated), then closed.

    Per entry only its central directory record is kept (in one ``bytearray``).
    """

    def __init__(
        self,
        out: PatchBuffer,
        when: tuple[int, int, int, int, int, int],
        method: int,
        level: int | None,
        large_file: bool,
        scratch: str | None = None,
    ) -> None:
        assert method in (STORED, DEFLATED)
        self._out = out
        self._time, self._date = _dos_time(when)
        self._method = method
        self._level = zlib.Z_DEFAULT_COMPRESSION if level is None else level
        self._large_file = large_file
        self._central = Spill(scratch)  # the central directory, record by record
        self._count = 0
        self._offset = 0  # where the next local header goes
        self._workers = Workers()  # large entries are deflated in blocks (wheel.deflate)

    def _packer(self, method: int, size: int) -> zlib._Compress | BlockDeflate | None:
        """What compresses an entry of ``size`` bytes: one deflate stream, or, past one
        block, blocks deflated side by side (the choice depends on the size alone)."""
        if method != DEFLATED:
            return None
        if size > BLOCK:
            return BlockDeflate(self._level, self._workers)
        return zlib.compressobj(self._level, zlib.DEFLATED, -15)

    def _local(
        self, name: bytes, flags: int, method: int, crc: int, packed: int, size: int, zip64: bool
    ) -> bytes:
        extra = b""
        version = _DEFAULT_VERSION
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, size, packed)
            size = packed = 0xFFFFFFFF
            version = _ZIP64_VERSION
        head = _LOCAL.pack(
            _LOCAL_SIG,
            version,
            0,
            flags,
            method,
            self._time,
            self._date,
            crc,
            packed,
            size,
            len(name),
            len(extra),
        )
        return head + name + extra

    def _add_central(
        self,
        name: bytes,
        flags: int,
        method: int,
        crc: int,
        packed: int,
        size: int,
        zip64: bool,
        executable: bool,
        offset: int,
    ) -> None:
        extra: list[int] = []
        if size > _ZIP64_LIMIT or packed > _ZIP64_LIMIT:
            extra += [size, packed]
            size = packed = 0xFFFFFFFF
        if offset > _ZIP64_LIMIT:
            extra.append(offset)
            offset = 0xFFFFFFFF
        extra_data = b""
        # A zip64 local header raised the entry's versions (zipfile keeps them on its ZipInfo).
        version = _ZIP64_VERSION if zip64 else _DEFAULT_VERSION
        if extra:
            extra_data = struct.pack(f"<HH{len(extra)}Q", 1, 8 * len(extra), *extra)
            version = _ZIP64_VERSION
        self._central.append(
            _CENTRAL.pack(
                _CENTRAL_SIG,
                version,
                _UNIX,
                version,
                0,
                flags,
                method,
                self._time,
                self._date,
                crc,
                packed,
                size,
                len(name),
                len(extra_data),
                0,
                0,
                0,
                _EXECUTABLE if executable else _REGULAR,
                offset,
            )
            + name
            + extra_data
        )
        self._count += 1

    def add(self, name: str, data: bytes, executable: bool, compress: bool = True) -> None:
        """One whole entry: compressed first, then its header and data written once."""
        raw, flags = _encoded(name)
        method = self._method if compress else STORED
        packer = self._packer(method, len(data))
        packed = data if packer is None else packer.compress(data) + packer.flush()
        crc = zlib.crc32(data)
        zip64 = self._large_file
        offset = self._offset
        self._out.seek(offset)
        self._out.write(self._local(raw, flags, method, crc, len(packed), len(data), zip64))
        self._out.write(packed)
        self._offset = self._out.tell()
        self._add_central(
            raw, flags, method, crc, len(packed), len(data), zip64, executable, offset
        )

    @contextlib.contextmanager
    def stream(
        self, name: str, executable: bool, zip64: bool, compress: bool = True, size: int = 0
    ) -> Iterator[Callable[[bytes | memoryview], None]]:
        """An entry whose data comes in pieces: yields the function that takes them.

        The header is written first without CRC and sizes and rewritten at the end, as
        zipfile does; ``zip64`` must be declared up front for entries near 2 GiB.
        ``size`` is the expected size (a file's, from ``fstat``): it chooses the packer.
        """
        raw, flags = _encoded(name)
        method = self._method if compress else STORED
        packer = self._packer(method, size)
        out, offset = self._out, self._offset
        out.seek(offset)
        out.write(self._local(raw, flags, method, 0, 0, 0, zip64))
        crc = size = packed = 0

        def write(data: bytes | memoryview) -> None:
            nonlocal crc, size, packed
            crc = zlib.crc32(data, crc)
            size += len(data)
            if packer is not None:
                data = packer.compress(data)
            packed += len(data)
            out.write(data)

        yield write
        if packer is not None:
            tail = packer.flush()
            packed += len(tail)
            out.write(tail)
        if not zip64 and (size > _ZIP64_LIMIT or packed > _ZIP64_LIMIT):
            from ferrule.errors import WheelError

            raise WheelError(f"{name} grew past 2 GiB while it was written (use --zip64)")
        end = out.tell()
        out.seek(offset)
        out.write(self._local(raw, flags, method, crc, packed, size, zip64))
        out.seek(end)
        self._offset = end
        self._add_central(raw, flags, method, crc, packed, size, zip64, executable, offset)

    def discard(self) -> None:
        """Forget the archive (an error stopped it): its temporary file goes."""
        self._workers.close()
        self._central.close()

    def close(self) -> None:
        """The central directory and the end records (zip64 ones when needed), flushed."""
        self._workers.close()
        out = self._out
        out.seek(self._offset)
        for chunk in self._central.chunks():
            out.write(chunk)
        start, size, count = self._offset, self._central.size, self._count
        self._central.close()
        end = self._offset + size
        if count > _COUNT_LIMIT or start > _ZIP64_LIMIT or size > _ZIP64_LIMIT:
            out.write(
                _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
                + _LOCATOR64.pack(b"PK\x06\x07", 0, end, 1)
            )
            count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
        out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))
        out.flush()
