"""Wheel tags for an interpreter and platform.

The platform part is the interpreter's own (``linux_x86_64``) for now;
manylinux/musllinux audit picks a portable tag in :mod:`ferrule.audit` once it
exists (see docs/differences.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ferrule.interpreter import Interpreter

__all__ = ["abi_tag", "platform_tag", "python_tag", "wheel_tag"]


def python_tag(interp: Interpreter) -> str:
    """``cp311`` / ``pp310``.

    >>> python_tag(Interpreter("pypy", 3, 10, "", "", "pypy310-pp73", "", "", "", False, 64))
    'pp310'
    """
    prefix = {"cpython": "cp", "pypy": "pp", "graalpy": "graalpy"}.get(
        interp.implementation, interp.implementation
    )
    return f"{prefix}{interp.major}{interp.minor}"


def abi_tag(interp: Interpreter) -> str:
    """The ABI tag, from SOABI as packaging does.

    >>> i = Interpreter("cpython", 3, 13, "t", "", "cpython-313t-x86_64-linux-gnu",
    ...                 "", "", "", True, 64)
    >>> abi_tag(i)
    'cp313t'
    >>> abi_tag(Interpreter("pypy", 3, 10, "", "", "pypy310-pp73", "", "", "", False, 64))
    'pypy310_pp73'
    """
    if interp.implementation == "cpython":
        return f"cp{interp.major}{interp.minor}{'t' if interp.gil_disabled else ''}" + (
            "d" if "d" in interp.abiflags else ""
        )
    if interp.soabi:
        parts = interp.soabi.split("-")
        return "_".join(parts[:2]).replace(".", "_")
    return "none"


def platform_tag(interp: Interpreter, environ: Mapping[str, str]) -> str:
    """``_PYTHON_HOST_PLATFORM`` or the interpreter's sysconfig platform, normalised.

    >>> platform_tag(Interpreter("cpython", 3, 11, "", "", "", "linux-x86_64", "", "", False, 64), {})
    'linux_x86_64'
    >>> platform_tag(Interpreter("cpython", 3, 11, "", "", "", "macosx-11.0-arm64", "", "", False, 64), {})
    'macosx_11_0_arm64'
    """
    plat = environ.get("_PYTHON_HOST_PLATFORM") or interp.platform
    return re.sub(r"[-.]", "_", plat)


def wheel_tag(interp: Interpreter, environ: Mapping[str, str]) -> str:
    return f"{python_tag(interp)}-{abi_tag(interp)}-{platform_tag(interp, environ)}"
