"""Which of maturin's test-crates are built, and how (from maturin's tests/run/*.rs, tests/common/).

maturin's integration tests build with ``--interpreter <venv python with cffi>`` (a PyPy
interpreter when testing PyPy), ``--generate-stubs`` for the stub crates, ``--zig`` where
zig is found, and a few crates with their own flags (tests/common/other.rs, errors.rs,
src/build_options.rs). Both tools here get exactly the same flags.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str  # row name: the crate's directory, plus "+variant" for a second build of it
    crate: str  # directory under test-crates/
    package: str = ""  # subdirectory holding the pyproject.toml (or Cargo.toml) to build
    args: tuple[str, ...] = ()  # extra flags for both tools' `build`
    python: str = ""  # interpreter to build for instead of the build venv's (e.g. pypy3)
    group: str = "shared"  # cases with other compile flags get their own CARGO_TARGET_DIR
    needs_python: str = ""  # a CPython version this machine must have ("3.15")
    needs_target: str = ""  # a rustup target this machine must have
    skip: str = ""  # why it is never built here


STUBS = ("--generate-stubs",)
NOT_A_PACKAGE = "a path dependency of other test crates, not a Python package"

CASES: tuple[Case, ...] = (
    Case("bin-with-python-module", "bin-with-python-module"),
    Case("bin-workspace-pyo3-feature", "bin-workspace-pyo3-feature", "bin"),
    Case("cffi-mixed", "cffi-mixed"),
    Case("cffi-mixed+pypy", "cffi-mixed", python="pypy3", group="pypy"),
    Case("cffi-mixed-implicit", "cffi-mixed-implicit"),
    Case("cffi-mixed-include-exclude", "cffi-mixed-include-exclude"),
    Case("cffi-mixed-py-subdir", "cffi-mixed-py-subdir", args=("--zig",), group="zig"),
    Case("cffi-mixed-src", "cffi-mixed-src"),
    Case("cffi-mixed-submodule", "cffi-mixed-submodule"),
    Case("cffi-mixed-with-path-dep", "cffi-mixed-with-path-dep"),
    Case("cffi-pure", "cffi-pure"),
    Case("cffi-pure+pypy", "cffi-pure", python="pypy3", group="pypy"),
    Case("external-python-source", "external-python-source", "crate"),
    Case("hello-world", "hello-world"),
    Case(
        "hello-world+wasm",
        "hello-world",
        args=("--target", "wasm32-wasip1"),
        group="wasm",
        needs_target="wasm32-wasip1",
    ),
    Case("lib_with_disallowed_lib", "lib_with_disallowed_lib"),
    Case("lib_with_path_dep", "lib_with_path_dep"),
    Case("license-test", "license-test"),
    Case("parent_workspace_sdist", "parent_workspace_sdist", "crates/pysof"),
    Case("pyo3-abi3-and-abi3t", "pyo3-abi3-and-abi3t"),
    Case(
        "pyo3-abi3-and-abi3t+current-abi3t",
        "pyo3-abi3-and-abi3t",
        args=("--no-default-features", "--features", "abi3-and-current-abi3t"),
    ),
    Case("pyo3-abi3-without-version", "pyo3-abi3-without-version"),
    Case("pyo3-abi3t", "pyo3-abi3t", needs_python="3.15"),
    Case("pyo3-abi3t-without-version", "pyo3-abi3t-without-version", needs_python="3.15"),
    Case("pyo3-bin", "pyo3-bin"),
    Case("pyo3-cffi-build-script", "pyo3-cffi-build-script"),
    Case("pyo3-feature", "pyo3-feature", args=("--features", "pyo3")),
    Case("pyo3-ffi-abi3t-py315", "pyo3-ffi-abi3t-py315", needs_python="3.15"),
    Case("pyo3-ffi-pure", "pyo3-ffi-pure"),
    Case("pyo3-mixed", "pyo3-mixed"),
    Case("pyo3-mixed-include-exclude", "pyo3-mixed-include-exclude"),
    Case("pyo3-mixed-py-subdir", "pyo3-mixed-py-subdir"),
    Case("pyo3-mixed-src", "pyo3-mixed-src"),
    Case("pyo3-mixed-workspace", "pyo3-mixed-workspace"),
    # maturin's errors.rs expects "Your library links libpython" from `--auditwheel check`.
    Case("pyo3-no-extension-module", "pyo3-no-extension-module", args=("--auditwheel", "check")),
    Case("pyo3-pure", "pyo3-pure"),
    Case("pyo3-stub-generation-mixed", "pyo3-stub-generation-mixed", args=STUBS),
    Case(
        "pyo3-stub-generation-mixed-py-subdir", "pyo3-stub-generation-mixed-py-subdir", args=STUBS
    ),
    Case("pyo3-stub-generation-pure", "pyo3-stub-generation-pure", args=STUBS),
    Case(
        "pyo3-stub-generation-pure+zig",
        "pyo3-stub-generation-pure",
        args=(*STUBS, "--zig"),
        group="zig",
    ),
    Case("pyo3-workspace-abi3-feature", "pyo3-workspace-abi3-feature", "extension"),
    Case("readme-duplication", "readme-duplication", "readme-py"),
    Case("sdist_with_path_dep", "sdist_with_path_dep"),
    Case("sdist_with_target_path_dep", "sdist_with_target_path_dep"),
    Case("some_path_dep", "some_path_dep", skip=NOT_A_PACKAGE),
    Case("transitive_path_dep", "transitive_path_dep", skip=NOT_A_PACKAGE),
    Case("uniffi-mixed", "uniffi-mixed"),
    Case("uniffi-multiple-binding-files", "uniffi-multiple-binding-files"),
    Case("uniffi-multiple-crates", "uniffi-multiple-crates"),
    Case("uniffi-pure", "uniffi-pure"),
    Case("uniffi-pure-proc-macro", "uniffi-pure-proc-macro"),
    Case("with-data", "with-data"),
    Case("workspace", "workspace", "py"),
    Case("workspace-inheritance", "workspace-inheritance", "python"),
    Case("workspace-inverted-order", "workspace-inverted-order", "path-dep-with-root"),
    Case("workspace_with_path_dep", "workspace_with_path_dep", "python"),
    # maturin's errors.rs expects "python-source is set to ..." here: both should refuse.
    Case("wrong-python-source", "wrong-python-source"),
)


def select(cases: tuple[Case, ...], only: list[str]) -> list[Case]:
    """The cases named in ``only`` (a crate name selects its variants too); all when empty.

    >>> [c.name for c in select(CASES, ["cffi-pure", "hello-world+wasm"])]
    ['cffi-pure', 'cffi-pure+pypy', 'hello-world+wasm']
    >>> select(CASES, ["no-such-crate"])
    Traceback (most recent call last):
    ...
    ValueError: unknown case(s): no-such-crate
    """
    if not only:
        return list(cases)
    unknown = [n for n in only if not any(n in (c.name, c.crate) for c in cases)]
    if unknown:
        raise ValueError(f"unknown case(s): {', '.join(unknown)}")
    return [c for c in cases if c.name in only or c.crate in only]


def unlisted(crate_dirs: list[str], cases: tuple[Case, ...] = CASES) -> list[str]:
    """Directories of the checkout's test-crates/ that no case covers (a newer checkout).

    >>> unlisted(["pyo3-pure", "brand-new"])
    ['brand-new']
    """
    known = {c.crate for c in cases}
    return [d for d in crate_dirs if d not in known]
