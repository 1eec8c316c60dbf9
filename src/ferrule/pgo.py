"""``--pgo``: find the ``llvm-profdata`` that can read rustc's profiles.

rustc writes ``.profraw`` files in the format of its own LLVM; only an
``llvm-profdata`` of the same LLVM major version can merge them. maturin
(src/pgo.rs) looks in the toolchain's sysroot (``rustup component add
llvm-tools``), then takes any ``llvm-profdata`` on PATH; ferrule also tries
``llvm-profdata-<major>`` and checks the version, so that Debian's LLVM 14 tool
is not taken for rustc's LLVM 22 and fails only after two builds.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from ferrule import _run
from ferrule.errors import FerruleError

__all__ = ["find_llvm_profdata", "llvm_major"]


def llvm_major(text: str) -> int | None:
    """The LLVM major version in ``rustc -vV`` or ``llvm-profdata --version`` output.

    >>> llvm_major("release: 1.95.0\\nLLVM version: 22.1.2\\n")
    22
    >>> llvm_major("Ubuntu LLVM version 14.0.6\\n  Optimized build.")
    14
    >>> llvm_major("nothing") is None
    True
    """
    match = re.search(r"LLVM version:? (\d+)\.", text)
    return int(match.group(1)) if match else None


def _rustc(environ: Mapping[str, str], *args: str) -> str:
    return _run.run([environ.get("RUSTC", "rustc"), *args], env=environ).stdout


def find_llvm_profdata(environ: Mapping[str, str]) -> Path:
    """The ``llvm-profdata`` of rustc's LLVM major version, or an error naming what is missing."""
    verbose = _rustc(environ, "-vV")
    major = llvm_major(verbose)
    host = next(
        (ln.split(":", 1)[1].strip() for ln in verbose.splitlines() if ln.startswith("host:")), ""
    )
    if major is None:
        raise FerruleError("--pgo: `rustc -vV` names no LLVM version")
    sysroot = Path(_rustc(environ, "--print", "sysroot").strip())
    candidates: list[Path] = [sysroot / "lib" / "rustlib" / host / "bin" / "llvm-profdata"]
    path = environ.get("PATH")
    for name in (f"llvm-profdata-{major}", "llvm-profdata"):
        found = shutil.which(name, path=path)
        if found:
            candidates.append(Path(found))
    wrong: list[str] = []
    for candidate in candidates:
        if not candidate.is_file():
            continue
        # LLVM 14's llvm-profdata knows `merge --version` only, not `--version`.
        done = _run.run([str(candidate), "merge", "--version"], env=environ, check=False)
        have = llvm_major(done.stdout + done.stderr)
        if have == major:
            return candidate
        wrong.append(f"{candidate} (LLVM {have if have is not None else 'unknown'})")
    seen = f"; found only {', '.join(wrong)}, which cannot read its profiles" if wrong else ""
    raise FerruleError(
        f"--pgo needs llvm-profdata from LLVM {major}, the LLVM of rustc "
        f"({verbose.splitlines()[0] if verbose else 'rustc'}){seen}. Install it with "
        f"`rustup component add llvm-tools` or put llvm-profdata-{major} on PATH"
    )
