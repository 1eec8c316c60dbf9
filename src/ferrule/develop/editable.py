"""Editable installs: what goes into the environment, for ``develop`` and PEP 660 alike.

- **Mixed layouts** (a Python package next to the crate): as maturin, the
  extension is copied into the source tree next to the Python sources, and the
  environment gets only the ``.dist-info`` (plus ``.data`` files and console
  scripts) and ``<dist>.pth`` naming the Python source directory. Python edits
  are live; Rust edits need a rebuild (``develop``, or the import hook).
- **Pure layouts** (no Python package): the package that ferrule generates
  (``__init__.py`` re-exporting the extension, the stub) is installed as in a
  wheel; ``python-packages`` are reached through the ``.pth``.
- **Rebuild on import** adds ``_ferrule_rebuild_<dist>.py`` (a copy of
  :mod:`ferrule._import_hook`), a ``.pth`` line that activates it, and the stamp
  ``<dist-info>/ferrule-rebuild.stamp`` it compares.

:func:`build_editable_wheel` is the PEP 660 hook's implementation: the same plan
written as a wheel, which pip or uv then install.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ferrule import _atomic, _faults, _log
from ferrule._atomic import TMP_SUFFIX
from ferrule._record import record
from ferrule._version import __version__
from ferrule.build.run import PlannedWheel, planned_wheel, wheel_filename
from ferrule.config.model import Settings
from ferrule.develop.fresh import Watch, render_stamp, watch_list
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout
from ferrule.metadata import PackageMetadata
from ferrule.target_dir import default_out_dir
from ferrule.wheel.manifest import Entry, plan_entries
from ferrule.wheel.writer import WheelWriter

__all__ = [
    "HOOK_PREFIX",
    "STAMP_NAME",
    "EditablePlan",
    "build_editable_wheel",
    "copy_atomic",
    "editable_profile",
    "fingerprint",
    "install_inputs",
    "lock_path",
    "plan_editable",
    "rebuild_stamp",
    "state_dir",
    "write_tree",
]

HOOK_PREFIX = "_ferrule_rebuild_"
STAMP_NAME = "ferrule-rebuild.stamp"


def state_dir(settings: Settings) -> Path:
    """Where ferrule keeps its caches and locks: ``<target-dir>/ferrule``."""
    return default_out_dir(settings).parent / "ferrule"


def lock_path(settings: Settings) -> Path:
    """One lock per project: develops and import-hook rebuilds of it take turns."""
    key = hashlib.sha256(str(settings.cargo.manifest_path.resolve()).encode()).hexdigest()[:24]
    return state_dir(settings) / "locks" / f"{key}.lock"


def editable_profile(settings: Settings, explicit: bool) -> Settings:
    """Unless ``--profile``/``--release`` was given: ``editable-profile``, ``profile``, then ``dev``.

    ``dev`` is the development-friendly default (fast to rebuild); maturin's PEP 660
    path defaults to ``release`` (see docs/differences.md).
    """
    if explicit:
        return settings
    import dataclasses

    profile = settings.tool.editable_profile or settings.tool.profile or "dev"
    options = dataclasses.replace(settings.cargo_options, profile=profile)
    return dataclasses.replace(settings, cargo_options=options)


@record
class EditablePlan:
    """What an editable install consists of."""

    # For site-packages, as wheel entries: package files, ``.data/...``, the ``.pth``,
    # the hook; dist-info last (without RECORD and the rebuild stamp).
    site: tuple[Entry, ...]
    # Files built by cargo (or generated from its output) that go into the source
    # tree beside the Python sources, for mixed layouts: (destination, entry).
    tree: tuple[tuple[Path, Entry], ...]
    # The arcnames of ``site`` entries made from cargo's artifacts.
    native_arcnames: frozenset[str]


def _is_under(path: Path | None, roots: Sequence[Path]) -> bool:
    return path is not None and any(path == r or path.is_relative_to(r) for r in roots)


def hook_module(metadata: PackageMetadata) -> str:
    return f"{HOOK_PREFIX}{metadata.dist_name}"


def plan_editable(planned: PlannedWheel, rebuild_on_import: bool) -> EditablePlan:
    """Split a planned wheel into what goes into the environment and into the source tree."""
    layout, metadata = planned.layout, planned.metadata
    data_prefix = f"{metadata.dist_name}-{metadata.version}.data/"
    built = list(planned.native) + list(planned.extra)
    site: list[Entry] = []
    tree: list[tuple[Path, Entry]] = []
    pth_dirs: list[Path] = []
    if layout.mixed:
        for entry in built:
            if entry.arcname.startswith(data_prefix):
                site.append(entry)
                continue
            dest = layout.python_dir / entry.arcname
            if entry.source is not None and entry.source.resolve() == dest.resolve():
                continue  # an include of a file that is already there
            tree.append((dest, entry))
        site += [e for e in planned.package_files if e.arcname.startswith(data_prefix)]
        pth_dirs.append(layout.python_dir)
    else:
        site += built
        packages = list(layout.python_packages)
        site += [e for e in planned.package_files if not _is_under(e.source, packages)]
        if packages:
            pth_dirs.append(layout.python_dir)
    native = frozenset(e.arcname for e in site if e in planned.native)
    if pth_dirs:
        text = "".join(f"{d}\n" for d in pth_dirs)
        site.append(Entry(f"{metadata.dist_name}.pth", data=text.encode()))
    if rebuild_on_import:
        hook = hook_module(metadata)
        top = layout.module_name.split(".")[0]
        stamp = f"{metadata.dist_info}/{STAMP_NAME}"
        site.append(Entry(f"{hook}.py", source=Path(__file__).parent.parent / "_import_hook.py"))
        line = f"import {hook}; {hook}.activate({top!r}, {stamp!r})\n"
        site.append(Entry(f"{hook}.pth", data=line.encode()))
    site.sort(key=lambda e: (e.arcname.startswith(data_prefix), e.arcname))
    # Only the dist-info: METADATA, WHEEL, entry_points.txt, licenses, sboms/ (as maturin's).
    meta = plan_entries(metadata, [], planned.wheel_file, [], dist_info_extra=planned.sboms)
    return EditablePlan(tuple(site + meta), tuple(tree), native)


def write_tree(tree: Sequence[tuple[Path, Entry]]) -> None:
    """Place built files in the source tree, each atomically."""
    swept: set[Path] = set()
    for dest, entry in tree:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.parent not in swept:  # what a killed develop left here
            swept.add(dest.parent)
            _faults.sweep(
                dest.parent, f".*{TMP_SUFFIX}", lambda n: _faults.pid_before(n, TMP_SUFFIX)
            )
        if entry.source is not None:
            copy_atomic(entry.source, dest, entry.executable)
        else:
            assert entry.data is not None
            _atomic.write_bytes(dest, entry.data)


def fingerprint(entries: Sequence[Entry]) -> str:
    """The content of planned files: what a no-op develop compares.

    Content, not mtimes: cargo's artifacts reach the plan as fresh staged copies.
    """
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.arcname):
        digest.update(entry.arcname.encode() + b"\0" + bytes([entry.executable]))
        if entry.source is not None:
            with entry.source.open("rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        else:
            digest.update(entry.data or b"")
        digest.update(b"\0")
    return digest.hexdigest()


def copy_atomic(source: Path, dest: Path, executable: bool = True) -> None:
    """Copy to a temporary name beside ``dest``, then rename over it.

    A process that has the old extension loaded keeps its copy (the old inode);
    writing into the loaded file instead could crash it.
    """
    _atomic.copy_file(source, dest, (0o755 if executable else 0o644) & ~_atomic.umask())


def _readme(settings: Settings) -> Path | None:
    project = settings.project_table or {}
    readme = project.get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    if isinstance(readme, str):
        return settings.project_dir / readme
    manifest_dir = settings.cargo.manifest_path.parent
    if isinstance(settings.cargo.readme, str):
        return manifest_dir / settings.cargo.readme
    for guess in ("README.md", "README.txt", "README.rst", "README"):
        if (manifest_dir / guess).is_file():
            return manifest_dir / guess
    return None


def install_inputs(
    settings: Settings, layout: ProjectLayout, metadata: PackageMetadata | None
) -> list[Path]:
    """Files besides cargo's inputs whose change changes what is installed."""
    files = [p for p in (settings.pyproject_path, _readme(settings), layout.root_stub) if p]
    if metadata is not None:
        files += [path for _, path in metadata.license_files]
    if layout.data_dir is not None:
        for dirpath, _, filenames in os.walk(layout.data_dir):
            files.append(Path(dirpath))
            files += [Path(dirpath) / f for f in sorted(filenames)]
    return files


def rebuild_stamp(
    settings: Settings,
    planned: PlannedWheel,
    python_id: str,
    installed: Sequence[tuple[str, str, str]],
    replay: Sequence[str],
    since_ns: int | None = None,
) -> tuple[str, Watch]:
    """The import hook's stamp for this build (started at ``since_ns``), and what it watches."""
    layout, metadata = planned.layout, planned.metadata
    watch = watch_list(
        planned.cargo.messages if planned.cargo else (),
        settings.cargo.manifest_path,
        settings.cargo.workspace_root,
        install_inputs(settings, layout, metadata),
        settings.environ,
    )
    config = {
        "module": layout.module_name.split(".")[0],
        "project": str(settings.project_dir),
        "args": list(replay),
        "python": sys.executable,
        # The sys.path entry ferrule was imported from (an isolated build environment
        # adds it without the interpreter knowing).
        "location": str(Path(__file__).resolve().parents[2]),
        "version": __version__,
        "lock": str(lock_path(settings)),
    }
    stamp = render_stamp(
        module=layout.module_name.split(".")[0],
        python_id=python_id,
        watch=watch,
        installed=installed,
        environ=settings.environ,
        config=config,
        since_ns=since_ns,
    )
    return stamp, watch


def build_editable_wheel(
    settings: Settings,
    interp: Interpreter,
    wheel_directory: Path,
    rebuild_on_import: bool,
    replay: Sequence[str],
) -> Path:
    """PEP 660: compile, place built files in the tree (mixed layouts), write the wheel."""
    import _imp

    from ferrule._import_hook import python_id

    started = time.time_ns()
    with planned_wheel(settings, interp) as planned:
        metadata = planned.metadata
        plan = plan_editable(planned, rebuild_on_import)
        write_tree(plan.tree)
        for dest, _ in plan.tree:
            _log.info(f"placed {dest}")
        entries = list(plan.site)
        if rebuild_on_import:
            installed = []
            for dest, _ in plan.tree:
                st = dest.stat()
                installed.append((str(dest), str(st.st_mtime_ns), str(st.st_size)))
            for entry in plan.site:
                if entry.arcname in plan.native_arcnames and entry.source is not None:
                    # Written by the frontend at install time: only the size is known now.
                    installed.append((entry.arcname, "*", str(entry.source.stat().st_size)))
            stamp, _ = rebuild_stamp(
                settings,
                planned,
                python_id(sys.version, _imp.extension_suffixes()[0]),
                installed,
                replay,
                started,
            )
            entries.append(Entry(f"{metadata.dist_info}/{STAMP_NAME}", data=stamp.encode()))
        target = wheel_directory / wheel_filename(metadata, planned.tag)
        meta_prefix = metadata.dist_info + "/"
        body = [e for e in entries if not e.arcname.startswith(meta_prefix)]
        meta = sorted(
            (e for e in entries if e.arcname.startswith(meta_prefix)), key=lambda e: e.arcname
        )
        with WheelWriter(target, metadata.dist_info, settings.environ) as writer:
            for entry in body + meta:
                if entry.source is not None:
                    writer.add_file(entry.arcname, entry.source, entry.executable or None)
                else:
                    assert entry.data is not None
                    writer.add_bytes(entry.arcname, entry.data, entry.executable)
    _log.info(f"built {target}")
    return target
