"""Issue 8: the metadata hook's cache (``ferrule._metadata_cache``).

Each call runs the real hook in a fresh interpreter, as frontends do, with its
own cache directory. A call reports whether it had to import ``packaging`` and
``pyproject_metadata`` (a computation) or not (an answer from the cache). The
rule checked throughout: whatever the cache does, the ``.dist-info`` equals
the one computed with the cache off; and after any change to an input, the
next call computes again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ferrule._store import RACY_NS
from tests.conftest import CRATES, ROOT

_HOOK = """
import json, os, sys
import ferrule
settings = json.loads(sys.argv[2]) or None
name = ferrule.prepare_metadata_for_build_wheel(sys.argv[1], settings)
heavy = [m for m in ("packaging", "pyproject_metadata", "ferrule.metadata") if m in sys.modules]
print(json.dumps({"name": name, "heavy": heavy}))
"""

HOUR = 3600


def _age(root: Path, seconds: int = HOUR) -> None:
    """Wait until every file is out of the caches' racy window (files whose ctime is
    moments old are never trusted); their mtimes move back too."""
    past = time.time() - HOUR
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.utime(Path(dirpath) / name, (past, past))
        os.utime(dirpath, (past, past))
    time.sleep(RACY_NS[0] / 1e9 + 0.03)


def _tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class Hook:
    def __init__(self, tmp_path: Path, project: Path) -> None:
        self.tmp = tmp_path
        self.project = project
        self.cache = tmp_path / "cache"
        self.calls = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("FERRULE", "MATURIN"))}
        self.env["FERRULE_CACHE_DIR"] = str(self.cache)

    def call(
        self, settings: dict[str, str] | None = None, **env: str
    ) -> tuple[str, bool, dict[str, bytes]]:
        """(dist-info name, computed?, files) of one hook call; checked against the cache off."""
        self.calls += 1
        out = self.tmp / f"out{self.calls}"
        out.mkdir()
        result = self._run(out, settings, {**self.env, **env})
        fresh = self.tmp / f"fresh{self.calls}"
        fresh.mkdir()
        reference = self._run(fresh, settings, {**self.env, **env, "FERRULE_NO_CACHE": "1"})
        assert reference["heavy"], "with the cache off the hook must compute"
        files = _tree(out / result["name"])
        assert result["name"] == reference["name"]
        assert files == _tree(fresh / reference["name"])
        assert sorted(p.name for p in out.iterdir()) == [result["name"]]  # no leftovers
        return result["name"], bool(result["heavy"]), files

    def _run(self, out: Path, settings: dict[str, str] | None, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
        proc = subprocess.run(
            [sys.executable, "-c", _HOOK, str(out), json.dumps(settings or {})],
            cwd=self.project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def pure(tmp_path: Path) -> Hook:
    project = tmp_path / "pyo3-pure"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    _age(project)
    return Hook(tmp_path, project)


def test_second_call_is_answered_without_computing(pure: Hook) -> None:
    name, computed, files = pure.call()
    assert computed
    name2, computed2, files2 = pure.call()
    assert not computed2, "an unchanged project must be answered from the cache"
    assert (name2, files2) == (name, files)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    "change",
    [
        "pyproject",
        "cargo-version",
        "readme-content",
        "new-license-file",
        "config-settings",
        "environment-args",
    ],
)
def test_each_input_invalidates(pure: Hook, change: str) -> None:
    pure.call()
    _, computed, before = pure.call()
    assert not computed
    settings: dict[str, str] | None = None
    env: dict[str, str] = {}
    if change == "pyproject":
        _edit(
            pure.project / "pyproject.toml",
            'name = "pyo3-pure"',
            'name = "pyo3-pure"\ndescription = "edited"',
        )
    elif change == "cargo-version":
        _edit(pure.project / "Cargo.toml", 'version = "0.3.1"', 'version = "0.3.2"')
    elif change == "readme-content":
        with (pure.project / "README.md").open("a") as f:
            f.write("\nOne more line.\n")
    elif change == "new-license-file":
        (pure.project / "LICENSE").write_text("MIT License\n")
    else:  # the same build argument, from config_settings or from the environment
        if change == "config-settings":
            settings = {"build-args": "--manifest-path sub/Cargo.toml"}
        else:
            env = {"MATURIN_PEP517_ARGS": "--manifest-path sub/Cargo.toml"}
        sub = pure.project / "sub"
        shutil.copytree(pure.project, sub, ignore=shutil.ignore_patterns("sub", "target"))
        _edit(sub / "Cargo.toml", 'version = "0.3.1"', 'version = "7.0.0"')
        (sub / "pyproject.toml").unlink()
        _age(pure.project)
    name, computed, after = pure.call(settings, **env)
    assert computed, f"{change}: the change must be seen"
    assert after != before or name.endswith("7.0.0.dist-info")


def test_inherited_workspace_version_invalidates(tmp_path: Path) -> None:
    project = tmp_path / "ws"
    shutil.copytree(CRATES / "sdist-workspace", project, ignore=shutil.ignore_patterns("target"))
    _age(project)
    hook = Hook(tmp_path, project)
    hook.call()
    name, computed, _ = hook.call()
    assert not computed and name.endswith("-1.2.0.dist-info")
    _edit(project / "Cargo.toml", 'version = "1.2.0"', 'version = "1.3.0"')
    name, computed, _ = hook.call()
    assert computed and name.endswith("-1.3.0.dist-info")


def test_a_changed_ferrule_is_never_served_from_the_cache(pure: Hook) -> None:
    """ferrule from a copy of its sources: editing one of its modules invalidates."""
    copy = pure.tmp / "ferrule-src"
    shutil.copytree(
        ROOT / "src" / "ferrule", copy / "ferrule", ignore=shutil.ignore_patterns("__pycache__")
    )
    _age(copy)
    pure.env["PYTHONPATH"] = str(copy)
    pure.call()
    _, computed, _ = pure.call()
    assert not computed
    core = copy / "ferrule" / "metadata" / "core.py"
    core.write_text(core.read_text() + "\n# an upgrade\n")
    _, computed, _ = pure.call()
    assert computed


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_a_damaged_entry_is_never_served(pure: Hook, damage: str) -> None:
    pure.call()
    (entry,) = (pure.cache / "metadata").iterdir()
    blob = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flipped":
        middle = len(blob) // 2
        entry.write_bytes(blob[:middle] + bytes([blob[middle] ^ 0x55]) + blob[middle + 1 :])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(len(blob)))
    else:
        entry.write_bytes(b"")
    _, computed, _ = pure.call()
    assert computed


def test_files_changed_moments_ago_are_not_trusted(
    pure: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed just before the computation started could change again with the
    same state (size, mtime, ctime, inode): its answer is not kept. Once the file is out
    of the racy window, the same answer is kept."""
    from ferrule import _metadata_cache as cache

    monkeypatch.chdir(pure.project)
    readme = pure.project / "README.md"
    env = {"FERRULE_CACHE_DIR": str(pure.cache)}

    def keep_and_restore() -> object:
        fingerprint = cache.begin([], None, env)
        assert fingerprint is not None
        cache.save_value(fingerprint, cache.snapshot(([str(readme)], [])), ["x"])
        return cache.restore_value(fingerprint)

    readme.write_text("# just written\n")
    assert keep_and_restore() is None
    time.sleep(RACY_NS[0] / 1e9 + 0.03)
    assert keep_and_restore() == ["x"]


def test_cache_off_and_unwritable_cache(pure: Hook, tmp_path: Path) -> None:
    pure.call(FERRULE_NO_CACHE="1")
    assert not pure.cache.exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be")
    pure.env["FERRULE_CACHE_DIR"] = str(blocked)
    pure.call()
    _, computed, _ = pure.call()
    assert computed  # nothing could be kept, and nothing broke


def test_pip_resolving_twice_gets_the_same_metadata(pure: Hook) -> None:
    """A real frontend: pip's dry-run resolution calls the metadata hook only."""

    def resolve() -> dict:  # type: ignore[type-arg]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--no-build-isolation",
                "--no-deps",
                "--quiet",
                "--report",
                "-",
                str(pure.project),
            ],
            env={**pure.env, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        (item,) = json.loads(proc.stdout)["install"]
        return item["metadata"]  # type: ignore[no-any-return]

    first = resolve()
    entries = list((pure.cache / "metadata").iterdir())
    assert len(entries) == 1
    inode = entries[0].stat().st_ino  # a rewrite replaces the file (a read bumps its mtime)
    second = resolve()
    assert second == first
    assert first["name"] == "pyo3-pure" and first["version"] == "0.3.1"
    assert entries[0].stat().st_ino == inode  # answered from the entry, not rewritten


_REQUIRES = """
import json, sys
import ferrule
requires = ferrule.get_requires_for_build_wheel()
heavy = [m for m in ("packaging", "ferrule.config") if m in sys.modules]
print(json.dumps({"requires": requires, "heavy": heavy}))
"""


def test_get_requires_is_cached_and_follows_the_project(tmp_path: Path) -> None:
    project = tmp_path / "cffi"
    shutil.copytree(CRATES / "bind-cffi", project, ignore=shutil.ignore_patterns("target"))
    _age(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FERRULE", "MATURIN"))}
    env["FERRULE_CACHE_DIR"] = str(tmp_path / "cache")

    def call() -> tuple[list[str], bool]:
        proc = subprocess.run(
            [sys.executable, "-c", _REQUIRES],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(proc.stdout.splitlines()[-1])
        return data["requires"], bool(data["heavy"])

    assert call() == (["cffi"], True)
    assert call() == (["cffi"], False)  # from the cache
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('bindings = "cffi"', 'bindings = "bin"'))
    assert call() == ([], True)
