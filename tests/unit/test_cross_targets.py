"""``--target``: the Rust standard library check, interpreters described for the target,
``PYO3_CROSS_LIB_DIR`` with ``_PYTHON_SYSCONFIGDATA_NAME``, and the Windows import library.

Expected values are maturin's (``src/python_interpreter/resolver.rs``,
``src/cross_compile.rs``, ``src/python_interpreter/config.rs``) and rustc's own answers.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ferrule import _run, interpreter, rust_target
from ferrule.errors import FerruleError
from ferrule.interpreter_config import from_cross_lib_dir
from ferrule.target import parse_target
from tests.conftest import ferrule
from tests.unit.build.planning import crate_settings, plan

MISSING = "aarch64-unknown-linux-gnu"


def _libdir(triple: str) -> Path:
    done = subprocess.run(
        ["rustc", "--print", "target-libdir", "--target", triple],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


def _installed(triple: str) -> bool:
    libdir = _libdir(triple)
    return libdir.is_dir() and any(p.name.startswith("libstd-") for p in libdir.iterdir())


needs_missing = pytest.mark.skipif(
    _installed(MISSING), reason=f"{MISSING}'s standard library is installed here"
)


def _host() -> str:
    done = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True)
    return next(
        ln.split(":", 1)[1].strip()
        for ln in done.stdout.splitlines()
        if ":" in ln and ln.startswith("host")
    )


@needs_missing
def test_missing_standard_library_is_one_message_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rust_target._problem.cache_clear()
    calls: list[object] = []
    real = _run.run

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_run, "run", counting)
    for _ in range(2):
        with pytest.raises(FerruleError) as err:
            rust_target.check_targets_installed([MISSING], (), dict(os.environ))
        message = str(err.value)
        assert message.endswith(f"install it with: rustup target add {MISSING}")
        assert str(_libdir(MISSING)) in message and "\n" not in message
    assert len(calls) == 1  # asked once per rustc and target


def test_installed_target_and_build_std_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    rust_target.check_targets_installed([_host()], (), dict(os.environ))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no rustc call expected")

    monkeypatch.setattr(_run, "run", refuse)
    # cargo builds the standard library itself; a custom target's spec is cargo's business.
    rust_target.check_targets_installed([MISSING], ("build-std=core",), {})
    rust_target.check_targets_installed(["my-target.json"], (), {})


def test_unknown_triple_says_rustc_does_not_know_it() -> None:
    with pytest.raises(FerruleError, match=r"^--target no-such-triple: rustc does not know"):
        rust_target.check_targets_installed(["no-such-triple"], (), dict(os.environ))


@needs_missing
def test_build_for_a_missing_target_stops_before_cargo(tmp_path: Path) -> None:
    crate = tmp_path / "pyo3-pure"
    shutil.copytree(Path(__file__).parents[1] / "crates" / "pyo3-pure", crate)
    target_dir = tmp_path / "target"
    env = {**os.environ, "CARGO_TARGET_DIR": str(target_dir)}
    done = ferrule("build", "--target", MISSING, cwd=crate, check=False, env=env)
    assert done.returncode != 0
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert lines == [
        f"ferrule: error: {rust_target.missing_std_message([(MISSING, str(_libdir(MISSING)))])}"
    ]
    assert not target_dir.exists()  # cargo never ran


def _cross_settings(tmp_path: Path, triple: str, **env: str) -> Any:
    settings = crate_settings("pyo3-pure", tmp_path, target=triple)
    return dataclasses.replace(settings, environ={**settings.environ, **env})


def test_interpreters_named_with_i_are_described_for_the_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """resolver.rs discover_cross_sysconfig: -i python3.X is not run when cross-compiling."""
    monkeypatch.setattr(rust_target, "check_targets_installed", lambda *a: None)
    monkeypatch.setattr(interpreter, "host_triple", lambda env: "x86_64-unknown-linux-gnu")
    settings = _cross_settings(tmp_path, "armv7-unknown-linux-gnueabihf")
    chosen = interpreter.select_interpreters(settings, ["python3.12", "pypy3.10"], False)
    assert [(i.ext_suffix, i.platform, i.runnable) for i in chosen] == [
        (".cpython-312-arm-linux-gnueabihf.so", "linux-armv7l", False),
        (".pypy310-pp73-arm-linux-gnu.so", "linux-armv7l", False),
    ]
    with pytest.raises(FerruleError, match="name it with its version"):
        interpreter.select_interpreters(settings, ["python3"], False)


def _sysconfigdata(path: Path, multiarch: str, soabi: str) -> None:
    variables = {
        "VERSION": "3.12",
        "EXT_SUFFIX": f".{soabi}.so",
        "SOABI": soabi,
        "MULTIARCH": multiarch,
        "SIZEOF_VOID_P": 4,
        "ABIFLAGS": "",
    }
    path.write_text(f"build_time_vars = {variables!r}\n")


def test_cross_lib_dir_sysconfigdata_chosen_by_name(tmp_path: Path) -> None:
    """cross_compile.rs find_sysconfigdata: _PYTHON_SYSCONFIGDATA_NAME picks one of several."""
    lib = tmp_path / "lib" / "python3.12"
    lib.mkdir(parents=True)
    armv7 = parse_target("armv7-unknown-linux-gnueabihf")
    name = armv7.sysconfigdata_name()
    _sysconfigdata(lib / f"{name}.py", "arm-linux-gnueabihf", "cpython-312-arm-linux-gnueabihf")
    _sysconfigdata(
        lib / "_sysconfigdata__linux_aarch64-linux-gnu.py",
        "aarch64-linux-gnu",
        "cpython-312-aarch64-linux-gnu",
    )
    env = {"_PYTHON_SYSCONFIGDATA_NAME": name}
    interp = from_cross_lib_dir(lib, armv7, env)
    assert interp.ext_suffix == ".cpython-312-arm-linux-gnueabihf.so"
    assert interp.platform == "linux-armv7l" and interp.pointer_width == 32
    with pytest.raises(FerruleError, match="_PYTHON_SYSCONFIGDATA_NAME"):
        from_cross_lib_dir(lib, armv7, {"_PYTHON_SYSCONFIGDATA_NAME": "_sysconfigdata_x"})


def test_windows_without_an_interpreter_needs_the_import_library(tmp_path: Path) -> None:
    """resolver.rs: compiling for Windows without an interpreter requires PyO3's
    ``generate-import-lib`` feature (or PYO3_CROSS_LIB_DIR)."""
    from ferrule.interpreter_config import for_target

    triple = "x86_64-pc-windows-msvc"
    interp = for_target(parse_target(triple), "cpython", (3, 12), False, "-i python3.12")
    settings = _cross_settings(tmp_path, triple)
    with pytest.raises(FerruleError, match=r"generate-import-lib.*PYO3_CROSS_LIB_DIR"):
        plan("pyo3-pure", settings, [interp])
    # With an interpreter's libs directory, or a runnable interpreter, it plans.
    plan("pyo3-pure", _cross_settings(tmp_path, triple, PYO3_CROSS_LIB_DIR="/libs"), [interp])
    plan("pyo3-pure", settings, [dataclasses.replace(interp, runnable=True)])


@pytest.mark.parametrize(
    ("host", "triple"),
    [
        ("x86_64-pc-windows-msvc", "i686-pc-windows-msvc"),  # the generated CI's x86 job
        ("aarch64-apple-darwin", "x86_64-apple-darwin"),
        ("x86_64-apple-darwin", "universal2-apple-darwin"),
    ],
)
def test_interpreters_the_host_runs_are_run(
    host: str, triple: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """cross_compile.rs is_cross_compiling: these targets are built with real interpreters."""
    import sys

    monkeypatch.setattr(rust_target, "check_targets_installed", lambda *a: None)
    monkeypatch.setattr(interpreter, "host_triple", lambda env: host)
    settings = _cross_settings(tmp_path, triple)
    (chosen,) = interpreter.select_interpreters(settings, [sys.executable], False)
    assert chosen.runnable and chosen.executable == sys.executable


def test_pyo3_config_file_interpreter_is_on_the_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A PYO3_CONFIG_FILE with --target: the extension is named for the target
    (config.rs lookup_one), the file's own configuration is handed to cargo unchanged."""
    monkeypatch.setattr(rust_target, "check_targets_installed", lambda *a: None)
    config = tmp_path / "pyo3.txt"
    config.write_text("implementation=CPython\nversion=3.12\nshared=true\n")
    settings = _cross_settings(tmp_path, "aarch64-apple-darwin", PYO3_CONFIG_FILE=str(config))
    chosen = interpreter.select_interpreters(settings, [], False)
    (unit,) = plan("pyo3-pure", settings, chosen).units
    assert unit.artifacts[0].name == "pyo3_pure.cpython-312-darwin.so"
    assert unit.pyo3_config is None  # the user's file is used as it is


def test_zig_links_cross_linux_targets_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ferrule import zig

    monkeypatch.setattr(zig, "zig_executable", lambda: Path("/zig"))
    env = zig.zig_env("armv7-unknown-linux-gnueabihf", (2, 17), tmp_path)
    (wrapper,) = env.values()
    assert list(env) == ["CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER"]
    assert "-target arm-linux-gnueabihf.2.17" in Path(wrapper).read_text()
    musl = zig.zig_env("aarch64-unknown-linux-musl", (2, 17), tmp_path)
    assert "-target aarch64-linux-musl " in Path(*musl.values()).read_text()
    with pytest.raises(FerruleError, match="Linux targets only"):
        zig.zig_env("aarch64-apple-darwin", (2, 17), tmp_path)


def test_pep517_hooks_describe_their_interpreter_for_the_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """build-args ``--target``: the hook's interpreter is described for the target."""
    import sys
    from types import SimpleNamespace

    from ferrule import backend

    monkeypatch.setattr(rust_target, "check_targets_installed", lambda *a: None)
    monkeypatch.setattr(interpreter, "host_triple", lambda env: "x86_64-unknown-linux-gnu")
    settings = _cross_settings(tmp_path, "aarch64-apple-darwin")
    interp = backend._interpreter(settings, SimpleNamespace(interpreter=[]))
    major, minor = sys.version_info[:2]
    assert not interp.runnable and interp.ext_suffix == f".cpython-{major}{minor}-darwin.so"
    native = _cross_settings(tmp_path, "x86_64-unknown-linux-gnu")
    assert backend._interpreter(native, SimpleNamespace(interpreter=[])).runnable


@needs_missing
def test_pep517_hooks_stop_on_a_missing_standard_library(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from ferrule import backend

    settings = dataclasses.replace(_cross_settings(tmp_path, MISSING), environ=dict(os.environ))
    with pytest.raises(FerruleError, match=f"rustup target add {MISSING}$"):
        backend._interpreter(settings, SimpleNamespace(interpreter=[]))


def test_universal2_joins_each_artifact_of_the_two_builds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """build_context/builder.rs: universal2 is two cargo builds joined file by file."""
    import hashlib

    from ferrule.build.universal2 import merge_results
    from ferrule.cargo.build import CargoResult
    from ferrule.cargo.messages import Artifact
    from ferrule.macho import read_macho_file

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "binaries"
    manifest = json.loads((fixtures / "manifest.json").read_text())["universal2.dylib"]

    def result(name: str) -> CargoResult:
        path = tmp_path / name / "libm.dylib"
        path.parent.mkdir()
        path.write_bytes((fixtures / name).read_bytes())
        return CargoResult((Artifact("m", "cdylib", path),), None)

    # cargo's order (aarch64 first); the fat file orders its slices as lipo does.
    thin = [result(manifest["slices"][1]), result(manifest["slices"][0])]
    (fat,) = merge_results(thin, tmp_path / "staging").artifacts
    assert fat.path.name == "libm.dylib"
    # The bytes of the fixture the script packed by hand and checked with llvm-lipo.
    assert hashlib.sha256(fat.path.read_bytes()).hexdigest() == manifest["sha256"]
    read = read_macho_file(fat.path)
    assert [image.arch for image in read.images] == manifest["archs"]
    assert merge_results(thin[:1], tmp_path / "one") is thin[0]
