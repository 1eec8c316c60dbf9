"""Is the last build or install still current? Cheap checks; cargo stays the authority.

ferrule never second-guesses cargo's fingerprints: ``develop`` and ``build``
always run cargo, which decides what to recompile (tens of milliseconds when
nothing did change). What this module decides is everything around it:

- :class:`InstallRecord`: whether what ``develop`` installed is still what it
  would install (the same content, options and environment, the installed
  files untouched), so that a no-op ``develop`` writes nothing;
- :func:`watch_list` and :func:`render_stamp`: the stamp the import hook
  (:mod:`ferrule._import_hook`) compares at import time without running cargo:
  every file cargo's dep-info and build-script output name, manifests, lock file,
  cargo config and toolchain files, and the environment variables the build
  reads. When any differs, the hook runs ``develop``, i.e. cargo;
- :class:`WheelStamp`: whether a wheel in the output directory is exactly what
  ``build`` would write again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ferrule import _store
from ferrule._import_hook import STAMP_HEADER, env_snapshot, stat_key
from ferrule._record import record
from ferrule._version import __version__
from ferrule.wheel.stamp import WheelStamp

__all__ = [
    "ENV_EXCLUDE",
    "ENV_PREFIXES",
    "InstallRecord",
    "Watch",
    "WheelStamp",
    "config_candidates",
    "parse_build_output",
    "parse_dep_info",
    "render_stamp",
    "watch_list",
]

# Environment variables that change what cargo and rustc produce, by prefix.
ENV_PREFIXES = (
    "CARGO_",
    "RUSTC",
    "RUSTFLAGS",
    "RUSTUP_TOOLCHAIN",
    "PYO3_",
    "MACOSX_DEPLOYMENT_TARGET",
    "_PYTHON_HOST_PLATFORM",
    "_PYTHON_SYSCONFIGDATA_NAME",
)
# ... minus those that only change how cargo talks (and tokens, which must not be fingerprinted).
ENV_EXCLUDE = (
    "CARGO_TERM_",
    "CARGO_HTTP_",
    "CARGO_NET_",
    "CARGO_REGISTRY_",
    "CARGO_REGISTRIES_",
    "CARGO_CACHE_",
    "CARGO_LOG",
)


def _unescape_make(text: str) -> list[str]:
    r"""Split a Makefile dependency list on unescaped spaces.

    >>> _unescape_make(r"/a/b.rs /c/with\ space.rs  /d.rs")
    ['/a/b.rs', '/c/with space.rs', '/d.rs']
    """
    out: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in " #\\":
            current.append(text[i + 1])
            i += 2
            continue
        if c == " ":
            if current:
                out.append("".join(current))
                current = []
        else:
            current.append(c)
        i += 1
    if current:
        out.append("".join(current))
    return out


def parse_dep_info(text: str) -> tuple[list[str], list[str]]:
    r"""The files and environment variables a dep-info (``.d``) file lists.

    >>> parse_dep_info("/t/debug/libx.so: /p/build.rs /p/src/lib.rs\n\n"
    ...                "/p/src/lib.rs:\n\n# env-dep:CARGO_PKG_VERSION=0.1.0\n# env-dep:TAG\n")
    (['/p/build.rs', '/p/src/lib.rs'], ['CARGO_PKG_VERSION', 'TAG'])
    """
    files: list[str] = []
    env: list[str] = []
    for line in text.splitlines():
        if line.startswith("# env-dep:"):
            env.append(line[len("# env-dep:") :].split("=", 1)[0])
            continue
        if line.startswith("#") or not line.strip():
            continue
        # "target: dep dep ..."; the first ": " that is not escaped ends the target.
        i = line.find(": ")
        while i > 0 and line[i - 1] == "\\":
            i = line.find(": ", i + 1)
        if i < 0:
            continue
        for dep in _unescape_make(line[i + 2 :]):
            if dep not in files:
                files.append(dep)
    return files, env


def parse_build_output(text: str) -> tuple[list[str], list[str]]:
    """``rerun-if-changed`` paths and ``rerun-if-env-changed`` names of a build script's output.

    >>> parse_build_output("cargo:rerun-if-changed=build.rs\\ncargo::rerun-if-env-changed=CC\\n"
    ...                    "cargo:rustc-env=X=1\\n")
    (['build.rs'], ['CC'])
    """
    changed: list[str] = []
    env: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        for prefix in ("cargo::", "cargo:"):
            if line.startswith(prefix):
                key, _, value = line[len(prefix) :].partition("=")
                if key == "rerun-if-changed" and value:
                    changed.append(value)
                elif key == "rerun-if-env-changed" and value:
                    env.append(value)
                break
    return changed, env


def _cargo_home(environ: Mapping[str, str]) -> Path:
    if environ.get("CARGO_HOME"):
        return Path(environ["CARGO_HOME"])
    return Path.home() / ".cargo"


def _is_local(package_id: str) -> bool:
    """Path packages (the project and its path dependencies) can change; registry ones cannot.

    >>> _is_local("path+file:///p#0.1.0"), _is_local("registry+https://github.com/rust-lang/crates.io-index#pyo3@0.29.3")
    (True, False)
    """
    return "path+file://" in package_id


def _walk_files(root: Path, skip: Path | None) -> tuple[list[Path], list[Path]]:
    """Every file and directory below ``root``, minus hidden ones and ``skip`` (the target dir)."""
    files: list[Path] = []
    dirs: list[Path] = [root]
    for dirpath, dirnames, filenames in os.walk(root):
        current = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in ("target", "__pycache__")
            and (skip is None or current / d != skip)
        )
        dirs += [current / d for d in dirnames]
        files += [current / f for f in sorted(filenames) if not f.endswith((".pyc", ".so"))]
    return files, dirs


@record
class Watch:
    """What the import hook compares: files (existing or not) and environment variable names."""

    files: tuple[Path, ...]
    env_names: tuple[str, ...]


def config_candidates(start: Path, environ: Mapping[str, str]) -> list[Path]:
    """cargo and rustup configuration that may appear or change: ``.cargo/config*``, toolchain files."""
    out: list[Path] = []
    for directory in (start, *start.parents):
        out += [directory / ".cargo" / "config.toml", directory / ".cargo" / "config"]
        out += [directory / "rust-toolchain.toml", directory / "rust-toolchain"]
    home = _cargo_home(environ)
    out += [home / "config.toml", home / "config"]
    rustup = Path(environ["RUSTUP_HOME"]) if environ.get("RUSTUP_HOME") else Path.home() / ".rustup"
    out.append(rustup / "settings.toml")
    return out


def _dep_info_files(message: Mapping[str, Any]) -> list[Path]:
    """The dep-info files of one compiled unit: the uplifted one and rustc's own (with env deps)."""
    out: list[Path] = []
    kinds = message.get("target", {}).get("kind", [])
    if "custom-build" in kinds:
        return out
    for raw in message.get("filenames", []):
        path = Path(raw)
        stem = path.stem
        if stem.startswith("lib") and path.suffix in (".so", ".dylib", ".rlib", ".a", ".rmeta"):
            stem = stem[3:]
        if path.parent.name == "deps":
            out.append(path.parent / f"{stem}.d")
        else:
            out += [path.with_suffix(".d"), path.parent / "deps" / f"{stem}.d"]
    return out


def watch_list(
    messages: Sequence[Mapping[str, Any]],
    manifest: Path,
    workspace_manifest: Path | None,
    extra_files: Iterable[Path],
    environ: Mapping[str, str],
) -> Watch:
    """Every input of the last cargo run that the import hook can check by ``stat()``.

    Registry and git dependencies are immutable (cargo never rewrites a published
    crate), so only path packages are watched: the sources their dep-info
    lists, their manifests, the build-script inputs (``rerun-if-changed``, or the
    whole package when a build script names none, as cargo does), plus
    ``Cargo.lock`` and the configuration files cargo and rustup read.
    """
    home = _cargo_home(environ)
    immutable = (home / "registry", home / "git")
    files: dict[Path, None] = {}
    env: dict[str, None] = {}
    package_dirs: dict[str, Path] = {}

    def add(path: Path) -> None:
        if not any(path.is_relative_to(p) for p in immutable):
            files[path] = None

    for message in messages:
        if message.get("reason") != "compiler-artifact":
            continue
        package_id = str(message.get("package_id", ""))
        if not _is_local(package_id) or "manifest_path" not in message:
            continue
        package_dir = Path(message["manifest_path"]).parent
        package_dirs[package_id] = package_dir
        add(Path(message["manifest_path"]))
        src = message.get("target", {}).get("src_path")
        if src:
            add(Path(src))
        for dep_info in _dep_info_files(message):
            try:
                text = dep_info.read_text(encoding="utf-8")
            except OSError:
                continue
            names, env_deps = parse_dep_info(text)
            for name in names:
                add((package_dir / name) if not Path(name).is_absolute() else Path(name))
            env.update(dict.fromkeys(env_deps))

    for message in messages:
        if message.get("reason") != "build-script-executed" or not message.get("out_dir"):
            continue
        try:
            output = (Path(message["out_dir"]).parent / "output").read_text(encoding="utf-8")
        except OSError:
            continue
        changed, env_names = parse_build_output(output)
        env.update(dict.fromkeys(env_names))
        local_dir = package_dirs.get(str(message.get("package_id", "")))
        if local_dir is None:
            continue
        package_dir = local_dir
        if not changed:
            # cargo's rule: without rerun-if-changed, any file of the package reruns the script.
            walked, dirs = _walk_files(package_dir, None)
            for path in walked + dirs:
                add(path)
        for rel in changed:
            path = package_dir / rel
            if path.is_dir():
                walked, dirs = _walk_files(path, None)
                for p in walked + dirs:
                    add(p)
            else:
                add(path)

    root = (workspace_manifest or manifest).parent
    add(manifest)
    if workspace_manifest is not None:
        add(workspace_manifest)
    add(root / "Cargo.lock")
    for path in config_candidates(manifest.parent, environ):
        add(path)
    for path in extra_files:
        add(path)
    return Watch(tuple(files), tuple(sorted(env)))


def _source(path: Path, environ: Mapping[str, str]) -> bool:
    """Whether ``path`` is an input cargo does not write itself.

    >>> _source(Path("/p/src/lib.rs"), {}), _source(Path("/p/Cargo.lock"), {})
    (True, False)
    >>> _source(Path("/p/target/debug/build/x/out/gen.rs"), {})
    False
    >>> _source(Path("/t/out/g.rs"), {"CARGO_TARGET_DIR": "/t"})
    False
    """
    target = environ.get("CARGO_TARGET_DIR")
    if path.name == "Cargo.lock" or "target" in path.parts:
        return False
    return not (target and path.is_relative_to(Path(target).absolute()))


def render_stamp(
    *,
    module: str,
    python_id: str,
    watch: Watch,
    installed: Sequence[tuple[str, str, str]],
    environ: Mapping[str, str],
    config: Mapping[str, Any],
    since_ns: int | None = None,
) -> str:
    """The stamp the import hook reads: tab-separated lines, cheap to parse without ``json``.

    ``installed`` holds ``(path, mtime_ns or "*", size)``; relative paths are relative
    to site-packages. ``config`` is what a rebuild needs (JSON, read only then).
    A watched source changed after ``since_ns`` (when the build started), or just
    before (:func:`ferrule._store.settled`), gets the ctime ``?``, which no file
    has: the build may not have seen its content, so the next import rebuilds.
    What cargo itself writes while building (``Cargo.lock``, files in a target
    directory that dep-info names) is not a source.
    """
    lines = [STAMP_HEADER, f"module\t{module}", f"python\t{python_id}"]
    lines.append("prefixes\t" + " ".join(ENV_PREFIXES))
    lines.append("exclude\t" + " ".join(ENV_EXCLUDE))
    for name, key in sorted(
        env_snapshot(environ, watch.env_names, ENV_PREFIXES, ENV_EXCLUDE).items()
    ):
        lines.append(f"env\t{name}\t{key}")
    for path in watch.files:
        text = str(path)
        if "\n" in text or "\t" in text:
            continue  # cannot be written in this format; such paths are not watched
        mtime, size, ctime = stat_key(text)
        racy = since_ns is not None and not _store.settled(_store.file_state(text), since_ns)
        if racy and _source(path, environ):
            ctime = "?"
        lines.append(f"file\t{mtime}\t{size}\t{ctime}\t{text}")
    for path_text, mtime, size in installed:
        lines.append(f"installed\t{mtime}\t{size}\t{path_text}")
    lines.append("config\t" + json.dumps(config, sort_keys=True))
    return "\n".join(lines) + "\n"


@dataclass
class InstallRecord:
    """What the last ``develop`` into one environment installed, to skip a repeat.

    An entry of ferrule's cache store (kind ``install``, one per environment and
    project); it is only a cache: every state is checked against the file it names
    before it is trusted. ``config`` is a hash of the options, the environment and
    the content of every planned file; ``inputs`` and ``installed`` hold file
    states (replay checks the inputs).
    """

    config: str
    inputs: dict[str, Any] = field(default_factory=dict)
    installed: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    version: str = ""
    stamp: str | None = None

    @staticmethod
    def config_key(values: Mapping[str, Any]) -> str:
        text = json.dumps({"ferrule": __version__, **values}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def load(cls, ident: str, environ: Mapping[str, str]) -> InstallRecord | None:
        """The record kept for ``ident``; None when there is none or caching is off."""
        store = _store.open_store(environ)
        entry = None if store is None else store.get("install", ident)
        if entry is None:
            return None
        try:
            return cls(**{k: v for k, v in entry.items() if k != "key"})  # type: ignore[arg-type]
        except TypeError:
            return None

    def save(self, ident: str, environ: Mapping[str, str]) -> None:
        store = _store.open_store(environ)
        if store is not None:
            store.put("install", ident, dict(self.__dict__))

    def out_of_date(self, config: str) -> str | None:
        """Why this record does not describe what would be installed now, or None."""
        if config != self.config:
            return "the built files, options, layout or environment changed"
        for label, recorded in (("input", self.inputs), ("installed file", self.installed)):
            for raw, state in recorded.items():
                if _store.file_state(raw) != state:
                    return f"{label} {raw} changed"
        return None
