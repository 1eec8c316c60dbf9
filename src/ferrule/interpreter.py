"""Python interpreters: resolving ``-i`` arguments and asking them about themselves."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ferrule import _log, _run
from ferrule.errors import FerruleError

if TYPE_CHECKING:
    from ferrule.config.model import Settings
    from ferrule.config.pyo3_crate import Pyo3Crate

__all__ = [
    "Interpreter",
    "default_interpreter",
    "discover",
    "from_pyo3_config",
    "host_triple",
    "probe",
    "resolve_interpreter",
    "select_interpreters",
]

# Runs inside the target interpreter (any Python 3): stdlib only.
_PROBE = r"""
import json, os, sys, sysconfig
print(json.dumps({
    "implementation": sys.implementation.name,
    "version": list(sys.version_info[:2]),
    "abiflags": getattr(sys, "abiflags", ""),
    "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
    "soabi": sysconfig.get_config_var("SOABI") or "",
    "platform": sysconfig.get_platform(),
    "executable": sys.executable,
    "base_executable": os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable),
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "pointer_width": 64 if sys.maxsize > 2**32 else 32,
}))
"""


@dataclass(frozen=True)
class Interpreter:
    """What ferrule needs to know about one target interpreter."""

    implementation: str  # "cpython", "pypy", ...
    major: int
    minor: int
    abiflags: str
    ext_suffix: str
    soabi: str
    platform: str  # sysconfig.get_platform(), e.g. "linux-x86_64"
    executable: str
    base_executable: str
    gil_disabled: bool
    pointer_width: int
    runnable: bool = True  # False: described by PYO3_CONFIG_FILE or cross-compilation data

    @property
    def version(self) -> tuple[int, int]:
        return (self.major, self.minor)

    @property
    def signature(self) -> str:
        """Changes whenever code compiled for this interpreter would change.

        >>> Interpreter("cpython", 3, 11, "", ".so", "", "linux-x86_64", "", "", False, 64).signature
        'cpython-3.11-64bit'
        """
        return f"{self.implementation}-{self.major}.{self.minor}{self.abiflags}-{self.pointer_width}bit"

    @property
    def name(self) -> str:
        """``CPython 3.13t``, ``PyPy 3.9``.

        >>> Interpreter("cpython", 3, 13, "t", "", "", "", "", "", True, 64).name
        'CPython 3.13t'
        >>> Interpreter("cpython", 3, 7, "m", "", "", "", "", "", False, 64).name
        'CPython 3.7m'
        """
        kind = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(
            self.implementation, self.implementation
        )
        flags = self.abiflags or ("t" if self.gil_disabled else "")
        return f"{kind} {self.major}.{self.minor}{flags}"

    @property
    def supports_abi3(self) -> bool:
        """Only GIL-enabled CPython can load abi3 extensions."""
        return self.implementation == "cpython" and not self.gil_disabled

    def describe(self) -> str:
        where = f" at {self.executable}" if self.runnable else " (not runnable: from configuration)"
        return f"{self.name}{where}"


def _from_json(data: Mapping[str, object]) -> Interpreter:
    version = data["version"]
    assert isinstance(version, list)
    return Interpreter(
        implementation=str(data["implementation"]),
        major=int(version[0]),
        minor=int(version[1]),
        abiflags=str(data["abiflags"]),
        ext_suffix=str(data["ext_suffix"]),
        soabi=str(data["soabi"]),
        platform=str(data["platform"]),
        executable=str(data["executable"]),
        base_executable=str(data["base_executable"]),
        gil_disabled=bool(data["gil_disabled"]),
        pointer_width=int(str(data["pointer_width"])),
    )


def _venv_root(executable: str) -> Path | None:
    """The virtual environment ``executable`` (as given, links unresolved) belongs to."""
    bin_dir = Path(executable).absolute().parent
    for candidate in (bin_dir, bin_dir.parent):
        if (candidate / "pyvenv.cfg").is_file():
            return candidate
    return None


def _is_running_interpreter(executable: str) -> bool:
    """``executable`` is this very Python: the same program in the same environment.

    Then it is described in-process, saving a subprocess (~0.1 s, more through
    a pyenv shim). A shim or wrapper script never matches: its real path is
    the script, not this interpreter.
    """
    if executable == sys.executable:
        return True
    try:
        same_program = Path(executable).samefile(sys.executable)
    except OSError:
        return False
    return same_program and _venv_root(executable) == _venv_root(sys.executable)


def probe(executable: str, environ: Mapping[str, str]) -> Interpreter:
    """Ask ``executable`` about itself (in-process when it is the running Python)."""
    if _is_running_interpreter(executable):
        namespace: dict[str, object] = {}
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(_PROBE, namespace)  # noqa: S102 - our own constant probe
        data = json.loads(buffer.getvalue())
        data["executable"] = executable  # as the interpreter reports when run by that path
        return _from_json(data)
    env = {k: v for k, v in environ.items() if not k.startswith("PYTHON")}
    done = _run.run(
        [executable, "-I", "-S", "-c", _PROBE],
        env=env,
        hint=f"cannot run the interpreter {executable}",
    )
    try:
        return _from_json(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError):
        raise FerruleError(f"{executable} is not a usable Python interpreter") from None


_VERSION = re.compile(r"^(?:(?P<impl>pypy|python)-?)?(?P<ver>3\.\d+t?)$")


def resolve_interpreter(spec: str, environ: Mapping[str, str]) -> Interpreter:
    """Resolve ``-i``: a path, a name on PATH, or a version such as ``3.12`` / ``pypy3.10``."""
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
    if candidate is None:
        raise FerruleError(f"interpreter {spec!r} was not found (give a path, a name or 3.X)")
    return probe(candidate, environ)


def default_interpreter(environ: Mapping[str, str]) -> Interpreter:
    """The interpreter to build for when none is named: as maturin picks it."""
    for var in ("PYO3_PYTHON",):
        if environ.get(var):
            return resolve_interpreter(environ[var], environ)
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        for name in ("bin/python", "Scripts/python.exe"):
            exe = Path(venv) / name
            if exe.exists():
                return probe(str(exe), environ)
    return resolve_interpreter("python3", environ)


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


def _multiarch() -> str:
    import sysconfig

    return str(sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu")


def _host_platform() -> str:
    import sysconfig

    return sysconfig.get_platform()


def _synthetic(
    implementation: str, version: tuple[int, int], gil_disabled: bool, source: str
) -> Interpreter:
    """A non-runnable interpreter for this platform, described only by its kind and version."""
    major, minor = version
    t = "t" if gil_disabled else ""
    soabi = f"pypy{major}{minor}-pp73" if implementation == "pypy" else f"cpython-{major}{minor}{t}"
    soabi_full = f"{soabi}-{_multiarch()}"
    return Interpreter(
        implementation=implementation,
        major=major,
        minor=minor,
        abiflags=t,
        ext_suffix=f".{soabi_full}.so",
        soabi=soabi_full,
        platform=_host_platform(),
        executable=source,
        base_executable=source,
        gil_disabled=gil_disabled,
        pointer_width=64 if sys.maxsize > 2**32 else 32,
        runnable=False,
    )


def parse_pyo3_config(text: str) -> dict[str, str]:
    """``key=value`` lines of a pyo3 configuration file.

    >>> parse_pyo3_config("implementation=CPython\\nversion=3.12\\n# c\\nbuild_flags=\\n")
    {'implementation': 'CPython', 'version': '3.12', 'build_flags': ''}
    """
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out


def from_pyo3_config(path: Path) -> tuple[Interpreter, tuple[int, int] | None]:
    """The interpreter a ``PYO3_CONFIG_FILE`` describes, and its abi3 minimum if any."""
    try:
        config = parse_pyo3_config(path.read_text(encoding="utf-8"))
        impl = config.get("implementation", "CPython").lower()
        version = tuple(int(p) for p in config["version"].split(".")[:2])
    except (OSError, KeyError, ValueError) as exc:
        raise FerruleError(
            f"PYO3_CONFIG_FILE={path}: not a usable pyo3 configuration ({exc})"
        ) from None
    gil_disabled = "Py_GIL_DISABLED" in config.get("build_flags", "")
    target_abi = config.get("target_abi", "")
    abi3: tuple[int, int] | None = None
    if config.get("abi3") == "true" or "-abi3-" in target_abi:
        abi3 = (version[0], version[1])
        if "-abi3-" in target_abi:
            parts = target_abi.rsplit("-", 1)[1].split(".")
            abi3 = (int(parts[0]), int(parts[1]))
    if "-free_threaded-" in target_abi:
        gil_disabled = True
    interp = _synthetic(impl, (version[0], version[1]), gil_disabled, f"PYO3_CONFIG_FILE={path}")
    return interp, abi3


def _literal_dict(source: str) -> dict[str, object]:
    """The ``build_time_vars = {...}`` of a ``_sysconfigdata*.py`` file, read without running it."""
    import ast

    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "build_time_vars" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict):
                return value
    raise ValueError("no build_time_vars")


def from_cross_lib_dir(lib_dir: Path) -> Interpreter:
    """The target interpreter of ``PYO3_CROSS_LIB_DIR``: PEP 739 build-details.json or sysconfigdata."""
    details = sorted(lib_dir.glob("**/build-details.json"))
    if details:
        data = json.loads(details[0].read_text(encoding="utf-8"))
        version = str(data["language"]["version"]).split(".")
        abi = data.get("abi", {})
        impl = str(data.get("implementation", {}).get("name", "cpython")).lower()
        suffix = str(abi.get("extension_suffix", ""))
        soabi = suffix.strip(".").removesuffix(".so")
        return Interpreter(
            implementation=impl,
            major=int(version[0]),
            minor=int(version[1]),
            abiflags="".join(abi.get("flags", [])),
            ext_suffix=suffix,
            soabi=soabi,
            platform=str(data.get("platform", _host_platform())),
            executable=str(details[0]),
            base_executable=str(details[0]),
            gil_disabled="t" in abi.get("flags", []),
            pointer_width=64,
            runnable=False,
        )
    candidates = sorted(lib_dir.glob("_sysconfigdata*.py")) + sorted(
        lib_dir.glob("*/_sysconfigdata*.py")
    )
    if not candidates:
        raise FerruleError(
            f"PYO3_CROSS_LIB_DIR={lib_dir}: neither build-details.json nor _sysconfigdata*.py found"
        )
    try:
        vars_ = _literal_dict(candidates[0].read_text(encoding="utf-8"))
    except (ValueError, SyntaxError) as exc:
        raise FerruleError(f"{candidates[0]}: cannot read build_time_vars ({exc})") from None
    version = str(vars_.get("VERSION", "3")).split(".")
    suffix = str(vars_.get("EXT_SUFFIX", ""))
    soabi = str(vars_.get("SOABI", ""))
    impl = "pypy" if soabi.startswith("pypy") else "cpython"
    multiarch = str(vars_.get("MULTIARCH", ""))
    machine = multiarch.split("-", maxsplit=1)[0] if multiarch else "x86_64"
    return Interpreter(
        implementation=impl,
        major=int(version[0]),
        minor=int(version[1]),
        abiflags=str(vars_.get("ABIFLAGS", "")),
        ext_suffix=suffix,
        soabi=soabi,
        platform=f"linux-{machine}",
        executable=str(candidates[0]),
        base_executable=str(candidates[0]),
        gil_disabled=bool(vars_.get("Py_GIL_DISABLED")),
        pointer_width=64 if str(vars_.get("SIZEOF_VOID_P", "8")) == "8" else 32,
        runnable=False,
    )


def host_triple(environ: Mapping[str, str]) -> str:
    done = _run.run([environ.get("RUSTC", "rustc"), "-vV"], env=environ)
    for line in done.stdout.splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    return ""


def _is_cross(settings: Settings) -> bool:
    env = settings.environ
    if env.get("PYO3_CROSS", "").lower() in ("1", "true", "yes", "on"):
        return True
    target = settings.cargo_options.target
    return bool(target) and target != host_triple(env)


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


def select_interpreters(settings: Settings, specs: list[str], find: bool) -> list[Interpreter]:
    """The interpreters to build for: ``-i`` specs, ``-f`` discovery, or the default one.

    ``PYO3_CONFIG_FILE`` wins over everything (one non-runnable interpreter);
    when cross-compiling, ``PYO3_CROSS_LIB_DIR`` / ``PYO3_CROSS_PYTHON_VERSION``
    describe the target interpreter. Discovered interpreters outside
    ``requires-python`` or the crate's pyo3 range are skipped with a note; named
    ones are refused, never silently dropped.
    """
    env = settings.environ
    if env.get("PYO3_CONFIG_FILE"):
        return [from_pyo3_config(Path(env["PYO3_CONFIG_FILE"]))[0]]
    if (env.get("PYO3_CROSS_LIB_DIR") or env.get("PYO3_CROSS_PYTHON_VERSION")) and _is_cross(
        settings
    ):
        if env.get("PYO3_CROSS_LIB_DIR"):
            return [from_cross_lib_dir(Path(env["PYO3_CROSS_LIB_DIR"]))]
        version = tuple(int(p) for p in env["PYO3_CROSS_PYTHON_VERSION"].split(".")[:2])
        impl = env.get("PYO3_CROSS_PYTHON_IMPLEMENTATION", "CPython").lower()
        return [_synthetic(impl, (version[0], version[1]), False, "PYO3_CROSS_PYTHON_VERSION")]

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
