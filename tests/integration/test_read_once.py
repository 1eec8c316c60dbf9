"""Issue 21: every TOML file is read once per build, and only by ``ferrule.config``.

Each build below runs in this process with the one parse function of
:mod:`ferrule.config.toml` wrapped (``load_toml``: every read of pyproject.toml,
Cargo manifests, Cargo.lock, uniffi.toml and pyo3-ffi's registry manifest goes
through it) and ``tomllib`` / ``tomlkit`` watched: the only other ferrule module
that may parse TOML is :mod:`ferrule.sdist.tomldoc`, the sdist's style-preserving
rewrite of manifests, and it parses each manifest it rewrites once.

The builds: ``ferrule build --release`` of a path dependency outside the workspace
(the stable root and the path remap ask for the workspace root and the path crates),
of a uniffi crate with a ``uniffi.toml`` and of a cffi crate with a ``cbindgen.toml``;
sdists (of that path-dependency project, and of a workspace member inheriting its
readme); the PEP 517 hooks (``prepare_metadata_for_build_wheel``, then ``build_wheel``
with that metadata; each hook is its own build, as a frontend runs each in a process
of its own). Each wheel is installed and called.
"""

from __future__ import annotations

import sys
import tarfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import ferrule
from tests.helpers.venv import VEnv

pytestmark = pytest.mark.slow

_SRC = Path(ferrule.__file__).resolve().parent


class Reads:
    """What one build parsed: per file by config (``load_toml``), per file by the sdist's
    rewrite (``TomlDocument``), and which ferrule modules called a TOML parser."""

    def __init__(self) -> None:
        self.config: Counter[Path] = Counter()
        self.rewrite: Counter[Path] = Counter()
        self.parsers: set[str] = set()

    def clear(self) -> None:
        self.config.clear()
        self.rewrite.clear()
        self.parsers.clear()

    def assert_once(self, project: Path, expected: set[str]) -> None:
        """Every file read once; ``expected`` (relative to ``project``) among them."""
        twice = {str(p): n for p, n in self.config.items() if n != 1}
        assert not twice, f"TOML files parsed more than once by ferrule.config: {twice}"
        rewritten = {str(p): n for p, n in self.rewrite.items() if n != 1}
        assert not rewritten, f"manifests parsed more than once for the sdist: {rewritten}"
        read = {p.relative_to(project).as_posix() for p in self.config if p.is_relative_to(project)}
        assert expected <= read, f"expected reads missing: {sorted(expected - read)}"
        allowed = {"config/toml.py", "sdist/tomldoc.py"}
        assert self.parsers <= allowed, f"TOML parsed outside config/: {self.parsers - allowed}"


def _caller_in_ferrule() -> str | None:
    frame = sys._getframe(2)
    path = Path(frame.f_code.co_filename)
    return path.relative_to(_SRC).as_posix() if path.is_relative_to(_SRC) else None


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    import tomlkit

    from ferrule.config import toml as config_toml
    from ferrule.sdist import tomldoc

    record = Reads()
    load_toml = config_toml.load_toml

    def counted_load(path: Path) -> dict[str, Any]:
        record.config[path.resolve()] += 1
        return load_toml(path)

    def watched(parse: Callable[..., Any]) -> Callable[..., Any]:
        def parse_and_note(*args: Any, **kwargs: Any) -> Any:
            caller = _caller_in_ferrule()
            if caller is not None:
                record.parsers.add(caller)
            return parse(*args, **kwargs)

        return parse_and_note

    init = tomldoc.TomlDocument.__init__

    def counted_init(self: Any, text: str, source: Path | None = None) -> None:
        if source is not None:
            record.rewrite[source.resolve()] += 1
        init(self, text, source)

    monkeypatch.setattr(config_toml, "load_toml", counted_load)
    for module, name in [
        (config_toml.tomllib, "loads"),
        (config_toml.tomllib, "load"),
        (tomlkit, "parse"),
        (tomlkit, "loads"),
        (tomlkit, "load"),
    ]:
        monkeypatch.setattr(module, name, watched(getattr(module, name)))
    monkeypatch.setattr(tomldoc.TomlDocument, "__init__", counted_init)
    yield record


def _cli(*argv: str) -> None:
    from ferrule.cli import main

    assert main(list(argv)) == 0


def _install_and_call(venv: VEnv, wheel: Path, exercise: Path) -> None:
    venv.pip("install", "--no-deps", wheel)
    assert venv.exercise(exercise).endswith("ok")


@dataclass(frozen=True)
class WheelCase:
    """A crate built with ``ferrule build --release`` and the files its build must read."""

    crate: str
    expected: frozenset[str]  # relative to the crate's copy
    subdir: str = ""  # where pyproject.toml is
    write: tuple[tuple[str, str], ...] = ()  # files added to the copy first
    needs: tuple[str, ...] = ()  # what the wheel's import needs (from the offline wheelhouse)


WHEEL_CASES = {
    # The path dependency outside the workspace: the stable root and the path remap ask
    # for the workspace root and the path crates; the lock file gives pyo3's version.
    "path-dependency": WheelCase(
        "sdist-outside",
        frozenset(
            ["py/pyproject.toml", "py/Cargo.toml", "Cargo.toml", "core/Cargo.toml", "py/Cargo.lock"]
        ),
        subdir="py",
    ),
    # uniffi.toml naming the library's own name: the wheel is the one without the file.
    "uniffi-toml": WheelCase(
        "bind-uniffi",
        frozenset(["pyproject.toml", "Cargo.toml", "uniffi.toml"]),
        write=(("uniffi.toml", '[bindings.python]\ncdylib_name = "bind_uniffi"\n'),),
    ),
    # cbindgen.toml, read when cbindgen runs
    "cbindgen-toml": WheelCase(
        "bind-cffi-cbindgen-toml",
        frozenset(["pyproject.toml", "Cargo.toml", "cbindgen.toml"]),
        needs=("cffi",),
    ),
}


@pytest.mark.parametrize("case", WHEEL_CASES.values(), ids=WHEEL_CASES.keys())
def test_cli_build_reads_each_toml_file_once(
    case: WheelCase,
    reads: Reads,
    crate_copy: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    venv: VEnv,
) -> None:
    project = crate_copy(case.crate).resolve()
    for name, text in case.write:
        (project / name).write_text(text)
    monkeypatch.chdir(project / case.subdir)
    _cli("build", "--release", "-o", str(tmp_path))
    reads.assert_once(project, set(case.expected))
    if any(name.endswith("Cargo.lock") for name in case.expected):
        # pyo3-ffi's own manifest in cargo's registry (its supported Pythons), once too
        assert any(p.name == "Cargo.toml" and "pyo3-ffi-" in p.parent.name for p in reads.config)
    (wheel,) = tmp_path.glob("*.whl")
    if case.needs:
        venv.pip("install", *case.needs)
    _install_and_call(venv, wheel, project / case.subdir / "exercise.py")


@pytest.fixture
def outside(crate_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the path-dependency project, the working directory at its pyproject."""
    project = crate_copy("sdist-outside").resolve()
    monkeypatch.chdir(project / "py")
    return project


def test_sdist_reads_each_toml_file_once(reads: Reads, outside: Path, tmp_path: Path) -> None:
    project = outside
    _cli("sdist", "-o", str(tmp_path))
    reads.assert_once(project, {"py/pyproject.toml", "py/Cargo.toml", "core/Cargo.toml"})
    # the rewrite parsed the manifests it rewrote (once each, checked above)
    assert {p.relative_to(project).as_posix() for p in reads.rewrite} >= {
        "py/pyproject.toml",
        "py/Cargo.toml",
        "core/Cargo.toml",
    }
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames()}
    # (pyproject.toml moves to the top of the sdist, as maturin puts it)
    assert {"pyproject.toml", "py/Cargo.toml", "core/Cargo.toml"} <= names


def test_pep517_hooks_read_each_toml_file_once(
    reads: Reads, outside: Path, tmp_path: Path, venv: VEnv
) -> None:
    from ferrule import buildapi

    project = outside
    metadata_dir, wheel_dir = tmp_path / "metadata", tmp_path / "wheel"
    metadata_dir.mkdir()
    wheel_dir.mkdir()
    dist_info = buildapi.prepare_metadata_for_build_wheel(str(metadata_dir))
    # The metadata hook reads no more than the metadata needs: no lock file, no path crate.
    reads.assert_once(project, {"py/pyproject.toml", "py/Cargo.toml"})
    assert not any(p.name == "Cargo.lock" for p in reads.config)
    reads.clear()
    name = buildapi.build_wheel(str(wheel_dir), None, str(metadata_dir / dist_info))
    reads.assert_once(project, {"py/pyproject.toml", "py/Cargo.toml", "py/Cargo.lock"})
    _install_and_call(venv, wheel_dir / name, project / "py" / "exercise.py")


def test_sdist_of_a_member_reads_the_workspace_root_once(
    reads: Reads, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A member inheriting its readme: the root manifest is read by config once (for the
    crate's settings, the workspace's members, the readme's inherited path) and parsed
    once more, by the rewrite of the workspace manifest the sdist ships."""
    root = tmp_path / "ws"
    (root / "py" / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["py"]\nresolver = "2"\n\n[workspace.package]\n'
        'version = "0.4.0"\nedition = "2021"\nreadme = "README.md"\n'
    )
    (root / "README.md").write_text("# from the workspace\n")
    (root / "py" / "Cargo.toml").write_text(
        '[package]\nname = "member-readme"\nversion.workspace = true\n'
        "edition.workspace = true\nreadme.workspace = true\n\n"
        '[lib]\ncrate-type = ["cdylib"]\n'
    )
    (root / "py" / "src" / "lib.rs").write_text("")
    (root / "py" / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["ferrule"]\nbuild-backend = "ferrule"\n\n'
        '[project]\nname = "member-readme"\ndynamic = ["version", "readme"]\n\n'
        '[tool.maturin]\nbindings = "cffi"\n'
    )
    monkeypatch.chdir(root / "py")
    out = tmp_path / "out"
    _cli("sdist", "-o", str(out))
    reads.assert_once(root.resolve(), {"py/pyproject.toml", "py/Cargo.toml", "Cargo.toml"})
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        top = tar.getnames()[0].split("/")[0]
        member = tar.extractfile(f"{top}/py/Cargo.toml")
        assert member is not None
        manifest = member.read().decode()
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    # the inherited readme, found through the settings' workspace table, ships beside it
    assert "py/README.md" in names, names
    assert "README.md" in manifest and "readme.workspace" not in manifest, manifest
