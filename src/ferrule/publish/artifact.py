"""Distribution files, inspected and checked before anything is sent.

Every file must be a wheel or a ``.tar.gz`` sdist whose file name parses, whose
core metadata is valid (``packaging``'s validator, the one twine and PyPI use),
and whose name and version agree with that metadata. Across the files, none may
be given twice, and a release has at most one sdist. All problems are collected
and reported together, so one run shows everything to fix.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from packaging.metadata import ExceptionGroup, Metadata, RawMetadata, parse_email
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ferrule._record import record
from ferrule.publish import PublishError

__all__ = ["Artifact", "check_artifacts", "problems_for_pypi"]

_CHUNK = 1 << 20


@record
class Artifact:
    """A distribution file that passed every check, with what the upload form needs."""

    path: Path
    filetype: str  # "bdist_wheel" or "sdist", the upload API's names
    pyversion: str  # the wheel's python tag ("cp311", "py3"), "source" for an sdist
    metadata: RawMetadata
    size: int
    sha256: str
    blake2_256: str
    platforms: tuple[str, ...] = ()  # the wheel's platform tags

    @property
    def name(self) -> str:
        return self.metadata["name"]

    @property
    def version(self) -> str:
        return self.metadata["version"]

    @property
    def filename(self) -> str:
        return self.path.name


class _Problems(Exception):
    """Internal: the problems found in one file."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _hashes(path: Path) -> tuple[int, str, str]:
    sha256, blake2 = hashlib.sha256(), hashlib.blake2b(digest_size=32)
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            size += len(chunk)
            sha256.update(chunk)
            blake2.update(chunk)
    return size, sha256.hexdigest(), blake2.hexdigest()


def _wheel_metadata(path: Path, name: str, version: Version) -> bytes:
    """METADATA of the wheel's one ``.dist-info`` directory, which must match the file name."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            dist_infos = sorted(
                {n.split("/", 1)[0] for n in names if re.match(r"[^/]+\.dist-info/", n)}
            )
            if len(dist_infos) != 1:
                found = ", ".join(dist_infos) or "none"
                raise _Problems([f"expected one top-level .dist-info directory, found {found}"])
            dist_info = dist_infos[0]
            problems = []
            stem = dist_info[: -len(".dist-info")]
            di_name, _, di_version = stem.rpartition("-")
            if canonicalize_name(di_name) != name or not _same_version(di_version, version):
                problems.append(
                    f"the .dist-info directory {dist_info} does not match the file name "
                    f"({name} {version})"
                )
            for required in ("METADATA", "WHEEL", "RECORD"):
                if f"{dist_info}/{required}" not in names:
                    problems.append(f"{dist_info}/{required} is missing")
            if problems:
                raise _Problems(problems)
            return zf.read(f"{dist_info}/METADATA")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _Problems([f"not a valid zip archive ({exc})"]) from None


def _sdist_metadata(path: Path) -> bytes:
    """``<name>-<version>/PKG-INFO``: the sdist's one top-level directory is its file name."""
    top = path.name[: -len(".tar.gz")]
    try:
        with tarfile.open(path, "r:gz") as tf:
            try:
                member = tf.getmember(f"{top}/PKG-INFO")
            except KeyError:
                raise _Problems([f"{top}/PKG-INFO is missing"]) from None
            f = tf.extractfile(member)
            if f is None:
                raise _Problems([f"{top}/PKG-INFO is not a regular file"])
            return f.read()
    except (tarfile.TarError, zlib.error, EOFError) as exc:
        raise _Problems([f"not a valid gzip-compressed tar archive ({exc})"]) from None


def _same_version(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False


def _validate_metadata(data: bytes) -> RawMetadata:
    raw, unparsed = parse_email(data)
    # Core metadata before 2.4 had no License-File, but setuptools wrote one for
    # years; indexes ignore it there, and so does twine. Do the same.
    try:
        old = Version(raw.get("metadata_version", "0")) < Version("2.4")
    except InvalidVersion:
        old = False
    if old:
        raw.pop("license_files", None)
        unparsed.pop("license-file", None)
    problems = [f"METADATA: unrecognized or malformed field {key!r}" for key in sorted(unparsed)]
    try:
        Metadata.from_raw(raw, validate=True)
    except ExceptionGroup as group:
        problems += sorted(f"METADATA: {exc}" for exc in group.exceptions)
    if problems:
        raise _Problems(problems)
    return raw


def _inspect(path: Path) -> Artifact:
    if not path.is_file():
        raise _Problems(["no such file" if not path.exists() else "not a file"])
    filename = path.name
    platforms: tuple[str, ...] = ()
    if filename.endswith(".whl"):
        try:
            name, version, _build, tags = parse_wheel_filename(filename)
        except InvalidWheelFilename as exc:
            raise _Problems([f"not a valid wheel file name: {exc}"]) from None
        data = _wheel_metadata(path, name, version)
        filetype = "bdist_wheel"
        # The upload API's pyversion is the file name's python tag ("cp311", "py2.py3").
        pyversion = filename[:-4].split("-")[-3]
        platforms = tuple(sorted({t.platform for t in tags}))
    elif filename.endswith(".tar.gz"):
        try:
            name, version = parse_sdist_filename(filename)
        except InvalidSdistFilename as exc:
            raise _Problems([f"not a valid sdist file name: {exc}"]) from None
        data = _sdist_metadata(path)
        filetype, pyversion = "sdist", "source"
    else:
        raise _Problems(
            [
                "not a distribution: expected a wheel (.whl) or an sdist (.tar.gz, as PEP 625 requires)"
            ]
        )
    raw = _validate_metadata(data)
    if canonicalize_name(raw["name"]) != name or not _same_version(raw["version"], version):
        raise _Problems(
            [
                f"the file name says {name} {version}, but its metadata says "
                f"{raw['name']} {raw['version']}"
            ]
        )
    size, sha256, blake2 = _hashes(path)
    return Artifact(path, filetype, pyversion, raw, size, sha256, blake2, platforms)


def _render(problems: dict[Path, list[str]]) -> str:
    count = sum(len(p) for p in problems.values())
    lines = [f"nothing was uploaded: {count} problem{'s' if count > 1 else ''} in the files"]
    for path, items in problems.items():
        lines += [f"  {path}: {item}" for item in items]
    return "\n".join(lines)


def check_artifacts(paths: Sequence[Path]) -> list[Artifact]:
    """Every file inspected, and the set checked as a whole; all problems raised together."""
    problems: dict[Path, list[str]] = {}
    artifacts: list[Artifact] = []
    by_name: dict[str, Path] = {}
    seen: set[Path] = set()
    for path in paths:
        real = path.resolve()
        if real in seen:
            problems.setdefault(path, []).append("given more than once")
            continue
        seen.add(real)
        if path.name in by_name:
            problems.setdefault(path, []).append(
                f"has the same file name as {by_name[path.name]}; an index keeps one file per name"
            )
            continue
        by_name[path.name] = path
        try:
            artifacts.append(_inspect(path))
        except _Problems as exc:
            problems.setdefault(path, []).extend(exc.problems)
    sdists: dict[tuple[str, Version], Artifact] = {}
    for artifact in artifacts:
        if artifact.filetype != "sdist":
            continue
        key = (canonicalize_name(artifact.name), Version(artifact.version))
        if key in sdists:
            problems.setdefault(artifact.path, []).append(
                f"a second sdist for {artifact.name} {artifact.version} (after "
                f"{sdists[key].path}); a release has one sdist"
            )
        sdists.setdefault(key, artifact)
    if problems:
        raise PublishError(_render(problems))
    return artifacts


_PYPI_HOSTS = ("upload.pypi.org", "test.pypi.org", "pypi.org")


def problems_for_pypi(artifacts: Sequence[Artifact], host: str) -> list[str]:
    """What PyPI and TestPyPI are known to refuse, found before the upload.

    They take Linux wheels only with manylinux or musllinux tags.

    >>> a = Artifact(Path("x-1-cp311-cp311-linux_x86_64.whl"), "bdist_wheel", "cp311",
    ...              {}, 0, "", "", ("linux_x86_64",))
    >>> problems_for_pypi([a], "upload.pypi.org")  # doctest: +ELLIPSIS
    ['x-1-cp311-cp311-linux_x86_64.whl: PyPI refuses the platform tag linux_x86_64; ...']
    >>> problems_for_pypi([a], "packages.example.com")
    []
    """
    if host not in _PYPI_HOSTS:
        return []
    out = []
    for artifact in artifacts:
        for platform in artifact.platforms:
            if platform.startswith("linux_"):
                out.append(
                    f"{artifact.filename}: PyPI refuses the platform tag {platform}; Linux "
                    "wheels need a manylinux or musllinux tag, which this version of ferrule "
                    "cannot give yet (upload such wheels to a private index instead)"
                )
    return out
