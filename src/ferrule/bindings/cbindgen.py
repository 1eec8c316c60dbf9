"""cbindgen: the pinned version maturin embeds, found or installed once, run with maturin's overrides.

maturin links cbindgen as a library; ferrule runs the command-line tool. A
``cbindgen`` on PATH older than :data:`PINNED` (Debian's 0.24 cannot parse
edition 2024's ``#[unsafe(no_mangle)]``) is not used: the pinned version is
installed with ``cargo install --locked`` into ferrule's tool directory on
first use (``FERRULE_TOOLS_DIR``, else ``<ferrule cache>/tools``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule import _log, _run, _store
from ferrule.cargo.command import cargo_program
from ferrule.config.bindgen_toml import CbindgenToml
from ferrule.errors import FerruleError

__all__ = ["PINNED", "cbindgen_config", "cbindgen_executable", "generate_header", "tools_dir"]

# The cbindgen maturin 1.16 embeds (its Cargo.lock).
PINNED = (0, 29, 2)

# What maturin forces over the crate's cbindgen.toml: cffi reads declarations only.
_OVERRIDES: dict[str, Any] = {
    "language": "C",
    "no_includes": True,
    "sys_includes": [],
    "defines": {},
    "pragma_once": False,
    "cpp_compat": False,
}


def _version_text(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def tools_dir(environ: Mapping[str, str]) -> Path:
    """Where ferrule installs the tools it needs (kept across builds)."""
    if environ.get("FERRULE_TOOLS_DIR"):
        return Path(environ["FERRULE_TOOLS_DIR"])
    root = _store.cache_root(environ, even_off=True)  # beside the cache store, not in it
    return Path(root) / "tools" if root else Path.home() / ".cache" / "ferrule" / "tools"


def _version_of(executable: str, environ: Mapping[str, str]) -> tuple[int, ...] | None:
    """``cbindgen --version`` as numbers ("cbindgen 0.24.3" -> (0, 24, 3)); None if unreadable."""
    done = _run.run([executable, "--version"], env=environ, check=False)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", done.stdout) if done.returncode == 0 else None
    return tuple(int(part) for part in found.groups()) if found else None


def cbindgen_executable(environ: Mapping[str, str]) -> str:
    """A cbindgen at least as new as :data:`PINNED`: on PATH, in the tool directory, or
    installed there now (once; this compiles cbindgen, about a minute)."""
    on_path = shutil.which("cbindgen", path=environ.get("PATH"))
    found = _version_of(on_path, environ) if on_path else None
    if on_path and found is not None and found >= PINNED:
        return on_path
    root = tools_dir(environ) / f"cbindgen-{_version_text(PINNED)}"
    installed = root / "bin" / "cbindgen"
    if installed.is_file():
        return str(installed)
    why = f"cbindgen {_version_text(found)} at {on_path} is older" if found else "no cbindgen found"
    _log.info(
        f"{why}; installing cbindgen {_version_text(PINNED)} (the version maturin uses) "
        f"into {root} with cargo install, once"
    )
    root.parent.mkdir(parents=True, exist_ok=True)
    # Installed beside the final place and renamed: concurrent builds never see half a tool.
    staging = Path(tempfile.mkdtemp(prefix=f"{root.name}.", dir=root.parent))
    try:
        cargo = cargo_program(environ)
        package = f"cbindgen@{_version_text(PINNED)}"
        _run.run(
            [cargo, "install", "--locked", "--quiet", package, "--root", str(staging)],
            env=environ,
            hint=f"  cbindgen is needed for the C header of cffi bindings; install cbindgen "
            f">= {_version_text(PINNED)} on PATH, or write the header to header.h in "
            "cargo's target directory",
        )
        try:
            staging.replace(root)
        except OSError:  # another build installed it first
            if not installed.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(installed)


def cbindgen_config(given: CbindgenToml) -> dict[str, Any]:
    """The crate's ``cbindgen.toml`` (read with the settings) with maturin's overrides.

    >>> import tempfile
    >>> from ferrule.config.bindgen_toml import read_cbindgen_toml
    >>> from ferrule.config.toml import TomlFiles
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "cbindgen.toml").write_text('language = "C++"\\ninclude_guard = "G"\\n'
    ...     'pragma_once = true\\n[export]\\nprefix = "p_"\\n')
    >>> config = cbindgen_config(read_cbindgen_toml(d, TomlFiles()))
    >>> config["language"], "include_guard" in config, config["pragma_once"], config["export"]
    ('C', False, False, {'prefix': 'p_'})
    """
    config = dict(given.table)
    if config:
        _log.info(
            f"using {given.path}, with language = C, no_includes, no sys_includes, defines, "
            "include_guard, pragma_once or cpp_compat (cffi reads declarations only), as maturin"
        )
    config.pop("include_guard", None)
    config.update(_OVERRIDES)
    return config


def generate_header(
    crate_dir: Path,
    crate_name: str,
    header: Path,
    hint: str,
    environ: Mapping[str, str],
    given: CbindgenToml,
) -> None:
    """Write the C header of ``crate_name`` to ``header`` as maturin's embedded cbindgen would."""
    import tomlkit

    executable = cbindgen_executable(environ)
    config = header.with_name("cbindgen.toml")
    config.write_text(tomlkit.dumps(cbindgen_config(given)), encoding="utf-8")
    argv = [executable, "--lang", "c", "--crate", crate_name, "--config", str(config)]
    _run.run(
        [*argv, "--output", str(header)],
        env=environ,
        cwd=crate_dir,
        hint=hint,
    )
    if not header.is_file():
        raise FerruleError(f"cbindgen wrote no header for {crate_name} ({crate_dir})")
