"""The stub writer: where stubs go, hand-written ones protected, stale ones removed, --check diffs."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from ferrule.layout import ProjectLayout
from ferrule.stubs.render import HEADER
from ferrule.stubs.writer import StubsError, check, is_generated, plan, write

ONE = {PurePosixPath("_native.pyi"): f"{HEADER}\ndef f() -> int: ...\n"}
TREE = {
    PurePosixPath("_native/__init__.pyi"): f"{HEADER}\nfrom . import sub as sub\n",
    PurePosixPath("_native/sub.pyi"): f"{HEADER}\nX: int\n",
}
# A pure layout's stubs, relative to the package: its __init__, a submodule, the extension.
PURE = {
    PurePosixPath("__init__.pyi"): f"{HEADER}\nfrom . import sub as sub\n",
    PurePosixPath("sub.pyi"): f"{HEADER}\nX: int\n",
    PurePosixPath("pkg.pyi"): f"{HEADER}\nfrom . import sub as sub\n",
}
INIT = {PurePosixPath("__init__.pyi"): f"{HEADER}\n"}


def pure(project: Path) -> ProjectLayout:
    return ProjectLayout("pkg", "pkg", False, project, None, PurePosixPath("pkg"), (), None, None)


def mixed(project: Path) -> ProjectLayout:
    python = project / "python"
    (python / "pkg").mkdir(parents=True, exist_ok=True)
    return ProjectLayout(
        "pkg._native", "_native", True, python, python / "pkg", PurePosixPath("pkg"), (), None, None
    )


def test_pure_layout_writes_a_stub_package(tmp_path: Path) -> None:
    stubs = plan(pure(tmp_path), tmp_path, PURE)
    package = tmp_path / "pkg-stubs"
    assert stubs.py_typed is None  # the wheel adds it for a pure layout
    assert write(stubs) == sorted(package / rel for rel in PURE)
    assert is_generated(package / "__init__.pyi")
    assert (package / "sub.pyi").read_text() == PURE[PurePosixPath("sub.pyi")]
    assert (package / "sub.pyi").stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert check(stubs) == []


def test_mixed_layout_writes_next_to_the_extension_with_py_typed(tmp_path: Path) -> None:
    stubs = plan(mixed(tmp_path), tmp_path, TREE)
    package = tmp_path / "python" / "pkg"
    assert check(stubs)[-1].startswith("missing python/pkg/py.typed")
    write(stubs)
    assert (package / "_native" / "sub.pyi").read_text() == TREE[PurePosixPath("_native/sub.pyi")]
    assert (package / "py.typed").exists()
    assert check(stubs) == []


def test_switching_forms_removes_stale_generated_files(tmp_path: Path) -> None:
    layout = mixed(tmp_path)
    package = tmp_path / "python" / "pkg"
    write(plan(layout, tmp_path, TREE))
    single = plan(layout, tmp_path, ONE)
    drift = check(single)
    assert any("+++ /dev/null" in d and "_native/sub.pyi" in d for d in drift)
    write(single)
    assert (package / "_native.pyi").exists() and not (package / "_native").exists()
    write(plan(layout, tmp_path, TREE))
    assert not (package / "_native.pyi").exists()


def test_hand_written_stubs_need_force(tmp_path: Path) -> None:
    """A hand-written <module>.pyi of a pure layout is what the stub package replaces."""
    stub = tmp_path / "pkg.pyi"
    stub.write_text("def f(x: int) -> int: ...\n")
    stubs = plan(pure(tmp_path), tmp_path, INIT)
    with pytest.raises(StubsError) as info:
        write(stubs)
    assert str(stub) in str(info.value) and "--force" in str(info.value)
    assert stub.read_text() == "def f(x: int) -> int: ...\n"
    assert not (tmp_path / "pkg-stubs").exists()  # nothing half-written
    added, removed = check(stubs)
    assert "+++ b/pkg-stubs/__init__.pyi" in added and f"+{HEADER}\n" in added
    assert "-def f(x: int) -> int: ...\n" in removed and "+++ /dev/null" in removed
    write(stubs, force=True)
    assert not stub.exists() and (tmp_path / "pkg-stubs" / "__init__.pyi").exists()


def test_hand_written_stub_in_the_other_form_blocks_too(tmp_path: Path) -> None:
    layout = mixed(tmp_path)
    hand = tmp_path / "python" / "pkg" / "_native.pyi"
    hand.write_text("X: int\n")
    with pytest.raises(StubsError, match=r"_native\.pyi"):
        write(plan(layout, tmp_path, TREE))
    assert hand.exists()


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    stubs = plan(pure(tmp_path), tmp_path, INIT)
    write(stubs)
    stub = tmp_path / "pkg-stubs" / "__init__.pyi"
    os.utime(stub, (1_000_000, 1_000_000))
    write(stubs)
    assert stub.stat().st_mtime == 1_000_000


def test_out_dir_gets_the_installed_shape(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stubs = plan(pure(tmp_path), tmp_path, PURE, out)
    assert sorted(stubs.files) == [
        out / "pkg/__init__.pyi",
        out / "pkg/pkg.pyi",
        out / "pkg/sub.pyi",
    ]
    stubs = plan(mixed(tmp_path), tmp_path, TREE, out)
    assert sorted(stubs.files) == [out / "pkg/_native/__init__.pyi", out / "pkg/_native/sub.pyi"]
    assert stubs.py_typed is None


def test_check_reports_missing_files(tmp_path: Path) -> None:
    (diff,) = check(plan(pure(tmp_path), tmp_path, {PurePosixPath("__init__.pyi"): "X: int\n"}))
    assert diff.startswith("--- /dev/null\n+++ b/pkg-stubs/__init__.pyi\n") and "+X: int\n" in diff


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
