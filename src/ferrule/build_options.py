"""The build options of ``ferrule build`` and of the PEP 517 hooks, as data (maturin's names).

One row per option: its names, where its value goes, how it takes values, its
help. The CLI makes argparse arguments from these rows
(:mod:`ferrule.commands._options`) and the hooks read their ``build-args`` against
the same rows without argparse (:func:`ferrule.buildargs.parse`), so both read an
option alike. Standard library only, and no dataclass (``dataclasses`` imports
``inspect``): this module is on the hooks' cached path and under ``ferrule --version``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs milliseconds at import

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "BUILD",
    "CARGO",
    "COMPRESSION",
    "GENERATE_STUBS",
    "INTERPRETER",
    "OPTIONS",
    "PGO",
    "REPORT",
    "STRICT",
    "STRIP_VALUE",
    "WHEEL",
    "Option",
    "bool_value",
]


def _path(text: str) -> Any:
    from pathlib import Path

    return Path(text)


def bool_value(text: str) -> bool:
    """clap's bool parser: ``true`` or ``false``.

    >>> bool_value("true"), bool_value("false")
    (True, False)
    """
    if text not in ("true", "false"):
        raise ValueError(f"invalid value {text!r} (possible values: true, false)")
    return text == "true"


class Option:
    """One option. ``kind`` says how it takes values:

    ``flag`` (none), ``count`` (none, counted), ``value`` (one; the last wins),
    ``append`` (one per use, accumulated), ``many`` (zero or more up to the next
    option, accumulated), ``some`` (as ``many``, at least one), ``optional-bool``
    (``--strip`` alone, or ``--strip true|false``). ``help=None`` hides the
    option from ``--help``; ``group`` is its argparse group there.
    """

    __slots__ = ("choices", "default", "dest", "group", "help", "kind", "metavar", "names", "type")

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        kind: str = "flag",
        help: str | None = None,
        *,
        choices: tuple[str, ...] | None = None,
        type: Callable[[str], Any] | None = None,
        metavar: str | None = None,
        default: Any = None,
        group: str | None = None,
    ) -> None:
        self.names = names
        self.dest = dest
        self.kind = kind
        self.help = help
        self.choices = choices
        self.type = type
        self.metavar = metavar
        self.default = default
        self.group = group

    def __repr__(self) -> str:
        return f"Option({self.names!r}, {self.dest!r}, {self.kind!r})"

    def initial(self) -> Any:
        if self.kind in ("append", "many", "some"):
            return []
        if self.kind == "count":
            return 0
        if self.kind in ("flag", "optional-bool"):
            return False
        return self.default


_BINDINGS = ("pyo3", "pyo3-ffi", "cffi", "uniffi", "bin")
_CARGO = "cargo options"
_COMPRESSION = "wheel compression"

INTERPRETER = (
    Option(
        ("-i", "--interpreter"),
        "interpreter",
        "many",
        "python interpreters to build for: paths, names or versions (3.12, 3.13t, pypy3.9)",
        metavar="PYTHON",
    ),
    Option(
        ("-f", "--find-interpreter"),
        "find_interpreter",
        help="build for every python on PATH that the project supports",
    ),
    Option(("-b", "--bindings"), "bindings", "value", "", choices=_BINDINGS),
)
WHEEL = (
    Option(
        ("-o", "--out"),
        "out",
        "value",
        "output directory (default <target-dir>/wheels)",
        type=_path,
    ),
    Option(
        ("--compatibility", "--manylinux"),
        "compatibility",
        "many",
        "platform tag policy: manylinux2014, manylinux_X_Y, musllinux_X_Y, linux (off), "
        "or pypi (default: the oldest manylinux policy the extension satisfies)",
        metavar="TAG",
    ),
    Option(
        ("--auditwheel",),
        "auditwheel",
        "value",
        "what to do with external shared libraries (default: repair)",
        choices=("repair", "check", "warn", "skip"),
    ),
    Option(("--skip-auditwheel",), "skip_auditwheel"),
    Option(
        ("--zig",),
        "zig",
        help="link with zig (pip install ferrule[zig]) for manylinux2014 (or --compatibility)",
    ),
    Option(
        ("--include-debuginfo",),
        "include_debuginfo",
        help="ship the split debug info cargo makes (.dwp, with -C split-debuginfo=packed) "
        "next to the library; off with --strip",
    ),
    Option(
        ("--sbom-include",),
        "sbom_include",
        "some",
        "SBOM files to ship in <dist-info>/sboms/ (after [tool.maturin.sbom] include)",
        type=_path,
        metavar="FILE",
    ),
    Option(
        ("--bundle-licenses",),
        "bundle_licenses",
        help="ship the license files of every linked crate in "
        "<dist-info>/licenses/third_party/ (ferrule only; [tool.ferrule] bundle-licenses)",
    ),
    Option(
        ("--allow-missing-license-files",),
        "allow_missing_license_files",
        help="with --bundle-licenses: warn about, rather than refuse, a linked crate that "
        "declares a license but ships no license file",
    ),
)
PGO = (
    Option(
        ("--pgo",),
        "pgo",
        help="profile-guided optimization: build instrumented, run [tool.maturin] pgo-command, rebuild with the profile (env MATURIN_PGO)",
    ),
)
COMPRESSION = (
    Option(
        ("--compression-method",),
        "compression_method",
        "value",
        "zip compression method (default deflated; zstd needs Python 3.14's zipfile)",
        choices=("deflated", "stored", "bzip2", "zstd"),
        default="deflated",
        group=_COMPRESSION,
    ),
    Option(
        ("--compression-level",),
        "compression_level",
        "value",
        "compression level (default: the method's: deflated 6, bzip2 6, zstd 3)",
        type=int,
        group=_COMPRESSION,
    ),
    Option(
        ("--compression-enable-large-file-support",),
        "compression_enable_large_file_support",
        help="write every member with zip64 extensions",
        group=_COMPRESSION,
    ),
)
STRICT = (
    Option(
        ("--strict",),
        "strict",
        help="turn every configuration warning into an error (env FERRULE_STRICT=1)",
    ),
)
GENERATE_STUBS = (
    Option(
        ("--generate-stubs",),
        "generate_stubs",
        help="write .pyi stubs from the built module first (as `ferrule stubs`); "
        "the wheel ships them",
    ),
)
CARGO = (
    Option(
        ("-m", "--manifest-path"),
        "manifest_path",
        "value",
        "path to Cargo.toml",
        type=_path,
        group=_CARGO,
    ),
    Option(("--profile",), "profile", "value", "cargo profile to build with", group=_CARGO),
    Option(
        ("-F", "--features"),
        "features",
        "append",
        "space or comma separated features",
        group=_CARGO,
    ),
    Option(("--all-features",), "all_features", help="", group=_CARGO),
    Option(("--no-default-features",), "no_default_features", help="", group=_CARGO),
    Option(
        ("--target",),
        "target",
        "value",
        "rust target triple (env CARGO_BUILD_TARGET)",
        group=_CARGO,
    ),
    Option(("--target-dir",), "target_dir", "value", "", type=_path, group=_CARGO),
    Option(("--locked",), "locked", help="", group=_CARGO),
    Option(("--frozen",), "frozen", help="", group=_CARGO),
    Option(("--offline",), "offline", help="", group=_CARGO),
    Option(("--config",), "config", "append", "", metavar="KEY=VALUE", group=_CARGO),
    Option(("-Z",), "unstable_flags", "append", "", metavar="FLAG", group=_CARGO),
    Option(("-j", "--jobs"), "jobs", "value", "", type=int, group=_CARGO),
    Option(("-q", "--quiet"), "quiet", help="", group=_CARGO),
    Option(
        ("--ignore-rust-version",),
        "ignore_rust_version",
        help="ignore `rust-version` specification in packages",
        group=_CARGO,
    ),
    Option(
        ("--color",),
        "color",
        "value",
        "",
        choices=("auto", "always", "never"),
        metavar="WHEN",
        group=_CARGO,
    ),
    Option(("--timings",), "timings", help="output a build timing report at the end", group=_CARGO),
    Option(
        ("--future-incompat-report",),
        "future_incompat_report",
        help="output a future incompatibility report at the end of the build",
        group=_CARGO,
    ),
)
STRIP_VALUE = (
    Option(
        ("--strip",),
        "strip",
        "optional-bool",
        "strip the library (--strip alone means true)",
        type=bool_value,
        metavar="true|false",
    ),
)
# ``build``, ``sdist`` and ``develop``'s account of the run (docs/report.md); not the hooks'.
REPORT = (
    Option(
        ("--report",),
        "report",
        "value",
        "write a JSON account of the run to FILE, also when it fails (docs/report.md)",
        type=_path,
        metavar="FILE",
    ),
    Option(
        ("--json",),
        "json",
        help="print that JSON account on stdout (and every other message on stderr)",
    ),
)
# The options of ``build`` that ``pep517`` and ``publish`` share (no -r/--strip).
BUILD = (*INTERPRETER, *WHEEL, *PGO, *COMPRESSION, *STRICT, *GENERATE_STUBS, *CARGO)
# ``ferrule pep517 build-wheel``'s options: what the hooks take.
OPTIONS = (
    Option(("-v", "--verbose"), "verbose", "count", "more output; passed on to cargo (-v, -vv)"),
    *BUILD,
    *STRIP_VALUE,
)
