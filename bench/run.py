"""ferrule vs maturin, side by side in one run.

Usage: ``bash bench/run.sh`` (sets up, then runs this) or
``.venv/bin/python bench/run.py [--reps N] [--only CASE ...] [--json PATH]``.

Each case runs the two tools alternately, ``--reps`` times each, on copies of
the same test crates; every tool has its own cargo target directory (so neither
invalidates the other's cache), and for ``develop`` its own virtual
environment. Reported: the median wall time of each tool, the ratio
ferrule/maturin, and the peak resident memory of each process tree.
Timings are only reported, never asserted: targets are listed next to them.

``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes) is dropped from the
measured environment: it would make every run of a Python tool compile its
modules again, and no user works like that.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRATE = ROOT / "tests" / "crates" / "pyo3-pure"
WORK = ROOT / ".cache" / "bench"
BIN = Path(sys.executable).parent


@dataclass
class Sample:
    seconds: float
    peak_mib: float


@dataclass
class Result:
    case: str
    target: str
    ferrule: list[Sample] = field(default_factory=list)
    maturin: list[Sample] = field(default_factory=list)
    note: str = ""
    # A reference both tools are held to (the start-up row: a bare ``python -c pass``).
    baseline: list[Sample] = field(default_factory=list)
    # "flat" targets: ferrule's peak in the smallest case of the same target (set by link_flat).
    flat_reference: float | None = None

    def median(self, tool: str) -> float | None:
        samples = getattr(self, tool)
        return statistics.median(s.seconds for s in samples) if samples else None

    def peak(self, tool: str) -> float | None:
        samples = getattr(self, tool)
        return max(s.peak_mib for s in samples) if samples else None

    @property
    def ratio(self) -> float | None:
        f, m = self.median("ferrule"), self.median("maturin")
        return f / m if f is not None and m else None


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run ``argv``; wall time and the peak RSS of the process and its waited-for children."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{err.decode()[-3000:]}")
    return Sample(elapsed, usage.ru_maxrss / 1024)


def env_for(tool: str, **extra: str) -> dict[str, str]:
    dropped = (
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CARGO_TARGET_DIR",
        "PYTHONDONTWRITEBYTECODE",
        "FERRULE_CACHE_DIR",
        "FERRULE_NO_CACHE",
    )
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["CARGO_TARGET_DIR"] = str(WORK / f"target-{tool}")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # ferrule's caches (metadata answers, replay records) stay inside the bench's tree.
    env["FERRULE_CACHE_DIR"] = str(WORK / "ferrule-cache")
    env.update(extra)
    return env


def copy_crate(name: str, source: Path = CRATE) -> Path:
    dest = WORK / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("target"))
    return dest


FERRULE = [str(BIN / "ferrule")]
MATURIN = [str(BIN / "maturin")]


def alternate(
    result: Result,
    reps: int,
    run: Callable[[str], Sample],
    before: Callable[[str], None] | None = None,
) -> Result:
    for rep in range(reps):
        # Who goes first changes every repetition: neither tool always runs on the
        # caches (page cache, CPU state) the other one just warmed.
        for tool in ("ferrule", "maturin") if rep % 2 == 0 else ("maturin", "ferrule"):
            if before:
                before(tool)
            getattr(result, tool).append(run(tool))
    return result


def tool_argv(tool: str) -> list[str]:
    return FERRULE if tool == "ferrule" else MATURIN


# --- cases ---------------------------------------------------------------------------


def case_clean_build(reps: int) -> Result:
    project = copy_crate("clean")
    out = WORK / "out-clean"

    def wipe(tool: str) -> None:
        shutil.rmtree(WORK / f"target-{tool}", ignore_errors=True)

    def run(tool: str) -> Sample:
        return measure(
            [*tool_argv(tool), "build", "--release", "-o", str(out / tool)], project, env_for(tool)
        )

    return alternate(Result("clean release build (pyo3 included)", "<= 1.02"), reps, run, wipe)


# FERRULE_NO_CACHE=1: no replay of builds and sdists, no metadata cache. The
# "... without cache" cases show what the full path costs when a replay is not
# possible (a changed project, a first run); issue 22 gives them targets of their own.
NO_CACHE = {"FERRULE_NO_CACHE": "1"}


def case_noop_build(reps: int, cached: bool = True) -> Result:
    project = copy_crate("noop")
    out = WORK / "out-noop"
    extra = {} if cached else NO_CACHE

    def run(tool: str) -> Sample:
        return measure(
            [*tool_argv(tool), "build", "--release", "-o", str(out / tool)],
            project,
            env_for(tool, **extra),
        )

    for tool in ("ferrule", "maturin"):
        run(tool)  # warm
    if cached:
        return alternate(Result("no-op release build", "<= 0.5"), reps, run)
    return alternate(
        Result("no-op release build, ferrule without cache (no replay)", "<= 0.4"), reps, run
    )


def case_one_line_change(reps: int, cached: bool = True) -> Result:
    project = copy_crate("change")
    out = WORK / "out-change"
    extra = {} if cached else NO_CACHE
    lib = project / "src" / "lib.rs"
    original = lib.read_text()
    counter = iter(range(10**6))

    def run(tool: str) -> Sample:
        return measure(
            [*tool_argv(tool), "build", "--release", "-o", str(out / tool)],
            project,
            env_for(tool, **extra),
        )

    def edit(tool: str) -> None:
        lib.write_text(
            original.replace("(a + b).to_string()", f"(a + b + {next(counter)} * 0).to_string()")
        )

    for tool in ("ferrule", "maturin"):
        run(tool)
    name = "release build after a one-line Rust change"
    name += "" if cached else ", ferrule without cache"
    return alternate(Result(name, "<= 1.0"), reps, run, edit)


# --- the development loop --------------------------------------------------------------


@dataclass
class DevelopSetup:
    """One copy of the crate; each tool installs it into its own venv (they configure
    pyo3 differently, and one venv or target directory for both would make cargo
    rebuild pyo3 as they alternate)."""

    project: Path
    lib: Path
    original: str
    envs: dict[str, dict[str, str]]
    venvs: dict[str, Path]

    def develop(self, tool: str, *extra: str, cached: bool = True) -> Sample:
        env = self.envs[tool] if cached else {**self.envs[tool], **NO_CACHE}
        return measure([*tool_argv(tool), "develop", *extra], self.project, env)

    def edit(self, n: int) -> None:
        """A one-line change: the string sum_as_string returns is built differently."""
        text = self.original.replace(
            "Ok((a + b).to_string())", f'Ok(format!("{{}}_{n}", a + b).replace("_{n}", ""))'
        )
        assert text != self.original, "tests/crates/pyo3-pure/src/lib.rs changed: update the edit"
        self.lib.write_text(text)


@functools.cache
def develop_setup() -> DevelopSetup:
    """Made once per run: the three development-loop cases share it."""
    project = copy_crate("develop")
    lib = project / "src" / "lib.rs"
    envs, venvs = {}, {}
    for tool in ("ferrule", "maturin"):
        venv = WORK / f"venv-{tool}"
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        env = env_for(tool, VIRTUAL_ENV=str(venv), CARGO_TARGET_DIR=str(WORK / f"dev-{tool}"))
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
        envs[tool], venvs[tool] = env, venv
    setup = DevelopSetup(project, lib, lib.read_text(), envs, venvs)
    for tool in ("ferrule", "maturin"):
        setup.develop(tool)  # first build (pyo3 in the dev profile)
        setup.develop(tool)
    return setup


def case_develop_noop(reps: int, cached: bool = True) -> Result:
    setup = develop_setup()
    setup.lib.write_text(setup.original)
    for tool in ("ferrule", "maturin"):
        setup.develop(tool)

    def run(tool: str) -> Sample:
        return setup.develop(tool, cached=cached)

    if cached:
        return alternate(Result("`develop`, nothing changed", "<= 0.1"), reps, run)
    return alternate(
        Result("`develop`, nothing changed, ferrule without cache (no replay)", "<= 0.4"),
        reps,
        run,
    )


def case_develop_change(reps: int, cached: bool = True) -> Result:
    setup = develop_setup()
    counter = iter(range(10**6))
    name = "`develop` after a one-line Rust change"
    result = alternate(
        Result(name if cached else f"{name}, ferrule without cache", "<= 1.0"),
        reps,
        lambda tool: setup.develop(tool, cached=cached),
        lambda _tool: setup.edit(next(counter)),
    )
    setup.lib.write_text(setup.original)
    return result


def case_switching(reps: int, cached: bool = True) -> Result:
    """Issue 22: ``cargo test`` then ``develop``, alternately; the develop is timed.

    maturin's develop configures pyo3 differently from plain cargo in the venv, so
    each switch recompiles pyo3-ffi and pyo3; ferrule keeps its pyo3 crates apart
    (docs/develop.md, "Switching between cargo and ferrule").
    """
    setup = develop_setup()
    setup.lib.write_text(setup.original)

    def cargo_test(tool: str) -> None:
        subprocess.run(
            ["cargo", "test", "-q"],
            cwd=setup.project,
            env=setup.envs[tool],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )

    for tool in ("ferrule", "maturin"):  # both kinds built once
        cargo_test(tool)
        setup.develop(tool)
    name = "`develop` after `cargo test` (switching)"
    return alternate(
        Result(name if cached else f"{name}, ferrule without cache", "<= 0.1"),
        reps,
        lambda tool: setup.develop(tool, cached=cached),
        cargo_test,
    )


def case_import_hook(reps: int) -> Result:
    """ferrule only: what ``develop --rebuild-on-import`` adds to ``import`` when nothing
    changed (the hook's check, plus its module imported at start-up from the .pth line)."""
    setup = develop_setup()
    setup.lib.write_text(setup.original)
    env = setup.envs["ferrule"]
    setup.develop("ferrule", "--rebuild-on-import")
    python = str(setup.venvs["ferrule"] / "bin" / "python")
    check = subprocess.run(
        [python, "-c", "import pyo3_pure; print(pyo3_pure.sum_as_string(2, 3))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    if check.stdout.strip() != "5" or "rebuilding" in check.stderr:
        raise SystemExit(f"import hook: unexpected {check.stdout!r} {check.stderr!r}")
    timed = "import time; t = time.perf_counter(); import pyo3_pure; print(time.perf_counter() - t)"

    def import_seconds(extra: dict[str, str]) -> float:
        out = subprocess.run(
            [python, "-c", timed], env={**env, **extra}, capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    def startup_seconds() -> float:
        err = subprocess.run(
            [python, "-X", "importtime", "-c", "pass"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        micros = sum(
            int(line.split("|")[1]) for line in err.splitlines() if "_ferrule_rebuild_" in line
        )
        return micros / 1e6

    result = Result("import hook overhead, nothing changed (ferrule only)", "<= 5 ms")
    for _ in range(max(reps * 3, 15)):
        on = import_seconds({})
        off = import_seconds({"FERRULE_REBUILD_ON_IMPORT": "0"})
        result.ferrule.append(Sample(max(on - off, 0.0) + startup_seconds(), 0.0))
    result.note = "the hook's check plus its start-up import; no maturin counterpart"
    setup.develop("ferrule")  # back to a plain develop install
    return result


def case_metadata(reps: int, cached: bool = True) -> Result:
    project = copy_crate("metadata")
    out = WORK / "out-metadata"
    extra = {} if cached else NO_CACHE
    hook = "import sys, ferrule; ferrule.prepare_metadata_for_build_wheel(sys.argv[1])"

    def run(tool: str) -> Sample:
        target = out / tool
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if tool == "ferrule":
            return measure(
                [sys.executable, "-c", hook, str(target)], project, env_for(tool, **extra)
            )
        return measure(
            [*MATURIN, "pep517", "write-dist-info", "--metadata-directory", str(target)],
            project,
            env_for(tool),
        )

    for tool in ("ferrule", "maturin"):
        run(tool)
    name = "metadata hook (prepare_metadata_for_build_wheel / write-dist-info)"
    if not cached:
        return alternate(Result(f"{name}, ferrule without cache", "<= 0.5"), reps, run)
    return alternate(Result(name, "<= 0.2"), reps, run)


def case_sdist(reps: int, cached: bool = True) -> Result:
    project = copy_crate("sdist")
    out = WORK / "out-sdist"
    extra = {} if cached else NO_CACHE

    def run(tool: str) -> Sample:
        target = out / tool
        shutil.rmtree(target, ignore_errors=True)
        return measure(
            [*tool_argv(tool), "sdist", "-o", str(target)], project, env_for(tool, **extra)
        )

    for tool in ("ferrule", "maturin"):
        run(tool)
    if not cached:
        return alternate(Result("sdist, ferrule without cache", "<= 1.0"), reps, run)
    return alternate(Result("sdist", "<= 1.0"), reps, run)


def case_startup(reps: int) -> Result:
    """``--version`` of each tool, and a bare ``python -c pass`` of the interpreter the
    ``ferrule`` script runs on (the floor any Python CLI starts from): the target is
    ferrule's median within 1.3 times the bare interpreter's."""
    result = Result("CLI start-up (`--version`)", "<= 1.3x python")

    def run(tool: str) -> Sample:
        return measure([*tool_argv(tool), "--version"], WORK, env_for(tool))

    for rep in range(reps):
        result.baseline.append(measure([sys.executable, "-c", "pass"], WORK, env_for("ferrule")))
        for tool in ("ferrule", "maturin") if rep % 2 == 0 else ("maturin", "ferrule"):
            getattr(result, tool).append(run(tool))
    bare = statistics.median(s.seconds for s in result.baseline)
    result.case += f"; bare `python -c pass` {bare * 1000:.1f} ms"
    return result


def make_large_project(files: int, data_mib: int) -> Path:
    """A mixed project: the pyo3 crate plus ``files`` Python modules and ``data_mib`` of data."""
    project = copy_crate(f"large-{files}-{data_mib}")
    package = project / "pyo3_pure"
    package.mkdir()
    (package / "__init__.py").write_text("from .pyo3_pure import *\n")
    for i in range(files):
        sub = package / f"mod{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"m{i:05d}.py").write_text(f"VALUE = {i}\n\ndef f(x):\n    return x + {i}\n" * 5)
    data = package / "data"
    data.mkdir()
    chunk = os.urandom(1 << 20)  # incompressible, like real binary data
    for i in range(data_mib):
        (data / f"blob{i:04d}.bin").write_bytes(chunk[i:] + chunk[:i])
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.maturin]\nmodule-name = "pyo3_pure.pyo3_pure"\n'
    )
    return project


def case_large(reps: int, files: int, data_mib: int) -> Result:
    project = make_large_project(files, data_mib)
    out = WORK / f"out-large-{data_mib}"

    def run(tool: str) -> Sample:
        # No wheel from before: both tools really write the archive (ferrule
        # would otherwise leave an identical wheel alone).
        shutil.rmtree(out / tool, ignore_errors=True)
        return measure(
            [*tool_argv(tool), "build", "--release", "-o", str(out / tool)], project, env_for(tool)
        )

    for tool in ("ferrule", "maturin"):
        run(tool)  # compile once: the repetitions measure packaging
    return alternate(
        Result(
            f"package a large mixed project ({files} .py files, {data_mib} MiB data)",
            "<= 1.0, peak <= 64 MiB and flat",
        ),
        reps,
        run,
    )


def case_scale(reps: int, files: int) -> Result:
    """Packaging alone, at scale: ``files`` Python modules, no data; time and peak memory."""
    project = make_large_project(files, 0)
    out = WORK / f"out-scale-{files}"

    def run(tool: str) -> Sample:
        shutil.rmtree(out / tool, ignore_errors=True)
        return measure(
            [*tool_argv(tool), "build", "--release", "-o", str(out / tool)], project, env_for(tool)
        )

    for tool in ("ferrule", "maturin"):
        run(tool)  # compile once: the repetitions measure packaging
    return alternate(
        Result(f"package {files:,} .py files", "<= 1.0, peak <= 64 MiB, flat"), reps, run
    )


MULTI_CRATE = ROOT / "tests" / "crates" / "tags-pypy"


def other_cpython() -> str | None:
    """A CPython of another minor version than the bench's own, from PATH or pyenv's
    versions (pyenv's shims run only the active version): the newest found."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    path = os.pathsep.join(
        [*sorted(str(p) for p in root.glob("versions/*/bin")), os.environ.get("PATH", "")]
    )
    # Up to 3.14: what pyo3 0.26 (tags-pypy) builds for.
    for minor in range(14, 5, -1):
        exe = shutil.which(f"python3.{minor}", path=path)
        if minor == sys.version_info[1] or exe is None:
            continue
        code = "import sys; print(sys.implementation.name)"
        probe = subprocess.run([exe, "-c", code], capture_output=True, text=True, check=False)
        if probe.returncode == 0 and probe.stdout.strip() == "cpython":
            return exe
    return None


def case_multi_interpreter(reps: int, abi3: bool) -> Result:
    """Several interpreters in one run (tests/crates/tags-pypy, pyo3 0.26, the newest
    with PyPy 3.9): the bench's CPython, a second CPython where the machine has one,
    and PyPy 3.9. ``abi3``: the crate as it is, one abi3 wheel for every CPython and
    one PyPy wheel; else the crate without abi3, one wheel per interpreter. Warm target
    directory, the wheels written every time."""
    project = copy_crate("multi-abi3" if abi3 else "multi", MULTI_CRATE)
    if not abi3:
        manifest = project / "Cargo.toml"
        manifest.write_text(manifest.read_text().replace(', "abi3-py38"', ""))
    out = WORK / ("out-multi-abi3" if abi3 else "out-multi")
    own = f"python3.{sys.version_info[1]}"
    second = other_cpython()
    pythons = ["-i", sys.executable, *([second] if second else []), "pypy3.9"]
    names = [f"CPython 3.{sys.version_info[1]}"]
    if second:
        names.append(f"CPython {Path(second).name.removeprefix('python')}")
    names.append("PyPy 3.9")
    kind = "abi3 once + a PyPy wheel" if abi3 else "one wheel per interpreter"

    def run(tool: str) -> Sample:
        shutil.rmtree(out / tool, ignore_errors=True)
        sample = measure(
            [*tool_argv(tool), "build", "--release", *pythons, "-o", str(out / tool)],
            project,
            env_for(tool),
        )
        wheels = sorted(p.name for p in (out / tool).glob("*.whl"))
        expected = 2 if abi3 else len(names)
        if len(wheels) != expected:
            raise SystemExit(f"multi case ({tool}): {expected} wheels expected, got {wheels}")
        return sample

    for tool in ("ferrule", "maturin"):
        run(tool)
    result = Result(f"{' + '.join(names)} ({kind})", "<= 1.0")
    if not second:
        result.note = f"no CPython besides {own} on this machine"
    return alternate(result, reps, run)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def case_sccache(reps: int) -> Result:
    """Issue 22: a release build of a fresh checkout at another path, empty target
    directory, sccache's local state gone, only the redis cache shared (one redis
    database per tool, filled by a first checkout). Timed: the second checkout."""
    sccache, redis = shutil.which("sccache", path=str(BIN)), shutil.which("redis-server")
    if sccache is None or redis is None:
        raise SystemExit("sccache case: needs sccache and redis-server (scripts/setup.sh)")
    port = _free_port()
    server = subprocess.Popen(
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=WORK,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    counter = iter(range(10**6))
    hits: dict[str, list[str]] = {"ferrule": [], "maturin": []}

    def env(tool: str, n: int) -> dict[str, str]:
        e = env_for(
            tool,
            RUSTC_WRAPPER=sccache,
            SCCACHE_REDIS_ENDPOINT=f"redis://127.0.0.1:{port}/{1 if tool == 'ferrule' else 2}",
            SCCACHE_DIR=str(WORK / f"sccache-{tool}-{n}"),
            SCCACHE_SERVER_PORT=str(_free_port()),
        )
        e.pop("CARGO_TARGET_DIR")  # the checkout's own target/
        return e

    def build(tool: str) -> Sample:
        n = next(counter)
        e = env(tool, n)
        project = copy_crate(f"sccache-{n}/{tool}/checkout")
        subprocess.run([sccache, "--start-server"], env=e, capture_output=True, check=True)
        try:
            out = WORK / f"out-sccache-{tool}"
            shutil.rmtree(out, ignore_errors=True)
            sample = measure([*tool_argv(tool), "build", "--release", "-o", str(out)], project, e)
            stats = json.loads(
                subprocess.run(
                    [sccache, "--show-stats", "--stats-format", "json"],
                    env=e,
                    capture_output=True,
                    check=True,
                ).stdout
            )["stats"]
        finally:
            subprocess.run([sccache, "--stop-server"], env=e, capture_output=True, check=False)
        hit = sum(stats["cache_hits"]["counts"].values())
        miss = sum(stats["cache_misses"]["counts"].values())
        hits[tool].append(f"{hit}/{hit + miss}")
        shutil.rmtree(project.parent.parent, ignore_errors=True)
        return sample

    try:
        time.sleep(0.5)
        for tool in ("ferrule", "maturin"):
            build(tool)  # the first checkout fills the cache
        for seen in hits.values():
            seen.clear()
        result = alternate(
            Result("sccache: second checkout at another path (redis)", "<= 1.0"), reps, build
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    result.note = "cache hits: " + "; ".join(f"{t} {', '.join(h)}" for t, h in hits.items())
    return result


def wheelhouse() -> Path:
    house = WORK / "wheelhouse"
    # ferrule's own wheel is made afresh each run: the benchmark measures this checkout.
    for old in house.glob("ferrule-*.whl"):
        old.unlink()
    house.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(house), str(ROOT)],
        check=True,
    )
    (own,) = house.glob("ferrule-*.whl")
    # Its dependencies, as this checkout declares them.
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "-d", str(house), str(own)], check=True
    )
    if not list(house.glob("maturin-*.whl")):
        version = subprocess.run(
            [*MATURIN, "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[1]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "-d",
                str(house),
                f"maturin=={version}",
            ],
            check=True,
        )
    return house


def case_isolated_pip(reps: int) -> Result:
    house = wheelhouse()
    projects = {}
    for tool in ("ferrule", "maturin"):
        project = copy_crate(f"pip-{tool}")
        pyproject = project / "pyproject.toml"
        if tool == "maturin":
            pyproject.write_text(
                pyproject.read_text()
                .replace('requires = ["ferrule"]', 'requires = ["maturin"]')
                .replace('build-backend = "ferrule"', 'build-backend = "maturin"')
            )
        projects[tool] = project

    def run(tool: str) -> Sample:
        out = WORK / "out-pip" / tool
        shutil.rmtree(out, ignore_errors=True)
        return measure(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "--no-index",
                "--find-links",
                str(house),
                "-w",
                str(out),
                ".",
            ],
            projects[tool],
            env_for(tool),
        )

    for tool in ("ferrule", "maturin"):
        run(tool)
    return alternate(
        Result("isolated `pip wheel .` (backend installed from a local wheelhouse)", "<= 0.9"),
        reps,
        run,
    )


CASES: dict[str, Callable[[int], Result]] = {
    "startup": case_startup,
    "metadata": case_metadata,
    "metadata-nocache": lambda reps: case_metadata(reps, cached=False),
    "noop": case_noop_build,
    "noop-nocache": lambda reps: case_noop_build(reps, cached=False),
    "sdist": case_sdist,
    "sdist-nocache": lambda reps: case_sdist(reps, cached=False),
    "change": case_one_line_change,
    "change-nocache": lambda reps: case_one_line_change(reps, cached=False),
    "develop-noop": case_develop_noop,
    "develop-noop-nocache": lambda reps: case_develop_noop(reps, cached=False),
    "develop-change": case_develop_change,
    "develop-change-nocache": lambda reps: case_develop_change(reps, cached=False),
    "import-hook": case_import_hook,
    "switching": case_switching,
    "switching-nocache": lambda reps: case_switching(reps, cached=False),
    "large": lambda reps: case_large(reps, 5000, 100),
    "large-half": lambda reps: case_large(reps, 5000, 50),
    "pip": case_isolated_pip,
    "clean": case_clean_build,
    "scale-5k": lambda reps: case_scale(reps, 5_000),
    "scale-50k": lambda reps: case_scale(reps, 50_000),
    "multi": lambda reps: case_multi_interpreter(reps, abi3=False),
    "multi-abi3": lambda reps: case_multi_interpreter(reps, abi3=True),
    "sccache": case_sccache,
}
# Repetitions per case when --reps is not given. A clean build is 5 (its spread here is
# about 5%, the size of its target), the isolated pip build more:
# it is mostly pip's own work, whose run-to-run spread is several times the
# difference being measured.
REPS = {
    "clean": 5,
    "large": 3,
    "large-half": 3,
    "change": 5,
    "change-nocache": 5,
    "develop-change": 5,
    "develop-change-nocache": 5,
    "pip": 15,
    "switching": 5,
    "switching-nocache": 5,
    "scale-50k": 3,
    "multi": 3,
    "multi-abi3": 3,
    "sccache": 3,
}


def verdict(r: Result) -> str:
    """``met`` / ``missed`` for a target of the form ``<= X`` (a ratio, or ``X ms``
    for ferrule-only rows), with ``peak <= N MiB`` checked too; empty otherwise.

    >>> r = Result("x", "<= 0.5", [Sample(1.0, 30)], [Sample(4.0, 30)])
    >>> verdict(r), verdict(Result("x", "(reference)", r.ferrule, r.maturin))
    ('met', '')
    >>> verdict(Result("x", "<= 1.0, peak <= 64 MiB", [Sample(1.0, 70)], [Sample(2.0, 9)]))
    'missed'
    >>> verdict(Result("hook", "<= 5 ms", [Sample(0.004, 0)]))
    'met'
    >>> start = Result("cli", "<= 1.3x python", [Sample(0.012, 0)], baseline=[Sample(0.010, 0)])
    >>> verdict(start), verdict(Result("cli", "<= 1.3x python", [Sample(0.014, 0)], baseline=start.baseline))
    ('met', 'missed')
    """
    match = re.match(r"<= ([0-9.]+)( ms|x python)?", r.target)
    if match is None:
        return ""
    limit = float(match.group(1))
    if match.group(2) == "x python":
        bare = statistics.median(s.seconds for s in r.baseline) if r.baseline else None
        ferrule = r.median("ferrule")
        value = ferrule / bare if ferrule is not None and bare else None
    else:
        value = r.median("ferrule") * 1000 if match.group(2) else r.ratio
    if value is None:
        return ""
    ok = value <= limit
    peak = re.search(r"peak <= ([0-9.]+) MiB", r.target)
    if peak:
        ok = ok and (r.peak("ferrule") or 0.0) <= float(peak.group(1))
    if "flat" in r.target and r.flat_reference is not None:
        ok = ok and (r.peak("ferrule") or 0.0) <= FLAT_SLACK * r.flat_reference + 2
    return "met" if ok else "missed"


# "Flat" peak memory: within 10 % (and 2 MiB) of the smallest case with the same target.
FLAT_SLACK = 1.1


def link_flat(results: list[Result]) -> None:
    """Give each row with a "flat" target the smallest ferrule peak among the rows with
    the same target (a row alone is judged on its cap only).

    >>> small = Result("5k", "<= 1.0, flat", [Sample(1.0, 32)], [Sample(2.0, 37)])
    >>> big = Result("50k", "<= 1.0, flat", [Sample(1.0, 52)], [Sample(2.0, 46)])
    >>> link_flat([small, big])
    >>> verdict(small), verdict(big), big.flat_reference
    ('met', 'missed', 32)
    >>> alone = Result("50k", "<= 1.0, flat", [Sample(1.0, 52)], [Sample(2.0, 46)])
    >>> link_flat([alone]); verdict(alone)
    'met'
    """
    groups: dict[str, list[Result]] = {}
    for r in results:
        if "flat" in r.target and r.peak("ferrule"):
            groups.setdefault(r.target, []).append(r)
    for rows in groups.values():
        if len(rows) > 1:
            reference = min(r.peak("ferrule") or 0.0 for r in rows)
            for r in rows:
                r.flat_reference = reference


def render(results: list[Result]) -> str:
    lines = [
        "| case | ferrule (median) | maturin (median) | ratio | target | | peak MiB ferrule / maturin |",
        "| --- | ---: | ---: | ---: | --- | --- | ---: |",
    ]

    def seconds(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value:.3f} s"

    def mib(value: float | None) -> str:
        return "" if not value else f"{value:.0f}"

    for r in results:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        peaks = f"{mib(r.peak('ferrule'))} / {mib(r.peak('maturin'))}".strip(" /")
        lines.append(
            f"| {r.case} | {seconds(r.median('ferrule'))} | {seconds(r.median('maturin'))} | "
            f"{ratio} | {r.target} | {verdict(r)} | {peaks} |"
        )
    return "\n".join(lines)


def machine_facts() -> dict[str, object]:
    """What the numbers depend on: CPU, memory, load while running, toolchain."""

    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return ""

    def version(*argv: str) -> str:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError:
            return ""
        return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""

    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": first("/proc/meminfo", "MemTotal"),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "rustc": version("rustc", "--version"),
        "cargo": version("cargo", "--version"),
        "sccache": version(str(BIN / "sccache"), "--version"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reps", type=int, help="repetitions of every case (default: 7, fewer for slow cases)"
    )
    parser.add_argument("--only", nargs="*", choices=sorted(CASES))
    parser.add_argument(
        "--json",
        type=Path,
        help="where the raw samples go (default: bench/results/DATE-COMMIT.json)",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.only or CASES:
        reps = args.reps or REPS.get(name, 7)
        print(f"== {name} ({reps} reps each)", file=sys.stderr, flush=True)
        results.append(CASES[name](reps))
    link_flat(results)
    table = render(results)
    print(table)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    tools = subprocess.run(
        [*MATURIN, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if args.json is None:
        day = time.strftime("%Y-%m-%d", time.gmtime())
        args.json = ROOT / "bench" / "results" / f"{day}-{commit or 'unknown'}.json"
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": machine,
                "machine_facts": machine_facts(),
                "maturin": tools,
                "ferrule_commit": commit,
                "results": [dict(asdict(r), ratio=r.ratio) for r in results],
            },
            indent=2,
        )
    )
    print(
        f"\n{time.strftime('%Y-%m-%d', time.gmtime())}, {machine}, {tools}; JSON: {args.json}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
