"""Is the Rust standard library for ``--target`` installed? Asked before cargo runs.

cargo, without it, fails deep in the first crate with ``can't find crate for core``
(and a page of notes). ``rustc --print target-libdir --target T`` names the directory
rustup installs the target's standard library into; without a ``libstd-*`` or
``libcore-*`` there, the build stops with one message naming the fix
(``rustup target add T``). The answer is kept per rustc (``RUSTC`` and the
environment rustup chooses the toolchain by) and target for the life of the process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

from ferrule import _run
from ferrule.errors import FerruleError, ProcessError

__all__ = ["check_targets_installed", "missing_std_message"]


def missing_std_message(missing: Sequence[tuple[str, str]]) -> str:
    """The one line a build without the targets' standard libraries ends in
    (``missing``: each triple and the directory rustc looked in).

    >>> print(missing_std_message([("aarch64-unknown-linux-gnu", "/r/lib")]))
    the Rust standard library for aarch64-unknown-linux-gnu is not installed (nothing in /r/lib); install it with: rustup target add aarch64-unknown-linux-gnu
    """
    triples = " ".join(t for t, _ in missing)
    where = "; ".join(f"nothing in {d}" for _, d in missing)
    return (
        f"the Rust standard library for {' and '.join(t for t, _ in missing)} is not "
        f"installed ({where}); install it with: rustup target add {triples}"
    )


@functools.cache
def _problem(rustc: str, triple: str, environ: tuple[tuple[str, str], ...]) -> str | None:
    """None when ``triple``'s standard library is there; else the directory it is missing
    from, or (starting with ``--target``) why rustc refuses the triple. Cached per rustc
    and environment (rustup's toolchain choice is in it)."""
    env = dict(environ)
    try:
        done = _run.run([rustc, "--print", "target-libdir", "--target", triple], env=env)
    except ProcessError as exc:
        detail = (exc.output or str(exc)).strip().splitlines()
        errors = [line for line in detail if "error" in line.lower()]
        why = (errors or detail or ["rustc failed"])[0].strip().removeprefix("error: ")
        return f"--target {triple}: rustc does not know this target ({why})"
    libdir = Path(done.stdout.strip())
    names = [p.name for p in libdir.iterdir()] if libdir.is_dir() else []
    if any(n.startswith(("libstd-", "libcore-")) for n in names):
        return None
    return str(libdir)


def check_targets_installed(
    triples: Sequence[str], unstable_flags: Sequence[str], environ: Mapping[str, str]
) -> None:
    """Refuse, in one line, a target whose standard library rustup has not installed.

    A custom target (a ``.json`` specification) and ``-Z build-std`` (cargo builds the
    standard library itself) are not checked.
    """
    if any(flag.startswith("build-std") for flag in unstable_flags):
        return
    rustc = environ.get("RUSTC", "rustc")
    missing = []
    for triple in triples:
        if triple.endswith(".json"):
            continue
        problem = _problem(rustc, triple, tuple(sorted(environ.items())))
        if problem and problem.startswith("--target"):
            raise FerruleError(problem)
        if problem:
            missing.append((triple, problem))
    if missing:
        raise FerruleError(missing_std_message(missing))
