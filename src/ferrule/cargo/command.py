"""Turn a build request into cargo's argv and environment: pure functions only."""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ferrule._record import record
from ferrule.config.model import CargoOptions

if TYPE_CHECKING:
    # Types only: the sdist's cargo commands render global flags without the interpreter
    # modules (ferrule.abi, which feature_flags needs, imports them).
    from ferrule.interpreter import Interpreter

__all__ = [
    "CargoInvocation",
    "cargo_program",
    "dynamic_crt_flags",
    "feature_flags",
    "global_flags",
    "plan_bin",
    "plan_cdylib",
    "pyo3_own_units",
    "with_rustflags",
]


@record
class CargoInvocation:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    manifest_path: Path


def with_rustflags(invocation: CargoInvocation, flags: tuple[str, ...]) -> CargoInvocation:
    """``invocation`` with ``flags`` added to the rustflags of every crate, merged, never replacing.

    Appended to ``CARGO_ENCODED_RUSTFLAGS`` or ``RUSTFLAGS`` when set (cargo then
    ignores config rustflags), else given as ``--config build.rustflags=[...]``,
    which cargo appends to the ``build.rustflags`` of its config files.

    >>> inv = CargoInvocation(("cargo", "rustc", "--lib", "--", "-Cx"), {}, Path("C"))
    >>> print(" ".join(with_rustflags(inv, ("-Ca", "-Cb")).argv))
    cargo rustc --lib --config build.rustflags=["-Ca", "-Cb"] -- -Cx
    >>> env = with_rustflags(dataclasses.replace(inv, env={"RUSTFLAGS": "-Cz"}), ("-Ca",)).env
    >>> env["CARGO_ENCODED_RUSTFLAGS"].split("\x1f")
    ['-Cz', '-Ca']
    """
    if not flags:
        return invocation
    argv = list(invocation.argv)
    env = dict(invocation.env)
    if "CARGO_ENCODED_RUSTFLAGS" in env:
        current = env["CARGO_ENCODED_RUSTFLAGS"]
        env["CARGO_ENCODED_RUSTFLAGS"] = "\x1f".join(
            [*(current.split("\x1f") if current else []), *flags]
        )
    elif env.get("RUSTFLAGS", "").strip():
        env["CARGO_ENCODED_RUSTFLAGS"] = "\x1f".join([*env["RUSTFLAGS"].split(), *flags])
    else:
        split = argv.index("--") if "--" in argv else len(argv)
        array = "[" + ", ".join(json.dumps(f) for f in flags) + "]"
        argv[split:split] = ["--config", f"build.rustflags={array}"]
    return dataclasses.replace(invocation, argv=tuple(argv), env=env)


def dynamic_crt_flags(
    target: str | None, interp: Interpreter | None, environ: Mapping[str, str]
) -> tuple[str, ...]:
    """``-C target-feature=-crt-static`` for musl targets, as maturin adds.

    Rust links musl's C runtime statically by default, and then cannot make a
    ``cdylib`` at all; an extension module must use the interpreter's libc.
    The host is musl when the interpreter's ABI tag says so (Alpine's
    ``cpython-311-x86_64-linux-musl``). Users who set ``crt-static``
    themselves are left in charge.

    >>> from ferrule.interpreter import Interpreter
    >>> i = Interpreter("cpython", 3, 12, "", ".so", "cpython-312-x86_64-linux-musl", "", "", "",
    ...                 False, 64)
    >>> dynamic_crt_flags(None, i, {}), dynamic_crt_flags("x86_64-unknown-linux-gnu", i, {})
    (('-C', 'target-feature=-crt-static'), ())
    >>> dynamic_crt_flags("aarch64-unknown-linux-musl", None, {"RUSTFLAGS": "-Ctarget-feature=+crt-static"})
    ()
    """
    musl = "musl" in target if target else interp is not None and "musl" in interp.soabi
    if not musl:
        return ()
    user = environ.get("RUSTFLAGS", "") + environ.get("CARGO_ENCODED_RUSTFLAGS", "")
    if "crt-static" in user:
        return ()
    return ("-C", "target-feature=-crt-static")


def cargo_program(environ: Mapping[str, str]) -> str:
    """The cargo to run: ``CARGO`` (as cargo sets it for build scripts and tools), else ``cargo``."""
    return environ.get("CARGO", "cargo")


def global_flags(options: CargoOptions) -> list[str]:
    """The flags every cargo command takes and that change what it reads: lock file and
    network (``--locked``/``--frozen``/``--offline``), ``--config`` and ``-Z``.

    The one place they are rendered: builds, ``cargo metadata``/``tree``, the sdist's
    ``cargo package`` and the uniffi-bindgen run all use it.

    >>> global_flags(CargoOptions(locked=True, config=("a=1",), unstable_flags=("x",)))
    ['--locked', '--config', 'a=1', '-Z', 'x']
    """
    args: list[str] = []
    for flag, on in (
        ("--locked", options.locked),
        ("--frozen", options.frozen),
        ("--offline", options.offline),
    ):
        if on:
            args.append(flag)
    for item in options.config:
        args += ["--config", item]
    for flag in options.unstable_flags:
        args += ["-Z", flag]
    return args


def feature_flags(options: CargoOptions, interp: Interpreter | None) -> list[str]:
    """``--features`` (those that apply to ``interp``), ``--all-features``, ``--no-default-features``.

    >>> from ferrule.config.model import FeatureSpec
    >>> feature_flags(CargoOptions(features=(FeatureSpec("a"),), no_default_features=True), None)
    ['--features', 'a', '--no-default-features']
    """
    args: list[str] = []
    from ferrule.abi import active_features

    features = active_features(options.features, interp)
    if features:
        args += ["--features", ",".join(features)]
    if options.all_features:
        args.append("--all-features")
    if options.no_default_features:
        args.append("--no-default-features")
    return args


def _common_args(options: CargoOptions, manifest: Path, interp: Interpreter | None) -> list[str]:
    args = ["--message-format=json-render-diagnostics", "--manifest-path", str(manifest)]
    if options.profile == "release":
        args.append("--release")
    elif options.profile and options.profile != "dev":
        args += ["--profile", options.profile]
    args += feature_flags(options, interp)
    args += global_flags(options)
    if options.quiet:
        args.append("--quiet")
    if options.target:
        args += ["--target", options.target]
    if options.target_dir:
        args += ["--target-dir", str(options.target_dir)]
    if options.jobs:
        args += ["--jobs", str(options.jobs)]
    if options.verbose:
        args.append("-" + "v" * options.verbose)
    if options.color:
        args += ["--color", options.color]
    for flag, on in (
        ("--timings", options.timings),
        ("--ignore-rust-version", options.ignore_rust_version),
        ("--future-incompat-report", options.future_incompat_report),
    ):
        if on:
            args.append(flag)
    return args


def pyo3_own_units(profile: str | None, env: Mapping[str, str]) -> tuple[str, ...]:
    """``--config`` that gives ferrule's pyo3 crates, configured by ``env``, their own
    place in the target directory.

    ferrule's pyo3 environment must differ from a plain ``cargo test`` in the same
    venv (``PYO3_BUILD_EXTENSION_MODULE``: an extension module must not link
    libpython, a test binary must), and pyo3's build scripts watch it: sharing one
    copy, each switch between ``cargo test`` and ``ferrule develop`` would rebuild
    pyo3-ffi and pyo3. A profile setting on ``pyo3-build-config`` goes into cargo's
    unit hash of it and of every crate above it (pyo3-ffi, pyo3, pyo3-macros with
    older pyo3), so cargo keeps ferrule's copies beside the plain ones and rebuilds
    neither. The setting is ``codegen-units``, a number from pyo3's configuration
    (the ``PYO3_*`` variables): each interpreter's build (CPython, PyPy, abi3) gets
    its copy too, and a multi-interpreter build does not rebuild pyo3 for each one.
    pyo3-build-config only runs inside build scripts: no code in the wheel changes.
    See docs/develop.md, "Switching between cargo and ferrule".

    >>> pyo3_own_units(None, {})
    ('--config', 'profile.dev.package.pyo3-build-config.codegen-units=170')
    >>> a = pyo3_own_units("release", {"PYO3_PYTHON": "/usr/bin/python3.11"})[1]
    >>> b = pyo3_own_units("release", {"PYO3_PYTHON": "/usr/bin/pypy3.9"})[1]
    >>> a.startswith("profile.release.package.pyo3-build-config.codegen-units="), a != b
    (True, True)
    """
    name = profile or "dev"
    config = {k: v for k, v in env.items() if k.startswith("PYO3_") or k == "PYTHON_SYS_EXECUTABLE"}
    if "PYO3_CONFIG_FILE" in config:
        # pyo3 reads the file and runs no interpreter (whose path may be an isolated
        # build's); the file's name tells configurations apart, its directory (in the
        # checkout's target directory) must not make the hash depend on the checkout.
        config.pop("PYO3_PYTHON", None)
        config.pop("PYTHON_SYS_EXECUTABLE", None)
        config["PYO3_CONFIG_FILE"] = Path(config["PYO3_CONFIG_FILE"]).name
    units = 129 + zlib.crc32(repr(sorted(config.items())).encode()) % 128
    return ("--config", f"profile.{name}.package.pyo3-build-config.codegen-units={units}")


def pyo3_env(
    base: Mapping[str, str],
    interp: Interpreter,
    pyo3_config: Path | None = None,
    *,
    extension_module: bool = True,
) -> dict[str, str]:
    """The environment pyo3's build script needs to target ``interp``.

    The interpreter is given by its base executable (the one a virtual
    environment was made from): pyo3's configuration is the same, and a stable
    path means cargo does not rebuild pyo3 for every new venv or isolated build.
    """
    env = dict(base)
    if pyo3_config is not None and "PYO3_CONFIG_FILE" not in env:
        # abi3 with pyo3 >= 0.29: the configuration names no interpreter at all.
        env["PYO3_CONFIG_FILE"] = str(pyo3_config)
        if interp.runnable:
            # pyo3 never runs PYO3_PYTHON now, but the crate's own build script
            # may (cffi code generation): give it the target environment's
            # interpreter, with that environment's packages, as maturin does.
            env["PYO3_PYTHON"] = interp.executable
            env["PYTHON_SYS_EXECUTABLE"] = interp.executable
    elif "PYO3_CONFIG_FILE" not in env and interp.runnable:
        env["PYO3_PYTHON"] = interp.base_executable
        env["PYTHON_SYS_EXECUTABLE"] = interp.base_executable
        env["PYO3_ENVIRONMENT_SIGNATURE"] = interp.signature
    elif "PYO3_CONFIG_FILE" not in env:
        # Cross-compiling: pyo3 reads the target's sysconfigdata with a host Python.
        import os
        import sys

        host = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
        env.setdefault("PYO3_PYTHON", host)
    if extension_module:
        # pyo3 >= 0.27 reads this instead of the `extension-module` feature.
        env["PYO3_BUILD_EXTENSION_MODULE"] = "1"
    else:
        # A binary embeds Python and must link libpython.
        env.pop("PYO3_BUILD_EXTENSION_MODULE", None)
    return env


def plan_cdylib(
    cargo: str,
    manifest: Path,
    options: CargoOptions,
    interp: Interpreter | None,
    base_env: Mapping[str, str],
    pyo3_config: Path | None = None,
) -> CargoInvocation:
    """``cargo rustc --lib --crate-type cdylib`` for one interpreter.

    >>> from ferrule.interpreter import Interpreter
    >>> i = Interpreter("cpython", 3, 11, "", "", "", "", "/py", "/base/py", False, 64)
    >>> inv = plan_cdylib("cargo", Path("/p/Cargo.toml"), CargoOptions(profile="release",
    ...                   rustc_args=("-Copt-level=2",)), i, {})
    >>> " ".join(inv.argv)
    'cargo rustc --lib --config profile.release.package.pyo3-build-config.codegen-units=163 --message-format=json-render-diagnostics --manifest-path /p/Cargo.toml --release --crate-type cdylib -- -Copt-level=2'
    >>> inv.env["PYO3_PYTHON"]
    '/base/py'
    """
    env = pyo3_env(base_env, interp, pyo3_config) if interp is not None else dict(base_env)
    # The user's own --config (in the common arguments) comes later and wins.
    own = pyo3_own_units(options.profile, env) if interp is not None else ()
    argv = [cargo, "rustc", "--lib", *own, *_common_args(options, manifest, interp)]
    argv += ["--crate-type", "cdylib"]
    if options.rustc_args:
        argv += ["--", *options.rustc_args]
    return CargoInvocation(tuple(argv), env, manifest)


def plan_bin(
    cargo: str,
    manifest: Path,
    options: CargoOptions,
    name: str,
    interp: Interpreter | None,
    base_env: Mapping[str, str],
    *,
    embed_python: bool = False,
) -> CargoInvocation:
    """``cargo rustc --bin NAME``.

    With ``interp``, pyo3 is configured for it: to embed Python (``embed_python``,
    a pyo3 binary) or exactly as for the crate's extension module, so that a
    plain binary next to a pyo3 library does not make cargo rebuild pyo3.

    >>> inv = plan_bin("cargo", Path("/p/Cargo.toml"), CargoOptions(), "tool", None, {})
    >>> " ".join(inv.argv)
    'cargo rustc --bin tool --message-format=json-render-diagnostics --manifest-path /p/Cargo.toml'
    """
    env = (
        pyo3_env(base_env, interp, extension_module=not embed_python)
        if interp is not None
        else dict(base_env)
    )
    own = pyo3_own_units(options.profile, env) if interp is not None else ()
    argv = [cargo, "rustc", "--bin", name, *own, *_common_args(options, manifest, interp)]
    if options.rustc_args:
        argv += ["--", *options.rustc_args]
    return CargoInvocation(tuple(argv), env, manifest)
