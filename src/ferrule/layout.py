"""Where the Python package and the extension go: maturin's project layouts."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ferrule._record import record
from ferrule.config.model import Settings
from ferrule.errors import ConfigError, LayoutError

__all__ = ["ProjectLayout", "determine_layout", "module_name"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@record
class ProjectLayout:
    """The resolved layout.

    ``extension_dir`` is the directory in the wheel (and, for mixed layouts,
    below ``python_dir``) that receives ``<extension_name><EXT_SUFFIX>``.
    """

    module_name: str
    extension_name: str
    mixed: bool
    python_dir: Path
    python_module: Path | None
    extension_dir: PurePosixPath
    python_packages: tuple[Path, ...]
    data_dir: Path | None
    root_stub: Path | None
    # `<module>-stubs/` of a pure-Rust project: the stub tree `--generate-stubs` writes
    # (a package's __init__.pyi and one file per submodule), shipped as `<module>/…`.
    stub_package: Path | None = None


def module_name(settings: Settings) -> str:
    """The module's dotted name, as maturin chooses it.

    ``module-name`` > Cargo ``[lib] name`` > ``project.name`` > the crate name.
    ``project.name`` is taken as it is when it is a Python identifier (maturin takes it
    even then, and refuses a ``-`` in it for a library); otherwise the crate name with
    ``-`` as ``_`` (docs/compat.md).
    """
    return _module_name_and_key(settings)[0]


def module_name_key(settings: Settings) -> str:
    """Where the module name comes from, for messages: a dotted key and its file."""
    return _module_name_and_key(settings)[1]


def _module_name_and_key(settings: Settings) -> tuple[str, str]:
    pyproject = settings.pyproject_path or settings.cargo.manifest_path
    if settings.tool.module_name:
        return settings.tool.module_name, f"{settings.tool_table}.module-name in {pyproject}"
    if settings.cargo.lib_name:
        return settings.cargo.lib_name, f"lib.name in {settings.cargo.manifest_path}"
    project_name = (settings.project_table or {}).get("name")
    if isinstance(project_name, str) and _IDENTIFIER.match(project_name):
        return project_name, f"project.name in {pyproject}"
    return (
        settings.cargo.name.replace("-", "_"),
        f"package.name in {settings.cargo.manifest_path}",
    )


def determine_layout(settings: Settings) -> ProjectLayout:
    tool_key = settings.tool_table
    pyproject = settings.pyproject_path or settings.cargo.manifest_path
    name = module_name(settings)
    parts = name.split(".")
    for part in parts:
        if not _IDENTIFIER.match(part):
            key = f"{tool_key}.module-name" if settings.tool.module_name else "lib.name"
            file = pyproject if settings.tool.module_name else settings.cargo.manifest_path
            raise ConfigError.single(
                file, key, f"{name!r} is not a valid Python module name ({part!r})"
            )

    project_dir = settings.project_dir
    if settings.tool.python_source:
        # It may lie outside the project (`python-source = "../python"`, maturin's
        # external-python-source): named explicitly, it is packed as the project's own.
        python_dir = (project_dir / settings.tool.python_source).resolve()
        if not python_dir.is_dir():
            raise ConfigError.single(
                pyproject,
                f"{tool_key}.python-source",
                f"directory {python_dir} does not exist",
            )
    elif (
        not (project_dir / parts[0]).exists()
        and (project_dir / "src" / parts[0] / "__init__.py").is_file()
    ):
        # The src/<package> + rust/Cargo.toml layout (`maturin new --src`).
        python_dir = project_dir / "src"
    else:
        python_dir = project_dir

    candidate = python_dir / parts[0]
    if settings.tool.python_source and not candidate.is_dir():
        # As maturin: a python-source without the package is a mistake, not a pure layout.
        raise ConfigError.single(
            pyproject,
            f"{tool_key}.python-source",
            f"is set to {settings.tool.python_source!r}, but the Python package {candidate} "
            f"does not exist; create it (with an __init__.py) or remove python-source",
        )
    mixed = candidate.is_dir() and not (
        (candidate / "Cargo.toml").is_file() and not (candidate / "__init__.py").is_file()
    )
    if len(parts) > 1 and not mixed:
        raise LayoutError(
            f"module-name {name!r} places the extension inside the package {parts[0]!r}, "
            f"but {candidate} is not a directory; create it (with an __init__.py) or set "
            f"{tool_key}.python-source"
        )
    # In a mixed layout the extension sits in its parent package: `pkg.sub.ext` in
    # pkg/sub/, and a plain `pkg` in pkg/ itself (next to pkg/__init__.py).
    extension_dir = PurePosixPath(*parts[:-1]) if len(parts) > 1 else PurePosixPath(parts[0])

    packages = []
    for package in settings.tool.python_packages:
        path = python_dir / package
        if not path.exists():
            raise ConfigError.single(
                pyproject, f"{tool_key}.python-packages", f"{path} does not exist"
            )
        packages.append(path)

    data_dir = None
    if settings.tool.data:
        data_dir = (project_dir / settings.tool.data).resolve()
        if not data_dir.is_relative_to(project_dir.resolve()):
            raise ConfigError.single(
                pyproject,
                f"{tool_key}.data",
                f"{data_dir} is outside the project {project_dir}; ferrule packs files "
                "from inside the project only",
            )
        if not data_dir.is_dir():
            raise ConfigError.single(
                pyproject, f"{tool_key}.data", f"directory {data_dir} does not exist"
            )
    elif (project_dir / f"{parts[-1]}.data").is_dir():
        data_dir = project_dir / f"{parts[-1]}.data"

    stub = project_dir / f"{parts[-1]}.pyi"
    stub_package = project_dir / f"{parts[-1]}-stubs"
    return ProjectLayout(
        module_name=name,
        extension_name=parts[-1],
        mixed=mixed,
        python_dir=python_dir,
        python_module=candidate if mixed else None,
        extension_dir=extension_dir,
        python_packages=tuple(packages),
        data_dir=data_dir,
        root_stub=stub if not mixed and stub.is_file() else None,
        stub_package=(
            stub_package if not mixed and (stub_package / "__init__.pyi").is_file() else None
        ),
    )
