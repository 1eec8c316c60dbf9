"""uv's ``[tool.uv] cache-keys`` for a ferrule project: what a rebuild depends on.

uv reinstalls a local project only when one of its cache keys changed, and by
default those are ``pyproject.toml``, ``setup.py`` and ``setup.cfg``: an edited
``.rs`` file goes unnoticed. The keys here cover every input of the build:
pyproject.toml; each local crate's (the extension's and every path dependency's)
``Cargo.toml``, ``src/**/*.rs`` and ``build.rs``; the workspace manifests and the
``Cargo.lock`` cargo uses; ``.cargo/config.toml`` and ``rust-toolchain.toml``
where present; the Python package's ``.py`` / ``.pyi`` files, a pure-Rust
module's stub and the data directory.
Every entry is a ``{ file = "<glob>" }`` relative to pyproject.toml's directory
(uv's form; ``../`` reaches crates outside the project).

``write_cache_keys`` puts them into pyproject.toml with the style-preserving
editor. Entries that are ferrule's (:func:`is_ferrule_key`: a ``file`` key whose
name is one ferrule writes) are replaced; every other entry (``git``, ``env``,
other files) is the user's and stays, after ferrule's, in its order.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ferrule.config.model import Settings
from ferrule.errors import ConfigError, LayoutError
from ferrule.layout import determine_layout

__all__ = ["cache_key_files", "is_ferrule_key", "merged_keys", "render", "write_cache_keys"]

KEY_PATH = ("tool", "uv", "cache-keys")
# What ferrule writes: these names, or globs ending so (is_ferrule_key).
_CONFIGS = (".cargo/config.toml", ".cargo/config", "rust-toolchain.toml", "rust-toolchain")
_OWN_NAMES = frozenset({"pyproject.toml", "Cargo.toml", "Cargo.lock", "build.rs", *_CONFIGS})
_OWN_SUFFIXES = ("src/**/*.rs", "**/*.py", "**/*.pyi", ".pyi", ".data/**/*")


def _relative(path: Path, start: Path) -> str:
    """``path`` relative to ``start``, POSIX, ``../`` where it lies outside.

    >>> _relative(Path("/p/core"), Path("/p/py")), _relative(Path("/p/py"), Path("/p/py"))
    ('../core', '.')
    """
    return PurePosixPath(Path(os.path.relpath(path, start))).as_posix()


def _under(directory: str, pattern: str) -> str:
    """
    >>> _under(".", "Cargo.toml"), _under("../core", "src/**/*.rs")
    ('Cargo.toml', '../core/src/**/*.rs')
    """
    return pattern if directory == "." else f"{directory}/{pattern}"


def cache_key_files(settings: Settings) -> list[str]:
    """The ``file`` globs, relative to pyproject.toml's directory, in a stable order:
    pyproject.toml, then each crate (the extension first, then path dependencies by
    directory), each workspace root cargo reads, the Python package."""
    if settings.pyproject_path is None:
        raise LayoutError(
            f"no pyproject.toml for {settings.cargo.manifest_path}: uv's cache keys live in one"
        )
    base = settings.pyproject_path.parent.resolve()
    keys: list[str] = ["pyproject.toml"]
    manifest = settings.cargo.manifest_path.resolve()
    crates = [manifest.parent, *(c.directory.resolve() for c in settings.path_dependencies)]
    for crate in crates:
        where = _relative(crate, base)
        keys += [_under(where, name) for name in ("Cargo.toml", "src/**/*.rs", "build.rs")]
    # Inherited fields ([workspace.package], [workspace.dependencies]) and the lock file
    # of the workspace the extension is built in; path dependencies' own workspaces.
    roots = [settings.workspace_dir.resolve()]
    roots += [settings.workspace_dir_of(c / "Cargo.toml").resolve() for c in crates[1:]]
    for index, root in enumerate(roots):
        where = _relative(root, base)
        keys.append(_under(where, "Cargo.toml"))
        if index == 0:
            keys.append(_under(where, "Cargo.lock"))
    # Cargo's and rustup's configuration where a build started in the project finds it.
    for directory in dict.fromkeys([base, manifest.parent, roots[0]]):
        for name in _CONFIGS:
            if (directory / name).is_file():
                keys.append(_under(_relative(directory, base), name))
    layout = determine_layout(settings)
    packages = [layout.python_module] if layout.python_module is not None else []
    packages += [p for p in layout.python_packages if p not in packages]
    if layout.stub_package is not None:
        packages.append(layout.stub_package)
    for package in packages:
        if package.is_dir():
            where = _relative(package.resolve(), base)
            keys += [_under(where, "**/*.py"), _under(where, "**/*.pyi")]
    if layout.root_stub is not None:  # a pure-Rust module's <module>.pyi
        keys.append(_relative(layout.root_stub.resolve(), base))
    if layout.data_dir is not None and layout.data_dir.is_dir():
        keys.append(_under(_relative(layout.data_dir.resolve(), base), "**/*"))
    return list(dict.fromkeys(keys))


def is_ferrule_key(entry: object) -> bool:
    """Whether ``entry`` of ``cache-keys`` is one ferrule writes (and so may replace).

    >>> is_ferrule_key({"file": "../core/Cargo.toml"}), is_ferrule_key({"file": "src/**/*.rs"})
    (True, True)
    >>> is_ferrule_key({"file": "requirements.txt"}), is_ferrule_key({"git": {"commit": True}})
    (False, False)
    >>> is_ferrule_key({"file": "build.rs", "note": 1})
    False
    """
    if not isinstance(entry, dict) or set(entry) != {"file"} or not isinstance(entry["file"], str):
        return False
    name = entry["file"]
    last = name.rsplit("/", 1)[-1]
    return last in _OWN_NAMES or name.endswith(_OWN_SUFFIXES + _CONFIGS[:2])


def merged_keys(files: Sequence[str], existing: object) -> list[Any]:
    """ferrule's ``files`` as entries, then the user's entries of ``existing`` in order.

    >>> merged_keys(["Cargo.toml"], [{"file": "old/Cargo.toml"}, {"env": "FOO"}])
    [{'file': 'Cargo.toml'}, {'env': 'FOO'}]
    """
    own: list[Any] = [{"file": name} for name in files]
    theirs = existing if isinstance(existing, list) else []
    return own + [e for e in theirs if not is_ferrule_key(e) and e not in own]


def _string(value: str) -> str:
    import json

    return json.dumps(value)  # a TOML basic string for these (ASCII paths, escapes alike)


def render(entries: Iterable[Any]) -> str:
    """The ``[tool.uv]`` table to paste into pyproject.toml.

    >>> print(render([{"file": "pyproject.toml"}, {"git": {"commit": True}}]), end="")
    [tool.uv]
    cache-keys = [
        { file = "pyproject.toml" },
        { git = { commit = true } },
    ]
    """
    lines = ["[tool.uv]", "cache-keys = ["]
    lines += [f"    {_inline(entry)}," for entry in entries]
    lines.append("]")
    return "\n".join(lines) + "\n"


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return _string(str(value))


def _key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "").isalnum() and key.isascii()
    return key if bare else _string(key)


def _toml_array(entries: Sequence[Any]) -> Any:
    """A multiline tomlkit array of inline tables: how the entries are written."""
    import tomlkit

    array = tomlkit.array()
    for entry in entries:
        array.append(tomlkit.item(entry, _parent=array))
    array.multiline(True)
    return array


def write_cache_keys(settings: Settings) -> list[Any]:
    """Put the cache keys into pyproject.toml (comments and layout kept; written whole,
    atomically); return the entries written."""
    from ferrule import _atomic
    from ferrule.sdist.tomldoc import TomlDocument

    files = cache_key_files(settings)
    path = settings.pyproject_path
    assert path is not None
    text = path.read_bytes().decode("utf-8")
    doc = TomlDocument(text, path)
    tool = doc.get("tool", {})
    uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    existing = uv.get("cache-keys") if isinstance(uv, dict) else None
    if existing is not None and not isinstance(existing, list):
        raise ConfigError.single(path, ".".join(KEY_PATH), "is not an array; fix or remove it")
    entries = merged_keys(files, existing)
    if entries != existing:
        doc.set(KEY_PATH, _toml_array(entries))
        new = doc.as_string()
        _atomic.write_bytes(path, (new if new.endswith(("\n", "\r\n")) else new + "\n").encode())
    return entries
