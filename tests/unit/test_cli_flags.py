"""maturin's flags from the command line to cargo's argv and the wheel writer (issue 19, item 3)."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from ferrule.cargo.command import plan_cdylib
from ferrule.cli import main, parse_args, split_rustc_args
from ferrule.commands._options import cli_options, interpreters
from ferrule.config import load_settings
from ferrule.errors import WheelError
from ferrule.interpreter import Interpreter
from ferrule.wheel.writer import WheelWriter, zip_compression

CRATES = Path(__file__).resolve().parents[1] / "crates"
CPY = Interpreter("cpython", 3, 11, "", ".so", "", "linux-x86_64", "/py", "/py", False, 64)


def cargo_argv(*argv: str) -> tuple[str, ...]:
    """``ferrule ARGV`` in the pyo3-pure crate, down to the cargo command it would run."""
    ours, rustc = split_rustc_args(argv)
    args = parse_args(ours)
    settings = load_settings(CRATES / "pyo3-pure", cli_options(args, rustc, "dev"), {})
    options = settings.cargo_options
    return plan_cdylib("cargo", settings.cargo.manifest_path, options, CPY, {}).argv


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build", "-v"], ["-v"]),
        (["build", "-vv"], ["-vv"]),
        (["-v", "build", "-v"], ["-vv"]),
        (["develop", "--verbose", "--verbose"], ["-vv"]),
        (["build", "--color", "always"], ["--color", "always"]),
        (["build", "--timings"], ["--timings"]),
        (["build", "--ignore-rust-version"], ["--ignore-rust-version"]),
        (["develop", "--future-incompat-report"], ["--future-incompat-report"]),
        (["generate-stubs", "--timings"], ["--timings"]),
    ],
)
def test_cargo_flags_reach_cargo(argv: list[str], expected: list[str]) -> None:
    out = cargo_argv(*argv)
    before_rustc = list(out[: out.index("--")] if "--" in out else out)
    assert any(before_rustc[i : i + len(expected)] == expected for i in range(len(before_rustc))), (
        out
    )


def test_no_verbosity_flag_by_default() -> None:
    out = cargo_argv("build")
    assert not [a for a in out if a.startswith("-v") or a in {"--color", "--timings"}]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "--pgo"], "tool.ferrule.pgo-command: --pgo needs the command"),
        (["publish", "--pgo"], "tool.ferrule.pgo-command: --pgo needs the command"),
        (["build", "--sbom-include", "a.json"], "SBOM file a.json (--sbom-include or "),
        (["develop", "--pgo"], "tool.ferrule.pgo-command: --pgo needs the command"),
        (
            ["build", "--compression-method", "deflated", "--compression-level", "10"],
            "out of range",
        ),
    ],
)
def test_unsupported_options_stop_with_one_clear_error(
    argv: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    shutil.copytree(CRATES / "pyo3-pure", tmp_path / "p")
    cwd = Path.cwd()
    os.chdir(tmp_path / "p")
    try:
        assert main(argv) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "p" / "target").exists()


@pytest.mark.parametrize(
    ("value", "pgo"), [("1", True), ("yes", True), ("false", False), ("0", False), ("", False)]
)
def test_maturin_pgo_variable_asks_for_pgo_too(
    monkeypatch: pytest.MonkeyPatch, value: str, pgo: bool
) -> None:
    monkeypatch.setenv("MATURIN_PGO", value)
    assert cli_options(parse_args(["build"]), [], "dev").pgo is pgo
    assert cli_options(parse_args(["build", "--pgo"]), [], "dev").pgo is True
    # generate-stubs takes no --pgo and ignores the variable, as maturin's.
    assert cli_options(parse_args(["generate-stubs"]), [], "dev").pgo is False


def _tool(path: Path, text: str) -> Path:
    path.write_text(f"#!/bin/sh\n{text}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_llvm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A rustc of LLVM 22 whose sysroot has no llvm-tools, and LLVM 14's llvm-profdata on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sysroot = tmp_path / "sysroot"
    _tool(
        bin_dir / "rustc",
        f'if [ "$1" = -vV ]; then printf "rustc 1.95.0\\nhost: x86_64-unknown-linux-gnu\\n'
        f'LLVM version: 22.1.2\\n"; else echo {sysroot}; fi',
    )
    _tool(bin_dir / "llvm-profdata", "echo 'Debian LLVM version 14.0.6'")
    monkeypatch.setenv("RUSTC", str(bin_dir / "rustc"))
    # Only these tools: the machine's own llvm-profdata-<major> (setup installs it) stays out.
    monkeypatch.setenv("PATH", str(bin_dir))
    _tool(bin_dir / "llvm-profdata-22", "echo 'LLVM version 22.1.0'")
    return bin_dir


def test_pgo_names_the_missing_llvm_profdata(fake_llvm: Path) -> None:
    from ferrule.errors import FerruleError
    from ferrule.pgo import find_llvm_profdata

    assert find_llvm_profdata(os.environ) == fake_llvm / "llvm-profdata-22"
    (fake_llvm / "llvm-profdata-22").unlink()
    with pytest.raises(FerruleError) as info:
        find_llvm_profdata(os.environ)
    assert str(info.value) == (
        "--pgo needs llvm-profdata from LLVM 22, the LLVM of rustc (rustc 1.95.0); found only "
        f"{fake_llvm / 'llvm-profdata'} (LLVM 14), which cannot read its profiles. Install it "
        "with `rustup component add llvm-tools` or put llvm-profdata-22 on PATH"
    )
    sysroot_tool = fake_llvm.parent / "sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin"
    sysroot_tool.mkdir(parents=True)
    _tool(sysroot_tool / "llvm-profdata", "echo 'LLVM version 22.1.2'")
    assert find_llvm_profdata(os.environ) == sysroot_tool / "llvm-profdata"


def test_strict_reaches_cli_options() -> None:
    for command in ("build", "develop", "publish"):
        assert cli_options(parse_args([command, "--strict"]), [], "dev").strict
        assert not cli_options(parse_args([command]), [], "dev").strict
    from ferrule.buildargs import parse

    assert cli_options(parse(["--strict"]), [], "release").strict
    assert parse_args(["sdist", "--strict"]).strict


def test_strip_takes_maturins_optional_value() -> None:
    assert parse_args(["build", "--strip"]).strip is True
    assert parse_args(["build", "--strip", "false"]).strip is False
    assert parse_args(["build", "--strip", "true"]).strip is True
    assert parse_args(["build"]).strip is False


def test_same_interpreter_named_twice_is_built_once() -> None:
    """maturin builds `-i python3 -i python3` twice into one wheel file; ferrule once."""
    settings = load_settings(CRATES / "pyo3-pure", None, dict(os.environ))
    args = parse_args(["build", "-i", sys.executable, "-i", sys.executable])
    assert len(interpreters(args, settings)) == 1


# The wheel writer's compression ------------------------------------------------------


def write(target: Path, method: str, level: int | None = None, large: bool = False) -> None:
    payload = target.parent / "payload.txt"
    payload.write_bytes(b"ferrule " * 20_000)
    zip_method, zip_level = zip_compression(method, level)
    with WheelWriter(target, "d-1.dist-info", {}, zip_method, zip_level, large_file=large) as w:
        w.add_file("d/payload.txt", payload)
        w.add_bytes("d/__init__.py", b"x = 1\n" * 100)


@pytest.mark.parametrize(
    ("method", "zip_type"),
    [
        ("stored", zipfile.ZIP_STORED),
        ("deflated", zipfile.ZIP_DEFLATED),
        ("bzip2", zipfile.ZIP_BZIP2),
    ],
)
def test_every_member_uses_the_method(tmp_path: Path, method: str, zip_type: int) -> None:
    target = tmp_path / "d-1-py3-none-any.whl"
    write(target, method)
    with zipfile.ZipFile(target) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zip_type}
        assert zf.testzip() is None
        assert zf.read("d/payload.txt") == b"ferrule " * 20_000


def test_level_changes_the_deflated_size(tmp_path: Path) -> None:
    sizes = []
    for level in (0, 9):
        target = tmp_path / str(level) / "d-1-py3-none-any.whl"
        target.parent.mkdir()
        write(target, "deflated", level)
        sizes.append(target.stat().st_size)
    assert sizes[0] > 2 * sizes[1]


def test_large_file_support_writes_zip64_entries(tmp_path: Path) -> None:
    plain, large = tmp_path / "a" / "d-1-py3-none-any.whl", tmp_path / "b" / "d-1-py3-none-any.whl"
    plain.parent.mkdir()
    large.parent.mkdir()
    write(plain, "deflated")
    write(large, "deflated", large=True)
    with zipfile.ZipFile(large) as zf:
        # zip64 members need version 4.5 to extract; plain ones 2.0.
        assert {i.extract_version for i in zf.infolist()} == {45}
        assert zf.testzip() is None
    with zipfile.ZipFile(plain) as zf:
        assert {i.extract_version for i in zf.infolist()} == {20}


@pytest.mark.parametrize(
    ("method", "level", "message"),
    [
        ("stored", 1, "out of range for --compression-method stored (0 to 0)"),
        ("deflated", -1, "out of range for --compression-method deflated (0 to 9)"),
        ("zstd", 23, "out of range for --compression-method zstd (-7 to 22)"),
    ],
)
def test_levels_are_checked_as_maturin_does(method: str, level: int, message: str) -> None:
    with pytest.raises(WheelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        zip_compression(method, level)


@pytest.mark.skipif(hasattr(zipfile, "ZIP_ZSTANDARD"), reason="this Python's zipfile has zstd")
def test_zstd_without_zipfile_support_names_the_option() -> None:
    with pytest.raises(WheelError, match=r"--compression-method zstd needs Python 3.14"):
        zip_compression("zstd", None)


# --sbom-include ------------------------------------------------------------------------


def sbom_project(tmp_path: Path, config: str = "") -> Path:
    project = tmp_path / "p"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    if config:
        with (project / "pyproject.toml").open("a") as f:
            f.write(config)
    (project / "sbom").mkdir()
    for name in ("a.cdx.json", "b.spdx.json"):
        (project / "sbom" / name).write_text("{}")
    return project


def sboms(project: Path, *argv: str) -> list[tuple[str, str]]:
    from ferrule.wheel.sbom import sbom_entries

    args = parse_args(["build", *argv])
    settings = load_settings(project, cli_options(args, [], "dev"), {})
    entries = sbom_entries(settings, "d-1.dist-info")
    return [(e.arcname, str(e.source and e.source.relative_to(project))) for e in entries]


def test_sbom_includes_config_first_then_command_line(tmp_path: Path) -> None:
    """As maturin's merge_and_dedup_sbom_includes: pyproject first, repeated paths once."""
    project = sbom_project(tmp_path, '\n[tool.maturin.sbom]\ninclude = ["sbom/b.spdx.json"]\n')
    argv = ["--sbom-include", "sbom/a.cdx.json", "sbom/b.spdx.json"]
    assert sboms(project, *argv) == [
        ("d-1.dist-info/sboms/b.spdx.json", "sbom/b.spdx.json"),
        ("d-1.dist-info/sboms/a.cdx.json", "sbom/a.cdx.json"),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sbom-include", "sbom/missing.json"], "sbom/missing.json .* not found"),
        (["--sbom-include", "../outside.json"], "is outside the project root"),
        (["--sbom-include", "sbom"], "is not a file"),
        (["--sbom-include", "sbom/a.cdx.json", "other/a.cdx.json"], "have the same file name"),
    ],
)
def test_sbom_include_problems(tmp_path: Path, argv: list[str], message: str) -> None:
    project = sbom_project(tmp_path)
    (tmp_path / "outside.json").write_text("{}")
    (project / "other").mkdir()
    (project / "other" / "a.cdx.json").write_text("{}")
    with pytest.raises(WheelError, match=message):
        sboms(project, *argv)


def test_sbom_include_config_must_be_a_list(tmp_path: Path) -> None:
    from ferrule.errors import ConfigError

    project = sbom_project(tmp_path, '\n[tool.maturin.sbom]\ninclude = "sbom/a.cdx.json"\n')
    with pytest.raises(ConfigError, match=r"tool\.maturin\.sbom\.include"):
        sboms(project)


def test_pgo_without_llvm_profdata_stops_before_cargo(
    fake_llvm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a pgo-command but no llvm-profdata of rustc's LLVM: the error, before any cargo run."""
    (fake_llvm / "llvm-profdata-22").unlink()
    _tool(fake_llvm / "cargo", f"touch {tmp_path / 'cargo-ran'}; exit 1")
    project = tmp_path / "p"
    shutil.copytree(CRATES / "pyo3-pure", project)
    with (project / "pyproject.toml").open("a") as f:
        f.write('\n[tool.maturin]\npgo-command = "python exercise.py"\n')
    cwd = Path.cwd()
    os.chdir(project)
    try:
        assert main(["build", "--pgo", "-i", sys.executable]) == 1
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert "--pgo needs llvm-profdata from LLVM 22" in err
    assert "Traceback" not in err
    assert not (tmp_path / "cargo-ran").exists()
    assert not (project / "target").exists()
