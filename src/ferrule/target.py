"""A Rust target triple described: OS, architecture, C library, and the names Python and
wheels give them (maturin's ``src/target/mod.rs`` and ``src/target/platform_tag.rs``).

Pure: nothing here runs a process or reads the environment; callers pass the
variables that matter (``MACOSX_DEPLOYMENT_TARGET``). The one value maturin asks
rustc for, the default macOS deployment target, is rustc's built-in per-arch
default (``rustc --print deployment-target``: x86_64 10.12, arm64 11.0).
"""

from __future__ import annotations

from collections.abc import Mapping

from ferrule._record import record
from ferrule.errors import FerruleError

__all__ = [
    "UNIVERSAL2",
    "UNIVERSAL2_PARTS",
    "Target",
    "host_target",
    "is_cross_compiling",
    "macos_deployment_target",
    "parse_target",
]

UNIVERSAL2 = "universal2-apple-darwin"
# maturin builds a universal2 wheel as two cargo builds merged into one fat binary.
UNIVERSAL2_PARTS = ("aarch64-apple-darwin", "x86_64-apple-darwin")

# Rust's architecture names -> maturin's Arch (its ``as_str``: the wheel tag's arch).
_ARCH = {
    "x86_64": "x86_64",
    "x86_64h": "x86_64",
    "i686": "i686",
    "i586": "i686",
    "i386": "i686",
    "aarch64": "aarch64",
    "arm64": "aarch64",
    "armv7": "armv7l",
    "thumbv7neon": "armv7l",
    "armv6": "armv6l",
    "arm": "armv6l",
    "armv5te": "armv5tel",
    "powerpc64le": "ppc64le",
    "powerpc64": "ppc64",
    "powerpc": "ppc",
    "s390x": "s390x",
    "riscv64gc": "riscv64",
    "riscv64": "riscv64",
    "loongarch64": "loongarch64",
    "wasm32": "wasm32",
}
_BITS32 = {"i686", "armv7l", "armv6l", "armv5tel", "ppc", "wasm32"}
# sysconfig's machine names (maturin's ``get_python_arch``).
_PYTHON_ARCH = {
    "i686": "i386",
    "ppc": "ppc",
    "ppc64le": "powerpc64le",
    "ppc64": "powerpc64",
}
# rustc's default deployment targets (``rustc --print deployment-target``).
MACOS_DEFAULT = {"x86_64": (10, 12), "aarch64": (11, 0)}
_WINDOWS_TAG = {"x86_64": "win_amd64", "i686": "win32", "aarch64": "win_arm64"}


@record
class Target:
    """One target triple: ``os`` is ``linux``, ``macos``, ``windows`` (or the triple's own word),
    ``arch`` maturin's architecture name (``armv7l``, ``ppc64le``, ``i686``), ``env`` the C
    library/ABI part (``gnu``, ``musl``, ``gnueabihf``, ``msvc``)."""

    triple: str
    os: str
    arch: str
    env: str
    universal2: bool = False

    @property
    def is_linux(self) -> bool:
        return self.os == "linux"

    @property
    def is_macos(self) -> bool:
        return self.os == "macos"

    @property
    def is_windows(self) -> bool:
        return self.os == "windows"

    @property
    def is_musl(self) -> bool:
        return self.env.startswith("musl")

    @property
    def pointer_width(self) -> int:
        return 32 if self.arch in _BITS32 else 64

    @property
    def cargo_triples(self) -> tuple[str, ...]:
        """What cargo is given with ``--target``: two triples for universal2."""
        return UNIVERSAL2_PARTS if self.universal2 else (self.triple,)

    @property
    def macos_arch(self) -> str:
        """The architecture in a macOS tag: ``arm64`` for aarch64."""
        return "arm64" if self.arch == "aarch64" else self.arch

    def python_ext_arch(self, implementation: str) -> str:
        """The architecture in ``EXT_SUFFIX`` (maturin's ``get_python_ext_arch``).

        >>> parse_target("armv7-unknown-linux-gnueabihf").python_ext_arch("cpython")
        'arm'
        >>> parse_target("powerpc64le-unknown-linux-gnu").python_ext_arch("pypy")
        'ppc_64'
        """
        if self.arch in ("armv5tel", "armv6l", "armv7l"):
            return "arm"
        if self.arch == "ppc64le" and implementation == "pypy":
            return "ppc_64"
        if self.arch == "i686" and implementation == "pypy":
            return "x86"
        if self.arch == "ppc":
            return "powerpc"
        return _PYTHON_ARCH.get(self.arch, self.arch)

    def python_target_env(self, implementation: str, version: tuple[int, int]) -> str:
        """The ABI part of ``EXT_SUFFIX`` (``get_python_target_env``): musl only from 3.11."""
        if implementation != "cpython":
            return "gnu"
        return self.env if version >= (3, 11) else self.env.replace("musl", "gnu")

    def ext_suffix(
        self, implementation: str, version: tuple[int, int], abiflags: str = ""
    ) -> str | None:
        """The well-known ``EXT_SUFFIX`` of an interpreter on this target (maturin's
        ``InterpreterConfig::lookup_one``), or None when maturin knows none.

        >>> parse_target("x86_64-apple-darwin").ext_suffix("cpython", (3, 11))
        '.cpython-311-darwin.so'
        >>> parse_target("x86_64-pc-windows-msvc").ext_suffix("pypy", (3, 10))
        '.pypy310-pp73-win_amd64.pyd'
        """
        major, minor = version
        if implementation == "cpython" and version < (3, 8):
            abiflags = "m"
        arch = self.python_ext_arch(implementation)
        if self.is_linux:
            env = self.python_target_env(implementation, version)
            if implementation == "cpython":
                return f".cpython-{major}{minor}{abiflags}-{arch}-linux-{env}.so"
            if implementation == "pypy":
                return f".pypy{major}{minor}-pp73-{arch}-linux-{env}.so"
            return None
        if self.is_macos:
            if implementation == "cpython":
                return f".cpython-{major}{minor}{abiflags}-darwin.so"
            if implementation == "pypy":
                return f".pypy{major}{minor}-pp73-darwin.so"
            return None
        if self.is_windows:
            platform = _WINDOWS_TAG.get(self.arch)
            if implementation == "cpython" and platform:
                return ".pyd" if version < (3, 8) else f".cp{major}{minor}{abiflags}-{platform}.pyd"
            if implementation == "pypy" and self.arch == "x86_64":
                return f".pypy{major}{minor}-pp73-win_amd64.pyd"
        return None

    def soabi(self, implementation: str, version: tuple[int, int], abiflags: str = "") -> str:
        """``SOABI``: the suffix without the dot and the file extension (``.so`` / ``.pyd``)."""
        suffix = self.ext_suffix(implementation, version, abiflags) or ""
        return suffix.strip(".").removesuffix(".so").removesuffix(".pyd")

    @property
    def abi3_suffix(self) -> str:
        """The stable-ABI extension's suffix: ``.pyd`` on Windows, ``.abi3.so`` elsewhere
        (maturin's module writer)."""
        return ".pyd" if self.is_windows else ".abi3.so"

    def sysconfig_platform(self, environ: Mapping[str, str]) -> str:
        """``sysconfig.get_platform()`` of an interpreter on this target (the wheel's
        platform tag before the audit, with ``-``/``.`` as ``_``).

        >>> parse_target("armv7-unknown-linux-gnueabihf").sysconfig_platform({})
        'linux-armv7l'
        >>> parse_target("aarch64-apple-darwin").sysconfig_platform({})
        'macosx-11.0-arm64'
        >>> parse_target("i686-pc-windows-msvc").sysconfig_platform({})
        'win32'
        """
        if self.is_macos:
            arch = "universal2" if self.universal2 else self.macos_arch
            major, minor = macos_deployment_target(self.arch, environ)
            return f"macosx-{major}.{minor}-{arch}"
        if self.is_windows:
            return _WINDOWS_TAG.get(self.arch, self.arch).replace("_", "-")
        return f"{self.os}-{self.arch}"

    def platform_tag(
        self, environ: Mapping[str, str], configured: Mapping[str, str] | None = None
    ) -> str:
        """The wheel's platform tag when no audit chooses one (maturin's ``get_platform_tag``):
        ``macosx_X_Y_<arch>`` (three tags for universal2), ``win_amd64`` / ``win32`` /
        ``win_arm64``, ``linux_<arch>``. ``_PYTHON_HOST_PLATFORM`` wins, as in maturin.
        ``configured``: ``[tool.maturin.target.<triple>] macos-deployment-target`` per
        triple, taken as written (before ``MACOSX_DEPLOYMENT_TARGET``, as maturin does).

        >>> parse_target("x86_64-apple-darwin").platform_tag({})
        'macosx_10_12_x86_64'
        >>> parse_target("aarch64-apple-darwin").platform_tag({"MACOSX_DEPLOYMENT_TARGET": "13.4"})
        'macosx_13_0_arm64'
        >>> parse_target("universal2-apple-darwin").platform_tag({})
        'macosx_10_12_x86_64.macosx_11_0_arm64.macosx_10_12_universal2'
        """
        host = environ.get("_PYTHON_HOST_PLATFORM")
        if host:
            return host.replace("-", "_").replace(".", "_")
        if self.is_windows:
            tag = _WINDOWS_TAG.get(self.arch)
            if tag is None:
                raise FerruleError(f"--target {self.triple}: no Windows wheel tag for {self.arch}")
            return tag
        if self.is_macos:
            x86 = macos_deployment_target("x86_64", environ)
            arm = macos_deployment_target("aarch64", environ)
            x86_tag, arm_tag = f"{x86[0]}_{x86[1]}", f"{arm[0]}_{arm[1]}"
            configured = configured or {}
            if configured.get("x86_64-apple-darwin"):
                x86_tag = configured["x86_64-apple-darwin"].replace(".", "_")
            if configured.get("aarch64-apple-darwin"):
                arm_tag = configured["aarch64-apple-darwin"].replace(".", "_")
            if self.universal2:
                return f"macosx_{x86_tag}_x86_64.macosx_{arm_tag}_arm64.macosx_{x86_tag}_universal2"
            if self.arch == "aarch64":
                return f"macosx_{arm_tag}_arm64"
            return f"macosx_{x86_tag}_{self.macos_arch}"
        return f"{self.os}_{self.arch}"

    def library_file(self, lib_name: str) -> str:
        """The file cargo writes for a ``cdylib`` named ``lib_name``.

        >>> [parse_target(t).library_file("ffi") for t in
        ...  ("x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc")]
        ['libffi.so', 'libffi.dylib', 'ffi.dll']
        """
        if self.is_windows:
            return f"{lib_name}.dll"
        if self.is_macos:
            return f"lib{lib_name}.dylib"
        return f"lib{lib_name}.so"

    def executable_file(self, name: str) -> str:
        """A binary's file name: ``name.exe`` on Windows."""
        return f"{name}.exe" if self.is_windows else name

    def sysconfigdata_name(self, abiflags: str = "", multiarch: str | None = None) -> str:
        """``_PYTHON_SYSCONFIGDATA_NAME`` of a Linux CPython for this target
        (``_sysconfigdata_{abiflags}_{platform}_{multiarch}``, CPython's ``sysconfig``).

        >>> parse_target("aarch64-unknown-linux-gnu").sysconfigdata_name()
        '_sysconfigdata__linux_aarch64-linux-gnu'
        >>> parse_target("armv7-unknown-linux-gnueabihf").sysconfigdata_name()
        '_sysconfigdata__linux_arm-linux-gnueabihf'
        """
        if multiarch is None:
            multiarch = f"{self.python_ext_arch('cpython')}-linux-{self.env}"
        return f"_sysconfigdata_{abiflags}_linux_{multiarch}"


def macos_deployment_target(arch: str, environ: Mapping[str, str]) -> tuple[int, int]:
    """The deployment target in an ``arch`` wheel's tag (maturin's ``macosx_deployment_target``):
    ``MACOSX_DEPLOYMENT_TARGET`` when newer than rustc's default, and for macOS 11 and later
    only the major version counts (``11.2`` -> ``11_0``, as pip reads tags).

    >>> macos_deployment_target("x86_64", {"MACOSX_DEPLOYMENT_TARGET": "10.9"})
    (10, 12)
    >>> macos_deployment_target("x86_64", {"MACOSX_DEPLOYMENT_TARGET": "10.15"})
    (10, 15)
    """
    default = MACOS_DEFAULT["aarch64" if arch == "aarch64" else "x86_64"]
    chosen = default
    raw = environ.get("MACOSX_DEPLOYMENT_TARGET")
    if raw:
        parts = raw.strip().split(".")
        try:
            wanted = (int(parts[0]), int(parts[1]) if len(parts) > 1 else 0)
        except ValueError:
            raise FerruleError(
                f"MACOSX_DEPLOYMENT_TARGET={raw!r} is not a macOS version (like 11.0 or 10.15)"
            ) from None
        chosen = max(default, wanted)
    return (chosen[0], 0) if chosen[0] >= 11 else chosen


def host_target(sysconfig_platform: str, machine: str) -> Target | None:
    """The host as a target when it is macOS or Windows, from the interpreter's sysconfig
    platform (``machine``, ``platform.machine()``, for a universal2 or intel Python):
    maturin tags those wheels by the target, not by the interpreter (a python.org
    universal2 Python would otherwise tag a thin arm64 file universal2). Linux: None (the
    interpreter's platform, then the audit).

    >>> host_target("macosx-10.9-universal2", "arm64").triple
    'aarch64-apple-darwin'
    >>> host_target("win-amd64", "AMD64").triple, host_target("linux-x86_64", "x86_64")
    ('x86_64-pc-windows-msvc', None)
    """
    if sysconfig_platform.startswith("macosx-"):
        arch = sysconfig_platform.rsplit("-", 1)[-1]
        if arch not in ("arm64", "x86_64"):
            arch = machine
        return parse_target(f"{'aarch64' if arch == 'arm64' else 'x86_64'}-apple-darwin")
    windows = {"win-amd64": "x86_64", "win32": "i686", "win-arm64": "aarch64"}
    if sysconfig_platform in windows:
        return parse_target(f"{windows[sysconfig_platform]}-pc-windows-msvc")
    return None


def is_cross_compiling(triple: str, host: str) -> bool:
    """Whether building for ``triple`` on ``host`` needs the target's interpreters described
    rather than run (maturin's ``cross_compile.rs``, ``is_cross_compiling``): an arm64 Mac
    runs x86_64 Pythons and the other way round (and universal2), 64-bit Windows runs
    32-bit Pythons, Windows on arm64 runs x86_64 ones, and MSVC hosts build windows-gnu.

    >>> is_cross_compiling("i686-pc-windows-msvc", "x86_64-pc-windows-msvc")
    False
    >>> is_cross_compiling("universal2-apple-darwin", "aarch64-apple-darwin")
    False
    >>> is_cross_compiling("aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu")
    True
    """
    if triple == host:
        return False
    darwin = ("x86_64-apple-darwin", "aarch64-apple-darwin")
    if host in darwin and (triple in darwin or triple == UNIVERSAL2):
        return False
    if triple.startswith("i686-pc-windows") and host.startswith("x86_64-pc-windows"):
        return False
    if triple.startswith("x86_64-pc-windows") and host.startswith("aarch64-pc-windows"):
        return False
    return not (triple.endswith("windows-gnu") and host.endswith("windows-msvc"))


def parse_target(triple: str) -> Target:
    """Describe ``triple`` (``universal2-apple-darwin`` too).

    >>> parse_target("armv7-unknown-linux-musleabihf")
    Target(triple='armv7-unknown-linux-musleabihf', os='linux', arch='armv7l', env='musleabihf', universal2=False)
    """
    if triple == UNIVERSAL2:
        return Target(triple, "macos", "universal2", "", universal2=True)
    parts = triple.split("-")
    if len(parts) < 2:
        raise FerruleError(f"--target {triple!r} is not a target triple (like x86_64-apple-darwin)")
    arch = _ARCH.get(parts[0], parts[0])
    rest = parts[1:]
    if "darwin" in rest:
        return Target(triple, "macos", arch, "")
    if "windows" in rest:
        return Target(triple, "windows", arch, rest[-1] if rest[-1] != "windows" else "")
    if "linux" in rest:
        env = rest[rest.index("linux") + 1] if rest[-1] != "linux" else "gnu"
        if env.startswith("android"):
            return Target(triple, "android", arch, env)
        return Target(triple, "linux", arch, env)
    os_name = rest[1] if len(rest) > 1 else rest[0]
    return Target(triple, os_name, arch, rest[2] if len(rest) > 2 else "")
