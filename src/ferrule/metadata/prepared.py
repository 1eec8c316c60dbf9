"""Reading back a ``.dist-info`` made by ``prepare_metadata_for_build_wheel``.

PEP 517: a frontend that called the metadata hook passes that directory to
``build_wheel`` as ``metadata_directory``, and the wheel MUST then carry the
identical metadata. Taking METADATA, entry_points.txt and licenses/ from it
byte for byte is the surest way to meet that, and it spares ``build_wheel`` the
validation (pyproject-metadata, packaging) the metadata hook already did.

Only a directory that ferrule itself could have written is taken: a name that
matches the project, a METADATA whose Name and Version agree with it, and
nothing but the files ferrule writes. Anything else gives ``None`` and the
metadata is built from the project as usual.
"""

from __future__ import annotations

from pathlib import Path

from ferrule.metadata import PackageMetadata, canonical_name, dist_filename_name

__all__ = ["find_dist_info", "read_prepared"]

_OURS = {"METADATA", "entry_points.txt", "licenses"}


def find_dist_info(metadata_directory: Path) -> Path | None:
    """The ``.dist-info`` directory a frontend meant.

    PEP 517 passes the ``.dist-info`` directory itself; some frontends pass the
    directory that holds it. Anything ambiguous is ``None``.
    """
    if metadata_directory.name.endswith(".dist-info"):
        return metadata_directory if metadata_directory.is_dir() else None
    try:
        found = [p for p in metadata_directory.iterdir() if p.name.endswith(".dist-info")]
    except OSError:
        return None
    return found[0] if len(found) == 1 and found[0].is_dir() else None


def _headers(text: str) -> dict[str, list[str]]:
    """The header block of a Core Metadata file (continuation lines joined).

    >>> _headers("Name: a\\nVersion: 1\\nClassifier: x\\nClassifier: y\\n\\nBody: no\\n")
    {'name': ['a'], 'version': ['1'], 'classifier': ['x', 'y']}
    """
    headers: dict[str, list[str]] = {}
    last: list[str] | None = None
    for line in text.splitlines():
        if not line:
            break
        if line[0] in " \t" and last is not None:
            last[-1] += "\n" + line
            continue
        key, sep, value = line.partition(":")
        if not sep:
            return {}
        last = headers.setdefault(key.strip().lower(), [])
        last.append(value.strip())
    return headers


def read_prepared(metadata_directory: Path, project_name: str | None) -> PackageMetadata | None:
    """The metadata of ``metadata_directory``, or None when it is not ferrule's.

    ``project_name`` is the name the project's files give (``[project].name`` or
    the crate's package name); a directory for another project is not used.
    """
    dist_info = find_dist_info(metadata_directory)
    if dist_info is None or project_name is None:
        return None
    try:
        entries = {p.name for p in dist_info.iterdir()}
        raw = (dist_info / "METADATA").read_bytes()
        entry_points_file = dist_info / "entry_points.txt"
        entry_points = entry_points_file.read_bytes() if "entry_points.txt" in entries else None
        licenses_dir = dist_info / "licenses"
        licenses = (
            sorted(p for p in licenses_dir.rglob("*") if p.is_file())
            if "licenses" in entries
            else []
        )
    except OSError:
        return None
    if not entries <= _OURS:
        return None
    try:
        headers = _headers(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    names, versions = headers.get("name", []), headers.get("version", [])
    if len(names) != 1 or len(versions) != 1:
        return None
    name, version = names[0], versions[0]
    if canonical_name(name) != canonical_name(project_name):
        return None
    dist_name = dist_filename_name(name)
    if dist_info.name != f"{dist_name}-{version}.dist-info":
        return None
    declared = set(headers.get("license-file", []))
    shipped = {p.relative_to(licenses_dir).as_posix(): p for p in licenses}
    if declared != set(shipped):
        return None
    return PackageMetadata(
        name=name,
        version=version,
        dist_name=dist_name,
        rfc822=raw,
        entry_points=entry_points,
        license_files=tuple(sorted(shipped.items())),
        core=None,
    )
