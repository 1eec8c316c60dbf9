"""What the running interpreter and this machine are, as wheel tags and file names.

Tests compute expected names from here (``packaging.tags``, ``sysconfig``, the
dynamic loader, auditwheel), never from literals such as ``cp311`` or
``manylinux_2_34`` that hold on one build machine only.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from pathlib import Path

from packaging import tags


def python_tag() -> str:
    """The interpreter's own tag, e.g. ``cp311`` (``pp39`` on PyPy 3.9)."""
    return f"{tags.interpreter_name()}{tags.interpreter_version()}"


def python_abi() -> str:
    """``<python>-<abi>`` of the interpreter's most specific tag, e.g. ``cp311-cp311``."""
    best = next(iter(tags.sys_tags()))
    return f"{best.interpreter}-{best.abi}"


def linux_platform() -> str:
    """The interpreter's plain platform tag, e.g. ``linux_x86_64`` (what PEP 517 builds get)."""
    return re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())


def arch() -> str:
    """The machine part of a platform tag, e.g. ``x86_64`` (``linux_<arch>``)."""
    return linux_platform().split("_", 1)[1]


def libpython_soname() -> str:
    """The shared libpython of this interpreter's version, e.g. ``libpython3.11.so.1.0``."""
    return f"libpython{sys.version_info[0]}.{sys.version_info[1]}.so.1.0"


def loaded_library(soname: str) -> Path:
    """The file the dynamic loader maps for ``soname`` (ldconfig's choice, as a program gets)."""
    script = (
        "import ctypes, sys; ctypes.CDLL(sys.argv[1]);"
        "print(*{l.split()[-1] for l in open('/proc/self/maps') if sys.argv[1].split('.so')[0] in l})"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, soname], capture_output=True, text=True, check=True
    ).stdout.split()
    (path,) = out
    return Path(path)


def auditwheel_platform(wheel: Path) -> str:
    """The platform tag ``auditwheel show`` reports for ``wheel``, e.g. ``manylinux_2_17_x86_64``."""
    proc = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)],
        capture_output=True,
        text=True,
        check=True,
    )
    text = " ".join(proc.stdout.split())
    match = re.search(r'consistent with the following platform tag: "([^"]+)"', text)
    assert match, proc.stdout
    return match[1]


def policy_of(platform: str) -> str:
    """A platform tag without its machine: ``manylinux_2_34_x86_64`` -> ``manylinux_2_34``."""
    suffix = f"_{arch()}"
    assert platform.endswith(suffix), platform
    return platform.removesuffix(suffix)
