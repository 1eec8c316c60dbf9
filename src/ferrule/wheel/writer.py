"""A streaming, reproducible, atomic zip writer for wheels.

Files are hashed while they are copied into the archive (read once), RECORD is
built from the rows collected on the way, timestamps come from
``SOURCE_DATE_EPOCH`` (clamped to the zip range) or a fixed 1980-01-01, modes are
normalised to 0644/0755, and the archive is written to a temporary file that
replaces the target only when complete.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime
import gc
import hashlib
import io
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from ferrule import _faults
from ferrule.errors import WheelError

__all__ = ["WheelWriter", "check_archive_name", "zip_compression", "zip_timestamp"]

_CHUNK = 1 << 16
_ZIP_MIN = 315532800  # 1980-01-01T00:00:00Z, the earliest a zip can store
_ZIP_MAX = 4354819199  # 2107-12-31T23:59:59Z, the latest
_ZIP64_AT = 1 << 30
# ZipInfo.compress_level since Python 3.13, _compresslevel before.
_LEVEL_SLOT = "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel"


def zip_timestamp(environ: Mapping[str, str]) -> tuple[int, int, int, int, int, int]:
    """The entry timestamp: ``SOURCE_DATE_EPOCH`` clamped, else 1980-01-01.

    >>> zip_timestamp({})
    (1980, 1, 1, 0, 0, 0)
    >>> zip_timestamp({"SOURCE_DATE_EPOCH": "1700000000"})
    (2023, 11, 14, 22, 13, 20)
    >>> zip_timestamp({"SOURCE_DATE_EPOCH": "0"})
    (1980, 1, 1, 0, 0, 0)
    """
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        epoch = int(raw) if raw else _ZIP_MIN
    except ValueError:
        raise WheelError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds") from None
    epoch = min(max(epoch, _ZIP_MIN), _ZIP_MAX)
    # datetime arithmetic, not time.gmtime, which overflows on 32-bit time_t.
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=epoch)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


_PART_TAG = "ferrule-"


def remove_stale_parts(directory: Path) -> None:
    """Delete temporary files that killed ferrule processes left in ``directory``.

    A build killed with SIGKILL cannot clean up; its ``.<name>.ferrule-<pid>-….part``
    file is removed by the next build once no process has that pid.
    """
    _faults.sweep(directory, f".*.{_PART_TAG}*.part", lambda n: _faults.pid_after(n, _PART_TAG))


def check_archive_name(name: str) -> None:
    """Refuse names an installer could be tricked by.

    >>> check_archive_name("pkg/mod.py")
    >>> check_archive_name("../evil")
    Traceback (most recent call last):
    ...
    ferrule.errors.WheelError: unsafe archive name '../evil': contains '..'
    """
    problem = None
    if not name or name.endswith("/"):
        problem = "empty or a directory"
    elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        problem = "absolute"
    elif "\\" in name:
        problem = "contains a backslash"
    else:
        parts = name.split("/")
        if ".." in parts:
            problem = "contains '..'"
        elif "" in parts or "." in parts:
            problem = "contains an empty or '.' component"
    if problem:
        raise WheelError(f"unsafe archive name {name!r}: {problem}")


# maturin's levels (compression.rs): (default, lowest, highest) per method.
_LEVELS = {"deflated": (6, 0, 9), "stored": (0, 0, 0), "bzip2": (6, 0, 9), "zstd": (3, -7, 22)}


def zip_compression(method: str, level: int | None) -> tuple[int, int | None]:
    """``--compression-method`` / ``--compression-level`` as zipfile's constant and level.

    >>> zip_compression("deflated", None) == (zipfile.ZIP_DEFLATED, 6)
    True
    >>> zip_compression("stored", None) == (zipfile.ZIP_STORED, None)
    True
    >>> zip_compression("deflated", 12)
    Traceback (most recent call last):
    ...
    ferrule.errors.WheelError: --compression-level 12 is out of range for --compression-method deflated (0 to 9)
    """
    if method not in _LEVELS:
        raise WheelError(f"--compression-method {method!r}: use one of {', '.join(_LEVELS)}")
    default, low, high = _LEVELS[method]
    if level is not None and not low <= level <= high:
        raise WheelError(
            f"--compression-level {level} is out of range for --compression-method {method} "
            f"({low} to {high})"
        )
    if method == "stored":
        return zipfile.ZIP_STORED, None
    if method == "deflated":
        return zipfile.ZIP_DEFLATED, default if level is None else level
    if method == "bzip2":
        # Python's bz2 takes 1-9; maturin's 0 (the zip crate's fastest) is bz2's 1.
        return zipfile.ZIP_BZIP2, max(1, default if level is None else level)
    zstd = getattr(zipfile, "ZIP_ZSTANDARD", None)
    if zstd is None:
        import sys

        raise WheelError(
            "--compression-method zstd needs Python 3.14's zipfile (ZIP_ZSTANDARD); "
            f"ferrule runs on Python {sys.version_info[0]}.{sys.version_info[1]}: "
            "use deflated or stored, or run ferrule with Python 3.14"
        )
    return int(zstd), default if level is None else level


def _record_hash(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _read_chunk(fd: int, chunk: bytes = b"") -> tuple[bytes, bool]:
    """``chunk`` completed to ``_CHUNK`` bytes from the file ``fd`` (fewer only at its
    end), and whether the end was reached."""
    if not chunk:
        chunk = os.read(fd, _CHUNK)
    while chunk and len(chunk) < _CHUNK:
        more = os.read(fd, _CHUNK - len(chunk))
        if not more:
            return chunk, True
        chunk += more
    return chunk, not chunk


def _record_key(row: tuple[str, bytes, int]) -> list[str]:
    return row[0].split("/")


def _in_record_order(rows: list[tuple[str, bytes, int]]) -> bool:
    """Whether ``rows`` are sorted by path components (checked pairwise, no key list).

    >>> _in_record_order([("a/b/c", b"", 0), ("a/b.py", b"", 0)])
    True
    >>> _in_record_order([("a/b.py", b"", 0), ("a/b/c", b"", 0)])
    False
    """
    previous: list[str] | None = None
    for row in rows:
        key = row[0].split("/")
        if previous is not None and key < previous:
            return False
        previous = key
    return True


class _PatchBuffer:
    """The archive's file as :mod:`zipfile` sees it: writes gather in memory, and a seek
    back into what is still gathered (zipfile rewrites each entry's header once its
    CRC and sizes are known) patches the buffer instead of flushing it.

    zipfile otherwise flushes and seeks twice per entry: for 50,000 small files,
    hundreds of thousands of system calls. The bytes written are the same.
    At most ``limit`` bytes (plus one write) are held; older ones are on disk.
    """

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

    def write(self, data: bytes) -> int:
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

    def _write_all(self, data: bytes | bytearray) -> None:
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


class WheelWriter:
    """Write one wheel; use as a context manager.

    Entries are written in the order added; the caller sorts them (dist-info
    last) so that the result is deterministic. RECORD is added on close, its
    rows in maturin's order whatever the order of the entries.
    """

    def __init__(
        self,
        target: Path,
        dist_info: str,
        environ: Mapping[str, str],
        compression: int = zipfile.ZIP_DEFLATED,
        compresslevel: int | None = 6,
        *,
        large_file: bool = False,
    ) -> None:
        self.target = target
        self.dist_info = dist_info
        self._timestamp = zip_timestamp(environ)
        self._compression = compression
        self._compresslevel = None if compression == zipfile.ZIP_STORED else compresslevel
        self._large_file = large_file
        # (name, sha256 digest, size): the hash is written out in RECORD only.
        self._rows: list[tuple[str, bytes, int]] = []
        self._tmp_path: Path | None = None
        self._zip: zipfile.ZipFile | None = None
        self._file: _PatchBuffer | None = None
        self._direct = False
        self._gc_was_enabled = False

    def __enter__(self) -> WheelWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(self.target.parent)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.{_PART_TAG}{os.getpid()}-",
            suffix=".part",
            dir=self.target.parent,
        )
        self._tmp_path = Path(tmp)
        self._file = _PatchBuffer(os.fdopen(fd, "wb", buffering=0))
        self._zip = zipfile.ZipFile(
            self._file,
            "w",
            compression=self._compression,
            compresslevel=self._compresslevel,
        )
        # What _put relies on (ZipFile's attributes since Python 3.0).
        self._direct = all(hasattr(self._zip, a) for a in ("start_dir", "filelist", "NameToInfo"))
        # Packing makes no reference cycles, only objects that live until the end (each
        # entry's ZipInfo and RECORD row): the cyclic collector would walk all of them
        # again and again as they pile up. Paused until __exit__.
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._zip is not None and self._tmp_path is not None
        try:
            try:
                if exc_type is None:
                    self._write_record()
            finally:
                # Closed even when interrupted: the ZipFile must not close itself later
                # (when collected) on the file closed here.
                try:
                    self._zip.close()
                finally:
                    assert self._file is not None
                    self._file.close()
            if exc_type is None:
                self._tmp_path.chmod(0o644)
                _faults.point("before-replace")
                self._tmp_path.replace(self.target)
                _faults.point("after-replace")
        finally:
            if self._tmp_path.exists():
                self._tmp_path.unlink()
            if self._gc_was_enabled:
                gc.enable()

    def _info(self, name: str, executable: bool, compress: bool = True) -> zipfile.ZipInfo:
        check_archive_name(name)
        assert self._zip is not None
        if name in self._zip.NameToInfo:  # (every entry's name, once written)
            raise WheelError(f"two files map to the same path in the wheel: {name}")
        info = zipfile.ZipInfo(name, self._timestamp)
        mode = 0o755 if executable else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.compress_type = self._compression if compress else zipfile.ZIP_STORED
        if compress and self._compresslevel is not None:
            setattr(info, _LEVEL_SLOT, self._compresslevel)
        info.create_system = 3  # unix, so the mode is honoured
        return info

    @contextlib.contextmanager
    def _open(
        self, name: str, executable: bool, size: int, compress: bool = True
    ) -> Iterator[io.BufferedIOBase]:
        assert self._zip is not None
        info = self._info(name, executable, compress)
        # Streaming writes need zip64 declared up front for entries near 2 GiB.
        zip64 = self._large_file or size > _ZIP64_AT
        with self._zip.open(info, "w", force_zip64=zip64) as handle:
            yield handle  # type: ignore[misc]

    def add_file(self, name: str, source: Path, executable: bool | None = None) -> None:
        """Copy ``source`` in, hashing as it streams: one open, one ``fstat``, one read
        of each byte, unbuffered (a file smaller than one chunk costs one read)."""
        if ".data/" in name:
            _faults.point("data-dir")
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            if executable is None:
                executable = bool(st.st_mode & 0o111)
            total = st.st_size
            chunk = os.read(fd, _CHUNK)
            if len(chunk) < _CHUNK and len(chunk) >= total:
                # All of it, in one read (a short read of a regular file is its end).
                self._put(self._info(name, executable), chunk)
                return
            digest = hashlib.sha256()
            size = 0
            chunk, end = _read_chunk(fd, chunk)
            compress = self._worth_compressing(chunk, total)
            with self._open(name, executable, total, compress) as dst:
                while chunk:
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                    if size < total:
                        _faults.point("wheel-member")
                    if end:
                        break
                    chunk, end = _read_chunk(fd)
        finally:
            os.close(fd)
        self._rows.append((name, digest.digest(), size))

    def _put(self, info: zipfile.ZipInfo, data: bytes) -> None:
        """One whole entry (its bytes in memory): compressed, then its local header and
        data written once, where ``zipfile`` would write the header, compress, seek
        back to rewrite the header with the CRC and sizes, and seek forward again.
        The bytes are the same (tests/unit/wheel/test_writer.py compares both ways);
        without the ``ZipFile`` attributes this relies on, zipfile writes it."""
        zf, out = self._zip, self._file
        assert zf is not None and out is not None
        if info.compress_type == zipfile.ZIP_DEFLATED and self._direct:
            level = self._compresslevel
            packer = zlib.compressobj(
                zlib.Z_DEFAULT_COMPRESSION if level is None else level, zlib.DEFLATED, -15
            )
            packed = packer.compress(data) + packer.flush()
        elif info.compress_type == zipfile.ZIP_STORED and self._direct:
            packed = data
        else:
            with zf.open(info, "w", force_zip64=self._large_file) as dst:
                dst.write(data)
            self._rows.append((info.filename, hashlib.sha256(data).digest(), len(data)))
            return
        info.file_size = len(data)
        info.compress_size = len(packed)
        info.CRC = zlib.crc32(data)
        info.header_offset = zf.start_dir
        out.seek(zf.start_dir)
        out.write(info.FileHeader(self._large_file) + packed)
        zf.start_dir = out.tell()
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info
        self._rows.append((info.filename, hashlib.sha256(data).digest(), len(data)))

    def _worth_compressing(self, head: bytes, total: int) -> bool:
        """Whether deflate pays for this file, judged from its first 64 KiB.

        Data that is already compressed (archives, images, random blobs) would
        cost deflate time and gain nothing, so it is stored. The choice depends
        only on the bytes, so the wheel stays reproducible.
        """
        if self._compression != zipfile.ZIP_DEFLATED or total < _CHUNK:
            return True
        return len(zlib.compress(head, 1)) < 0.95 * len(head)

    def add_bytes(self, name: str, data: bytes, executable: bool = False) -> None:
        if len(data) > _ZIP64_AT:
            with self._open(name, executable, len(data)) as dst:
                dst.write(data)
            self._rows.append((name, hashlib.sha256(data).digest(), len(data)))
        else:
            self._put(self._info(name, executable), data)

    def _write_record(self) -> None:
        record_name = f"{self.dist_info}/RECORD"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        # Sorted by path components, as maturin's RECORD (a BTreeMap of paths):
        # ``pkg/a/b.py`` before ``pkg/a.py``, unlike plain string order.
        # The entries usually come in that order already: then no sort keys are made.
        rows = self._rows if _in_record_order(self._rows) else sorted(self._rows, key=_record_key)
        for name, digest, size in rows:
            writer.writerow((name, _record_hash(digest), str(size)))
        writer.writerow((record_name, "", ""))
        data = memoryview(buffer.getvalue().encode("utf-8"))
        del buffer
        with self._open(record_name, False, len(data)) as dst:
            dst.write(data[: len(data) // 2])
            _faults.point("record")
            dst.write(data[len(data) // 2 :])
