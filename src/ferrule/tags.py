"""Wheel tags: python and ABI tags per interpreter, platform tags, ``--compatibility``.

The Linux platform tag is chosen by the audit in :mod:`ferrule.audit` (the
oldest manylinux / musllinux policy the built objects satisfy); this module
holds the pure parts: the interpreter's tags, the sysconfig platform, and the
``--compatibility pypi`` check (the values themselves are parsed with the
settings, :mod:`ferrule.config.platform`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter

__all__ = [
    "abi_tag",
    "check_pypi_platform",
    "platform_tag",
    "python_tag",
    "stable_abi_tag",
    "wheel_tag",
]


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
    >>> abi_tag(Interpreter("pypy", 3, 9, "", "", "pypy39-pp73", "", "", "", False, 64))
    'pypy39_pp73'
    >>> abi_tag(Interpreter("cpython", 3, 7, "m", "", "cpython-37m-x86_64-linux-gnu",
    ...                     "", "", "", False, 64))
    'cp37m'
    """
    if interp.implementation == "cpython":
        flags = ("t" if interp.gil_disabled else "") + ("d" if "d" in interp.abiflags else "")
        if interp.version < (3, 8) and "m" in interp.abiflags:
            flags += "m"
        return f"cp{interp.major}{interp.minor}{flags}"
    if interp.soabi:
        parts = interp.soabi.split("-")
        return "_".join(parts[:2]).replace(".", "_")
    return "none"


def stable_abi_tag(min_version: tuple[int, int]) -> tuple[str, str]:
    """Python and ABI tags of an abi3 wheel.

    >>> stable_abi_tag((3, 8))
    ('cp38', 'abi3')
    """
    return f"cp{min_version[0]}{min_version[1]}", "abi3"


def platform_tag(interp: Interpreter, environ: Mapping[str, str]) -> str:
    """``_PYTHON_HOST_PLATFORM`` or the interpreter's sysconfig platform, normalised.

    >>> platform_tag(Interpreter("cpython", 3, 11, "", "", "", "linux-x86_64", "", "", False, 64), {})
    'linux_x86_64'
    >>> platform_tag(Interpreter("cpython", 3, 11, "", "", "", "macosx-11.0-arm64", "", "", False, 64), {})
    'macosx_11_0_arm64'
    """
    plat = environ.get("_PYTHON_HOST_PLATFORM") or interp.platform
    return re.sub(r"[-.]", "_", plat)


def wheel_tag(interp: Interpreter, environ: Mapping[str, str], platform: str | None = None) -> str:
    return f"{python_tag(interp)}-{abi_tag(interp)}-{platform or platform_tag(interp, environ)}"


_PYPI_LINUX = re.compile(
    r"^(manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014|musllinux_\d+_\d+)_"
    r"(x86_64|i686|aarch64|armv7l|ppc64le|ppc64|s390x)$"
)


def check_pypi_platform(platform_tags: Iterable[str]) -> None:
    """``--compatibility pypi``: refuse tags PyPI would reject.

    >>> check_pypi_platform(["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
    >>> check_pypi_platform(["linux_x86_64"])
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: --compatibility pypi: PyPI does not accept the platform tag linux_x86_64; the extension needs a manylinux or musllinux policy (see the audit above)
    """
    for tag in platform_tags:
        if tag.startswith(("linux_", "manylinux", "musllinux")) and not _PYPI_LINUX.match(tag):
            raise FerruleError(
                f"--compatibility pypi: PyPI does not accept the platform tag {tag}; the "
                "extension needs a manylinux or musllinux policy (see the audit above)"
            )
