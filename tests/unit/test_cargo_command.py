"""The cargo command planner: options become cargo flags, nothing else sneaks in."""

from __future__ import annotations

from pathlib import Path

from packaging.specifiers import SpecifierSet

from ferrule.cargo.command import plan_bin, plan_cdylib
from ferrule.config.model import CargoOptions, FeatureSpec
from ferrule.interpreter import Interpreter

CPY311 = Interpreter(
    "cpython", 3, 11, "", ".so", "", "linux-x86_64", "/v/bin/python", "/b/python3.11", False, 64
)
PYPY = Interpreter("pypy", 3, 10, "", ".so", "pypy310-pp73", "linux-x86_64", "/p", "/p", False, 64)


def test_every_cargo_option_is_passed() -> None:
    options = CargoOptions(
        profile="fast",
        features=(FeatureSpec("a"), FeatureSpec("b")),
        all_features=True,
        no_default_features=True,
        locked=True,
        frozen=True,
        offline=True,
        target="x86_64-unknown-linux-gnu",
        target_dir=Path("/t"),
        config=("profile.fast.inherits='release'",),
        unstable_flags=("build-std",),
        rustc_args=("-Ctarget-cpu=native",),
        jobs=2,
    )
    argv = plan_cdylib("cargo", Path("/p/Cargo.toml"), options, CPY311, {}).argv
    assert argv[:3] == ("cargo", "rustc", "--lib")
    for expected in (
        ("--profile", "fast"),
        ("--features", "a,b"),
        ("--target", "x86_64-unknown-linux-gnu"),
        ("--target-dir", "/t"),
        ("--config", "profile.fast.inherits='release'"),
        ("-Z", "build-std"),
        ("--jobs", "2"),
        ("--crate-type", "cdylib"),
    ):
        pairs = [argv[i : i + 2] for i, word in enumerate(argv) if word == expected[0]]
        assert expected in pairs
    for flag in ("--all-features", "--no-default-features", "--locked", "--frozen", "--offline"):
        assert flag in argv
    assert argv[-2:] == ("--", "-Ctarget-cpu=native")


def test_conditional_features_follow_the_interpreter() -> None:
    options = CargoOptions(
        features=(
            FeatureSpec("new", SpecifierSet(">=3.11")),
            FeatureSpec("old", SpecifierSet("<3.11")),
            FeatureSpec("pypy", None, "pypy"),
        )
    )
    cpy = plan_cdylib("cargo", Path("/p/Cargo.toml"), options, CPY311, {}).argv
    pypy = plan_cdylib("cargo", Path("/p/Cargo.toml"), options, PYPY, {}).argv
    assert cpy[cpy.index("--features") + 1] == "new"
    assert pypy[pypy.index("--features") + 1] == "old,pypy"


def test_pyo3_units_have_their_own_hash_and_the_user_config_wins() -> None:
    """See docs/develop.md, "Switching between cargo and ferrule"."""
    ours = "profile.dev.package.pyo3-build-config.codegen-units="
    user = "profile.dev.package.pyo3-build-config.codegen-units=1"
    argv = plan_cdylib(
        "cargo", Path("/p/Cargo.toml"), CargoOptions(config=(user,)), CPY311, {}
    ).argv
    configs = [argv[i + 1] for i, word in enumerate(argv) if word == "--config"]
    assert len(configs) == 2 and configs[0].startswith(ours) and configs[1] == user
    # Not for crates without pyo3 (cargo would warn about a spec that matches nothing).
    assert (
        "--config" not in plan_cdylib("cargo", Path("/p/Cargo.toml"), CargoOptions(), None, {}).argv
    )


def test_each_pyo3_configuration_has_its_own_units() -> None:
    """CPython, PyPy and an embedding binary each get their copy of pyo3; a plain
    binary next to the extension shares the extension's."""

    def value(argv: tuple[str, ...]) -> str:
        (config,) = [argv[i + 1] for i, word in enumerate(argv) if word == "--config"]
        assert config.startswith("profile.release.package.pyo3-build-config.codegen-units=")
        return config

    options, manifest = CargoOptions(profile="release"), Path("/p/Cargo.toml")
    cpython = value(plan_cdylib("cargo", manifest, options, CPY311, {}).argv)
    pypy = value(plan_cdylib("cargo", manifest, options, PYPY, {}).argv)
    plain_bin = value(plan_bin("cargo", manifest, options, "b", CPY311, {}).argv)
    embedding = value(plan_bin("cargo", manifest, options, "b", CPY311, {}, embed_python=True).argv)
    assert cpython == plain_bin
    assert len({cpython, pypy, embedding}) == 3


def test_the_pyo3_units_of_an_abi3_config_file_do_not_depend_on_paths() -> None:
    """The config file lives in the checkout's target directory, and its interpreter may
    be an isolated build's: neither may change cargo's hash (shared caches, replays)."""
    from ferrule.cargo.command import pyo3_own_units

    def units(config: str, python: str) -> tuple[str, ...]:
        env = {
            "PYO3_CONFIG_FILE": config,
            "PYO3_PYTHON": python,
            "PYO3_BUILD_EXTENSION_MODULE": "1",
        }
        return pyo3_own_units("release", env)

    a = units("/a/target/ferrule/pyo3-config-host-3.8-abi3.txt", "/tmp/build-env-1/bin/python")
    b = units("/b/target/ferrule/pyo3-config-host-3.8-abi3.txt", "/tmp/build-env-2/bin/python")
    assert a == b
    assert a != units("/a/target/ferrule/pyo3-config-host-3.9-abi3.txt", "/x")


def test_pyo3_environment() -> None:
    env = plan_cdylib("cargo", Path("/p/Cargo.toml"), CargoOptions(), CPY311, {"HOME": "/h"}).env
    assert env["PYO3_PYTHON"] == "/b/python3.11"  # the base interpreter, stable across venvs
    assert env["PYO3_BUILD_EXTENSION_MODULE"] == "1"
    assert env["PYO3_ENVIRONMENT_SIGNATURE"] == "cpython-3.11-64bit"
    assert env["HOME"] == "/h"
    # A user's PYO3_CONFIG_FILE wins over the interpreter.
    env = plan_cdylib(
        "cargo", Path("/p/Cargo.toml"), CargoOptions(), CPY311, {"PYO3_CONFIG_FILE": "/c"}
    ).env
    assert "PYO3_PYTHON" not in env


def test_binaries() -> None:
    plain = plan_bin(
        "cargo", Path("/p/Cargo.toml"), CargoOptions(profile="release"), "tool", None, {}
    )
    assert plain.argv[:4] == ("cargo", "rustc", "--bin", "tool")
    assert "--release" in plain.argv and "PYO3_PYTHON" not in plain.env
    embedding = plan_bin(
        "cargo", Path("/p/Cargo.toml"), CargoOptions(), "tool", CPY311, {}, embed_python=True
    )
    assert "PYO3_BUILD_EXTENSION_MODULE" not in embedding.env
    beside_library = plan_bin("cargo", Path("/p/Cargo.toml"), CargoOptions(), "tool", CPY311, {})
    assert beside_library.env["PYO3_BUILD_EXTENSION_MODULE"] == "1"


def test_abi3_config_file_still_hands_build_scripts_the_target_interpreter() -> None:
    """pyo3 reads PYO3_CONFIG_FILE; a crate's build script runs PYO3_PYTHON (maturin sets both)."""
    env = plan_cdylib(
        "cargo", Path("/p/Cargo.toml"), CargoOptions(), CPY311, {}, pyo3_config=Path("/t/c.txt")
    ).env
    assert env["PYO3_CONFIG_FILE"] == "/t/c.txt"
    assert env["PYO3_PYTHON"] == env["PYTHON_SYS_EXECUTABLE"] == "/v/bin/python"
