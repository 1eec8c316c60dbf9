"""Run a planned cargo invocation and collect what it built."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ferrule import _log, _run
from ferrule.cargo import messages
from ferrule.cargo.command import CargoInvocation
from ferrule.errors import CargoError, FerruleError

__all__ = ["CargoResult", "run_cargo"]


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
    """
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
    parsed = list(messages.parse(done.stdout))
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
