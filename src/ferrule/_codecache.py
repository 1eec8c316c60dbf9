"""ferrule's own compiled modules, kept across build environments.

Frontends install the build backend into a fresh environment for every
isolated build, and none of pip (``--no-compile`` since 25.1), ``build`` and uv
byte-compiles it there. So every isolated build compiled, from source, the
~45 modules that ``build_wheel`` imports: on the benchmark machine about a third
of the hook's own time.

This module keeps those code objects in ferrule's cache store (kind ``code``,
see :mod:`ferrule._store`), keyed by what the compiled code follows from: the source's bytes
(their PEP 552 hash, as hash-based ``.pyc`` files use), the interpreter's
bytecode magic number and cache tag, and the optimisation level. The usual
``__pycache__`` files come first: only a module whose ``.pyc`` is missing or
stale is looked up here (``importlib``'s ``source_to_code`` step), and a cached
code object gets the module's real file name back, so tracebacks point at the
installed source. A damaged or foreign entry is ignored and compiled again.

It applies to ferrule's own package and to the submodules of the packages its
hooks import (``packaging``, ``pyproject_metadata``, ``tomlkit``, ``tomli``), and not at all when
``PYTHONDONTWRITEBYTECODE`` is set (``sys.dont_write_bytecode``) or the cache is
off (``FERRULE_NO_CACHE=1``). Standard library only; it must be cheap enough to
run at the start of every hook that imports the build machinery.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import CodeType

__all__ = ["enable", "entry_name"]

_enabled = False


def entry_name(source: bytes, magic: bytes, cache_tag: str, optimize: int) -> str:
    """The cache entry of one module's code, named by everything the code follows from.

    >>> a = entry_name(b"x = 1\\n", b"\\xa7\\r\\r\\n", "cpython-311", 0)
    >>> a == entry_name(b"x = 1\\n", b"\\xa7\\r\\r\\n", "cpython-311", 0), a[:16]
    (True, 'cpython-311-opt0')
    >>> len({a, entry_name(b"x = 2\\n", b"\\xa7\\r\\r\\n", "cpython-311", 0),
    ...      entry_name(b"x = 1\\n", b"\\xa8\\r\\r\\n", "cpython-311", 0),
    ...      entry_name(b"x = 1\\n", b"\\xa7\\r\\r\\n", "cpython-311", 1)})
    4
    """
    import importlib.util

    digest = importlib.util.source_hash(source).hex()
    return f"{cache_tag}-opt{optimize}-{magic.hex()}-{len(source)}-{digest}.code"


def enable(environ: Mapping[str, str]) -> bool:
    """Serve ferrule's modules that are not imported yet through the cache.

    Returns whether the cache is in use. Safe to call more than once.
    """
    global _enabled  # noqa: PLW0603 - once per process, like the import system it extends
    if _enabled:
        return True
    if sys.dont_write_bytecode or sys.implementation.cache_tag is None:
        return False
    from ferrule import _store

    opened = _store.open_store(environ)
    if opened is None:
        return False
    store = opened  # for the loader class below
    import importlib.util
    from importlib import machinery

    magic = importlib.util.MAGIC_NUMBER
    tag = sys.implementation.cache_tag
    optimize = sys.flags.optimize

    class CachingLoader(machinery.SourceFileLoader):
        """A source loader whose compile step looks in ferrule's cache first."""

        def source_to_code(  # type: ignore[override]
            self, data: bytes, path: str, *, _optimize: int = -1
        ) -> CodeType:
            level = optimize if _optimize == -1 else _optimize
            name = entry_name(data, magic, tag, level)
            code = _fixed((store.get("code", name) or {}).get("code"), path)
            if code is not None:
                return code
            code = super().source_to_code(data, path, _optimize=_optimize)
            store.put("code", name, {"code": code})
            return code

        def _cache_bytecode(self, source_path: str, bytecode_path: str, data: bytes) -> None:
            """No ``.pyc`` next to the source: the store keeps the code, and a build
            environment is removed when the build ends (its files are the frontend's
            to delete: each one written costs twice)."""

    # The default loaders, with the source loader replaced.
    details = (
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (CachingLoader, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES),
    )
    # ferrule's package directory from this file (`import ferrule` would climb the
    # layers: the package object is the backend, docs/architecture.md), and those of
    # the dependencies its hooks import, installed in the same fresh environment.
    for package_dir in [os.path.dirname(os.path.abspath(__file__)), *_dependency_dirs()]:
        for current, dirs, _files in os.walk(package_dir):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            sys.path_importer_cache[current] = machinery.FileFinder(current, *details)
    _enabled = True
    return True


# The packages ferrule's hooks import, compiled afresh in every isolated build too.
_DEPENDENCIES = ("packaging", "pyproject_metadata", "tomlkit", "tomli")


def _dependency_dirs() -> list[str]:
    """The directories of the dependencies not imported yet; a package's own
    ``__init__`` is compiled the usual way (its directory's finder is the one that
    lists the whole environment: it stays the default)."""
    found = []
    for name in _DEPENDENCIES:
        if name in sys.modules:
            continue  # its submodules may be imported already: leave it as it is
        for entry in sys.path:
            candidate = os.path.join(entry or ".", name)
            if os.path.isfile(os.path.join(candidate, "__init__.py")):
                found.append(candidate)
                break
    return found


def _fixed(code: object, path: str) -> CodeType | None:
    """A cached code object, renamed after the file it is imported from (None: not one)."""
    import _imp

    # What importlib itself does with a .pyc compiled elsewhere: tracebacks and
    # inspect then name the file the module was imported from.
    fix = getattr(_imp, "_fix_co_filename", None)
    if type(code).__name__ != "code" or fix is None:
        return None
    fix(code, path)
    return code  # type: ignore[return-value]
