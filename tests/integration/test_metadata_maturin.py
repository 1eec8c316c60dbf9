"""Issue 3: ferrule's METADATA equals maturin's, field for field, for a table of projects.

maturin's dist-info comes from ``maturin pep517 write-dist-info`` (it runs
``cargo metadata`` but compiles nothing); ferrule's from its
``prepare_metadata_for_build_wheel`` hook. Both METADATA files are parsed with
:mod:`email.parser` and compared as multisets of (field, value) plus the body.
The intended differences (docs/differences.md, "Metadata") are asserted where a
project shows them:

- ``Requires-Dist``: maturin re-renders requirements through its marker algebra
  (``python_full_version``, reordered and distributed markers, normalised
  names); ferrule writes them as ``packaging`` does. Compared by meaning.
- ``home-page``: maturin writes Cargo's ``homepage`` as Home-Page even when
  ``[project]`` does not list ``urls`` in ``dynamic``; ferrule does not.
- ``cargo-license-file``: maturin adds Cargo's ``license-file`` even when
  ``project.license-files`` lists the files; ferrule includes exactly those.
- ``license-fold``: maturin re-wraps the legacy License text at 78 columns and
  folds with CRLF; ferrule keeps the text's own lines, folded with LF.
- ``license-case``: ferrule writes the canonical SPDX spelling.
- ``readme-false``: Cargo's ``readme = false`` turns the readme off; maturin
  still picks up README.md.
- Order: ferrule keeps pyproject.toml's order of URLs and entry points, maturin
  sorts them; fields are compared as multisets, entry points as tables.
"""

from __future__ import annotations

import configparser
import itertools
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.licenses import canonicalize_license_expression
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tests.helpers.metadata_projects import PROJECTS, Project, prepare_metadata
from tests.helpers.venv import clean_env, run

pytestmark = pytest.mark.maturin

Fields = list[tuple[str, str]]


def parse(text: str) -> tuple[Fields, str]:
    msg = Parser().parsestr(text)
    return [(k, str(v)) for k, v in msg.items()], str(msg.get_payload())


@pytest.fixture(scope="module")
def dist_infos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """(maturin's dist-info, ferrule's dist-info) for every project in the table."""
    if shutil.which("maturin") is None:
        pytest.fail("maturin is not installed: run scripts/setup.sh")
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    out: dict[str, tuple[Path, Path]] = {}
    # maturin's runs (subprocesses, each in its own project) two at a time; ferrule's hook
    # runs in this process (it changes directory) on a project once maturin is done with it.
    with ThreadPoolExecutor(max_workers=2) as pool:
        started = []
        for project in PROJECTS:
            root = tmp_path_factory.mktemp(project.id)
            cwd = project.write(root / "src")
            argv: list[str | os.PathLike[str]] = ["maturin", "pep517", "write-dist-info"]
            argv += ["--metadata-directory", root / "maturin"]
            started.append((project.id, root, cwd, pool.submit(run, argv, cwd=cwd, env=env)))
        for project_id, root, cwd, job in started:
            theirs = root / "maturin" / job.result().stdout.strip().splitlines()[-1]
            ours = prepare_metadata(cwd, root / "ferrule")
            out[project_id] = (theirs, ours)
    return out


# Environments in which requirement markers are evaluated to compare them by meaning.
def environments(extras: list[str]) -> Iterator[dict[str, str]]:
    for minor, os_name, platform, impl, extra in itertools.product(
        range(7, 15),
        ("posix", "nt"),
        ("linux", "win32", "darwin"),
        ("CPython", "PyPy"),
        ["", *extras],
    ):
        yield {
            "python_version": f"3.{minor}",
            "python_full_version": f"3.{minor}.1",
            "os_name": os_name,
            "sys_platform": platform,
            "platform_python_implementation": impl,
            "extra": extra,
        }


def meaning(requirement: str, extras: list[str]) -> tuple[object, ...]:
    req = Requirement(requirement)
    truth = tuple(req.marker.evaluate(env) if req.marker else True for env in environments(extras))
    return (
        canonicalize_name(req.name),
        tuple(sorted(req.extras)),
        str(SpecifierSet(str(req.specifier))),
        req.url,
        truth,
    )


def apply_differences(project: Project, theirs: Fields, ours: Fields) -> tuple[Fields, Fields]:
    """Check each documented difference precisely, then take it out of the comparison."""
    theirs, ours = list(theirs), list(ours)
    diffs = project.differences
    if "home-page" in diffs:
        assert ("Home-Page", diffs["home-page"]) in theirs
        assert not [f for f in ours if f[0] == "Home-Page"]
        theirs.remove(("Home-Page", diffs["home-page"]))
    if "cargo-license-file" in diffs:
        assert ("License-File", diffs["cargo-license-file"]) in theirs
        assert ("License-File", diffs["cargo-license-file"]) not in ours
        theirs.remove(("License-File", diffs["cargo-license-file"]))
    if "license-fold" in diffs:
        (their_license,) = [v for k, v in theirs if k == "License"]
        (our_license,) = [v for k, v in ours if k == "License"]
        # Ours keeps the text's own lines; both say the same words.
        expected = diffs["license-fold"].rstrip().replace("\n", "\n\t")
        assert our_license == expected
        assert their_license.split() == our_license.split()
        theirs = [(k, our_license if k == "License" else v) for k, v in theirs]
    if "license-case" in diffs:
        raw = diffs["license-case"]
        assert ("License-Expression", raw) in theirs
        assert ("License-Expression", canonicalize_license_expression(raw)) in ours
        theirs = [
            (k, canonicalize_license_expression(v) if k == "License-Expression" else v)
            for k, v in theirs
        ]
    # Requires-Dist: the same requirements by meaning (see the module docstring).
    extras = [v for k, v in ours if k == "Provides-Extra"]
    their_reqs = Counter(meaning(v, extras) for k, v in theirs if k == "Requires-Dist")
    our_reqs = Counter(meaning(v, extras) for k, v in ours if k == "Requires-Dist")
    assert their_reqs == our_reqs
    for _, value in (f for f in ours if f[0] == "Requires-Dist"):
        assert value == str(Requirement(value))  # packaging's own spelling
    theirs = [f for f in theirs if f[0] != "Requires-Dist"]
    ours = [f for f in ours if f[0] != "Requires-Dist"]
    return theirs, ours


@pytest.mark.parametrize("project", PROJECTS, ids=[p.id for p in PROJECTS])
def test_metadata_equals_maturins(
    project: Project, dist_infos: dict[str, tuple[Path, Path]]
) -> None:
    theirs_dir, ours_dir = dist_infos[project.id]
    assert ours_dir.name == theirs_dir.name
    their_text = (theirs_dir / "METADATA").read_bytes().decode()
    our_text = (ours_dir / "METADATA").read_bytes().decode()
    assert "\r" not in our_text
    if "license-fold" in project.differences:
        assert "\r\n\t" in their_text  # (the parser below reads CRLF as LF)
    their_fields, their_body = parse(their_text)
    our_fields, our_body = parse(our_text)
    their_fields, our_fields = apply_differences(project, their_fields, our_fields)
    if "readme-false" in project.differences:
        assert their_body == project.differences["readme-false"] + "\n"
        assert our_body == ""
        assert not [f for f in our_fields if f[0] == "Description-Content-Type"]
        their_fields.remove(
            ("Description-Content-Type", "text/markdown; charset=UTF-8; variant=GFM")
        )
        their_body = our_body
    assert Counter(our_fields) == Counter(their_fields)
    assert our_body == their_body


@pytest.mark.parametrize("project", PROJECTS, ids=[p.id for p in PROJECTS])
def test_dist_info_files_equal_maturins(
    project: Project, dist_infos: dict[str, tuple[Path, Path]]
) -> None:
    theirs_dir, ours_dir = dist_infos[project.id]

    def files(d: Path) -> dict[str, bytes]:
        skip = {"METADATA", "WHEEL"}
        return {
            p.relative_to(d).as_posix(): p.read_bytes()
            for p in sorted(d.rglob("*"))
            if p.is_file() and p.name not in skip
        }

    theirs, ours = files(theirs_dir), files(ours_dir)
    if "cargo-license-file" in project.differences:
        del theirs["licenses/" + project.differences["cargo-license-file"]]
    assert ours.keys() == theirs.keys()
    for name, data in ours.items():
        if name == "entry_points.txt":
            # Same groups and entries.
            def groups(text: bytes) -> dict[str, dict[str, str]]:
                parser = configparser.ConfigParser(delimiters=("=",))
                parser.optionxform = str  # type: ignore[assignment,method-assign]
                parser.read_string(text.decode())
                return {s: dict(parser[s]) for s in parser.sections()}

            assert groups(data) == groups(theirs[name])
            # The documented difference in order: maturin sorts, ferrule keeps pyproject's.
            for entries in groups(theirs[name]).values():
                assert list(entries) == sorted(entries)
        else:
            assert data == theirs[name], name


def test_the_table_covers_the_issue() -> None:
    assert len(PROJECTS) >= 15
    assert len({p.id for p in PROJECTS}) == len(PROJECTS)
