"""Validate ``[tool.ferrule]`` / ``[tool.maturin]`` into a :class:`ToolConfig`.

Problems are collected (not raised one at a time), each with its dotted key.
Values maturin refuses are errors; keys maturin ignores (unknown ones, also in
nested tables such as ``targets`` entries) are warnings with a "did you mean"
from the model's list of known keys, and are ignored as maturin ignores them.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ferrule.config.model import (
    FERRULE_ONLY_KEYS,
    ExtraExtension,
    FeatureSpec,
    IncludeSpec,
    TargetFilter,
    ToolConfig,
)
from ferrule.errors import ConfigProblem

__all__ = ["KNOWN_KEYS", "parse_tool_table", "suggest"]

KNOWN_KEYS: tuple[str, ...] = tuple(f.metadata["key"] for f in dataclasses.fields(ToolConfig))
_TARGET_KINDS = ("bin", "cdylib", "dylib", "lib", "rlib", "staticlib")
_FORMATS = ("sdist", "wheel")


class _Invalid(Exception):
    """Raised by a converter; carries the (possibly nested) key and the message."""

    def __init__(self, message: str, subkey: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.subkey = subkey


def suggest(key: str, known: tuple[str, ...] | list[str]) -> str:
    """A " (did you mean ...?)" suffix, or empty.

    >>> suggest("python-sources", ["python-source", "data"])
    " (did you mean 'python-source'?)"
    >>> suggest("zzz", ["python-source"])
    ''
    """
    close = _closest(key, known)
    return f" (did you mean {close!r}?)" if close else ""


def _closest(key: str, known: tuple[str, ...] | list[str]) -> str:
    """The known key most like ``key`` (difflib's best match above its 0.6 cutoff), or empty."""
    return next(iter(difflib.get_close_matches(key, known)), "")


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _str(value: Any, notes: _Notes | None = None) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"must be a string, not {_type_name(value)}")
    return value


def _bool(value: Any, notes: _Notes | None = None) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, not {_type_name(value)}")
    return value


def _strs(value: Any, notes: _Notes | None = None) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"must be an array of strings, not {_type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _Invalid(f"must be a string, not {_type_name(item)}", f"[{i}]")
    return tuple(value)


def _str_or_strs(value: Any, notes: _Notes | None = None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return _strs(value)


def _table(value: Any, notes: _Notes | None = None) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"must be a table, not {_type_name(value)}")
    return value


# (sub-key, message) of what is ignored: warnings, errors in strict mode.
_Notes = list[tuple[str, str]]


def _check_keys(
    table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str, notes: _Notes
) -> None:
    """Unknown keys of a nested table are ignored with a note (maturin ignores them silently)."""
    for key in table:
        if key not in allowed:
            notes.append((f"{prefix}.{key}", f"unknown key; it is ignored{_fix(key, allowed)}"))


def _fix(key: str, known: tuple[str, ...] | list[str]) -> str:
    """The fix for an unknown key: the key it was probably meant to be, or removing it.

    >>> _fix("python-sources", ["python-source"]), _fix("zzz", ["python-source"])
    ("; did you mean 'python-source'?", '; remove it')
    """
    close = _closest(key, known)
    return f"; did you mean {close!r}?" if close else "; remove it"


def _array_items(
    value: Any, notes: _Notes, allowed: tuple[str, ...], string: str | None = None
) -> Iterator[tuple[str, Any]]:
    """Each item of an array with its ``[i]`` sub-key: a table (its unknown keys noted)
    or, where ``string`` says what a string item is, a string.

    >>> list(_array_items(["a", {"feature": "b"}], [], ("feature",), "a string"))
    [('[0]', 'a'), ('[1]', {'feature': 'b'})]
    >>> list(_array_items(["a"], [], ("name",)))
    Traceback (most recent call last):
    ...
    ferrule.config.tool._Invalid: must be a table, not a string
    """
    if not isinstance(value, list):
        what = "an array" if string else "an array of tables"
        raise _Invalid(f"must be {what}, not {_type_name(value)}")
    for i, item in enumerate(value):
        where = f"[{i}]"
        if string and isinstance(item, str):
            yield where, item
            continue
        if not isinstance(item, dict):
            expected = f"{string} or a table" if string else "a table"
            raise _Invalid(f"must be {expected}, not {_type_name(item)}", where)
        _check_keys(item, allowed, where, notes)
        yield where, item


def _features(value: Any, notes: _Notes) -> tuple[FeatureSpec, ...]:
    out: list[FeatureSpec] = []
    allowed = ("feature", "python-version", "python-implementation")
    for where, item in _array_items(value, notes, allowed, "a string"):
        if isinstance(item, str):
            out.append(FeatureSpec(item))
            continue
        feature = item.get("feature")
        if not isinstance(feature, str):
            raise _Invalid("must be a string", f"{where}.feature")
        spec = None
        if "python-version" in item:
            raw = item["python-version"]
            from packaging.specifiers import InvalidSpecifier, SpecifierSet

            try:
                spec = SpecifierSet(_str(raw))
            except (InvalidSpecifier, _Invalid):
                raise _Invalid(
                    f"{raw!r} is not a PEP 440 version specifier such as '>=3.10'",
                    f"{where}.python-version",
                ) from None
        impl = item.get("python-implementation")
        if impl is not None and not isinstance(impl, str):
            raise _Invalid("must be a string", f"{where}.python-implementation")
        out.append(FeatureSpec(feature, spec, impl))
    return tuple(out)


def _check_inside(pattern: str, where: str) -> None:
    """Include and exclude globs are relative and stay inside the project.

    >>> _check_inside("../secret", "[0]")
    Traceback (most recent call last):
    ...
    ferrule.config.tool._Invalid: '../secret' reaches outside the project ('..'); patterns are relative to pyproject.toml
    """
    if pattern.startswith(("/", "\\")) or (len(pattern) > 1 and pattern[1] == ":"):
        raise _Invalid(
            f"{pattern!r} is an absolute path; patterns are relative to pyproject.toml", where
        )
    if ".." in pattern.replace("\\", "/").split("/"):
        raise _Invalid(
            f"{pattern!r} reaches outside the project ('..'); patterns are relative to "
            "pyproject.toml",
            where,
        )


def _formats(value: Any, where: str) -> tuple[Any, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise _Invalid("must be 'sdist', 'wheel' or an array of them", where)
    for item in items:
        if item not in _FORMATS:
            raise _Invalid(f"{item!r} is not one of 'sdist', 'wheel'", where)
    return tuple(items)


def _includes(value: Any, notes: _Notes, *, allow_from: bool) -> tuple[IncludeSpec, ...]:
    out: list[IncludeSpec] = []
    allowed = ("path", "format", "from", "to", "crate-name") if allow_from else ("path", "format")
    for where, item in _array_items(value, notes, allowed, "a glob string"):
        if isinstance(item, str):
            _check_inside(item, where)
            out.append(IncludeSpec(item))
            continue
        path = item.get("path")
        if not isinstance(path, str):
            raise _Invalid("is required and must be a string", f"{where}.path")
        _check_inside(path, f"{where}.path")
        formats = _formats(item["format"], f"{where}.format") if "format" in item else None
        if not allow_from:  # `from`, `to` and `crate-name` were noted as ignored keys
            out.append(IncludeSpec(path, formats or ("sdist", "wheel")))
            continue
        source = item.get("from")
        if source is not None and source != "out-dir":
            raise _Invalid(f"{source!r} is not supported (only 'out-dir')", f"{where}.from")
        to = item.get("to")
        if to is not None and not isinstance(to, str):
            raise _Invalid("must be a string", f"{where}.to")
        crate = item.get("crate-name")
        if crate is not None and not isinstance(crate, str):
            raise _Invalid("must be a string", f"{where}.crate-name")
        if source is not None:
            # OUT_DIR copies exist only once cargo ran, so only in wheels.
            formats = formats or ("wheel",)
            if formats != ("wheel",):
                raise _Invalid("'from = \"out-dir\"' entries go into wheels only", where)
        out.append(IncludeSpec(path, formats or ("sdist", "wheel"), source is not None, to, crate))
    return tuple(out)


def _targets(value: Any, notes: _Notes) -> tuple[TargetFilter, ...]:
    out = []
    for where, item in _array_items(value, notes, ("name", "kind")):
        name = item.get("name")
        if not isinstance(name, str):
            raise _Invalid("is required and must be a string", f"{where}.name")
        kind = item.get("kind")
        if kind is not None and kind not in _TARGET_KINDS:
            raise _Invalid(f"must be one of {', '.join(_TARGET_KINDS)}", f"{where}.kind")
        out.append(TargetFilter(name, kind))
    return tuple(out)


def _extensions(value: Any, notes: _Notes) -> tuple[ExtraExtension, ...]:
    out = []
    for where, item in _array_items(value, notes, ("manifest-path", "module-name", "features")):
        for required in ("manifest-path", "module-name"):
            if not isinstance(item.get(required), str):
                raise _Invalid("is required and must be a string", f"{where}.{required}")
        features = item.get("features", [])
        if not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
            raise _Invalid("must be an array of strings", f"{where}.features")
        out.append(ExtraExtension(item["manifest-path"], item["module-name"], tuple(features)))
    return tuple(out)


_CONVERTERS: dict[str, Callable[[Any, _Notes], Any]] = {
    "str": _str,
    "bool": _bool,
    "strs": _strs,
    "str-or-strs": _str_or_strs,
    "table": _table,
    "features": _features,
    "include": lambda v, n: _includes(v, n, allow_from=True),
    "exclude": lambda v, n: _includes(v, n, allow_from=False),
    "targets": _targets,
    "extensions": _extensions,
}


# maturin's serde aliases: accepted as the key they stand for.
_ALIASES = {"manylinux": "compatibility"}


def parse_tool_table(
    table: Mapping[str, Any], prefix: str, file: Path
) -> tuple[ToolConfig, list[ConfigProblem], list[ConfigProblem]]:
    """Convert the raw table: the model (defaults where invalid), errors and warnings.

    Errors are values maturin refuses too (a wrong type, an unknown choice).
    Warnings are what maturin ignores silently: unknown keys, unknown keys of
    nested tables, ferrule's own keys in ``[tool.maturin]``; ferrule ignores
    them too, so the wheel is the same, and says so.
    """
    problems: list[ConfigProblem] = []
    warnings: list[ConfigProblem] = []
    by_key = {f.metadata["key"]: f for f in dataclasses.fields(ToolConfig)}
    values: dict[str, Any] = {}
    for key, raw in table.items():
        dotted = f"{prefix}.{key}"
        fld = by_key.get(_ALIASES.get(key, key))
        if fld is not None and key in FERRULE_ONLY_KEYS and prefix == "tool.maturin":
            warnings.append(
                ConfigProblem(
                    file,
                    dotted,
                    "is a ferrule key, which maturin ignores here; it is ignored; "
                    "move it to [tool.ferrule]",
                )
            )
            continue
        if fld is None:
            warnings.append(
                ConfigProblem(file, dotted, f"unknown key; it is ignored{_fix(key, KNOWN_KEYS)}")
            )
            continue
        kind = fld.metadata["kind"]
        notes: _Notes = []
        try:
            if kind == "choice":
                choices = fld.metadata["choices"]
                if raw not in choices:
                    raise _Invalid(
                        f"{raw!r} is not one of {', '.join(repr(c) for c in choices)}"
                        + (suggest(raw, choices) if isinstance(raw, str) else "")
                    )
                values[fld.name] = raw
            else:
                values[fld.name] = _CONVERTERS[kind](raw, notes)
        except _Invalid as exc:
            problems.append(ConfigProblem(file, dotted + exc.subkey, exc.message))
        warnings += [ConfigProblem(file, dotted + sub, message) for sub, message in notes]
    return ToolConfig(**values), problems, warnings
