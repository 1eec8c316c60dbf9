"""Install files into an environment the way an installer does, without a wheel or pip.

A distribution is written as pip would write it from a wheel: package files
under platlib (ferrule's wheels are ``Root-Is-Purelib: false``), ``.data``
entries into their scheme directories, console scripts into ``scripts``, and a
``.dist-info`` with ``INSTALLER`` (``ferrule``), ``REQUESTED``,
``direct_url.json`` and a ``RECORD`` that lists every file with its hash, so that
``pip uninstall``, ``pip check``, ``uv pip`` and ``importlib.metadata`` treat it
like any other install.

Every file is written to a temporary name and moved into place, so a process
that has the old extension loaded keeps its (unlinked) copy and never sees a
half-written one.
"""

from __future__ import annotations

import base64
import configparser
import csv
import hashlib
import io
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name

from ferrule import _atomic, _faults, _log
from ferrule._atomic import TMP_SUFFIX
from ferrule.develop.environment import SCHEMES, TargetEnvironment
from ferrule.errors import FerruleError

__all__ = ["Installer", "find_installed", "read_record", "script_text", "uninstall"]

_CHUNK = 1 << 20


def _record_hash(digest: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _dist_info_name(directory: str) -> str | None:
    """The canonical project name of a ``.dist-info`` directory name.

    >>> _dist_info_name("Develop_Mixed-0.1.0.dist-info"), _dist_info_name("x.egg-info")
    ('develop-mixed', None)
    """
    if not directory.endswith(".dist-info"):
        return None
    return canonicalize_name(directory[: -len(".dist-info")].rsplit("-", 1)[0])


def find_installed(env: TargetEnvironment, name: str) -> list[Path]:
    """Every ``.dist-info`` of project ``name`` in the environment's site-packages."""
    wanted = canonicalize_name(name)
    found: list[Path] = []
    for site in dict.fromkeys((env.platlib, env.purelib)):
        try:
            entries = sorted(p.name for p in site.iterdir())
        except OSError:
            continue
        found += [site / d for d in entries if _dist_info_name(d) == wanted]
    return found


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def read_record(dist_info: Path) -> list[Path]:
    """The files a ``.dist-info/RECORD`` lists, as paths (RECORD itself included)."""
    try:
        text = (dist_info / "RECORD").read_text(encoding="utf-8")
    except OSError:
        return []
    site = dist_info.parent
    rows = csv.reader(io.StringIO(text))
    return [Path(os.path.normpath(site / row[0])) for row in rows if row and row[0]]


def uninstall(
    env: TargetEnvironment,
    dist_info: Path,
    files: list[Path] | None = None,
    keep: frozenset[Path] = frozenset(),
) -> int:
    """Remove what ``dist_info/RECORD`` lists (inside the environment only), then the directory.

    ``files`` is the RECORD read earlier (before a new install replaced it);
    paths in ``keep`` (the new install's) stay, and so does the directory if it is
    one of them. Returns the number of files removed. Byte-code of removed
    modules and directories left empty go too, as with ``pip uninstall``.
    """
    removed = 0
    parents: set[Path] = set()
    paths = read_record(dist_info) if files is None else files
    for path in paths:
        if path in keep:
            continue
        if not _within(path, env.prefix):
            _log.warn(f"not removing {path}: it is outside {env.prefix}")
            continue
        targets = [path]
        if path.suffix == ".py":
            cache = path.parent / "__pycache__"
            if cache.is_dir():
                targets += list(cache.glob(f"{path.stem}.*.pyc"))
        for target in targets:
            if target in keep:
                continue
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            except IsADirectoryError:
                continue  # RECORD lists files; a directory is not ours to remove
            except OSError as exc:
                raise FerruleError(
                    f"cannot remove {target} (installed by {dist_info.name}): {exc.strerror}"
                ) from None
            removed += 1
            parents.add(target.parent)
    if not any(k.parent == dist_info for k in keep):
        shutil.rmtree(dist_info, ignore_errors=True)
    # Directories left empty, deepest first, never above the site or scheme directories.
    stops = {env.prefix, *(env.scheme_dir(s) for s in SCHEMES)}
    for directory in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        current = directory
        while current not in stops and _within(current, env.prefix):
            try:
                current.rmdir()  # only succeeds when empty
            except OSError:
                break
            current = current.parent
    return removed


def _shebang(python: Path) -> str:
    """A ``#!`` line for ``python``; long paths or spaces go through /bin/sh, as pip does.

    >>> _shebang(Path("/v/bin/python"))
    '#!/v/bin/python\\n'
    >>> print(_shebang(Path("/a dir/bin/python")), end="")
    #!/bin/sh
    '''exec' '/a dir/bin/python' "$0" "$@"
    ' '''
    """
    text = str(python)
    if " " not in text and len(text) <= 127:
        return f"#!{text}\n"
    quoted = "'" + text.replace("'", "'\\''") + "'"
    return f"#!/bin/sh\n'''exec' {quoted} \"$0\" \"$@\"\n' '''\n"


def script_text(python: Path, target: str) -> bytes:
    """A console script for ``module:attr``, like the ones pip generates.

    >>> print(script_text(Path("/v/bin/python"), "pkg.cli:main").decode(), end="")
    #!/v/bin/python
    # -*- coding: utf-8 -*-
    import re
    import sys
    from pkg.cli import main
    if __name__ == "__main__":
        sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
        sys.exit(main())
    """
    module, _, attr = target.partition(":")
    module, attr = module.strip(), attr.split("[", 1)[0].strip()
    if not attr:
        raise FerruleError(f"entry point {target!r} must be 'module:function'")
    head = attr.split(".", 1)[0]
    return (
        _shebang(python) + "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        f"from {module} import {head}\n"
        'if __name__ == "__main__":\n'
        '    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])\n'
        f"    sys.exit({attr}())\n"
    ).encode()


def scripts_from_entry_points(entry_points: bytes | None) -> dict[str, str]:
    """``console_scripts`` and ``gui_scripts`` of an ``entry_points.txt``.

    >>> scripts_from_entry_points(b"[console_scripts]\\nfoo = pkg:main\\n[other]\\nx = y:z\\n")
    {'foo': 'pkg:main'}
    """
    if not entry_points:
        return {}
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(entry_points.decode("utf-8"))
    out: dict[str, str] = {}
    for group in ("console_scripts", "gui_scripts"):
        if parser.has_section(group):
            out.update(parser.items(group))
    return out


class Installer:
    """Write one distribution's files, then its ``.dist-info`` with ``RECORD`` last."""

    def __init__(self, env: TargetEnvironment, dist_info: str) -> None:
        self.env = env
        self.site = env.platlib
        self.dist_info = self.site / dist_info
        self._rows: list[tuple[str, str, str]] = []
        self.written: list[Path] = []
        self._swept: set[Path] = set()
        # Byte-compile as pip does, when this interpreter's byte-code is the target's.
        interp = env.interpreter
        self._compile = (interp.implementation, interp.version) == (
            sys.implementation.name,
            tuple(sys.version_info[:2]),
        )

    def _relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.site)).as_posix()

    def _write(self, dest: Path, chunks: Iterable[bytes], executable: bool) -> None:
        if not _within(dest, self.env.prefix):
            raise FerruleError(f"refusing to write {dest}: it is outside {self.env.prefix}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.parent not in self._swept:  # what a killed install left here
            self._swept.add(dest.parent)
            _faults.sweep(
                dest.parent, f".*{TMP_SUFFIX}", lambda n: _faults.pid_before(n, TMP_SUFFIX)
            )
        digest = hashlib.sha256()
        size = 0
        mode = (0o755 if executable else 0o644) & ~_atomic.umask()
        with _atomic.replacing(dest, mode) as tmp, tmp.open("wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                out.flush()
                _faults.point("develop-install")
        self._rows.append((self._relative(dest), _record_hash(digest.digest()), str(size)))
        self.written.append(dest)
        if self._compile and dest.suffix == ".py" and dest.parent != self.env.scripts:
            self._byte_compile(dest)

    def _byte_compile(self, source: Path) -> None:
        import importlib.util
        import py_compile

        cached = Path(importlib.util.cache_from_source(str(source)))
        try:
            py_compile.compile(str(source), cfile=str(cached), doraise=True)
        except (py_compile.PyCompileError, OSError) as exc:
            _log.debug(f"not byte-compiling {source}: {exc}")
            return
        data = cached.read_bytes()
        digest = _record_hash(hashlib.sha256(data).digest())
        self._rows.append((self._relative(cached), digest, str(len(data))))
        self.written.append(cached)

    def add_bytes(self, scheme: str, rel: str, data: bytes, executable: bool = False) -> Path:
        dest = self.env.scheme_dir(scheme) / rel
        self._write(dest, [data], executable)
        return dest

    def add_file(self, scheme: str, rel: str, source: Path, executable: bool = False) -> Path:
        dest = self.env.scheme_dir(scheme) / rel

        def chunks() -> Iterable[bytes]:
            with source.open("rb") as src:
                while chunk := src.read(_CHUNK):
                    yield chunk

        self._write(dest, chunks(), executable)
        return dest

    def add_meta(self, name: str, data: bytes) -> Path:
        dest = self.dist_info / name
        self._write(dest, [data], False)
        return dest

    def finish(self) -> Path:
        """Write ``RECORD`` (which lists itself without a hash)."""
        record = self.dist_info / "RECORD"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in sorted(self._rows):
            writer.writerow(row)
        writer.writerow((self._relative(record), "", ""))
        _faults.point("develop-record")
        _atomic.write_text(record, buffer.getvalue())
        self.written.append(record)
        return record
