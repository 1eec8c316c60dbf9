"""``ferrule._codecache``: compiled modules kept across build environments.

Each test copies ferrule's package into a directory of its own with no
``__pycache__`` (as pip's ``--no-compile`` build environments have it) and
imports from there in a fresh interpreter, with bytecode writing on.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ferrule._codecache import entry_name
from ferrule._store import Store
from tests.conftest import ROOT

SOURCE = ROOT / "src" / "ferrule"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SOURCE, site / "ferrule", ignore=shutil.ignore_patterns("__pycache__"))
    return site


def _env(site: Path, cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FERRULE_"))}
    env.update(PYTHONPATH=str(site), FERRULE_CACHE_DIR=str(cache), **extra)
    return env


def _import(site: Path, cache: Path, code: str, **extra: str) -> str:
    script = (
        "import os; from ferrule import _codecache; print(_codecache.enable(os.environ)); " + code
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(site, cache, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def _wipe_pycache(site: Path) -> None:
    for found in site.rglob("__pycache__"):
        shutil.rmtree(found)


def _name(module: Path) -> str:
    return entry_name(
        module.read_bytes(),
        importlib.util.MAGIC_NUMBER,
        sys.implementation.cache_tag,
        sys.flags.optimize,
    )


def _entry(cache: Path, module: Path) -> Path:
    return Path(Store(str(cache)).path("code", _name(module)))


def test_modules_compiled_once_serve_the_next_environment(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _import(site, cache, "import ferrule.build.run").split() == ["True"]
    entries = {p.name for p in (cache / "code").iterdir()}
    # The build machinery: dozens of modules, each kept once under its content's name.
    assert len(entries) >= 30
    tags = site / "ferrule" / "tags.py"
    assert _entry(cache, tags).name in entries
    # No .pyc written beside the sources it served (the frontend deletes the environment
    # afterwards); the modules imported before it was on are compiled the usual way.
    assert not list((site / "ferrule" / "build").rglob("*.pyc"))
    assert not list(site.rglob("tags.*.pyc"))
    assert list(site.rglob("_codecache.*.pyc"))

    # A new "build environment": no .pyc files. A planted entry proves the cache is read,
    # and its code gets the module's real file name back (tracebacks, inspect).
    _wipe_pycache(site)
    planted = compile("MARK = 42\ndef where():\n    raise ValueError\n", "/elsewhere/x.py", "exec")
    Store(str(cache)).put("code", _name(tags), {"code": planted})
    out = _import(
        site,
        cache,
        "import ferrule.tags as t; print(t.MARK, t.where.__code__.co_filename)",
    )
    assert out.split() == ["True", "42", str(tags)]


def test_the_dependencies_submodules_are_kept_too(site: Path, tmp_path: Path) -> None:
    """packaging (and pyproject-metadata, tomlkit) are installed beside ferrule in every
    isolated build, uncompiled as well: their submodules come from the cache too."""
    import packaging

    shutil.copytree(
        Path(packaging.__file__).parent,
        site / "packaging",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    cache = tmp_path / "cache"
    _import(site, cache, "import packaging.specifiers")
    assert _entry(cache, site / "packaging" / "specifiers.py").exists()
    assert _entry(cache, site / "packaging" / "version.py").exists()

    _wipe_pycache(site)
    planted = compile("MARK = 7\n", "/elsewhere/v.py", "exec")
    Store(str(cache)).put("code", _name(site / "packaging" / "version.py"), {"code": planted})
    out = _import(site, cache, "import packaging.version as v; print(v.MARK, v.__file__)")
    assert out.split() == ["True", "7", str(site / "packaging" / "version.py")]


def test_changed_source_is_compiled_again(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tags = site / "ferrule" / "tags.py"
    _import(site, cache, "import ferrule.tags")
    old = _entry(cache, tags)
    _wipe_pycache(site)
    tags.write_text(tags.read_text() + "\nCHANGED = 1\n")
    out = _import(site, cache, "import ferrule.tags as t; print(t.CHANGED)")
    assert out.split() == ["True", "1"]
    assert old.exists() and _entry(cache, tags).exists() and old != _entry(cache, tags)


@pytest.mark.parametrize(
    "damage",
    [b"", b"not marshal data", importlib.util.MAGIC_NUMBER + b"\xff\x00garbage", b"\x00" * 64],
)
def test_damaged_entries_are_compiled_again(site: Path, tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "cache"
    tags = site / "ferrule" / "tags.py"
    _import(site, cache, "import ferrule.tags")
    _entry(cache, tags).write_bytes(damage)
    _wipe_pycache(site)
    out = _import(site, cache, "import ferrule.tags as t; print(t.wheel_tag.__name__)")
    assert out.split() == ["True", "wheel_tag"]
    assert Store(str(cache)).get("code", _name(tags)) is not None  # written again


def test_a_foreign_python_entry_is_not_used(site: Path, tmp_path: Path) -> None:
    """An entry made for another interpreter (another key in the same file) is never used."""
    cache = tmp_path / "cache"
    tags = site / "ferrule" / "tags.py"
    _import(site, cache, "import ferrule.tags")
    planted = compile("MARK = 1\n", str(tags), "exec")
    foreign = _name(tags).replace(importlib.util.MAGIC_NUMBER.hex(), "0000")
    Store(str(cache)).put("code", _name(tags), {"code": planted}, key=foreign)
    _wipe_pycache(site)
    out = _import(site, cache, "import ferrule.tags as t; print(hasattr(t, 'MARK'))")
    assert out.split() == ["True", "False"]


@pytest.mark.parametrize(
    "extra",
    [{"PYTHONDONTWRITEBYTECODE": "1"}, {"FERRULE_NO_CACHE": "1"}],
    ids=["dont-write-bytecode", "no-cache"],
)
def test_off_when_bytecode_or_cache_is_off(
    site: Path, tmp_path: Path, extra: dict[str, str]
) -> None:
    cache = tmp_path / "cache"
    out = _import(site, cache, "import ferrule.build.run", **extra)
    assert out.split() == ["False"]
    assert not (cache / "code").exists()


def test_an_unwritable_cache_is_no_cache(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file where the directory should be")
    out = _import(site, cache, "import ferrule.build.run as b; print(b.build_wheels.__name__)")
    assert out.split() == ["True", "build_wheels"]


def test_the_build_hook_uses_it(site: Path, tmp_path: Path) -> None:
    """build_wheel turns it on before importing the build machinery (here: a project
    error, reported after the first imports: the configuration and cargo's metadata
    reader, which starts ``cargo metadata`` early)."""
    cache = tmp_path / "cache"
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    proc = subprocess.run(
        [sys.executable, "-c", "import ferrule.buildapi as b; b.build_wheel('out')"],
        cwd=project,
        env=_env(site, cache),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _entry(cache, site / "ferrule" / "cargo" / "metadata.py").exists()
    assert _entry(cache, site / "ferrule" / "config" / "model.py").exists()
