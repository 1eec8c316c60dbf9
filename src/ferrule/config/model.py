"""The typed, frozen settings model.

``ToolConfig`` mirrors ``[tool.ferrule]`` / ``[tool.maturin]`` (the same keys).
Each field's metadata names its TOML key and the converter that validates it;
:mod:`ferrule.config.tool` walks these fields, so the model is the single list of
known keys (unknown ones are ignored with a warning and a "did you mean").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ferrule._record import record
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigProblem

if TYPE_CHECKING:  # imported lazily where specifiers are parsed (config.tool)
    from packaging.specifiers import SpecifierSet

    from ferrule.config.bindgen_toml import CbindgenToml, UniffiToml
    from ferrule.config.path_deps import PathCrate
    from ferrule.config.pyo3_crate import Pyo3Crate

__all__ = [
    "BINDINGS",
    "FERRULE_ONLY_KEYS",
    "CargoFlags",
    "CargoOptions",
    "CargoPackage",
    "ExtraExtension",
    "FeatureSpec",
    "IncludeSpec",
    "PlatformOptions",
    "Settings",
    "TargetFilter",
    "ToolConfig",
]

BINDINGS = ("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin")
Format = Literal["sdist", "wheel"]


@record
class FeatureSpec:
    """A cargo feature, optionally only for some interpreters."""

    feature: str
    python_version: SpecifierSet | None = None
    python_implementation: str | None = None


@record
class IncludeSpec:
    """An ``include`` / ``exclude`` entry."""

    path: str
    formats: tuple[Format, ...] = ("sdist", "wheel")
    from_out_dir: bool = False
    to: str | None = None
    crate_name: str | None = None


@record
class ExtraExtension:
    """A ``[[tool.ferrule.extensions]]`` entry: one more native module in the same wheel."""

    manifest_path: str
    module_name: str
    features: tuple[str, ...] = ()


@record
class TargetFilter:
    """A ``[[tool.maturin.targets]]`` entry."""

    name: str
    kind: str | None = None


def _key(
    name: str,
    *,
    kind: str,
    default: Any = None,
    default_factory: Any = None,
    choices: tuple[str, ...] = (),
) -> Any:
    metadata = {"key": name, "kind": kind, "choices": choices}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@record
class ToolConfig:
    """``[tool.ferrule]`` or ``[tool.maturin]``: see docs/configuration.md for each key."""

    module_name: str | None = _key("module-name", kind="str")
    python_source: str | None = _key("python-source", kind="str")
    python_packages: tuple[str, ...] = _key("python-packages", kind="strs", default=())
    data: str | None = _key("data", kind="str")
    bindings: str | None = _key("bindings", kind="choice", choices=BINDINGS)
    compatibility: tuple[str, ...] = _key("compatibility", kind="str-or-strs", default=())
    auditwheel: str | None = _key(
        "auditwheel", kind="choice", choices=("repair", "check", "warn", "skip")
    )
    skip_auditwheel: bool = _key("skip-auditwheel", kind="bool", default=False)
    strip: bool = _key("strip", kind="bool", default=False)
    sdist_generator: str = _key(
        "sdist-generator", kind="choice", choices=("cargo", "git"), default="cargo"
    )
    include: tuple[IncludeSpec, ...] = _key("include", kind="include", default=())
    exclude: tuple[IncludeSpec, ...] = _key("exclude", kind="exclude", default=())
    targets: tuple[TargetFilter, ...] = _key("targets", kind="targets", default=())
    profile: str | None = _key("profile", kind="str")
    editable_profile: str | None = _key("editable-profile", kind="str")
    features: tuple[FeatureSpec, ...] = _key("features", kind="features", default=())
    all_features: bool = _key("all-features", kind="bool", default=False)
    no_default_features: bool = _key("no-default-features", kind="bool", default=False)
    frozen: bool = _key("frozen", kind="bool", default=False)
    locked: bool = _key("locked", kind="bool", default=False)
    offline: bool = _key("offline", kind="bool", default=False)
    manifest_path: str | None = _key("manifest-path", kind="str")
    config: tuple[str, ...] = _key("config", kind="strs", default=())
    unstable_flags: tuple[str, ...] = _key("unstable-flags", kind="strs", default=())
    rustc_args: tuple[str, ...] = _key("rustc-args", kind="strs", default=())
    use_base_python: bool = _key("use-base-python", kind="bool", default=False)
    include_import_lib: bool = _key("include-import-lib", kind="bool", default=False)
    # Accepted so maturin projects load; their features land with their issues.
    target: Mapping[str, Any] = _key("target", kind="table", default_factory=dict)
    pgo_command: str | None = _key("pgo-command", kind="str")
    sbom: Mapping[str, Any] = _key("sbom", kind="table", default_factory=dict)
    generate_ci: Mapping[str, Any] = _key("generate-ci", kind="table", default_factory=dict)
    # ferrule's own keys (ignored with a warning in [tool.maturin], as maturin ignores them).
    extensions: tuple[ExtraExtension, ...] = _key("extensions", kind="extensions", default=())
    # Editable installs rebuild when imported after a change (docs/develop.md).
    rebuild_on_import: bool = _key("rebuild-on-import", kind="bool", default=False)
    # Warnings about loose input become errors (also --strict, FERRULE_STRICT=1).
    strict: bool = _key("strict", kind="bool", default=False)
    # cargo's RUSTC_WRAPPER (sccache) unless the environment sets one (docs/ci.md).
    rustc_wrapper: str | None = _key("rustc-wrapper", kind="str")
    # Ship the license files of every linked crate (also --bundle-licenses; docs/configuration.md).
    bundle_licenses: bool = _key("bundle-licenses", kind="bool", default=False)
    allow_missing_license_files: bool = _key(
        "allow-missing-license-files", kind="bool", default=False
    )


FERRULE_ONLY_KEYS = (
    "extensions",
    "rebuild-on-import",
    "strict",
    "rustc-wrapper",
    "bundle-licenses",
    "allow-missing-license-files",
)


@record
class CargoPackage:
    """What ferrule needs from Cargo.toml, with workspace inheritance resolved.

    Read directly from the TOML files (never via ``cargo metadata``), so the
    metadata hooks work without a Rust toolchain.
    """

    manifest_path: Path
    name: str
    version: str | None
    lib_name: str | None
    crate_types: tuple[str, ...]
    bin_names: tuple[str, ...]
    dependencies: Mapping[str, Any]
    workspace_root: Path | None
    # Metadata fields (already inherited from [workspace.package]).
    description: str | None = None
    authors: tuple[str, ...] = ()
    license: str | None = None
    license_file: str | None = None
    keywords: tuple[str, ...] = ()
    homepage: str | None = None
    repository: str | None = None
    documentation: str | None = None
    readme: str | Literal[False] | None = None


@record
class CargoFlags:
    """cargo's flags as the command line gives them, shared by :class:`CargoOptions` and
    :class:`ferrule.config.CliOptions` (maturin's CargoOptions, cargo_options.rs)."""

    all_features: bool = False
    no_default_features: bool = False
    locked: bool = False
    frozen: bool = False
    offline: bool = False
    target: str | None = None
    target_dir: Path | None = None
    config: tuple[str, ...] = ()
    unstable_flags: tuple[str, ...] = ()
    rustc_args: tuple[str, ...] = ()
    jobs: int | None = None
    quiet: bool = False
    # Passed through to cargo as given.
    verbose: int = 0
    color: str | None = None
    timings: bool = False
    ignore_rust_version: bool = False
    future_incompat_report: bool = False


@record
class CargoOptions(CargoFlags):
    """Cargo options after merging the command line over the config file."""

    profile: str | None = None
    features: tuple[FeatureSpec, ...] = ()


@record
class Compression:
    """How the wheel's members are compressed (maturin's ``--compression-*`` options).

    ``level`` None means the method's default; ``large_file`` writes every
    member with zip64 extensions.
    """

    method: str = "deflated"
    level: int | None = None
    large_file: bool = False


@record
class PlatformOptions:
    """Platform tag and audit choices, the command line merged over the config file.

    ``compatibility`` holds normalised values (``linux``, ``manylinux_X_Y``,
    ``musllinux_X_Y``); empty means "let the audit choose". ``pypi`` is
    maturin's ``--compatibility pypi`` check of the final tags.
    """

    compatibility: tuple[str, ...] = ()
    pypi: bool = False
    auditwheel: str = "repair"
    zig: bool = False
    strip: bool = False


@record
class Settings:
    """Everything a build needs, read once from files and the environment.

    The fields are read by :func:`ferrule.config.load_settings`. The properties
    below are read on first use (the metadata hook never needs them) through
    ``files``, the build's store of parsed TOML files: each file is parsed once
    per build, also across copies made with ``dataclasses.replace`` (which share
    the store and recompute from it for their own ``cargo``).
    """

    project_dir: Path
    pyproject_path: Path | None
    pyproject: Mapping[str, Any]
    tool_table: str
    tool: ToolConfig
    cargo: CargoPackage
    cargo_options: CargoOptions
    environ: Mapping[str, str]
    platform: PlatformOptions = field(default_factory=PlatformOptions)
    # Loose input ferrule builds as maturin does (printed once by load_settings);
    # in strict mode these are errors instead and there are none here.
    warnings: tuple[ConfigProblem, ...] = ()
    strict: bool = False
    compression: Compression = field(default_factory=Compression)
    sbom_include: tuple[Path, ...] = ()  # --sbom-include (the config's come first)
    include_debuginfo: bool = False  # ship cargo's split debug info (.dwp) next to the library
    pgo: bool = False  # --pgo / MATURIN_PGO: three-phase build with tool.pgo_command
    # The linked crates' license files (--bundle-licenses or the [tool.ferrule] keys).
    bundle_licenses: bool = False
    allow_missing_license_files: bool = False
    files: TomlFiles = field(default_factory=TomlFiles, compare=False, repr=False)

    @property
    def project_table(self) -> Mapping[str, Any] | None:
        value = self.pyproject.get("project")
        return value if isinstance(value, Mapping) else None

    @property
    def pyo3(self) -> Pyo3Crate:
        """The crate's pyo3 dependency: features, locked version, supported interpreters."""
        from ferrule.config.pyo3_crate import read_pyo3_crate

        manifest, root = self.cargo.manifest_path, self.cargo.workspace_root
        cargo_home = self.environ.get("CARGO_HOME") or self.environ.get("HOME")
        return self.files.derived(
            ("pyo3", manifest, root, cargo_home),
            lambda: read_pyo3_crate(manifest, root, self.environ, self.files),
        )

    @property
    def workspace_dir(self) -> Path:
        """The directory of the workspace root cargo uses for the crate (its own when none)."""
        return self.workspace_dir_of(self.cargo.manifest_path)

    @property
    def path_dependencies(self) -> tuple[PathCrate, ...]:
        """Every local crate the crate reaches through ``path`` dependencies."""
        from ferrule.config.path_deps import path_crates

        manifest = self.cargo.manifest_path
        return self.files.derived(
            ("path-crates", manifest), lambda: path_crates(manifest, self.files)
        )

    @property
    def uniffi(self) -> UniffiToml:
        """The crate's ``uniffi.toml`` (read only by uniffi builds)."""
        from ferrule.config.bindgen_toml import read_uniffi_toml

        crate_dir = self.cargo.manifest_path.parent
        return self.files.derived(
            ("uniffi", crate_dir), lambda: read_uniffi_toml(crate_dir, self.files)
        )

    @property
    def cbindgen(self) -> CbindgenToml:
        """The crate's ``cbindgen.toml`` (read only by cffi builds that generate a header)."""
        from ferrule.config.bindgen_toml import read_cbindgen_toml

        crate_dir = self.cargo.manifest_path.parent
        return self.files.derived(
            ("cbindgen", crate_dir), lambda: read_cbindgen_toml(crate_dir, self.files)
        )

    @property
    def cargo_config_wrapper(self) -> str | None:
        """``build.rustc-wrapper`` from cargo's configuration files (cargo applies it itself)."""
        from ferrule.config.cargo_config import configured_rustc_wrapper

        start = self.project_dir
        return self.files.derived(
            ("cargo-config-wrapper", start),
            lambda: configured_rustc_wrapper(start, self.environ, self.files),
        )

    def workspace_dir_of(self, manifest: Path) -> Path:
        """:attr:`workspace_dir` for any local crate (a path dependency, an extension)."""
        from ferrule.config.path_deps import cargo_workspace_root

        return self.files.derived(
            ("workspace-dir", manifest), lambda: cargo_workspace_root(manifest, self.files)
        )

    def workspace_table(self, root: Path) -> Mapping[str, Any]:
        """The ``[workspace]`` table of the workspace rooted at directory ``root`` (or {})."""
        table = self.files.read(root / "Cargo.toml").get("workspace")
        return table if isinstance(table, Mapping) else {}

    def cargo_package(self, manifest: Path) -> CargoPackage:
        """Another local crate's ``[package]`` (an extra extension's), read as ``cargo`` is."""
        from ferrule.config.cargo_toml import read_cargo_package

        return self.files.derived(
            ("package", manifest), lambda: read_cargo_package(manifest, self.files)
        )
