"""ferrule.wheel.manifest's Entry on its own: every field, its text and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferrule.errors import WheelError
from ferrule.wheel.manifest import Entry, plan_entries, wheel_entries
from tests.unit.wheel.test_manifest import metadata


def test_an_entry_keeps_every_field_and_says_them() -> None:
    entry = Entry("pkg/x.py", source="/p/x.py", data=b"d", executable=True, project_file=True)
    assert (entry.arcname, entry.source_path, entry.data) == ("pkg/x.py", "/p/x.py", b"d")
    assert entry.source == Path("/p/x.py")
    assert entry.executable is True and entry.project_file is True
    assert repr(entry) == (
        "Entry(arcname='pkg/x.py', source=PosixPath('/p/x.py'), data=b'd', "
        "executable=True, project_file=True)"
    )
    plain = Entry("a")
    assert (plain.source, plain.source_path, plain.data) == (None, None, None)
    assert plain.executable is False and plain.project_file is False
    assert repr(plain) == (
        "Entry(arcname='a', source=None, data=None, executable=False, project_file=False)"
    )


def test_a_tail_entry_is_a_project_file_named_by_its_path_end() -> None:
    entry = Entry.tail("/src/py/pkg/a.py", 8)
    assert entry.arcname == "pkg/a.py"
    assert (entry.data, entry.executable, entry.project_file) == (None, False, True)
    assert entry.source == Path("/src/py/pkg/a.py")
    assert repr(entry) == (
        "Entry(arcname='pkg/a.py', source=PosixPath('/src/py/pkg/a.py'), data=None, "
        "executable=False, project_file=True)"
    )


@pytest.mark.parametrize(
    "other",
    [
        Entry("b", source="/s"),
        Entry("a", source="/t"),
        Entry("a", source="/s", data=b""),
        Entry("a", source="/s", executable=True),
        Entry("a", source="/s", project_file=True),
        ("a", Path("/s"), None, False, False),
    ],
)
def test_entries_differ_by_any_field(other: object) -> None:
    entry = Entry("a", source="/s")
    assert entry != other
    assert entry == Entry("a", source=Path("/s"))
    assert hash(entry) == hash(("a", Path("/s"), None, False, False))


def test_an_entry_is_immutable() -> None:
    entry = Entry("a")
    with pytest.raises(AttributeError) as e:
        entry.data = b"x"  # type: ignore[misc]
    assert str(e.value) == "Entry is immutable: cannot set data"
    assert entry.data is None


def test_a_file_reached_twice_keeps_every_later_entry(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("")
    (tmp_path / "alias.py").symlink_to(a)
    plan = plan_entries(
        metadata(),
        [],
        b"W",
        [Entry("demo/a.py", source=a), Entry("demo/b.py", data=b"b")],
        [Entry("demo/a.py", source=tmp_path / "alias.py"), Entry("demo/c.py", data=b"c")],
    )
    assert [(e.arcname, e.source) for e in plan] == [
        ("demo/a.py", tmp_path / "alias.py"),
        ("demo/b.py", None),
        ("demo/c.py", None),
        ("demo-1.0.dist-info/METADATA", None),
        ("demo-1.0.dist-info/WHEEL", None),
    ]


def test_a_dist_info_name_given_earlier_is_refused_though_not_next(tmp_path: Path) -> None:
    """An include named like a dist-info file, with entries between it and the
    generated one: the dist-info names are looked up, not only the previous entry."""
    a = tmp_path / "META"
    a.write_text("")
    with pytest.raises(WheelError) as e:
        plan_entries(
            metadata(),
            [],
            b"W",
            [Entry("zzz/x.py", data=b"")],
            [Entry("demo-1.0.dist-info/METADATA", source=a)],
        )
    assert str(e.value) == (
        f"two files map to demo-1.0.dist-info/METADATA in the wheel: {a} and a generated file"
    )


def test_every_pass_over_the_wheel_entries_gives_the_same_entries(tmp_path: Path) -> None:
    """The stamp and the writer each go over the entries (made again, issue 22); the
    second pass merges by the positions the first found: the same list, in the same
    order, whether the first pass found a file reached twice or not."""
    a = tmp_path / "a.py"
    a.write_text("")
    (tmp_path / "alias.py").symlink_to(a)
    files = [Entry("demo/a/x.py", data=b""), Entry("demo/b.py", data=b""), Entry("z.py", data=b"")]
    native = [
        Entry("demo/_native.so", data=b""),
        Entry("demo/a.py", data=b""),
        Entry("zz", data=b""),
    ]
    for package, extra in (
        (files, []),
        ([*files, Entry("zz/a.py", source=a)], [Entry("zz/a.py", source=tmp_path / "alias.py")]),
    ):
        entries = wheel_entries(metadata(), native, b"W", package, extra)
        first = [(e.arcname, e.source) for e in entries]
        assert [(e.arcname, e.source) for e in entries] == first
        assert [(e.arcname, e.source) for e in entries] == first
        names = [name for name, _ in first]
        assert names == [
            "demo/_native.so",
            "demo/a/x.py",
            "demo/a.py",
            "demo/b.py",
            "z.py",
            "zz",
            *(["zz/a.py"] if extra else []),
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/WHEEL",
        ]
