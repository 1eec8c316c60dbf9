"""The stable ABI (abi3): which interpreters share one abi3 build, which need their own.

pyo3's ``abi3`` / ``abi3-pyXY`` features select the stable ABI. They may be
declared on the dependency in Cargo.toml, reached through the crate's own
features (``abi3 = ["pyo3/abi3-py38"]``) enabled by default, on the command
line or by pyproject ``features`` (which can be conditional per interpreter).
GIL-enabled CPython at or above the minimum version shares one
``cp3X-abi3-<platform>`` build; PyPy, free-threaded CPython and older CPython
get version-specific builds in the same run, each said so on stderr.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ferrule import _log
from ferrule._record import record
from ferrule.config.model import FeatureSpec, Settings
from ferrule.config.pyo3_crate import Pyo3Crate
from ferrule.interpreter import Interpreter, from_pyo3_config

__all__ = ["BuildUnit", "abi3_minimum", "active_features", "plan_units", "pyo3_config_text"]

_ABI3 = re.compile(r"^abi3(?:-py(\d)(\d+))?$")


@record
class BuildUnit:
    """One compile: for ``interpreter`` (and, when ``abi3`` is set, for ``covers`` too)."""

    interpreter: Interpreter
    abi3: tuple[int, int] | None = None
    covers: tuple[Interpreter, ...] = ()


def _closure(
    requested: Iterable[str], table: Mapping[str, Sequence[str]], defaults: bool
) -> set[str]:
    """Crate features enabled, following the ``[features]`` table.

    >>> sorted(_closure(["abi3"], {"abi3": ["pyo3/abi3-py38"], "default": []}, True))
    ['abi3', 'default', 'pyo3/abi3-py38']
    """
    pending = list(requested) + (["default"] if defaults and "default" in table else [])
    seen: set[str] = set()
    while pending:
        feature = pending.pop()
        if feature in seen:
            continue
        seen.add(feature)
        pending += list(table.get(feature, ()))
    return seen


def abi3_minimum(features: Iterable[str]) -> tuple[int, int] | bool | None:
    """The abi3 minimum from pyo3 features: a version, True for bare ``abi3``, None without.

    >>> abi3_minimum(["macros", "abi3-py310", "abi3-py38"])
    (3, 8)
    >>> abi3_minimum(["abi3"]), abi3_minimum(["macros"])
    (True, None)
    """
    result: tuple[int, int] | bool | None = None
    for feature in features:
        match = _ABI3.match(feature)
        if not match:
            continue
        if match[1] is None:
            result = result or True
        else:
            version = (int(match[1]), int(match[2]))
            result = version if not isinstance(result, tuple) else min(result, version)
    return result


def active_features(specs: tuple[FeatureSpec, ...], interp: Interpreter | None) -> list[str]:
    """The features that apply to ``interp`` (conditional ones are checked against it).

    Part of the build plan: cargo's argv (:mod:`ferrule.cargo.command`) and the
    abi3 decision below both start from it.

    >>> from packaging.specifiers import SpecifierSet
    >>> specs = (FeatureSpec("a"), FeatureSpec("b", SpecifierSet(">=3.12")),
    ...          FeatureSpec("c", None, "pypy"))
    >>> i = Interpreter("cpython", 3, 11, "", "", "", "", "", "", False, 64)
    >>> active_features(specs, i)
    ['a']
    """
    out: list[str] = []
    for spec in specs:
        if interp is not None:
            if spec.python_version is not None and not spec.python_version.contains(
                f"{interp.major}.{interp.minor}", prereleases=True
            ):
                continue
            if (
                spec.python_implementation is not None
                and spec.python_implementation.lower() != interp.implementation
            ):
                continue
        if spec.feature not in out:
            out.append(spec.feature)
    return out


def _pyo3_features(crate: Pyo3Crate, settings: Settings, interp: Interpreter) -> set[str]:
    options = settings.cargo_options
    requested = active_features(options.features, interp)
    if options.all_features:
        requested += list(crate.crate_features)
    enabled = _closure(requested, crate.crate_features, not options.no_default_features)
    out = set(crate.declared_features)
    assert crate.name is not None
    for feature in enabled:
        for prefix in (f"{crate.name}/", f"{crate.name}?/"):
            if feature.startswith(prefix):
                out.add(feature[len(prefix) :])
    return out


def pyo3_features(settings: Settings, interp: Interpreter) -> set[str]:
    """The features of the crate's pyo3 (or pyo3-ffi) a build for ``interp`` enables."""
    crate = settings.pyo3
    return _pyo3_features(crate, settings, interp) if crate.name is not None else set()


def _abi3_for(crate: Pyo3Crate, settings: Settings, interp: Interpreter) -> tuple[int, int] | None:
    """The abi3 minimum that applies to ``interp``, or None for a version-specific build."""
    if crate.name is None:
        return None
    minimum = abi3_minimum(_pyo3_features(crate, settings, interp))
    if minimum is None:
        return None
    floor = interp.version if minimum is True else minimum
    assert isinstance(floor, tuple)
    if not interp.supports_abi3 or interp.version < floor:
        return None
    return floor


def plan_units(settings: Settings, interpreters: Sequence[Interpreter]) -> list[BuildUnit]:
    """Group interpreters into compiles: one abi3 build for those that can share it."""
    env = settings.environ
    if env.get("PYO3_CONFIG_FILE") and interpreters and not interpreters[0].runnable:
        # The interpreter as chosen (described for --target); the file gives the abi3 minimum.
        interp = interpreters[0]
        abi3 = from_pyo3_config(Path(env["PYO3_CONFIG_FILE"]))[1]
        return [BuildUnit(interp, abi3, (interp,) if abi3 else ())]
    crate = settings.pyo3
    shared: dict[tuple[int, int], list[Interpreter]] = {}
    units: list[BuildUnit] = []
    specific: list[Interpreter] = []
    for interp in interpreters:
        floor = _abi3_for(crate, settings, interp)
        if floor is None:
            specific.append(interp)
        else:
            shared.setdefault(floor, []).append(interp)
    for floor, group in shared.items():
        units.append(BuildUnit(group[0], floor, tuple(group)))
    if shared and specific:
        names = ", ".join(i.name for i in specific)
        _log.warn(
            f"abi3 does not apply to {names} (PyPy, free-threaded, or older than the abi3 "
            "minimum), so they get version-specific wheels"
        )
    units += [BuildUnit(i) for i in specific]
    return units


def pyo3_config_text(interp: Interpreter, abi3: tuple[int, int]) -> str:
    """The ``PYO3_CONFIG_FILE`` of an abi3 build for pyo3 >= 0.29 (as maturin writes it).

    With it pyo3 needs no interpreter, so the abi3 build is the same whichever
    interpreter starts it, and cargo does not rebuild pyo3 between them.

    >>> i = Interpreter("cpython", 3, 11, "", "", "", "", "", "", False, 64)
    >>> print(pyo3_config_text(i, (3, 8)))
    implementation=CPython
    version=3.8
    target_abi=CPython-abi3-3.8
    shared=true
    build_flags=
    suppress_build_script_link_lines=false
    """
    major, minor = abi3
    return (
        f"implementation=CPython\nversion={major}.{minor}\n"
        f"target_abi=CPython-abi3-{major}.{minor}\nshared=true\nbuild_flags=\n"
        "suppress_build_script_link_lines=false"
    )


def uses_target_abi_config(settings: Settings) -> bool:
    """pyo3 >= 0.29 takes a ``target_abi`` configuration file for abi3 builds."""
    crate = settings.pyo3
    if crate.name is None or not crate.locked_version:
        return False
    major, minor = (int(p) for p in crate.locked_version.split(".")[:2])
    return (major, minor) >= (0, 29)
