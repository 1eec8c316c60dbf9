"""manylinux / musllinux policies and the check of one ELF object against one policy.

Also the grammar of ``--compatibility`` values (:func:`parse_compatibility`): the
names of these policies as maturin reads them, checked where the settings are read.

The policies (allowed libraries, allowed symbol versions per architecture,
blacklisted symbols) are auditwheel's, shipped as ``policy-data.json`` next to
this module: derived from pypa/auditwheel's ``manylinux-policy.json`` and
``musllinux-policy.json`` (MIT License, Copyright (c) 2016 Robert T. McGibbon)
by :func:`derive_policy_data`; ``scripts/update_policy_data.py`` regenerates it
and ``tests/integration/test_audit_policy.py`` fails when it drifts from the installed
auditwheel. ferrule does not import auditwheel at run time.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.audit.elf import ElfInfo, ImportedSymbol
from ferrule.errors import FerruleError

__all__ = [
    "DATA_FILE",
    "Policy",
    "Violations",
    "check_policy",
    "derive_policy_data",
    "is_libpython",
    "manylinux_policies",
    "musllinux_policies",
    "parse_compatibility",
    "policy_by_name",
    "policy_problem",
]

DATA_FILE = Path(__file__).with_name("policy-data.json")
_LIBPYTHON = re.compile(r"^libpython3\.\d+m?u?t?\.so(\.\d+)*$")
_MUSL_LIBC = {
    "x86_64": "libc.musl-x86_64.so.1",
    "i686": "libc.musl-x86.so.1",
    "aarch64": "libc.musl-aarch64.so.1",
    "armv7l": "libc.musl-armv7.so.1",
    "ppc64le": "libc.musl-ppc64le.so.1",
    "s390x": "libc.musl-s390x.so.1",
    "riscv64": "libc.musl-riscv64.so.1",
    "loongarch64": "libc.musl-loongarch64.so.1",
}


_LEGACY = {"1": "manylinux_2_5", "2010": "manylinux_2_12", "2014": "manylinux_2_17"}


def parse_compatibility(value: str) -> str:
    """Normalise one ``--compatibility`` value as maturin reads it.

    Returns ``linux``, ``pypi``, ``manylinux_X_Y`` or ``musllinux_X_Y``.

    >>> [parse_compatibility(v) for v in ("off", "2014", "manylinux2010", "2_28",
    ...  "manylinux_2_17", "musllinux_1_2", "PyPI", "manylinux1")]
    ['linux', 'manylinux_2_17', 'manylinux_2_12', 'manylinux_2_28', 'manylinux_2_17', 'musllinux_1_2', 'pypi', 'manylinux_2_5']
    >>> parse_compatibility("manylinux_2")
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: 'manylinux_2' is not a platform compatibility; use linux (or off), pypi, manylinux2014, manylinux_X_Y (or X_Y) or musllinux_X_Y
    """
    v = value.strip().lower()
    if v in ("off", "linux"):
        return "linux"
    if v == "pypi":
        return "pypi"
    legacy = v.removeprefix("manylinux")
    if legacy in _LEGACY:
        return _LEGACY[legacy]
    match = re.fullmatch(r"(musllinux_|manylinux_)?(\d+)_(\d+)", v)
    if match:
        family = "musllinux" if match[1] == "musllinux_" else "manylinux"
        return f"{family}_{int(match[2])}_{int(match[3])}"
    raise FerruleError(
        f"{value!r} is not a platform compatibility; use linux (or off), pypi, manylinux2014, "
        "manylinux_X_Y (or X_Y) or musllinux_X_Y"
    )


def is_libpython(name: str) -> bool:
    """
    >>> is_libpython("libpython3.11.so.1.0"), is_libpython("libpython3.13t.so.1.0")
    (True, True)
    >>> is_libpython("libpythonista.so")
    False
    """
    return bool(_LIBPYTHON.match(name))


def is_dynamic_linker(name: str) -> bool:
    return name.startswith(("ld-linux", "ld-musl", "ld64.so"))


@record
class Policy:
    name: str  # "manylinux_2_17", "musllinux_1_2" or "linux"
    aliases: tuple[str, ...]
    priority: int  # higher = runs on more systems
    symbol_versions: Mapping[str, Mapping[str, frozenset[str]]]
    lib_whitelist: frozenset[str]
    blacklist: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def is_musl(self) -> bool:
        return self.name.startswith("musllinux")

    @property
    def version(self) -> tuple[int, int]:
        """The libc version the policy names: ``manylinux_2_17`` -> (2, 17).

        >>> policy_by_name("manylinux2014").version
        (2, 17)
        """
        _, major, minor = self.name.split("_")
        return (int(major), int(minor))

    def supports(self, arch: str) -> bool:
        return arch in self.symbol_versions

    def platform_tags(self, arch: str) -> list[str]:
        """The platform tags for ``arch``: PyPI's legacy alias, where one exists, first
        (maturin 1.16 writes ``manylinux2014_x86_64.manylinux_2_17_x86_64``).

        >>> policy_by_name("manylinux_2_17").platform_tags("x86_64")
        ['manylinux2014_x86_64', 'manylinux_2_17_x86_64']
        >>> policy_by_name("manylinux_2_34").platform_tags("aarch64")
        ['manylinux_2_34_aarch64']
        """
        if self.name == "linux":
            return [f"linux_{arch}"]
        aliases = [f"{alias}_{arch}" for alias in self.aliases] if self.supports(arch) else []
        return [*aliases, f"{self.name}_{arch}"]

    def allows_library(self, name: str, arch: str) -> bool:
        if name in self.lib_whitelist:
            return True
        return self.is_musl and name in ("libc.so", _MUSL_LIBC.get(arch))

    def __str__(self) -> str:
        return f"{self.name} (aka {', '.join(self.aliases)})" if self.aliases else self.name


def _policy(raw: Mapping[str, Any]) -> Policy:
    return Policy(
        name=raw["name"],
        aliases=tuple(raw["aliases"]),
        priority=int(raw["priority"]),
        symbol_versions={
            arch: {ns: frozenset(v) for ns, v in spaces.items()}
            for arch, spaces in raw["symbol_versions"].items()
        },
        lib_whitelist=frozenset(raw["lib_whitelist"]),
        blacklist={lib: frozenset(syms) for lib, syms in raw["blacklist"].items()},
    )


@functools.lru_cache(maxsize=1)
def _load() -> Mapping[str, tuple[Policy, ...]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        family: tuple(sorted((_policy(p) for p in data[family]), key=lambda p: -p.priority))
        for family in ("manylinux", "musllinux")
    }


def manylinux_policies() -> tuple[Policy, ...]:
    """manylinux policies, most compatible (oldest glibc) first, ``linux`` last."""
    return _load()["manylinux"]


def musllinux_policies() -> tuple[Policy, ...]:
    return _load()["musllinux"]


def policy_by_name(name: str) -> Policy:
    """A policy by name or legacy alias (``manylinux2014``); KeyError if unknown.

    >>> policy_by_name("manylinux2014").name
    'manylinux_2_17'
    """
    for policy in manylinux_policies() + musllinux_policies():
        if name == policy.name or name in policy.aliases:
            return policy
    raise KeyError(name)


# The architecture of a Rust target triple, as the policies name it.
_TRIPLE_ARCH = {
    "x86_64": "x86_64",
    "i686": "i686",
    "i586": "i686",
    "aarch64": "aarch64",
    "armv7": "armv7l",
    "powerpc64le": "ppc64le",
    "powerpc64": "ppc64",
    "s390x": "s390x",
    "riscv64gc": "riscv64",
    "loongarch64": "loongarch64",
}


def policy_problem(name: str, given: str, target: str | None) -> str | None:
    """Why the audit could not meet ``--compatibility given`` (``name`` once parsed) for
    ``target`` (a Rust triple; None: the host), or None: said before cargo runs.

    >>> policy_problem("manylinux_2_17", "2014", "aarch64-unknown-linux-gnu") is None
    True
    >>> policy_problem("manylinux_2_99", "manylinux_2_99", None)  # doctest: +ELLIPSIS
    "'manylinux_2_99' is not a policy auditwheel defines (the newest: manylinux_2_..., musllinux_1_...); pass --auditwheel skip to tag the wheel without checking it"
    >>> policy_problem("manylinux_2_5", "manylinux1", "aarch64-unknown-linux-gnu")
    "'manylinux1' (manylinux_2_5) does not cover aarch64, the architecture of --target aarch64-unknown-linux-gnu; it covers i686, x86_64"
    """
    if name in ("linux", "pypi"):
        return None
    shown = repr(given) if given == name else f"{given!r} ({name})"
    try:
        policy = policy_by_name(name)
    except KeyError:
        newest = ", ".join(max(f, key=lambda p: p.version).name for f in _families())
        return (
            f"{shown} is not a policy auditwheel defines (the newest: {newest}); pass "
            "--auditwheel skip to tag the wheel without checking it"
        )
    arch = _TRIPLE_ARCH.get(target.split("-")[0]) if target else None
    if arch is not None and not policy.supports(arch):
        covered = ", ".join(sorted(policy.symbol_versions))
        return (
            f"{shown} does not cover {arch}, the architecture of --target {target}; "
            f"it covers {covered}"
        )
    return None


def _families() -> tuple[tuple[Policy, ...], ...]:
    """The manylinux and the musllinux policies, without the plain ``linux`` entries."""
    return tuple(
        tuple(p for p in family if p.name != "linux")
        for family in (manylinux_policies(), musllinux_policies())
    )


@record
class Violations:
    """Why an object does not satisfy a policy (empty when it does)."""

    policy: Policy
    too_new: tuple[str, ...] = ()  # "arc4random@GLIBC_2.36 (libc.so.6)"
    blacklisted: tuple[str, ...] = ()
    unsupported_arch: bool = False
    external: tuple[str, ...] = ()  # needed libraries outside the whitelist

    @property
    def symbols_ok(self) -> bool:
        """Satisfied apart from external libraries (which a repair bundles)."""
        return not (self.too_new or self.blacklisted or self.unsupported_arch)


def _version_key(version: str) -> tuple[int, ...]:
    """``GLIBC_2.3.4`` -> (2, 3, 4); names without numbers sort first.

    >>> _version_key("GLIBC_2.3.4"), _version_key("GLIBC_PRIVATE")
    ((2, 3, 4), ())
    """
    return tuple(int(p) for p in re.findall(r"\d+", version.partition("_")[2]))


def _describe_too_new(
    library: str, bad_versions: Iterable[str], imports: Iterable[ImportedSymbol]
) -> list[str]:
    bad = set(bad_versions)
    named = sorted(
        {(s.version or "", s.name) for s in imports if s.library == library and s.version in bad},
        key=lambda vs: (_version_key(vs[0]), vs[1]),
        reverse=True,
    )
    out = [f"{name}@{version} ({library})" for version, name in named]
    covered = {version for version, _ in named}
    # A version can be needed without a symbol naming it (e.g. only by a weak reference).
    out += [f"{version} ({library})" for version in sorted(bad - covered, key=_version_key)]
    return out


def check_policy(policy: Policy, elf: ElfInfo) -> Violations:
    """Check ``elf`` against ``policy`` as auditwheel and maturin do."""
    arch = elf.arch
    if policy.name != "linux" and not policy.supports(arch):
        return Violations(policy, unsupported_arch=True)
    allowed = policy.symbol_versions.get(arch, {})
    external = [
        lib
        for lib in elf.needed
        if not is_dynamic_linker(lib) and not policy.allows_library(lib, arch)
    ]
    too_new: list[str] = []
    for library, versions in sorted(elf.version_needs.items()):
        if is_dynamic_linker(library) or not policy.allows_library(library, arch):
            continue
        bad: set[str] = set()
        for version in versions:
            namespace, _, _ = version.partition("_")
            if version not in {f"{namespace}_{v}" for v in allowed.get(namespace, ())}:
                bad.add(version)
        if bad:
            too_new += _describe_too_new(library, bad, elf.imports)
    undefined = {s.name for s in elf.imports if not s.weak}
    blacklisted = [
        f"{name} ({lib})"
        for lib in elf.needed
        for name in sorted(policy.blacklist.get(lib, frozenset()) & undefined)
    ]
    return Violations(
        policy,
        too_new=tuple(too_new),
        blacklisted=tuple(blacklisted),
        external=tuple(sorted(set(external))),
    )


def derive_policy_data() -> dict[str, Any]:
    """The content of ``policy-data.json``, from the installed auditwheel (dev/test only)."""
    import importlib.metadata
    import importlib.resources

    def family(name: str) -> list[dict[str, Any]]:
        text = (
            importlib.resources.files("auditwheel.policy")
            .joinpath(f"{name}-policy.json")
            .read_text(encoding="utf-8")
        )
        out = []
        for raw in json.loads(text):
            out.append(
                {
                    "name": raw["name"],
                    "aliases": list(raw["aliases"]),
                    "priority": raw["priority"],
                    "symbol_versions": {
                        arch: {ns: sorted(v) for ns, v in spaces.items()}
                        for arch, spaces in raw["symbol_versions"].items()
                    },
                    "lib_whitelist": sorted(raw["lib_whitelist"]),
                    "blacklist": {lib: sorted(s) for lib, s in raw["blacklist"].items()},
                }
            )
        return sorted(out, key=lambda p: -int(p["priority"]))

    return {
        "source": {
            "auditwheel": importlib.metadata.version("auditwheel"),
            "files": ["auditwheel/policy/manylinux-policy.json", "musllinux-policy.json"],
            "license": "MIT License, Copyright (c) 2016 Robert T. McGibbon (pypa/auditwheel)",
            "regenerate": "python scripts/update_policy_data.py",
        },
        "manylinux": family("manylinux"),
        "musllinux": family("musllinux"),
    }
