"""The development loop, ferrule vs maturin, in one run (issue 7's figures).

Three numbers, each a median over several repetitions, on the same pyo3 crate
(tests/crates/pyo3-pure, copied to a temporary directory):

1. ``develop`` when nothing changed: ferrule / maturin (target: ratio <= 0.1);
2. ``develop`` after a one-line Rust change: ferrule / maturin (target: <= 1.0);
3. the import hook's cost when nothing changed: ``import pyo3_pure`` with
   ``--rebuild-on-import`` minus the same import with the hook switched off,
   plus the hook module's own import at interpreter start-up (target: <= 5 ms).

Each tool gets its own venv and cargo target directory (they configure pyo3
differently, and sharing one would make cargo rebuild pyo3 as they alternate).
Runs alternate between the tools so that machine load affects both alike.

    .venv/bin/python bench/develop.py [--reps 7] [--target-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRATE = ROOT / "tests" / "crates" / "pyo3-pure"
BIN = Path(sys.executable).parent


def run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {argv}\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def base_env(venv: Path, target: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every run of a Python
    # tool recompile its modules; users' machines cache byte-code, so the bench does too.
    drop = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        VIRTUAL_ENV=str(venv),
        CARGO_TARGET_DIR=str(target),
        PATH=f"{venv / 'bin'}{os.pathsep}{BIN}{os.pathsep}{env.get('PATH', '')}",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def edit(lib: Path, original: str, n: int) -> None:
    """A one-line change: the string sum_as_string returns gets a different suffix."""
    text = original.replace(
        "Ok((a + b).to_string())", f'Ok(format!("{{}}_{n}", a + b).replace("_{n}", ""))'
    )
    assert text != original
    lib.write_text(text)


def import_time(python: Path, env: dict[str, str], reps: int) -> float:
    """Median in-process time of ``import pyo3_pure`` in fresh interpreters, in seconds."""
    code = "import time; t = time.perf_counter(); import pyo3_pure; print(time.perf_counter() - t)"
    times = []
    for _ in range(reps):
        out = subprocess.run(
            [str(python), "-c", code], env=env, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def hook_startup_cost(python: Path, env: dict[str, str], reps: int) -> float:
    """The hook module's import at start-up (the .pth line), from -X importtime, median."""
    times = []
    for _ in range(reps):
        err = subprocess.run(
            [str(python), "-X", "importtime", "-c", "pass"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        total = 0
        for line in err.splitlines():
            if "_ferrule_rebuild_" in line:
                total += int(line.split("|")[1])  # cumulative microseconds
        times.append(total / 1e6)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument(
        "--target-dir",
        type=Path,
        default=Path(os.environ.get("FERRULE_TEST_TARGET_DIR", ROOT / ".cache" / "target")),
        help="cargo target dir for ferrule (maturin gets DIR-maturin)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every sample")
    opts = parser.parse_args()
    maturin = shutil.which("maturin", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if maturin is None:
        raise SystemExit("maturin is not installed (scripts/setup.sh installs it)")
    ferrule = [sys.executable, "-m", "ferrule"]

    with tempfile.TemporaryDirectory(prefix="ferrule-bench-develop-") as tmp_:
        tmp = Path(tmp_)
        crate = tmp / "pyo3-pure"
        shutil.copytree(CRATE, crate, ignore=shutil.ignore_patterns("target"))
        lib = crate / "src" / "lib.rs"
        original = lib.read_text()
        venvs = {}
        for tool in ("ferrule", "maturin"):
            venvs[tool] = tmp / f"venv-{tool}"
            subprocess.run([sys.executable, "-m", "venv", venvs[tool]], check=True)
        envs = {
            "ferrule": base_env(venvs["ferrule"], opts.target_dir),
            "maturin": base_env(venvs["maturin"], Path(f"{opts.target_dir}-maturin")),
        }
        # ferrule's replay records go to the user cache directory: keep the bench's apart.
        envs["ferrule"]["XDG_CACHE_HOME"] = str(tmp / "cache")
        commands = {
            "ferrule": [*ferrule, "develop"],
            "maturin": [maturin, "develop"],
        }
        print(f"warming up (first builds) in {tmp}", file=sys.stderr)
        for tool in ("ferrule", "maturin"):
            run(commands[tool], cwd=crate, env=envs[tool])
            run(commands[tool], cwd=crate, env=envs[tool])

        results: dict[str, dict[str, list[float]]] = {
            case: {tool: [] for tool in commands} for case in ("noop", "edit")
        }
        for rep in range(opts.reps):
            order = ("ferrule", "maturin") if rep % 2 == 0 else ("maturin", "ferrule")
            for tool in order:
                results["noop"][tool].append(run(commands[tool], cwd=crate, env=envs[tool]))
            # One edit, then each tool rebuilds it (from its own target dir).
            edit(lib, original, rep)
            for tool in order:
                results["edit"][tool].append(run(commands[tool], cwd=crate, env=envs[tool]))
        lib.write_text(original)
        for tool, command in commands.items():
            run(command, cwd=crate, env=envs[tool])

        # The import hook: installed with --rebuild-on-import, nothing changed.
        fenv = envs["ferrule"]
        run([*commands["ferrule"], "--rebuild-on-import"], cwd=crate, env=fenv)
        python = venvs["ferrule"] / "bin" / "python"
        check = subprocess.run(
            [str(python), "-c", "import pyo3_pure; print(pyo3_pure.sum_as_string(2, 3))"],
            env=fenv,
            capture_output=True,
            text=True,
            check=True,
        )
        if check.stdout.strip() != "5" or "rebuilding" in check.stderr:
            raise SystemExit(f"unexpected: {check.stdout!r} {check.stderr!r}")
        reps = max(opts.reps * 3, 15)
        on = import_time(python, fenv, reps)
        off = import_time(python, {**fenv, "FERRULE_REBUILD_ON_IMPORT": "0"}, reps)
        startup = hook_startup_cost(python, fenv, reps)

    def line(case: str, label: str, target: float) -> None:
        f = statistics.median(results[case]["ferrule"])
        m = statistics.median(results[case]["maturin"])
        verdict = "ok" if f / m <= target else "OVER TARGET"
        print(
            f"{label:<34} ferrule {f * 1000:8.1f} ms   maturin {m * 1000:8.1f} ms   "
            f"ratio {f / m:5.3f} (target <= {target}) {verdict}"
        )

    print(f"medians over {opts.reps} runs each, {os.cpu_count()} CPUs")
    if opts.verbose:
        for case, tools in results.items():
            for tool, samples in tools.items():
                print(f"  {case:5} {tool:8} " + " ".join(f"{t * 1000:.0f}" for t in samples))
    line("noop", "develop, nothing changed", 0.1)
    line("edit", "develop, one-line Rust change", 1.0)
    overhead = (on - off) + startup
    print(
        f"{'import hook, nothing changed':<34} check {(on - off) * 1000:6.2f} ms + start-up "
        f"{startup * 1000:5.2f} ms = {overhead * 1000:5.2f} ms (target <= 5 ms) "
        f"{'ok' if overhead <= 0.005 else 'OVER TARGET'}   "
        f"[import with hook {on * 1000:.2f} ms, without {off * 1000:.2f} ms]"
    )


if __name__ == "__main__":
    main()
