"""``.gitignore`` matching checked against git itself, and ``exclude`` against maturin.

Trees are generated from a fixed seed: files at several depths, ``.gitignore``
files at the root and below, with patterns of every kind git knows (negation,
directory-only, anchored, ``**`` forms, character classes, escapes). For each
tree, the files ferrule's walk keeps must be exactly those git reports as
untracked and not ignored (``git ls-files --others --exclude-standard``).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from ferrule.wheel.manifest import FileSelection, walk_files

NAMES = ["a.py", "b.log", "keep.log", "c.txt", "data.bin", "x.tmp", "#hash", "!bang", "sp ace"]
# Files named like the directories elsewhere: directory-only patterns must pass them over.
NAMES += ["build", "sub", "deep"]
DIRS = ["pkg", "pkg/sub", "pkg/sub/deep", "build", "docs", "docs/api", "logs", "src/build"]
PATTERNS = [
    "*.log",
    "!keep.log",
    "build/",
    "/build",
    "build",
    "docs/**/*.txt",
    "**/deep",
    "pkg/**",
    "!pkg/sub/",
    "*.tmp",
    "!x.tmp",
    "\\#hash",
    "\\!bang",
    "data.[bc]in",
    "data.[!b]in",
    "sub/",
    "/c.txt",
    "logs/*",
    "!logs/keep.log",
    "**/api/**",
    "src/**/b.log",
    "?.py",
    "[a-b].py",
    "*.txt   ",
    "sp\\ ace",
    "# a comment",
    "",
]


def _tree(root: Path, rng: random.Random) -> None:
    for directory in DIRS:
        (root / directory).mkdir(parents=True, exist_ok=True)
    for directory in ["", *DIRS]:
        for name in rng.sample(NAMES, k=rng.randint(3, len(NAMES))):
            if not (root / directory / name).is_dir():
                (root / directory / name).write_text(name)
    for directory in ["", *rng.sample(DIRS, k=3)]:
        lines = rng.sample(PATTERNS, k=rng.randint(1, 8))
        (root / directory / ".gitignore").write_text("\n".join(lines) + "\n")


def _git_visible(root: Path) -> set[str]:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null", "HOME": str(root)}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    out = subprocess.run(
        ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
        env=env,
    ).stdout.decode()
    shutil.rmtree(root / ".git")
    return {p for p in out.split("\0") if p and not p.endswith(".gitignore")}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("seed", range(40))
def test_walk_keeps_what_git_keeps(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    _tree(root, random.Random(seed))
    expected = _git_visible(root)
    ours = {
        p.relative_to(root).as_posix()
        for p in walk_files(root, FileSelection(root))
        if p.name != ".gitignore"
    }
    assert ours == expected, (
        f"only ferrule: {sorted(ours - expected)}; only git: {sorted(expected - ours)}\n"
        + "\n".join(
            f"{g.relative_to(root)}: {g.read_text()!r}" for g in sorted(root.rglob(".gitignore"))
        )
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_star_and_question_mark_stop_at_a_slash(tmp_path: Path) -> None:
    """In .gitignore, ``*`` and ``?`` never cross ``/`` (in ``exclude`` they do, as maturin)."""
    root = tmp_path / "tree"
    for name in ("a/x.py", "a/b/y.py", "xzy", "x/y"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    (root / ".gitignore").write_text("a/*.py\nx?y\n")
    expected = _git_visible(root)
    ours = {
        p.relative_to(root).as_posix()
        for p in walk_files(root, FileSelection(root))
        if p.name != ".gitignore"
    }
    assert ours == expected == {"a/b/y.py", "x/y"}
