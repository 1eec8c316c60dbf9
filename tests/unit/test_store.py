"""ferrule's one cache store (:mod:`ferrule._store`) and ``ferrule cache info|clean``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ferrule import _import_hook, _store


def test_root_cap_and_switch() -> None:
    assert _store.cache_root({"FERRULE_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == "/c"
    assert _store.cache_root({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == os.path.join(
        "/x", "ferrule"
    )
    assert _store.open_store({"FERRULE_CACHE_DIR": "/c", "FERRULE_NO_CACHE": "yes"}) is None
    store = _store.open_store({"FERRULE_CACHE_DIR": "/c", "FERRULE_CACHE_SIZE": "3M"})
    assert store is not None and store.cap == 3 << 20


def test_entries_are_checked_and_damage_is_a_miss(tmp_path: Path) -> None:
    store = _store.Store(str(tmp_path))
    store.put("build", ("cwd", "cmd"), {"value": (1, b"x")}, key="k1")
    assert store.get("build", ("cwd", "cmd"), "k1") == {"value": (1, b"x"), "key": "k1"}
    assert store.get("build", ("cwd", "cmd"), "k2") is None  # another key: a miss
    assert store.get("build", ("cwd", "other"), "k1") is None
    path = Path(store.path("build", ("cwd", "cmd")))
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert store.get("build", ("cwd", "cmd"), "k1") is None
    assert not list(path.parent.glob("*.tmp"))  # written under a temporary name, then renamed


def test_a_blob_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    store = _store.Store(str(tmp_path))
    target = os.path.join(store.root, "blobs", "digest")

    def parts() -> Iterator[bytes]:
        yield b"half"
        raise OSError("disk full")

    store._write_chunks(target, parts())
    assert os.listdir(os.path.dirname(target)) == []


def test_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    store = _store.Store(str(tmp_path), cap=10_000)
    for n in range(10):
        store.put("metadata", n, {"pad": b"x" * 1_000})
        past = time.time_ns() - (100 - n) * 10**9  # entry 0 oldest
        os.utime(store.path("metadata", n), ns=(past, past))
    assert store.get("metadata", 0) is not None  # used now: the most recent
    store.put("metadata", 10, {"pad": b"x" * 1_000})
    assert store.evict() > 0
    kept = {n for n in range(11) if Path(store.path("metadata", n)).exists()}
    total = sum(size for _, _, size, _ in store.entries())
    assert total <= store.cap * 3 // 4
    assert {0, 10} <= kept and 1 not in kept and 2 not in kept


def test_a_rewrite_keeping_size_and_mtime_is_seen(tmp_path: Path) -> None:
    """A tool that rewrites a file and puts its size and mtime back (and keeps the inode)."""
    path = tmp_path / "lib.rs"
    path.write_text("fn a() -> u8 { 1 }")
    recorded = _store.states([str(path)])
    stamp = _import_hook.stat_key(str(path))
    st = path.stat()
    time.sleep(0.01)
    with path.open("r+") as f:  # in place: same inode
        f.write("fn a() -> u8 { 2 }")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ino,
    )
    assert not _store.unchanged(recorded)
    assert _import_hook.stat_key(str(path)) != stamp


def test_the_import_hook_keeps_the_same_fields(tmp_path: Path) -> None:
    """``_import_hook`` is shipped stdlib-only with its own copy of the file state."""
    path = tmp_path / "f"
    path.write_text("x")
    size, mtime, ctime, _inode = _store.file_state(str(path))  # type: ignore[misc]
    assert _import_hook.stat_key(str(path)) == (str(mtime), str(size), str(ctime))
    assert _import_hook.stat_key(str(tmp_path / "missing")) == ("-", "-", "-")
    assert _store.file_state(str(tmp_path / "missing")) is None


def _cache(args: list[str], root: Path) -> str:
    env = {**os.environ, "FERRULE_CACHE_DIR": str(root), "FERRULE_CACHE_SIZE": "1M"}
    env.pop("FERRULE_NO_CACHE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "ferrule", "cache", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def test_cache_info_and_clean(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    store = _store.Store(str(root))
    store.put("metadata", 1, {"pad": b"x" * 2048})
    store.put("wheel", 1, {})
    store.put("wheel", 2, {})
    (root / "tools").mkdir()
    (root / "tools" / "cbindgen").write_text("not an entry")
    info = _cache(["info"], root)
    assert f"root: {root}" in info and "of 1.0 MiB" in info
    assert "metadata: 1 entry, 2.0 KiB" in info and "wheel: 2 entries" in info
    assert "tools" not in info
    assert _cache(["clean", "--kind", "wheel"], root).startswith("removed 2 wheel entries")
    assert "wheel" not in _cache(["info"], root)
    assert _cache(["clean"], root).startswith("removed 1 entries")
    assert "metadata" not in _cache(["info"], root)
    assert (root / "tools" / "cbindgen").exists()
