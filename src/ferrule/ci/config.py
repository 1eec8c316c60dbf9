"""``[tool.ferrule.generate-ci]`` (or maturin's ``[tool.maturin.generate-ci]``), validated.

The keys are maturin's (``pytest``, ``zig``, ``skip-attestation``,
``trusted-publishing``, ``publishing-environment``, ``args`` and one table per
platform with ``targets`` or ``[[target]]`` entries and their overrides), plus
ferrule's ``python-versions``. Every problem is collected with its dotted key and
reported at once, as for the rest of the configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import field, fields, replace
from pathlib import Path
from typing import Any

from ferrule._record import record
from ferrule.config.tool import suggest
from ferrule.errors import ConfigError, ConfigProblem

__all__ = [
    "ARCHES",
    "PLATFORMS",
    "GitHubConfig",
    "Overrides",
    "PlatformConfig",
    "parse_generate_ci",
    "parse_manylinux",
]

PLATFORMS = ("linux", "musllinux", "windows", "macos")
"""The platforms ferrule writes jobs for, in the order of the workflow."""

ARCHES: Mapping[str, tuple[str, ...]] = {
    "linux": ("x86_64", "x86", "aarch64", "armv7", "s390x", "ppc64le"),
    "musllinux": ("x86_64", "x86", "aarch64", "armv7", "s390x", "ppc64le"),
    "windows": ("x64", "x86", "aarch64"),
    "macos": ("x86_64", "aarch64"),
}
_UNSUPPORTED_PLATFORMS = {
    "emscripten": "ferrule cannot build emscripten (Pyodide) wheels",
    "android": "ferrule cannot build Android wheels",
}
_LINUX_ONLY = ("manylinux", "container", "docker-options", "before-script-linux")
_PYTHON = re.compile(r"^(3\.\d+t?|pypy3\.\d+)$")


@record
class Overrides:
    """Settings a platform table or one ``[[target]]`` entry may set (None = inherit)."""

    runner: str | None = field(default=None, metadata={"key": "runner"})
    manylinux: str | None = field(default=None, metadata={"key": "manylinux"})
    container: str | None = field(default=None, metadata={"key": "container"})
    docker_options: str | None = field(default=None, metadata={"key": "docker-options"})
    rust_toolchain: str | None = field(default=None, metadata={"key": "rust-toolchain"})
    rustup_components: str | None = field(default=None, metadata={"key": "rustup-components"})
    before_script_linux: str | None = field(default=None, metadata={"key": "before-script-linux"})
    args: str | None = field(default=None, metadata={"key": "args"})


_OVERRIDE_KEYS = tuple(f.metadata["key"] for f in fields(Overrides))


@record
class PlatformConfig:
    """One platform table: its overrides and which architectures to build."""

    overrides: Overrides = Overrides()
    targets: tuple[str, ...] | None = None
    target: tuple[tuple[str, Overrides], ...] | None = None

    def arches(self, default: tuple[str, ...]) -> tuple[str, ...]:
        if self.target is not None:
            return tuple(arch for arch, _ in self.target)
        return self.targets if self.targets is not None else default

    def target_overrides(self, arch: str) -> Overrides:
        for name, overrides in self.target or ():
            if name == arch:
                return overrides
        return Overrides()


@record
class GitHubConfig:
    """``generate-ci.github``; platforms holds only the tables that are present.

    The fields with a ``key`` are the table's plain values (true/false or a
    string), read by :func:`parse_generate_ci` from that metadata and their defaults.
    """

    pytest: bool = field(default=False, metadata={"key": "pytest"})
    zig: bool = field(default=False, metadata={"key": "zig"})
    skip_attestation: bool = field(default=False, metadata={"key": "skip-attestation"})
    trusted_publishing: bool = field(default=True, metadata={"key": "trusted-publishing"})
    publishing_environment: str | None = field(
        default=None, metadata={"key": "publishing-environment"}
    )
    args: str | None = field(default=None, metadata={"key": "args"})
    python_versions: tuple[str, ...] | None = None
    platforms: Mapping[str, PlatformConfig] = field(default_factory=dict)


_GITHUB_VALUES = tuple(f for f in fields(GitHubConfig) if "key" in f.metadata)
_GITHUB_KEYS = (
    *(f.metadata["key"] for f in _GITHUB_VALUES),
    "python-versions",
    *PLATFORMS,
    *_UNSUPPORTED_PLATFORMS,
)


def parse_manylinux(value: str) -> str | None:
    """The image family for a ``manylinux`` value, or None when it is not one.

    >>> [parse_manylinux(v) for v in ("auto", "2014", "2_17", "manylinux_2_28", "2_34", "musllinux_1_2", "1")]
    ['auto', 'manylinux2014', 'manylinux2014', 'manylinux_2_28', 'manylinux_2_34', 'musllinux_1_2', None]
    """
    if value == "auto":
        return value
    if value in ("2014", "manylinux2014", "2_17", "manylinux_2_17"):
        return "manylinux2014"
    match = re.fullmatch(r"(?:manylinux_)?2_(\d+)", value)
    if match and int(match[1]) >= 24:
        return f"manylinux_2_{match[1]}"
    match = re.fullmatch(r"musllinux_1_(\d+)", value)
    if match:
        return f"musllinux_1_{match[1]}"
    return None


class _Collector:
    """Problems of one file, each under its dotted key."""

    def __init__(
        self, file: Path, prefix: str, check_args: Callable[[str], str | None] | None = None
    ) -> None:
        self.file = file
        self.prefix = prefix
        self.problems: list[ConfigProblem] = []
        self.check_args = check_args

    def build_args(self, value: str, key: str) -> bool:
        """Whether ``ferrule build`` takes ``value`` (shell text); a problem if not."""
        problem = self.check_args(value) if self.check_args is not None else None
        if problem:
            self.add(key, f"{problem} ('ferrule build' must accept these arguments)")
        return problem is None

    def add(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, f"{self.prefix}.{key}", message))

    def table(self, value: Any, key: str) -> Mapping[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.add(key, "must be a table")
        return None

    def unknown(self, table: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
        for name in table:
            if name not in allowed:
                self.add(f"{key}.{name}" if key else name, f"unknown key{suggest(name, allowed)}")

    def string(self, table: Mapping[str, Any], name: str, key: str) -> str | None:
        value = table.get(name)
        if value is None or isinstance(value, str):
            return value
        self.add(f"{key}.{name}", "must be a string")
        return None

    def boolean(self, table: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
        value = table.get(name, default)
        if isinstance(value, bool):
            return value
        self.add(f"{key}.{name}", "must be true or false")
        return default


def _overrides(c: _Collector, table: Mapping[str, Any], key: str, platform: str) -> Overrides:
    values: dict[str, Any] = {}
    for f in fields(Overrides):
        name = f.metadata["key"]
        value = c.string(table, name, key)
        if value is None:
            continue
        if name in _LINUX_ONLY and platform not in ("linux", "musllinux"):
            c.add(f"{key}.{name}", f"applies to Linux builds only, not to {platform}")
            continue
        if name == "manylinux" and parse_manylinux(value) is None:
            c.add(
                f"{key}.{name}",
                f"{value!r} is not a manylinux image: use 'auto', '2014', '2_28' "
                "(or another manylinux_2_X) or 'musllinux_1_2'",
            )
            continue
        if name == "args" and not c.build_args(value, f"{key}.{name}"):
            continue
        values[f.name] = value
    return Overrides(**values)


def _arch(c: _Collector, value: Any, key: str, platform: str) -> str | None:
    known = ARCHES[platform]
    if not isinstance(value, str):
        c.add(key, "must be a string")
        return None
    if value not in known:
        c.add(
            key,
            f"{value!r} is not a {platform} target ferrule builds: one of "
            f"{', '.join(known)}{suggest(value, known)}",
        )
        return None
    return value


def _platform(c: _Collector, raw: Any, platform: str) -> PlatformConfig | None:
    key = f"github.{platform}"
    table = c.table(raw, key)
    if table is None:
        return None
    c.unknown(table, (*_OVERRIDE_KEYS, "targets", "target"), key)
    overrides = _overrides(c, table, key, platform)
    targets: tuple[str, ...] | None = None
    target: tuple[tuple[str, Overrides], ...] | None = None
    if "targets" in table and "target" in table:
        c.add(f"{key}.targets", "cannot be used together with [[target]] entries; keep one")
    if "targets" in table:
        raw_targets = table["targets"]
        if not isinstance(raw_targets, list) or not raw_targets:
            c.add(f"{key}.targets", "must be a non-empty array of architectures")
        else:
            arches = [
                _arch(c, a, f"{key}.targets[{i}]", platform) for i, a in enumerate(raw_targets)
            ]
            targets = tuple(dict.fromkeys(a for a in arches if a))
    elif "target" in table:
        raw_target = table["target"]
        if not isinstance(raw_target, list) or not raw_target:
            c.add(f"{key}.target", "must be a non-empty array of tables ([[target]])")
        else:
            entries: list[tuple[str, Overrides]] = []
            for i, item in enumerate(raw_target):
                where = f"{key}.target[{i}]"
                entry = c.table(item, where)
                if entry is None:
                    continue
                c.unknown(entry, ("arch", *_OVERRIDE_KEYS), where)
                if "arch" not in entry:
                    c.add(f"{where}.arch", "is required")
                    continue
                arch = _arch(c, entry["arch"], f"{where}.arch", platform)
                if arch is None:
                    continue
                if any(arch == a for a, _ in entries):
                    c.add(f"{where}.arch", f"{arch!r} is listed twice")
                    continue
                entries.append((arch, _overrides(c, entry, where, platform)))
            target = tuple(entries)
    return PlatformConfig(overrides, targets, target)


def parse_generate_ci(
    table: Mapping[str, Any],
    tool_table: str,
    file: Path,
    check_args: Callable[[str], str | None] | None = None,
) -> GitHubConfig:
    """Validate the ``generate-ci`` table of ``tool_table`` (``tool.ferrule``/``tool.maturin``).

    ``check_args`` says why ``ferrule build <args>`` would be refused (or None):
    the command passes the CLI's own check down (the CLI sits above ``ci/``).

    >>> parse_generate_ci({"github": {"pytest": True, "linux": {"targets": ["x86_64"]}}},
    ...                   "tool.ferrule", Path("pyproject.toml")).platforms["linux"].targets
    ('x86_64',)
    >>> parse_generate_ci({"github": {"pytets": True}}, "tool.maturin", Path("pyproject.toml"))
    Traceback (most recent call last):
    ...
    ferrule.errors.ConfigError: invalid configuration: pyproject.toml: tool.maturin.generate-ci.github.pytets: unknown key (did you mean 'pytest'?)
    """
    c = _Collector(file, f"{tool_table}.generate-ci", check_args)
    c.unknown(table, ("github",), "")
    github = c.table(table.get("github", {}), "github")
    if github is None:
        raise ConfigError(c.problems)
    c.unknown(github, _GITHUB_KEYS, "github")
    values: dict[str, Any] = {
        f.name: (
            c.boolean(github, f.metadata["key"], "github", f.default)
            if isinstance(f.default, bool)
            else c.string(github, f.metadata["key"], "github")
        )
        for f in _GITHUB_VALUES
    }
    config = GitHubConfig(**values)
    if config.args:
        c.build_args(config.args, "github.args")
    versions: tuple[str, ...] | None = None
    if "python-versions" in github:
        raw = github["python-versions"]
        if tool_table == "tool.maturin":
            c.add(
                "github.python-versions",
                "is a ferrule extension that maturin would silently ignore; "
                "move the configuration to [tool.ferrule]",
            )
        elif not isinstance(raw, list) or not raw:
            c.add("github.python-versions", "must be a non-empty array such as ['3.10', '3.14t']")
        else:
            bad = [v for v in raw if not (isinstance(v, str) and _PYTHON.match(v))]
            if bad:
                c.add(
                    "github.python-versions",
                    f"{bad[0]!r} is not a version such as '3.12', '3.14t' or 'pypy3.11'",
                )
            else:
                versions = tuple(dict.fromkeys(raw))
    for name, reason in _UNSUPPORTED_PLATFORMS.items():
        if name in github:
            c.add(f"github.{name}", f"{reason}; remove this table to generate a workflow")
    platforms: dict[str, PlatformConfig] = {}
    for name in PLATFORMS:
        if name in github:
            parsed = _platform(c, github[name], name)
            if parsed is not None:
                platforms[name] = parsed
    if c.problems:
        raise ConfigError(c.problems)
    return replace(config, python_versions=versions, platforms=platforms)
