"""Linux platform tags from the built objects, and repair (auditwheel's job, in-process).

:func:`audit_extension` reads the extension's ELF data, chooses the oldest
manylinux (or musllinux) policy it satisfies, or checks the policies the user
asked for strictly, and bundles the external libraries it needs when the mode
is ``repair``. It returns the platform tags, the file to put in the wheel (a
patched copy when libraries were bundled) and the extra wheel entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from ferrule import _log
from ferrule._record import record
from ferrule.audit.binaries import audit_binary, binary_format
from ferrule.audit.elf import ElfInfo, read_elf
from ferrule.audit.policy import (
    Policy,
    Violations,
    check_policy,
    is_libpython,
    manylinux_policies,
    musllinux_policies,
    policy_by_name,
)
from ferrule.errors import AuditError

__all__ = [
    "AuditError",
    "AuditOutcome",
    "AuditRequest",
    "audit_extension",
    "expand_tags",
]


@record
class AuditRequest:
    """What the settings ask of the audit.

    ``compatibility`` holds normalised values (``linux``, ``manylinux_X_Y``,
    ``musllinux_X_Y``; empty = choose); ``pypi`` is the separate ``pypi`` check.
    ``default_policy`` replaces "choose" (``--zig`` targets manylinux_2_17).
    ``embeds_python``: the object is a binary that embeds the interpreter, so
    it may link libpython (as maturin allows for bin bindings); libpython is
    then neither a policy violation nor bundled: the installed interpreter's is
    the one it must use.
    """

    compatibility: tuple[str, ...] = ()
    mode: str = "repair"
    pypi: bool = False
    default_policy: str | None = None
    embeds_python: bool = False
    abi3: bool = False  # a stable-ABI extension (the Windows audit checks python3.dll)


@record
class AuditOutcome:
    platform_tags: tuple[str, ...]
    extension: Path
    libraries: tuple[tuple[str, Path], ...] = ()

    @property
    def platform(self) -> str:
        return ".".join(self.platform_tags)


def _family(elf: ElfInfo) -> tuple[Policy, ...]:
    return musllinux_policies() if elf.is_musl else manylinux_policies()


def _explain(v: Violations, limit: int = 8) -> str:
    problems = list(v.too_new) + [f"blacklisted {b}" for b in v.blacklisted]
    if v.unsupported_arch:
        problems.append("the architecture is not covered by this policy")
    shown = ", ".join(problems[:limit])
    return shown + (f" and {len(problems) - limit} more" if len(problems) > limit else "")


def _refuse(name: str, v: Violations, elf: ElfInfo) -> AuditError:
    what = "symbol versions newer than it allows" if v.too_new else "symbols it forbids"
    if v.unsupported_arch:
        what = f"an architecture ({elf.arch}) it does not cover"
    return AuditError(
        f"{elf.path.name} is not {v.policy} compliant: it uses {what}: {_explain(v)}.\n"
        f"  Build on a system with an older C library (a manylinux container), use --zig, "
        f"or ask for a newer policy (--compatibility {_suggest(elf)})"
    )


def _suggest(elf: ElfInfo) -> str:
    for policy in _family(elf):
        if policy.name != "linux" and check_policy(policy, elf).symbols_ok:
            return policy.name
    return "linux"


def _requested_policies(request: AuditRequest, elf: ElfInfo) -> list[Policy]:
    wanted = [c for c in request.compatibility if c != "linux"]
    if not wanted and request.default_policy:
        wanted = [request.default_policy]
    if not wanted and elf.is_musl:
        wanted = ["musllinux_1_2"]
    policies = []
    for name in wanted:
        try:
            policy = policy_by_name(name)
        except KeyError:
            raise AuditError(
                f"--compatibility {name}: auditwheel defines no such policy; pass "
                "--auditwheel skip to tag the wheel without checking it"
            ) from None
        if policy.is_musl != elf.is_musl:
            libc = "musl" if elf.is_musl else "glibc"
            raise AuditError(
                f"--compatibility {name} does not fit {elf.path.name}, which links {libc}"
            )
        policies.append(policy)
    return sorted(policies, key=lambda p: -p.priority)


def _choose(elf: ElfInfo) -> tuple[Policy, Violations | None]:
    """The most compatible policy whose symbol rules ``elf`` meets, and why the one before failed."""
    previous: Violations | None = None
    for policy in _family(elf):
        if policy.name == "linux":
            break
        v = check_policy(policy, elf)
        if v.symbols_ok:
            return policy, previous
        previous = v
    linux = next(p for p in manylinux_policies() if p.name == "linux")
    return linux, previous


def _external_policy(policy: Policy, libs: Sequence[object], requested: bool, arch: str) -> Policy:
    """Lower the policy when a bundled library needs newer symbol versions than it allows."""
    from ferrule.audit.repair import GraftedLibrary

    family = musllinux_policies() if policy.is_musl else manylinux_policies()
    result = policy
    for lib in libs:
        assert isinstance(lib, GraftedLibrary)
        v = check_policy(result, lib.info)
        if v.symbols_ok:
            continue
        if requested:
            raise AuditError(
                f"the bundled library {lib.source} is not {result} compliant: {_explain(v)}"
            )
        for candidate in family:
            if (
                candidate.priority < result.priority
                and check_policy(candidate, lib.info).symbols_ok
            ):
                _log.warn(f"{lib.source} lowers the platform tag to {candidate.name}")
                result = candidate
                break
    return result


def audit_extension(
    extension: Path,
    request: AuditRequest,
    *,
    sysconfig_platform: str,
    dist_name: str,
    extension_dir: PurePosixPath,
    link_dirs: Sequence[str],
    staging: Path,
    environ: Mapping[str, str],
) -> AuditOutcome:
    """Platform tags for ``extension`` and, in repair mode, the libraries to bundle.

    ``sysconfig_platform`` is the interpreter's normalised platform
    (``linux_x86_64``); non-Linux platforms and ``_PYTHON_HOST_PLATFORM`` are
    returned unchanged without an audit. Mach-O and PE files get the macOS and
    Windows audits (:mod:`ferrule.audit.binaries`), whatever the host.
    """
    kind = binary_format(extension)
    if kind in ("macho", "pe"):
        return _audit_foreign(kind, extension, request, sysconfig_platform, extension_dir)
    if environ.get("_PYTHON_HOST_PLATFORM") or not sysconfig_platform.startswith("linux"):
        return AuditOutcome((sysconfig_platform,), extension)
    if request.mode == "skip":
        names = [c for c in request.compatibility if c != "linux"]
        if not names:
            return AuditOutcome((sysconfig_platform,), extension)
        arch = sysconfig_platform.removeprefix("linux_")
        unchecked = [t for n in names for t in policy_by_name(n).platform_tags(arch)]
        return AuditOutcome(tuple(unchecked), extension)

    elf = read_elf(extension)
    libpython = [n for n in elf.needed if is_libpython(n)]
    if libpython and not request.embeds_python:
        raise AuditError(
            f"{extension.name} links {libpython[0]}, which Python extension modules must not "
            "do (the interpreter provides those symbols); with pyo3 older than 0.26 enable its "
            "'extension-module' feature"
        )
    if request.compatibility == ("linux",):
        return AuditOutcome((sysconfig_platform,), extension)

    requested = _requested_policies(request, elf)
    if requested:
        for policy in requested:
            v = check_policy(policy, elf)
            if not v.symbols_ok:
                raise _refuse(policy.name, v, elf)
        chosen = requested[0]
        best, _ = _choose(elf)
        if best.priority > chosen.priority and best.name != "manylinux_2_5":
            _log.info(f"{extension.name} would also satisfy {best} (asked for {chosen.name})")
    else:
        chosen, previous = _choose(elf)
        reason = f" ({previous.policy.name} refused: {_explain(previous, 3)})" if previous else ""
        if chosen.name == "linux":
            _log.warn(
                f"{extension.name} satisfies no manylinux policy{reason}; tagging it "
                f"{sysconfig_platform}, which PyPI does not accept"
            )
        else:
            _log.info(f"platform policy {chosen.name}{reason}")

    final = chosen
    libraries: tuple[tuple[str, Path], ...] = ()
    external = check_policy(chosen, elf).external if chosen.name != "linux" else ()
    external = tuple(lib for lib in external if lib not in libpython)
    if external:
        listed = ", ".join(external)
        if request.mode == "check":
            raise AuditError(
                f"{extension.name} needs libraries outside {chosen.name}: {listed}; rerun with "
                "--auditwheel repair to bundle them into the wheel"
            )
        if request.mode == "warn":
            _log.warn(
                f"{extension.name} needs libraries outside {chosen.name}: {listed}; the wheel "
                "will not run where they are missing (--auditwheel repair bundles them)"
            )
        else:
            from ferrule.audit.repair import find_external_libraries, patch_extension

            grafted = find_external_libraries(elf, chosen, link_dirs, environ)
            final = _external_policy(chosen, grafted, bool(requested), elf.arch)
            libs_dir = PurePosixPath(f"{dist_name}.libs")
            patched, entries = patch_extension(
                extension, grafted, staging, libs_dir, extension_dir, environ
            )
            extension, libraries = patched, tuple(entries)

    if final.name == "linux":
        tags: list[str] = [sysconfig_platform]
    else:
        policies = requested if requested else [final]
        ordered = sorted(policies, key=lambda p: (p.is_musl, p.version))
        tags = [t for p in ordered for t in p.platform_tags(elf.arch)]
    if request.pypi:
        from ferrule.tags import check_pypi_platform

        check_pypi_platform(tags)
    return AuditOutcome(tuple(tags), extension, libraries)


def _audit_foreign(
    kind: str,
    extension: Path,
    request: AuditRequest,
    planned: str,
    extension_dir: PurePosixPath,
) -> AuditOutcome:
    """A Mach-O or PE file: the tag it needs; problems fail ``check``/``repair``, warn in ``warn``."""
    if request.mode == "skip":
        return AuditOutcome((planned,), extension)
    where = extension_dir / extension.name
    result = audit_binary(kind, extension, where, planned, abi3=request.abi3)
    for line in result.warnings:
        _log.warn(line)
    if result.problems and request.mode != "warn":
        raise AuditError("\n".join(result.problems))
    for line in result.problems:
        _log.warn(line)
    return AuditOutcome((result.platform_tag,), extension)


def expand_tags(tag: str) -> list[str]:
    """A compressed tag set as the ``Tag:`` lines of WHEEL, in order.

    >>> expand_tags("cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64")
    ['cp38-abi3-manylinux_2_17_x86_64', 'cp38-abi3-manylinux2014_x86_64']
    """
    py, abi, plat = tag.split("-")
    return [f"{p}-{a}-{x}" for p in py.split(".") for a in abi.split(".") for x in plat.split(".")]
