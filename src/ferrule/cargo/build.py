"""Run a planned cargo invocation and collect what it built."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ferrule import _log, _run
from ferrule.cargo import messages
from ferrule.cargo.command import CargoInvocation
from ferrule.errors import CargoError, FerruleError

__all__ = ["CargoResult", "run_cargo"]

# The options of a build that say which target directory and profile it uses.
_CLEAN_OPTIONS = ("--manifest-path", "--target", "--target-dir", "--profile", "--config", "-Z")
_CLEAN_FLAGS = ("--release", "--locked", "--frozen", "--offline", "--quiet")


@dataclass(frozen=True)
class CargoResult:
    artifacts: tuple[messages.Artifact, ...]
    build_script: messages.BuildScriptOutput | None
    # For ferrule.develop: every JSON message (fresh units too: what the build read)
    # and the command that produced them (what a no-op develop replays).
    messages: tuple[Mapping[str, Any], ...] = ()
    invocation: CargoInvocation | None = None


def run_cargo(invocation: CargoInvocation, crate_type: str) -> CargoResult:
    """Run cargo; its diagnostics go to our stderr live, its JSON is parsed.

    On failure the error carries argv and exit code only: the compiler's
    messages were already shown once, as they happened.

    cargo hashes a standalone crate by its path relative to itself, so copies
    of one crate (two checkouts) sharing a target directory share its
    fingerprint and its ``lib<name>.so``: building one copy after the other
    can be reported fresh with the other copy's library in place (the same
    happens to checkouts built through one stable root). So ferrule notes
    which manifest last wrote each artifact; when cargo calls an artifact fresh
    that another copy wrote, the package is cleaned and built again.
    """
    parsed = _cargo(invocation)
    stale = _built_from_another_copy(parsed, invocation.manifest_path)
    if stale:
        _log.info(
            f"cargo reports {invocation.manifest_path.parent.name}'s {crate_type} fresh, but "
            f"it was last built from {stale[0][1]}; building it again"
        )
        _cargo(_clean(invocation, [package for package, _ in stale]), parse=False)
        parsed = _cargo(invocation)
    _note_copy(parsed, invocation.manifest_path)
    artifacts = messages.find_artifacts(parsed, invocation.manifest_path, crate_type)
    if not artifacts:
        raise FerruleError(
            f"cargo built no {crate_type} for {invocation.manifest_path}; "
            "does the crate have a [lib] target?"
        )
    return CargoResult(
        tuple(artifacts),
        messages.find_build_script(parsed, invocation.manifest_path),
        tuple(parsed),
        invocation,
    )


def _cargo(invocation: CargoInvocation, *, parse: bool = True) -> list[Mapping[str, Any]]:
    _log.info(f"running {' '.join(invocation.argv[:2])} for {invocation.manifest_path}")
    sys.stderr.flush()
    done = _run.run(
        invocation.argv,
        env=invocation.env,
        capture_stdout=True,
        capture_stderr=False,
        check=False,
    )
    if done.returncode != 0:
        raise CargoError(
            invocation.argv,
            done.returncode,
            hint="  the compiler's messages are above",
        )
    return list(messages.parse(done.stdout)) if parse else []


def _record(artifact: Path) -> Path:
    """Where ferrule notes which copy of a package last wrote ``artifact``."""
    return artifact.parent / ".ferrule-built-from" / artifact.name


def _built_from_another_copy(
    parsed: Sequence[Mapping[str, Any]], manifest: Path
) -> list[tuple[str, str]]:
    """(package name, other copy) for each artifact of ``manifest``'s package that
    cargo reports fresh while ferrule last wrote it from another directory.

    The manifest is compared with symbolic links resolved, so checkouts seen
    through one stable root (:mod:`ferrule.cargo.stable_root`) are told apart.
    """
    here = str(manifest.resolve())
    stale: list[tuple[str, str]] = []
    for artifact, message in _own_artifacts(parsed, manifest):
        if not message.get("fresh"):
            continue
        try:
            before = _record(artifact).read_text(encoding="utf-8")
        except OSError:
            continue  # never built by ferrule: nothing to compare with
        if before != here:
            stale.append((_package_name(message), str(Path(before).parent)))
            break
    return stale


def _package_name(message: Mapping[str, Any]) -> str:
    """The package's name, from its id (``path+file:///p/x#name@1.0`` or ``…/name#1.0``).

    >>> _package_name({"package_id": "path+file:///p/b#twin@0.1.0"})
    'twin'
    >>> _package_name({"package_id": "path+file:///p/twin#0.1.0"})
    'twin'
    """
    url, _, fragment = str(message.get("package_id", "")).partition("#")
    return fragment.split("@")[0] if "@" in fragment else url.rstrip("/").rsplit("/", 1)[-1]


def _note_copy(parsed: Sequence[Mapping[str, Any]], manifest: Path) -> None:
    """Remember that ``manifest``'s package wrote its artifacts (see :func:`run_cargo`)."""
    here = str(manifest.resolve())
    for artifact, _ in _own_artifacts(parsed, manifest):
        record = _record(artifact)
        try:
            if record.is_file() and record.read_text(encoding="utf-8") == here:
                continue
            record.parent.mkdir(exist_ok=True)
            tmp = record.with_name(f".{record.name}.{os.getpid()}")
            tmp.write_text(here, encoding="utf-8")
            tmp.replace(record)
        except OSError as exc:
            _log.debug(f"cannot note the source of {artifact}: {exc}")


def _own_artifacts(
    parsed: Sequence[Mapping[str, Any]], manifest: Path
) -> list[tuple[Path, Mapping[str, Any]]]:
    found = []
    for message in parsed:
        raw = message.get("manifest_path")
        if message.get("reason") != "compiler-artifact" or not isinstance(raw, str):
            continue
        if Path(raw).resolve() == manifest.resolve():
            found += [(Path(f), message) for f in message.get("filenames", [])]
    return found


def _clean(invocation: CargoInvocation, packages: Sequence[str]) -> CargoInvocation:
    """``cargo clean -p`` for ``packages`` in the target directory and profile of ``invocation``.

    >>> inv = CargoInvocation(("cargo", "rustc", "--lib", "--manifest-path", "/p/Cargo.toml",
    ...     "--release", "--crate-type", "cdylib", "--target-dir", "/t", "--", "-Cx"), {}, Path("/p"))
    >>> " ".join(_clean(inv, ["x"]).argv)
    'cargo clean -p x --manifest-path /p/Cargo.toml --release --target-dir /t'
    """
    argv = [invocation.argv[0], "clean"]
    for package in packages:
        argv += ["-p", package]
    words = list(invocation.argv[2:])
    if "--" in words:
        words = words[: words.index("--")]
    i = 0
    while i < len(words):
        word = words[i]
        if word in _CLEAN_OPTIONS and i + 1 < len(words):
            argv += [word, words[i + 1]]
            i += 2
            continue
        if word in _CLEAN_FLAGS:
            argv.append(word)
        i += 1
    return CargoInvocation(tuple(argv), invocation.env, invocation.manifest_path)
