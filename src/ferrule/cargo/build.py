"""Run a planned cargo invocation and collect what it built."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ferrule import _atomic, _log, _run
from ferrule._record import record
from ferrule.cargo import messages
from ferrule.cargo.command import CargoInvocation
from ferrule.errors import CargoError, FerruleError

__all__ = ["CargoResult", "run_cargo"]

# The options of a build that say which target directory and profile it uses.
_CLEAN_OPTIONS = ("--manifest-path", "--target", "--target-dir", "--profile", "--config", "-Z")
_CLEAN_FLAGS = ("--release", "--locked", "--frozen", "--offline", "--quiet")


@record
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

    cargo hashes a workspace's crates by their paths relative to its root, so
    copies of one project (two checkouts) sharing a target directory share
    their fingerprints and files (``lib<name>.so``, ``deps/lib<dep>-<hash>.rlib``):
    building one copy after the other can be reported fresh with the other
    copy's code in place (the same happens to checkouts built through one
    stable root). So ferrule notes which manifest last wrote each artifact of
    a local package; when cargo calls one fresh that another copy wrote,
    those packages are cleaned and built again.
    """
    parsed = _cargo(invocation)
    stale = _built_from_another_copy(parsed)
    if stale:
        names = ", ".join(stale)
        _log.info(
            f"cargo reports {names} fresh, but built from another copy "
            f"({next(iter(stale.values()))}); building again"
        )
        _cargo(_clean(invocation, list(stale)), parse=False)
        parsed = _cargo(invocation)
    _note_copies(parsed)
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


def _built_from_another_copy(parsed: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Local packages (name -> the other copy) with an artifact cargo reports fresh
    that ferrule last wrote from another directory.

    Manifests are compared with symbolic links resolved, so checkouts seen
    through one stable root (:mod:`ferrule.cargo.stable_root`) are told apart.
    """
    stale: dict[str, str] = {}
    for artifact, manifest, message in _local_artifacts(parsed):
        if not message.get("fresh"):
            continue
        try:
            before = _record(artifact).read_text(encoding="utf-8")
        except OSError:
            continue  # never built by ferrule: nothing to compare with
        if before != manifest:
            stale.setdefault(messages.package_name(message), str(Path(before).parent))
    return stale


def _note_copies(parsed: Sequence[Mapping[str, Any]]) -> None:
    """Remember which directory each local package's artifacts came from."""
    for artifact, manifest, _ in _local_artifacts(parsed):
        record = _record(artifact)
        try:
            if record.is_file() and record.read_text(encoding="utf-8") == manifest:
                continue
            _atomic.write_text(record, manifest)
        except OSError as exc:
            _log.debug(f"cannot note the source of {artifact}: {exc}")


def _local_artifacts(
    parsed: Sequence[Mapping[str, Any]],
) -> list[tuple[Path, str, Mapping[str, Any]]]:
    """(artifact, real manifest path, message) for the packages cargo read from a path."""
    found = []
    for message in parsed:
        raw = message.get("manifest_path")
        if message.get("reason") != "compiler-artifact" or not isinstance(raw, str):
            continue
        if not str(message.get("package_id", "")).startswith("path+file:"):
            continue
        manifest = str(Path(raw).resolve())
        found += [(Path(f), manifest, message) for f in message.get("filenames", [])]
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
