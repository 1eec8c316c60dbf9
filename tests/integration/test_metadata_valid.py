"""Issue 3: the metadata of every project in the table passes the ecosystem's validators.

``packaging.metadata.Metadata.from_email(..., validate=True)``, ``pkginfo`` and
``twine check --strict`` read ferrule's METADATA from the
``prepare_metadata_for_build_wheel`` hook (wrapped, with WHEEL and RECORD,
into a wheel for the tools that read wheels; nothing is compiled).
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path

import pkginfo
import pytest
from packaging.metadata import Metadata

from tests.helpers.metadata_projects import PROJECTS, Project, prepare_metadata
from tests.helpers.venv import run


def wheel_of(dist_info: Path, out: Path) -> Path:
    """A wheel holding just ``dist_info`` (plus WHEEL and RECORD)."""
    name, version = dist_info.name[: -len(".dist-info")].split("-")
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    files = {
        f"{dist_info.name}/{p.relative_to(dist_info).as_posix()}": p.read_bytes()
        for p in sorted(dist_info.rglob("*"))
        if p.is_file()
    }
    files[f"{dist_info.name}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    with zipfile.ZipFile(wheel, "w") as z:
        for arcname, data in files.items():
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arcname},sha256={digest.decode()},{len(data)}\n")
        record.append(f"{dist_info.name}/RECORD,,\n")
        z.writestr(f"{dist_info.name}/RECORD", "".join(record))
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """(dist-info made by the hook, a wheel holding it) for every project in the table."""
    out: dict[str, tuple[Path, Path]] = {}
    for project in PROJECTS:
        root = tmp_path_factory.mktemp(project.id)
        cwd = project.write(root / "src")
        dist_info = prepare_metadata(cwd, root / "meta")
        out[project.id] = (dist_info, wheel_of(dist_info, root))
    return out


@pytest.mark.parametrize("project", PROJECTS, ids=[p.id for p in PROJECTS])
def test_packaging_validates(project: Project, wheels: dict[str, tuple[Path, Path]]) -> None:
    dist_info, _ = wheels[project.id]
    raw = (dist_info / "METADATA").read_bytes()
    meta = Metadata.from_email(raw, validate=True)
    assert meta.metadata_version == "2.4"
    assert f"{re.sub(r'[-_.]+', '_', meta.name).lower()}-{meta.version}" == dist_info.name[:-10]
    assert bool(meta.description) == project.has_readme
    for rel in meta.license_files or []:
        assert (dist_info / "licenses" / rel).is_file()


@pytest.mark.parametrize("project", PROJECTS, ids=[p.id for p in PROJECTS])
def test_pkginfo_reads_it(project: Project, wheels: dict[str, tuple[Path, Path]]) -> None:
    dist_info, wheel = wheels[project.id]
    meta = Metadata.from_email((dist_info / "METADATA").read_bytes(), validate=True)
    info = pkginfo.Wheel(str(wheel))
    assert info.metadata_version == "2.4"
    assert info.name == meta.name
    assert info.version == str(meta.version)
    assert info.summary == meta.summary
    assert list(info.requires_dist) == [str(r) for r in meta.requires_dist or []]
    assert list(info.license_file) == list(meta.license_files or [])
    assert info.license_expression == meta.license_expression
    assert list(info.provides_extras) == list(meta.provides_extra or [])
    assert list(info.classifiers) == list(meta.classifiers or [])
    assert [u.split(", ", 1)[0] for u in info.project_urls] == list(meta.project_urls or {})
    if project.has_readme:
        assert info.description.rstrip("\n") == (meta.description or "").rstrip("\n")


def test_twine_check_strict(wheels: dict[str, tuple[Path, Path]]) -> None:
    with_readme = [wheels[p.id][1] for p in PROJECTS if p.has_readme]
    proc = run([sys.executable, "-m", "twine", "check", "--strict", *with_readme])
    assert proc.stdout.count("PASSED") == len(with_readme), proc.stdout


def test_twine_only_misses_the_readme_when_there_is_none(
    wheels: dict[str, tuple[Path, Path]],
) -> None:
    # --strict turns twine's warnings about a missing long description into a
    # failure: they are all it has to say about projects without a readme.
    for project in (p for p in PROJECTS if not p.has_readme):
        wheel = wheels[project.id][1]
        proc = run([sys.executable, "-m", "twine", "check", wheel])
        assert "PASSED with warnings" in proc.stdout
        warnings = [line for line in proc.stdout.splitlines() if "WARNING" in line]
        assert len(warnings) == 2, proc.stdout
        assert "`long_description_content_type` missing" in warnings[0]
        assert "`long_description` missing" in warnings[1]
