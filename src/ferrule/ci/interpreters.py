"""Which interpreters a workflow builds for, and which one runs ferrule."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from ferrule._record import record
from ferrule.ci.config import GitHubConfig
from ferrule.ci.project import ProjectInfo
from ferrule.ci.targets import Target
from ferrule.errors import FerruleError

__all__ = [
    "MAX_MINOR",
    "InterpreterPlan",
    "container_python",
    "default_python_versions",
    "plan",
    "step_id",
    "usable",
]

MIN_MINOR = 9
MAX_MINOR = 14


def default_python_versions(requires_python: str | None) -> tuple[str, ...]:
    """CPython 3.9 to 3.14, as far as ``requires-python`` allows.

    >>> default_python_versions(">=3.11")
    ('3.11', '3.12', '3.13', '3.14')
    >>> default_python_versions(">=3.8,<3.11,!=3.9.*")
    ('3.10',)
    """
    try:
        spec = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        raise FerruleError(
            f"project.requires-python {requires_python!r} is not a version specifier"
        ) from None
    versions = tuple(
        f"3.{minor}"
        for minor in range(MIN_MINOR, MAX_MINOR + 1)
        if any(spec.contains(f"3.{minor}.{patch}", prereleases=True) for patch in (0, 99))
    )
    if not versions:
        raise FerruleError(
            f"project.requires-python {requires_python!r} allows none of CPython "
            f"3.{MIN_MINOR} to 3.{MAX_MINOR}; list the interpreters in "
            "generate-ci.github.python-versions"
        )
    return versions


def usable(version: str, target: Target) -> bool:
    """Whether ``version`` exists for the target (images, python.org and PyPy builds)."""
    pypy = version.startswith("pypy")
    minor = int(version.split(".")[1].rstrip("t"))
    if target.platform in ("linux", "musllinux"):
        # The pypa images have PyPy for these architectures only, and none for musl.
        return not pypy or (
            target.platform == "linux" and target.arch in ("x86_64", "x86", "aarch64")
        )
    if target.platform == "windows" and target.arch == "aarch64":
        return not pypy and minor >= 11  # python.org has Windows on Arm builds from 3.11
    return not (pypy and target.platform == "windows" and target.arch == "x86")


def container_python(version: str) -> str:
    """Where a manylinux/musllinux image keeps an interpreter.

    >>> container_python("3.13t"), container_python("pypy3.11")
    ('/opt/python/cp313-cp313t/bin/python', '/opt/python/pp311-pypy311_pp73/bin/python')
    """
    if version.startswith("pypy"):
        digits = version[4:].replace(".", "")
        return f"/opt/python/pp{digits}-pypy{digits}_pp73/bin/python"
    digits = version.rstrip("t").replace(".", "")
    return f"/opt/python/cp{digits}-cp{digits}{'t' if version.endswith('t') else ''}/bin/python"


def step_id(version: str) -> str:
    return "python-" + version.replace(".", "_")


@record
class InterpreterPlan:
    """Interpreters of one workflow: what ferrule builds for, and what runs ferrule."""

    build: tuple[str, ...]
    tool: str

    def for_target(self, target: Target) -> tuple[str, ...]:
        return tuple(v for v in self.build if usable(v, target))


def plan(project: ProjectInfo, config: GitHubConfig) -> InterpreterPlan:
    versions = config.python_versions or default_python_versions(project.requires_python)
    cpython = [v for v in versions if not v.startswith("pypy") and not v.endswith("t")]
    # ferrule itself runs on the newest plain CPython of the list (it needs 3.9+).
    tool = max(cpython, key=lambda v: int(v.split(".")[1])) if cpython else f"3.{MAX_MINOR}"
    if int(tool.split(".")[1]) < 9:
        tool = f"3.{MAX_MINOR}"
    # Stable-ABI, cffi, uniffi and bin wheels fit every interpreter: build once.
    build = versions if project.per_interpreter else (tool,)
    return InterpreterPlan(build=tuple(build), tool=tool)
