"""Hypothesis strategies for whole projects: valid by construction, loose, or invalid.

A project is a pyproject.toml, a Cargo.toml and the files they name (Python
packages, a data directory, a readme, license files), drawn so that each is
what its key needs. ``valid_projects`` gives input that ferrule (and maturin)
builds with no warning; ``loose_projects`` adds one thing maturin builds but
ferrule warns about (the dotted key it must name is carried along);
``invalid_projects`` adds one thing that cannot be built (the dotted key its
error must name is carried along). Every project is small: generating and
writing one costs well under a millisecond, so the default run stays fast.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import tomli_w
from hypothesis import strategies as st

__all__ = [
    "GenProject",
    "invalid_projects",
    "loose_projects",
    "valid_projects",
]

TOOL_TABLES = ("tool.ferrule", "tool.maturin")


@dataclass
class GenProject:
    """A generated project and what ferrule must make of it."""

    pyproject: dict[str, Any]
    cargo: dict[str, Any]
    files: dict[str, str]
    table: str  # "tool.ferrule" or "tool.maturin"
    cargo_path: str  # Cargo.toml's path, relative to the project
    name: str  # the distribution name the wheel gets (before normalisation)
    version: str  # the version, PEP 440 (as given or converted from semver)
    module: str  # the module name (dotted for a mixed layout)
    python_dir: str  # relative: "" or python-source
    mixed: bool
    environ: dict[str, str] = field(default_factory=dict)
    # For loose and invalid projects: the dotted key the warning / error must name.
    key: str = ""
    strict: bool = False
    what: str = "valid"

    @property
    def tool(self) -> dict[str, Any]:
        return self.pyproject.setdefault("tool", {}).setdefault(self.table.split(".")[1], {})

    def tool_value(self, key: str, default: Any = None) -> Any:
        return self.tool.get(key, default)

    @property
    def key_file(self) -> str:
        """The file ``key`` is in (relative to the project)."""
        return self.cargo_path if self.key.startswith(("package", "lib")) else "pyproject.toml"

    def write(self, root: Path) -> None:
        (root / "pyproject.toml").write_text(tomli_w.dumps(self.pyproject))
        manifest = root / self.cargo_path
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(tomli_w.dumps(self.cargo))
        (manifest.parent / "src").mkdir(exist_ok=True)
        (manifest.parent / "src" / "lib.rs").write_text("")
        for rel, text in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


# --- Pieces -----------------------------------------------------------------------------------

_WORDS = ("alpha", "beta", "core", "demo", "fast", "geo", "io", "kit", "rs", "x")
_IDENT_WORDS = ("alpha", "core", "demo", "fast", "geo", "kit", "rs", "x", "_priv", "Mixed")

crate_names = st.builds(
    lambda a, b, sep: a + (sep + b if b else ""),
    st.sampled_from(_WORDS),
    st.one_of(st.none(), st.sampled_from(_WORDS), st.integers(1, 99).map(str)),
    st.sampled_from(["-", "_"]),
)
identifiers = st.builds(
    lambda a, b: a + ("_" + b if b else ""),
    st.sampled_from(_IDENT_WORDS),
    st.one_of(st.none(), st.sampled_from(_WORDS)),
)
# Distribution names as PEP 508 allows them: letters, digits, '-', '_' and '.' inside.
dist_names = st.builds(
    lambda a, sep, b: a + (sep + b if b else ""),
    st.sampled_from(("Demo", "demo", "fast", "Geo", "kit", "py3", "x")),
    st.sampled_from(("-", "_", ".", "--", "")),
    st.one_of(st.none(), st.sampled_from(("Pkg", "rs", "2", "io", "tools"))),
)
_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}
# (Cargo semver, the PEP 440 version ferrule writes for it)
semvers = st.builds(
    lambda major, minor, patch, pre: (
        f"{major}.{minor}.{patch}" + (f"-{pre[0]}.{pre[1]}" if pre else ""),
        f"{major}.{minor}.{patch}" + (f"{_PRE[pre[0]]}{pre[1]}" if pre else ""),
    ),
    st.integers(0, 12),
    st.integers(0, 30),
    st.integers(0, 9),
    st.one_of(st.none(), st.tuples(st.sampled_from(sorted(_PRE)), st.integers(0, 5))),
)
pep440 = st.builds(
    lambda release, suffix: ".".join(map(str, release)) + suffix,
    st.lists(st.integers(0, 20), min_size=1, max_size=3),
    st.sampled_from(("", "a1", "b2", "rc1", ".post1", ".dev3", "+local.1")),
)
_TEXT = st.builds(
    " ".join,
    st.lists(
        st.sampled_from(("Fast", "bindings", "for", "Rust", "ünïcode", "x<y", "&", "1.0")),
        min_size=1,
        max_size=5,
    ),
)
spdx = st.sampled_from(
    ("MIT", "Apache-2.0", "MIT OR Apache-2.0", "BSD-3-Clause", "MPL-2.0", "LicenseRef-Own")
)
requirements = st.sampled_from(
    (
        "numpy>=1.20",
        "attrs",
        "packaging==24.*",
        "typing-extensions; python_version < '3.11'",
        "requests[socks]>=2",
        "cffi @ https://example.org/cffi-1.0.tar.gz",
    )
)
requires_python = st.sampled_from((">=3.8", ">=3.9,<4", "~=3.10", "!=3.0.*,>=3.7", ">3"))
classifiers = st.sampled_from(
    (
        "Programming Language :: Rust",
        "Programming Language :: Python :: 3",
        "Operating System :: POSIX :: Linux",
        "Development Status :: 4 - Beta",
    )
)
urls = st.dictionaries(
    st.sampled_from(("Homepage", "Source", "Issue tracker", "Documentation")),
    st.sampled_from(("https://example.org", "https://example.org/a/b?c=1")),
    max_size=3,
)
emails = st.sampled_from(("jane@example.org", "dev+rust@example.com"))
people = st.lists(
    st.one_of(
        st.fixed_dictionaries({"name": st.sampled_from(("Jane Doe", "Ålice"))}),
        st.fixed_dictionaries({"email": emails}),
        st.fixed_dictionaries({"name": st.just("Bob"), "email": emails}),
    ),
    max_size=2,
)
entry_refs = st.sampled_from(("pkg:main", "pkg.cli:run", "pkg.cli:App.run", "mod"))
include_globs = st.sampled_from(("*.txt", "extra/**/*", "pkg/*.json", "NOTICE"))
compatibilities = st.one_of(
    st.sampled_from(("linux", "off", "manylinux2014", "manylinux_2_28", "2_17", "musllinux_1_2")),
    st.sampled_from((["manylinux_2_17", "pypi"], ["manylinux2014"], ["musllinux_1_1"])),
)

# --- Cargo.toml ---------------------------------------------------------------------------


@st.composite
def _cargo(draw: Any, crate: str, cargo_version: str | None) -> dict[str, Any]:
    package: dict[str, Any] = {"name": crate, "edition": "2021"}
    if cargo_version is not None:
        package["version"] = cargo_version
    optional = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "description": _TEXT,
                "authors": st.lists(
                    st.sampled_from(("Jane Doe <jane@example.org>", "The Team")), max_size=2
                ),
                "license": spdx,
                "keywords": st.lists(st.sampled_from(("ffi", "rust", "python")), max_size=3),
                "homepage": st.just("https://example.org/home"),
                "repository": st.just("https://example.org/repo"),
                "documentation": st.just("https://docs.example.org"),
            },
        )
    )
    package.update(optional)
    return {"package": package}


# --- The valid base -------------------------------------------------------------------------


@st.composite
def valid_projects(draw: Any, with_project: bool | None = None) -> GenProject:
    """A project ferrule builds with no warning, by construction (with or without [project])."""
    crate = draw(crate_names)
    semver, converted = draw(semvers)
    files: dict[str, str] = {}
    table = draw(st.sampled_from(TOOL_TABLES))
    tool: dict[str, Any] = {}
    pyproject: dict[str, Any] = {
        "build-system": {"requires": ["ferrule"], "build-backend": "ferrule"},
    }

    # [project], or metadata from Cargo.toml alone.
    if with_project is None:
        with_project = draw(st.sampled_from((True, True, False)))
    name, version = crate, converted
    cargo_version: str | None = semver
    if with_project:
        project, name, version, cargo_version = draw(_project(crate, semver, converted, files))
        pyproject["project"] = project
    cargo = draw(_cargo(crate, cargo_version))

    # The crate: at the root or under rust/ (found through manifest-path).
    cargo_path = draw(st.sampled_from(("Cargo.toml", "Cargo.toml", "rust/Cargo.toml")))
    if cargo_path != "Cargo.toml":
        tool["manifest-path"] = cargo_path
    lib_name = draw(st.one_of(st.none(), identifiers))
    crate_types = draw(st.sampled_from((["cdylib"], ["cdylib", "rlib"])))
    cargo["lib"] = {"crate-type": crate_types} | ({"name": lib_name} if lib_name else {})
    # As maturin: [lib] name, else project.name (when it is an identifier), else the crate.
    project_name = pyproject.get("project", {}).get("name", "")
    module = lib_name or (project_name if project_name.isidentifier() else crate.replace("-", "_"))

    # Layout: pure Rust, or mixed with a package (maybe under python-source).
    layout = draw(st.sampled_from(("pure", "mixed", "mixed-nested")))
    python_dir = ""
    mixed = layout != "pure"
    if mixed:
        python_dir = draw(st.sampled_from(("", "python", "py/src")))
        if python_dir:
            tool["python-source"] = python_dir
        prefix = f"{python_dir}/" if python_dir else ""
        if layout == "mixed-nested":
            package = draw(identifiers)
            module = f"{package}._{module.lstrip('_')}"
            tool["module-name"] = module
        elif draw(st.booleans()):
            module = draw(identifiers)
            tool["module-name"] = module
        top = module.split(".")[0]
        files[f"{prefix}{top}/__init__.py"] = "from .x import *\n"
        for sub in draw(
            st.lists(
                st.sampled_from(("a.py", "sub/__init__.py", "data.json")), unique=True, max_size=3
            )
        ):
            files[f"{prefix}{top}/{sub}"] = "# generated\n"
        extra = draw(st.lists(st.sampled_from(("helpers", "plugins")), unique=True, max_size=2))
        extra = [p for p in extra if p != top]
        if extra:
            tool["python-packages"] = extra
            for p in extra:
                files[f"{prefix}{p}/__init__.py"] = ""
    elif draw(st.booleans()):
        module = draw(identifiers)
        tool["module-name"] = module
    if not mixed and draw(st.booleans()):
        files[f"{module}.pyi"] = "def f() -> int: ...\n"

    if draw(st.booleans()):
        data = draw(st.sampled_from(("data", "pkg-data/here")))
        tool["data"] = data
        for sub in draw(
            st.lists(
                st.sampled_from(("data", "scripts", "headers")), unique=True, min_size=1, max_size=2
            )
        ):
            files[f"{data}/{sub}/file.txt"] = "x\n"

    tool.update(draw(_tool_keys(crate, table)))
    pyproject["tool"] = {table.split(".")[1]: tool}
    return GenProject(
        pyproject=pyproject,
        cargo=cargo,
        files=files,
        table=table,
        cargo_path=cargo_path,
        name=name,
        version=version,
        module=module,
        python_dir=python_dir,
        mixed=mixed,
        environ=draw(st.sampled_from(({}, {"FERRULE_STRICT": "1"}))),
    )


@st.composite
def _project(
    draw: Any, crate: str, semver: str, converted: str, files: dict[str, str]
) -> tuple[dict[str, Any], str, str, str | None]:
    """``[project]``: each field static, dynamic (filled from Cargo.toml) or absent, never both."""
    name = draw(st.one_of(st.just(crate), dist_names))
    project: dict[str, Any] = {"name": name}
    dynamic: list[str] = []
    cargo_version: str | None = semver
    if draw(st.booleans()):
        version = draw(pep440)
        project["version"] = version
        if draw(st.booleans()):
            cargo_version = None  # project.version is enough
    else:
        version = converted
        dynamic.append("version")
    for cargo_field in ("description", "authors", "license", "keywords", "urls", "readme"):
        if draw(st.integers(0, 3)) == 0:
            dynamic.append(cargo_field)
    if "description" not in dynamic and draw(st.booleans()):
        project["description"] = draw(_TEXT)
    if "authors" not in dynamic and draw(st.booleans()):
        project["authors"] = draw(people)
    if draw(st.booleans()):
        project["maintainers"] = draw(people)
    if "keywords" not in dynamic and draw(st.booleans()):
        project["keywords"] = draw(st.lists(st.sampled_from(("rust", "fast")), max_size=2))
    if "urls" not in dynamic and draw(st.booleans()):
        project["urls"] = draw(urls)
    if "license" not in dynamic:
        kind = draw(st.sampled_from(("none", "spdx", "spdx+files")))
        if kind != "none":
            project["license"] = draw(spdx)
        if kind == "spdx+files":
            project["license-files"] = ["LICEN[CS]E*"]
            files[draw(st.sampled_from(("LICENSE", "LICENSE.txt", "LICENCE")))] = "Text\n"
    if "readme" not in dynamic:
        kind = draw(st.sampled_from(("none", "md", "rst", "table", "text")))
        if kind == "md":
            project["readme"] = "README.md"
            files["README.md"] = "# Demo\n"
        elif kind == "rst":
            project["readme"] = "docs/README.rst"
            files["docs/README.rst"] = "Demo\n====\n"
        elif kind == "table":
            project["readme"] = {"file": "README.txt", "content-type": "text/plain"}
            files["README.txt"] = "Plain\n"
        elif kind == "text":
            project["readme"] = {"text": "Inline *readme*", "content-type": "text/markdown"}
    if draw(st.booleans()):
        project["requires-python"] = draw(requires_python)
    if draw(st.booleans()):
        project["dependencies"] = draw(st.lists(requirements, max_size=3))
    if draw(st.booleans()):
        project["optional-dependencies"] = draw(
            st.dictionaries(
                st.sampled_from(("test", "docs", "Fast_IO")),
                st.lists(requirements, max_size=2),
                max_size=2,
            )
        )
    if draw(st.booleans()):
        project["classifiers"] = draw(st.lists(classifiers, unique=True, max_size=3))
    if draw(st.booleans()):
        project["scripts"] = draw(
            st.dictionaries(st.sampled_from(("demo", "demo-cli")), entry_refs, max_size=2)
        )
    if draw(st.booleans()):
        project["gui-scripts"] = {"demo-gui": draw(entry_refs)}
    if draw(st.booleans()):
        project["entry-points"] = {
            draw(st.sampled_from(("pytest11", "demo.plugins"))): {"x": draw(entry_refs)}
        }
    if dynamic:
        project["dynamic"] = dynamic
    return project, name, version, cargo_version


@st.composite
def _tool_keys(draw: Any, crate: str, table: str) -> dict[str, Any]:
    """The rest of ``[tool.*]``, each key drawn from what it accepts."""
    strs = st.lists(st.sampled_from(("a", "b=1", "-Zfoo")), max_size=2)
    features = st.lists(
        st.one_of(
            st.sampled_from(("fast", "pyo3/extension-module", "serde")),
            st.fixed_dictionaries(
                {"feature": st.just("abi")},
                optional={
                    "python-version": requires_python,
                    "python-implementation": st.sampled_from(("cpython", "pypy")),
                },
            ),
        ),
        max_size=3,
    )
    includes = st.lists(
        st.one_of(
            include_globs,
            st.fixed_dictionaries(
                {"path": include_globs},
                optional={"format": st.sampled_from(("sdist", "wheel", ["sdist", "wheel"]))},
            ),
        ),
        max_size=2,
    )
    out_dir_include = st.fixed_dictionaries(
        {"path": st.just("gen/*.py"), "from": st.just("out-dir")},
        optional={
            "to": st.just("pkg/gen"),
            "crate-name": st.just(crate),
            "format": st.just("wheel"),
        },
    )
    keys = {
        "bindings": st.sampled_from(("pyo3", "pyo3-ffi")),
        "compatibility": compatibilities,
        "manylinux": st.sampled_from(("2014", "off")),
        "auditwheel": st.sampled_from(("repair", "check", "warn", "skip")),
        "skip-auditwheel": st.booleans(),
        "strip": st.booleans(),
        "sdist-generator": st.sampled_from(("cargo", "git")),
        "include": st.one_of(includes, st.lists(out_dir_include, max_size=1)),
        "exclude": st.lists(
            st.one_of(
                include_globs,
                st.fixed_dictionaries({"path": include_globs, "format": st.just("wheel")}),
            ),
            max_size=2,
        ),
        "targets": st.lists(
            st.fixed_dictionaries(
                {"name": st.just(crate)}, optional={"kind": st.sampled_from(("cdylib", "bin"))}
            ),
            max_size=1,
        ),
        "profile": st.sampled_from(("release", "dev", "dist")),
        "editable-profile": st.sampled_from(("dev", "release")),
        "features": features,
        "all-features": st.booleans(),
        "no-default-features": st.booleans(),
        "frozen": st.booleans(),
        "locked": st.booleans(),
        "offline": st.booleans(),
        "config": strs,
        "unstable-flags": strs,
        "rustc-args": strs,
        "use-base-python": st.booleans(),
        "include-import-lib": st.booleans(),
        "target": st.just({"x86_64-apple-darwin": {"macos-deployment-target": "11.0"}}),
        "pgo-command": st.just("python bench.py"),
        "sbom": st.just({"rust": True}),
        "generate-ci": st.just({"github": {}}),
    }
    if table == "tool.ferrule":
        keys |= {"rebuild-on-import": st.booleans(), "strict": st.booleans()}
    chosen = draw(st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=6))
    out = {key: draw(keys[key]) for key in chosen}
    if "manylinux" in out and "compatibility" in out:
        del out["manylinux"]  # one key, two spellings
    return out


# --- Loose input: one warning each -----------------------------------------------------------

# Each mutation edits a valid project in place and returns the dotted key the warning names
# (or None when it does not apply to this project).
_Mutation = Callable[[GenProject, Any], "str | None"]


def _unknown_tool_key(p: GenProject, draw: Any) -> str:
    key = draw(st.sampled_from(("python-sources", "modul-name", "zzz", "bindings_")))
    p.tool[key] = "x"
    return f"{p.table}.{key}"


def _ferrule_key_in_maturin(p: GenProject, draw: Any) -> str | None:
    if p.table != "tool.maturin":
        return None
    key = draw(st.sampled_from(("rebuild-on-import", "extensions")))
    p.tool[key] = True if key == "rebuild-on-import" else []
    return f"tool.maturin.{key}"


def _unknown_nested_key(p: GenProject, draw: Any) -> str:
    where, entry, odd = draw(
        st.sampled_from(
            (
                ("include", {"path": "*.txt", "formats": "sdist"}, "formats"),
                ("targets", {"name": "x", "type": "bin"}, "type"),
                ("features", {"feature": "f", "python_version": ">=3.9"}, "python_version"),
            )
        )
    )
    p.tool[where] = [entry]
    return f"{p.table}.{where}[0].{odd}"


def _both_tables(p: GenProject, draw: Any) -> str:
    other = "maturin" if p.table == "tool.ferrule" else "ferrule"
    p.pyproject["tool"][other] = copy.deepcopy(p.tool)
    p.tool.pop("strict", None)
    p.pyproject["tool"]["ferrule"].pop("rebuild-on-import", None)
    # [tool.maturin] is the one used; ferrule's own keys there would warn too.
    maturin = p.pyproject["tool"]["maturin"]
    maturin.pop("rebuild-on-import", None)
    maturin.pop("strict", None)
    p.table = "tool.maturin"
    return "tool.ferrule"


def _no_cargo_version(p: GenProject, draw: Any) -> str:
    """No [project] and no package.version: 0.0.0, as cargo takes it."""
    del p.cargo["package"]["version"]
    p.version = "0.0.0"
    return "package.version"


_PROJECT_CASES = (
    "no-version",
    "bad-dynamic",
    "license-classifier",
    "license-table",
    "readme-no-type",
    "readme-odd-type",
    "long-url-label",
    "unknown-key",
    "group",
    "unmatched-license-file",
    "not-spdx",
)


def _project_field(p: GenProject, draw: Any, choice: str) -> str:
    project = p.pyproject["project"]
    dynamic = project.setdefault("dynamic", [])
    if choice == "no-version":
        if "version" in dynamic:
            dynamic.remove("version")
            project["version"] = p.version  # (Cargo.toml's) now static, to drop it below
        del project["version"]
        p.version = "?"  # Cargo.toml's (or 0.0.0): not what we know here
        if "version" not in p.cargo["package"]:
            p.cargo["package"]["version"] = "0.1.0"
        return "project.version"
    if choice == "bad-dynamic":
        dynamic.append(draw(st.sampled_from(("bogus", "home-page", "Description"))))
        return "project.dynamic"
    if choice == "license-classifier":
        project.setdefault("classifiers", []).append("License :: OSI Approved :: MIT License")
        return "project.classifiers"
    if choice == "license-table":
        if "license" in dynamic:
            dynamic.remove("license")
        project.pop("license-files", None)
        project["license"] = {"text": "MIT"}
        return "project.license"
    if choice == "readme-no-type":
        if "readme" in dynamic:
            dynamic.remove("readme")
        project["readme"] = {"text": "hello"}
        return "project.readme"
    if choice == "readme-odd-type":
        if "readme" in dynamic:
            dynamic.remove("readme")
        project["readme"] = {"text": "hello", "content-type": "text/html"}
        return "project.readme.content-type"
    if choice == "long-url-label":
        if "urls" in dynamic:
            dynamic.remove("urls")
        project.setdefault("urls", {})["A label much longer than thirty-two"] = "https://x.org"
        return "project.urls"
    if choice == "unknown-key":
        key = draw(st.sampled_from(("home-page", "author", "zzz", "requires_python")))
        project[key] = "x"
        return f"project.{key}"
    if choice == "group":
        project["entry-points"] = {"my-group": {"x": "pkg:main"}}
        return "project.entry-points"
    if choice == "unmatched-license-file":
        if "license" in dynamic:
            dynamic.remove("license")
        project["license-files"] = ["NO-SUCH-LICENSE*"]
        return "project.license-files[0]"
    assert choice == "not-spdx", choice
    if "license" in dynamic:
        dynamic.remove("license")
    project.pop("license-files", None)
    project["license"] = "Some Own License"
    return "project.license"


# (name, whether it needs [project] (True), none (False) or either (None), mutation)
_LOOSE: tuple[tuple[str, bool | None, _Mutation], ...] = (
    ("unknown-tool-key", None, _unknown_tool_key),
    ("ferrule-key-in-maturin", None, _ferrule_key_in_maturin),
    ("unknown-nested-key", None, _unknown_nested_key),
    ("both-tables", None, _both_tables),
    ("no-cargo-version", False, _no_cargo_version),
    *((case, True, functools.partial(_project_field, choice=case)) for case in _PROJECT_CASES),
)


@st.composite
def loose_projects(draw: Any) -> GenProject:
    """A valid project with one loose thing maturin builds: one warning, or strict's error."""
    while True:
        name, with_project, mutation = draw(st.sampled_from(_LOOSE))
        p = draw(valid_projects(with_project))
        p.tool.pop("strict", None)
        key = mutation(p, draw)
        if key is not None:
            break
    p.key, p.what = key, f"loose:{name}"
    strict = draw(st.sampled_from(("", "env", "table")))
    p.environ = {"FERRULE_STRICT": "1"} if strict == "env" else {}
    if strict == "table":
        p.pyproject["tool"].setdefault("ferrule", {})["strict"] = True
    p.strict = bool(strict)
    return p


# --- Invalid input: one error naming its dotted key ------------------------------------------


def _no_build_system(p: GenProject, draw: Any) -> str:
    """maturin needs [build-system] too (its PyProjectToml has no default for it)."""
    if draw(st.booleans()):
        del p.pyproject["build-system"]
        return "build-system"
    p.pyproject["build-system"]["requires"] = draw(st.sampled_from(("ferrule", [1])))
    return "build-system.requires"


_TOOL_WRONG_TYPES: tuple[tuple[Any, ...], ...] = (
    ("python-source", 1),
    ("module-name", ["x"]),
    ("strip", "yes"),
    ("features", "fast"),
    ("include", {"path": "x"}),
    ("config", [1], "[0]"),
    ("targets", ["x"], "[0]"),
    ("target", "x86_64"),
    ("skip-auditwheel", 0),
    ("compatibility", 2014),
    ("profile", True),
    ("manifest-path", 3.5),
)


def _tool_wrong_type(p: GenProject, draw: Any, case: tuple[Any, ...]) -> str:
    key, value, *suffix = case
    p.tool[key] = value
    return f"{p.table}.{key}{''.join(suffix)}"


_TOOL_BAD_VALUES: tuple[tuple[Any, ...], ...] = (
    ("bindings", "pyo4"),
    ("auditwheel", "fix"),
    ("sdist-generator", "hg"),
    ("compatibility", "manylinux_2"),
    ("compatibility", ["manylinux_2_17", "musllinux_1_2"]),
    ("compatibility", ["linux", "manylinux2014"]),
    ("include", ["../secret"], "[0]"),
    ("include", [{"path": "/etc/passwd"}], "[0].path"),
    ("include", [{"path": "x", "format": "egg"}], "[0].format"),
    ("include", [{"path": "x", "from": "target-dir"}], "[0].from"),
    ("exclude", [{"format": "wheel"}], "[0].path"),
    ("features", [{"feature": "x", "python-version": "three"}], "[0].python-version"),
    ("targets", [{"name": "x", "kind": "exe"}], "[0].kind"),
    ("module-name", "1st"),
    ("module-name", "pkg.not-ok"),
    ("python-source", "missing-dir"),
    ("python-source", "../.."),
    ("data", "no-such-data"),
    ("data", "/"),
    ("python-packages", ["nowhere"]),
)


def _tool_bad_value(p: GenProject, draw: Any, case: tuple[Any, ...]) -> str:
    key, value, *suffix = case
    p.tool[key] = value
    return f"{p.table}.{key}{''.join(suffix)}"


_PROJECT_BAD_VALUES: tuple[tuple[Any, ...], ...] = (
    ("name", "-bad-"),
    ("name", 7),
    ("version", "one.two"),
    ("requires-python", "python3"),
    ("dependencies", ["not a requirement!"], "[0]"),
    ("dependencies", "numpy"),
    ("optional-dependencies", {"t": ["==1"]}, ".t[0]"),
    ("readme", "NO-README.md"),
    ("readme", {"file": "R.md", "text": "x", "content-type": "text/plain"}),
    ("license-files", ["../LICENSE"], "[0]"),
    ("scripts", {"x": 1}, ".x"),
    ("urls", {"Home": 3}, ".Home"),
    ("keywords", "rust"),
    ("classifiers", "Programming Language :: Rust"),
    ("dynamic", ["name"]),
)


def _project_bad_value(p: GenProject, draw: Any, case: tuple[Any, ...]) -> str:
    project = p.pyproject["project"]
    key, value, *suffix = case
    if key in ("version", "readme", "license-files", "keywords", "urls", "authors"):
        dynamic = project.get("dynamic", [])
        if key in dynamic:
            dynamic.remove(key)
    if key == "dynamic":
        dynamic = project.setdefault("dynamic", [])
        dynamic.append("name")  # (keeping "version" if there)
        return f"project.dynamic[{len(dynamic) - 1}]"
    project[key] = value
    return f"project.{key}{''.join(suffix)}"


_CARGO_BAD_VALUES: tuple[tuple[Any, ...], ...] = (
    ("package.name", 1),
    ("package.version", 5),
    ("package.authors", "Jane"),
    ("package.description", ["x"]),
    ("package.keywords", [1]),
    ("package.readme", 1),
    ("package.version", {"workspace": True}),
    ("lib.name", "not-an-identifier"),
    ("lib.crate-type", "cdylib"),
    ("lib", "cdylib"),
)


def _cargo_bad_value(p: GenProject, draw: Any, case: tuple[Any, ...]) -> str | None:
    key, value = case
    if key == "lib.name" and "module-name" in p.tool:
        return None  # module-name wins over lib.name: nothing reads it
    table, _, name = key.partition(".")
    if not name:
        p.cargo[table] = value
    else:
        p.cargo.setdefault(table, {})[name] = value
    if key == "package.version" and "project" in p.pyproject:
        p.pyproject["project"].pop("version", None)
        dynamic = p.pyproject["project"].setdefault("dynamic", [])
        if "version" not in dynamic:
            dynamic.append("version")
    return key


_INVALID: tuple[tuple[str, bool | None, _Mutation], ...] = (
    ("no-build-system", None, _no_build_system),
    *(
        (f"tool:{c[0]}", None, functools.partial(_tool_wrong_type, case=c))
        for c in _TOOL_WRONG_TYPES
    ),
    *((f"tool:{c[0]}", None, functools.partial(_tool_bad_value, case=c)) for c in _TOOL_BAD_VALUES),
    *(
        (f"project:{c[0]}", True, functools.partial(_project_bad_value, case=c))
        for c in _PROJECT_BAD_VALUES
    ),
    *(
        (f"cargo:{c[0]}", None, functools.partial(_cargo_bad_value, case=c))
        for c in _CARGO_BAD_VALUES
    ),
)


@st.composite
def invalid_projects(draw: Any) -> GenProject:
    """A valid project with one thing that cannot be built."""
    while True:
        name, with_project, mutation = draw(st.sampled_from(_INVALID))
        p = draw(valid_projects(with_project))
        key = mutation(p, draw)
        if key is not None:
            break
    p.key, p.what = key, f"invalid:{name}"
    return p
