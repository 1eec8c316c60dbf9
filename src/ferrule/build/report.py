"""The account of one command (``--report FILE``, ``--json``): a collector passed down.

The command makes one :class:`BuildReport` and hands it down with the data it
already passes (settings -> plan -> cargo -> wheel writer); each step records
what it made: distributions, interpreters, cargo's artifacts, configuration
warnings, phase timings (monotonic clock). Nothing reads it back during the
build. :meth:`BuildReport.to_dict` is the JSON document that
``docs/report.schema.json`` describes (hashes, sizes and tags are read from the
files then, not while building); :meth:`BuildReport.write` replaces the file
whole (:mod:`ferrule._atomic`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ferrule.errors import ConfigError, ConfigProblem, FerruleError

# Every command makes a report, and few write one: what only writing needs is
# imported then (the cold paths' start-up is measured in bench/).
if TYPE_CHECKING:
    from ferrule.cargo.build import CargoResult
    from ferrule.interpreter import Interpreter

__all__ = ["FAST_PATHS", "SCHEMA_VERSION", "BuildReport"]

# Bumped only for a change that is not an addition (docs/report.md, "Stability").
SCHEMA_VERSION = 1
# "replay": an unchanged project's record finished the command (ferrule.develop.replay);
# "stamp": every output on disk already was what the build would write, and was left alone.
FAST_PATHS = ("replay", "stamp")


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_value(value: object) -> Any:
    """An option's value as JSON: paths and anything else unusual as text."""
    import json

    return json.loads(json.dumps(value, default=str))


class BuildReport:
    """What one ``build``, ``sdist`` or ``develop`` did, collected as it happens.

    >>> report = BuildReport("sdist", {"out": Path("dist")})
    >>> with report.phase("settings"):
    ...     pass
    >>> report.finish(0)
    >>> doc = report.to_dict()
    >>> doc["command"], doc["options"], doc["exit_status"], [p["name"] for p in doc["phases"]]
    ('sdist', {'out': 'dist'}, 0, ['settings'])
    """

    def __init__(self, command: str, options: Mapping[str, object]) -> None:
        self.command = command
        self._options = dict(options)
        self._started = time.monotonic()
        self._wheels: list[tuple[Path, bool]] = []  # (path, written)
        self._sdists: list[tuple[Path, bool]] = []
        self._interpreters: list[Interpreter] = []
        self._cargo: list[dict[str, str]] = []
        self._warnings: list[ConfigProblem] = []
        self._phases: list[tuple[str, float]] = []
        self.fast_path: str | None = None
        self._status: int | None = None
        self._error: BaseException | None = None
        self._duration: float | None = None

    # --- recording (the build's steps) ---

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one step; a step that runs once per unit is listed once per run."""
        start = time.monotonic()
        try:
            yield
        finally:
            self._phases.append((name, time.monotonic() - start))

    def wheel(self, path: Path, *, written: bool = True) -> None:
        """A wheel made (``written=False``: the one on disk was already this wheel)."""
        self._wheels.append((Path(path), written))

    def sdist(self, path: Path, *, written: bool = True) -> None:
        self._sdists.append((Path(path), written))

    def interpreter(self, interp: Interpreter | None) -> None:
        if interp is not None and interp not in self._interpreters:
            self._interpreters.append(interp)

    def cargo(self, result: CargoResult | None, crate: str) -> None:
        """The files one cargo run made for its package's targets (``crate``)."""
        for artifact in result.artifacts if result is not None else ():
            entry = {
                "kind": artifact.crate_type,
                "path": str(artifact.path),
                "crate": crate,
                "target": artifact.target_name,
            }
            if entry not in self._cargo:
                self._cargo.append(entry)

    def warnings(self, problems: Iterable[ConfigProblem]) -> None:
        self._warnings += [p for p in problems if p not in self._warnings]

    def finish(self, status: int, error: BaseException | None = None) -> None:
        """The command's exit status (and what stopped it)."""
        self._status, self._error = status, error
        self._duration = time.monotonic() - self._started

    # --- the document ---

    def _wheel_entry(self, path: Path, written: bool) -> dict[str, Any]:
        from packaging.utils import parse_wheel_filename

        name, version, build, tags = parse_wheel_filename(path.name)
        return {
            "path": str(path),
            "filename": path.name,
            "name": str(name),
            "version": str(version),
            "build": list(build) if build else None,
            "tags": [
                {"interpreter": t.interpreter, "abi": t.abi, "platform": t.platform}
                for t in sorted(tags, key=str)
            ],
            "sha256": _sha256(path),
            "size": path.stat().st_size,
            "written": written,
        }

    def _sdist_entry(self, path: Path, written: bool) -> dict[str, Any]:
        from packaging.utils import parse_sdist_filename

        name, version = parse_sdist_filename(path.name)
        return {
            "path": str(path),
            "filename": path.name,
            "name": str(name),
            "version": str(version),
            "sha256": _sha256(path),
            "size": path.stat().st_size,
            "written": written,
        }

    def _error_entry(self) -> dict[str, Any] | None:
        error = self._error
        if error is None:
            return None
        problems = list(error.problems) if isinstance(error, ConfigError) else []
        keys = [p.key for p in problems if p.key]
        if isinstance(error, FerruleError):
            message = str(error)
        elif isinstance(error, KeyboardInterrupt):
            message = "interrupted"
        else:  # a bug in ferrule: its traceback is on stderr
            message = f"{type(error).__name__}: {error}"
        return {
            "type": type(error).__name__,
            "message": message,
            "key": keys[0] if keys else None,
            "problems": [_problem(p) for p in problems],
        }

    def _derived_fast_path(self) -> str | None:
        if self.fast_path is not None:
            return self.fast_path
        outputs = [*self._wheels, *self._sdists]
        return "stamp" if outputs and not any(w for _, w in outputs) else None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data (``docs/report.schema.json``, ``schema_version`` 1)."""
        duration = self._duration
        if duration is None:
            duration = time.monotonic() - self._started
        from ferrule._version import __version__

        return {
            "schema_version": SCHEMA_VERSION,
            "ferrule_version": __version__,
            "command": self.command,
            "options": self.options,
            "exit_status": 1 if self._status is None else self._status,
            "error": self._error_entry(),
            "fast_path": self._derived_fast_path(),
            "wheels": [self._wheel_entry(p, w) for p, w in self._wheels if p.is_file()],
            "sdists": [self._sdist_entry(p, w) for p, w in self._sdists if p.is_file()],
            "interpreters": _interpreter_entries(self._interpreters),
            "cargo_artifacts": list(self._cargo),
            "warnings": [_problem(p) for p in self._warnings],
            "phases": [{"name": n, "seconds": round(s, 6)} for n, s in self._phases],
            "duration_seconds": round(duration, 6),
        }

    @property
    def options(self) -> dict[str, Any]:
        """The command's options as JSON values."""
        return {k: _json_value(v) for k, v in sorted(self._options.items())}

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), indent=2) + "\n"

    def write(self, path: Path) -> None:
        """Replace ``path`` with the report, whole."""
        from ferrule import _atomic

        _atomic.write_text(path, self.to_json())


def _interpreter_entries(interpreters: Iterable[Interpreter]) -> list[dict[str, str]]:
    from ferrule.tags import abi_tag

    entries: list[dict[str, str]] = []
    for interp in interpreters:
        entry = {
            "executable": interp.executable,
            "version": f"{interp.major}.{interp.minor}",
            "implementation": interp.implementation,
            "abi_tag": abi_tag(interp),
        }
        if entry not in entries:
            entries.append(entry)
    return entries


def _problem(problem: ConfigProblem) -> dict[str, Any]:
    return {"file": str(problem.file), "key": problem.key or None, "message": problem.message}
