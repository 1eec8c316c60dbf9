"""Issue 24 item 2: ``--bundle-licenses`` ships the license files of every linked crate.

Real cargo, real wheels, installed and called. Which crates are linked is
checked against ``cargo tree -e normal`` run by the test itself, and each
crate's files against cargo's own registry sources, not against ferrule's walk.
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.develop import Project, unique_crate
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

PREFIX = "licenses/third_party/"


def build(
    crate: Path, out: Path, *args: str, check: bool = True, verbose: bool = True, **env: str
) -> tuple[Path | None, str]:
    """``ferrule [-v] build --release -o out ARGS``: (the wheel, stderr)."""
    flags = ["-v"] if verbose else []
    proc = run(
        [sys.executable, "-m", "ferrule", *flags, "build", "--release", "-o", out, *args],
        cwd=crate,
        env=clean_env(**env),
        check=check,
    )
    if proc.returncode != 0:
        return None, proc.stderr
    (printed,) = proc.stdout.split()
    return Path(printed), proc.stderr


def third_party(wheel: Path) -> dict[str, dict[str, bytes]]:
    """``<crate>-<version>`` -> {file: bytes} under ``<dist-info>/licenses/third_party/``."""
    found: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            _, sep, rest = name.partition(".dist-info/" + PREFIX)
            if sep:
                crate, _, file = rest.partition("/")
                found.setdefault(crate, {})[file] = zf.read(name)
    return found


def metadata_and_licenses(wheel: Path) -> tuple[list[str], list[str]]:
    """(METADATA's License-File values, the files under ``<dist-info>/licenses/``)."""
    with zipfile.ZipFile(wheel) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        listed = re.findall(r"^License-File: (.*)$", zf.read(meta).decode(), re.M)
        shipped = [
            n.split(".dist-info/licenses/", 1)[1] for n in zf.namelist() if "/licenses/" in n
        ]
    return listed, shipped


def cargo_tree_normal(crate: Path) -> set[tuple[str, str, bool]]:
    """(name, version, from a path) of every crate ``cargo tree -e normal`` lists, root aside."""
    proc = run(
        ["cargo", "tree", "-e", "normal", "--prefix", "none", "--format", "{p}", "--offline"],
        cwd=crate,
    )
    crates = set()
    for line in proc.stdout.splitlines()[1:]:  # the first line is the root
        name, version, *rest = line.split()
        crates.add((name, version.lstrip("v"), any(r.startswith("(/") for r in rest)))
    return crates


def registry_source(name: str, version: str) -> Path:
    """The crate as cargo unpacked it from the registry (what it compiled)."""
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    (source,) = (home / "registry" / "src").glob(f"*/{name}-{version}")
    return source


@pytest.fixture(scope="module")
def pure(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unique_crate(tmp_path_factory.mktemp("lic"), "pyo3-pure", "lic")


@pytest.fixture(scope="module")
def bundled(pure: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel, _ = build(pure, tmp_path_factory.mktemp("bundled"), "--bundle-licenses")
    assert wheel is not None
    return wheel


def test_every_linked_crate_ships_its_registry_license_files(pure: Path, bundled: Path) -> None:
    expected = cargo_tree_normal(pure)
    assert {"pyo3", "pyo3-macros", "syn"} <= {n for n, _, _ in expected}  # proc-macros count
    shipped = third_party(bundled)
    assert set(shipped) == {f"{n}-{v}" for n, v, _ in expected}
    for name, version, _ in expected:
        files = shipped[f"{name}-{version}"]
        source = registry_source(name, version)
        same = [f for f, data in files.items() if (source / f).read_bytes() == data]
        assert same, f"{name} {version}: none of {sorted(files)} is the file in {source}"
        assert sorted(same) == sorted(files)


def test_license_file_lines_match_the_files(bundled: Path) -> None:
    listed, shipped = metadata_and_licenses(bundled)
    assert listed == sorted(listed)
    assert set(listed) == set(shipped)
    assert all(line.startswith("third_party/") for line in listed)


def test_the_wheel_validates_installs_and_runs(pure: Path, bundled: Path, venv: VEnv) -> None:
    # W002 (duplicate files): the same MIT / Apache text shipped by several crates,
    # one copy per crate as Core Metadata lists them; every duplicate is such a copy.
    proc = run([sys.executable, "-m", "check_wheel_contents", bundled], check=False)
    complaints = [line for line in proc.stdout.splitlines() if ": W" in line or ": E" in line]
    assert all(": W002:" in line for line in complaints), proc.stdout
    duplicated = [line.strip() for line in proc.stdout.splitlines() if line.startswith("  ")]
    assert duplicated and all(f".dist-info/{PREFIX}" in line for line in duplicated)
    run([sys.executable, "-m", "check_wheel_contents", "--ignore", "W002", bundled])
    run([sys.executable, "-m", "twine", "check", "--strict", bundled])
    venv.pip("install", "-q", bundled)
    assert venv.exercise(pure / "exercise.py") == "ok"


def test_the_wheel_is_reproducible(pure: Path, bundled: Path, tmp_path: Path) -> None:
    again, _ = build(pure, tmp_path, "--bundle-licenses")
    assert again is not None and again != bundled
    assert again.read_bytes() == bundled.read_bytes()
    with zipfile.ZipFile(bundled) as zf:
        text = b"".join(zf.read(n) for n in zf.namelist() if ".dist-info/" in n)
    for path in (str(pure), str(Path.home()), "/tmp"):
        assert path.encode() not in text


def test_pep517_build_args_and_the_metadata_hook(
    pure: Path, bundled: Path, tmp_path: Path, offline_pip_env: dict[str, str]
) -> None:
    # pip asks prepare_metadata_for_build_wheel first and passes its .dist-info to
    # build_wheel: both must carry the files, and the wheel's METADATA is the CLI's.
    settings = ["--config-settings", "build-args=--bundle-licenses"]
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path, ".", *settings],
        cwd=pure,
        env=offline_pip_env,
    )
    (wheel,) = tmp_path.glob("*.whl")
    assert third_party(wheel) == third_party(bundled)
    assert metadata_and_licenses(wheel) == metadata_and_licenses(bundled)


def edit_pyproject(crate: Path, extra: str) -> None:
    path = crate / "pyproject.toml"
    text = path.read_text().split("\n[tool.ferrule]\n")[0]
    path.write_text(text + (f"\n[tool.ferrule]\n{extra}\n" if extra else ""))


def test_a_change_of_the_setting_is_not_hidden_by_the_stamp_or_replay(
    pure: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {"FERRULE_CACHE_DIR": str(tmp_path / "cache")}
    try:
        wheel, _ = build(pure, out, **env)
        assert wheel is not None and third_party(wheel) == {}
        wheel, err = build(pure, out, **env)
        assert wheel is not None and "full build:" not in err  # replayed: nothing changed
        edit_pyproject(pure, "bundle-licenses = true")
        wheel, err = build(pure, out, **env)
        assert wheel is not None and "pyo3-0.29.3" in "".join(third_party(wheel)), err
        edit_pyproject(pure, "")
        wheel, _ = build(pure, out, **env)
        assert wheel is not None and third_party(wheel) == {}
        wheel, _ = build(pure, out, "--bundle-licenses", **env)
        assert wheel is not None and third_party(wheel) != {}
        wheel, _ = build(pure, out, **env)
        assert wheel is not None and third_party(wheel) == {}
    finally:
        edit_pyproject(pure, "")


def test_develop_follows_the_setting_past_its_replay(pure: Path, tmp_path: Path) -> None:
    project = Project(pure, VEnv(tmp_path / "venv"), tmp_path / "cache")

    def installed() -> set[str]:
        """The crates under the installed licenses/third_party/ (METADATA lists each file)."""
        (dist_info,) = project.site.glob("pyo3_pure_lic-*.dist-info")
        base = dist_info / "licenses"
        files = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}
        meta = (dist_info / "METADATA").read_text()
        assert set(re.findall(r"^License-File: (.*)$", meta, re.M)) == files
        return {f.split("/")[1] for f in files if f.startswith("third_party/")}

    try:
        project.develop()
        assert installed() == set()
        assert "is up to date" in project.develop(verbose=True).stderr  # the replay
        edit_pyproject(pure, "bundle-licenses = true")
        project.develop()
        assert "pyo3-0.29.3" in installed()
        assert project.venv.exercise(pure / "exercise.py") == "ok"
        edit_pyproject(pure, "")
        project.develop()
        assert installed() == set()
    finally:
        edit_pyproject(pure, "")


@pytest.fixture
def pathdep(tmp_path: Path) -> Iterator[Path]:
    yield unique_crate(tmp_path, "licenses-pathdep", "t")


def test_a_path_dependency_with_a_license_but_no_file_is_refused(
    pathdep: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    wheel, err = build(pathdep, out, "--bundle-licenses", check=False, verbose=False)
    assert wheel is None
    (line,) = err.splitlines()
    assert "greeter 0.2.0" in line and str(pathdep / "helper") in line
    assert "--allow-missing-license-files" in line and "LICENSE" in line
    assert "Traceback" not in err
    assert "Compiling licenses-pathdep" not in err  # refused before cargo builds
    assert not out.exists() or not list(out.iterdir())


def test_allow_missing_license_files_warns_and_builds(
    pathdep: Path, tmp_path: Path, venv: VEnv
) -> None:
    out = tmp_path / "out"
    env = {"FERRULE_CACHE_DIR": str(tmp_path / "cache")}
    wheel, err = build(pathdep, out, "--bundle-licenses", "--allow-missing-license-files", **env)
    assert wheel is not None
    warnings = [x for x in err.splitlines() if x.startswith("ferrule: warning")]
    assert len(warnings) == 1 and "greeter 0.2.0" in warnings[0]
    shipped = third_party(wheel)
    assert "pyo3-0.29.3" in shipped and not any(c.startswith("greeter-") for c in shipped)
    run([sys.executable, "-m", "twine", "check", wheel])
    venv.pip("install", "-q", wheel)
    assert venv.exercise(pathdep / "exercise.py") == "ok"
    # The same key in [tool.ferrule]: the same wheel.
    edit_pyproject(pathdep, "bundle-licenses = true\nallow-missing-license-files = true")
    again, _ = build(pathdep, tmp_path / "again", **env)
    assert again is not None and again.read_bytes() == wheel.read_bytes()
    # The crate gets its file: shipped from the path dependency's directory, and the
    # refusal is gone (a new file in the crate is not hidden by a replay).
    (pathdep / "helper" / "LICENSE").write_text("MIT License\n\nCopyright (c) greeter\n")
    edit_pyproject(pathdep, "bundle-licenses = true")
    fixed, err = build(pathdep, out, **env)
    assert fixed is not None, err
    assert third_party(fixed)["greeter-0.2.0"] == {
        "LICENSE": b"MIT License\n\nCopyright (c) greeter\n"
    }
    run([sys.executable, "-m", "twine", "check", fixed])


def path_crate(directory: Path, name: str, body: str = "") -> None:
    (directory / "src").mkdir(parents=True)
    (directory / "src" / "lib.rs").write_text("")
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n{body}'
    )


def test_extension_crates_bring_their_own_graph_with_their_features(tmp_path: Path) -> None:
    # No compiling: cargo metadata alone, for a main crate and an extra extension
    # whose optional dependency only its own feature turns on.
    from ferrule.cargo.linked import read_linked_crates
    from ferrule.config import CliOptions, load_settings

    for name in ("a", "b", "c", "unused"):
        path_crate(tmp_path / name, name)
    path_crate(tmp_path / "main", "main", '[dependencies]\na = { path = "../a" }\n')
    path_crate(
        tmp_path / "ext",
        "ext",
        '[dependencies]\nb = { path = "../b" }\nc = { path = "../c", optional = true }\n'
        'unused = { path = "../unused", optional = true }\n[features]\nwith-c = ["dep:c"]\n',
    )
    (tmp_path / "main" / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n'
        '[[tool.ferrule.extensions]]\nmanifest-path = "../ext/Cargo.toml"\n'
        'module-name = "ext"\nfeatures = ["with-c"]\n'
    )
    settings = load_settings(tmp_path / "main", CliOptions(bundle_licenses=True), dict(os.environ))
    names = [c.name for c in read_linked_crates(settings)]
    assert names == ["a", "b", "c"]
