"""Build maturin's test-crates with maturin and with ferrule and compare the wheels.

Usage:
    .venv/bin/python scripts/conformance.py /work/maturin-src [--only NAME...] [--jobs N]
        [--json OUT] [--keep DIR] [--targets DIR]

For each case of scripts/_conformance/cases.py (flags as maturin's own tests use them),
both tools build a fresh copy of the checkout's test-crates/ with `build --release`
(maturin: the pinned one in .venv, by path; ferrule: `python -m ferrule` of this repo).
Each wheel goes into a fresh venv (uv); the crate's check_installed.py runs there. Wheel
names, file lists and METADATA are compared; a markdown table goes to stdout.

Each tool keeps one CARGO_TARGET_DIR per case group under --targets (default
.cache/conformance), so a re-run with --only recompiles only the crates themselves.
Logs of every build, install and check: <work>/logs/<case>.<tool>.log (kept with --keep).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _conformance.cases import CASES, Case, select, unlisted
from _conformance.report import compare_wheels, markdown, totals
from _conformance.runner import Setup, Tool, build_and_check, run

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of maturin's repository")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="cases or crates")
    parser.add_argument("--jobs", type=int, default=1, help="cases built at once (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", type=Path, help="work here and keep copies, wheels and logs")
    parser.add_argument(
        "--targets",
        type=Path,
        default=ROOT / ".cache" / "conformance",
        help="cargo target dirs and the build venv, kept between runs (default .cache/conformance)",
    )
    return parser.parse_args(argv)


def missing(case: Case, uv: str, env: dict[str, str]) -> str:
    """Why this machine cannot build the case, or ""."""
    if case.skip:
        return case.skip
    if case.python and not shutil.which(case.python):
        return f"no {case.python} on PATH"
    if case.needs_python:
        code, _ = run([uv, "python", "find", "--no-python-downloads", case.needs_python], env=env)
        if code != 0:
            return f"needs CPython {case.needs_python} (abi3t), not installed"
    if case.needs_target:
        _, installed = run(["rustup", "target", "list", "--installed"], env=env)
        if case.needs_target not in installed.split():
            return f"rust target {case.needs_target} not installed"
    return ""


def build_venv(targets: Path, uv: str, env: dict[str, str]) -> Path:
    """A venv with cffi to build with, as maturin's tests' "cffi-provider" (kept, so the
    interpreter path, and with it pyo3's build configuration, stays the same between runs)."""
    venv = targets / "build-venv"
    python = venv / "bin" / "python"
    log = targets / "build-venv.log"
    if python.exists() and run([str(python), "-c", "import cffi"], env=env)[0] == 0:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    base = os.path.realpath(sys.executable)
    for argv in (
        [uv, "venv", "-q", "--seed", "--python", base, str(venv)],
        [uv, "pip", "install", "-q", "--python", str(python), "cffi"],
    ):
        code, output = run(argv, log, cwd=targets, env=env, timeout=600)
        if code != 0:
            sys.exit(f"conformance: cannot make the build venv ({log}): {output.strip()[-300:]}")
    return python


def run_case(setup: Setup, tools: list[Tool], case: Case, reason: str) -> dict[str, Any]:
    row: dict[str, Any] = {"name": case.name, "skip": reason}
    if reason:
        return row
    for tool in tools:
        row[tool.name] = dataclasses.asdict(build_and_check(setup, tool, case))
    try:
        row.update(compare_wheels(row["maturin"]["wheels"], row["ferrule"]["wheels"]))
    except Exception as exc:  # e.g. a wheel that is not a zip: report it, go on
        row.update({"same_name": None, "files": None, "metadata": None})
        row["ferrule"]["error"] = row["ferrule"]["error"] or f"comparison failed: {exc!r}"
    m, f = row["maturin"], row["ferrule"]
    print(
        f"conformance: {case.name}: maturin {'ok' if m['wheels'] else 'failed'} "
        f"({m['seconds']} s), ferrule {'ok' if f['wheels'] else 'failed'} ({f['seconds']} s)",
        file=sys.stderr,
        flush=True,
    )
    return row


def git(*args: str) -> str:
    return run(["git", "-C", str(ROOT), *args])[1].strip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    checkout = args.checkout.resolve()
    if not (checkout / "test-crates").is_dir():
        sys.exit(f"conformance: {checkout} has no test-crates/ (give a checkout of maturin)")
    extra = unlisted(sorted(p.name for p in (checkout / "test-crates").iterdir() if p.is_dir()))
    cases = (*CASES, *(Case(name, name) for name in extra))
    try:
        chosen = select(cases, args.only)
    except ValueError as exc:
        sys.exit(f"conformance: {exc}")

    uv = str(VENV_BIN / "uv") if (VENV_BIN / "uv").exists() else (shutil.which("uv") or "uv")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "CARGO_TARGET_DIR")
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # zig (ziglang) for --zig
    args.targets.mkdir(parents=True, exist_ok=True)
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="conformance-"))
    work.mkdir(parents=True, exist_ok=True)
    setup = Setup(
        checkout, work, args.targets.resolve(), build_venv(args.targets.resolve(), uv, env), uv, env
    )
    tools = [
        Tool("maturin", (str(VENV_BIN / "maturin"),)),
        Tool("ferrule", (str(VENV_BIN / "python"), "-m", "ferrule")),
    ]
    reasons = {c.name: missing(c, uv, env) for c in chosen}
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            rows = list(pool.map(lambda c: run_case(setup, tools, c, reasons[c.name]), chosen))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    counts = totals(rows)
    maturin_version = run([tools[0].argv[0], "--version"])[1].strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{date}, ferrule {git('rev-parse', '--short', 'HEAD')}, {maturin_version}\n")
    print(markdown(rows))
    print("\n" + " / ".join(f"{k} {v}" for k, v in counts.items()))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": date,
                    "ferrule": git("rev-parse", "HEAD"),
                    "maturin": maturin_version,
                    "totals": counts,
                    "rows": rows,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
