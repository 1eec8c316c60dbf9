"""The crate's CycloneDX SBOM from recorded ``cargo metadata`` answers: no cargo runs here.

tests/fixtures/sbom/ holds, for three test crates, what ``cargo metadata`` said, their
Cargo.lock and the SBOM maturin 1.16 put in its wheel (tests/fixtures/sbom/record.py records
them again). ferrule's document must be maturin's byte for byte but for the serial number,
the timestamp and the local packages' ids (absolute there, relative here); and it must not
depend on where the project is.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from ferrule.cargo.metadata import parse_metadata
from ferrule.config import load_settings
from ferrule.config.cargo_lock import locked_checksums
from ferrule.errors import ConfigError
from ferrule.wheel.cyclonedx import render_sbom
from ferrule.wheel.manifest import Entry
from ferrule.wheel.sbom import crate_sbom_enabled, sbom_entries
from ferrule.wheel.stamp import WheelStamp
from ferrule.wheel.writer import zip_timestamp
from tests.helpers.sbom import components, edges, ferrule_refs, without_serial_and_time

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sbom"
TEST_CRATES = Path(__file__).resolve().parents[2] / "crates"
CRATES = ("pyo3-pure", "sbom-deps", "bind-uniffi")
EPOCH_1980 = zip_timestamp({})


def graph(crate: str, crates_dir: str = "/fixture/crates") -> dict[str, Any]:
    """The crate's SBOM graph as ferrule keeps it, its project copied to ``crates_dir``."""
    text = (FIXTURES / f"{crate}.metadata.json").read_text().replace("@CRATES@", crates_dir)
    project = parse_metadata(json.loads(text), Path(crates_dir) / crate / "Cargo.toml")
    result: dict[str, Any] = json.loads(project.sbom_graph)
    return result


def checksums(crate: str) -> dict[str, str]:
    with open(FIXTURES / f"{crate}.Cargo.lock", "rb") as f:
        return locked_checksums(tomllib.load(f))


def maturin_text(crate: str, crates_dir: str = "/fixture/crates") -> str:
    text = (FIXTURES / f"{crate}.maturin.cyclonedx.json").read_text()
    return ferrule_refs(text.replace("@CRATES@", crates_dir), f"{crates_dir}/{crate}")


def license_texts(data: dict[str, Any], crates_dir: str) -> dict[str, bytes]:
    """The license-file of packages without a license (sbom-deps itself), read from tests/crates."""
    texts = {}
    for p in data["packages"]:
        if p.get("license_file") and not p.get("license"):
            manifest = Path(p["manifest_path"].replace(crates_dir, str(TEST_CRATES)))
            texts[p["id"]] = (manifest.parent / p["license_file"]).read_bytes()
    return texts


def render(
    crate: str, crates_dir: str = "/fixture/crates", sums: dict[str, str] | None = None
) -> bytes:
    sums = checksums(crate) if sums is None else sums
    data = graph(crate, crates_dir)
    return render_sbom(data, sums, EPOCH_1980, license_texts(data, crates_dir))


@pytest.mark.parametrize("crate", CRATES)
def test_the_document_is_maturins_but_for_serial_time_and_local_ids(crate: str) -> None:
    ours = render(crate).decode()
    assert without_serial_and_time(ours) == without_serial_and_time(maturin_text(crate))
    # The comparison above is not vacuous: both documents list components and edges.
    theirs = json.loads(maturin_text(crate))
    assert components(json.loads(ours)) == components(theirs) and len(theirs["components"]) > 5
    assert edges(json.loads(ours)) == edges(theirs)


@pytest.mark.parametrize("crate", CRATES)
def test_the_same_sources_at_another_path_give_the_same_bytes(crate: str) -> None:
    here = render(crate, "/fixture/crates")
    elsewhere = render(crate, "/somewhere/else/entirely")
    assert here == elsewhere
    assert b"/fixture" not in here and b"file:///" not in here


def test_the_serial_number_is_a_uuid5_that_follows_the_content() -> None:
    first = json.loads(render("sbom-deps"))
    serial = uuid.UUID(first["serialNumber"].removeprefix("urn:uuid:"))
    assert serial.version == 5
    sums = checksums("sbom-deps")
    pyo3 = next(k for k in sums if "#pyo3@" in k)
    changed = json.loads(render("sbom-deps", sums={**sums, pyo3: "0" * 64}))
    assert changed["serialNumber"] != first["serialNumber"]
    # maturin's own serial numbers are random: two builds of one crate differ.
    assert json.loads(maturin_text("sbom-deps"))["serialNumber"] != first["serialNumber"]


def test_the_timestamp_is_source_date_epoch_clamped_as_the_wheels_entries() -> None:
    def stamp(environ: dict[str, str]) -> str:
        data = render_sbom(graph("pyo3-pure"), {}, zip_timestamp(environ))
        return str(json.loads(data)["metadata"]["timestamp"])

    assert stamp({}) == "1980-01-01T00:00:00.000000000Z"
    assert stamp({"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14T22:13:20.000000000Z"
    assert stamp({"SOURCE_DATE_EPOCH": "0"}) == "1980-01-01T00:00:00.000000000Z"


def test_build_dependencies_are_excluded_and_dev_dependencies_absent() -> None:
    document = json.loads(render("sbom-deps"))
    scope = {c["name"]: c["scope"] for c in document["components"]}
    assert scope["target-lexicon"] == "excluded"  # the crate's build-dependency
    assert scope["pyo3-build-config"] == "excluded"  # pyo3's
    assert scope["pyo3"] == scope["sbom-helper"] == "required"
    assert "cfg-if" not in scope  # the dev-dependency
    helper = next(c for c in document["components"] if c["name"] == "sbom-helper")
    assert helper["bom-ref"] == "path+file:./helper#sbom-helper@0.1.0"
    assert helper["purl"] == "pkg:cargo/sbom-helper@0.1.0?download_url=file://helper"
    assert helper["description"] == "A path dependency: two lines"
    assert helper["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert "hashes" not in helper  # local packages have no checksum
    # The crate gives only a license-file: its text, attached.
    (license,) = document["metadata"]["component"]["licenses"]
    text = (TEST_CRATES / "sbom-deps" / "LICENSE.txt").read_bytes()
    assert license["license"]["text"]["content"] == base64.b64encode(text).decode()


def test_a_crate_with_a_binary_is_an_application() -> None:
    data = graph("pyo3-pure")
    (root,) = (p for p in data["packages"] if p["id"] == data["resolve"]["root"])
    src = root["targets"][0]["src_path"].replace("lib.rs", "main.rs")
    root["targets"].append({"name": "tool", "kind": ["bin"], "src_path": src})
    root["targets"].append({"name": "t", "kind": ["test"], "src_path": src})
    top = json.loads(render_sbom(data, {}, EPOCH_1980))["metadata"]["component"]
    assert top["type"] == "application"
    assert [(c["type"], c["name"], c["purl"].rsplit("#", 1)[1]) for c in top["components"]] == [
        ("library", "pyo3_pure", "src/lib.rs"),
        ("application", "tool", "src/main.rs"),
    ]


# --- [tool.maturin.sbom] rust ----------------------------------------------------------


def project(tmp_path: Path, sbom_table: str) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "lib.rs").write_text("")
    (tmp_path / "Cargo.toml").write_text(
        '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'
        '[lib]\ncrate-type = ["cdylib"]\n'
    )
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'
        '[project]\nname = "demo"\nversion = "0.1.0"\n' + sbom_table
    )
    return tmp_path


@pytest.mark.parametrize(
    ("table", "enabled"),
    [
        ("", True),
        ("[tool.maturin.sbom]\nrust = true\n", True),
        ("[tool.maturin.sbom]\nrust = false\n", False),
    ],
)
def test_rust_turns_the_crate_sbom_on_and_off(tmp_path: Path, table: str, enabled: bool) -> None:
    settings = load_settings(project(tmp_path, table), environ={}, report=False)
    assert crate_sbom_enabled(settings) is enabled


def test_rust_must_be_a_boolean(tmp_path: Path) -> None:
    path = project(tmp_path, '[tool.maturin.sbom]\nrust = "no"\n')
    settings = load_settings(path, environ={}, report=False)
    with pytest.raises(ConfigError) as caught:
        crate_sbom_enabled(settings)
    message = str(caught.value)
    assert "tool.maturin.sbom.rust" in message and "pyproject.toml" in message
    assert "true or false" in message


# --- in the wheel: sbom_entries, the stamp ---------------------------------------------


def test_a_cargo_lock_change_changes_the_entry_and_the_wheel_stamp(tmp_path: Path) -> None:
    """Cargo.lock is read afresh for each wheel (not from the build's TOML store, which
    may hold the lock file as it was before cargo ran), so the no-op path sees a change."""
    crate = tmp_path / "crates" / "sbom-deps"
    shutil.copytree(TEST_CRATES / "sbom-deps", crate, ignore=shutil.ignore_patterns("target"))
    text = (FIXTURES / "sbom-deps.metadata.json").read_text()
    data = json.loads(text.replace("@CRATES@", str(tmp_path / "crates")))
    project = parse_metadata(data, crate / "Cargo.toml")
    settings = load_settings(crate, environ={}, report=False)
    lock = crate / "Cargo.lock"
    settings.files.read(lock)  # the store has the old lock file

    def entry_and_key() -> tuple[Entry, str]:
        (entry,) = sbom_entries(settings, "sbom_deps-0.2.0.dist-info", project)
        environ = {"FERRULE_CACHE_DIR": str(tmp_path / "cache")}
        return entry, WheelStamp(tmp_path / "w.whl", [entry], environ).key

    before, key = entry_and_key()
    assert before.arcname == "sbom_deps-0.2.0.dist-info/sboms/sbom-deps.cyclonedx.json"
    sums = checksums("sbom-deps")
    pyo3 = next(v for k, v in sums.items() if "#pyo3@" in k)
    lock.write_text(lock.read_text().replace(pyo3, "f" * 64))
    after, new_key = entry_and_key()
    assert after.data != before.data and new_key != key
    assert b'"content": "' + b"f" * 64 + b'"' in (after.data or b"")


def test_rust_false_writes_no_crate_sbom(tmp_path: Path) -> None:
    crate = tmp_path / "crates" / "sbom-deps"
    shutil.copytree(TEST_CRATES / "sbom-deps", crate, ignore=shutil.ignore_patterns("target"))
    with (crate / "pyproject.toml").open("a") as f:
        f.write("\n[tool.maturin.sbom]\nrust = false\n")
    text = (FIXTURES / "sbom-deps.metadata.json").read_text()
    data = json.loads(text.replace("@CRATES@", str(tmp_path / "crates")))
    project = parse_metadata(data, crate / "Cargo.toml")
    settings = load_settings(crate, environ={}, report=False)
    assert sbom_entries(settings, "sbom_deps-0.2.0.dist-info", project) == []
