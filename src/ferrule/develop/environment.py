"""The environment ``develop`` installs into: found as maturin finds it, asked about itself once.

``VIRTUAL_ENV``, else ``CONDA_PREFIX`` (both set and different is an error),
else the nearest ``.venv`` (with a ``pyvenv.cfg``) in the working directory or
above. Anything that is neither a virtual environment nor a conda environment is
refused: ``develop`` never writes into a system Python.

The interpreter is probed once (version, ABI, its own install scheme, marker
values) and the answer is cached next to cargo's output, keyed by the
interpreter binary's and ``pyvenv.cfg``'s size and mtime, so that a no-op
``develop`` does not start a second Python.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule import _store
from ferrule._import_hook import python_id
from ferrule._record import record
from ferrule.errors import FerruleError
from ferrule.interpreter_probe import PROBE, Interpreter, from_probe, run_probe

__all__ = ["SCHEMES", "TargetEnvironment", "find_prefix", "target_environment"]

# The install schemes of an environment: the fields of TargetEnvironment of these names.
SCHEMES = ("purelib", "platlib", "scripts", "data", "headers")

# Runs in the target interpreter after interpreter_probe.PROBE: stdlib only, any Python 3.
_SCHEME_PROBE = r"""
import _imp, json, os, platform, sys, sysconfig
names = sysconfig.get_scheme_names()
scheme = "venv" if "venv" in names else ("nt" if os.name == "nt" else "posix_prefix")
base = {"base": sys.prefix, "platbase": sys.prefix,
        "installed_base": sys.prefix, "installed_platbase": sys.prefix}
paths = sysconfig.get_paths(scheme, vars=base)
impl = sys.implementation
iver = "%d.%d.%d" % impl.version[:3]
if impl.version.releaselevel != "final":
    iver += impl.version.releaselevel[0] + str(impl.version.serial)
print(json.dumps({
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "paths": {k: paths[k] for k in ("purelib", "platlib", "scripts", "data")},
    "headers": os.path.join(sys.prefix, "include", "site", "python%d.%d" % sys.version_info[:2]),
    "python_version": sys.version,
    "ext_suffix_first": _imp.extension_suffixes()[0],
    "markers": {
        "implementation_name": impl.name,
        "implementation_version": iver,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
}))
"""
_CACHE_VERSION = 1


@record
class TargetEnvironment:
    """A virtual or conda environment and its interpreter, as ``develop`` needs them."""

    prefix: Path
    python: Path
    interpreter: Interpreter
    purelib: Path
    platlib: Path
    scripts: Path
    data: Path
    headers: Path
    markers: Mapping[str, str]
    python_id: str
    made_by_uv: bool

    def scheme_dir(self, scheme: str) -> Path:
        """The directory of one of :data:`SCHEMES`."""
        if scheme not in SCHEMES:
            raise KeyError(scheme)
        path: Path = getattr(self, scheme)
        return path


def find_prefix(environ: Mapping[str, str], start: Path) -> Path:
    """The environment to install into (not yet checked to be one)."""
    venv, conda = environ.get("VIRTUAL_ENV"), environ.get("CONDA_PREFIX")
    if venv and conda and Path(venv).resolve() != Path(conda).resolve():
        raise FerruleError(
            f"both VIRTUAL_ENV ({venv}) and CONDA_PREFIX ({conda}) are set; "
            "deactivate one of them so that it is clear where to install"
        )
    if venv or conda:
        prefix = Path(venv or conda or "")
        if not prefix.is_dir():
            var = "VIRTUAL_ENV" if venv else "CONDA_PREFIX"
            raise FerruleError(f"{var}={prefix} does not exist")
        return prefix.absolute()
    for directory in (start, *start.parents):
        if (directory / ".venv" / "pyvenv.cfg").is_file():
            return directory / ".venv"
    raise FerruleError(
        "no virtual environment to install into: activate one (VIRTUAL_ENV), use a conda "
        "environment (CONDA_PREFIX), or create .venv in the project "
        "(python -m venv .venv, or uv venv)"
    )


def _python_in(prefix: Path) -> Path:
    candidates = (
        [prefix / "Scripts" / "python.exe", prefix / "python.exe"]
        if os.name == "nt"
        else [prefix / "bin" / "python", prefix / "bin" / "python3"]
    )
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FerruleError(f"{prefix} has no Python interpreter (looked for {candidates[0]})")


def _cache_key(python: Path, prefix: Path) -> list[Any]:
    real = python.resolve()
    return [
        _CACHE_VERSION,
        str(python),
        str(real),
        _store.file_state(real),
        _store.file_state(prefix / "pyvenv.cfg"),
    ]


def _probe(python: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    # With site: a virtual environment's sys.prefix is set by the site module.
    answers = run_probe(str(python), environ, PROBE + "\n" + _SCHEME_PROBE, site=True)
    if len(answers) < 2:
        raise FerruleError(f"{python} is not a usable Python interpreter")
    return {"interpreter": answers[-2], "scheme": answers[-1]}


def target_environment(
    environ: Mapping[str, str], start: Path, cached: bool = True
) -> TargetEnvironment:
    """Find the environment and describe it (from the cache store, kind ``interpreter``,
    when the interpreter is unchanged)."""
    prefix = find_prefix(environ, start)
    python = _python_in(prefix)
    key = _cache_key(python, prefix)
    store = _store.open_store(environ) if cached else None
    entry = None if store is None else store.get("interpreter", str(python), key)
    data: Any = None if entry is None else entry.get("probe")
    if not isinstance(data, dict):
        data = _probe(python, environ)
        if store is not None:
            store.put("interpreter", str(python), {"probe": data}, key)

    scheme = data["scheme"]
    real_prefix = Path(scheme["prefix"])
    is_venv = scheme["prefix"] != scheme["base_prefix"]
    is_conda = (real_prefix / "conda-meta").is_dir()
    if not (is_venv or is_conda):
        raise FerruleError(
            f"{prefix} is not a virtual environment or a conda environment "
            f"({python} is a system interpreter); ferrule develop installs only into "
            "environments (python -m venv .venv, or uv venv)"
        )
    cfg = prefix / "pyvenv.cfg"
    made_by_uv = False
    if cfg.is_file():
        made_by_uv = any(
            line.split("=", 1)[0].strip() in ("uv", "pixi")
            for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines()
        )
    paths = {**scheme["paths"], "headers": scheme["headers"]}
    directories: dict[str, Any] = {name: Path(paths[name]) for name in SCHEMES}
    return TargetEnvironment(
        prefix=prefix,
        python=python,
        interpreter=from_probe(data["interpreter"]),
        **directories,
        markers=scheme["markers"],
        python_id=python_id(scheme["python_version"], scheme["ext_suffix_first"]),
        made_by_uv=made_by_uv,
    )
