"""scripts/conformance.py: the comparison, the report and the never-raising runner (no cargo)."""

from __future__ import annotations

import doctest
import importlib
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

from _conformance import cases, compare, report, runner  # noqa: E402
from _conformance.cases import CASES, Case, select  # noqa: E402
from _conformance.compare import (  # noqa: E402
    error_line,
    file_differences,
    metadata_differences,
    wheel_files,
)
from _conformance.report import compare_wheels, markdown, note, totals  # noqa: E402
from _conformance.runner import Setup, Tool, build_and_check, run  # noqa: E402

MATURIN_SRC = Path("/work/maturin-src")


@pytest.mark.parametrize("module", [cases, compare, report, runner])
def test_doctests_pass(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0


def test_the_script_imports_and_parses_its_options() -> None:
    script = importlib.import_module("conformance")
    args = script.parse_args(["/x", "--only", "a", "b", "--jobs", "2", "--keep", "/k"])
    assert (args.only, args.jobs, args.keep) == (["a", "b"], 2, Path("/k"))
    assert script.parse_args(["/x"]).jobs == 1


def make_wheel(path: Path, files: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


META = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"


# --- file lists ------------------------------------------------------------------------


def test_file_lists_compare_membership_not_order() -> None:
    assert file_differences(["b", "a"], ["a", "b"]) == []
    assert file_differences(["a", "b"], ["a", "c"]) == ["-b", "+c"]


def test_sboms_are_part_of_the_file_list(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": "", "demo-1.0.dist-info/sboms/demo.cyclonedx.json": "{}"},
    )
    assert wheel_files(wheel) == [
        "demo/__init__.py",
        "demo-1.0.dist-info/sboms/demo.cyclonedx.json",
    ]


# --- METADATA ----------------------------------------------------------------------------


def test_requires_dist_is_a_set_of_requirements() -> None:
    theirs = (
        META + "Requires-Dist: Foo_Bar[b,a] >=1.0 ; python_version >= '3.9'\nRequires-Dist: x\n"
    )
    ours = META + 'Requires-Dist: x\nRequires-Dist: foo-bar[a,b]>=1.0; python_version >= "3.9"\n'
    assert metadata_differences(theirs, ours) == []


@pytest.mark.parametrize(
    "ours",
    [
        "Requires-Dist: x>=2\n",  # other specifier
        "Requires-Dist: x; extra == 'test'\n",  # other marker
        "Requires-Dist: x[cli]\n",  # other extras
        "",  # missing
        "Requires-Dist: x\nRequires-Dist: y\n",  # one more
    ],
)
def test_a_different_requirement_is_found(ours: str) -> None:
    assert metadata_differences(META + "Requires-Dist: x\n", META + ours) == ["Requires-Dist"]


def test_other_fields_must_match_exactly_and_in_order() -> None:
    theirs = META + "Classifier: A\nClassifier: B\nLicense-Expression: MIT\n"
    assert metadata_differences(theirs, theirs) == []
    swapped = META + "Classifier: B\nClassifier: A\nLicense-Expression: MIT\n"
    assert metadata_differences(theirs, swapped) == ["Classifier"]
    spelled = META + "Classifier: A\nClassifier: B\nLicense-Expression: mit\n"
    assert metadata_differences(theirs, spelled) == ["License-Expression"]
    assert metadata_differences(theirs, META + "Classifier: A\nClassifier: B\n") == [
        "License-Expression"
    ]


def test_the_description_body_is_compared() -> None:
    assert metadata_differences(META + "\n# Demo\n", META + "\n# Demo\n") == []
    assert metadata_differences(META + "\n# Demo\n", META + "\n# Other\n") == ["(body)"]
    assert metadata_differences(META + "\n# Demo\n", META) == ["(body)"]


def test_compare_wheels_pairs_names_files_and_metadata(tmp_path: Path) -> None:
    theirs = make_wheel(
        tmp_path / "m" / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": "", "demo-1.0.dist-info/METADATA": META + "Summary: s\n"},
    )
    ours = make_wheel(
        tmp_path / "f" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {"demo/__init__.pyi": "", "demo-1.0.dist-info/METADATA": META},
    )
    assert compare_wheels([str(theirs)], [str(theirs)]) == {
        "same_name": True,
        "files": [],
        "metadata": [],
    }
    assert compare_wheels([str(theirs)], [str(ours)]) == {
        "same_name": False,
        "files": ["-demo/__init__.py", "+demo/__init__.pyi"],
        "metadata": ["Summary"],
    }
    assert compare_wheels([str(theirs)], [])["same_name"] is None


# --- error lines, the report ------------------------------------------------------------


def test_error_line_finds_the_cause() -> None:
    cargo = "   Compiling x v0.1.0\nerror[E0425]: cannot find value `y`\n  --> src/lib.rs:1:1\n"
    assert error_line(cargo) == "error[E0425]: cannot find value `y`"
    maturin = "💥 maturin failed\n  Caused by: Failed to parse\n  Caused by: no README\n"
    assert error_line(maturin) == "💥 maturin failed Caused by: no README"
    assert error_line("warning: x\nsomething broke\n") == "something broke"


OK = {"wheels": ["/d/demo-1.0-py3-none-any.whl"], "error": "", "check": "pass"}


def test_table_rows_escape_pipes_and_show_failures() -> None:
    failed = {"wheels": [], "error": "error: a | b", "check": ""}
    row = {
        "name": "demo",
        "skip": "",
        "maturin": OK,
        "ferrule": failed,
        "same_name": None,
        "files": None,
        "metadata": None,
    }
    line = markdown([row]).splitlines()[2]
    assert line.startswith(
        "| demo | demo-1.0-py3-none-any.whl | **failed** | - | - | - | pass / - |"
    )
    assert line.endswith("| ferrule: error: a \\| b |")
    cells = re.split(r"(?<!\\)\|", line)[1:-1]  # the escaped pipe is not a separator
    assert len(cells) == 8


def test_note_names_a_failed_check_and_counts_are_of_run_cases() -> None:
    checked = {**OK, "check": "FAIL: ImportError: no module"}
    row = {"name": "d", "maturin": OK, "ferrule": checked, "same_name": True, "files": []}
    row["metadata"] = []
    assert note(row) == "ferrule check: FAIL: ImportError: no module"
    counts = totals([row, {"name": "s", "skip": "Windows"}])
    assert counts["cases"] == 1 and counts["skipped"] == 1
    assert counts["ferrule check passed"] == 0 and counts["maturin check passed"] == 1
    assert counts["same files"] == counts["same METADATA"] == counts["same name"] == 1


# --- the case table ---------------------------------------------------------------------


def test_select_takes_a_crate_with_its_variants() -> None:
    assert [c.name for c in select(CASES, ["pyo3-stub-generation-pure"])] == [
        "pyo3-stub-generation-pure",
        "pyo3-stub-generation-pure+zig",
    ]
    assert len(select(CASES, [])) == len(CASES)
    with pytest.raises(ValueError, match="nope"):
        select(CASES, ["nope"])


def test_stub_crates_are_built_with_generate_stubs() -> None:
    stub_cases = [c for c in CASES if c.crate.startswith("pyo3-stub-generation")]
    assert len(stub_cases) >= 3
    assert all("--generate-stubs" in c.args for c in stub_cases)


@pytest.mark.skipif(not MATURIN_SRC.is_dir(), reason="no maturin checkout at /work/maturin-src")
def test_every_case_points_at_a_buildable_directory_of_the_checkout() -> None:
    crates = MATURIN_SRC / "test-crates"
    for case in CASES:
        package = crates / case.crate / case.package
        assert (package / "pyproject.toml").is_file() or (package / "Cargo.toml").is_file(), case
    dirs = sorted(p.name for p in crates.iterdir() if p.is_dir())
    assert cases.unlisted(dirs) == []


# --- the runner never raises ------------------------------------------------------------


def test_run_kills_a_command_past_its_timeout(tmp_path: Path) -> None:
    log = tmp_path / "log"
    code, output = run(["sh", "-c", "sleep 30 & wait"], log, timeout=1)
    assert code == 124
    assert "timed out after 1 s" in output
    assert "[exit 124]" in log.read_text()


def test_run_reports_a_missing_program() -> None:
    code, output = run(["/nonexistent/tool"])
    assert code == 127
    assert output.startswith("error: cannot run /nonexistent/tool")


def fake_checkout(tmp_path: Path, check: str) -> Path:
    crate = tmp_path / "checkout" / "test-crates" / "demo"
    (crate / "check_installed").mkdir(parents=True)
    (crate / "Cargo.toml").write_text("[package]\nname = 'demo'\n")
    (crate / "check_installed" / "check_installed.py").write_text(check)
    return tmp_path / "checkout"


def setup_for(tmp_path: Path, checkout: Path) -> Setup:
    uv = ROOT / ".venv" / "bin" / "uv"
    if not uv.exists():
        pytest.skip("uv is not in .venv")
    return Setup(
        checkout, tmp_path / "work", tmp_path / "t", Path(sys.executable), str(uv), dict(os.environ)
    )


def test_a_failing_build_is_captured_with_its_error_line(tmp_path: Path) -> None:
    setup = setup_for(tmp_path, fake_checkout(tmp_path, ""))
    tool = Tool("ferrule", ("sh", "-c", "echo Compiling; echo 'error: boom' >&2; exit 3", "sh"))
    outcome = build_and_check(setup, tool, Case("demo", "demo"))
    assert outcome.wheels == []
    assert outcome.error == "error: boom"
    assert "--manifest-path Cargo.toml" in Path(outcome.log).read_text()  # no pyproject.toml


# A stand-in for a build tool: writes a pure-Python wheel into --out.
FAKE_TOOL = """
import sys, zipfile
out = sys.argv[sys.argv.index("--out") + 1]
import os; os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(out + "/demo-1.0-py3-none-any.whl", "w") as z:
    z.writestr("demo/__init__.py", "VALUE = 42\\n")
    z.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n")
    z.writestr("demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("demo-1.0.dist-info/RECORD", "")
"""


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("import demo\nassert demo.VALUE == 42\nprint('SUCCESS')\n", "pass"),
        (
            "import demo\nassert demo.VALUE == 41, 'wrong value'\n",
            "FAIL: AssertionError: wrong value",
        ),
        ("print('done')\n", "FAIL: done"),  # exit 0 but no SUCCESS line
    ],
)
def test_the_wheel_is_installed_and_checked(tmp_path: Path, check: str, expected: str) -> None:
    setup = setup_for(tmp_path, fake_checkout(tmp_path, check))
    tool = Tool("maturin", (sys.executable, "-c", FAKE_TOOL))
    outcome = build_and_check(setup, tool, Case("demo", "demo"))
    assert outcome.error == ""
    assert [Path(w).name for w in outcome.wheels] == ["demo-1.0-py3-none-any.whl"]
    assert outcome.check == expected


def test_a_wheel_left_by_a_failed_build_does_not_count(tmp_path: Path) -> None:
    # maturin 1.16 leaves an empty .whl in --out when --generate-stubs fails after linking.
    setup = setup_for(tmp_path, fake_checkout(tmp_path, "print('SUCCESS')\n"))
    failing = FAKE_TOOL + "print('error: stubs failed'); raise SystemExit(1)\n"
    outcome = build_and_check(
        setup, Tool("maturin", (sys.executable, "-c", failing)), Case("demo", "demo")
    )
    assert outcome.wheels == []
    assert outcome.error == "error: stubs failed"
    assert outcome.check == ""
