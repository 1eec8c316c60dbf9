"""Issue 5: interpreter discovery (-f, list-python), -i specs and the filters on both."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ferrule.abi import plan_units
from ferrule.config import CliOptions, load_settings
from ferrule.errors import FerruleError
from ferrule.interpreter import (
    Interpreter,
    _outside,
    discover,
    from_cross_lib_dir,
    from_pyo3_config,
    probe,
    resolve_interpreter,
    select_interpreters,
)
from tests.conftest import CRATES, ferrule
from tests.helpers.pythons import installed_cpythons, path_with_all_pythons
from tests.helpers.venv import clean_env

ENV = clean_env(PATH=path_with_all_pythons())


def ext_suffix(python: str) -> str:
    """What ``python`` itself says its extension modules end with."""
    code = "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def settings_for(crate: str, **cli: object):  # type: ignore[no-untyped-def]
    return load_settings(CRATES / crate, CliOptions(**cli), environ=ENV)  # type: ignore[arg-type]


def test_list_python_finds_every_installed_python() -> None:
    proc = ferrule("list-python", cwd=CRATES, env=ENV)
    assert proc.stdout == ""  # maturin lists on stderr
    listed = proc.stderr
    for (major, minor), exe in installed_cpythons((3, 7)).items():
        assert f"CPython {major}.{minor}" in listed, (exe, listed)
    assert f"PyPy 3.9 at {shutil.which('pypy3.9', path=ENV['PATH'])}" in listed


def test_discovery_probes_each_interpreter_once() -> None:
    found = discover(ENV)
    versions = [(i.implementation, i.version) for i in found]
    assert len(versions) == len(set(versions))
    cpythons = {v for impl, v in versions if impl == "cpython"}
    assert cpythons == set(installed_cpythons((3, 7)))
    pypy = next(i for i in found if i.implementation == "pypy")
    assert pypy.ext_suffix == ext_suffix(pypy.executable)


def test_find_interpreter_keeps_what_pyo3_and_requires_python_support() -> None:
    # tags-abi3: pyo3 0.29 (CPython 3.8-3.15, PyPy 3.11 only), requires-python >= 3.8
    chosen = select_interpreters(settings_for("tags-abi3"), [], find=True)
    assert {i.version for i in chosen} == set(installed_cpythons((3, 8)))
    assert all(i.implementation == "cpython" for i in chosen)
    # tags-pypy: pyo3 0.26 supports PyPy 3.9
    chosen = select_interpreters(settings_for("tags-pypy"), [], find=True)
    assert ("pypy", (3, 9)) in {(i.implementation, i.version) for i in chosen}


def test_named_interpreter_outside_the_pyo3_range_is_refused() -> None:
    with pytest.raises(FerruleError, match=r"pyo3 0\.29\.\d+ supports CPython 3\.8 to 3\.15"):
        select_interpreters(settings_for("audit-glibc-new"), ["3.7"], find=False)
    with pytest.raises(FerruleError, match=r"requires-python is >=3\.8"):
        select_interpreters(settings_for("tags-abi3"), ["3.7"], find=False)
    with pytest.raises(FerruleError, match=r"supports PyPy 3\.11 to 3\.11"):
        select_interpreters(settings_for("tags-abi3"), ["pypy3.9"], find=False)


def test_interpreter_specs() -> None:
    by_version = resolve_interpreter("3.12", ENV)
    assert (by_version.implementation, by_version.version) == ("cpython", (3, 12))
    assert resolve_interpreter("pypy3.9", ENV).implementation == "pypy"
    assert resolve_interpreter(sys.executable, ENV).version == sys.version_info[:2]
    with pytest.raises(FerruleError, match="was not found"):
        resolve_interpreter("python3.99", ENV)


def free_threaded(minor: int) -> Interpreter:
    base = probe(sys.executable, ENV)
    return dataclasses.replace(
        base, minor=minor, abiflags="t", gil_disabled=True, soabi=f"cpython-3{minor}t"
    )


def test_free_threaded_is_recognised_and_never_abi3() -> None:
    settings = settings_for("tags-abi3")
    crate = settings.pyo3
    # pyo3 0.29 builds free-threaded extensions from 3.14t on.
    assert "free-threaded Python from 3.14t" in (_outside(free_threaded(13), settings, crate) or "")
    assert _outside(free_threaded(14), settings, crate) is None
    regular = probe(sys.executable, ENV)
    units = plan_units(settings, [regular, free_threaded(14)])
    assert [(u.interpreter.name, u.abi3) for u in units] == [
        (regular.name, (3, 8)),
        ("CPython 3.14t", None),
    ]


def test_pyo3_config_file_and_cross_lib_dir(tmp_path: Path) -> None:
    config = tmp_path / "pyo3.txt"
    config.write_text("implementation=PyPy\nversion=3.10\nshared=true\nbuild_flags=\n")
    interp, abi3 = from_pyo3_config(config)
    assert (interp.implementation, interp.version, interp.runnable, abi3) == (
        "pypy",
        (3, 10),
        False,
        None,
    )
    config.write_text("implementation=CPython\nversion=3.12\ntarget_abi=CPython-abi3-3.9\n")
    assert from_pyo3_config(config)[1] == (3, 9)
    python312 = installed_cpythons((3, 12))[(3, 12)]
    lib = Path(python312).parents[1] / "lib" / "python3.12"
    target = from_cross_lib_dir(lib)
    assert (target.version, target.ext_suffix) == ((3, 12), ext_suffix(python312))


def _probe_in_subprocess(executable: str) -> Interpreter:
    """What a subprocess probe says (the in-process shortcut cannot be taken from here)."""
    import json
    import subprocess

    from ferrule.interpreter_probe import PROBE, from_probe

    out = subprocess.run(
        [executable, "-I", "-S", "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    return from_probe(json.loads(out))


def test_the_running_python_is_described_in_process_exactly_as_a_probe_would(
    tmp_path: Path,
) -> None:
    """Other names of the running interpreter (python3 beside python, a link to it in the
    same environment, another environment of the same installation, the installation's
    own interpreter) are described without a subprocess, field for field as the
    subprocess would; the same program with another home, or behind a shell-script
    shim, is probed."""
    from ferrule import interpreter_probe as interpreter

    bin_dir = Path(sys.executable).parent
    other_name = next(
        (
            bin_dir / n
            for n in ("python3", "python")
            if (bin_dir / n).exists() and str(bin_dir / n) != sys.executable
        ),
        None,
    )
    assert other_name is not None, "the test venv has python and python3"
    assert interpreter._is_running_interpreter(str(other_name))
    assert probe(str(other_name), {}) == _probe_in_subprocess(str(other_name))

    # The same binary in another environment made from the same installation, and
    # that installation's own interpreter (python3 on PATH beside a pipx-installed
    # ferrule): described in-process, as their subprocess probes describe them.
    real = Path(sys.executable).resolve()
    venv = tmp_path / "other-venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(
        f"home = {real.parent}\ninclude-system-site-packages = false\n"
    )
    (venv / "bin" / "python").symlink_to(real)
    base = tmp_path / "base" / "bin" / "python3"  # the installation's program, by a link
    base.parent.mkdir(parents=True)
    base.symlink_to(real)
    for same in (venv / "bin" / "python", base):
        assert interpreter._is_running_interpreter(str(same)), same
        assert probe(str(same), {}) == _probe_in_subprocess(str(same))

    # The same binary, but its environment's home is another installation (whose
    # standard library and sysconfig data it would load): probed.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (venv / "pyvenv.cfg").write_text(f"home = {elsewhere}\n")
    assert not interpreter._is_running_interpreter(str(venv / "bin" / "python"))

    # A shim script that runs this Python is a different program: probed.
    shim = tmp_path / "shim" / "python3"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    assert not interpreter._is_running_interpreter(str(shim))
    described = probe(str(shim), {})
    assert described.executable == sys.executable  # reported by the real interpreter
