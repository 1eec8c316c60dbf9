"""Parsers for cargo's ``--message-format=json`` stream (one JSON object a line)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ferrule._record import record

__all__ = [
    "Artifact",
    "BuildScriptOutput",
    "find_artifacts",
    "find_build_script",
    "package_name",
    "package_of",
    "parse",
]


@record
class Artifact:
    """One file cargo produced for a root-package target."""

    target_name: str
    crate_type: str
    path: Path
    # Split debug info cargo reported with it (.dwp, .pdb, .dSYM), with one crate type only.
    debuginfo: Path | None = None


_DEBUGINFO = (".dwp", ".pdb", ".dSYM")


@record
class BuildScriptOutput:
    out_dir: Path
    linked_paths: tuple[str, ...]


def parse(stdout: str) -> Iterator[Mapping[str, Any]]:
    """Yield the JSON messages; lines that are not JSON objects are skipped.

    >>> [m["reason"] for m in parse('{"reason": "a"}\\nnoise\\n{"reason": "b"}\\n')]
    ['a', 'b']
    """
    for raw in stdout.splitlines():
        line = raw.strip()
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict):
            yield message


def _same_manifest(message: Mapping[str, Any], manifest: Path) -> bool:
    raw = message.get("manifest_path")
    return isinstance(raw, str) and Path(raw).resolve() == manifest.resolve()


def find_artifacts(
    messages: Iterable[Mapping[str, Any]], manifest: Path, crate_type: str
) -> list[Artifact]:
    """Files of ``crate_type`` that the package at ``manifest`` produced.

    ``target.crate_types[i]`` names the kind of ``filenames[i]``; extra files
    (import libraries, debug info) follow and are not artifacts.

    >>> msg = {"reason": "compiler-artifact", "manifest_path": "/p/Cargo.toml",
    ...        "target": {"name": "demo", "crate_types": ["cdylib"]},
    ...        "filenames": ["/t/debug/libdemo.so"]}
    >>> dep = dict(msg, manifest_path="/r/pyo3/Cargo.toml")
    >>> find_artifacts([dep, msg], Path("/p/Cargo.toml"), "cdylib")
    [Artifact(target_name='demo', crate_type='cdylib', path=PosixPath('/t/debug/libdemo.so'), debuginfo=None)]
    >>> msg["filenames"].append("/t/debug/libdemo.so.dwp")
    >>> find_artifacts([msg], Path("/p/Cargo.toml"), "cdylib")[0].debuginfo
    PosixPath('/t/debug/libdemo.so.dwp')
    """
    found: list[Artifact] = []
    for message in messages:
        if message.get("reason") != "compiler-artifact" or not _same_manifest(message, manifest):
            continue
        target = message.get("target", {})
        crate_types = target.get("crate_types", [])
        filenames = message.get("filenames", [])
        extra = [Path(f) for f in filenames[len(crate_types) :]]
        debuginfo = next((f for f in extra if f.suffix in _DEBUGINFO), None)
        for kind, filename in zip(crate_types, filenames):
            if kind == crate_type:
                found.append(
                    Artifact(
                        str(target.get("name", "")),
                        kind,
                        Path(filename),
                        debuginfo if len(crate_types) == 1 else None,
                    )
                )
    return found


def package_name(message: Mapping[str, Any]) -> str:
    """The package's name, from its id (``path+file:///p/x#name@1.0`` or ``…/name#1.0``).

    >>> package_name({"package_id": "path+file:///p/b#twin@0.1.0"})
    'twin'
    >>> package_name({"package_id": "path+file:///p/twin#0.1.0"})
    'twin'

    cargo before 1.77 spelled ids ``name version (source)``:

    >>> package_name({"package_id": "twin 0.1.0 (path+file:///p/b)"})
    'twin'
    """
    raw = str(message.get("package_id", ""))
    if " (" in raw:
        return raw.split(" ", 1)[0]
    url, _, fragment = raw.partition("#")
    return fragment.split("@")[0] if "@" in fragment else url.rstrip("/").rsplit("/", 1)[-1]


def package_of(messages: Iterable[Mapping[str, Any]], manifest: Path) -> str | None:
    """The name of the package at ``manifest``, from its artifacts' messages.

    >>> art = {"reason": "compiler-artifact", "manifest_path": "/p/second/Cargo.toml",
    ...        "package_id": "path+file:///p/second#second-ext@0.2.0"}
    >>> package_of([art], Path("/p/second/Cargo.toml")), package_of([art], Path("/p/Cargo.toml"))
    ('second-ext', None)
    """
    for message in messages:
        if message.get("reason") == "compiler-artifact" and _same_manifest(message, manifest):
            return package_name(message)
    return None


def find_build_script(
    messages: Iterable[Mapping[str, Any]], manifest: Path
) -> BuildScriptOutput | None:
    """The build-script output of the package at ``manifest``, if it has one.

    Build-script messages carry only the package id, which the package's
    compiler-artifact message links to its manifest.

    >>> art = {"reason": "compiler-artifact", "manifest_path": "/p/Cargo.toml",
    ...        "package_id": "path+file:///p#0.1.0"}
    >>> bs = {"reason": "build-script-executed", "package_id": "path+file:///p#0.1.0",
    ...       "out_dir": "/t/out", "linked_paths": ["native=/x"]}
    >>> find_build_script([bs, art], Path("/p/Cargo.toml"))
    BuildScriptOutput(out_dir=PosixPath('/t/out'), linked_paths=('native=/x',))
    """
    messages = list(messages)
    ids = {
        m.get("package_id")
        for m in messages
        if m.get("reason") == "compiler-artifact" and _same_manifest(m, manifest)
    }
    for message in messages:
        if message.get("reason") == "build-script-executed" and message.get("package_id") in ids:
            return BuildScriptOutput(
                Path(message["out_dir"]), tuple(message.get("linked_paths", []))
            )
    return None
