"""The build report (pypa/build #1080) of real runs: ``build``, ``sdist``, ``develop``, a failure.

Each report is validated against docs/report.schema.json and checked against
what it describes: the digest and size of the file on disk, the tags
``packaging`` reads from its name, the interpreter that ran, the library cargo
left; every wheel is installed, imported and called, the develop install is
imported and called. Copies of tests/crates/pyo3-pure get names of their own
(``unique_crate``) so that they share the test target directory without
sharing a library path.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from packaging.tags import Tag
from packaging.utils import parse_sdist_filename, parse_wheel_filename

from tests.helpers.develop import Project, unique_crate
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "report.schema.json").read_text())
)


def ferrule(crate: Path, cache: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, with a replay cache of the test's own."""
    return run(
        [sys.executable, "-m", "ferrule", *map(str, args)],
        cwd=crate,
        env=clean_env(FERRULE_CACHE_DIR=str(cache)),
        check=False,
    )


def checked(doc: dict[str, Any]) -> dict[str, Any]:
    VALIDATOR.validate(doc)
    return doc


def check_files(doc: dict[str, Any]) -> None:
    """Every distribution in the report is the file on disk, named as packaging reads it."""
    for entry in doc["wheels"]:
        path = Path(entry["path"])
        assert path.name == entry["filename"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["size"] == path.stat().st_size
        name, version, build, tags = parse_wheel_filename(path.name)
        assert (entry["name"], entry["version"]) == (name, str(version))
        assert (entry["build"] or ()) == tuple(build)
        assert {Tag(t["interpreter"], t["abi"], t["platform"]) for t in entry["tags"]} == tags
    for entry in doc["sdists"]:
        path = Path(entry["path"])
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["size"] == path.stat().st_size
        name, version = parse_sdist_filename(path.name)
        assert (entry["name"], entry["version"]) == (name, str(version))


def interpreter_facts(executable: str) -> dict[str, Any]:
    """What the interpreter the report names says about itself (with packaging's ABI
    tags when it has packaging: a fresh venv has not)."""
    code = """if True:
        import json, sys
        try:
            from packaging import tags
            abis = sorted({t.abi for t in tags.sys_tags()})
        except ImportError:
            abis = None
        version = "%d.%d" % sys.version_info[:2]
        print(json.dumps({"version": version, "implementation": sys.implementation.name,
                          "abis": abis}))
    """
    return json.loads(run([executable, "-c", code]).stdout)  # type: ignore[no-any-return]


def add_to_pyproject(crate: Path, text: str) -> Path:
    pyproject = crate / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + text)
    return pyproject


def test_build_report_describes_the_wheel_it_wrote(tmp_path: Path, venv: VEnv) -> None:
    crate, cache, out = (
        unique_crate(tmp_path, "pyo3-pure", "rpt"),
        tmp_path / "cache",
        tmp_path / "o",
    )
    report = tmp_path / "r.json"
    done = ferrule(crate, cache, "build", "--report", report, "-o", out)
    assert done.returncode == 0, done.stderr
    doc = checked(json.loads(report.read_text()))
    assert (doc["command"], doc["exit_status"], doc["error"], doc["fast_path"]) == (
        "build", 0, None, None
    )  # fmt: skip
    (wheel,) = out.glob("*.whl")
    (entry,) = doc["wheels"]
    assert Path(entry["path"]) == wheel and entry["written"] is True
    check_files(doc)
    assert done.stdout.splitlines() == [str(wheel)]  # without --json, stdout is as before

    (interp,) = doc["interpreters"]
    facts = interpreter_facts(interp["executable"])
    assert interp["version"] == facts["version"]
    assert interp["implementation"] == facts["implementation"]
    assert interp["abi_tag"] in facts["abis"]
    assert {t["abi"] for t in entry["tags"]} == {interp["abi_tag"]}  # not an abi3 crate

    (artifact,) = doc["cargo_artifacts"]
    assert (artifact["kind"], artifact["crate"], artifact["target"]) == (
        "cdylib", "pyo3-pure-rpt", "pyo3_pure_rpt"
    )  # fmt: skip
    assert Path(artifact["path"]).is_file()
    assert [p["name"] for p in doc["phases"]] == [
        "settings",
        "interpreters",
        "plan",
        "native",
        "write",
    ]
    assert sum(p["seconds"] for p in doc["phases"]) <= doc["duration_seconds"]
    assert doc["warnings"] == []
    assert not list(tmp_path.glob(".r.json.*"))  # the atomic write's temporary is gone

    venv.pip("install", "-q", wheel)
    assert venv.exercise(crate / "exercise.py") == "ok"

    # Again, unchanged, with --json: a fast path, the same file, stdout the document alone.
    again = ferrule(crate, cache, "build", "--json", "-o", out)
    assert again.returncode == 0, again.stderr
    doc2 = checked(json.loads(again.stdout))
    assert doc2["fast_path"] in ("replay", "stamp")
    (entry2,) = doc2["wheels"]
    assert (entry2["sha256"], entry2["written"]) == (entry["sha256"], False)
    assert str(wheel) in again.stderr  # the path ferrule prints went to stderr
    check_files(doc2)


def test_sdist_json_reports_the_archive_and_the_warning(tmp_path: Path) -> None:
    crate, cache, out = (
        unique_crate(tmp_path, "pyo3-pure", "rps"),
        tmp_path / "cache",
        tmp_path / "o",
    )
    pyproject = add_to_pyproject(crate, "\n[tool.maturin]\nbogus-key = true\n")
    done = ferrule(crate, cache, "sdist", "--json", "-o", out)
    assert done.returncode == 0, done.stderr
    doc = checked(json.loads(done.stdout))
    (sdist,) = out.glob("*.tar.gz")
    assert [Path(s["path"]) for s in doc["sdists"]] == [sdist]
    check_files(doc)
    assert doc["warnings"] == [
        {
            "file": str(pyproject),
            "key": "tool.maturin.bogus-key",
            "message": doc["warnings"][0]["message"],
        }
    ]
    assert "tool.maturin.bogus-key" in done.stderr  # the warning line is printed as before
    assert {p["name"] for p in doc["phases"]} == {"settings", "sdist"}
    assert doc["wheels"] == doc["interpreters"] == doc["cargo_artifacts"] == []


def test_a_failing_build_still_reports_the_dotted_key(tmp_path: Path) -> None:
    crate, cache, out = (
        unique_crate(tmp_path, "pyo3-pure", "rpf"),
        tmp_path / "cache",
        tmp_path / "o",
    )
    pyproject = add_to_pyproject(crate, '\n[tool.maturin]\nbindings = "pyo4"\n')
    report = tmp_path / "r.json"
    done = ferrule(crate, cache, "build", "--report", report, "--json", "-o", out)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and "tool.maturin.bindings" in done.stderr
    for doc in (json.loads(report.read_text()), json.loads(done.stdout)):
        checked(doc)
        assert doc["exit_status"] == done.returncode
        assert doc["error"]["type"] == "ConfigError"
        assert doc["error"]["key"] == "tool.maturin.bindings"
        assert doc["error"]["problems"][0]["file"] == str(pyproject)
        assert doc["wheels"] == [] and doc["fast_path"] is None
    assert not out.exists() or not list(out.iterdir())

    # Strict mode turns a warning into the error: the report names its key too.
    pyproject.write_text(pyproject.read_text().replace('bindings = "pyo4"', "bogus-key = 1"))
    done = ferrule(crate, cache, "build", "--strict", "--json", "-o", out)
    assert done.returncode != 0
    doc = checked(json.loads(done.stdout))
    assert doc["error"]["key"] == "tool.maturin.bogus-key"


def test_develop_report(tmp_path: Path) -> None:
    crate = unique_crate(tmp_path, "pyo3-pure", "rpd")
    project = Project(crate, VEnv(tmp_path / "venv"), tmp_path / "cache")
    report = tmp_path / "r.json"
    project.develop("--report", str(report))
    doc = checked(json.loads(report.read_text()))
    assert (doc["command"], doc["exit_status"], doc["fast_path"]) == ("develop", 0, None)
    assert doc["wheels"] == doc["sdists"] == []
    (interp,) = doc["interpreters"]
    assert Path(interp["executable"]).parent == project.venv.python.parent
    facts = interpreter_facts(str(project.venv.python))
    assert (interp["version"], interp["implementation"]) == (
        facts["version"], facts["implementation"]
    )  # fmt: skip
    (artifact,) = doc["cargo_artifacts"]
    assert (artifact["kind"], artifact["target"]) == ("cdylib", "pyo3_pure_rpd")
    assert "install" in [p["name"] for p in doc["phases"]]
    assert project.value("pyo3_pure_rpd.sum_as_string(2, 3)", "pyo3_pure_rpd") == "5"

    again = project.develop("--json")
    doc2 = checked(json.loads(again.stdout))
    assert doc2["fast_path"] in ("replay", "stamp")
    assert "install" not in [p["name"] for p in doc2["phases"]]
