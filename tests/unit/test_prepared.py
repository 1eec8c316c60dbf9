"""``ferrule.metadata.prepared``: which prepared ``.dist-info`` a build may take.

Only a directory ferrule could have written for this project is taken; every
other one gives None, and the build computes its metadata itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from ferrule.metadata import canonical_name
from ferrule.metadata.prepared import find_dist_info, read_prepared

METADATA = (
    "Metadata-Version: 2.4\nName: Demo.Pkg\nVersion: 1.0.0rc1\n"
    "License-File: LICENSE\nLicense-File: sub/NOTICE\n\nLong description: with a colon\n"
)


def make(tmp_path: Path, name: str = "demo_pkg-1.0.0rc1.dist-info") -> Path:
    d = tmp_path / name
    (d / "licenses" / "sub").mkdir(parents=True)
    (d / "METADATA").write_text(METADATA)
    (d / "entry_points.txt").write_text("[console_scripts]\ndemo=demo:main\n")
    (d / "licenses" / "LICENSE").write_text("MIT\n")
    (d / "licenses" / "sub" / "NOTICE").write_text("notice\n")
    return d


def test_ours_is_read_back_exactly(tmp_path: Path) -> None:
    d = make(tmp_path)
    meta = read_prepared(d, "demo-pkg")
    assert meta is not None
    assert (meta.name, meta.version, meta.dist_name) == ("Demo.Pkg", "1.0.0rc1", "demo_pkg")
    assert meta.dist_info == d.name
    assert meta.rfc822 == METADATA.encode()
    assert meta.entry_points == b"[console_scripts]\ndemo=demo:main\n"
    assert meta.license_files == (
        ("LICENSE", d / "licenses" / "LICENSE"),
        ("sub/NOTICE", d / "licenses" / "sub" / "NOTICE"),
    )
    # The directory holding it is accepted too.
    assert read_prepared(tmp_path, "Demo.Pkg") == meta


@pytest.mark.parametrize(
    "damage",
    [
        "other project",
        "extra file",
        "license not declared",
        "declared license missing",
        "name mismatch in METADATA",
        "two Version headers",
        "directory name version",
        "not utf-8",
        "no METADATA",
    ],
)
def test_anything_else_is_not_taken(tmp_path: Path, damage: str) -> None:
    d = make(tmp_path)
    project = "demo-pkg"
    if damage == "other project":
        project = "other"
    elif damage == "extra file":
        (d / "INSTALLER").write_text("pip\n")
    elif damage == "license not declared":
        (d / "licenses" / "EXTRA").write_text("x\n")
    elif damage == "declared license missing":
        (d / "licenses" / "sub" / "NOTICE").unlink()
    elif damage == "name mismatch in METADATA":
        (d / "METADATA").write_text(METADATA.replace("Name: Demo.Pkg", "Name: Other"))
    elif damage == "two Version headers":
        (d / "METADATA").write_text(
            METADATA.replace("Version: 1.0.0rc1\n", "Version: 1.0.0rc1\nVersion: 2\n")
        )
    elif damage == "directory name version":
        d = d.rename(tmp_path / "demo_pkg-1.0.0.dist-info")
    elif damage == "not utf-8":
        (d / "METADATA").write_bytes(METADATA.encode() + b"\xff\xfe")
        (d / "METADATA").write_bytes(b"Name: \xff\n")
    elif damage == "no METADATA":
        (d / "METADATA").unlink()
    assert read_prepared(d, project) is None


def test_ambiguous_parent_and_missing_directory(tmp_path: Path) -> None:
    make(tmp_path)
    make(tmp_path, "demo_pkg-2.dist-info")
    assert find_dist_info(tmp_path) is None
    assert find_dist_info(tmp_path / "missing.dist-info") is None
    assert read_prepared(tmp_path / "nowhere", "demo-pkg") is None


@pytest.mark.parametrize(
    "name", ["Foo.Bar__baz", "A-B", "a...b", "UPPER_case-Name", "x", "a-_.-b", "ÄÖ"]
)
def test_canonical_name_matches_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)
