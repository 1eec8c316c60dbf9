"""The replay recorder's compact set of paths (ferrule.develop.path_log)."""

from __future__ import annotations

import tracemalloc

from ferrule.develop.path_log import PathLog


def _value(i: int) -> bytes:
    return i.to_bytes(4, "little")


def test_paths_come_back_in_order_with_their_first_value() -> None:
    log = PathLog(4)
    # Odd names too: an undecodable byte (surrogateescape'd), a lone surrogate (a legal
    # Windows name).
    odd = ["/", "/x\udcff", "/y\ud800"]
    paths = [f"/p/d{i % 7}/m{i}.py" for i in range(5000)] + ["/p/d1/m1.py", *odd]
    added = [log.add(path, _value(i)) for i, path in enumerate(paths)]
    assert added == [True] * 5000 + [False, True, True, True]  # the table grew several times
    assert len(log) == 5003
    expected = [*paths[:5000], *odd]
    assert list(log.paths()) == expected
    assert all(path in log for path in odd)
    firsts = [_value(i) for i in range(5000)] + [_value(5001), _value(5002), _value(5003)]
    assert list(log.items()) == list(zip(expected, firsts))
    assert "/p/d1/m1.py" in log and paths[1] == "/p/d1/m1.py"
    # The same name in another directory, a directory's prefix, a relative spelling: absent.
    assert all(p not in log for p in ("/p/d2/m1.py", "/p/d1", "/p/d1/m1", "p/d1/m1.py", 3))
    log.close()


def test_a_path_costs_its_name_not_an_object() -> None:
    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            log = PathLog(32)
            for i in range(count):
                log.add(f"/work/project/pkg/mod{i // 500:02d}/m{i:05d}.py", bytes(32))
            assert f"/work/project/pkg/mod00/m{count - 1:05d}.py" not in log or count <= 500
            log.close()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2000), peak(20_000)
    # 18,000 more paths: a dict of their strings and states would add about 190 bytes
    # each; the names (10 bytes), their offsets (4) and the hash table's slots (8 to 16,
    # twice that while it grows) about 50.
    assert large - small < 18_000 * 64, (small, large)
