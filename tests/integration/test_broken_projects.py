"""Issue 9: a corpus of broken projects, each with the message it must produce.

Every case starts from a copy of ``tests/crates/pyo3-pure``, breaks one thing,
runs ``ferrule build`` (or the command given) as a user would, and checks: exit
code 1, no Python traceback, the expected message, and an empty output
directory. (Metadata mistakes have their own corpus in test_metadata_errors.py.)
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import CRATES, ferrule
from tests.helpers.venv import clean_env

GOOD = (CRATES / "pyo3-pure" / "pyproject.toml").read_text()
CARGO = (CRATES / "pyo3-pure" / "Cargo.toml").read_text()


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes]  # relative path -> new content ("" deletes)
    expected: tuple[str, ...]
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    slow: bool = False  # needs cargo to compile


def tool(text: str, table: str = "tool.ferrule") -> dict[str, str | bytes]:
    return {"pyproject.toml": f"{GOOD}\n[{table}]\n{text}\n"}


# Cases that change Rust code rename the library, so that the shared cargo target
# directory keeps the original pyo3_pure library intact.
def own_lib(name: str) -> str:
    return CARGO.replace('name = "pyo3_pure"', f'name = "{name}"')


CASES = [
    Case(
        "toml-syntax-pyproject",
        {"pyproject.toml": GOOD + "\n[tool.ferrule\n"},
        ("pyproject.toml: line", "TOML syntax error"),
    ),
    Case(
        "toml-syntax-cargo",
        {"Cargo.toml": "[package]\nname = 'x\n"},
        ("Cargo.toml: line 2", "TOML syntax error"),
    ),
    Case(
        "pyproject-not-utf8",
        {"pyproject.toml": GOOD.encode() + b"\n# \xff\xfe\n"},
        ("pyproject.toml", "not valid UTF-8"),
    ),
    # Keys maturin ignores are warnings; strict mode makes them errors (issue 19).
    Case(
        "unknown-key",
        tool("sdist-generatr = 'git'"),
        (
            "tool.ferrule.sdist-generatr: unknown key; it is ignored; did you mean 'sdist-generator'?",
        ),
        env={"FERRULE_STRICT": "1"},
    ),
    Case(
        "unknown-key-maturin",
        tool("module_name = 'x'", "tool.maturin"),
        ("tool.maturin.module_name: unknown key; it is ignored; did you mean 'module-name'?",),
        env={"FERRULE_STRICT": "1"},
    ),
    Case(
        "bool-as-string",
        tool('locked = "yes"'),
        ("tool.ferrule.locked: must be true or false, not a string",),
    ),
    Case(
        "list-as-string",
        tool('rustc-args = "-Copt-level=3"'),
        ("tool.ferrule.rustc-args: must be an array of strings, not a string",),
    ),
    Case(
        "both-tables",
        {"pyproject.toml": GOOD + "\n[tool.ferrule]\nstrict = true\n[tool.maturin]\n"},
        ("strict mode", "tool.ferrule: [tool.maturin] is present too; [tool.ferrule] is ignored"),
    ),
    Case(
        "no-build-system",
        {"pyproject.toml": GOOD.split("[project]", 1)[1].join(["[project]", ""])},
        ("build-system: missing",),
    ),
    Case(
        "build-requires-not-list",
        {"pyproject.toml": GOOD.replace('requires = ["ferrule"]', 'requires = "ferrule"')},
        ("build-system.requires: must be an array of strings",),
    ),
    Case(
        "tool-table-not-table",
        {"pyproject.toml": GOOD.replace("[project]", "[tool]\nferrule = 3\n\n[project]")},
        ("tool.ferrule: must be a table",),
    ),
    Case(
        "bad-bindings",
        tool('bindings = "pyo4"'),
        ("tool.ferrule.bindings: 'pyo4' is not one of", "did you mean 'pyo3'?"),
    ),
    Case(
        "feature-without-name",
        tool('features = [{ python-version = ">=3.9" }]'),
        ("tool.ferrule.features[0].feature: must be a string",),
    ),
    Case(
        "include-without-path",
        tool('include = [{ format = "wheel" }]'),
        ("tool.ferrule.include[0].path: is required and must be a string",),
    ),
    Case(
        "include-absolute",
        tool('include = ["/etc/passwd"]'),
        ("tool.ferrule.include[0]: '/etc/passwd' is an absolute path",),
    ),
    Case(
        "include-parent",
        tool('include = ["../x/*.py"]'),
        ("tool.ferrule.include[0]: '../x/*.py' reaches outside the project",),
    ),
    Case(
        "target-kind",
        tool('targets = [{ name = "x", kind = "exe" }]'),
        ("tool.ferrule.targets[0].kind: must be one of bin, cdylib",),
    ),
    Case(
        "manifest-path-missing",
        tool('manifest-path = "rust/Cargo.toml"'),
        ("Cargo.toml not found", "rust/Cargo.toml (from tool.ferrule.manifest-path)"),
    ),
    Case(
        "virtual-workspace",
        {"Cargo.toml": '[workspace]\nmembers = ["a"]\n'},
        ("Cargo.toml: package: is a virtual workspace manifest",),
    ),
    Case(
        "package-without-name",
        {"Cargo.toml": CARGO.replace('name = "pyo3-pure"\n', "")},
        ("Cargo.toml: package.name: missing or not a string",),
    ),
    Case(
        "inherit-without-workspace",
        {"Cargo.toml": CARGO.replace('version = "0.3.1"', "version.workspace = true")},
        ("package.version: inherits from the workspace, but no workspace root was found",),
    ),
    Case(
        "module-name-not-identifier",
        tool('module-name = "1abc"'),
        ("tool.ferrule.module-name: '1abc' is not a valid Python module name",),
    ),
    Case(
        "python-source-missing",
        tool('python-source = "python"'),
        ("tool.ferrule.python-source: directory", "does not exist"),
    ),
    Case(
        # Outside the project is allowed (as maturin), but the package must be there.
        "python-source-outside",
        tool('python-source = ".."'),
        ("tool.ferrule.python-source: is set to '..'", "pyo3_pure does not exist"),
    ),
    Case(
        "data-dir-missing",
        tool('data = "stuff"'),
        ("tool.ferrule.data: directory", "does not exist"),
    ),
    Case(
        "python-packages-missing",
        tool('python-packages = ["helpers"]'),
        ("tool.ferrule.python-packages:", "helpers does not exist"),
    ),
    Case(
        "dotted-name-without-package",
        tool('module-name = "pkg._native"'),
        ("module-name 'pkg._native' places the extension inside the package 'pkg'",),
    ),
    Case(
        "data-subdirectory",
        {"pyo3_pure.data/lib/x.txt": "x"},
        ("pyo3_pure.data/lib is not allowed in the data directory",),
    ),
    Case(
        "maturin-table-ferrule-key",
        tool(
            'extensions = [{ manifest-path = "a/Cargo.toml", module-name = "a.b" }]', "tool.maturin"
        ),
        ("tool.maturin.extensions: is a ferrule key, which maturin ignores here",),
        args=("--strict",),
    ),
    Case(
        "release-and-profile",
        {},
        ("--release conflicts with --profile dev",),
        args=("--release", "--profile", "dev"),
    ),
    Case(
        "interpreter-not-found",
        {},
        ("interpreter 'python9.9' was not found",),
        args=("-i", "python9.9"),
    ),
    Case(
        "bad-source-date-epoch",
        {},
        ("SOURCE_DATE_EPOCH='tomorrow' is not a whole number",),
        env={"SOURCE_DATE_EPOCH": "tomorrow"},
        slow=True,
    ),
    Case(
        "cargo-not-installed", {}, ("'cargo' was not found on PATH",), env={"PATH": "/nonexistent"}
    ),
    Case(
        "unknown-cargo-feature",
        {},
        ("cargo failed", "--features no-such-feature"),
        args=("-F", "no-such-feature"),
        slow=True,
    ),
    Case(
        "compile-error",
        {
            "Cargo.toml": own_lib("broken_code"),
            "src/lib.rs": 'use pyo3::prelude::*;\n#[pymodule]\nmod broken_code { fn f() -> u8 { "x" } }\n',
        },
        ("cargo failed with exit code 101", "the compiler's messages are above"),
        slow=True,
    ),
    Case(
        "module-name-mismatch",
        tool('module-name = "different"'),
        ("exports a Python module named 'pyo3_pure', but the module name is 'different'",),
        slow=True,
    ),
    Case(
        "no-pymodule",
        {"Cargo.toml": own_lib("no_module_here"), "src/lib.rs": "pub fn f() {}\n"},
        ("exports no PyInit_no_module_here: it has no #[pymodule]",),
        slow=True,
    ),
    Case(
        "out-dir-include-without-build-script",
        tool('include = [{ path = "gen.txt", from = "out-dir" }]'),
        ("is to be copied from the build script's OUT_DIR, but the crate has no build script",),
        slow=True,
    ),
    Case(
        "bin-bindings-with-scripts",
        {
            "pyproject.toml": GOOD.replace(
                'dynamic = ["version"]', 'dynamic = ["version"]\nscripts = { a = "b:c" }'
            )
            + '\n[tool.ferrule]\nbindings = "bin"\n'
        },
        ("project.scripts: cannot be used with bin bindings",),
        slow=True,
    ),
    Case(
        "extension-manifest-missing",
        tool(
            'extensions = [{ manifest-path = "second/Cargo.toml", module-name = "pyo3_pure._b" }]'
        ),
        ("tool.ferrule.extensions[0].manifest-path:", "not found"),
        slow=True,
    ),
    Case(
        "uniffi-bindings-without-uniffi",
        {
            "pyproject.toml": f'{GOOD}\n[tool.ferrule]\nbindings = "uniffi"\n',
            # A plain cdylib (no pyo3: cargo must not rebuild the shared pyo3).
            "Cargo.toml": own_lib("plain_c").replace('pyo3 = "0.29"', ""),
            "src/lib.rs": '#[no_mangle]\npub extern "C" fn f() -> i32 { 1 }\n',
        },
        ("uniffi-bindgen generated no Python module", "exports no uniffi interface"),
        slow=True,
    ),
]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in CASES]
)
def test_broken_project(case: Case, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    for rel, content in case.files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    out = tmp_path / "out"
    env = clean_env(**case.env)
    if "PATH" in case.env:
        # Keep Python itself reachable; only cargo goes missing.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{case.env['PATH']}"
    proc = ferrule(
        "build", "-i", sys.executable, "-o", out, *case.args, cwd=project, check=False, env=env
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in case.expected:
        assert fragment in proc.stderr, f"{fragment!r} not in:\n{proc.stderr}"
    assert not out.exists() or list(out.iterdir()) == []


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
