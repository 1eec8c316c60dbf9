"""The stable link a release build of a project with outside path dependencies goes through.

Real links, real locks and a second real process: the link is made and removed,
a second build of the same package waits for the first, and an unsafe place for
the link makes the build fall back to real paths with a warning.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ferrule.cargo.stable_root import StableRoot, activate, plan_stable_root

pytestmark = pytest.mark.skipif(os.name == "nt", reason="platform: POSIX links and locks")


def _project(tmp_path: Path) -> Path:
    real = tmp_path / "checkout"
    (real / "py").mkdir(parents=True)
    (real / "core").mkdir()
    (real / "core" / "lib.rs").write_text("// core\n")
    return real


def test_link_points_at_the_tree_while_active_and_is_gone_after(tmp_path: Path) -> None:
    real = _project(tmp_path)
    root = plan_stable_root(real / "py", [real / "core"], "pkg", tmp_path / "base" / "roots")
    assert root is not None and root.real == real
    with activate(root) as active:
        assert active == root
        assert root.link.is_symlink()
        assert (root.translate(real / "core") / "lib.rs").read_text() == "// core\n"
        assert str(root.translate(real / "py")) == str(root.link / "py")
    assert not root.link.exists() and not root.link.is_symlink()


def test_a_stale_link_from_a_killed_build_is_replaced(tmp_path: Path) -> None:
    real = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = StableRoot(real, tmp_path / "base" / "roots" / "pkg")
    root.link.parent.mkdir(parents=True, mode=0o700)
    root.link.symlink_to(elsewhere)
    with activate(root) as active:
        assert active is not None
        assert root.link.resolve() == real.resolve()


def test_no_outside_dependency_means_no_link(tmp_path: Path) -> None:
    assert plan_stable_root(tmp_path, [], "pkg", tmp_path / "base") is None
    with activate(None) as active:
        assert active is None


def test_a_shared_base_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "shared"
    base.mkdir(mode=0o777)
    base.chmod(0o777)  # group- and world-writable: another user could swap the link
    root = StableRoot(_project(tmp_path), base / "roots" / "pkg")
    with activate(root) as active:
        assert active is None
    assert "cannot build through a stable path" in capsys.readouterr().err
    assert not root.link.exists()


def test_a_second_build_of_the_package_waits_for_the_first(tmp_path: Path) -> None:
    first, second = _project(tmp_path / "a"), _project(tmp_path / "b")
    base = tmp_path / "base" / "roots"
    marker = tmp_path / "first-done"
    holder = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from ferrule.cargo.stable_root import StableRoot, activate
        root = StableRoot(Path({str(first)!r}), Path({str(base / "pkg")!r}))
        with activate(root):
            print("holding", flush=True)
            time.sleep(1.5)
            # still pointing at the first checkout: nobody repointed it meanwhile
            assert root.link.resolve() == Path({str(first)!r}).resolve()
            Path({str(marker)!r}).write_text("done")
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        with activate(StableRoot(second, base / "pkg")) as active:
            assert active is not None
            assert marker.read_text() == "done"  # the first build finished before we got it
            assert active.link.resolve() == second.resolve()
        assert proc.wait(timeout=30) == 0
