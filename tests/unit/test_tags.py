"""Wheel tags (ferrule.tags): exact tags per interpreter, --compatibility values, PyPI's check.

The running interpreter's tags come from ``packaging.tags`` (the oracle pip uses); the other
interpreters are described field by field, as discovery would describe them.
"""

from __future__ import annotations

import sys
import sysconfig

import pytest
from packaging import tags as ptags

from ferrule.audit.policy import parse_compatibility
from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter, probe
from ferrule.tags import (
    abi_tag,
    check_pypi_platform,
    platform_tag,
    python_tag,
    stable_abi_tag,
    wheel_tag,
)


def interp(
    impl: str = "cpython",
    minor: int = 11,
    abiflags: str = "",
    soabi: str = "",
    platform: str = "linux-x86_64",
    gil_disabled: bool = False,
) -> Interpreter:
    return Interpreter(
        impl, 3, minor, abiflags, ".so", soabi, platform, "/py", "/py", gil_disabled, 64
    )


def test_the_running_interpreters_tags_are_packagings() -> None:
    running = probe(sys.executable, {})
    best = next(iter(ptags.sys_tags()))
    assert python_tag(running) == best.interpreter
    assert abi_tag(running) == best.abi
    assert platform_tag(running, {}) == sysconfig.get_platform().replace("-", "_").replace(".", "_")


@pytest.mark.parametrize(
    ("impl", "expected"),
    [("cpython", "cp312"), ("pypy", "pp312"), ("graalpy", "graalpy312"), ("other", "other312")],
)
def test_python_tag_per_implementation(impl: str, expected: str) -> None:
    assert python_tag(interp(impl, 12)) == expected


@pytest.mark.parametrize(
    ("interpreter", "expected"),
    [
        (interp(), "cp311"),
        (interp(minor=13, abiflags="t", gil_disabled=True), "cp313t"),
        (interp(minor=13, abiflags="td", gil_disabled=True), "cp313td"),
        (interp(minor=12, abiflags="d"), "cp312d"),
        (interp(minor=7, abiflags="m"), "cp37m"),
        (interp(minor=7, abiflags="dm"), "cp37dm"),
        # Since 3.8 there is no pymalloc flag, whatever abiflags says.
        (interp(minor=8, abiflags="m"), "cp38"),
        # A free-threaded flag in abiflags alone does not make the ABI free-threaded.
        (interp(minor=13, abiflags="t"), "cp313"),
        (interp("pypy", 10, soabi="pypy310-pp73"), "pypy310_pp73"),
        (interp("pypy", 10, soabi="pypy310-pp7.3"), "pypy310_pp7_3"),
        (interp("pypy", 10, soabi=""), "none"),
    ],
)
def test_abi_tag(interpreter: Interpreter, expected: str) -> None:
    assert abi_tag(interpreter) == expected


def test_stable_abi_tag() -> None:
    assert stable_abi_tag((3, 10)) == ("cp310", "abi3")


def test_platform_tag_prefers_the_host_platform_variable() -> None:
    i = interp(platform="macosx-11.0-arm64")
    assert platform_tag(i, {}) == "macosx_11_0_arm64"
    assert platform_tag(i, {"_PYTHON_HOST_PLATFORM": "linux-aarch64"}) == "linux_aarch64"
    # Empty means unset, as for CPython's own build.
    assert platform_tag(i, {"_PYTHON_HOST_PLATFORM": ""}) == "macosx_11_0_arm64"


def test_wheel_tag_joins_the_three_tags() -> None:
    i = interp("pypy", 10, soabi="pypy310-pp73")
    assert wheel_tag(i, {}) == "pp310-pypy310_pp73-linux_x86_64"
    assert wheel_tag(i, {}, "manylinux_2_17_x86_64") == "pp310-pypy310_pp73-manylinux_2_17_x86_64"
    assert wheel_tag(i, {"_PYTHON_HOST_PLATFORM": "linux-i686"}) == "pp310-pypy310_pp73-linux_i686"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("off", "linux"),
        ("linux", "linux"),
        (" Linux ", "linux"),
        ("pypi", "pypi"),
        ("PyPI", "pypi"),
        ("1", "manylinux_2_5"),
        ("manylinux1", "manylinux_2_5"),
        ("2010", "manylinux_2_12"),
        ("manylinux2010", "manylinux_2_12"),
        ("2014", "manylinux_2_17"),
        ("manylinux2014", "manylinux_2_17"),
        ("2_28", "manylinux_2_28"),
        ("manylinux_2_28", "manylinux_2_28"),
        ("MANYLINUX_2_31", "manylinux_2_31"),
        ("manylinux_02_017", "manylinux_2_17"),
        ("musllinux_1_2", "musllinux_1_2"),
        ("musllinux_01_02", "musllinux_1_2"),
    ],
)
def test_parse_compatibility(value: str, expected: str) -> None:
    assert parse_compatibility(value) == expected


@pytest.mark.parametrize(
    "value",
    ["manylinux_2", "musllinux_1", "musllinux1_2", "2_x", "manylinux2_28", "2015", "_2_28", ""],
)
def test_parse_compatibility_refuses(value: str) -> None:
    with pytest.raises(FerruleError) as e:
        parse_compatibility(value)
    assert str(e.value) == (
        f"{value!r} is not a platform compatibility; use linux (or off), pypi, manylinux2014, "
        "manylinux_X_Y (or X_Y) or musllinux_X_Y"
    )


@pytest.mark.parametrize(
    "tag",
    [
        "manylinux_2_17_x86_64",
        "manylinux1_i686",
        "manylinux2010_x86_64",
        "manylinux2014_aarch64",
        "musllinux_1_2_armv7l",
        "manylinux_2_28_ppc64le",
        "manylinux_2_17_ppc64",
        "manylinux_2_17_s390x",
        "macosx_11_0_arm64",
        "win_amd64",
    ],
)
def test_pypi_accepts(tag: str) -> None:
    check_pypi_platform([tag])


@pytest.mark.parametrize(
    "tag",
    [
        "linux_x86_64",
        "manylinux_2_17_riscv64",
        "musllinux_1_2_riscv64",
        "manylinux2015_x86_64",
        "manylinux_2_17_x86_64_extra",
        "musllinux_x_x86_64",
    ],
)
def test_pypi_refuses(tag: str) -> None:
    with pytest.raises(FerruleError) as e:
        check_pypi_platform(["manylinux_2_17_x86_64", tag])
    assert str(e.value) == (
        f"--compatibility pypi: PyPI does not accept the platform tag {tag}; the extension "
        "needs a manylinux or musllinux policy (see the audit above)"
    )
