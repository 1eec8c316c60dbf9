"""Keep the checkout path out of compiled code: ``--remap-path-prefix``, pure.

What a release build embeds, measured on the sdist test crates: cargo hands
rustc paths relative to the workspace root for workspace members, so their
panic locations are path-free; but rustc records its working directory (the
workspace root) in debug info, and path dependencies outside the workspace are
compiled with absolute paths, which end up in their panic messages.

So, following the conventions of cargo's (unstable) ``trim-paths``, for
builds with any profile but ``dev`` and ``test`` (debuggers want real paths):

* the workspace root becomes ``.`` and cargo's target directory
  ``/cargo/build-dir``, for the extension crate only (rustc arguments after
  ``--``): nothing else is rebuilt because of them;
* each path dependency outside the workspace becomes ``<name>-<version>``.
  That needs the flag on every crate, i.e. in the rustflags; cargo keeps
  dependencies built with other flags beside them, but compiles them once more
  for each checkout location. Only projects with such dependencies pay that.

Rustflags are merged, never replaced: appended to ``CARGO_ENCODED_RUSTFLAGS``
or ``RUSTFLAGS`` when those are set (cargo then ignores config rustflags), else
given as ``--config build.rustflags=[...]``, which cargo appends to the
``build.rustflags`` of its config files. A user who passes their own
``--remap-path-prefix`` (or ``-Z trim-paths``) is left in charge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

from ferrule._record import record
from ferrule.cargo.command import CargoInvocation, with_rustflags
from ferrule.config.path_deps import PathCrate

__all__ = ["PathRemap", "path_remap"]

_FLAG = "--remap-path-prefix"


@record
class PathRemap:
    """Extra arguments for ``cargo rustc``: for the final crate and for all crates."""

    rustc_args: tuple[str, ...] = ()
    rustflags: tuple[str, ...] = ()

    def apply(self, invocation: CargoInvocation) -> CargoInvocation:
        """``invocation`` with the remapping added.

        >>> inv = CargoInvocation(("cargo", "rustc", "--lib", "--", "-Cx"), {}, Path("C"))
        >>> r = PathRemap(("--remap-path-prefix=/w=.",), ("--remap-path-prefix=/d=d-1",))
        >>> print(" ".join(r.apply(inv).argv))
        cargo rustc --lib --config build.rustflags=["--remap-path-prefix=/d=d-1"] -- --remap-path-prefix=/w=. -Cx
        """
        argv = list(invocation.argv)
        if "--" in argv:
            split = argv.index("--")
            before, after = argv[:split], argv[split + 1 :]
        else:
            before, after = argv, []
        after = [*self.rustc_args, *after]
        argv = before + (["--", *after] if after else [])
        return with_rustflags(dataclasses.replace(invocation, argv=tuple(argv)), self.rustflags)


def _user_remaps(rustc_args: Sequence[str], environ: Mapping[str, str]) -> bool:
    words = [*rustc_args, *environ.get("RUSTFLAGS", "").split()]
    words += environ.get("CARGO_ENCODED_RUSTFLAGS", "").split("\x1f")
    return any(w.startswith(_FLAG) for w in words)


def path_remap(
    workspace_root: Path,
    path_crates: Sequence[PathCrate],
    target_dir: Path | None,
    profile: str | None,
    rustc_args: Sequence[str],
    unstable_flags: Sequence[str],
    environ: Mapping[str, str],
) -> PathRemap:
    """The remapping for a build of the crate in ``workspace_root``.

    As cargo's ``trim-paths`` default, debug builds (the ``dev`` and ``test``
    profiles) keep real paths, for debuggers to find the sources.

    >>> r = path_remap(Path("/src/ws"), [PathCrate(Path("/src/core"), "core", "1.0.0"),
    ...                PathCrate(Path("/src/ws/helper"), "helper", "1.0.0")],
    ...                Path("/src/ws/target"), "release", [], [], {})
    >>> r.rustc_args
    ('--remap-path-prefix=/src/ws=.', '--remap-path-prefix=/src/ws/target=/cargo/build-dir')
    >>> r.rustflags
    ('--remap-path-prefix=/src/core=core-1.0.0',)
    >>> path_remap(Path("/w"), [], None, "release", ["--remap-path-prefix=/w=x"], [], {})
    PathRemap(rustc_args=(), rustflags=())
    >>> path_remap(Path("/w"), [], None, "dev", [], [], {})
    PathRemap(rustc_args=(), rustflags=())
    """
    if profile in (None, "dev", "test"):
        return PathRemap()
    if _user_remaps(rustc_args, environ) or any(f.startswith("trim-paths") for f in unstable_flags):
        return PathRemap()
    # rustc applies the last matching mapping: the more specific ones go last.
    final = [f"{_FLAG}={workspace_root}=."]
    if target_dir is not None:
        final.append(f"{_FLAG}={target_dir}=/cargo/build-dir")
    outside = [c for c in path_crates if not c.directory.is_relative_to(workspace_root)]
    flags = tuple(f"{_FLAG}={c.directory}={c.name}-{c.version}" for c in outside)
    return PathRemap(tuple(final), flags)
