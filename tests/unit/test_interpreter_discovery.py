"""``-f`` discovery (ferrule.interpreter) on a fake PATH of stand-in interpreters.

Each stand-in is a small script run by this test's Python that executes the
``-c`` code it is given with the interpreter's identity replaced (version,
implementation, ABI flags, SOABI, EXT_SUFFIX, Py_GIL_DISABLED, sys.executable):
ferrule's probe, maturin's probe and ``packaging.tags`` all run their real code
against it. Expected python / ABI tags come from ``packaging.tags`` run inside
the stand-in; the expected set of interpreters from maturin 1.16's own
discovery (``maturin build -f``, stopped once it has printed what it found).

maturin (src/python_interpreter/discovery.rs, ``cpython_candidate_names``) looks
for python3.X, the free-threaded python3.Xt only from 3.14 on (PEP 779: "the
experimental 3.13t is intentionally not auto-discovered"; ``-i python3.13t``
still builds it) and pypy3.X, each within the bindings' range.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ferrule.config import load_settings
from ferrule.interpreter import Interpreter, discover, resolve_interpreter, select_interpreters
from ferrule.tags import abi_tag, python_tag
from tests.conftest import CRATES
from tests.helpers.venv import clean_env

STUB = """#!{real} -I
# A stand-in for {name}: runs the -c code it is given as that interpreter would.
import platform, sys, sysconfig, types
FACTS = {facts!r}
class _Version(tuple):
    major = property(lambda self: self[0])
    minor = property(lambda self: self[1])
    micro = property(lambda self: self[2])
_vars = {{
    "EXT_SUFFIX": FACTS["ext_suffix"], "SOABI": FACTS["soabi"], "ABIFLAGS": FACTS["abiflags"],
    "Py_GIL_DISABLED": int(FACTS["gil_disabled"]), "Py_DEBUG": 0, "SOABI_PLATFORM": None,
    "py_version_nodot": "3%d" % FACTS["minor"], "VERSION": "3.%d" % FACTS["minor"],
}}
_get = sysconfig.get_config_var
sysconfig.get_config_var = lambda name: _vars[name] if name in _vars else _get(name)
sys.version_info = _Version((3, FACTS["minor"], 0, "final", 0))
sys.implementation = types.SimpleNamespace(**{{**vars(sys.implementation), "name": FACTS["implementation"]}})
sys.abiflags = FACTS["abiflags"]
sys.executable = sys._base_executable = __file__
platform.python_implementation = lambda: {{"cpython": "CPython", "pypy": "PyPy"}}[FACTS["implementation"]]
args = sys.argv[1:]
while args and args[0] in ("-I", "-S", "-E", "-s"):
    args.pop(0)
if args[:1] != ["-c"] or len(args) < 2:
    sys.exit("stand-in interpreter: only -c CODE is supported")
sys.argv = ["-c", *args[2:]]
exec(compile(args[1], "<string>", "exec"), {{"__name__": "__main__"}})
"""

# name -> (implementation, minor, free-threaded)
STANDINS = {
    "python3.12": ("cpython", 12, False),
    "python3.13": ("cpython", 13, False),
    "python3.13t": ("cpython", 13, True),
    "python3.14t": ("cpython", 14, True),
    "pypy3.10": ("pypy", 10, False),
    "pypy3.11": ("pypy", 11, False),
}
MULTIARCH = "x86_64-linux-gnu"


def write_standins(bindir: Path, standins: dict[str, tuple[str, int, bool]] = STANDINS) -> Path:
    bindir.mkdir(parents=True, exist_ok=True)
    for name, (impl, minor, free) in standins.items():
        t = "t" if free else ""
        soabi = f"cpython-3{minor}{t}" if impl == "cpython" else f"pypy3{minor}-pp73"
        soabi += f"-{MULTIARCH}"
        facts = {
            "implementation": impl,
            "minor": minor,
            "abiflags": t,
            "gil_disabled": free,
            "soabi": soabi,
            "ext_suffix": f".{soabi}.so",
        }
        path = bindir / name
        path.write_text(STUB.format(real=sys.executable, name=name, facts=facts))
        path.chmod(0o755)
    # One that does not run (as a pyenv shim for an inactive version): skipped.
    broken = bindir / "python3.11"
    broken.write_text("#!/bin/sh\nexit 127\n")
    broken.chmod(0o755)
    return bindir


@pytest.fixture(scope="module")
def fake_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_standins(tmp_path_factory.mktemp("pythons") / "bin")


@pytest.fixture(scope="module")
def discovered(fake_path: Path) -> list[Interpreter]:
    return discover({"PATH": str(fake_path)})


def packaging_tags(executable: str) -> tuple[str, str]:
    """The interpreter and ABI tag packaging.tags gives, computed by that interpreter."""
    code = "import json; from packaging import tags; t = next(tags.sys_tags()); "
    code += "print(json.dumps([t.interpreter, t.abi]))"
    out = subprocess.run([executable, "-c", code], capture_output=True, text=True, check=True)
    interp, abi = json.loads(out.stdout)
    return interp, abi


def summary(interp: Interpreter) -> tuple[str, str]:
    return interp.name, Path(interp.executable).name


def test_discovery_finds_the_free_threaded_builds_maturin_finds(
    discovered: list[Interpreter],
) -> None:
    assert [summary(i) for i in discovered] == [
        ("CPython 3.12", "python3.12"),
        ("CPython 3.13", "python3.13"),
        ("CPython 3.14t", "python3.14t"),
        ("PyPy 3.10", "pypy3.10"),
        ("PyPy 3.11", "pypy3.11"),
    ]


def test_discovered_tags_are_packagings(discovered: list[Interpreter]) -> None:
    for interp in discovered:
        assert (python_tag(interp), abi_tag(interp)) == packaging_tags(interp.executable)
    t14 = next(i for i in discovered if i.gil_disabled)
    assert (t14.abiflags, t14.supports_abi3) == ("t", False)


def test_313t_is_built_when_named(fake_path: Path) -> None:
    interp = resolve_interpreter("3.13t", {"PATH": str(fake_path)})
    assert summary(interp) == ("CPython 3.13t", "python3.13t")
    assert (python_tag(interp), abi_tag(interp)) == packaging_tags(interp.executable)
    assert interp.gil_disabled and not interp.supports_abi3


def maturin_finds(project: Path, path: str, tmp_path: Path) -> list[tuple[str, str]]:
    """What ``maturin build -f`` reports finding; it is stopped before it compiles anything."""
    env = clean_env(PATH=path, CARGO_TARGET_DIR=str(tmp_path / "target"), CARGO_NET_OFFLINE="true")
    maturin = shutil.which("maturin")  # the pinned reference (tests/conftest.py)
    assert maturin is not None
    proc = subprocess.Popen(
        [maturin, "build", "-f", "-o", str(tmp_path / "out")],
        cwd=project,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("🐍 Found "):
                break
        else:
            pytest.fail("maturin found no interpreter:\n" + "".join(lines))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    found = []
    for item in lines[-1].removeprefix("🐍 Found ").strip().split(", "):
        name, _, exe = item.partition(" at ")
        found.append((name, Path(exe).name))
    return found


@pytest.mark.maturin
def test_select_interpreters_agrees_with_maturin(fake_path: Path, tmp_path: Path) -> None:
    project = tmp_path / "pyo3-pure"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    cargo = shutil.which("cargo")
    assert cargo is not None
    path = os.pathsep.join([str(fake_path), str(Path(cargo).parent)])
    theirs = maturin_finds(project, path, tmp_path)
    settings = load_settings(project, environ=clean_env(PATH=path))
    ours = [summary(i) for i in select_interpreters(settings, [], find=True)]
    assert ours == theirs
    assert ("CPython 3.14t", "python3.14t") in ours


@pytest.mark.maturin
def test_only_python3_on_path_is_found_as_maturin_finds_it(tmp_path: Path) -> None:
    # maturin's fallback (its issue 2312): no versioned name, so python3 itself.
    bindir = write_standins(tmp_path / "bin", {"python3": ("cpython", 13, False)})
    project = tmp_path / "pyo3-pure"
    shutil.copytree(CRATES / "pyo3-pure", project, ignore=shutil.ignore_patterns("target"))
    cargo = shutil.which("cargo")
    assert cargo is not None
    path = os.pathsep.join([str(bindir), str(Path(cargo).parent)])
    theirs = maturin_finds(project, path, tmp_path)
    settings = load_settings(project, environ=clean_env(PATH=path))
    ours = [summary(i) for i in select_interpreters(settings, [], find=True)]
    assert ours == theirs == [("CPython 3.13", "python3")]
