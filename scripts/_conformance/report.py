"""Compare two tools' outcomes for a case and render rows, totals and the markdown table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .compare import file_differences, metadata_differences, wheel_files, wheel_metadata

YES, NO, NA = "yes", "**no**", "-"
LONG = 240  # an error line longer than this is cut in the table (the log has it all)


def compare_wheels(theirs: list[str], ours: list[str]) -> dict[str, Any]:
    """Name, file-list and METADATA differences of two lists of wheel paths, pairwise."""
    if not theirs or not ours:
        return {"same_name": None, "files": None, "metadata": None}
    files: list[str] = []
    metadata: list[str] = []
    for a, b in zip(theirs, ours):
        files += file_differences(wheel_files(Path(a)), wheel_files(Path(b)))
        metadata += metadata_differences(wheel_metadata(Path(a)), wheel_metadata(Path(b)))
    names_a, names_b = [Path(p).name for p in theirs], [Path(p).name for p in ours]
    return {"same_name": names_a == names_b, "files": files, "metadata": sorted(set(metadata))}


def _flag(value: object) -> str:
    if value is None:
        return NA
    return YES if value in (True, []) else NO


def _built(outcome: dict[str, Any]) -> str:
    if outcome["wheels"]:
        return ", ".join(Path(w).name for w in outcome["wheels"])
    return "**failed**"


def note(row: dict[str, Any]) -> str:
    """What a reader needs to act on: the failing tool's error, else the differences.

    >>> ok = {"wheels": ["a.whl"], "error": "", "check": "pass"}
    >>> note({"maturin": ok, "ferrule": {**ok, "wheels": [], "error": "error: bad key"},
    ...       "files": None, "metadata": None, "same_name": None})
    'ferrule: error: bad key'
    >>> note({"maturin": ok, "ferrule": {**ok, "wheels": [], "error": "ferrule: error: x"},
    ...       "files": None, "metadata": None, "same_name": None})
    'ferrule: error: x'
    >>> note({"maturin": ok, "ferrule": ok, "same_name": True,
    ...       "files": ["-a/b.pyi", "+a.pyi"], "metadata": ["License"]})
    'files -a/b.pyi +a.pyi; METADATA License'
    """
    parts = []
    for tool in ("maturin", "ferrule"):
        error = row[tool]["error"]
        if error:
            error = error if error.startswith(f"{tool}:") else f"{tool}: {error}"
            parts.append(error if len(error) <= LONG else error[: LONG - 3] + "...")
    if row.get("same_name") is False:
        parts.append("names differ")
    if row.get("files"):
        shown = row["files"][:6]
        more = f" (+{len(row['files']) - 6} more)" if len(row["files"]) > 6 else ""
        parts.append("files " + " ".join(shown) + more)
    if row.get("metadata"):
        parts.append("METADATA " + ", ".join(row["metadata"]))
    for tool in ("maturin", "ferrule"):
        check = row[tool]["check"]
        if check and check not in ("pass", "no check"):
            parts.append(f"{tool} check: {check}")
    return "; ".join(parts).replace("|", "\\|")


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table: one line per case, skipped cases with their reason.

    >>> print(markdown([{"name": "x", "skip": "needs Windows"}]))
    | crate | maturin | ferrule | same name | same files | same METADATA | check (maturin / ferrule) | note |
    |---|---|---|---|---|---|---|---|
    | x | skipped: needs Windows | - | - | - | - | - |  |
    """
    lines = [
        "| crate | maturin | ferrule | same name | same files | same METADATA"
        " | check (maturin / ferrule) | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.get("skip"):
            lines.append(
                f"| {row['name']} | skipped: {row['skip']} | {NA} | {NA} | {NA} | {NA} | {NA} |  |"
            )
            continue
        m, f = row["maturin"], row["ferrule"]
        checks = f"{_check(m)} / {_check(f)}"
        lines.append(
            f"| {row['name']} | {_built(m)} | {_built(f)} | {_flag(row['same_name'])}"
            f" | {_flag(row['files'])} | {_flag(row['metadata'])} | {checks} | {note(row)} |"
        )
    return "\n".join(lines)


def _check(outcome: dict[str, Any]) -> str:
    check = str(outcome.get("check") or "")
    if not outcome["wheels"]:
        return NA
    return {"pass": "pass", "no check": "n/a"}.get(check, "**fail**")


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts over the cases that were run (skipped ones left out); "same ..." counts
    are of the cases both tools built.

    >>> ok = {"wheels": ["a.whl"], "error": "", "check": "pass"}
    >>> bad = {"wheels": [], "error": "x", "check": ""}
    >>> totals([{"name": "a", "maturin": ok, "ferrule": ok, "same_name": True, "files": [],
    ...          "metadata": ["License"]},
    ...         {"name": "b", "maturin": ok, "ferrule": bad, "same_name": None, "files": None,
    ...          "metadata": None},
    ...         {"name": "c", "skip": "Windows"}])
    {'cases': 2, 'skipped': 1, 'maturin built': 2, 'ferrule built': 1, 'both built': 1, 'same name': 1, 'same files': 1, 'same METADATA': 0, 'maturin check passed': 2, 'ferrule check passed': 1}
    """
    run = [r for r in rows if not r.get("skip")]
    return {
        "cases": len(run),
        "skipped": len(rows) - len(run),
        "maturin built": sum(bool(r["maturin"]["wheels"]) for r in run),
        "ferrule built": sum(bool(r["ferrule"]["wheels"]) for r in run),
        "both built": sum(r["same_name"] is not None for r in run),
        "same name": sum(r["same_name"] is True for r in run),
        "same files": sum(r["files"] == [] for r in run),
        "same METADATA": sum(r["metadata"] == [] for r in run),
        "maturin check passed": sum(r["maturin"]["check"] == "pass" for r in run),
        "ferrule check passed": sum(r["ferrule"]["check"] == "pass" for r in run),
    }
