"""What one build resolves once: metadata, layout, ``cargo metadata``, the plan, the cargo recipe."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from ferrule import _faults
from ferrule._record import record
from ferrule.build.cargo_invocation import CargoRecipe, cargo_recipe, rustc_wrapper
from ferrule.build.plan import BuildPlan, make_plan, module_key, work_dir
from ferrule.cargo.metadata import CargoProject, read_metadata
from ferrule.cargo.remap import PathRemap, path_remap
from ferrule.cargo.stable_root import StableRoot, activate, default_base, plan_stable_root
from ferrule.config.model import Settings
from ferrule.interpreter import Interpreter
from ferrule.layout import ProjectLayout, determine_layout
from ferrule.metadata import PackageMetadata, build_metadata
from ferrule.target_dir import default_out_dir
from ferrule.wheel.third_party import bundled_licenses, with_third_party

__all__ = ["BuildContext", "Staging", "open_context", "work_dir"]


class Staging:
    """Private copies of cargo's artifacts, taken right after each cargo run.

    cargo writes a library to the same path in the target directory whatever
    the interpreter, and two crates with one library name share that path; a
    later cargo run (another interpreter, an extra extension) could replace a
    file before the wheel is written.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def fresh_dir(self) -> Path:
        self.count += 1
        target = self.directory / str(self.count)
        target.mkdir()
        return target

    def take(self, path: Path) -> Path:
        self.count += 1
        target = self.directory / str(self.count) / path.name
        target.parent.mkdir()
        shutil.copy2(path, target)
        return target


@record
class BuildContext:
    """What every step of one build needs, resolved once."""

    settings: Settings
    layout: ProjectLayout
    metadata: PackageMetadata
    project: CargoProject
    plan: BuildPlan
    recipe: CargoRecipe
    staging: Staging
    stable_root: StableRoot | None

    @property
    def bindings(self) -> str:
        return self.plan.bindings

    @property
    def module_key(self) -> str:
        return module_key(self.settings)


def _release_like(settings: Settings) -> bool:
    return settings.cargo_options.profile not in (None, "dev", "test")


def _stable_root(settings: Settings, package: str) -> StableRoot | None:
    """For release builds with path dependencies outside the workspace: the stable
    path to build through (see :mod:`ferrule.cargo.stable_root`)."""
    if not _release_like(settings):
        return None
    root = settings.workspace_dir
    outside = [
        c.directory for c in settings.path_dependencies if not c.directory.is_relative_to(root)
    ]
    # A crate of another workspace finds what it inherits (`edition.workspace = true`)
    # in that workspace's root manifest: the link must show that too.
    outside += sorted({settings.workspace_dir_of(d / "Cargo.toml") for d in outside} - set(outside))
    if not outside and rustc_wrapper(settings):
        # A shared compile cache (sccache) hashes the paths rustc sees: the working
        # directory of workspace crates and OUT_DIR (in <target>/...) of crates that
        # include generated code. Through the link they are the same in every checkout.
        return StableRoot(root, default_base() / package)
    return plan_stable_root(root, outside, package, default_base())


def _path_remap(settings: Settings, stable: StableRoot | None) -> PathRemap:
    """Keep the checkout path out of compiled code (see :mod:`ferrule.cargo.remap`)."""

    def view(path: Path) -> Path:
        return stable.translate(path) if stable else path

    return path_remap(
        view(settings.workspace_dir),
        [dataclasses.replace(c, directory=view(c.directory)) for c in settings.path_dependencies],
        view(default_out_dir(settings).parent),
        settings.cargo_options.profile,
        settings.cargo_options.rustc_args,
        settings.cargo_options.unstable_flags,
        settings.environ,
    )


@contextlib.contextmanager
def open_context(
    settings: Settings,
    interpreters: Sequence[Interpreter],
    prefix: str,
    metadata: PackageMetadata | None = None,
) -> Iterator[BuildContext]:
    """Resolve everything a build needs once; staged artifacts live as long as the context.

    ``metadata``, when given, was read back from a prepared ``.dist-info``.
    ``cargo metadata`` runs (or comes from its cache) exactly once here.
    """
    if metadata is None:
        metadata = build_metadata(settings)
    layout = determine_layout(settings)
    project = read_metadata(settings)
    # --bundle-licenses: the linked crates' license files join the metadata (refused here,
    # before cargo builds, when one is missing).
    metadata = with_third_party(metadata, bundled_licenses(settings))
    plan = make_plan(settings, project, interpreters, layout, metadata)
    with contextlib.ExitStack() as stack:
        # The pid in the name: a later build removes what a killed one left (ferrule._faults).
        _faults.sweep_dirs(Path(tempfile.gettempdir()), prefix)
        staging = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-"))
        stable = stack.enter_context(activate(_stable_root(settings, metadata.dist_name)))
        manifest = settings.cargo.manifest_path.resolve()
        recipe = cargo_recipe(
            settings,
            stable.translate(manifest) if stable else manifest,
            _path_remap(settings, stable),
            work_dir(settings),
        )
        yield BuildContext(
            settings=settings,
            layout=layout,
            metadata=metadata,
            project=project,
            plan=plan,
            recipe=recipe,
            staging=Staging(Path(staging)),
            stable_root=stable,
        )
