"""The one way a build starts cargo: every artifact kind through :class:`CargoRecipe`.

pyo3 and pyo3-ffi libraries, cffi and uniffi libraries, binaries and ferrule's
extra extensions are all rendered by :meth:`CargoRecipe.invocation`, so the
options (profile, features, target, ``--config``, ``-Z``, rustc arguments), the
environment (``--zig``'s linker, pyo3's configuration), the musl C runtime flag
and the path remapping reach each alike. The uniffi-bindgen run (a host tool,
not an artifact) takes the global flags and environment from here too
(:meth:`CargoRecipe.tool_run`).

Rendering is pure; :func:`cargo_recipe` is where the build-wide pieces are made
(the zig linker wrapper is written there, once per build).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from ferrule._record import record
from ferrule.build.plan import PlannedArtifact, PlannedUnit
from ferrule.build.target_plan import host_machine
from ferrule.cargo.command import (
    CargoInvocation,
    cargo_program,
    dynamic_crt_flags,
    global_flags,
    plan_bin,
    plan_cdylib,
    with_rustflags,
)
from ferrule.cargo.metadata import CargoTarget
from ferrule.cargo.remap import PathRemap
from ferrule.config.model import CargoOptions, Settings
from ferrule.config.platform import macos_deployment_targets
from ferrule.target import MACOS_DEFAULT, Target, host_target, parse_target

__all__ = ["CargoRecipe", "cargo_recipe", "platform_link_args", "zig_linker_env"]

# pyo3 modules (the crate's and ferrule's extra extensions): on macOS they resolve
# Python's symbols when loaded (maturin's compile.rs, configure_macos_pyo3_linker_args).
_PYO3_MODULES = ("pyo3", "pyo3-ffi", "extension")


def platform_link_args(
    artifact: PlannedArtifact,
    target: Target | None,
    environ: Mapping[str, str],
    configured: Mapping[str, str] | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    """What the target adds to one compile: rustflags (every crate), rustc arguments (the
    artifact alone) and environment, as maturin's ``compile.rs``.

    macOS pyo3 modules: ``-C link-arg=-undefined -C link-arg=dynamic_lookup`` as rustflags
    (so a dependency that is a pyo3 cdylib links too) and ``-install_name @rpath/<file>``;
    every macOS compile: ``MACOSX_DEPLOYMENT_TARGET`` unless set (``configured``, the
    triple's ``macos-deployment-target``, else rustc's default for the triple).

    >>> from pathlib import PurePosixPath
    >>> a = PlannedArtifact("pyo3", "cdylib", PurePosixPath("m"), name="m.abi3.so")
    >>> flags, args, env = platform_link_args(a, parse_target("aarch64-apple-darwin"), {})
    >>> " ".join(flags), args, env
    ('-C link-arg=-undefined -C link-arg=dynamic_lookup', ('-C', 'link-args=-Wl,-install_name,@rpath/m.abi3.so'), {'MACOSX_DEPLOYMENT_TARGET': '11.0'})
    """
    if target is None or not target.is_macos:
        return (), (), {}
    env = {}
    if not environ.get("MACOSX_DEPLOYMENT_TARGET"):
        major, minor = MACOS_DEFAULT["aarch64" if target.arch == "aarch64" else "x86_64"]
        chosen = (configured or {}).get(target.triple, f"{major}.{minor}")
        env["MACOSX_DEPLOYMENT_TARGET"] = chosen
    if artifact.kind not in _PYO3_MODULES or artifact.crate_type != "cdylib":
        return (), (), env
    user = environ.get("RUSTFLAGS", "").split() + environ.get("CARGO_ENCODED_RUSTFLAGS", "").split(
        "\x1f"
    )
    flags: tuple[str, ...] = ()
    for arg in ("link-arg=-undefined", "link-arg=dynamic_lookup"):
        if arg not in user and f"-C{arg}" not in user:
            flags += ("-C", arg)
    args = ("-C", f"link-args=-Wl,-install_name,@rpath/{artifact.name}")
    return flags, args, env


def _with_rustc_args(invocation: CargoInvocation, args: tuple[str, ...]) -> CargoInvocation:
    """``args`` for rustc after cargo's ``--`` (started when there is none)."""
    if not args:
        return invocation
    argv = list(invocation.argv)
    argv += [*([] if "--" in argv else ["--"]), *args]
    return dataclasses.replace(invocation, argv=tuple(argv))


@record
class CargoRecipe:
    """What every cargo run of one build shares."""

    cargo: str
    manifest_path: Path  # the project's manifest as cargo is given it (maybe via a stable root)
    options: CargoOptions
    env: Mapping[str, str]  # the settings' environment plus the build-wide additions (zig)
    remap: PathRemap = dataclasses.field(default_factory=PathRemap)
    # Added to every crate's rustflags (``--pgo``'s ``-Cprofile-generate`` / ``-use``).
    rustflags: tuple[str, ...] = ()
    # ``macos-deployment-target`` per triple (``[tool.maturin.target.<triple>]``).
    deployment: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def invocations(
        self, artifact: PlannedArtifact, unit: PlannedUnit | None = None
    ) -> tuple[CargoInvocation, ...]:
        """One cargo run per triple cargo is given: two for ``universal2-apple-darwin``
        (aarch64 and x86_64, merged into one fat file afterwards), one otherwise."""
        if not self.options.target:
            return (self.invocation(artifact, unit),)
        return tuple(
            self.invocation(artifact, unit, triple)
            for triple in parse_target(self.options.target).cargo_triples
        )

    def invocation(
        self, artifact: PlannedArtifact, unit: PlannedUnit | None = None, triple: str | None = None
    ) -> CargoInvocation:
        """cargo's argv and environment for ``artifact`` of ``unit`` (for ``triple``, one of
        the target's cargo triples; by default the target itself)."""
        options = self.options
        if triple is not None:
            options = dataclasses.replace(options, target=triple)
        if artifact.features is not None:
            options = dataclasses.replace(
                options, features=artifact.features, all_features=False, no_default_features=False
            )
        manifest = artifact.manifest or self.manifest_path
        interp = unit.unit.interpreter if unit is not None and artifact.pyo3 else None
        pyo3_config = unit.pyo3_config if unit is not None and artifact.abi3_config else None
        if artifact.crate_type == "bin":
            assert artifact.name is not None
            inv = plan_bin(
                self.cargo,
                manifest,
                options,
                artifact.name,
                interp,
                self.env,
                embed_python=artifact.pyo3 == "embed",
            )
        else:
            inv = plan_cdylib(self.cargo, manifest, options, interp, self.env, pyo3_config)
            # Libraries only (as maturin; binaries link musl statically). The musl host
            # is known from the unit's interpreter when no target is given.
            host = unit.unit.interpreter if unit is not None else None
            inv = with_rustflags(inv, dynamic_crt_flags(options.target, host, self.env))
        target = parse_target(options.target) if options.target else None
        if target is None and unit is not None:
            target = host_target(unit.unit.interpreter.platform, host_machine())
        flags, args, env = platform_link_args(artifact, target, self.env, self.deployment)
        inv = _with_rustc_args(with_rustflags(inv, (*flags, *self.rustflags)), args)
        if env:
            inv = dataclasses.replace(inv, env={**inv.env, **env})
        return self.remap.apply(inv)

    def tool_run(self, binary: CargoTarget, crate_dir: Path) -> CargoInvocation:
        """``cargo run --bin NAME`` of a host tool in the crate (uniffi-bindgen), ending in
        ``--`` for the tool's own arguments.

        The tool runs here, so no target, profile or rustc arguments; the global
        flags (lock file, network, ``--config``, ``-Z``) and the environment apply.
        """
        manifest = crate_dir / "Cargo.toml"
        argv = [self.cargo, "run", "--quiet", "--bin", binary.name]
        argv += ["--manifest-path", str(manifest)]
        if binary.required_features:
            argv += ["--features", ",".join(binary.required_features)]
        argv += global_flags(self.options)
        if self.options.target_dir:
            argv += ["--target-dir", str(self.options.target_dir)]
        return CargoInvocation((*argv, "--"), dict(self.env), manifest)


def zig_linker_env(settings: Settings, work_dir: Path) -> dict[str, str]:
    """``--zig``: the linker wrapper for the target (glibc from ``--compatibility``)."""
    if not settings.platform.zig:
        return {}
    from ferrule.interpreter import host_triple
    from ferrule.zig import zig_env

    triple = settings.cargo_options.target or host_triple(settings.environ)
    glibc = (2, 17)
    for value in settings.platform.compatibility:
        if value.startswith("manylinux_"):
            glibc = tuple(int(p) for p in value.split("_")[1:3])  # type: ignore[assignment]
    return zig_env(triple, glibc, work_dir / "zig")


def rustc_wrapper(settings: Settings) -> str | None:
    """cargo's rustc wrapper (sccache): ``RUSTC_WRAPPER`` / ``CARGO_BUILD_RUSTC_WRAPPER``,
    else ``[tool.ferrule] rustc-wrapper``, else ``build.rustc-wrapper`` of cargo's
    configuration files (docs/ci.md)."""
    env = settings.environ
    return (
        env.get("RUSTC_WRAPPER")
        or env.get("CARGO_BUILD_RUSTC_WRAPPER")
        or (settings.tool.rustc_wrapper or None)
        or settings.cargo_config_wrapper
    )


def cargo_recipe(
    settings: Settings, manifest_path: Path, remap: PathRemap, work_dir: Path
) -> CargoRecipe:
    """The build-wide recipe: the settings' environment with ``--zig``'s linker and the
    configured rustc wrapper."""
    env = dict(settings.environ)
    # Only the pyproject key is passed on: one in cargo's configuration cargo applies itself.
    wrapper = settings.tool.rustc_wrapper
    if wrapper and not (env.get("RUSTC_WRAPPER") or env.get("CARGO_BUILD_RUSTC_WRAPPER")):
        env["RUSTC_WRAPPER"] = wrapper
    env.update(zig_linker_env(settings, work_dir))
    return CargoRecipe(
        cargo_program(settings.environ),
        manifest_path,
        settings.cargo_options,
        env,
        remap,
        deployment=macos_deployment_targets(settings.tool),
    )
