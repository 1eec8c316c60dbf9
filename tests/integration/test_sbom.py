"""The crate's CycloneDX SBOM in the wheel: maturin's, made reproducible (docs/compat.md, "SBOM").

sbom-deps has a path, a build and a dev dependency. Its wheel is built with ferrule and with
the pinned maturin, installed and called; the SBOMs must have the same name, components and
edges (maturin's absolute local package ids mapped to ferrule's relative ones), and ferrule's
must pass cyclonedx-python-lib's strict CycloneDX 1.5 JSON schema.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.conftest import CRATES, ferrule
from tests.helpers.sbom import components, edges, ferrule_refs, without_serial_and_time
from tests.helpers.sdists import checkouts, release_builds
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

MATURIN = Path(sys.executable).parent / "maturin"  # the pinned maturin 1.16


def sboms(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        return {n: z.read(n).decode() for n in z.namelist() if ".dist-info/sboms/" in n}


def crate_sbom(wheel: Path) -> tuple[str, str]:
    ((name, text),) = sboms(wheel).items()
    return name, text


def ferrule_wheel(project: Path, out: Path) -> Path:
    ferrule("build", "-i", sys.executable, "-o", out, cwd=project)
    (wheel,) = out.glob("*.whl")
    return wheel


def maturin_wheel(project: Path, out: Path) -> Path:
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-maturin")
    run([MATURIN, "build", "-i", sys.executable, "-o", out], cwd=project, env=env)
    (wheel,) = out.glob("*.whl")
    return wheel


def assert_valid(text: str) -> None:
    errors = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
    assert errors is None, errors


def copy_of(crate: str, dest: Path) -> Path:
    shutil.copytree(CRATES / crate, dest, ignore=shutil.ignore_patterns("target"))
    return dest


@pytest.mark.maturin
def test_the_sbom_is_maturins_with_relative_local_ids(tmp_path: Path, venv: VEnv) -> None:
    project = CRATES / "sbom-deps"
    ours = ferrule_wheel(project, tmp_path / "ferrule")
    theirs = maturin_wheel(project, tmp_path / "maturin")
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py").endswith("ok")

    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()  # the SBOM included, at the same place
    name, text = crate_sbom(ours)
    their_name, their_text = crate_sbom(theirs)
    assert name == their_name == "sbom_deps-0.2.0.dist-info/sboms/sbom-deps.cyclonedx.json"
    assert_valid(text)
    assert_valid(their_text)  # the validator accepts what maturin writes too

    mapped = ferrule_refs(their_text, str(project))
    document, expected = json.loads(text), json.loads(mapped)
    assert components(document) == components(expected)
    assert edges(document) == edges(expected)
    assert without_serial_and_time(text) == without_serial_and_time(mapped)
    assert str(project) not in text and str(tmp_path) not in text


@pytest.mark.maturin
def test_rust_false_leaves_the_crate_sbom_out_as_maturin(tmp_path: Path, venv: VEnv) -> None:
    project = copy_of("sbom-deps", tmp_path / "sbom-deps")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.maturin.sbom]\nrust = false\n")
    ours = ferrule_wheel(project, tmp_path / "ferrule")
    theirs = maturin_wheel(project, tmp_path / "maturin")
    assert sboms(ours) == sboms(theirs) == {}
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()
    venv.pip("install", "-q", ours)
    assert venv.exercise(project / "exercise.py").endswith("ok")


def test_a_cargo_lock_change_gives_a_new_sbom(tmp_path: Path, venv: VEnv) -> None:
    """The no-op path (an unchanged wheel is left alone) sees a change of Cargo.lock alone."""
    project = copy_of("sbom-deps", tmp_path / "sbom-deps")
    out = tmp_path / "out"
    wheel = ferrule_wheel(project, out)
    _, before = crate_sbom(wheel)
    again = ferrule("build", "-i", sys.executable, "-o", out, cwd=project)
    assert "is up to date" in again.stderr

    run(
        ["cargo", "update", "--offline", "-p", "target-lexicon", "--precise", "0.13.3"], cwd=project
    )
    changed = ferrule("build", "-i", sys.executable, "-o", out, cwd=project)
    assert "is up to date" not in changed.stderr
    _, after = crate_sbom(wheel)
    assert after != before
    (lexicon,) = (c for c in json.loads(after)["components"] if c["name"] == "target-lexicon")
    assert lexicon["version"] == "0.13.3"
    lock = (project / "Cargo.lock").read_text()
    assert f'checksum = "{lexicon["hashes"][0]["content"]}"' in lock
    venv.pip("install", "-q", wheel)
    assert venv.exercise(project / "exercise.py").endswith("ok")


def test_two_checkouts_give_identical_wheels_with_their_sbom(
    tmp_path_factory: pytest.TempPathFactory, venv: VEnv
) -> None:
    """sdist-outside (a path dependency outside its workspace) built from two checkouts at
    different paths, each with its own target directory (tests/helpers/sdists.py)."""
    a = release_builds(tmp_path_factory, "outside", 0)
    b = release_builds(tmp_path_factory, "outside", 1)
    assert a.tree_wheel.read_bytes() == b.tree_wheel.read_bytes()
    name, text = crate_sbom(a.tree_wheel)
    assert name.endswith(".dist-info/sboms/sdist-outside.cyclonedx.json")
    assert_valid(text)
    refs = {c["bom-ref"] for c in json.loads(text)["components"]}
    assert any(ref.startswith("path+file:../") for ref in refs), refs  # outside the workspace
    for checkout in checkouts(tmp_path_factory):
        assert str(checkout.root) not in text and str(checkout.target_dir) not in text
    venv.pip("install", "-q", a.tree_wheel)
    assert venv.exercise(CRATES / "sdist-outside" / "py" / "exercise.py").endswith("ok")
