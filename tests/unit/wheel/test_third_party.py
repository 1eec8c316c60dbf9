"""``--bundle-licenses``: which crates, which files, the refusal (issue 24 item 2).

The graph is a recorded ``cargo metadata --filter-platform`` of pyo3-pure with
path dependencies of every kind (``data/pyo3-pure-linked-metadata.json``); the
oracle for which crates are linked is ``cargo tree -e normal`` recorded for the
same project (``data/pyo3-pure-tree-normal.txt``), not ferrule's own walk. The
crates' sources are a fake tree under ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from packaging.metadata import Metadata

from ferrule.buildargs import cli_options, parse
from ferrule.cargo.linked import LinkedCrate, linked_crates
from ferrule.cli import parse_args
from ferrule.config import CliOptions, load_settings
from ferrule.errors import WheelError
from ferrule.metadata import build_metadata
from ferrule.wheel.third_party import (
    bundled_licenses,
    crate_license_files,
    select_license_files,
    with_third_party,
)

DATA = Path(__file__).parent / "data"


def recorded(tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """The recorded metadata with its paths moved under ``tmp_path``; the root manifest."""
    root, registry = tmp_path / "project", tmp_path / "registry"
    text = (DATA / "pyo3-pure-linked-metadata.json").read_text()
    text = text.replace("{root}", str(root)).replace("{registry}", str(registry))
    data = json.loads(text)
    for package in data["packages"]:
        directory = Path(package["manifest_path"]).parent
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "Cargo.toml").write_text("[package]\n")
    return data, root / "Cargo.toml"


def tree_oracle() -> set[tuple[str, str]]:
    """``cargo tree -e normal`` as recorded: (name, version), the root included."""
    lines = (DATA / "pyo3-pure-tree-normal.txt").read_text().splitlines()
    return {
        (n, v.lstrip("v"))
        for n, v in (line.split() for line in lines if line.strip() and not line.startswith("#"))
    }


def test_linked_crates_are_cargo_trees_normal_graph(tmp_path: Path) -> None:
    data, manifest = recorded(tmp_path)
    linked = {(c.name, c.version) for c in linked_crates(data, manifest)}
    assert linked == tree_oracle() - {("pyo3-pure", "0.3.1")}


def test_dev_build_only_and_other_platform_crates_are_not_linked(tmp_path: Path) -> None:
    data, manifest = recorded(tmp_path)
    names = {c.name for c in linked_crates(data, manifest)}
    # dev (devhelper), build only (buildhelper; pyo3-build-config and what only it
    # pulls in: target-lexicon), another platform (winhelper, filtered by cargo).
    all_names = {p["name"] for p in data["packages"]}
    assert {"devhelper", "buildhelper", "pyo3-build-config", "target-lexicon"} <= all_names
    assert not names & {"devhelper", "buildhelper", "pyo3-build-config", "target-lexicon"}
    assert not names & {"winhelper", "pyo3-pure"}
    # helper is both a normal and a build dependency: linked. pyo3-macros is a
    # proc-macro: counted, as cargo-about and cargo-deny count it.
    assert {"helper", "pyo3-macros", "syn"} <= names


def test_a_crate_reached_through_dev_edges_alone_is_not_linked(tmp_path: Path) -> None:
    data, manifest = recorded(tmp_path)
    root = next(n for n in data["resolve"]["nodes"] if n["id"] == data["resolve"]["root"])
    helper = next(d for d in root["deps"] if d["name"] == "helper")
    helper["dep_kinds"] = [{"kind": "dev", "target": None}, {"kind": "build", "target": None}]
    assert "helper" not in {c.name for c in linked_crates(data, manifest)}


def crate(tmp_path: Path, files: dict[str, str], **fields: Any) -> LinkedCrate:
    directory = tmp_path / "src" / "demo-1.0.0"
    for rel, text in files.items():
        (directory / rel).parent.mkdir(parents=True, exist_ok=True)
        (directory / rel).write_text(text)
    directory.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {"name": "demo", "version": "1.0.0", "directory": directory}
    values.setdefault("license", "MIT")
    values.setdefault("license_file", None)
    return LinkedCrate(**{**values, **fields})


def test_usual_names_at_the_crate_root(tmp_path: Path) -> None:
    found = crate_license_files(
        crate(
            tmp_path,
            {
                "LICENSE-MIT": "mit",
                "license-apache.txt": "apache",
                "COPYING": "gpl",
                "NOTICE": "n",
                "UNLICENSE": "u",
                "COPYRIGHT.md": "c",
                "Licence": "british",
                "README.md": "no",
                "src/LICENSE": "not at the root",
                "unlicensed.rs": "no",
                "LICENSES/MIT.txt": "a directory, not a file at the root",
            },
        )
    )
    assert list(found) == [
        "COPYING",
        "COPYRIGHT.md",
        "LICENSE-MIT",
        "Licence",
        "NOTICE",
        "UNLICENSE",
        "license-apache.txt",
    ]


def test_license_file_comes_first_and_keeps_its_place(tmp_path: Path) -> None:
    found = crate_license_files(
        crate(
            tmp_path, {"legal/TERMS.txt": "terms", "LICENSE": "x"}, license_file="legal/TERMS.txt"
        )
    )
    assert list(found) == ["legal/TERMS.txt", "LICENSE"]


def test_license_file_outside_the_crate_goes_by_its_name(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "WORKSPACE-LICENSE").write_text("ws")
    found = crate_license_files(crate(tmp_path, {}, license_file="../WORKSPACE-LICENSE"))
    assert list(found) == ["WORKSPACE-LICENSE"]
    # A registry crate has it at its root (``cargo package`` copies it there).
    other = crate(tmp_path, {"TERMS": "t"}, license_file="../../gone/TERMS")
    assert list(crate_license_files(other)) == ["TERMS"]


def fake_sources(tmp_path: Path, skip: tuple[str, ...] = ()) -> list[LinkedCrate]:
    """The recorded graph's crates, each with a LICENSE-MIT in its fake source."""
    data, manifest = recorded(tmp_path)
    crates = linked_crates(data, manifest)
    for c in crates:
        if c.name not in skip:
            (c.directory / "LICENSE-MIT").write_text(f"MIT for {c.name}\n")
    return crates


def test_every_linked_crate_gets_its_directory(tmp_path: Path) -> None:
    crates = fake_sources(tmp_path)
    files, missing = select_license_files(crates)
    assert missing == []
    expected = {f"third_party/{n}-{v}/LICENSE-MIT" for n, v in tree_oracle()} - {
        "third_party/pyo3-pure-0.3.1/LICENSE-MIT"
    }
    assert set(files) == expected
    assert list(files) == sorted(files)
    for rel, path in files.items():
        name = rel.split("/")[1].rsplit("-", 1)[0]
        assert path.read_text() == f"MIT for {name}\n"


def project(tmp_path: Path, tool: str = "") -> Path:
    directory = tmp_path / "proj"
    directory.mkdir()
    (directory / "Cargo.toml").write_text(
        '[package]\nname = "demo"\nversion = "0.1.0"\nlicense = "MIT"\n'
        '[lib]\ncrate-type = ["cdylib"]\n'
    )
    (directory / "LICENSE").write_text("own\n")
    (directory / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'
        f'[project]\nname = "demo"\ndynamic = ["version"]\n{tool}'
    )
    return directory


def test_missing_license_file_refuses_naming_crate_version_and_fix(tmp_path: Path) -> None:
    crates = fake_sources(tmp_path, skip=("helper", "heck"))
    settings = load_settings(project(tmp_path), CliOptions(bundle_licenses=True), {})
    with pytest.raises(WheelError) as info:
        bundled_licenses(settings, crates)
    message = str(info.value)
    assert "heck 0.5.0" in message and "helper 0.1.0" in message
    assert "--allow-missing-license-files" in message
    assert "allow-missing-license-files = true" in message
    assert "\n" not in message


def test_allow_missing_license_files_warns_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crates = fake_sources(tmp_path, skip=("helper",))
    cli = CliOptions(bundle_licenses=True, allow_missing_license_files=True)
    settings = load_settings(project(tmp_path), cli, {})
    files = bundled_licenses(settings, crates)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "helper 0.1.0" in err[0] and err[0].startswith("ferrule: warning")
    assert not any(rel.startswith("third_party/helper-") for rel in files)
    assert len(files) == len(crates) - 1


def test_a_crate_that_declares_no_license_gives_nothing_and_no_refusal(tmp_path: Path) -> None:
    crates = [dataclasses.replace(c, license=None) for c in fake_sources(tmp_path, ("helper",))]
    settings = load_settings(project(tmp_path), CliOptions(bundle_licenses=True), {})
    assert len(bundled_licenses(settings, crates)) == len(crates) - 1


def test_off_by_default(tmp_path: Path) -> None:
    settings = load_settings(project(tmp_path), CliOptions(), {})
    assert not settings.bundle_licenses
    assert bundled_licenses(settings, fake_sources(tmp_path)) == {}


def test_metadata_lists_them_after_the_projects_own(tmp_path: Path) -> None:
    settings = load_settings(project(tmp_path), CliOptions(bundle_licenses=True), {})
    files = bundled_licenses(settings, fake_sources(tmp_path))
    metadata = with_third_party(build_metadata(settings), files)
    listed = Metadata.from_email(metadata.rfc822, validate=True).license_files
    assert listed is not None
    assert [str(p) for p in listed] == ["LICENSE", *files]
    assert dict(metadata.license_files) == {"LICENSE": settings.project_dir / "LICENSE", **files}


@pytest.mark.parametrize(
    ("tool", "cli", "expected"),
    [
        ("[tool.ferrule]\nbundle-licenses = true\n", [], (True, False)),
        (
            "[tool.ferrule]\nbundle-licenses = true\nallow-missing-license-files = true\n",
            [],
            (True, True),
        ),
        ("", ["--bundle-licenses"], (True, False)),
        ("", ["--bundle-licenses", "--allow-missing-license-files"], (True, True)),
        ("", [], (False, False)),
    ],
)
def test_the_key_the_cli_flag_and_build_args(
    tmp_path: Path, tool: str, cli: list[str], expected: tuple[bool, bool]
) -> None:
    directory = project(tmp_path, tool)
    from_cli = load_settings(directory, cli_options(parse_args(["build", *cli]), [], "dev"), {})
    from_hooks = load_settings(directory, cli_options(parse(cli), [], "release"), {})
    for settings in (from_cli, from_hooks):
        assert (settings.bundle_licenses, settings.allow_missing_license_files) == expected
        assert settings.warnings == ()


@pytest.mark.parametrize("key", ["bundle-licenses", "allow-missing-license-files"])
def test_in_tool_maturin_it_is_a_ferrule_key_maturin_ignores(tmp_path: Path, key: str) -> None:
    settings = load_settings(project(tmp_path, f"[tool.maturin]\n{key} = true\n"), CliOptions(), {})
    (warning,) = settings.warnings
    assert f"tool.maturin.{key}: is a ferrule key, which maturin ignores here" in str(warning)
    assert not settings.bundle_licenses and not settings.allow_missing_license_files
