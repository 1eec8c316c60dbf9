"""Python interpreters to build for: resolving ``-i``, ``-f`` discovery, the default one.

What an interpreter is and how it is asked about itself lives in
:mod:`ferrule.interpreter_probe`; interpreters described by configuration (cross
compilation, ``PYO3_CONFIG_FILE``) in :mod:`ferrule.interpreter_config`.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ferrule import _log, _run
from ferrule.errors import FerruleError
from ferrule.interpreter_config import (
    cross_spec,
    for_target,
    from_cross_lib_dir,
    from_pyo3_config,
    synthetic,
)
from ferrule.interpreter_probe import Interpreter, probe, start_probe

if TYPE_CHECKING:
    from ferrule.config.model import Settings
    from ferrule.config.pyo3_crate import Pyo3Crate

__all__ = [
    "Interpreter",
    "default_interpreter",
    "described_for_target",
    "discover",
    "from_pyo3_config",
    "host_triple",
    "probe",
    "resolve_interpreter",
    "select_interpreters",
    "start_probes",
]

_VERSION = re.compile(r"^(?:(?P<impl>pypy|python)-?)?(?P<ver>3\.\d+t?)$")


def resolve_interpreter(spec: str, environ: Mapping[str, str]) -> Interpreter:
    """Resolve ``-i``: a path, a name on PATH, or a version such as ``3.12`` / ``pypy3.10``."""
    candidate = _find(spec, environ)
    if candidate is None:
        raise FerruleError(f"interpreter {spec!r} was not found (give a path, a name or 3.X)")
    return probe(candidate, environ)


def _find(spec: str, environ: Mapping[str, str]) -> str | None:
    """The program ``-i spec`` names, or None."""
    path_var = environ.get("PATH")
    candidate: str | None = None
    if "/" in spec or "\\" in spec:
        p = Path(spec).expanduser()
        candidate = str(p.absolute()) if p.exists() else None
    else:
        match = _VERSION.match(spec)
        names = [spec]
        if match:
            impl = "pypy" if match["impl"] == "pypy" else "python"
            names = [f"{impl}{match['ver']}"]
        for name in names:
            found = shutil.which(name, path=path_var)
            if found:
                candidate = found
                break
    return candidate


def default_interpreter(environ: Mapping[str, str]) -> Interpreter:
    """The interpreter to build for when none is named: as maturin picks it."""
    return resolve_interpreter(_default_spec(environ), environ)


def _default_spec(environ: Mapping[str, str]) -> str:
    """``PYO3_PYTHON``, else the active virtual environment's python, else ``python3``."""
    if environ.get("PYO3_PYTHON"):
        return environ["PYO3_PYTHON"]
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        for name in ("bin/python", "Scripts/python.exe"):
            exe = Path(venv) / name
            if exe.exists():
                return str(exe)
    return "python3"


# What `-f` looks for on PATH (Unix), as maturin: python3.7..3.14, the
# free-threaded builds from 3.14t on (PEP 779; maturin never finds the
# experimental 3.13t with -f, `-i python3.13t` builds it), and PyPy 3.8..3.11.
DISCOVERY_NAMES: tuple[str, ...] = (
    *(f"python3.{m}" for m in range(7, 15)),
    *(f"python3.{m}t" for m in range(14, 15)),
    *(f"pypy3.{m}" for m in range(8, 12)),
)


def _probe_on_path(name: str, environ: Mapping[str, str]) -> Interpreter | None:
    """The interpreter ``name`` names on PATH; None when there is none or it does not run."""
    exe = shutil.which(name, path=environ.get("PATH"))
    if exe is None:
        return None
    try:
        return probe(exe, environ)
    except FerruleError:
        # e.g. a pyenv shim for a version that is not active
        _log.debug(f"skipped {name} ({exe}): it does not run")
        return None


def start_probes(settings: Settings, specs: Sequence[str], find: bool) -> None:
    """Start the probes :func:`select_interpreters` will run for these ``-i`` / ``-f``
    (see :func:`ferrule._run.start`), so that they run beside ``cargo metadata``.

    Nothing is started for ``--target`` or the ``PYO3_*`` variables that describe
    an interpreter without running it, nor for the running Python (described in-process).
    """
    env = settings.environ
    described = ("PYO3_CONFIG_FILE", "PYO3_CROSS_LIB_DIR", "PYO3_CROSS_PYTHON_VERSION")
    if settings.cargo_options.target or any(env.get(var) for var in described):
        return
    if find:  # as discover: python3 when none of the versioned names is there
        programs = [shutil.which(name, path=env.get("PATH")) for name in DISCOVERY_NAMES]
        if not any(programs):
            programs = [shutil.which("python3", path=env.get("PATH"))]
    else:
        programs = [_find(spec, env) for spec in specs or [_default_spec(env)]]
    for program in programs:
        if program is not None:
            start_probe(program, env)


def discover(environ: Mapping[str, str]) -> list[Interpreter]:
    """Every interpreter ``-f`` finds on PATH, once each; broken ones are skipped with a note.

    When none of the versioned names is there, ``python3`` (else ``python``).
    """
    found: list[Interpreter] = []
    seen: set[str] = set()
    for name in DISCOVERY_NAMES:
        interp = _probe_on_path(name, environ)
        if interp is None:
            continue
        key = os.path.realpath(interp.executable)
        if key in seen or interp.base_executable in seen:
            continue
        seen.update({key, interp.base_executable})
        found.append(interp)
    if not found:
        # As maturin: where only the generic names exist (pyenv, some images),
        # the first of python3 / python that is a Python 3.
        for name in ("python3", "python"):
            interp = _probe_on_path(name, environ)
            if interp is not None and interp.major == 3:
                return [interp]
    return found


def host_triple(environ: Mapping[str, str]) -> str:
    done = _run.run([environ.get("RUSTC", "rustc"), "-vV"], env=environ)
    for line in done.stdout.splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    return ""


def _native(settings: Settings) -> Settings:
    """``settings`` without ``--target`` (to choose the host's interpreters)."""
    import dataclasses

    options = dataclasses.replace(settings.cargo_options, target=None)
    return dataclasses.replace(settings, cargo_options=options)


def _is_cross(settings: Settings) -> bool:
    env = settings.environ
    if env.get("PYO3_CROSS", "").lower() in ("1", "true", "yes", "on"):
        return True
    target = settings.cargo_options.target
    if not target:
        return False
    from ferrule.target import is_cross_compiling

    return is_cross_compiling(target, host_triple(env))


def _outside(interp: Interpreter, settings: Settings, crate: Pyo3Crate) -> str | None:
    """Why ``interp`` cannot be built for, or None."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    project = settings.project_table or {}
    requires = project.get("requires-python")
    if isinstance(requires, str):
        try:
            if not SpecifierSet(requires).contains(Version(f"{interp.major}.{interp.minor}")):
                return f"requires-python is {requires}"
        except InvalidSpecifier:
            pass
    versions = crate.versions
    label = f"{crate.name} {crate.locked_version}" if crate.locked_version else crate.name
    span = versions.pypy if interp.implementation == "pypy" else versions.cpython
    if interp.implementation in ("cpython", "pypy") and versions.cpython is not None:
        if span is None or not span[0] <= interp.version <= span[1]:
            kind = "PyPy" if interp.implementation == "pypy" else "CPython"
            supported = (
                f"{kind} {span[0][0]}.{span[0][1]} to {span[1][0]}.{span[1][1]}"
                if span
                else f"no {kind}"
            )
            return f"{label} supports {supported}"
        if interp.gil_disabled:
            floor = versions.free_threaded_min
            if floor is None or interp.version < floor:
                return (
                    f"{label} supports free-threaded Python from {floor[0]}.{floor[1]}t on"
                    if floor
                    else f"{label} does not support free-threaded Python"
                )
    return None


def described_for_target(settings: Settings, interp: Interpreter) -> Interpreter:
    """``interp`` as a ``--target`` build sees it (the PEP 517 hooks' interpreter): the
    target's standard library checked, and when cross-compiling its version described for
    the target, not run (as :func:`select_interpreters` does for ``ferrule build``)."""
    triple = settings.cargo_options.target
    if not triple or settings.environ.get("PYO3_CONFIG_FILE"):
        return interp
    from ferrule.rust_target import check_targets_installed
    from ferrule.target import parse_target

    target = parse_target(triple)
    env = settings.environ
    check_targets_installed(target.cargo_triples, settings.cargo_options.unstable_flags, env)
    if not _is_cross(settings):
        return interp
    if env.get("PYO3_CROSS_LIB_DIR"):
        return from_cross_lib_dir(Path(env["PYO3_CROSS_LIB_DIR"]), target, env)
    return for_target(
        target, interp.implementation, interp.version, interp.gil_disabled, interp.executable, env
    )


def select_interpreters(settings: Settings, specs: list[str], find: bool) -> list[Interpreter]:
    """The interpreters to build for: ``-i`` specs, ``-f`` discovery, or the default one.

    ``PYO3_CONFIG_FILE`` wins over everything (one non-runnable interpreter);
    when cross-compiling, ``PYO3_CROSS_LIB_DIR`` / ``PYO3_CROSS_PYTHON_VERSION``
    describe the target interpreter. Discovered interpreters outside
    ``requires-python`` or the crate's pyo3 range are skipped with a note; named
    ones are refused, never silently dropped.
    """
    env = settings.environ
    target = None
    if settings.cargo_options.target:
        # Before anything else: without the target's standard library nothing can be built.
        from ferrule.rust_target import check_targets_installed
        from ferrule.target import parse_target

        target = parse_target(settings.cargo_options.target)
        check_targets_installed(target.cargo_triples, settings.cargo_options.unstable_flags, env)
    if env.get("PYO3_CONFIG_FILE"):
        return [from_pyo3_config(Path(env["PYO3_CONFIG_FILE"]), target)[0]]
    cross = _is_cross(settings)
    if (env.get("PYO3_CROSS_LIB_DIR") or env.get("PYO3_CROSS_PYTHON_VERSION")) and cross:
        if env.get("PYO3_CROSS_LIB_DIR"):
            return [from_cross_lib_dir(Path(env["PYO3_CROSS_LIB_DIR"]), target, env)]
        version = tuple(int(p) for p in env["PYO3_CROSS_PYTHON_VERSION"].split(".")[:2])
        impl = env.get("PYO3_CROSS_PYTHON_IMPLEMENTATION", "CPython").lower()
        return [
            synthetic(impl, (version[0], version[1]), False, "PYO3_CROSS_PYTHON_VERSION", target)
        ]
    if cross and target is not None and specs:
        # maturin's well-known interpreters of the target: -i names one, nothing is run.
        return [for_target(target, *cross_spec(spec), f"-i {spec}", env) for spec in specs]
    if cross and target is not None:
        # The host's interpreters' versions, described for the target (docs/compat.md).
        return [
            for_target(target, i.implementation, i.version, i.gil_disabled, i.executable, env)
            for i in select_interpreters(_native(settings), specs, find)
        ]

    crate = settings.pyo3
    if find:
        chosen = []
        for interp in discover(env):
            why = _outside(interp, settings, crate)
            if why:
                _log.info(f"skipping {interp.describe()}: {why}")
            else:
                chosen.append(interp)
        if not chosen:
            raise FerruleError(
                "--find-interpreter found no Python interpreter on PATH that this project "
                "supports; name one with -i"
            )
        return chosen
    if specs:
        out = []
        for spec in specs:
            interp = resolve_interpreter(spec, env)
            why = _outside(interp, settings, crate)
            if why:
                raise FerruleError(f"cannot build for {interp.describe()} (-i {spec}): {why}")
            out.append(interp)
        return out
    interp = default_interpreter(env)
    why = _outside(interp, settings, crate)
    if why:
        raise FerruleError(
            f"the default interpreter {interp.describe()} cannot be built for: {why}; "
            "name another with -i, or use -f"
        )
    return [interp]
