"""Being killed: what a killed ferrule leaves behind, and where tests may kill it.

A build or install killed with SIGKILL cannot clean up. Everything ferrule
writes goes to a temporary name first (a ``.part`` wheel or sdist, a
``.ferrule-tmp`` file in site-packages, a ``ferrule-build-<pid>-…`` staging
directory), and every such name carries the writer's pid; the next run removes
the ones whose process is gone (:func:`sweep`).

The risky phases are named :func:`point`\\ s. A test sets
``FERRULE_TEST_PAUSE_AT=<phase>`` (or ``<phase>:<n>``, the n-th time the point is
reached) and ``FERRULE_TEST_PAUSE_FILE=<path>``; when the named point is
reached, the phase and the pid are written to that file and the process stops
itself (SIGSTOP), so that the test can kill it exactly there. Unset, a point
costs one dictionary lookup. Standard library only.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

from ferrule import _atomic

__all__ = [
    "PAUSE_AT",
    "PAUSE_FILE",
    "PHASES",
    "alive",
    "pid_after",
    "pid_before",
    "point",
    "sweep",
    "sweep_dirs",
]

PAUSE_AT = "FERRULE_TEST_PAUSE_AT"
PAUSE_FILE = "FERRULE_TEST_PAUSE_FILE"

#: The points ferrule's code names, in the order a build or install reaches them.
#: (A kill while cargo runs needs no point: the test wraps cargo, see tests/integration/test_kill.py.)
PHASES = (
    "after-cargo",  # cargo finished, its artifacts not yet staged or packed
    "data-dir",  # packing the data directory: some of its files are in the archive
    "wheel-member",  # in the middle of one wheel member's bytes
    "record",  # in the middle of the wheel's RECORD
    "before-replace",  # the archive complete, under its temporary name
    "after-replace",  # the wheel in place, before the build reports it
    "sdist",  # in the middle of the sdist's tar stream
    "develop-install",  # develop: some files replaced in site-packages, one half-written
    "develop-record",  # develop: every file and direct_url.json written, RECORD not
)

_counts: dict[str, int] = {}
#: True while a sweep lists a directory: what it reads is no input of the build
#: (:class:`ferrule.develop.replay.Recorder` ignores it).
sweeping = False


def point(phase: str) -> None:
    """Stop here when a test asked to (see the module docstring); otherwise nothing."""
    wanted = os.environ.get(PAUSE_AT)
    if wanted is None or not wanted.startswith(phase):
        return
    name, _, nth = wanted.partition(":")
    if name != phase:
        return
    _counts[phase] = _counts.get(phase, 0) + 1
    if _counts[phase] != (int(nth) if nth.isdigit() else 1):
        return
    marker = os.environ.get(PAUSE_FILE)
    if marker:
        _atomic.write_text(Path(marker), f"{phase} {os.getpid()}\n")
    os.kill(os.getpid(), signal.SIGSTOP)


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (perhaps someone else's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pid_after(name: str, tag: str) -> int | None:
    """The pid right after the last ``tag`` in ``name``.

    >>> pid_after(".w.whl.ferrule-123-ab.part", "ferrule-"), pid_after("ferrule-build-x", "ferrule-build-")
    (123, None)
    """
    _, found, rest = name.rpartition(tag)
    text = rest.split("-", 1)[0].split(".", 1)[0]
    return int(text) if found and text.isdigit() else None


def pid_before(name: str, suffix: str) -> int | None:
    """The pid right before ``suffix``: ``.mod.so.123.ferrule-tmp`` -> 123.

    >>> pid_before(".mod.so.123.ferrule-tmp", ".ferrule-tmp"), pid_before(".x.ferrule-tmp", ".ferrule-tmp")
    (123, None)
    """
    if not name.endswith(suffix):
        return None
    text = name[: -len(suffix)].rpartition(".")[2]
    return int(text) if text.isdigit() else None


def _dead(pid: int | None) -> bool:
    return pid is not None and pid != os.getpid() and not alive(pid)


def _listed(directory: Path, pattern: str) -> list[Path]:
    global sweeping  # noqa: PLW0603 - read by an audit hook, which has no other way in
    sweeping = True
    try:
        return list(directory.glob(pattern))
    finally:
        sweeping = False


def sweep(directory: Path, pattern: str, owner: Callable[[str], int | None]) -> list[Path]:
    """Remove the files matching ``pattern`` whose owner (a pid from the name) is gone."""
    removed: list[Path] = []
    try:
        candidates = _listed(directory, pattern)
    except OSError:
        return removed
    for path in candidates:
        if _dead(owner(path.name)):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def sweep_dirs(directory: Path, prefix: str) -> list[Path]:
    """Remove the directories ``<prefix><pid>-…`` whose process is gone."""
    removed: list[Path] = []
    try:
        candidates = [p for p in _listed(directory, f"{prefix}*") if p.is_dir()]
    except OSError:
        return removed
    for path in candidates:
        if _dead(pid_after(path.name, prefix)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
