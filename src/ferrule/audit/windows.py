"""The Windows audit of built PE files (``.pyd``, ``.dll``, ``.exe``): machine and imports.

Pure: :func:`audit_windows` takes each binary's path in the wheel and bytes,
the planned platform tag (``win_amd64``), whether the wheel is abi3, and the
files the wheel ships. Problems it reports:

- a machine the tag does not name (an ARM64 ``.pyd`` in a ``win_amd64`` wheel);
- an abi3 extension importing a versioned ``python3X.dll``: it would load on
  that one Python only, where the stable ABI's ``python3.dll`` loads on all;
- an imported DLL that is neither part of Windows (the system DLLs, the
  ``api-ms-win-*`` / ``ext-ms-*`` API sets of the UCRT), nor the C++ runtime
  every CPython ships (``vcruntime140.dll``), nor Python's own DLL, nor shipped
  in the wheel.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath

from ferrule.audit.binaries import BinaryAudit
from ferrule.errors import BinaryError, FerruleError
from ferrule.pe import parse_pe

__all__ = ["SYSTEM_DLLS", "audit_windows", "is_system_dll"]

# Windows' own DLLs that extensions commonly import (lower case).
SYSTEM_DLLS = frozenset(
    [
        "advapi32",
        "authz",
        "avrt",
        "bcrypt",
        "bcryptprimitives",
        "cabinet",
        "cfgmgr32",
        "combase",
        "comctl32",
        "comdlg32",
        "credui",
        "crypt32",
        "cryptbase",
        "cryptsp",
        "d2d1",
        "d3d11",
        "d3d12",
        "d3d9",
        "d3dcompiler_47",
        "dbghelp",
        "dnsapi",
        "dwmapi",
        "dwrite",
        "dxgi",
        "gdi32",
        "glu32",
        "hid",
        "imagehlp",
        "imm32",
        "iphlpapi",
        "kernel32",
        "kernelbase",
        "mf",
        "mfplat",
        "msi",
        "msimg32",
        "msvcrt",
        "mswsock",
        "ncrypt",
        "netapi32",
        "normaliz",
        "ntdll",
        "ole32",
        "oleaut32",
        "opengl32",
        "pdh",
        "powrprof",
        "propsys",
        "psapi",
        "rpcrt4",
        "secur32",
        "setupapi",
        "shcore",
        "shell32",
        "shlwapi",
        "synchronization",
        "user32",
        "userenv",
        "uxtheme",
        "version",
        "winhttp",
        "wininet",
        "winmm",
        "winspool",
        "wintrust",
        "wldap32",
        "ws2_32",
        "wsock32",
        "wtsapi32",
    ]
)
_RUNTIME_PREFIXES = ("vcruntime", "msvcp", "ucrtbase", "concrt", "vcomp")
_VERSIONED_PYTHON = re.compile(r"python3\d+t?(_d)?\.dll")
_PYTHON = re.compile(r"python3(\d+t?)?(_d)?\.dll|libpypy3[\d.]*-c\.dll")


def is_system_dll(name: str) -> bool:
    lower = name.lower()
    stem = lower.rsplit(".", 1)[0]
    return (
        lower.startswith(("api-ms-win-", "ext-ms-"))
        or stem in SYSTEM_DLLS
        or lower.startswith(_RUNTIME_PREFIXES)
        or bool(_PYTHON.fullmatch(lower))
    )


def audit_windows(
    binaries: Sequence[tuple[PurePosixPath, bytes]],
    platform_tag: str,
    *,
    abi3: bool,
    shipped: Collection[PurePosixPath] = (),
) -> BinaryAudit:
    """Problems of ``binaries`` (wheel path, bytes) for a wheel tagged ``platform_tag``.

    The tag is returned unchanged (Windows tags carry no OS version). A
    malformed binary is a :class:`FerruleError` naming it.
    """
    shipped_names = {p.name.lower() for p in shipped} | {p.name.lower() for p, _ in binaries}
    problems: list[str] = []
    for where, data in binaries:
        try:
            pe = parse_pe(data)
        except BinaryError as exc:
            raise FerruleError(f"cannot read {where} as a PE file: {exc}") from None
        tag_archs = platform_tag.split(".")
        if (
            pe.wheel_arch is not None
            and platform_tag.startswith("win")
            and (pe.wheel_arch not in tag_archs)
        ):
            problems.append(
                f"{where} is {pe.machine} code ({pe.wheel_arch}), but the wheel is tagged "
                f"{platform_tag}"
            )
        for dll in pe.imports:
            if abi3 and _VERSIONED_PYTHON.fullmatch(dll.lower()):
                problems.append(
                    f"{where} is an abi3 extension but imports {dll}, so it would load on "
                    f"that one Python version only: link python3.dll instead (build pyo3 with "
                    f"its abi3 feature and link no python3X.lib yourself)"
                )
            elif not is_system_dll(dll) and dll.lower() not in shipped_names:
                problems.append(
                    f"{where} imports {dll}, which is neither part of Windows nor shipped in "
                    f"the wheel: importing it fails where {dll} is not on the DLL search path; "
                    f"link it statically, or ship {dll} in the wheel (delvewheel repair)"
                )
    return BinaryAudit(platform_tag, (), tuple(dict.fromkeys(problems)))
