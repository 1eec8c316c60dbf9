"""``--pgo``: maturin's three phases for each wheel (src/pgo.rs, src/build_orchestrator.rs).

1. The wheel is built instrumented (``-Cprofile-generate=<dir>`` in every crate's
   rustflags) into a temporary directory.
2. It is installed, with its ``Requires-Dist``, into a fresh virtual environment
   of the wheel's interpreter (``uv`` when it is on PATH, else ``venv`` and pip),
   and ``pgo-command`` runs there through the shell, from the project directory,
   with ``LLVM_PROFILE_FILE`` pointing into ``<dir>``; ``llvm-profdata merge``
   (of rustc's LLVM, :func:`ferrule.pgo.find_llvm_profdata`) merges the profiles.
3. The wheel is built again with ``-Cprofile-use=<merged>``.

The orchestration (which wheel, which interpreter) is :mod:`ferrule.build.run`'s;
here are the phases' mechanics. Everything lives in one temporary directory that
is gone when the cycle ends, as maturin's ``TempDir``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.parser
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from ferrule import _log, _run
from ferrule._record import record
from ferrule.build.context import BuildContext
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.metadata import PackageMetadata

__all__ = ["PgoCycle", "pgo_cycle", "profile_env"]


def requires_dist(metadata: PackageMetadata) -> list[str]:
    """The wheel's ``Requires-Dist``, from the validated metadata or METADATA's bytes."""
    if metadata.core is not None:
        return list(metadata.core.requires_dist)
    message = email.parser.BytesParser().parsebytes(metadata.rfc822, headersonly=True)
    return list(message.get_all("Requires-Dist") or [])


def profile_env(environ: Mapping[str, str], venv: Path, profiles: Path) -> dict[str, str]:
    """The environment ``pgo-command`` runs in: the venv first on PATH, as if activated,
    and LLVM's profile files named per module and process (maturin's pattern).

    >>> env = profile_env({"PATH": "/usr/bin", "HOME": "/h"}, Path("/v"), Path("/p"))
    >>> env["PATH"], env["VIRTUAL_ENV"], env["LLVM_PROFILE_FILE"], env["HOME"]
    ('/v/bin:/usr/bin', '/v', '/p/%m_%p.profraw', '/h')
    """
    env = {k: v for k, v in environ.items() if k != "PYTHONHOME"}
    path = environ.get("PATH", "")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{path}" if path else str(venv / "bin")
    env["VIRTUAL_ENV"] = str(venv)
    env["UV_PYTHON"] = str(venv / "bin" / "python")
    env["LLVM_PROFILE_FILE"] = str(profiles / "%m_%p.profraw")
    return env


@record
class PgoCycle:
    """The directories of one cycle and the ``llvm-profdata`` that merges its profiles."""

    root: Path
    llvm_profdata: Path

    @property
    def profiles(self) -> Path:
        return self.root / "profiles"

    @property
    def merged(self) -> Path:
        return self.root / "merged.profdata"

    @property
    def wheel_dir(self) -> Path:
        return self.root / "instrumented"

    def generating(self, ctx: BuildContext) -> BuildContext:
        """``ctx`` for phase 1: every crate instrumented."""
        return _with_rustflags(ctx, f"-Cprofile-generate={self.profiles}")

    @property
    def use_flags(self) -> tuple[str, ...]:
        """Phase 3's rustflags: every crate optimised with the merged profile."""
        return (f"-Cprofile-use={self.merged}",)

    def using(self, ctx: BuildContext) -> BuildContext:
        """``ctx`` for phase 3."""
        return _with_rustflags(ctx, *self.use_flags)

    def profile(self, ctx: BuildContext, wheel: Path, interp: Interpreter) -> None:
        """Phase 2: install ``wheel`` into a fresh environment, run ``pgo-command``, merge."""
        settings = ctx.settings
        command = (settings.tool.pgo_command or "").strip()
        environ = settings.environ
        venv = self.root / "venv"
        uv = shutil.which("uv", path=environ.get("PATH"))
        if not interp.runnable:
            raise FerruleError(
                f"--pgo runs the instrumented wheel, but {interp.describe()} is described, "
                "not runnable; give an interpreter of this machine with -i"
            )
        python = str(venv / "bin" / "python")
        if uv:
            _run.run([uv, "venv", "--quiet", "--python", interp.executable, str(venv)], env=environ)
            install = [uv, "pip", "install", "--quiet", "--python", python]
        else:
            _run.run([interp.executable, "-m", "venv", str(venv)], env=environ)
            install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _log.info("PGO: installing the instrumented wheel into a temporary environment")
        _run.run([*install, "--force-reinstall", "--no-deps", str(wheel)], env=environ)
        requirements = requires_dist(ctx.metadata)
        if requirements:
            _run.run([*install, *requirements], env=environ)
        self.profiles.mkdir(exist_ok=True)
        # The instrumented build scripts of phase 1 wrote profiles here already (cargo
        # runs them on the host): the command must add its own.
        before = set(self.profiles.glob("*.profraw"))
        _log.info(f"PGO: running the instrumentation command: {command}")
        _run.run(
            ["sh", "-c", command],
            env=profile_env(environ, venv, self.profiles),
            cwd=settings.project_dir,
            capture_stdout=False,
            capture_stderr=False,
            hint=f"the PGO instrumentation command ({settings.tool_table}.pgo-command) failed",
        )
        raw = sorted(self.profiles.glob("*.profraw"))
        if not set(raw) - before:
            raise FerruleError(
                f"--pgo: `{command}` ran, but wrote no profile (.profraw file); "
                f"{settings.tool_table}.pgo-command must run the compiled code"
            )
        _log.info(f"PGO: merging {len(raw)} profile(s) with {self.llvm_profdata}")
        _run.run(
            [str(self.llvm_profdata), "merge", "-o", str(self.merged), *map(str, raw)],
            env=environ,
        )


def _with_rustflags(ctx: BuildContext, *flags: str) -> BuildContext:
    recipe = dataclasses.replace(ctx.recipe, rustflags=(*ctx.recipe.rustflags, *flags))
    return dataclasses.replace(ctx, recipe=recipe)


@contextlib.contextmanager
def pgo_cycle(llvm_profdata: Path) -> Iterator[PgoCycle]:
    """A fresh cycle (its temporary directory is removed at the end)."""
    with tempfile.TemporaryDirectory(prefix=f"ferrule-pgo-{os.getpid()}-") as tmp:
        cycle = PgoCycle(Path(tmp), llvm_profdata)
        cycle.wheel_dir.mkdir()
        yield cycle
