"""``ferrule new`` / ``ferrule init``: a project that builds, installs and passes its test.

The file contents are ``string.Template`` files in ``templates/`` (data shipped
in the package); :func:`project_files` picks and fills them for a binding and a
layout, a pure function from a :class:`ProjectSpec` to ``{path: text}``.

Layouts, as maturin names them:

- ``pure``: Cargo.toml at the root, the Rust crate is the whole package;
  the test is ``tests/test_all.py``.
- ``mixed`` (``--mixed``): Python sources in ``python/<module>/`` next to the crate.
- ``src`` (``--mixed --src``, or ``--src`` alone): Python first, ``src/<module>/``
  and the crate in ``rust/``.
"""

from __future__ import annotations

import keyword
import re
from importlib import resources
from string import Template

from ferrule._record import record
from ferrule.errors import FerruleError

__all__ = [
    "BINDINGS",
    "LAYOUTS",
    "PYO3_VERSION",
    "UNIFFI_VERSION",
    "ProjectSpec",
    "project_files",
    "validate_name",
]

BINDINGS = ("pyo3", "cffi", "uniffi", "bin")
LAYOUTS = ("pure", "mixed", "src")
PYO3_VERSION = "0.29.0"
# uniffi-bindgen from PyPI must match the crate's uniffi version exactly.
UNIFFI_VERSION = "0.28.3"

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# Names cargo refuses for packages (keywords and the standard crates).
_RUST_RESERVED = frozenset(
    (
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
        "gen", "alloc", "core", "proc_macro", "std", "test",
    )
)  # fmt: skip


def validate_name(name: str) -> str:
    """``name`` if it can be a cargo package, a Python distribution and a module.

    >>> validate_name("my-project")
    'my-project'
    >>> validate_name("2fast")
    Traceback (most recent call last):
    ...
    ferrule.errors.FerruleError: invalid project name '2fast': use letters, digits, '-' and '_', starting with a letter
    """
    if not _NAME.match(name):
        raise FerruleError(
            f"invalid project name {name!r}: use letters, digits, '-' and '_', "
            "starting with a letter"
        )
    module = name.replace("-", "_")
    if module in _RUST_RESERVED or keyword.iskeyword(module):
        raise FerruleError(
            f"invalid project name {name!r}: {module!r} is reserved in Rust or Python; "
            "pick another name (or pass --name)"
        )
    return name


@record
class ProjectSpec:
    name: str
    bindings: str = "pyo3"
    layout: str = "pure"

    def __post_init__(self) -> None:
        validate_name(self.name)
        if self.bindings not in BINDINGS:
            raise FerruleError(f"bindings must be one of {', '.join(BINDINGS)}")
        if self.layout not in LAYOUTS:
            raise FerruleError(f"layout must be one of {', '.join(LAYOUTS)}")

    @property
    def crate_name(self) -> str:
        """The Rust library and Python module name."""
        return self.name.replace("-", "_")


def _template(name: str) -> Template:
    path = resources.files(__name__).joinpath("templates").joinpath(f"{name}.tmpl")
    text = path.read_text(encoding="utf-8")
    return Template(text)


def _render(name: str, values: dict[str, str]) -> str:
    return _template(name).substitute(values)


def _pyproject(spec: ProjectSpec, values: dict[str, str]) -> str:
    dependencies = ""
    if spec.bindings == "cffi":
        # PyPy has cffi built in.
        dependencies = "dependencies = [\"cffi; platform_python_implementation != 'PyPy'\"]\n"
    tool: list[str] = []
    if spec.bindings in ("cffi", "bin"):
        tool.append(f'bindings = "{spec.bindings}"')
    if spec.layout == "mixed":
        tool.append('python-source = "python"')
    elif spec.layout == "src":
        tool += ['python-source = "src"', 'manifest-path = "rust/Cargo.toml"']
    section = "[tool.ferrule]\n" + "".join(f"{line}\n" for line in tool) + "\n" if tool else ""
    return _render(
        "pyproject.toml", {**values, "dependencies": dependencies, "tool_section": section}
    )


def project_files(spec: ProjectSpec, workflow: str) -> dict[str, str]:
    """Every file of the new project, by POSIX path relative to its directory.

    ``workflow`` is the text of ``.github/workflows/CI.yml`` (see :mod:`ferrule.ci`).
    """
    from ferrule.ci.github import ferrule_requirement

    values = {
        "name": spec.name,
        "crate_name": spec.crate_name,
        "ferrule_requirement": ferrule_requirement(),
        "pyo3_version": PYO3_VERSION,
        "uniffi_version": UNIFFI_VERSION,
    }
    files = {
        ".gitignore": _render("gitignore", values),
        "pyproject.toml": _pyproject(spec, values),
        ".github/workflows/CI.yml": workflow,
    }
    rust = {"pure": "", "mixed": "", "src": "rust/"}[spec.layout]
    files[f"{rust}Cargo.toml"] = _render(f"Cargo-{spec.bindings}.toml", values)
    if spec.bindings == "bin":
        files[f"{rust}src/main.rs"] = _render("main-bin.rs", values)
    else:
        files[f"{rust}src/lib.rs"] = _render(f"lib-{spec.bindings}.rs", values)
    if spec.bindings == "uniffi":
        files[f"{rust}build.rs"] = _render("build-uniffi.rs", values)
        files[f"{rust}src/{spec.crate_name}.udl"] = _render("uniffi.udl", values)

    if spec.layout == "pure":
        test = {"cffi": "test-cffi-pure.py", "bin": "test-bin-pure.py"}
        files["tests/test_all.py"] = _render(
            test.get(spec.bindings, f"test-{spec.bindings}.py"), values
        )
        return files
    python = "python/" if spec.layout == "mixed" else "src/"
    package = f"{python}{spec.crate_name}/"
    files[f"{package}__init__.py"] = _render(f"init-{spec.bindings}.py", values)
    if spec.bindings == "bin":
        files[f"{package}__main__.py"] = _render("main-bin.py", values)
    test = {"cffi": "test-cffi-mixed.py", "bin": "test-bin-mixed.py"}
    files[f"{python}tests/test_all.py"] = _render(
        test.get(spec.bindings, f"test-{spec.bindings}.py"), values
    )
    return files
