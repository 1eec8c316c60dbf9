"""What goes into a wheel (ferrule.wheel.manifest): the file walk, the entries, their order.

Real trees on disk (links, .gitignore files, caches); the expected lists are spelled out.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from ferrule.errors import LayoutError, WheelError
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata
from ferrule.wheel.manifest import (
    Entry,
    FileSelection,
    package_entries,
    plan_entries,
    walk_files,
    walk_paths,
    wheel_file,
)


def tree(root: Path, files: list[str]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)


def walked(root: Path, selection: FileSelection) -> list[str]:
    return [p.relative_to(root).as_posix() for p in walk_files(root, selection)]


def test_walk_skips_caches_bytecode_vcs_files_and_egg_info(tmp_path: Path) -> None:
    tree(
        tmp_path,
        [
            "pkg/__init__.py",
            "pkg/b.py",
            "pkg/a/x.py",
            "pkg/mod.pyc",
            "pkg/mod.pyo",
            "pkg/.gitkeep",
            "pkg/.gitattributes",
            "pkg/.hgignore",
            "pkg/.hgtags",
            "pkg/.hidden.py",
            "pkg/__pycache__/m.cpython-311.pyc",
            "pkg/.git/HEAD",
            "pkg/.hg/x",
            "pkg/.svn/x",
            "pkg/.mypy_cache/x",
            "pkg/.pytest_cache/x",
            "pkg/.ruff_cache/x",
            "pkg/x.egg-info/PKG-INFO",
            "pkg/egg-info/kept.txt",
        ],
    )
    # In maturin's order: by path components, a directory's files where its name sorts.
    assert walked(tmp_path, FileSelection(tmp_path)) == [
        "pkg/.hidden.py",
        "pkg/__init__.py",
        "pkg/a/x.py",
        "pkg/b.py",
        "pkg/egg-info/kept.txt",
    ]


def test_gitignore_files_from_the_project_root_down(tmp_path: Path) -> None:
    tree(
        tmp_path,
        [
            "py/pkg/a.py",
            "py/pkg/gen.c",
            "py/pkg/build/x.py",
            "py/pkg/sub/keep.log",
            "py/pkg/sub/b.log",
            "top.log",
        ],
    )
    (tmp_path / ".gitignore").write_text("*.c\nbuild/\n")
    (tmp_path / "py" / ".gitignore").write_text("*.log\n")
    (tmp_path / "py" / "pkg" / "sub" / ".gitignore").write_text("!keep.log\n")
    root = tmp_path / "py" / "pkg"
    assert walked(root, FileSelection(tmp_path)) == ["a.py", "sub/keep.log"]
    # Off: every file but .gitignore itself.
    assert walked(root, FileSelection(tmp_path, gitignore=False)) == [
        "a.py",
        "build/x.py",
        "gen.c",
        "sub/b.log",
        "sub/keep.log",
    ]
    # A .gitignore above the project root is not the project's.
    assert walked(root, FileSelection(root)) == [
        "a.py",
        "build/x.py",
        "gen.c",
        "sub/b.log",
        "sub/keep.log",
    ]


def test_excludes_are_relative_to_the_project_root(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg/a.py", "pkg/tests/t.py", "pkg/b.txt"])
    sel = FileSelection(tmp_path, exclude=("pkg/tests/**", "**/*.txt"))
    assert walked(tmp_path / "pkg", sel) == ["a.py"]
    # Files not below the root as spelled (the root given through a link) match no glob.
    (tmp_path.parent / f"{tmp_path.name}-link").symlink_to(tmp_path)
    linked = FileSelection(tmp_path.parent / f"{tmp_path.name}-link", exclude=("**/*.txt",))
    assert walked(tmp_path / "pkg", linked) == ["a.py", "b.txt", "tests/t.py"]


def test_links_inside_are_followed_links_outside_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    tree(project, ["pkg/a.py", "shared/s.py"])
    (project / "pkg" / "link.py").symlink_to(project / "shared" / "s.py")
    (project / "pkg" / "dir").symlink_to(project / "shared")
    assert walked(project / "pkg", FileSelection(project)) == ["a.py", "dir/s.py", "link.py"]

    tree(tmp_path, ["secret.txt", "secrets/x"])
    (project / "pkg" / "out.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(LayoutError) as e:
        list(walk_files(project / "pkg", FileSelection(project)))
    link = project / "pkg" / "out.txt"
    assert (
        str(e.value)
        == f"{link} is a link to {tmp_path / 'secret.txt'}, outside the project {project}"
    )
    link.unlink()

    (project / "pkg" / "outdir").symlink_to(tmp_path / "secrets")
    with pytest.raises(LayoutError) as e:
        list(walk_files(project / "pkg", FileSelection(project)))
    link = project / "pkg" / "outdir"
    assert (
        str(e.value) == f"{link} is a link to {tmp_path / 'secrets'}, outside the project {project}"
    )
    link.unlink()

    (project / "pkg" / "broken.py").symlink_to(project / "missing.py")
    with pytest.raises(LayoutError) as e:
        list(walk_files(project / "pkg", FileSelection(project)))
    assert str(e.value) == f"{project / 'pkg' / 'broken.py'} is a broken link or not a regular file"
    (project / "pkg" / "broken.py").unlink()

    (project / "pkg" / "loop").symlink_to(project / "pkg")
    with pytest.raises(LayoutError) as e:
        list(walk_files(project / "pkg", FileSelection(project)))
    assert (
        str(e.value)
        == f"{project / 'pkg' / 'loop'} is a symbolic link loop (it leads back to {project / 'pkg'})"
    )


def metadata(
    entry_points: bytes | None = None, licenses: tuple[tuple[str, Path], ...] = ()
) -> PackageMetadata:
    return PackageMetadata("demo", "1.0", "demo", b"META", entry_points, licenses, None)


def test_plan_orders_by_components_with_dist_info_last(tmp_path: Path) -> None:
    lic = tmp_path / "LICENSE"
    lic.write_text("MIT")
    native = [
        Entry("demo/_native.so", source=tmp_path / "n.so"),
        Entry("demo_native.so", data=b"n"),
    ]
    package = [
        Entry("demo/a.py", data=b""),
        Entry("demo/a/b.py", data=b""),
        Entry("demo-1.0.data/scripts/t", data=b""),
    ]
    extra = [Entry("demo/README.md", data=b"r")]
    sbom = [Entry("demo-1.0.dist-info/sboms/x.json", data=b"{}")]
    plan = plan_entries(
        metadata(b"[console_scripts]\n", (("LICENSE", lic),)),
        native,
        b"WHEEL",
        package,
        extra,
        sbom,
    )
    assert [e.arcname for e in plan] == [
        "demo/README.md",
        "demo/_native.so",
        "demo/a/b.py",
        "demo/a.py",
        "demo-1.0.data/scripts/t",
        "demo_native.so",
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL",
        "demo-1.0.dist-info/entry_points.txt",
        "demo-1.0.dist-info/licenses/LICENSE",
        "demo-1.0.dist-info/sboms/x.json",
    ]
    by_name = {e.arcname: e for e in plan}
    assert by_name["demo-1.0.dist-info/METADATA"].data == b"META"
    assert by_name["demo-1.0.dist-info/WHEEL"].data == b"WHEEL"
    assert by_name["demo-1.0.dist-info/entry_points.txt"].data == b"[console_scripts]\n"
    assert by_name["demo-1.0.dist-info/licenses/LICENSE"].source == lic
    assert [e.arcname for e in plan_entries(metadata(), [], b"W", [])] == [
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/WHEEL",
    ]


def test_one_file_reached_twice_goes_in_once_two_files_are_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("")
    b.write_text("")
    (tmp_path / "alias.py").symlink_to(a)
    once = plan_entries(
        metadata(),
        [],
        b"W",
        [Entry("demo/a.py", source=a)],
        [Entry("demo/a.py", source=tmp_path / "alias.py")],
    )
    assert [e.arcname for e in once if e.arcname == "demo/a.py"] == ["demo/a.py"]
    with pytest.raises(WheelError) as e:
        plan_entries(
            metadata(), [], b"W", [Entry("demo/a.py", source=a)], [Entry("demo/a.py", source=b)]
        )
    assert str(e.value) == f"two files map to demo/a.py in the wheel: {b} and {a}"
    with pytest.raises(WheelError) as e:
        plan_entries(
            metadata(), [Entry("demo/a.py", data=b"")], b"W", [Entry("demo/a.py", source=a)]
        )
    assert str(e.value) == f"two files map to demo/a.py in the wheel: a generated file and {a}"
    with pytest.raises(WheelError) as e:
        plan_entries(
            metadata(), [], b"W", [Entry("demo/a.py", source=a)], [Entry("demo/a.py", data=b"")]
        )
    assert str(e.value) == f"two files map to demo/a.py in the wheel: a generated file and {a}"


def test_wheel_file_bytes() -> None:
    assert wheel_file(
        "ferrule (1.2.3)", ["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"]
    ) == (
        b"Wheel-Version: 1.0\nGenerator: ferrule (1.2.3)\nRoot-Is-Purelib: false\n"
        b"Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n"
    )


def layout(python_dir: Path, **kw: object) -> ProjectLayout:
    values: dict[str, object] = {
        "module_name": "demo",
        "extension_name": "_native",
        "mixed": True,
        "python_dir": python_dir,
        "python_module": python_dir / "demo",
        "extension_dir": PurePosixPath("demo"),
        "python_packages": (),
        "data_dir": None,
        "root_stub": None,
    }
    values.update(kw)
    return ProjectLayout(**values)  # type: ignore[arg-type]


def test_package_entries_of_a_mixed_project(tmp_path: Path) -> None:
    py = tmp_path / "python"
    tree(
        py,
        [
            "demo/__init__.py",
            "demo/_native.cpython-311-x86_64-linux-gnu.so",
            "demo/_native.abi3.so",
            "demo/_native.pyd",
            "demo/_native.dylib",
            "demo/_native.py",
            "demo/sub/_native.so",
            "other.py",
            "extra/e.py",
        ],
    )
    sel = FileSelection(tmp_path)
    entries = package_entries(
        layout(py, python_packages=(py / "other.py", py / "extra")), metadata(), sel
    )
    assert [(e.arcname, e.source) for e in entries] == [
        ("demo/__init__.py", py / "demo/__init__.py"),
        ("demo/_native.py", py / "demo/_native.py"),
        ("demo/sub/_native.so", py / "demo/sub/_native.so"),
        ("other.py", py / "other.py"),
        ("extra/e.py", py / "extra/e.py"),
    ]


def test_stubs_and_py_typed(tmp_path: Path) -> None:
    py = tmp_path / "python"
    tree(
        py,
        [
            "demo/__init__.py",
            "demo.pyi",
            "stubs/__init__.pyi",
            "stubs/sub/m.pyi",
            "stubs/notes.txt",
        ],
    )
    sel = FileSelection(tmp_path)
    with_root = package_entries(layout(py, root_stub=py / "demo.pyi"), metadata(), sel)
    assert [(e.arcname, e.source, e.data) for e in with_root[1:]] == [
        ("demo/__init__.pyi", py / "demo.pyi", None),
        ("demo/py.typed", None, b""),
    ]
    generated = package_entries(
        layout(py, root_stub=py / "demo.pyi", stub_package=py / "stubs"), metadata(), sel
    )
    assert [(e.arcname, e.source, e.data) for e in generated[1:]] == [
        ("demo/__init__.pyi", py / "stubs/__init__.pyi", None),
        ("demo/sub/m.pyi", py / "stubs/sub/m.pyi", None),
        ("demo/py.typed", None, b""),
    ]


def test_the_data_directory(tmp_path: Path) -> None:
    py = tmp_path / "python"
    tree(
        py,
        [
            "demo/__init__.py",
            "d/scripts/tool",
            "d/headers/h.h",
            "d/data/share/x",
            "d/purelib/p.py",
            "d/platlib/q.py",
        ],
    )
    entries = package_entries(layout(py, data_dir=py / "d"), metadata(), FileSelection(tmp_path))
    assert [e.arcname for e in entries] == [
        "demo/__init__.py",
        "demo-1.0.data/data/share/x",
        "demo-1.0.data/headers/h.h",
        "demo-1.0.data/platlib/q.py",
        "demo-1.0.data/purelib/p.py",
        "demo-1.0.data/scripts/tool",
    ]
    (py / "d" / "scripts.txt").write_text("")
    with pytest.raises(LayoutError) as e:
        package_entries(layout(py, data_dir=py / "d"), metadata(), FileSelection(tmp_path))
    assert str(e.value) == (
        f"{py / 'd' / 'scripts.txt'} is not allowed in the data directory; use only "
        "data, scripts, headers, purelib, platlib"
    )
    (py / "d" / "scripts.txt").unlink()
    tree(py, ["d/lib/x"])
    with pytest.raises(LayoutError) as e:
        package_entries(layout(py, data_dir=py / "d"), metadata(), FileSelection(tmp_path))
    assert str(e.value).startswith(f"{py / 'd' / 'lib'} is not allowed in the data directory")


def test_a_single_file_module(tmp_path: Path) -> None:
    py = tmp_path
    tree(py, ["demo.py"])
    entries = package_entries(
        layout(py, python_module=py / "demo.py", mixed=False), metadata(), FileSelection(tmp_path)
    )
    assert [(e.arcname, e.source) for e in entries] == [("demo.py", py / "demo.py")]
    none = package_entries(layout(py, python_module=None), metadata(), FileSelection(tmp_path))
    assert none == []


def test_walk_paths_are_strings_and_package_entries_keep_them(tmp_path: Path) -> None:
    tree(tmp_path, ["pkg/a.py"])
    (path,) = walk_paths(tmp_path / "pkg", FileSelection(tmp_path))
    assert type(path) is str
    entry = Entry("pkg/a.py", source=path, project_file=True)
    assert entry.source_path is path
    assert entry.source == tmp_path / "pkg" / "a.py"
    assert entry == Entry("pkg/a.py", source=tmp_path / "pkg" / "a.py", project_file=True)
    with pytest.raises(AttributeError):
        entry.arcname = "x"  # type: ignore[misc]


def test_a_project_file_named_by_the_end_of_its_path_keeps_one_string(tmp_path: Path) -> None:
    path = str(tmp_path / "py" / "pkg" / "a.py")
    at = len(str(tmp_path / "py")) + 1
    entry = Entry.tail(path, at)
    assert entry.arcname == "pkg/a.py"
    assert entry.source_path is path and entry.project_file and not entry.executable
    assert entry == Entry("pkg/a.py", source=Path(path), project_file=True)
    assert hash(entry) == hash(Entry("pkg/a.py", source=path, project_file=True))
