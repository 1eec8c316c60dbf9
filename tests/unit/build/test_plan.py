"""The build plan: artifacts, units, tags and wheel files from settings and cargo's answer.

No cargo and no subprocess: every test here runs with ``ferrule._run.run`` refused.
Expected tags come from ``packaging.tags`` and the running interpreter.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from packaging import tags

from ferrule import _run
from ferrule.build.plan import ARTIFACT_KINDS, work_dir
from ferrule.errors import ConfigError, FerruleError
from tests.unit.build.planning import KIND_CRATES, crate_settings, plan, running

INTERP = running()
ABI3_CAPABLE = INTERP.implementation == "cpython" and not INTERP.gil_disabled


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the plan started a process: {args}")

    monkeypatch.setattr(_run, "run", refuse)


def interpreter_tag_prefix() -> str:
    """``<python>-<abi>`` of the running interpreter, as packaging names them."""
    first = next(iter(tags.sys_tags()))
    return f"{first.interpreter}-{first.abi}"


def test_pyo3_one_unit_one_library(tmp_path: Path) -> None:
    p = plan("pyo3-pure", crate_settings("pyo3-pure", tmp_path))
    assert p.bindings == "pyo3"
    (unit,) = p.units
    (library,) = unit.artifacts
    assert (library.kind, library.crate_type, library.pyo3) == ("pyo3", "cdylib", "extension")
    assert library.name == "pyo3_pure" + INTERP.ext_suffix
    assert library.module == "pyo3_pure"
    assert unit.tag_prefix == interpreter_tag_prefix()
    assert unit.tag("linux_x86_64") == f"{interpreter_tag_prefix()}-linux_x86_64"
    assert p.single_cargo_run
    assert p.data_prefix == "pyo3_pure-0.3.1.data"


@pytest.mark.skipif(not ABI3_CAPABLE, reason="abi3 needs GIL-enabled CPython")
def test_abi3_unit_names_its_pyo3_config_file(tmp_path: Path) -> None:
    settings = crate_settings("tags-abi3", tmp_path)
    (unit,) = plan("tags-abi3", settings).units
    # The crate's `abi3 = ["pyo3/abi3-py38"]` feature, turned on by [tool.maturin] features.
    assert unit.unit.abi3 == (3, 8)
    assert unit.tag_prefix == "cp38-abi3"
    (library,) = unit.artifacts
    assert library.name == "tags_abi3.abi3.so"
    assert library.abi3_config
    # pyo3 0.29 (Cargo.lock) takes a configuration file in ferrule's work directory.
    assert unit.pyo3_config is not None
    assert unit.pyo3_config.parent == work_dir(settings)
    assert not unit.pyo3_config.exists()  # planned, not written


@pytest.mark.skipif(not ABI3_CAPABLE, reason="abi3 needs GIL-enabled CPython")
def test_several_interpreters_abi3_and_a_version_specific_one(tmp_path: Path) -> None:
    pypy = dataclasses.replace(
        INTERP, implementation="pypy", soabi="pypy310-pp73", executable="/pypy", runnable=False
    )
    units = plan("tags-abi3", crate_settings("tags-abi3", tmp_path), [INTERP, pypy]).units
    assert [u.unit.abi3 for u in units] == [(3, 8), None]
    assert units[1].tag_prefix.startswith("pp")
    assert units[1].artifacts[0].name == "tags_abi3" + pypy.ext_suffix


def test_binaries_alongside_pyo3_share_its_pyo3_configuration(tmp_path: Path) -> None:
    p = plan("lib-and-bin", crate_settings("lib-and-bin", tmp_path))
    (unit,) = p.units
    assert [(a.kind, a.name) for a in unit.artifacts] == [
        ("pyo3", "lib_and_bin" + INTERP.ext_suffix),
        ("bin", "lib-and-bin-cli"),
    ]
    binary = unit.artifacts[1]
    assert binary.pyo3 == "extension"
    assert binary.destination == PurePosixPath("lib_and_bin-0.1.0.data", "scripts")
    assert not p.single_cargo_run


def test_extra_extension_is_its_own_crate_with_its_own_features(tmp_path: Path) -> None:
    settings = crate_settings("multi-extension", tmp_path)
    (unit,) = plan("multi-extension", settings).units
    first, second = unit.artifacts
    assert (first.kind, first.destination) == ("pyo3", PurePosixPath("multi_extension"))
    assert second.kind == "extension"
    assert second.manifest == settings.project_dir / "second" / "Cargo.toml"
    assert second.features == ()
    assert (second.destination, second.name) == (
        PurePosixPath("multi_extension"),
        "_second" + INTERP.ext_suffix,
    )
    assert second.module_key == "tool.ferrule.extensions[0].module-name"


def test_missing_extra_extension_is_reported_before_cargo(tmp_path: Path) -> None:
    settings = crate_settings("multi-extension", tmp_path)
    (settings.project_dir / "second" / "Cargo.toml").unlink()
    with pytest.raises(ConfigError, match=r"extensions\[0\]\.manifest-path"):
        plan("multi-extension", settings)


def test_cffi_and_uniffi_are_one_python_independent_wheel(tmp_path: Path) -> None:
    for name, kind in (("bind-cffi", "cffi"), ("bind-uniffi-bindgen", "uniffi")):
        p = plan(name, crate_settings(name, tmp_path))
        assert p.bindings == kind
        (unit,) = p.units
        (library,) = unit.artifacts
        assert (library.kind, library.pyo3, unit.tag_prefix) == (kind, None, "py3-none")
        assert library.destination == PurePosixPath(name.replace("-", "_"))
    with pytest.raises(FerruleError, match="exactly one interpreter"):
        plan("bind-cffi", crate_settings("bind-cffi", tmp_path), [INTERP, INTERP])


def test_bin_bindings_plan_every_binary(tmp_path: Path) -> None:
    (unit,) = plan("bind-bin", crate_settings("bind-bin", tmp_path)).units
    assert [(a.kind, a.name, a.pyo3) for a in unit.artifacts] == [
        ("bin", "bind-bin", None),
        ("bin", "bind-bin-extra", None),
    ]
    assert unit.tag_prefix == "py3-none"


def test_binary_embedding_python_is_tagged_for_the_interpreter(tmp_path: Path) -> None:
    (unit,) = plan("bin-embed", crate_settings("bin-embed", tmp_path)).units
    (binary,) = unit.artifacts
    assert (binary.kind, binary.pyo3) == ("bin", "embed")
    assert unit.tag_prefix == interpreter_tag_prefix()


def test_wheel_files_are_planned(tmp_path: Path) -> None:
    p = plan("multi-extension", crate_settings("multi-extension", tmp_path))
    names = {e.arcname for e in p.package_files}
    assert "multi_extension/__init__.py" in names


def test_every_artifact_kind_has_a_crate_here(tmp_path: Path) -> None:
    seen = set()
    for kind, name in KIND_CRATES.items():
        (unit,) = plan(name, crate_settings(name, tmp_path)).units
        assert kind in {a.kind for a in unit.artifacts}
        seen.add(kind)
    assert seen == set(ARTIFACT_KINDS)
    assert sys.executable  # the running interpreter made every plan above
