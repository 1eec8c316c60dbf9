"""Asking a Python interpreter about itself: the :class:`Interpreter` a probe describes.

The probe is a small stdlib-only script run in the target interpreter (or
in-process, when that is the running Python).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ferrule import _run
from ferrule._record import record
from ferrule.errors import FerruleError

__all__ = ["PROBE", "Interpreter", "from_probe", "probe", "run_probe", "start_probe"]

# Runs inside the target interpreter (any Python 3): stdlib only.
PROBE = r"""
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


@record
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


def from_probe(data: Mapping[str, object]) -> Interpreter:
    """The interpreter a :data:`PROBE` run reported."""
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


def _installation(executable: str) -> str:
    """The Python installation ``executable`` (as given, links unresolved) runs from.

    For a virtual environment's interpreter, the ``home`` its ``pyvenv.cfg`` names
    (where CPython looks first, before following links); otherwise the directory
    of the program itself, links followed. The environment's own prefix does not
    count: nothing :data:`PROBE` reports depends on it.
    """
    bin_dir = Path(executable).absolute().parent
    for candidate in (bin_dir, bin_dir.parent):
        cfg = candidate / "pyvenv.cfg"
        if cfg.is_file():
            for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
                key, sep, value = line.partition("=")
                if sep and key.strip().lower() == "home":
                    return os.path.realpath(value.strip())
            return os.path.realpath(candidate)  # no home: never the same as ours
    return str(Path(executable).resolve().parent)


def _is_running_interpreter(executable: str) -> bool:
    """``executable`` is this very Python: the same program from the same installation.

    Then it is described in-process, saving a subprocess (~0.1 s, more through
    a pyenv shim): another name of it, another virtual environment made from the
    same installation, or that installation's own interpreter (``python3`` on PATH
    when ferrule runs from a tool's environment, as pipx and ``uv tool`` install it)
    all answer :data:`PROBE` alike. A shim or wrapper script never matches: its
    real path is the script, not this interpreter.
    """
    if executable == sys.executable:
        return True
    try:
        same_program = Path(executable).samefile(sys.executable)
    except OSError:
        return False
    return same_program and _installation(executable) == _installation(sys.executable)


def probe(executable: str, environ: Mapping[str, str]) -> Interpreter:
    """Ask ``executable`` about itself (in-process when it is the running Python)."""
    if _is_running_interpreter(executable):
        namespace: dict[str, object] = {}
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(PROBE, namespace)  # noqa: S102 - our own constant probe
        data = json.loads(buffer.getvalue())
        data["executable"] = executable  # as the interpreter reports when run by that path
        return from_probe(data)
    answers = run_probe(executable, environ, PROBE)
    try:
        return from_probe(answers[-1])
    except (IndexError, KeyError, TypeError, ValueError):
        raise FerruleError(f"{executable} is not a usable Python interpreter") from None


def run_probe(
    executable: str, environ: Mapping[str, str], script: str, *, site: bool = False
) -> list[Any]:
    """Run ``script`` in ``executable``; the JSON objects it printed, one a line, in order.

    ``PYTHON*`` variables are dropped and ``-I`` is given, so that the answer is
    the interpreter's own. ``site`` keeps the site module (it sets a virtual
    environment's ``sys.prefix``); its ``.pth`` files may print lines of their own,
    so only the lines that are JSON objects count.
    """
    argv, env = _probe_command(executable, environ, script, site)
    done = _run.run(argv, env=env, hint=f"cannot run the interpreter {executable}")
    answers = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                answers.append(json.loads(line))
    return answers


def _probe_command(
    executable: str, environ: Mapping[str, str], script: str, site: bool
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment :func:`run_probe` runs ``script`` with."""
    env = {k: v for k, v in environ.items() if not k.startswith("PYTHON")}
    return [executable, "-I", *(() if site else ("-S",)), "-c", script], env


def start_probe(executable: str, environ: Mapping[str, str]) -> None:
    """Start the subprocess :func:`probe` will run for ``executable`` (none when it is
    the running Python): it then runs beside ``cargo metadata`` and the imports."""
    if not _is_running_interpreter(executable):
        argv, env = _probe_command(executable, environ, PROBE, site=False)
        _run.start(argv, env=env)
