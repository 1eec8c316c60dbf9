"""Python interpreters: resolving ``-i`` arguments and asking them about themselves."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ferrule import _run
from ferrule.errors import FerruleError

__all__ = ["Interpreter", "default_interpreter", "probe", "resolve_interpreter"]

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

    def describe(self) -> str:
        name = {"cpython": "CPython", "pypy": "PyPy"}.get(self.implementation, self.implementation)
        threads = " (free-threaded)" if self.gil_disabled else ""
        return f"{name} {self.major}.{self.minor}{threads} at {self.executable}"


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


def probe(executable: str, environ: Mapping[str, str]) -> Interpreter:
    """Ask ``executable`` about itself (in-process when it is the running Python)."""
    if executable == sys.executable:
        namespace: dict[str, object] = {}
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(_PROBE, namespace)  # noqa: S102 - our own constant probe
        return _from_json(json.loads(buffer.getvalue()))
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


_VERSION = re.compile(r"^(?:(?P<impl>pypy|python)?)(?P<ver>3\.\d+t?)$")


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
