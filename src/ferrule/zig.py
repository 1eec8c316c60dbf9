"""``--zig``: link with ``zig cc`` (the ``ziglang`` package) against an older glibc.

Cargo is pointed at a small wrapper (``CARGO_TARGET_<TRIPLE>_LINKER``) that
runs ``python -m ferrule.zig cc -target <arch>-linux-gnu.<glibc> ...``; this
module's ``main`` drops the arguments zig's clang driver does not take and
executes zig. The glibc version is the manylinux policy's (2.17 for
manylinux2014 unless ``--compatibility`` names another), so the extension only
references symbols that glibc had, and the audit accepts the policy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ferrule import _atomic
from ferrule.errors import FerruleError

__all__ = ["filter_args", "zig_env", "zig_executable"]

_ARCH = {
    "x86_64": "x86_64",
    "i686": "x86",
    "aarch64": "aarch64",
    "armv7": "arm",
    "powerpc64le": "powerpc64le",
    "s390x": "s390x",
}


def zig_executable() -> Path:
    try:
        import ziglang  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise FerruleError(
            "--zig needs the ziglang package in the environment that runs ferrule: "
            "pip install 'ferrule[zig]' (or pip install ziglang)"
        ) from None
    exe = Path(ziglang.__file__).parent / ("zig.exe" if os.name == "nt" else "zig")
    if not exe.is_file():
        raise FerruleError(f"the ziglang package at {exe.parent} has no zig executable")
    return exe


def zig_target(triple: str, glibc: tuple[int, int]) -> str:
    """Zig's target for a Rust triple and glibc version.

    >>> zig_target("x86_64-unknown-linux-gnu", (2, 17))
    'x86_64-linux-gnu.2.17'
    >>> zig_target("aarch64-unknown-linux-musl", (2, 17))
    'aarch64-linux-musl'
    >>> zig_target("armv7-unknown-linux-gnueabihf", (2, 17))
    'arm-linux-gnueabihf.2.17'
    """
    parts = triple.split("-")
    if "linux" not in parts:
        raise FerruleError(
            f"--zig: ferrule links with zig for Linux targets only, not {triple} "
            "(build it on a runner of that platform)"
        )
    zig_arch = _ARCH.get(parts[0], parts[0])
    env = parts[-1] if parts[-1] != "linux" else "gnu"
    if env.startswith("musl"):
        return f"{zig_arch}-linux-{env}"
    return f"{zig_arch}-linux-{env}.{glibc[0]}.{glibc[1]}"


def zig_env(triple: str, glibc: tuple[int, int], work_dir: Path) -> dict[str, str]:
    """Environment for cargo: the linker wrapper for ``triple`` (written once into ``work_dir``)."""
    zig_executable()  # fail early, with the install hint
    target = zig_target(triple, glibc)
    wrapper = work_dir / f"zigcc-{target}.sh"
    text = (
        "#!/bin/sh\n"
        "# Written by ferrule --zig: link with zig cc for an older glibc.\n"
        f'exec "{sys.executable}" -m ferrule.zig cc -target {target} "$@"\n'
    )
    if not wrapper.is_file() or wrapper.read_text() != text:
        _atomic.write_text(wrapper, text, 0o755)
    var = "CARGO_TARGET_" + triple.upper().replace("-", "_").replace(".", "_") + "_LINKER"
    return {var: str(wrapper)}


_DROP_EXACT = {"-Wl,--no-undefined-version", "-fuse-ld=lld", "-Wl,-znostart-stop-gc"}
_DROP_PREFIX = ("-B", "--target=", "-Wl,-plugin-opt")


def filter_args(args: Sequence[str]) -> list[str]:
    """Drop what rustc passes to a gcc-style linker that ``zig cc`` rejects.

    >>> filter_args(["-m64", "-fuse-ld=lld", "-B/x/gcc-ld", "-lgcc_s", "-Wl,--no-undefined-version", "a.o"])
    ['-m64', '-lunwind', 'a.o']
    """
    out = []
    for arg in args:
        if arg in _DROP_EXACT or arg.startswith(_DROP_PREFIX):
            continue
        # zig ships libunwind instead of libgcc_s
        out.append("-lunwind" if arg == "-lgcc_s" else arg)
    return out


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("cc", "c++"):
        print("usage: python -m ferrule.zig cc|c++ ARGS...", file=sys.stderr)
        raise SystemExit(2)
    try:
        exe = zig_executable()
    except FerruleError as exc:
        print(f"ferrule: error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    expanded: list[str] = []
    for arg in args[1:]:
        # rustc may pass arguments in an @response file
        if arg.startswith("@") and Path(arg[1:]).is_file():
            expanded += Path(arg[1:]).read_text().splitlines()
        else:
            expanded.append(arg)
    os.execv(str(exe), [str(exe), args[0], *filter_args(expanded)])  # noqa: S606


if __name__ == "__main__":
    main()
