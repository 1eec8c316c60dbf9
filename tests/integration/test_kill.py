"""Builds and installs killed in their risky phases leave nothing half-written (issues 9, 20).

Each kill lands in a named phase: ferrule stops itself at the point
``FERRULE_TEST_PAUSE_AT`` names (:mod:`ferrule._faults`) and writes the phase to a
marker file; for ``cargo``, a wrapper around cargo writes the marker and execs
cargo, which is then compiling the crate. The test SIGKILLs the whole process
group there and checks: no truncated wheel or sdist in the output directory
(only the writer's ``.part`` file, which the next run removes), the installed
package still imports, the next run succeeds and its wheel installs and runs,
and no ``ferrule-*-<pid>`` staging directory is left in the test's TMPDIR.
``FERRULE_NO_CACHE=1`` throughout: every run takes the full path (no replay, no
wheel stamp, no no-op develop). Run with ``-s`` to see where each kill landed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferrule._faults import PHASES
from tests.conftest import CRATES
from tests.helpers.venv import VEnv, clean_env

pytestmark = pytest.mark.slow

DATA_FILES = 300
CHECK = "import kill_data; print(kill_data.sum_as_string(2, 3))"
# (phase, the n-th time its point is reached): n picks a moment in the middle.
BUILD_PHASES = [
    ("cargo", 1),
    ("after-cargo", 1),
    ("data-dir", DATA_FILES // 2),  # half the data directory packed
    ("wheel-member", 1),  # inside the first member larger than one chunk
    ("record", 1),
    ("before-replace", 1),
    ("after-replace", 1),
]
SDIST_PHASE = ("sdist", DATA_FILES // 2)
DEVELOP_PHASES = [("develop-install", DATA_FILES // 2), ("develop-record", 1)]
# Phases after which the wheel's temporary file exists but is not a zip yet.
OPEN_ARCHIVE = ("data-dir", "wheel-member", "record")
LANDED: list[tuple[str, str]] = []


def complete(wheel: Path) -> bool:
    """A wheel that opens, whose members all read back, and whose RECORD lists them all."""
    with zipfile.ZipFile(wheel) as z:
        if z.testzip() is not None:
            return False
        records = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            return False
        listed = {line.split(",")[0] for line in z.read(records[0]).decode().splitlines()}
        return listed == set(z.namelist())


class Project:
    """pyo3-pure under its own name (the shared target dir keeps pyo3_pure's library intact),
    with a data directory of many files."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self.dir = root / "kill-data"
        shutil.copytree(CRATES / "pyo3-pure", self.dir, ignore=shutil.ignore_patterns("target"))
        for rel, old, new in (
            ("Cargo.toml", 'name = "pyo3_pure"', 'name = "kill_data"'),
            ("Cargo.toml", 'name = "pyo3-pure"', 'name = "kill-data"'),
            ("pyproject.toml", 'name = "pyo3-pure"', 'name = "kill-data"'),
            ("src/lib.rs", "mod pyo3_pure", "mod kill_data"),
        ):
            path = self.dir / rel
            path.write_text(path.read_text().replace(old, new))
        with (self.dir / "pyproject.toml").open("a") as f:
            f.write('\n[tool.maturin]\ndata = "kill_data.data"\n')
        share = self.dir / "kill_data.data" / "data" / "share" / "kill-data"
        share.mkdir(parents=True)
        for i in range(DATA_FILES):
            (share / f"f{i:03}.txt").write_text(f"file {i}\n" + "x" * (1000 + 37 * i))
        self.lib = self.dir / "src" / "lib.rs"
        self.original = self.lib.read_text()
        self.tmp = tmp  # the TMPDIR every run gets
        self.tmp.mkdir()
        # ``cargo``: the wrapper marks the phase and becomes cargo (same pid).
        self.cargo = root / "cargo-marking"
        real = shutil.which("cargo")
        assert real, "cargo is on PATH"
        self.cargo.write_text(
            "#!/bin/sh\n"
            'if [ "$FERRULE_TEST_PAUSE_AT" = cargo:1 ] && [ "$1" = rustc ]; then\n'
            '  echo "cargo $$" > "$FERRULE_TEST_PAUSE_FILE.tmp"\n'
            '  mv "$FERRULE_TEST_PAUSE_FILE.tmp" "$FERRULE_TEST_PAUSE_FILE"\n'
            "fi\n"
            f'exec "{real}" "$@"\n'
        )
        self.cargo.chmod(self.cargo.stat().st_mode | stat.S_IXUSR)

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "FERRULE_NO_CACHE": "1", "TMPDIR": str(self.tmp), "CARGO": str(self.cargo)}

    def returns(self, value: int) -> None:
        """Make ``sum_as_string(2, 3)`` return ``value`` (cargo recompiles the crate)."""
        self.lib.write_text(
            self.original.replace("(a + b).to_string()", f"(a + b + {value - 5}).to_string()")
        )

    def staging_dirs(self) -> list[str]:
        return sorted(p.name for p in self.tmp.glob("ferrule-*"))


def children(pid: int, name: str) -> list[int]:
    """Running processes called ``name`` whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, _, rest = (entry / "stat").read_text().partition(") ")
        except OSError:
            continue
        if comm.split(" (", 1)[1] == name and int(rest.split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _default_sigint() -> None:
    """Ctrl-C as a terminal delivers it: a suite started in the background by a shell
    without job control inherits SIGINT ignored, and Python then keeps ignoring it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def kill_at(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    phase: str,
    nth: int,
    marker_dir: Path,
    sig: signal.Signals = signal.SIGKILL,
) -> int:
    """Run ``argv`` until it reaches ``phase`` (the ``nth`` time), send its process group
    ``sig`` there (SIGINT: and let it go on, to see it clean up); return its pid."""
    marker = marker_dir / f"{phase}.marker"
    marker.unlink(missing_ok=True)
    env = {**env, "FERRULE_TEST_PAUSE_AT": f"{phase}:{nth}", "FERRULE_TEST_PAUSE_FILE": str(marker)}
    log = marker_dir / f"{phase}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
            start_new_session=True, preexec_fn=_default_sigint,  # noqa: PLW1509 - signal() only
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            if proc.poll() is not None:
                pytest.fail(f"finished without reaching {phase}:\n{log.read_text()}")
            assert time.monotonic() < deadline, f"{phase} not reached in 300 s"
            time.sleep(0.01)
        landed, pid_text = marker.read_text().split()
        pid = int(pid_text)
        # Where the process is when it dies: cargo compiling, or ferrule stopped at the point.
        proc_dir = Path("/proc") / pid_text
        while True:
            if phase == "cargo":
                # cargo itself, with rustc compiling the crate below it.
                if (proc_dir / "comm").read_text().strip() == "cargo" and children(pid, "rustc"):
                    break
            elif (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0] == "T":
                break
            time.sleep(0.005)
        os.killpg(proc.pid, sig)
        if sig != signal.SIGKILL:
            os.killpg(proc.pid, signal.SIGCONT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    assert landed == phase, f"asked to stop at {phase}, stopped at {landed}"
    where = "cargo (rustc compiling below it)" if phase == "cargo" else "ferrule"
    print(f"\n[kill] {phase} (#{nth}): {sig.name} to the group of {where} pid {pid}")
    if sig == signal.SIGKILL:
        LANDED.append((phase, where))
    return proc.pid


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("kill")
    yield Project(root, root / "tmp")
    print("\n[kill] phases the kills landed in:", ", ".join(p for p, _ in LANDED))


@pytest.fixture(scope="module")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The output directory with a complete wheel, and a venv to install each new wheel into."""
    out = tmp_path_factory.mktemp("kill-out")
    argv = [sys.executable, "-m", "ferrule", "build", "--release", "-o", str(out)]
    subprocess.run(argv, cwd=project.dir, env=project.env(clean_env()), check=True)
    venv = VEnv(tmp_path_factory.mktemp("kill-venv") / "venv")
    return {"out": out, "argv": argv, "venv": venv, "installed": set()}


def install_and_call(venv: VEnv, wheel: Path, installed: set[str]) -> None:
    """Install ``wheel`` (once per distinct content), import it, call it, read a data file."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest not in installed:
        venv.pip("install", "--no-deps", "--no-index", "--force-reinstall", "-q", wheel)
        installed.add(digest)
    script = (
        f"{CHECK}; import sys, pathlib; "
        "print(pathlib.Path(sys.prefix, 'share/kill-data/f007.txt').read_text().split()[1])"
    )
    assert venv.run_python("-c", script).split() == ["5", "7"]


def test_every_phase_is_killed_in() -> None:
    """The phases below cover every point ferrule names, plus cargo itself."""
    named = [p for p, _ in [*BUILD_PHASES, SDIST_PHASE, *DEVELOP_PHASES]]
    assert sorted(named) == sorted(["cargo", *PHASES])
    assert len(named) == 10


@pytest.mark.parametrize(("phase", "nth"), BUILD_PHASES, ids=[p for p, _ in BUILD_PHASES])
def test_build_killed_in(
    phase: str, nth: int, project: Project, built: dict[str, object], tmp_path: Path
) -> None:
    out, argv, venv = built["out"], built["argv"], built["venv"]
    assert isinstance(out, Path) and isinstance(argv, list) and isinstance(venv, VEnv)
    (before,) = out.glob("*.whl")
    old = before.read_bytes()
    if phase == "cargo":
        project.lib.write_text(project.original + "\n// changed: cargo compiles again\n")
    env = project.env(clean_env())
    pid = kill_at(argv, project.dir, env, phase, nth, tmp_path)

    # Right after the kill: the wheel in place is whole (the old one, or the new one).
    (wheel,) = out.glob("*.whl")
    assert complete(wheel)
    if phase != "after-replace":
        assert wheel.read_bytes() == old
    parts = list(out.glob(".*.part"))
    if phase in (*OPEN_ARCHIVE, "before-replace"):
        (part,) = parts  # the temporary file is where the partial archive is
        assert f"ferrule-{pid}-" in part.name
        assert zipfile.is_zipfile(part) == (phase == "before-replace")
    else:
        assert parts == []
    assert any(name.startswith(f"ferrule-build-{pid}-") for name in project.staging_dirs())

    # The next build succeeds, removes what the killed one left, and its wheel works.
    subprocess.run(argv, cwd=project.dir, env=env, check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == [wheel.name]
    assert complete(wheel)
    assert project.staging_dirs() == []
    installed = built["installed"]
    assert isinstance(installed, set)
    install_and_call(venv, wheel, installed)


def test_build_interrupted_cleans_up_at_once(
    project: Project, built: dict[str, object], tmp_path: Path
) -> None:
    """Ctrl-C (SIGINT) in the middle of the wheel: the process itself removes its files."""
    out, argv = built["out"], built["argv"]
    assert isinstance(out, Path) and isinstance(argv, list)
    (wheel,) = out.glob("*.whl")
    old = wheel.read_bytes()
    kill_at(argv, project.dir, project.env(clean_env()), "record", 1, tmp_path, signal.SIGINT)
    assert sorted(p.name for p in out.iterdir()) == [wheel.name]
    assert wheel.read_bytes() == old
    assert project.staging_dirs() == []
    assert "Traceback" not in (tmp_path / "record.log").read_text()


def test_sdist_killed_in(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "sdist"
    argv = [sys.executable, "-m", "ferrule", "sdist", "-o", str(out)]
    env = project.env(clean_env())
    phase, nth = SDIST_PHASE
    pid = kill_at(argv, project.dir, env, phase, nth, tmp_path)
    (part,) = out.iterdir()  # no .tar.gz: only the writer's temporary file
    assert part.name.endswith(".part") and f"ferrule-{pid}-" in part.name

    subprocess.run(argv, cwd=project.dir, env=env, check=True, capture_output=True)
    (sdist,) = out.iterdir()
    assert sdist.name.endswith(".tar.gz")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None and len(handle.read()) == member.size
    data = [n for n in names if "/kill_data.data/data/share/kill-data/" in n]
    assert len(data) == DATA_FILES
    assert any(n.endswith("/src/lib.rs") for n in names)


@pytest.fixture(scope="module")
def developed(project: Project, tmp_path_factory: pytest.TempPathFactory) -> VEnv:
    venv = VEnv(tmp_path_factory.mktemp("kill-develop") / "venv")
    project.returns(5)
    argv = [sys.executable, "-m", "ferrule", "develop"]
    subprocess.run(argv, cwd=project.dir, env=project.env(venv.env), check=True)
    assert venv.run_python("-c", CHECK).strip() == "5"
    return venv


def leftovers(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*.ferrule-tmp")]


@pytest.mark.parametrize(("phase", "nth"), DEVELOP_PHASES, ids=[p for p, _ in DEVELOP_PHASES])
def test_develop_killed_in(
    phase: str, nth: int, project: Project, developed: VEnv, tmp_path: Path
) -> None:
    venv = developed
    old = int(venv.run_python("-c", CHECK))
    new = old + 1
    project.returns(new)
    argv = [sys.executable, "-m", "ferrule", "develop"]
    env = project.env(venv.env)
    pid = kill_at(argv, project.dir, env, phase, nth, tmp_path)

    # The environment keeps a working install: the old version, the new one, or a mix.
    assert int(venv.run_python("-c", CHECK)) in (old, new)
    version = "import importlib.metadata as m; print(m.version('kill-data'))"
    assert venv.run_python("-c", version).strip() == "0.3.1"
    tmp_files = leftovers(venv.path)
    if phase == "develop-install":
        (half,) = tmp_files  # the one file being written, under its temporary name
        assert f".{pid}.ferrule-tmp" in half.name
    else:
        assert tmp_files == []
    assert any(name.startswith(f"ferrule-develop-{pid}-") for name in project.staging_dirs())

    subprocess.run(argv, cwd=project.dir, env=env, check=True, capture_output=True)
    assert int(venv.run_python("-c", CHECK)) == new
    assert leftovers(venv.path, project.dir) == []
    assert project.staging_dirs() == []
    venv.pip("check")


def test_concurrent_builds_of_one_project(pure_wheel_cli: Path, tmp_path: Path) -> None:
    """Two terminals building the same project into the same directory at once."""
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "ferrule", "build", "--release", "-o", str(out)]
    for _ in range(3):
        procs = [
            subprocess.Popen(
                argv,
                cwd=CRATES / "pyo3-pure",
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr
        (wheel,) = out.glob("*.whl")
        assert complete(wheel)
        assert sorted(p.name for p in out.iterdir()) == [wheel.name]
