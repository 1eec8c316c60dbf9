"""``ferrule cache info`` and ``ferrule cache clean``: ferrule's cache store (:mod:`ferrule._store`).

A ferrule command of its own (maturin has none): where the store is, what it
holds by kind, its size and cap; and emptying it, wholly or one kind.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ferrule import _store
from ferrule.errors import FerruleError


def register(sub: Any) -> None:
    p = sub.add_parser("cache", help="show or empty ferrule's cache (a ferrule extension)")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("info", help="where the cache is, its entries by kind, size and cap")
    clean = actions.add_parser("clean", help="remove every entry (or those of one kind)")
    clean.add_argument("--kind", choices=_store.KINDS, help="remove only this kind of entry")


def _size(n: int) -> str:
    """
    >>> _size(512), _size(3 << 20)
    ('512 B', '3.0 MiB')
    """
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f} {unit}"
    return f"{n} B"


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    environ = dict(os.environ)
    root = _store.cache_root(environ, even_off=True)
    if root is None:
        raise FerruleError("ferrule has no cache directory: set FERRULE_CACHE_DIR (or HOME)")
    store = _store.Store(str(Path(root).absolute()), _store.cache_cap(environ))
    if args.action == "clean":
        count, size = store.clean(args.kind)
        what = f"{args.kind} entries" if args.kind else "entries"
        print(f"removed {count} {what} ({_size(size)}) from {store.root}")
        return 0
    counts: dict[str, list[int]] = {}
    for kind, _path, size, _mtime in store.entries():
        found = counts.setdefault(kind, [0, 0])
        found[0] += 1
        found[1] += size
    total = sum(size for _, size in counts.values())
    off = " (off: FERRULE_NO_CACHE is set)" if _store.caching_off(environ) else ""
    print(f"root: {store.root}{off}")
    print(f"size: {_size(total)} of {_size(store.cap)} (FERRULE_CACHE_SIZE)")
    for kind in sorted(counts):
        count, size = counts[kind]
        print(f"{kind}: {count} entr{'y' if count == 1 else 'ies'}, {_size(size)}")
    return 0
