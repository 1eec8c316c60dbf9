"""A reproducible, atomic ``.tar.gz`` writer for source distributions.

Entries are regular files only, sorted (``PKG-INFO`` first, as tools read it
without scanning the whole archive), owned by uid/gid 0 with empty owner
names, mode 0644 or 0755, and all stamped with one time: ``SOURCE_DATE_EPOCH``
or maturin's fixed 1153704088 (2006-07-23, Rust's first commit). The gzip
header carries no name and no time. The archive is written to a temporary
file that replaces the target only when complete.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import tarfile
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from ferrule import _faults
from ferrule._record import record
from ferrule.errors import FerruleError

__all__ = ["DEFAULT_MTIME", "SdistEntry", "sdist_mtime", "sort_key", "write_archive"]

DEFAULT_MTIME = 1153704088
_USTAR_MAX_MTIME = 8**11 - 1
_PART_TAG = "ferrule-"


@record
class SdistEntry:
    """One file of the sdist, below its ``<name>-<version>/`` directory.

    Either copied from ``source`` or made of ``data``; ``origin`` is the file
    generated ``data`` was rewritten from (a Cargo.toml, pyproject.toml).
    """

    arcname: str
    source: Path | None = None
    data: bytes | None = None
    executable: bool = False
    origin: Path | None = None

    def describe(self) -> str:
        if self.source is not None:
            return str(self.source)
        return f"a rewrite of {self.origin}" if self.origin is not None else "a generated file"

    def made_from(self) -> Path | None:
        """The file on disk this entry comes from (copied or rewritten), if any."""
        return self.source if self.source is not None else self.origin


def sdist_mtime(environ: Mapping[str, str]) -> int:
    """The timestamp of every entry.

    >>> sdist_mtime({}), sdist_mtime({"SOURCE_DATE_EPOCH": "1700000000"})
    (1153704088, 1700000000)
    >>> sdist_mtime({"SOURCE_DATE_EPOCH": "soon"})
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: SOURCE_DATE_EPOCH='soon' is not a whole number of seconds
    """
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return DEFAULT_MTIME
    try:
        value = int(raw)
    except ValueError:
        raise FerruleError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds") from None
    return min(max(value, 0), _USTAR_MAX_MTIME)


def sort_key(arcname: str) -> tuple[bool, tuple[str, ...]]:
    """``PKG-INFO`` first, then by path components (as maturin orders them).

    >>> sorted(["b", "a/b", "a-b", "PKG-INFO"], key=sort_key)
    ['PKG-INFO', 'a/b', 'a-b', 'b']
    """
    return (arcname != "PKG-INFO", tuple(arcname.split("/")))


def check_arcname(name: str) -> None:
    """Refuse names that could escape the sdist's directory when unpacked.

    >>> check_arcname("src/lib.rs")
    >>> check_arcname("../x")
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: unsafe path in the sdist: '../x'
    """
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\0" in name
        or any(p in ("", ".", "..") for p in parts)
    ):
        raise FerruleError(f"unsafe path in the sdist: {name!r}")


def _info(name: str, size: int, mtime: int, executable: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o755 if executable else 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def write_archive(
    target: Path, root: str, entries: Iterable[SdistEntry], environ: Mapping[str, str]
) -> Path:
    """Write ``target`` (a ``.tar.gz``) with ``entries`` below ``root/``."""
    mtime = sdist_mtime(environ)
    ordered = sorted(entries, key=lambda e: sort_key(e.arcname))
    target.parent.mkdir(parents=True, exist_ok=True)
    # The pid in the name lets a later run remove what a killed one left (ferrule._faults).
    stale = f".*.{_PART_TAG}*.part"
    _faults.sweep(target.parent, stale, lambda n: _faults.pid_after(n, _PART_TAG))
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{_PART_TAG}{os.getpid()}-", suffix=".part", dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        with contextlib.ExitStack() as stack:
            raw = stack.enter_context(os.fdopen(fd, "wb"))
            gz = stack.enter_context(
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)
            )
            tar = stack.enter_context(tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT))
            for entry in ordered:
                check_arcname(entry.arcname)
                name = f"{root}/{entry.arcname}"
                if entry.source is not None:
                    with entry.source.open("rb") as handle:
                        size = os.fstat(handle.fileno()).st_size
                        tar.addfile(_info(name, size, mtime, entry.executable), handle)
                else:
                    assert entry.data is not None
                    data = entry.data
                    tar.addfile(_info(name, len(data), mtime, entry.executable), io.BytesIO(data))
                _faults.point("sdist")
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
