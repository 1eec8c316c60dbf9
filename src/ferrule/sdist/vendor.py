"""``sdist --vendor``: the crates.io (and git) dependencies packed into the sdist.

``cargo vendor`` copies the sources of every non-local dependency in Cargo.lock
into a directory; the sdist carries it as ``vendor/`` with a
``.cargo/config.toml`` at its top that replaces crates.io and each git source
with that directory. The frontend builds the unpacked sdist from its top
directory, so cargo finds that configuration and builds offline, with no
registry. When the sdist already carries a ``.cargo/config.toml`` (or the legacy
``.cargo/config``, which cargo prefers) the ``[source]`` tables are merged into it
with the style-preserving editor: the project's other settings stay.

The archive stays reproducible: cargo vendor's output depends only on
Cargo.lock, and the archive writer sorts entries and stamps one time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule import _log, _run
from ferrule.cargo.command import cargo_program, global_flags
from ferrule.config.model import Settings
from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.tomldoc import TomlDocument

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

__all__ = ["CONFIG_NAMES", "VENDOR_DIR", "merge_cargo_config", "run_cargo_vendor", "vendor_entries"]

VENDOR_DIR = "vendor"
# Where cargo looks first: the legacy name wins when both are there.
CONFIG_NAMES = (".cargo/config", ".cargo/config.toml")
_HEADER = (
    "# Written by `ferrule sdist --vendor`: the dependencies' sources are in vendor/\n"
    "# (cargo vendor), and cargo builds this source distribution offline from them.\n"
)


def run_cargo_vendor(settings: Settings, dest: Path) -> dict[str, Any]:
    """Run ``cargo vendor`` into ``dest``; return the ``[source]`` tables it prints,
    with the vendored directory named ``vendor`` (relative to the sdist's top)."""
    argv = [
        cargo_program(settings.environ),
        "vendor",
        "--versioned-dirs",
        "--manifest-path",
        str(settings.cargo.manifest_path),
        *global_flags(settings.cargo_options),
        str(dest),
    ]
    done = _run.run(
        argv, env=settings.environ, hint="  cargo could not vendor the crate's dependencies"
    )
    try:
        printed = tomllib.loads(done.stdout) if done.stdout.strip() else {}
    except ValueError as exc:
        raise FerruleError(
            f"cargo vendor printed a configuration ferrule cannot read: {exc}"
        ) from None
    sources = printed.get("source", {})
    if not isinstance(sources, dict):
        raise FerruleError("cargo vendor printed no [source] table")
    return relocated_sources(sources, dest)


def relocated_sources(sources: Mapping[str, Any], dest: Path) -> dict[str, Any]:
    """cargo's ``[source]`` tables with the vendored directory as ``vendor``.

    >>> relocated_sources({"crates-io": {"replace-with": "vendored-sources"},
    ...     "vendored-sources": {"directory": "/tmp/x/vendor"}}, Path("/tmp/x/vendor"))
    {'crates-io': {'replace-with': 'vendored-sources'}, 'vendored-sources': {'directory': 'vendor'}}
    """
    out: dict[str, Any] = {}
    for name, printed in sources.items():
        table = dict(printed)
        if "directory" in table and Path(table["directory"]) == dest:
            table["directory"] = VENDOR_DIR
        out[name] = table
    return out


def merge_cargo_config(
    existing: bytes | None, sources: Mapping[str, Any], origin: Path | None = None
) -> bytes:
    """The ``.cargo/config.toml`` of the sdist: ``existing`` (the project's, if it packs one)
    with ``sources`` set as ``[source.<name>]`` tables; a table of the same name is
    replaced (one warning line), everything else is kept as it was written."""
    if existing is None:
        text = _HEADER
    else:
        try:
            text = existing.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError.single(origin or Path(CONFIG_NAMES[1]), "", "is not UTF-8") from None
    where = origin or Path(CONFIG_NAMES[1])
    try:
        doc = TomlDocument(text, where)
    except ValueError as exc:
        raise ConfigError.single(where, "", f"cannot be parsed for --vendor: {exc}") from None
    present = doc.get("source", {})
    for name in sorted(sources):
        table = sources[name]
        before = present.get(name) if isinstance(present, dict) else None
        if before is not None and before != table:
            _log.warn(
                f"{where}: source.{name} is replaced by the vendored sources of --vendor "
                "(the sdist builds from vendor/); drop --vendor to keep it"
            )
        doc.set(("source", name), table)
    out = doc.as_string()
    return (out if out.endswith("\n") else out + "\n").encode("utf-8")


def vendor_entries(vendor_dir: Path) -> list[SdistEntry]:
    """Every file cargo vendor wrote, as ``vendor/...`` entries (symlinks followed)."""
    entries: list[SdistEntry] = []
    for dirpath, dirnames, filenames in os.walk(vendor_dir, followlinks=True):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            relative = path.relative_to(vendor_dir).as_posix()
            executable = bool(path.stat().st_mode & 0o111)
            entries.append(
                SdistEntry(f"{VENDOR_DIR}/{relative}", source=path, executable=executable)
            )
    return entries


def with_vendored(
    entries: tuple[SdistEntry, ...], vendor_dir: Path, sources: Mapping[str, Any]
) -> tuple[SdistEntry, ...]:
    """``entries`` with the vendored crates and the (merged) cargo configuration."""
    clash = sorted(e.arcname for e in entries if e.arcname.startswith(f"{VENDOR_DIR}/"))
    if clash:
        raise FerruleError(
            f"--vendor packs the dependencies as {VENDOR_DIR}/, but the sdist already has "
            f"{clash[0]} (from {next(e for e in entries if e.arcname == clash[0]).describe()}); "
            f"rename that directory or leave it out with tool.maturin.exclude"
        )
    by_name = {e.arcname: e for e in entries}
    name = next((n for n in CONFIG_NAMES if n in by_name), CONFIG_NAMES[1])
    current = by_name.get(name)
    existing: bytes | None = None
    if current is not None:
        existing = current.source.read_bytes() if current.source is not None else current.data
    origin = current.made_from() if current is not None else None
    config = SdistEntry(name, data=merge_cargo_config(existing, sources, origin), origin=origin)
    kept = tuple(e for e in entries if e.arcname != name)
    return (*kept, config, *vendor_entries(vendor_dir))
