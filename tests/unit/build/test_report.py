"""The build report (``--report``/``--json``): the model's document against docs/report.schema.json.

The schema is checked as a draft 2020-12 schema; every document the model makes
here (a success, a stamp, a configuration error, an interrupt) validates against
it, and the values are checked against their sources: hashlib for the digest,
``packaging`` for the file names, the running interpreter for its tags.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import jsonschema
import pytest
from packaging import tags as ptags
from packaging.utils import parse_sdist_filename, parse_wheel_filename

from ferrule.build.report import SCHEMA_VERSION, BuildReport
from ferrule.cargo.build import CargoResult
from ferrule.cargo.messages import Artifact
from ferrule.cli import parse_args
from ferrule.commands._report import reporting
from ferrule.errors import ConfigError, ConfigProblem, FerruleError
from ferrule.interpreter_probe import Interpreter

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "report.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def running_interpreter() -> Interpreter:
    """The interpreter running the tests, described as a probe would."""
    return Interpreter(
        implementation=sys.implementation.name,
        major=sys.version_info[0],
        minor=sys.version_info[1],
        abiflags=getattr(sys, "abiflags", ""),
        ext_suffix=sysconfig.get_config_var("EXT_SUFFIX") or "",
        soabi=sysconfig.get_config_var("SOABI") or "",
        platform=sysconfig.get_platform(),
        executable=sys.executable,
        base_executable=sys.executable,
        gil_disabled=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        pointer_width=64 if sys.maxsize > 2**32 else 32,
    )


def host_tag() -> ptags.Tag:
    return next(iter(ptags.sys_tags()))


def make_wheel(directory: Path, tag: ptags.Tag) -> Path:
    path = directory / f"demo_pkg-1.2.0-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo_pkg/__init__.py", "x = 1\n")
    return path


def make_sdist(directory: Path) -> Path:
    path = directory / "demo_pkg-1.2.0.tar.gz"
    path.write_bytes(b"not really a tarball, but bytes to hash\n")
    return path


def full_report(tmp_path: Path) -> tuple[BuildReport, Path, Path]:
    report = BuildReport("build", {"out": tmp_path, "interpreter": ["python3"], "release": True})
    wheel, sdist = make_wheel(tmp_path, host_tag()), make_sdist(tmp_path)
    with report.phase("settings"):
        pass
    report.warnings([ConfigProblem(tmp_path / "pyproject.toml", "tool.maturin.bogus", "unknown")])
    with report.phase("native"):
        report.interpreter(running_interpreter())
        artifact = Artifact("demo_pkg", "cdylib", tmp_path / "libdemo_pkg.so")
        report.cargo(CargoResult((artifact,), None), "demo-pkg")
    report.sdist(sdist)
    report.wheel(wheel)
    report.finish(0)
    return report, wheel, sdist


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_the_schema_rejects_what_it_should() -> None:
    """The schema is not vacuous: a wrong digest, a missing field, an unknown field fail."""
    doc = BuildReport("sdist", {}).to_dict()
    VALIDATOR.validate(doc)
    for broken in (
        {**doc, "schema_version": 2},
        {k: v for k, v in doc.items() if k != "phases"},
        {**doc, "surprise": True},
        {**doc, "fast_path": "cache"},
        {**doc, "sdists": [{"path": "x", "filename": "x.tar.gz", "name": "x", "version": "1",
                            "sha256": "abc", "size": 1, "written": True}]},
    ):  # fmt: skip
        assert not VALIDATOR.is_valid(broken)


def test_a_full_report_validates_and_matches_its_files(tmp_path: Path) -> None:
    report, wheel, sdist = full_report(tmp_path)
    doc = json.loads(report.to_json())
    VALIDATOR.validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["command"] == "build" and doc["exit_status"] == 0 and doc["error"] is None
    assert doc["options"] == {"interpreter": ["python3"], "out": str(tmp_path), "release": True}
    (w,) = doc["wheels"]
    assert w["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert w["size"] == wheel.stat().st_size
    name, version, build, tags = parse_wheel_filename(wheel.name)
    assert (w["name"], w["version"], w["build"]) == (name, str(version), list(build) or None)
    assert {ptags.Tag(t["interpreter"], t["abi"], t["platform"]) for t in w["tags"]} == tags
    (s,) = doc["sdists"]
    assert s["sha256"] == hashlib.sha256(sdist.read_bytes()).hexdigest()
    assert (s["name"], s["version"]) == tuple(map(str, parse_sdist_filename(sdist.name)))
    (interp,) = doc["interpreters"]
    assert interp["executable"] == sys.executable
    assert interp["version"] == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert interp["implementation"] == sys.implementation.name
    assert interp["abi_tag"] in {t.abi for t in ptags.sys_tags()}
    assert doc["cargo_artifacts"] == [
        {"kind": "cdylib", "path": str(tmp_path / "libdemo_pkg.so"), "crate": "demo-pkg",
         "target": "demo_pkg"}
    ]  # fmt: skip
    assert doc["warnings"] == [
        {"file": str(tmp_path / "pyproject.toml"), "key": "tool.maturin.bogus",
         "message": "unknown"}
    ]  # fmt: skip
    assert [p["name"] for p in doc["phases"]] == ["settings", "native"]
    assert doc["fast_path"] is None


def test_outputs_left_alone_are_a_stamp_fast_path(tmp_path: Path) -> None:
    report = BuildReport("build", {})
    report.wheel(make_wheel(tmp_path, host_tag()), written=False)
    report.finish(0)
    doc = report.to_dict()
    VALIDATOR.validate(doc)
    assert doc["fast_path"] == "stamp" and doc["wheels"][0]["written"] is False


def test_a_failure_names_the_dotted_key_and_exit_status(tmp_path: Path) -> None:
    problems = [
        ConfigProblem(tmp_path / "pyproject.toml", "tool.maturin.bindings", "invalid value"),
        ConfigProblem(tmp_path / "pyproject.toml", "", "a file-wide problem"),
    ]
    report = BuildReport("build", {})
    report.finish(1, ConfigError(problems))
    doc = report.to_dict()
    VALIDATOR.validate(doc)
    assert doc["exit_status"] == 1
    assert doc["error"]["type"] == "ConfigError"
    assert doc["error"]["key"] == "tool.maturin.bindings"
    assert [p["key"] for p in doc["error"]["problems"]] == ["tool.maturin.bindings", None]
    assert "tool.maturin.bindings" in doc["error"]["message"]


def _args(command: str, *extra: str) -> argparse.Namespace:
    return parse_args([command, *extra])


@pytest.mark.parametrize("command", ["build", "sdist", "develop"])
def test_the_commands_take_report_and_json(command: str, tmp_path: Path) -> None:
    args = _args(command, "--report", str(tmp_path / "r.json"), "--json")
    assert args.report == tmp_path / "r.json" and args.json is True
    assert _args(command).report is None and _args(command).json is False


def test_json_leaves_stdout_to_the_document(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """What ferrule prints and what a subprocess writes to fd 1 go to stderr; the file and
    stdout carry the same document."""
    path = tmp_path / "r.json"
    with reporting(_args("sdist", "--report", str(path), "--json"), "sdist") as report:
        print("a path ferrule prints")
        subprocess.run([sys.executable, "-c", "print('a subprocess line')"], check=True)
        report.sdist(make_sdist(tmp_path))
    out, err = capfd.readouterr()
    assert json.loads(out) == json.loads(path.read_text())
    assert "a path ferrule prints" in err and "a subprocess line" in err
    doc = json.loads(out)
    VALIDATOR.validate(doc)
    assert doc["exit_status"] == 0 and doc["options"].keys().isdisjoint({"report", "json"})
    assert not list(tmp_path.glob(".*ferrule-tmp"))  # written atomically: no leftovers


def test_a_failing_command_still_writes_its_report(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    error = ConfigError.single(tmp_path / "pyproject.toml", "tool.maturin.bindings", "bad")
    with pytest.raises(ConfigError), reporting(_args("build", "--report", str(path)), "build"):
        raise error
    doc = json.loads(path.read_text())
    VALIDATOR.validate(doc)
    assert (doc["exit_status"], doc["error"]["key"]) == (1, "tool.maturin.bindings")
    assert capfd.readouterr().out == ""

    with pytest.raises(KeyboardInterrupt), reporting(_args("build", "--json"), "build"):
        raise KeyboardInterrupt
    doc = json.loads(capfd.readouterr().out)
    VALIDATOR.validate(doc)
    assert doc["exit_status"] == 130 and doc["error"]["type"] == "KeyboardInterrupt"


def test_an_unwritable_report_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    args = _args("sdist", "--report", str(tmp_path / "file" / "r.json"))
    with pytest.raises(FerruleError, match="cannot write the report"), reporting(args, "sdist"):
        pass


def test_without_the_options_nothing_is_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with reporting(_args("build"), "build") as report:
        report.wheel(make_wheel(tmp_path, host_tag()))
    assert capfd.readouterr().out == ""
    assert [p.name for p in tmp_path.iterdir()] == [make_wheel(tmp_path, host_tag()).name]


def test_a_relative_report_path_is_the_starting_directory_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    with reporting(_args("sdist", "--report", "r.json"), "sdist"):
        os.chdir(tmp_path / "elsewhere")  # a command that moves does not move its report
    VALIDATOR.validate(json.loads((tmp_path / "r.json").read_text()))
    assert not (tmp_path / "elsewhere" / "r.json").exists()
