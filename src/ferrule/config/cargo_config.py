"""What ferrule needs from cargo's own configuration files: ``build.rustc-wrapper``.

cargo reads ``.cargo/config.toml`` (or the older ``.cargo/config``) in the
directory it runs in and in every parent, then ``$CARGO_HOME/config.toml``; a
nearer file wins (https://doc.rust-lang.org/cargo/reference/config.html).
ferrule runs cargo from the project directory, so that is where the search
starts. The wrapper is only looked at, never passed on: cargo uses it itself.
ferrule needs to know of it because a shared compile cache (sccache) hashes the
paths rustc sees, and builds then go through the stable root
(:mod:`ferrule.cargo.stable_root`) so that another checkout hits the cache too.
A file that cannot be read is left to cargo, which reports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError

__all__ = ["cargo_config_files", "configured_rustc_wrapper"]


def cargo_config_files(start: Path, environ: Mapping[str, str]) -> Iterator[Path]:
    """cargo's configuration files for a run in ``start``, nearest first."""
    seen: set[Path] = set()
    home = environ.get("CARGO_HOME")
    cargo_home = Path(home) if home else Path(environ.get("HOME", "~")).expanduser() / ".cargo"
    for directory in (start, *start.parents):
        dot_cargo = directory / ".cargo"
        if dot_cargo.resolve() == cargo_home.resolve():
            continue  # $CARGO_HOME's file comes last, once
        for name in ("config.toml", "config"):
            if (dot_cargo / name).is_file():
                seen.add((dot_cargo / name).resolve())
                yield dot_cargo / name
                break  # cargo reads `config` only when there is no `config.toml`
    for name in ("config.toml", "config"):
        candidate = cargo_home / name
        if candidate.is_file() and candidate.resolve() not in seen:
            yield candidate
            break


def configured_rustc_wrapper(
    start: Path, environ: Mapping[str, str], files: TomlFiles
) -> str | None:
    """``build.rustc-wrapper`` of the nearest cargo configuration that sets it."""
    for path in cargo_config_files(start, environ):
        try:
            build = files.read(path).get("build")
        except ConfigError:
            continue
        wrapper = build.get("rustc-wrapper") if isinstance(build, Mapping) else None
        if isinstance(wrapper, str) and wrapper.strip():
            return wrapper
    return None
