"""``ferrule develop``: build and install into the active environment, without pip.

The steps, under one lock per project:

1. find the environment and its interpreter (probe cached);
2. make sure the dependencies are installed (pip or uv runs only when they are not);
3. run cargo (always: cargo's fingerprints decide whether anything compiles) and
   plan the editable install from what it built;
4. compare the planned files' content, the options and the installed files with
   what the last develop into this environment installed
   (:class:`~ferrule.develop.fresh.InstallRecord`): when nothing changed, stop
   here, having written nothing;
5. otherwise remove the installed distribution (by its RECORD) and write the
   editable install (:mod:`ferrule.develop.editable`) file by file.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ferrule import _log
from ferrule._import_hook import file_lock, parse_stamp, stale_reason
from ferrule._record import record
from ferrule._store import file_state
from ferrule.build.report import BuildReport
from ferrule.build.run import PlannedWheel, pgo_profile, planned_wheel
from ferrule.cargo.command import CargoInvocation
from ferrule.config.model import Settings
from ferrule.develop.editable import (
    STAMP_NAME,
    EditablePlan,
    editable_profile,
    fingerprint,
    install_inputs,
    lock_path,
    plan_editable,
    rebuild_stamp,
    write_tree,
)
from ferrule.develop.environment import SCHEMES, TargetEnvironment, target_environment
from ferrule.develop.fresh import InstallRecord
from ferrule.develop.install import (
    Installer,
    find_installed,
    read_record,
    script_text,
    scripts_from_entry_points,
    uninstall,
)
from ferrule.errors import FerruleError
from ferrule.layout import ProjectLayout

__all__ = ["DevelopOutcome", "DevelopRequest", "develop", "previous_install"]


@record
class DevelopRequest:
    """The ``develop`` options that are not cargo options."""

    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    skip_install: bool = False
    use_uv: bool = False
    pip_path: Path | None = None
    rebuild_on_import: bool | None = None  # None: the rebuild-on-import config key
    from_import_hook: bool = False
    explicit_profile: bool = False
    replay: tuple[str, ...] = ()  # the options to rebuild with, for the import hook


@record
class DevelopOutcome:
    """What a completed develop depended on, for :mod:`ferrule.develop.replay`."""

    cargo: CargoInvocation | None  # None: not a single cargo run, so never replayed
    artifact: Path | None
    depends_on: tuple[Path, ...]
    stamp: tuple[str, str] | None  # (stamp file, directory its relative paths start from)
    message: str


def _depends_on(
    settings: Settings, env: TargetEnvironment, layout: ProjectLayout, record: InstallRecord
) -> list[Path]:
    """Files and directories whose change could change what a full develop decides."""
    from ferrule.develop.fresh import config_candidates

    cwd = Path.cwd()
    manifest = settings.cargo.manifest_path
    out: list[Path] = [manifest, manifest.parent, settings.project_dir, layout.python_dir]
    out += [p for p in (settings.pyproject_path, settings.cargo.workspace_root) if p]
    out += [
        settings.project_dir / "rust" / "Cargo.toml",
        layout.python_dir / layout.module_name.split(".")[0],
    ]
    if layout.data_dir is not None:
        out.append(layout.data_dir)
    for directory in (cwd, *cwd.parents):
        out += [directory / "pyproject.toml", directory / "Cargo.toml"]
        out.append(directory / ".venv" / "pyvenv.cfg")
    out += [directory / "Cargo.toml" for directory in manifest.parent.parents]
    out += config_candidates(manifest.parent, settings.environ)
    out += [env.python, env.python.resolve(), env.prefix / "pyvenv.cfg", env.purelib, env.platlib]
    out += [Path(p) for p in (*record.inputs, *record.installed)]
    return out


def _record_ident(env: TargetEnvironment, settings: Settings) -> str:
    return f"{env.prefix.resolve()}\0{settings.cargo.manifest_path.resolve()}"


def _config(
    env: TargetEnvironment,
    planned: PlannedWheel,
    plan: EditablePlan,
    hook: bool,
    replay: Sequence[str],
) -> str:
    """Everything that decides what develop installs, every planned file's content included."""
    return InstallRecord.config_key(
        {
            "prefix": env.prefix,
            "python": env.python,
            "python_id": env.python_id,
            "schemes": [env.scheme_dir(s) for s in SCHEMES],
            "layout": planned.layout,
            "tree": [str(dest) for dest, _ in plan.tree],
            "site": [e.arcname for e in plan.site],
            "content": fingerprint([*plan.site, *(entry for _, entry in plan.tree)]),
            "hook": hook,
            "replay": list(replay) if hook else None,
        }
    )


def _install(
    settings: Settings,
    env: TargetEnvironment,
    planned: PlannedWheel,
    plan: EditablePlan,
    hook: bool,
    replay: Sequence[str],
    started_ns: int,
) -> InstallRecord:
    metadata, layout = planned.metadata, planned.layout
    write_tree(plan.tree)
    # The new files are written over the old ones (each atomically) before anything
    # of the old install is removed, so an interrupted develop leaves an importable
    # package: the old version, the new one, or old files beside new ones.
    previous = [(old, read_record(old)) for old in find_installed(env, metadata.name)]

    installer = Installer(env, metadata.dist_info)
    data_prefix = f"{metadata.dist_name}-{metadata.version}.data/"
    meta_prefix = metadata.dist_info + "/"
    installed: list[Path] = [dest for dest, _ in plan.tree]
    for entry in plan.site:
        if entry.arcname.startswith(meta_prefix):
            name = entry.arcname[len(meta_prefix) :]
            if entry.source is not None:
                installer.add_meta(name, entry.source.read_bytes())
            else:
                installer.add_meta(name, entry.data or b"")
            continue
        scheme, rel = "platlib", entry.arcname
        if entry.arcname.startswith(data_prefix):
            scheme, _, rel = entry.arcname[len(data_prefix) :].partition("/")
            if scheme == "headers":
                rel = f"{metadata.dist_name}/{rel}"
        if scheme == "scripts":
            body = entry.source.read_bytes() if entry.source is not None else entry.data or b""
            if body.startswith((b"#!python", b"#!pythonw")):
                body = f"#!{env.python}".encode() + body[body.index(b"\n") :]
            dest = installer.add_bytes(scheme, rel, body, executable=True)
        elif entry.source is not None:
            dest = installer.add_file(scheme, rel, entry.source, entry.executable)
        else:
            dest = installer.add_bytes(scheme, rel, entry.data or b"", entry.executable)
        if entry.arcname in plan.native_arcnames:
            installed.append(dest)
    for name, target in sorted(scripts_from_entry_points(metadata.entry_points).items()):
        if env.interpreter.platform.startswith("win"):
            raise FerruleError(
                "console scripts need .exe launchers on Windows, which ferrule develop "
                "cannot write yet; use pip install -e . instead"
            )
        installer.add_bytes("scripts", name, script_text(env.python, target), executable=True)

    installer.add_meta("INSTALLER", b"ferrule\n")
    installer.add_meta("REQUESTED", b"")
    direct_url = {"dir_info": {"editable": True}, "url": settings.project_dir.as_uri()}
    installer.add_meta("direct_url.json", json.dumps(direct_url).encode())
    stamp_path = None
    if hook:
        states = []
        for path in installed:
            st = path.stat()
            states.append((str(path), str(st.st_mtime_ns), str(st.st_size)))
        stamp, _ = rebuild_stamp(settings, planned, env.python_id, states, replay, started_ns)
        stamp_path = installer.add_meta(STAMP_NAME, stamp.encode())
    record = installer.finish()
    keep = frozenset(Path(os.path.normpath(p)) for p in installer.written)
    for old, files in previous:
        count = uninstall(env, old, files, keep)
        _log.debug(f"removed {count} files of the previous install ({old.name})")

    inputs = install_inputs(settings, layout, metadata)
    watched = [record, *installed, *([stamp_path] if stamp_path else [])]
    return InstallRecord(
        config="",
        inputs={str(p): file_state(p) for p in inputs},
        installed={str(p): file_state(p) for p in watched},
        name=metadata.name,
        version=metadata.version,
        stamp=str(stamp_path) if stamp_path else None,
    )


def previous_install(ident: str, environ: Mapping[str, str]) -> InstallRecord | None:
    """What the last develop into this environment installed; None under ``FERRULE_NO_CACHE``
    (then every develop installs again)."""
    return InstallRecord.load(ident, environ)


def _replayable(settings: Settings, planned: PlannedWheel) -> bool:
    """One cargo run made everything (no extra extensions or binaries): replay can redo it."""
    bins = any(t.kind in (None, "bin") for t in settings.tool.targets)
    return (
        planned.cargo is not None
        and not planned.through_stable_root
        and not settings.tool.extensions
        and not bins
    )


def develop(
    settings: Settings, request: DevelopRequest, report: BuildReport | None = None
) -> DevelopOutcome | None:
    """Build and install; the outcome says what the result depended on (None: nothing to replay).

    ``report`` collects what was built and how long each step took (``--report``).
    """
    from ferrule.develop.requirements import install_requirements, project_requirements

    report = report if report is not None else BuildReport("", {})
    settings = editable_profile(settings, request.explicit_profile)
    env = target_environment(settings.environ, Path.cwd())
    hook = (
        request.rebuild_on_import
        if request.rebuild_on_import is not None
        else settings.tool.rebuild_on_import
    )
    lock = (
        contextlib.nullcontext()
        if request.from_import_hook  # the hook holds the lock while it waits for us
        else file_lock(str(lock_path(settings)))
    )
    with lock:
        if not request.skip_install:
            requirements = project_requirements(
                settings.pyproject,
                settings.pyproject_path or settings.cargo.manifest_path,
                request.extras,
                request.groups,
            )
            with report.phase("requirements"):
                install_requirements(
                    requirements,
                    env,
                    settings.environ,
                    use_uv=request.use_uv,
                    pip_path=request.pip_path,
                    install=not request.from_import_hook,
                )
        pgo = contextlib.ExitStack()
        rustflags = (
            pgo.enter_context(pgo_profile(settings, env.interpreter)) if settings.pgo else ()
        )
        started = time.time_ns()  # files changed from now on may be newer than the build
        with pgo, planned_wheel(settings, env.interpreter, report, rustflags) as planned:
            plan = plan_editable(planned, hook)
            if request.skip_install:
                if not planned.layout.mixed:
                    raise FerruleError(
                        "--skip-install builds the extension in place, next to the Python "
                        "sources, which needs a mixed Rust/Python layout (a Python package "
                        "beside Cargo.toml or under python-source); this project has none"
                    )
                write_tree(plan.tree)
                for dest, _ in plan.tree:
                    _log.info(f"built {dest}")
                return None

            ident = _record_ident(env, settings)
            config = _config(env, planned, plan, hook, request.replay)
            previous = previous_install(ident, settings.environ)
            reason = previous.out_of_date(config) if previous else "first install"
            if reason is None and previous is not None and previous.stamp:
                try:
                    text = Path(previous.stamp).read_text(encoding="utf-8")
                    reason = stale_reason(parse_stamp(text), str(env.platlib), settings.environ)
                except (OSError, ValueError):
                    reason = "the rebuild stamp is unreadable"
            if reason is None and previous is not None:
                record = previous
                report.fast_path = "stamp"
                _log.info(f"{record.name} {record.version} is up to date in {env.prefix}")
            else:
                _log.debug(f"installing: {reason}")
                with report.phase("install"):
                    record = _install(settings, env, planned, plan, hook, request.replay, started)
                record.config = config
                record.save(ident, settings.environ)
                how = " with rebuild on import" if hook else ""
                _log.info(
                    f"installed {record.name} {record.version} (editable{how}) into {env.prefix}"
                )
            # A --pgo build's profile is gone once it ends: never replayed.
            replayable = _replayable(settings, planned) and not settings.pgo
            assert planned.cargo is not None or not replayable
            return DevelopOutcome(
                planned.cargo.invocation if replayable and planned.cargo else None,
                planned.cargo.artifacts[0].path if replayable and planned.cargo else None,
                tuple(_depends_on(settings, env, planned.layout, record)),
                (record.stamp, str(env.platlib)) if record.stamp else None,
                f"{record.name} {record.version} is up to date in {env.prefix}",
            )
