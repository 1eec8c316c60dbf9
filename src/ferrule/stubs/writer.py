"""Where stub files go, writing them safely, and comparing them for ``--check``.

Stubs live in the project, where the build finds and ships them: for a
pure-Rust project the stub package ``<module>-stubs/`` in the project root
(``__init__.pyi``, one file per submodule, ``<module>.pyi`` for the
extension; shipped as ``<module>/…`` with ``py.typed``), for a mixed project
``<extension>.pyi`` (or an ``<extension>/`` stub package) next to the
extension inside the Python package, plus ``py.typed`` in that package.

Every generated file starts with :data:`~ferrule.stubs.render.HEADER`. A
stub file without it was written by hand and is never replaced without
``--force``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from ferrule import _atomic, _log
from ferrule._record import record
from ferrule.errors import StubsError
from ferrule.layout import ProjectLayout
from ferrule.stubs.render import HEADER

__all__ = ["StubFiles", "StubsError", "check", "is_generated", "plan", "write"]


@record
class StubFiles:
    """Stub files to write: ``files`` by absolute path; ``territory`` is where old ones may lie."""

    files: Mapping[Path, str]
    single: Path  # the one-file form of the root stub
    package: Path | None  # the stub-package form of the root stub (a directory)
    py_typed: Path | None
    root: Path  # for short names in messages

    def territory(self) -> list[Path]:
        """Existing stub files for this extension, in either form."""
        found = [self.single] if self.single.is_file() else []
        if self.package is not None and self.package.is_dir():
            found += sorted(self.package.rglob("*.pyi"))
        return found

    def show(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def is_generated(path: Path) -> bool:
    """Whether ``path`` starts with ferrule's header (so regenerating it loses nothing)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            return f.readline().rstrip("\n") == HEADER
    except OSError:
        return False


def plan(
    layout: ProjectLayout,
    project_dir: Path,
    rendered: Mapping[PurePosixPath, str],
    out_dir: Path | None = None,
) -> StubFiles:
    """Map rendered stubs to files on disk.

    ``rendered`` paths are relative to the extension's directory for a mixed
    layout, and to the package for a pure one (``__init__.pyi``, ``sub.pyi``, ...).
    """
    name = layout.extension_name
    if not layout.mixed:  # the stub package <module>-stubs/, or <module>/ under out_dir
        root = out_dir or project_dir
        base = root / name if out_dir is not None else root / f"{name}-stubs"
        files = {base / rel: text for rel, text in rendered.items()}
        return StubFiles(files, root / f"{name}.pyi", base, None, root)
    if out_dir is not None:
        base = out_dir.joinpath(*layout.extension_dir.parts)
        files = {base / rel: text for rel, text in rendered.items()}
        return StubFiles(files, base / f"{name}.pyi", base / name, None, out_dir)
    base = layout.python_dir.joinpath(*layout.extension_dir.parts)
    files = {base / rel: text for rel, text in rendered.items()}
    top = layout.module_name.split(".")[0]
    py_typed = layout.python_dir / top / "py.typed" if layout.extension_dir.parts else None
    return StubFiles(files, base / f"{name}.pyi", base / name, py_typed, project_dir)


def _stale(stubs: StubFiles) -> list[Path]:
    return [p for p in stubs.territory() if p not in stubs.files]


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that no reader sees half of it, keeping its mode."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_atomic.umask()
    _atomic.write_text(path, text, mode)


def write(stubs: StubFiles, *, force: bool = False) -> list[Path]:
    """Write the stubs; returns their paths. Refuses to replace hand-written stubs unless ``force``."""
    blocking = [
        p
        for p in [*stubs.files, *_stale(stubs)]
        if p.is_file()
        and not is_generated(p)
        and p.read_text(encoding="utf-8") != stubs.files.get(p)
    ]
    if blocking and not force:
        names = "\n".join(f"  {p}" for p in blocking)
        raise StubsError(
            f"refusing to replace stub files that ferrule did not generate:\n{names}\n"
            "they have no ferrule header, so they were probably written by hand; "
            "see the differences with `ferrule stubs --check`, then delete them "
            "(or rerun with --force) to let ferrule generate them"
        )
    for path, text in stubs.files.items():
        if not (path.is_file() and path.read_text(encoding="utf-8") == text):
            _replace(path, text)
            _log.info(f"wrote {stubs.show(path)}")
    for path in _stale(stubs):
        path.unlink()
        _log.info(f"removed {stubs.show(path)}, which no longer matches a module")
    _remove_empty_dirs(stubs.package)
    if stubs.py_typed is not None and not stubs.py_typed.exists():
        stubs.py_typed.parent.mkdir(parents=True, exist_ok=True)
        stubs.py_typed.touch()
        _log.info(f"wrote {stubs.show(stubs.py_typed)} (type checkers read the stubs only with it)")
    return sorted(stubs.files)


def _remove_empty_dirs(directory: Path | None) -> None:
    if directory is None or not directory.is_dir():
        return
    for path in sorted(directory.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if not any(directory.iterdir()):
        directory.rmdir()


def _diff(old: Iterable[str], new: Iterable[str], name: str, missing: str) -> str:
    lines = difflib.unified_diff(
        list(old), list(new), fromfile=missing or f"a/{name}", tofile=f"b/{name}"
    )
    return "".join(lines)


def check(stubs: StubFiles) -> list[str]:
    """How the stubs on disk differ from ``stubs``: one unified diff or note per file."""
    problems = []
    for path, text in sorted(stubs.files.items()):
        name = stubs.show(path)
        if not path.is_file():
            problems.append(_diff([], text.splitlines(True), name, "/dev/null"))
            continue
        current = path.read_text(encoding="utf-8")
        if current != text:
            problems.append(_diff(current.splitlines(True), text.splitlines(True), name, ""))
    for path in _stale(stubs):
        name = stubs.show(path)
        old = path.read_text(encoding="utf-8").splitlines(True)
        problems.append(_diff(old, [], name, "").replace(f"+++ b/{name}", "+++ /dev/null", 1))
    if stubs.py_typed is not None and not stubs.py_typed.exists():
        problems.append(
            f"missing {stubs.show(stubs.py_typed)} (type checkers ignore the stubs without it)\n"
        )
    return problems
