"""The plan for other targets, case by case: extension file names, wheel tags and names,
cargo's ``--target`` and the environment every compile gets.

No process runs (``ferrule._run.run`` is refused): interpreters are described, not run
(:func:`ferrule.interpreter_config.for_target`, as ``-i python3.X`` is taken when
cross-compiling). Expected values are maturin 1.16's, with the file they come from:

* extension suffixes: ``src/python_interpreter/config.rs`` (``lookup_one`` and its tests
  ``test_well_known_sysconfigs_{linux,macos,windows}``); musl only from 3.11:
  ``src/target/mod.rs`` (``get_python_target_env``)
* abi3 suffixes (``.abi3.so``, ``.pyd`` on Windows): ``src/binding_generator/pyo3_binding.rs``
* platform tags: ``src/target/platform_tag.rs`` (``get_platform_tag``,
  ``macosx_deployment_target``, ``python_macosx_target_version``); the arch names
  ``src/target/mod.rs`` (``Arch::as_str``); manylinux aliases ``src/auditwheel/``, the
  legacy alias first as maturin 1.16 writes it (tests/integration/test_audit_policy.py)
* cargo and environment: ``src/compile.rs`` (``configure_macos_pyo3_linker_args``,
  ``configure_bin_lib_flags``, ``configure_pyo3_env``: the pyo3 configuration file's name,
  ``MACOSX_DEPLOYMENT_TARGET``); universal2's two builds ``src/build_context/builder.rs``;
  library file names ``src/binding_generator/mod.rs`` (``cdylib_filename``)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from ferrule import _run
from ferrule.audit import AuditRequest, audit_extension
from ferrule.build.cargo_invocation import cargo_recipe
from ferrule.build.plan import work_dir
from ferrule.build.run import wheel_filename
from ferrule.build.target_plan import planned_file
from ferrule.cargo.remap import PathRemap
from ferrule.interpreter_config import for_target, parse_pyo3_config
from ferrule.metadata import build_metadata
from ferrule.target import parse_target
from tests.unit.build.planning import crate_settings, plan

U2 = "macosx_10_12_x86_64.macosx_11_0_arm64.macosx_10_12_universal2"
DARWIN2 = ("aarch64-apple-darwin", "x86_64-apple-darwin")


@dataclass(frozen=True)
class Case:
    triple: str
    interp: tuple[str, tuple[int, int], bool]  # implementation, version, free-threaded
    ext: str  # the module's file name in the wheel (pyo3-pure's, or tags-abi3's when abi3)
    tag: str  # the wheel tag (before the audit on Linux)
    abi3: bool = False
    env: dict[str, str] = field(default_factory=dict)
    # The audit's answer for --compatibility (auditwheel skip: the policy's tags, unchecked).
    policy: tuple[str, str] | None = None

    @property
    def id(self) -> str:
        impl, (major, minor), t = self.interp
        extra = "-abi3" if self.abi3 else "".join(f"-{k}={v}" for k, v in self.env.items())
        return f"{self.triple}-{impl}{major}.{minor}{'t' if t else ''}{extra}"


CP310, CP311, CP312 = (
    ("cpython", (3, 10), False),
    ("cpython", (3, 11), False),
    (
        "cpython",
        (3, 12),
        False,
    ),
)
PP39 = ("pypy", (3, 9), False)
WIN = {"PYO3_CROSS_LIB_DIR": "/py/libs"}  # a Windows Python's import libraries

CASES = [
    # Linux, CPython: config.rs test_well_known_sysconfigs_linux; tags Arch::as_str.
    Case("aarch64-unknown-linux-gnu", CP310, "pyo3_pure.cpython-310-aarch64-linux-gnu.so",
         "cp310-cp310-linux_aarch64",
         policy=("manylinux_2_17", "manylinux2014_aarch64.manylinux_2_17_aarch64")),
    Case("i686-unknown-linux-gnu", CP310, "pyo3_pure.cpython-310-i386-linux-gnu.so",
         "cp310-cp310-linux_i686",
         policy=("manylinux_2_17", "manylinux2014_i686.manylinux_2_17_i686")),
    Case("armv7-unknown-linux-gnueabihf", CP310, "pyo3_pure.cpython-310-arm-linux-gnueabihf.so",
         "cp310-cp310-linux_armv7l",
         policy=("manylinux_2_17", "manylinux2014_armv7l.manylinux_2_17_armv7l")),
    Case("powerpc64le-unknown-linux-gnu", CP310,
         "pyo3_pure.cpython-310-powerpc64le-linux-gnu.so", "cp310-cp310-linux_ppc64le",
         policy=("manylinux_2_17", "manylinux2014_ppc64le.manylinux_2_17_ppc64le")),
    Case("s390x-unknown-linux-gnu", CP310, "pyo3_pure.cpython-310-s390x-linux-gnu.so",
         "cp310-cp310-linux_s390x",
         policy=("manylinux_2_17", "manylinux2014_s390x.manylinux_2_17_s390x")),
    Case("aarch64-unknown-linux-gnu", ("cpython", (3, 13), True),
         "pyo3_pure.cpython-313t-aarch64-linux-gnu.so", "cp313-cp313t-linux_aarch64"),
    # Linux, PyPy: config.rs test_well_known_sysconfigs_linux (pypy names: x86, ppc_64).
    Case("x86_64-unknown-linux-gnu", PP39, "pyo3_pure.pypy39-pp73-x86_64-linux-gnu.so",
         "pp39-pypy39_pp73-linux_x86_64"),
    Case("i686-unknown-linux-gnu", PP39, "pyo3_pure.pypy39-pp73-x86-linux-gnu.so",
         "pp39-pypy39_pp73-linux_i686"),
    Case("aarch64-unknown-linux-gnu", PP39, "pyo3_pure.pypy39-pp73-aarch64-linux-gnu.so",
         "pp39-pypy39_pp73-linux_aarch64"),
    Case("armv7-unknown-linux-gnueabihf", PP39, "pyo3_pure.pypy39-pp73-arm-linux-gnu.so",
         "pp39-pypy39_pp73-linux_armv7l"),
    Case("powerpc64le-unknown-linux-gnu", PP39, "pyo3_pure.pypy39-pp73-ppc_64-linux-gnu.so",
         "pp39-pypy39_pp73-linux_ppc64le"),
    Case("s390x-unknown-linux-gnu", PP39, "pyo3_pure.pypy39-pp73-s390x-linux-gnu.so",
         "pp39-pypy39_pp73-linux_s390x"),
    # Linux, musl: the suffix says musl from CPython 3.11 (target/mod.rs get_python_target_env).
    Case("aarch64-unknown-linux-musl", CP311, "pyo3_pure.cpython-311-aarch64-linux-musl.so",
         "cp311-cp311-linux_aarch64",
         policy=("musllinux_1_2", "musllinux_1_2_aarch64")),
    Case("aarch64-unknown-linux-musl", CP310, "pyo3_pure.cpython-310-aarch64-linux-gnu.so",
         "cp310-cp310-linux_aarch64"),
    Case("armv7-unknown-linux-musleabihf", CP312,
         "pyo3_pure.cpython-312-arm-linux-musleabihf.so", "cp312-cp312-linux_armv7l",
         policy=("musllinux_1_1", "musllinux_1_1_armv7l")),
    Case("x86_64-unknown-linux-musl", CP312, "pyo3_pure.cpython-312-x86_64-linux-musl.so",
         "cp312-cp312-linux_x86_64"),
    Case("i686-unknown-linux-musl", CP312, "pyo3_pure.cpython-312-i386-linux-musl.so",
         "cp312-cp312-linux_i686"),
    Case("aarch64-unknown-linux-gnu", CP312, "tags_abi3.abi3.so", "cp38-abi3-linux_aarch64",
         abi3=True),
    Case("armv7-unknown-linux-musleabihf", CP312, "tags_abi3.abi3.so", "cp38-abi3-linux_armv7l",
         abi3=True),
    # macOS: config.rs test_well_known_sysconfigs_macos; platform_tag.rs (rustc's defaults
    # x86_64 10.12 and arm64 11.0; 11+ keeps the major version only).
    Case("x86_64-apple-darwin", CP310, "pyo3_pure.cpython-310-darwin.so",
         "cp310-cp310-macosx_10_12_x86_64"),
    Case("aarch64-apple-darwin", CP310, "pyo3_pure.cpython-310-darwin.so",
         "cp310-cp310-macosx_11_0_arm64"),
    Case("x86_64-apple-darwin", ("cpython", (3, 7), False), "pyo3_pure.cpython-37m-darwin.so",
         "cp37-cp37m-macosx_10_12_x86_64"),
    Case("x86_64-apple-darwin", PP39, "pyo3_pure.pypy39-pp73-darwin.so",
         "pp39-pypy39_pp73-macosx_10_12_x86_64"),
    Case("aarch64-apple-darwin", PP39, "pyo3_pure.pypy39-pp73-darwin.so",
         "pp39-pypy39_pp73-macosx_11_0_arm64"),
    Case("aarch64-apple-darwin", CP312, "tags_abi3.abi3.so", "cp38-abi3-macosx_11_0_arm64",
         abi3=True),
    Case("x86_64-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         "cp312-cp312-macosx_10_15_x86_64", env={"MACOSX_DEPLOYMENT_TARGET": "10.15"}),
    Case("x86_64-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         "cp312-cp312-macosx_10_12_x86_64", env={"MACOSX_DEPLOYMENT_TARGET": "10.9"}),
    Case("aarch64-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         "cp312-cp312-macosx_12_0_arm64", env={"MACOSX_DEPLOYMENT_TARGET": "12.3"}),
    Case("x86_64-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         "cp312-cp312-macosx_11_0_x86_64", env={"MACOSX_DEPLOYMENT_TARGET": "11.2"}),
    Case("universal2-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         f"cp312-cp312-{U2}"),
    Case("universal2-apple-darwin", CP312, "tags_abi3.abi3.so", f"cp38-abi3-{U2}", abi3=True),
    Case("universal2-apple-darwin", CP312, "pyo3_pure.cpython-312-darwin.so",
         "cp312-cp312-macosx_10_13_x86_64.macosx_11_0_arm64.macosx_10_13_universal2",
         env={"MACOSX_DEPLOYMENT_TARGET": "10.13"}),
    # Windows: config.rs test_well_known_sysconfigs_windows; platform_tag.rs.
    Case("x86_64-pc-windows-msvc", CP310, "pyo3_pure.cp310-win_amd64.pyd",
         "cp310-cp310-win_amd64", env=WIN),
    Case("i686-pc-windows-msvc", CP310, "pyo3_pure.cp310-win32.pyd", "cp310-cp310-win32",
         env=WIN),
    Case("aarch64-pc-windows-msvc", CP310, "pyo3_pure.cp310-win_arm64.pyd",
         "cp310-cp310-win_arm64", env=WIN),
    Case("x86_64-pc-windows-msvc", PP39, "pyo3_pure.pypy39-pp73-win_amd64.pyd",
         "pp39-pypy39_pp73-win_amd64", env=WIN),
    Case("x86_64-pc-windows-gnu", CP312, "pyo3_pure.cp312-win_amd64.pyd",
         "cp312-cp312-win_amd64", env=WIN),
    Case("x86_64-pc-windows-msvc", CP312, "tags_abi3.pyd", "cp38-abi3-win_amd64", abi3=True,
         env=WIN),
    Case("aarch64-pc-windows-msvc", CP312, "tags_abi3.pyd", "cp38-abi3-win_arm64", abi3=True,
         env=WIN),
]  # fmt: skip


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the plan started a process: {args}")

    monkeypatch.setattr(_run, "run", refuse)


def _planned(case: Case, tmp_path: Path, crate: str | None = None) -> Any:
    name = crate or ("tags-abi3" if case.abi3 else "pyo3-pure")
    settings = crate_settings(name, tmp_path, target=case.triple)
    settings = dataclasses.replace(settings, environ={**settings.environ, **case.env})
    impl, version, free = case.interp
    interp = for_target(parse_target(case.triple), impl, version, free, "-i", case.env)
    return settings, plan(name, settings, [interp])


def test_the_table_is_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_planned_names_tags_and_cargo(case: Case, tmp_path: Path) -> None:
    settings, p = _planned(case, tmp_path)
    (unit,) = p.units
    library = unit.artifacts[0]
    # The module's file and where it lands.
    assert library.name == case.ext
    assert planned_file(library, library.module or "", p.target) == PurePosixPath(
        library.destination, case.ext
    )
    # The wheel's tag and file name (Linux: before the audit picks a policy).
    assert p.platform is not None
    assert unit.tag(p.platform) == case.tag
    dist = build_metadata(settings)
    assert wheel_filename(dist, unit.tag(p.platform)) == (
        f"{dist.dist_name}-{dist.version}-{case.tag}.whl"
    )

    # cargo: one run per triple (universal2: aarch64 then x86_64), each with its own target.
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, PathRemap(), work_dir(settings))
    runs = recipe.invocations(library, unit)
    triples = DARWIN2 if case.triple.startswith("universal2") else (case.triple,)
    assert [inv.argv[inv.argv.index("--target") + 1] for inv in runs] == list(triples)
    target = parse_target(case.triple)
    for triple, inv in zip(triples, runs):
        argv = " ".join(inv.argv)
        # pyo3 is told the target interpreter in a file named as maturin names it.
        config = Path(inv.env["PYO3_CONFIG_FILE"])
        version = "3.8" if case.abi3 else "{}.{}".format(*case.interp[1])
        major_minor = "{}.{}".format(*case.interp[1])
        assert config.parent == work_dir(settings)
        assert config.name == (
            f"pyo3-config-{case.triple}-{major_minor}{'-abi3' if case.abi3 else ''}.txt"
        )
        text = parse_pyo3_config(unit.pyo3_config_text or "")
        assert text["version"] == version
        assert text["pointer_width"] == ("32" if target.pointer_width == 32 else "64")
        assert inv.env["PYO3_BUILD_EXTENSION_MODULE"] == "1"
        if target.is_macos:
            assert '"-C", "link-arg=-undefined", "-C", "link-arg=dynamic_lookup"' in argv
            assert argv.endswith(f"-- -C link-args=-Wl,-install_name,@rpath/{case.ext}")
            default = "11.0" if triple.startswith("aarch64") else "10.12"
            wanted = case.env.get("MACOSX_DEPLOYMENT_TARGET", default)
            assert inv.env["MACOSX_DEPLOYMENT_TARGET"] == wanted
        else:
            assert "dynamic_lookup" not in argv and "MACOSX_DEPLOYMENT_TARGET" not in inv.env
        assert ("target-feature=-crt-static" in argv) == target.is_musl

    if case.policy is not None:
        # The audit keeps the target's architecture in the policy's tags.
        outcome = audit_extension(
            Path("unused.so"),
            AuditRequest(compatibility=(case.policy[0],), mode="skip"),
            sysconfig_platform=p.platform,
            dist_name=dist.dist_name,
            extension_dir=PurePosixPath(""),
            link_dirs=[],
            staging=tmp_path,
            environ={},
        )
        assert outcome.platform == case.policy[1]


@pytest.mark.parametrize(
    ("triple", "library"),
    [
        ("aarch64-apple-darwin", "libbind_cffi.dylib"),
        ("x86_64-pc-windows-msvc", "bind_cffi.dll"),
        ("armv7-unknown-linux-gnueabihf", "libbind_cffi.so"),
    ],
)
def test_cffi_library_name_and_python_independent_tag(
    triple: str, library: str, tmp_path: Path
) -> None:
    """binding_generator/mod.rs cdylib_filename; a cffi wheel is py3-none-<platform>."""
    case = Case(triple, CP312, "", "", env=WIN if "windows" in triple else {})
    _, p = _planned(case, tmp_path, "bind-cffi")
    (unit,) = p.units
    (artifact,) = unit.artifacts
    assert planned_file(artifact, "bind_cffi", p.target) == artifact.destination / library
    assert unit.tag(p.platform) == f"py3-none-{parse_target(triple).platform_tag({})}"


@pytest.mark.parametrize(
    ("triple", "scripts"),
    [
        ("x86_64-pc-windows-msvc", ["bind-bin.exe", "bind-bin-extra.exe"]),
        ("aarch64-apple-darwin", ["bind-bin", "bind-bin-extra"]),
    ],
)
def test_binaries_are_scripts_exe_on_windows(
    triple: str, scripts: list[str], tmp_path: Path
) -> None:
    _, p = _planned(Case(triple, CP312, "", ""), tmp_path, "bind-bin")
    (unit,) = p.units
    names = [planned_file(a, "", p.target) for a in unit.artifacts]
    assert names == [PurePosixPath(p.data_prefix, "scripts", s) for s in scripts]
    assert unit.tag_prefix == "py3-none"


@pytest.mark.parametrize(
    ("sysconfig_platform", "machine", "triple", "tag", "deployment"),
    [
        # A python.org universal2 Python on an arm64 Mac: the wheel is thin arm64, tagged by
        # the target as maturin does (platform_tag.rs), not universal2 by the interpreter.
        ("macosx-10.9-universal2", "arm64", "aarch64-apple-darwin", "macosx_11_0_arm64", "11.0"),
        ("macosx-14.0-arm64", "arm64", "aarch64-apple-darwin", "macosx_11_0_arm64", "11.0"),
        ("macosx-10.9-x86_64", "x86_64", "x86_64-apple-darwin", "macosx_10_12_x86_64", "10.12"),
        ("win-amd64", "AMD64", "x86_64-pc-windows-msvc", "win_amd64", None),
        ("win32", "AMD64", "i686-pc-windows-msvc", "win32", None),
    ],
)
def test_native_macos_and_windows_hosts_tag_by_the_target(
    sysconfig_platform: str,
    machine: str,
    triple: str,
    tag: str,
    deployment: str | None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from ferrule.build import plan as plan_module

    monkeypatch.setattr(plan_module, "host_machine", lambda: machine)
    monkeypatch.setattr("ferrule.build.cargo_invocation.host_machine", lambda: machine)
    described = for_target(parse_target(triple), "cpython", (3, 12), False, "/py")
    interp = dataclasses.replace(described, platform=sysconfig_platform, runnable=True)
    settings = crate_settings("tags-abi3", tmp_path)
    p = plan("tags-abi3", settings, [interp])
    (unit,) = p.units
    assert p.platform == tag
    assert unit.artifacts[0].name == ("tags_abi3.pyd" if "win" in tag else "tags_abi3.abi3.so")
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, PathRemap(), work_dir(settings))
    (inv,) = recipe.invocations(unit.artifacts[0], unit)
    assert "--target" not in inv.argv
    assert inv.env.get("MACOSX_DEPLOYMENT_TARGET") == deployment
    assert ("dynamic_lookup" in " ".join(inv.argv)) == (deployment is not None)


def test_configured_macos_deployment_target_per_triple(tmp_path: Path) -> None:
    """platform_tag.rs / compile.rs: ``[tool.maturin.target.<triple>]
    macos-deployment-target`` is the tag's version as written, and cargo's
    ``MACOSX_DEPLOYMENT_TARGET`` when the environment has none."""
    from ferrule.config import load_settings
    from tests.unit.build.planning import copy_crate

    crate = copy_crate("pyo3-pure", tmp_path)
    with (crate / "pyproject.toml").open("a") as f:
        f.write(
            '\n[tool.maturin.target."x86_64-apple-darwin"]\nmacos-deployment-target = "10.14"\n'
            '[tool.maturin.target."aarch64-apple-darwin"]\nmacos-deployment-target = "12.0"\n'
        )
    environ = {"PATH": "/usr/bin:/bin", "CARGO_TARGET_DIR": str(tmp_path / "target")}
    settings = load_settings(crate, environ=environ, report=False)
    options = dataclasses.replace(settings.cargo_options, target="universal2-apple-darwin")
    settings = dataclasses.replace(settings, cargo_options=options)
    interp = for_target(parse_target(options.target), "cpython", (3, 12), False, "-i")
    p = plan("pyo3-pure", settings, [interp])
    assert p.platform == ("macosx_10_14_x86_64.macosx_12_0_arm64.macosx_10_14_universal2")
    (unit,) = p.units
    recipe = cargo_recipe(settings, settings.cargo.manifest_path, PathRemap(), work_dir(settings))
    runs = recipe.invocations(unit.artifacts[0], unit)
    assert [inv.env["MACOSX_DEPLOYMENT_TARGET"] for inv in runs] == ["12.0", "10.14"]
