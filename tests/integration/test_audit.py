"""Issue 5: manylinux policy selection against auditwheel, strict --compatibility, repair, zig."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from ferrule.audit import AuditError, AuditOutcome, AuditRequest, audit_extension
from ferrule.audit.elf import read_elf
from ferrule.bindings._elf import exported_symbols
from ferrule.elf import ElfFile, parse_elf
from tests.conftest import CRATES, ferrule
from tests.helpers.elf_oracle import ours, pyelftools_reading
from tests.helpers.host import (
    arch,
    auditwheel_platform,
    libpython_soname,
    linux_platform,
    loaded_library,
    policy_of,
    python_abi,
)
from tests.helpers.venv import VEnv, clean_env, run

pytestmark = pytest.mark.slow


def build(crate: str, out: Path, *args: str, check: bool = True, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return ferrule("build", "--release", "-o", out, *args, cwd=CRATES / crate, check=check, env=env)


def built_wheel(out: Path, crate: str, *args: str, env: dict[str, str] | None = None) -> Path:
    """The one wheel ``ferrule build --release`` writes for ``crate`` into ``out``."""
    build(crate, out, *args, env=env)
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="session")
def glibc_new_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_wheel(tmp_path_factory.mktemp("glibc-new"), "audit-glibc-new")


@pytest.fixture(scope="session")
def syslibs_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_wheel(tmp_path_factory.mktemp("syslibs"), "audit-syslibs")


@pytest.fixture(scope="session")
def zig_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Linking with zig changes cargo's linker: a target directory of its own keeps
    # the shared one's artifacts (and this one's) valid across runs.
    env = clean_env(CARGO_TARGET_DIR=os.environ["CARGO_TARGET_DIR"] + "-zig")
    out = tmp_path_factory.mktemp("zig")
    return built_wheel(out, "pyo3-pure", "--zig", "--compatibility", "manylinux2014", env=env)


def platform_of(wheel: Path) -> str:
    """The wheel's PEP 600 platform tag: the last one (a legacy alias comes first, as
    maturin names wheels)."""
    return wheel.name.removesuffix(".whl").split("-")[-1].split(".")[-1]


def test_policies_equal_auditwheel_show(
    pure_wheel_cli: Path,
    glibc_new_wheel: Path,
    syslibs_wheel: Path,
    zig_wheel: Path,
    tmp_path: Path,
) -> None:
    build("tags-abi3", tmp_path)
    (abi3,) = tmp_path.glob("*.whl")
    wheels = [pure_wheel_cli, glibc_new_wheel, syslibs_wheel, zig_wheel, abi3]
    ours = {w.name: platform_of(w) for w in wheels}
    theirs = {w.name: auditwheel_platform(w) for w in wheels}
    assert ours == theirs
    # Three different answers: zig's glibc 2.17, the host glibc's default, arc4random's 2.36.
    assert ours[zig_wheel.name] == f"manylinux_2_17_{arch()}"
    assert ours[glibc_new_wheel.name] == f"manylinux_2_36_{arch()}"
    assert len(set(ours.values())) == 3


def test_new_glibc_symbol_is_refused_by_name(tmp_path: Path) -> None:
    proc = build("audit-glibc-new", tmp_path, "--compatibility", "manylinux2014", check=False)
    assert proc.returncode == 1
    assert "not manylinux_2_17 (aka manylinux2014) compliant" in proc.stderr
    assert "arc4random@GLIBC_2.36 (libc.so.6)" in proc.stderr
    assert "Traceback" not in proc.stderr
    # One step below what it needs: the one symbol at fault, and nothing else.
    proc = build("audit-glibc-new", tmp_path, "--compatibility", "manylinux_2_35", check=False)
    assert proc.returncode == 1
    assert re.search(
        r"it uses symbol versions newer than it allows: arc4random@GLIBC_2\.36 \(libc\.so\.6\)\.\n",
        proc.stderr,
    ), proc.stderr
    assert "--compatibility manylinux_2_36" in proc.stderr
    assert list(tmp_path.glob("*.whl")) == []


def test_glibc_new_wheel_runs(glibc_new_wheel: Path, venv: VEnv) -> None:
    venv.pip("install", "-q", glibc_new_wheel)
    assert venv.run_python(CRATES / "audit-glibc-new" / "exercise.py").strip() == "ok"


def test_repair_bundles_libbz2_but_not_whitelisted_libz(
    syslibs_wheel: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(syslibs_wheel) as z:
        names = z.namelist()
        (lib,) = [n for n in names if n.startswith("audit_syslibs.libs/")]
        assert re.fullmatch(r"audit_syslibs\.libs/libbz2-[0-9a-f]{8}\.so\.1\.0", lib)
        (ext,) = [n for n in names if n.endswith(".so") and n.startswith("audit_syslibs/")]
        z.extract(ext, tmp_path)
        record = z.read("audit_syslibs-0.1.0.dist-info/RECORD").decode()
    assert lib in record
    info = read_elf(tmp_path / ext)
    assert PurePosixPath(lib).name in info.needed
    assert "libz.so.1" in info.needed and "libbz2.so.1.0" not in info.needed
    assert info.rpath == ("$ORIGIN/../audit_syslibs.libs",)
    # W009/W010: a second top-level directory without Python modules is what a
    # repaired wheel is (auditwheel's wheels get the same two warnings).
    run([sys.executable, "-m", "check_wheel_contents", "--ignore", "W009,W010", syslibs_wheel])


@pytest.fixture
def syslibs_venv(syslibs_wheel: Path, venv: VEnv) -> VEnv:
    venv.pip("install", "-q", syslibs_wheel)
    return venv


def test_repaired_wheel_uses_its_own_copy(syslibs_venv: VEnv) -> None:
    script = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "print(*sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libbz2' in l}))"
    )
    out = syslibs_venv.run_python("-c", script, CRATES / "audit-syslibs" / "exercise.py").split()
    assert out[0] == "ok"
    (mapped,) = out[1:]
    assert "/site-packages/audit_syslibs.libs/libbz2-" in mapped


def _hidden(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a private mount namespace where the system's libbz2 is an empty file."""
    target = loaded_library("libbz2.so.1.0").resolve()
    script = f'mount --bind /dev/null {target} && exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=clean_env(),
    )


def test_repaired_wheel_imports_where_libbz2_is_hidden(syslibs_venv: VEnv) -> None:
    probe = _hidden(["true"])
    if probe.returncode != 0:
        pytest.skip(f"cannot make a private mount namespace here: {probe.stderr.strip()}")
    # The control: in that namespace the system's libbz2 cannot be loaded...
    control = _hidden(
        [str(syslibs_venv.python), "-c", "import ctypes; ctypes.CDLL('libbz2.so.1.0')"]
    )
    assert control.returncode != 0 and "libbz2.so.1.0" in control.stderr
    # ...and the repaired extension still imports and works.
    proc = _hidden([str(syslibs_venv.python), str(CRATES / "audit-syslibs" / "exercise.py")])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


@pytest.fixture(scope="session")
def chain_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("chain")
    build("audit-chain", out)
    (wheel,) = out.glob("*.whl")
    return wheel


def test_repaired_chain_names_each_library_once(chain_wheel: Path) -> None:
    """Issue 19: the extension links libchaina, which needs libchainb (both built
    outside the loader's paths). Both are bundled, each copy's soname is its own
    file name, and each DT_NEEDED names the copy it means. (patchelf 0.14 given
    --set-soname and --replace-needed in one call gave libchaina libchainb's soname.)"""
    with zipfile.ZipFile(chain_wheel) as z:
        objects = {
            PurePosixPath(n): parse_elf(z.read(n))
            for n in z.namelist()
            if ".so" in PurePosixPath(n).name
        }
    libs = {p.name: elf for p, elf in objects.items() if str(p.parent) == "audit_chain.libs"}
    (ext,) = [elf for p, elf in objects.items() if str(p.parent) == "audit_chain"]
    (a,) = [n for n in libs if re.fullmatch(r"libchaina-[0-9a-f]{8}\.so\.1", n)]
    (b,) = [n for n in libs if re.fullmatch(r"libchainb-[0-9a-f]{8}\.so\.1", n)]
    assert len(objects) == 3, sorted(map(str, objects))
    assert {name: elf.soname for name, elf in libs.items()} == {a: a, b: b}

    def chain_needs(elf: ElfFile) -> list[str]:
        return [n for n in elf.needed if n.startswith("libchain")]

    assert chain_needs(ext) == [a]
    assert chain_needs(libs[a]) == [b]
    assert chain_needs(libs[b]) == []
    assert ext.rpath == "$ORIGIN/../audit_chain.libs"
    assert libs[a].rpath == libs[b].rpath == "$ORIGIN"
    assert auditwheel_platform(chain_wheel) == platform_of(chain_wheel)


def test_repaired_chain_imports_and_calls_through(chain_wheel: Path, venv: VEnv) -> None:
    venv.pip("install", "-q", chain_wheel)
    script = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "print(*sorted({l.split()[-1] for l in open('/proc/self/maps') if 'libchain' in l}))"
    )
    out = venv.run_python("-c", script, CRATES / "audit-chain" / "exercise.py").split()
    assert out[0] == "ok"
    # Both libraries of the chain were loaded, each from the wheel's own copy.
    assert [re.sub(r"-[0-9a-f]{8}\.", "-*.", PurePosixPath(p).name) for p in out[1:]] == [
        "libchaina-*.so.1",
        "libchainb-*.so.1",
    ]
    assert all("/site-packages/audit_chain.libs/" in p for p in out[1:]), out


def test_auditwheel_check_and_warn(syslibs_wheel: Path, tmp_path: Path) -> None:
    # The policy the repaired wheel got (auditwheel's, test_policies_equal_auditwheel_show):
    # the symbol versions of this machine's glibc decide it.
    platform = platform_of(syslibs_wheel)
    proc = build("audit-syslibs", tmp_path / "check", "--auditwheel", "check", check=False)
    assert proc.returncode == 1
    assert f"needs libraries outside {policy_of(platform)}: libbz2.so.1.0" in proc.stderr
    build("audit-syslibs", tmp_path / "warn", "--auditwheel", "warn")
    (wheel,) = (tmp_path / "warn").glob("*.whl")
    assert wheel.name.endswith(f"-{platform}.whl")
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if ".libs/" in n]
    build("audit-syslibs", tmp_path / "skip", "--auditwheel", "skip")
    (wheel,) = (tmp_path / "skip").glob("*.whl")
    assert wheel.name.endswith(f"-{linux_platform()}.whl")


def test_zig_wheel_is_manylinux2014(zig_wheel: Path, venv: VEnv) -> None:
    assert zig_wheel.name == (
        f"pyo3_pure-0.3.1-{python_abi()}-manylinux2014_{arch()}.manylinux_2_17_{arch()}.whl"
    )
    assert auditwheel_platform(zig_wheel) == f"manylinux_2_17_{arch()}"
    with zipfile.ZipFile(zig_wheel) as z:
        wheel_file = z.read("pyo3_pure-0.3.1.dist-info/WHEEL").decode()
    assert (
        f"Tag: {python_abi()}-manylinux2014_{arch()}\nTag: {python_abi()}-manylinux_2_17_{arch()}\n"
        in wheel_file
    )
    venv.pip("install", "-q", zig_wheel)
    assert venv.run_python(CRATES / "pyo3-pure" / "exercise.py").strip() == "ok"


@pytest.mark.parametrize(
    "wheel_fixture",
    ["pure_wheel_cli", "glibc_new_wheel", "syslibs_wheel", "chain_wheel", "zig_wheel"],
)
def test_elf_reader_agrees_with_pyelftools_on_built_wheels(
    wheel_fixture: str, request: pytest.FixtureRequest
) -> None:
    """ferrule's ELF reader on what the builds made: rustc- and zig-linked
    extensions, one patched by the repair (rpath, renamed NEEDED) and the
    library it bundled; every field agrees with pyelftools, and each extension
    exports its ``PyInit_``."""
    wheel: Path = request.getfixturevalue(wheel_fixture)
    with zipfile.ZipFile(wheel) as z:
        members = {n: z.read(n) for n in z.namelist() if ".so" in PurePosixPath(n).name}
    assert members, wheel
    for name, data in members.items():
        assert ours(data) == pyelftools_reading(data), name
        if ".libs/" not in name:
            module = PurePosixPath(name).name.split(".")[0]
            assert f"PyInit_{module}" in {s.name for s in parse_elf(data).symbols if s.defined}


def test_strip_removes_the_symbol_table(tmp_path: Path, venv: VEnv) -> None:
    build("pyo3-pure", tmp_path / "stripped", "--strip")
    (wheel,) = (tmp_path / "stripped").glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        (ext,) = [n for n in z.namelist() if n.endswith(".so")]
        z.extract(ext, tmp_path / "x")
    from elftools.elf.elffile import ELFFile

    with (tmp_path / "x" / ext).open("rb") as f:
        assert ELFFile(f).get_section_by_name(".symtab") is None
    data = (tmp_path / "x" / ext).read_bytes()
    assert ours(data) == pyelftools_reading(data)  # the dynamic symbols stay
    assert "PyInit_pyo3_pure" in (exported_symbols(tmp_path / "x" / ext) or set())
    venv.pip("install", "-q", wheel)
    assert venv.run_python(CRATES / "pyo3-pure" / "exercise.py").strip() == "ok"


def test_linking_libpython_is_an_error(pure_wheel_cli: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(pure_wheel_cli) as z:
        (ext,) = [n for n in z.namelist() if n.endswith(".so")]
        z.extract(ext, tmp_path)
    so = tmp_path / ext
    run(["patchelf", "--add-needed", libpython_soname(), so])
    with pytest.raises(AuditError, match=f"links {re.escape(libpython_soname())}"):
        audit_extension(
            so,
            AuditRequest(),
            sysconfig_platform=linux_platform(),
            dist_name="pyo3_pure",
            extension_dir=PurePosixPath("pyo3_pure"),
            link_dirs=(),
            staging=tmp_path / "staging",
            environ=clean_env(),
        )


@pytest.mark.parametrize("mode", ["repair", "check"])
def test_embedding_binary_may_link_libpython(
    pure_wheel_cli: Path, tmp_path: Path, mode: str
) -> None:
    """For a binary that embeds Python (bin bindings), libpython is allowed and never
    bundled: the same tags as without it, and the object is left untouched."""
    with zipfile.ZipFile(pure_wheel_cli) as z:
        (ext,) = [n for n in z.namelist() if n.endswith(".so")]
        z.extract(ext, tmp_path)
    so = tmp_path / ext

    def audit(request: AuditRequest) -> AuditOutcome:
        return audit_extension(
            so,
            request,
            sysconfig_platform=linux_platform(),
            dist_name="pyo3_pure",
            extension_dir=PurePosixPath("pyo3_pure"),
            link_dirs=(),
            staging=tmp_path / "staging",
            environ=clean_env(),
        )

    expected = audit(AuditRequest(mode=mode)).platform_tags
    run(["patchelf", "--add-needed", libpython_soname(), so])
    before = so.read_bytes()
    outcome = audit(AuditRequest(mode=mode, embeds_python=True))
    assert outcome == AuditOutcome(expected, so)
    assert so.read_bytes() == before


def test_pep517_builds_keep_the_linux_tag(pure_wheel_pip: Path) -> None:
    assert pure_wheel_pip.name.endswith(f"-{python_abi()}-{linux_platform()}.whl")


def test_unknown_compatibility_is_refused(tmp_path: Path) -> None:
    proc = build("pyo3-pure", tmp_path, "--compatibility", "manylinux_2", check=False)
    assert proc.returncode == 1
    assert "'manylinux_2' is not a platform compatibility" in proc.stderr
