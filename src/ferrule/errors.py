"""The exceptions ferrule raises for problems a user can fix.

Every error that reaches the CLI or a PEP 517 hook is a :class:`FerruleError`;
its ``str()`` is the whole message shown to the user. Anything else escaping is
a bug in ferrule and is shown with its traceback.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from ferrule._record import record

__all__ = [
    "AuditError",
    "BinaryError",
    "CargoError",
    "ConfigError",
    "ConfigProblem",
    "ElfError",
    "FerruleError",
    "LayoutError",
    "ProcessError",
    "PublishError",
    "StubsError",
    "WheelError",
]


class FerruleError(Exception):
    """Base class: a problem with the user's project, input or environment."""


@record
class ConfigProblem:
    """One problem in one configuration file.

    ``key`` is the dotted key (``tool.maturin.python-source``) or empty when the
    problem concerns the whole file (a TOML syntax error).
    """

    file: Path
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else f"{self.file}"
        return f"{where}: {self.message}"


class ConfigError(FerruleError):
    """One or more problems in pyproject.toml or Cargo.toml, collected and shown together."""

    def __init__(self, problems: Sequence[ConfigProblem], *, strict: bool = False) -> None:
        self.problems = tuple(problems)
        # Raised by strict mode: some of the problems are warnings otherwise.
        self.strict = strict
        super().__init__(self._render())

    def _render(self) -> str:
        mode = "strict mode, " if self.strict else ""
        if len(self.problems) == 1 and not self.strict:
            return f"invalid configuration: {self.problems[0]}"
        count = len(self.problems)
        lines = [f"invalid configuration ({mode}{count} problem{'s' if count > 1 else ''}):"]
        lines += [f"  - {p}" for p in self.problems]
        if self.strict:
            lines.append(
                "  strict mode (--strict, FERRULE_STRICT=1 or [tool.ferrule] strict = true) "
                "turns warnings into errors; without it ferrule builds as maturin does"
            )
        return "\n".join(lines)

    @classmethod
    def single(cls, file: Path, key: str, message: str) -> ConfigError:
        return cls([ConfigProblem(file, key, message)])


class LayoutError(FerruleError):
    """The project's files are not where the configuration says they are."""


class WheelError(FerruleError):
    """A wheel could not be assembled (duplicate or unsafe archive names, ...)."""


class AuditError(FerruleError):
    """The extension does not satisfy the platform policy asked for (or links libpython)."""


class PublishError(FerruleError):
    """Files that cannot be uploaded, missing credentials, or an index that said no."""


class StubsError(FerruleError):
    """Stubs could not be written (a hand-written stub is in the way)."""


class ElfError(ValueError):
    """A file is not a well-formed ELF object (callers name the file in a FerruleError)."""


class BinaryError(ValueError):
    """A file is not a well-formed Mach-O or PE object (callers name the file in a FerruleError)."""


class ProcessError(FerruleError):
    """An external program failed. Carries the argv, exit code and the useful output."""

    def __init__(
        self,
        argv: Sequence[str],
        returncode: int,
        output: str = "",
        hint: str = "",
    ) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.output = output
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        name = Path(self.argv[0]).name if self.argv else "command"
        lines = [f"{name} failed with exit code {self.returncode}"]
        if self.hint:
            lines.append(self.hint)
        lines.append(f"  command: {shlex.join(self.argv)}")
        if self.output.strip():
            lines.append("  output:")
            lines += [f"    {line}" for line in self.output.strip().splitlines()[-40:]]
        return "\n".join(lines)


class CargoError(ProcessError):
    """cargo failed; the compiler's diagnostics were already shown as they happened."""
