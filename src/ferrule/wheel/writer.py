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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType

from ferrule import _faults
from ferrule.errors import WheelError
from ferrule.wheel.zipout import PatchBuffer, Spill, ZipOut

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
    elif "\0" in name:
        problem = "contains a NUL character"
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


_CSV_SPECIAL = frozenset(',"\r\n')


def _record_line(name: str, hash_text: str, size: str) -> str:
    r"""One RECORD row as :mod:`csv` reads it back: a name with a comma, a quote or a
    line break is quoted (as :mod:`csv` writes it, but its writer in Python 3.11 leaves a
    lone CR bare, which its reader then takes for the end of the row).

    >>> _record_line("pkg/a.py", "sha256=x", "3"), _record_line('a,"b', "", "")
    ('pkg/a.py,sha256=x,3\n', '"a,""b",,\n')
    """
    if _CSV_SPECIAL.isdisjoint(name):
        return f"{name},{hash_text},{size}\n"
    quoted = name.replace('"', '""')
    return f'"{quoted}",{hash_text},{size}\n'


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


class _ZipfileOut:
    """:class:`~ferrule.wheel.zipout.ZipOut`'s interface on :mod:`zipfile`, for the
    methods ferrule does not write itself (bzip2, zstd)."""

    def __init__(
        self,
        out: PatchBuffer,
        when: tuple[int, int, int, int, int, int],
        method: int,
        level: int | None,
        large_file: bool,
    ) -> None:
        self._zip = zipfile.ZipFile(out, "w", compression=method, compresslevel=level)
        self._when, self._method, self._level = when, method, level
        self._large_file = large_file

    def _info(self, name: str, executable: bool, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._when)
        info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
        info.compress_type = self._method if compress else zipfile.ZIP_STORED
        if compress and self._level is not None:
            setattr(info, _LEVEL_SLOT, self._level)
        info.create_system = 3  # unix, so the mode is honoured
        return info

    def add(self, name: str, data: bytes, executable: bool, compress: bool = True) -> None:
        info = self._info(name, executable, compress)
        with self._zip.open(info, "w", force_zip64=self._large_file) as dst:
            dst.write(data)

    @contextlib.contextmanager
    def stream(
        self, name: str, executable: bool, zip64: bool, compress: bool = True, size: int = 0
    ) -> Iterator[Callable[[bytes | memoryview], object]]:
        info = self._info(name, executable, compress)
        with self._zip.open(info, "w", force_zip64=zip64) as dst:
            yield dst.write

    def close(self) -> None:
        self._zip.close()

    def discard(self) -> None:
        # Closed even when interrupted: the ZipFile must not close itself later (when
        # collected) on the file closed by the caller.
        self._zip.close()


class WheelWriter:
    """Write one wheel; use as a context manager.

    Entries are written in the order added; the caller sorts them (dist-info
    last) so that the result is deterministic. RECORD is added on close, its
    rows in maturin's order whatever the order of the entries.

    Per entry, only its zip central directory record and its RECORD row are kept,
    as bytes (about 150 bytes for a short name): entries that come in RECORD's order
    (the usual case) need no list of names to find a name given twice.
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
        # RECORD's rows so far, as UTF-8 in a temporary file; in order while every name
        # sorts after the last.
        self._record: Spill | None = None
        self._last: list[str] | None = None
        self._names: set[str] | None = None  # every name, once the order broke
        self._tmp_path: Path | None = None
        self._out: ZipOut | _ZipfileOut | None = None
        self._file: PatchBuffer | None = None
        # Whether ferrule writes the zip structures itself (stored and deflated).
        self._own = compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
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
        self._file = PatchBuffer(os.fdopen(fd, "wb", buffering=0))
        scratch = str(self.target.parent)
        self._record = Spill(scratch)
        if self._own:
            self._out = ZipOut(
                self._file,
                self._timestamp,
                self._compression,
                self._compresslevel,
                self._large_file,
                scratch,
            )
        else:
            self._out = _ZipfileOut(
                self._file,
                self._timestamp,
                self._compression,
                self._compresslevel,
                self._large_file,
            )
        # Packing makes no reference cycles, only objects that live until the end:
        # the cyclic collector would walk all of them again and again. Paused until __exit__.
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._out is not None and self._tmp_path is not None
        closed = False
        try:
            try:
                if exc_type is None:
                    self._write_record()
                    self._out.close()
                    closed = True
            finally:
                if not closed:
                    self._out.discard()
                assert self._file is not None and self._record is not None
                self._record.close()
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

    def _claim(self, name: str) -> None:
        """Check ``name`` and refuse one written before.

        While names come in RECORD's order (by path components), a repeated name can
        only be the last one; once the order breaks, a set of every name decides.
        """
        check_archive_name(name)
        if self._names is not None:
            if name in self._names:
                raise WheelError(f"two files map to the same path in the wheel: {name}")
            self._names.add(name)
            return
        key = name.split("/")
        last = self._last
        if last is not None and key <= last:
            if key == last:
                raise WheelError(f"two files map to the same path in the wheel: {name}")
            self._names = {row[0] for row in self._rows()}
            self._names.add(name)
        self._last = key

    def _rows(self) -> Iterator[list[str]]:
        assert self._record is not None
        return csv.reader(io.StringIO(self._record.read().decode("utf-8"), newline=""))

    def _row(self, name: str, digest: bytes, size: int) -> None:
        assert self._record is not None
        self._record.append(_record_line(name, _record_hash(digest), str(size)).encode("utf-8"))

    def add_file(
        self, name: str, source: str | os.PathLike[str], executable: bool | None = None
    ) -> None:
        """Copy ``source`` in, hashing as it streams: one open, one ``fstat``, one read
        of each byte, unbuffered (a file smaller than one chunk costs one read)."""
        if ".data/" in name:
            _faults.point("data-dir")
        self._claim(name)
        out = self._out
        assert out is not None
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            st = os.fstat(fd)
            if executable is None:
                executable = bool(st.st_mode & 0o111)
            total = st.st_size
            chunk = os.read(fd, _CHUNK)
            if len(chunk) < _CHUNK and len(chunk) >= total:
                # All of it, in one read (a short read of a regular file is its end).
                out.add(name, chunk, executable)
                self._row(name, hashlib.sha256(chunk).digest(), len(chunk))
                return
            digest = hashlib.sha256()
            size = 0
            chunk, end = _read_chunk(fd, chunk)
            compress = self._worth_compressing(chunk, total)
            zip64 = self._large_file or total > _ZIP64_AT
            with out.stream(name, executable, zip64, compress, total) as write:
                while chunk:
                    digest.update(chunk)
                    write(chunk)
                    size += len(chunk)
                    if size < total:
                        _faults.point("wheel-member")
                    if end:
                        break
                    chunk, end = _read_chunk(fd)
        finally:
            os.close(fd)
        self._row(name, digest.digest(), size)

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
        self._claim(name)
        out = self._out
        assert out is not None
        if len(data) > _ZIP64_AT:
            with out.stream(name, executable, True, size=len(data)) as write:
                write(data)
        else:
            out.add(name, data, executable)
        self._row(name, hashlib.sha256(data).digest(), len(data))

    def _write_record(self) -> None:
        record_name = f"{self.dist_info}/RECORD"
        # Sorted by path components, as maturin's RECORD (a BTreeMap of paths):
        # ``pkg/a/b.py`` before ``pkg/a.py``, unlike plain string order. The entries
        # usually come in that order already: then the rows are written as they are.
        assert self._record is not None and self._out is not None
        if self._names is not None:
            rows = sorted(self._rows(), key=lambda row: row[0].split("/"))
            self._record.close()
            self._record = Spill(str(self.target.parent))
            for row in rows:
                self._record.append(_record_line(*row).encode("utf-8"))
            del rows
        self._record.append(_record_line(record_name, "", "").encode("utf-8"))
        total = self._record.size
        half = total // 2
        with self._out.stream(record_name, False, self._large_file or total > _ZIP64_AT) as write:
            written = 0
            for chunk in self._record.chunks():
                if written < half <= written + len(chunk):
                    write(chunk[: half - written])
                    _faults.point("record")
                    write(chunk[half - written :])
                else:
                    write(chunk)
                written += len(chunk)
