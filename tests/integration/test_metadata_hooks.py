"""Issue 3: the metadata hooks need no Rust, and the wheel carries the same METADATA.

``prepare_metadata_for_build_wheel`` / ``_editable`` read Cargo.toml and the
workspace root directly. Here they run with no ``cargo`` or ``rustc`` on PATH
(and ``CARGO`` pointing nowhere), once directly and once through pip
resolving the project; then the real wheel, built afterwards, must hold the
same dist-info byte for byte, and install and run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.metadata_projects import PROJECTS
from tests.helpers.venv import VEnv, clean_env, run

RICH = CRATES / "meta-rich"


def no_rust_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test environment with a PATH that has no cargo or rustc."""
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    for tool in ("cargo", "rustc", "rustup"):
        assert shutil.which(tool, path=path) is None, f"{tool} is on {path}"
    home = tmp_path / "empty-cargo-home"
    home.mkdir(exist_ok=True)
    return clean_env(
        PATH=path, CARGO=str(tmp_path / "no-cargo-here"), CARGO_HOME=str(home), **extra
    )


def prepare_in_subprocess(project: Path, out: Path, env: dict[str, str], hook: str) -> Path:
    code = f"import sys, ferrule; print(ferrule.{hook}(sys.argv[1]))"
    proc = run([sys.executable, "-c", code, out], cwd=project, env=env)
    return out / proc.stdout.strip().splitlines()[-1]


def dist_info_files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def wheel_dist_info_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as z:
        (dist_info,) = {n.split("/")[0] for n in z.namelist() if ".dist-info/" in n}
        return {
            name[len(dist_info) + 1 :]: z.read(name)
            for name in z.namelist()
            if name.startswith(f"{dist_info}/") and not name.endswith(("/WHEEL", "/RECORD"))
        }


@pytest.mark.parametrize(
    "hook", ["prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable"]
)
def test_hook_runs_without_cargo(tmp_path: Path, hook: str) -> None:
    # meta-rich depends on pyo3 from crates.io: `cargo metadata` would need the
    # toolchain and the registry. The hook needs neither.
    dist_info = prepare_in_subprocess(RICH, tmp_path / "out", no_rust_env(tmp_path), hook)
    assert dist_info.name == "meta_rich-1.0.0b2.dist-info"
    metadata = (dist_info / "METADATA").read_text()
    assert "Summary: ferrule's metadata test crate: rich metadata, one real build\n" in metadata
    assert "Author: Jane Doe <jane@example.org>, The ferrule developers\n" in metadata
    assert (dist_info / "entry_points.txt").read_text() == (
        "[console_scripts]\nmeta-rich=meta_rich:main\n[meta_rich.plugins]\ngreet=meta_rich:greet\n"
    )
    assert sorted(p.name for p in (dist_info / "licenses").iterdir()) == [
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "NOTICE",
    ]


def test_hook_reads_workspace_inheritance_without_cargo(tmp_path: Path) -> None:
    (project,) = [p for p in PROJECTS if p.id == "workspace-inheritance-dynamic"]
    cwd = project.write(tmp_path / "src")
    dist_info = prepare_in_subprocess(
        cwd, tmp_path / "out", no_rust_env(tmp_path), "prepare_metadata_for_build_wheel"
    )
    assert dist_info.name == "ws_py-1.2.3rc1.dist-info"
    metadata = (dist_info / "METADATA").read_text()
    assert "Author-email: Ws Author <ws@example.org>\n" in metadata
    assert "Project-URL: Source Code, https://example.org/ws.git\n" in metadata
    assert (dist_info / "licenses" / "LICENSE-WS").read_text() == "Workspace license\n"


@pytest.mark.slow
def test_pip_resolves_the_project_without_rust(
    tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    # What lock and resolve jobs do: ask for the metadata, build nothing.
    env = no_rust_env(tmp_path, **{k: v for k, v in offline_pip_env.items() if k != "PATH"})
    report = tmp_path / "report.json"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--no-deps",
            "--report",
            report,
            RICH,
        ],
        env=env,
    )
    (item,) = json.loads(report.read_text())["install"]
    meta = item["metadata"]
    assert (meta["name"], meta["version"]) == ("meta-rich", "1.0.0b2")
    assert meta["requires_dist"] == ['pytest>=8; python_version >= "3.9" and extra == "test"']
    assert meta["provides_extra"] == ["test"]
    assert meta["license_file"] == ["LICENSE-APACHE", "LICENSE-MIT", "NOTICE"]


@pytest.fixture(scope="module")
def rich_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("meta-rich-wheels")
    ferrule("build", "--release", "-o", out, cwd=RICH)
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_carries_the_prepared_metadata_byte_for_byte(
    rich_wheel: Path, tmp_path: Path
) -> None:
    env = no_rust_env(tmp_path)
    for hook in ("prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable"):
        dist_info = prepare_in_subprocess(RICH, tmp_path / hook, env, hook)
        assert rich_wheel.name.startswith(dist_info.name[: -len(".dist-info")] + "-")
        in_wheel = wheel_dist_info_files(rich_wheel)
        # The SBOM is made from cargo's dependency graph, which the metadata hooks never
        # ask for (maturin's write-dist-info writes none either): the wheel adds it.
        sboms = sorted(name for name in in_wheel if name.startswith("sboms/"))
        assert sboms == ["sboms/meta-rich.cyclonedx.json"]
        assert dist_info_files(dist_info) == {
            name: data for name, data in in_wheel.items() if name not in sboms
        }


@pytest.mark.slow
def test_wheel_installs_and_runs(rich_wheel: Path, venv: VEnv) -> None:
    run([sys.executable, "-m", "twine", "check", "--strict", rich_wheel])
    venv.pip("install", "-q", rich_wheel)
    assert venv.run_python(RICH / "exercise.py").strip() == "ok"
    assert run([venv.path / "bin" / "meta-rich"], env=venv.env).stdout == "meta-rich 1.0.0-beta.2\n"
    venv.pip("check")


_BUILD_FROM_PREPARED = """
import json, sys
import ferrule
out, given = sys.argv[1], sys.argv[2]
wheel = ferrule.build_wheel(out, None, None if given == "none" else given)
print(json.dumps({"wheel": wheel, "validated": "pyproject_metadata" in sys.modules}))
"""


def _build_in_subprocess(out: Path, given: Path | None) -> tuple[Path, bool]:
    """build_wheel in a fresh process: (the wheel, whether it validated metadata itself)."""
    proc = run(
        [sys.executable, "-c", _BUILD_FROM_PREPARED, out, given or "none"],
        cwd=RICH,
        env=clean_env(FERRULE_NO_CACHE="1"),
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return out / result["wheel"], result["validated"]


@pytest.mark.slow
def test_build_wheel_takes_the_prepared_metadata_directory(tmp_path: Path) -> None:
    """PEP 517: given ``metadata_directory``, build_wheel must produce identical
    metadata. ferrule takes it from that directory (no second validation) and
    the wheel is byte for byte the one built without it."""
    plain, validated = _build_in_subprocess(tmp_path / "plain", None)
    assert validated
    dist_info = prepare_in_subprocess(
        RICH, tmp_path / "meta", clean_env(), "prepare_metadata_for_build_wheel"
    )
    given, validated = _build_in_subprocess(tmp_path / "given", dist_info)
    assert not validated, "the prepared .dist-info should have been used"
    assert given.read_bytes() == plain.read_bytes()
    # Some frontends pass the directory that holds the .dist-info.
    parent, validated = _build_in_subprocess(tmp_path / "parent", tmp_path / "meta")
    assert not validated and parent.read_bytes() == plain.read_bytes()


@pytest.mark.slow
def test_build_wheel_ignores_a_dist_info_that_is_not_ours(tmp_path: Path) -> None:
    plain, _ = _build_in_subprocess(tmp_path / "plain", None)
    prepared = tmp_path / "meta"
    prepare_in_subprocess(RICH, prepared, clean_env(), "prepare_metadata_for_build_wheel")
    (dist_info,) = prepared.glob("*.dist-info")
    (dist_info / "INSTALLER").write_text("someone else\n")
    wheel, validated = _build_in_subprocess(tmp_path / "out", dist_info)
    assert validated, "a .dist-info with files ferrule never writes must not be used"
    assert wheel.read_bytes() == plain.read_bytes()
