"""Property tests over whole projects: valid ones plan a wheel, loose ones warn, invalid ones say why.

Projects are drawn valid by construction (:mod:`tests.unit.config.projects`), then
some get one loose or one invalid change. For each:

- valid: ``load_settings`` gives no warning, and the wheel is planned without
  error: METADATA passes ``packaging``'s validation with the drawn name and
  version, the tag is one the running interpreter supports (``packaging.tags``),
  every file is in place, once, with the dist-info last;
- loose: exactly one warning, naming the dotted key, and the wheel is still
  planned; in strict mode (``FERRULE_STRICT=1`` or ``[tool.ferrule] strict``) a
  ConfigError naming that key instead;
- invalid: a FerruleError naming the file and the dotted key, never another
  exception.

The fast layer: no cargo, no venv; the native library is a placeholder file.
Examples: 200 by default, 10,000 with ``scripts/test.sh --deep`` (conftest.py).
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import event, given, settings
from hypothesis import strategies as st
from packaging.metadata import Metadata
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from ferrule.audit import expand_tags
from ferrule.bindings.pyo3 import extension_entries
from ferrule.config import load_settings
from ferrule.config.model import Settings
from ferrule.config.tool import KNOWN_KEYS
from ferrule.errors import ConfigError, FerruleError
from ferrule.interpreter import Interpreter
from ferrule.layout import determine_layout
from ferrule.metadata import build_metadata
from ferrule.tags import wheel_tag
from ferrule.wheel.manifest import Entry, FileSelection, package_entries, plan_entries, wheel_file
from tests.unit.config.projects import (
    GenProject,
    invalid_projects,
    loose_projects,
    valid_projects,
)

#: At least this share of the mixed draws must load (the issue: >= 50 %).
MIN_VALID_SHARE = 0.5

RUNNING = Interpreter(
    implementation=sys.implementation.name,
    major=sys.version_info.major,
    minor=sys.version_info.minor,
    abiflags=getattr(sys, "abiflags", ""),
    ext_suffix=sysconfig.get_config_var("EXT_SUFFIX") or ".so",
    soabi=sysconfig.get_config_var("SOABI") or "",
    platform=sysconfig.get_platform(),
    executable=sys.executable,
    base_executable=sys.executable,
    gil_disabled=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    pointer_width=64 if sys.maxsize > 2**32 else 32,
)
SUPPORTED_TAGS = {str(tag) for tag in sys_tags()}


def _fresh(scratch: Path) -> Path:
    root = scratch / "p"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    return root


# --- What each kind of project must give ------------------------------------------------------


def _plan_wheel(settings: Settings, root: Path) -> tuple[list[Entry], str, Any, Any]:
    """Everything of a wheel build but cargo and the archive: the pure planning functions."""
    metadata = build_metadata(settings)
    layout = determine_layout(settings)
    selection = FileSelection(
        settings.project_dir,
        exclude=tuple(s.path for s in settings.tool.exclude if "wheel" in s.formats),
    )
    package_files = package_entries(layout, metadata, selection)
    library = root / ".placeholder-library.so"
    library.write_bytes(b"\x7fELF")
    native = extension_entries(
        library,
        layout.extension_dir,
        layout.extension_name + RUNNING.ext_suffix,
        pure=not layout.mixed,
        extension_name=layout.extension_name,
    )
    tag = wheel_tag(RUNNING, settings.environ)
    entries = plan_entries(
        metadata, native, wheel_file("ferrule (test)", expand_tags(tag)), package_files
    )
    return entries, tag, metadata, layout


def _check_plan(p: GenProject, settings: Settings, root: Path) -> None:
    entries, tag, metadata, layout = _plan_wheel(settings, root)
    # Loose input maturin writes as given may be what PyPI refuses (a readme of type
    # text/html, a long URL label): validated as PyPI would only when it was valid.
    parsed = Metadata.from_email(metadata.rfc822, validate=not p.key)
    assert canonicalize_name(parsed.name) == canonicalize_name(p.name)
    if p.version != "?":
        assert parsed.version == Version(p.version)
    assert tag in SUPPORTED_TAGS
    name, version, _, _ = parse_wheel_filename(f"{metadata.dist_name}-{metadata.version}-{tag}.whl")
    assert (name, version) == (canonicalize_name(p.name), parsed.version)

    names = [e.arcname for e in entries]
    assert len(names) == len(set(names)), names
    dist_info = [n.startswith(f"{metadata.dist_info}/") for n in names]
    assert dist_info == sorted(dist_info), "dist-info entries come last"
    assert f"{metadata.dist_info}/METADATA" in names and f"{metadata.dist_info}/WHEEL" in names
    assert layout.module_name == p.module and layout.mixed == p.mixed
    ext_dir = "/".join(p.module.split(".")[:-1]) or p.module.split(".")[0]
    assert f"{ext_dir}/{p.module.split('.')[-1]}{RUNNING.ext_suffix}" in names
    prefix = f"{p.python_dir}/" if p.python_dir else ""
    packages = [p.module.split(".")[0], *p.tool_value("python-packages", [])] if p.mixed else []
    for rel in p.files:
        if prefix and not rel.startswith(prefix):
            continue
        inside = rel[len(prefix) :]
        if inside.split("/")[0] in packages:
            assert inside in names, (inside, names)


def _check_valid(p: GenProject, root: Path) -> None:
    settings = load_settings(root, environ=p.environ, report=False)
    assert settings.warnings == (), [str(w) for w in settings.warnings]
    assert settings.tool_table == p.table
    _check_plan(p, settings, root)


def _check_loose(p: GenProject, root: Path) -> None:
    if p.strict:
        with pytest.raises(ConfigError) as caught:
            load_settings(root, environ=p.environ, report=False)
        assert caught.value.strict
        assert p.key in {problem.key for problem in caught.value.problems}, str(caught.value)
        assert f": {p.key}: " in str(caught.value)
        return
    settings = load_settings(root, environ=p.environ, report=False)
    assert [w.key for w in settings.warnings] == [p.key], [str(w) for w in settings.warnings]
    _check_plan(p, settings, root)


def _check_invalid(p: GenProject, root: Path) -> None:
    try:
        settings = load_settings(root, environ=p.environ, report=False)
        _plan_wheel(settings, root)
    except ConfigError as exc:
        keys = [problem.key for problem in exc.problems]
        assert p.key in keys, (p.key, str(exc))
        assert str(root / p.key_file) in str(exc)
    except FerruleError as exc:
        raise AssertionError(
            f"{type(exc).__name__} for {p.key} is no ConfigError naming file and key: {exc}"
        ) from exc
    else:
        raise AssertionError(f"{p.what} ({p.key}) was accepted")


CHECKS = {"valid": _check_valid, "loose": _check_loose, "invalid": _check_invalid}


def check(p: GenProject, root: Path) -> str:
    """Write ``p`` under ``root``, check it as its kind demands; "loaded" or "refused"."""
    p.write(root)
    kind = p.what.split(":")[0]
    event(p.what)
    if p.key:
        event(f"{kind} key: {p.key.replace(p.table, '<tool>')}")
    CHECKS[kind](p, root)
    loaded = kind == "valid" or (kind == "loose" and not p.strict)
    return "loaded" if loaded else "refused"


# --- The tests ----------------------------------------------------------------------------------


@given(valid_projects())
def test_valid_projects_plan_a_wheel(scratch: Path, project: GenProject) -> None:
    check(project, _fresh(scratch))


@given(loose_projects())
def test_loose_projects_warn_or_fail_in_strict_mode(scratch: Path, project: GenProject) -> None:
    check(project, _fresh(scratch))


@given(invalid_projects())
def test_invalid_projects_name_file_and_key(scratch: Path, project: GenProject) -> None:
    check(project, _fresh(scratch))


def test_most_drawn_projects_load(scratch: Path, record_property: Any) -> None:
    """The mix the issue asks for: at least half of the drawn configurations load."""
    outcomes: Counter[str] = Counter()

    # Three valid draws to one loose and one invalid: about 67 % load (a third of the
    # loose ones are in strict mode). Hypothesis favours the first strategies a little.
    mix = st.one_of(
        valid_projects(), valid_projects(), valid_projects(), loose_projects(), invalid_projects()
    )

    # A share needs enough draws: at least 100, also under the mutation profile's 25.
    @settings(max_examples=max(settings.default.max_examples, 100))
    @given(mix)
    def draw(project: GenProject) -> None:
        outcomes[check(project, _fresh(scratch))] += 1

    draw()
    share = outcomes["loaded"] / sum(outcomes.values())
    record_property("loaded_share", share)
    print(f"\n{share:.0%} of {sum(outcomes.values())} drawn configurations load: {dict(outcomes)}")
    assert share >= MIN_VALID_SHARE


# --- Anything at all: settings or ferrule's own error, never another exception ---------

# Values of every TOML type, nested a little.
scalars = st.one_of(
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        [
            "",
            "x",
            "pkg._native",
            "python",
            "../x",
            "/abs",
            "a.b.c",
            "3.11",
            ">=3.9",
            "MIT",
            "MIT OR Apache-2.0",
            "README.md",
            "wheel",
            "sdist",
            "out-dir",
            "bin",
        ]
    ),
    st.text(max_size=8),
)
_KEYS = ["path", "format", "feature", "python-version", "name", "kind", "from", "to", "text"]


def _nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Arrays and tables of ``inner`` (a named function: hypothesis reads its source)."""
    return st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*_KEYS, "file", "email"]), inner, max_size=3),
    )


values = st.recursive(scalars, _nest, max_leaves=6)
tool_tables = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=6)), values, max_size=4
)
project_tables = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["demo", "Demo_Pkg", "x-y"]), scalars)},
    optional={
        "version": st.one_of(st.sampled_from(["1.0", "1.0.0a1", "bad version"]), scalars),
        "dynamic": st.lists(
            st.sampled_from(
                [
                    "version",
                    "description",
                    "license",
                    "readme",
                    "authors",
                    "keywords",
                    "urls",
                    "bogus",
                ]
            ),
            max_size=3,
        ),
        "description": scalars,
        "readme": values,
        "license": values,
        "license-files": values,
        "requires-python": scalars,
        "dependencies": st.lists(
            st.sampled_from(["a>1", "b; python_version<'3.9'", "not a req!"]), max_size=2
        ),
        "optional-dependencies": values,
        "scripts": values,
        "entry-points": values,
        "authors": values,
        "urls": values,
        "classifiers": values,
    },
)
cargo_packages = st.fixed_dictionaries(
    {"name": st.one_of(st.just("demo-crate"), scalars)},
    optional={
        "version": st.one_of(
            st.sampled_from(["0.1.0", "1.0.0-alpha.1", "1.0.0-foo", "x"]),
            scalars,
            st.just({"workspace": True}),
        ),
        "description": values,
        "license": values,
        "authors": values,
        "readme": values,
        "keywords": values,
        "homepage": scalars,
    },
)


@given(
    tool=tool_tables,
    table=st.sampled_from(["ferrule", "maturin"]),
    project=st.one_of(st.none(), project_tables),
    package=cargo_packages,
    lib=st.one_of(
        st.none(), st.dictionaries(st.sampled_from(["name", "crate-type"]), values, max_size=2)
    ),
)
def test_any_configuration_gives_settings_or_our_error(
    scratch: Path,
    tool: dict[str, Any],
    table: str,
    project: dict[str, Any] | None,
    package: dict[str, Any],
    lib: dict[str, Any] | None,
) -> None:
    root = _fresh(scratch)
    pyproject: dict[str, Any] = {
        "build-system": {"requires": ["ferrule"], "build-backend": "ferrule"},
        "tool": {table: tool},
    }
    if project is not None:
        pyproject["project"] = project
    cargo: dict[str, Any] = {"package": package}
    if lib is not None:
        cargo["lib"] = lib
    (root / "pyproject.toml").write_text(tomli_w.dumps(pyproject))
    (root / "Cargo.toml").write_text(tomli_w.dumps(cargo))
    try:
        loaded = load_settings(root, environ={}, report=False)
        build_metadata(loaded)
        determine_layout(loaded)
    except FerruleError:
        pass
