"""Policies and the check of one object against one (ferrule.audit.policy), on described objects.

The policy data is compared with auditwheel's own (the oracle); each violation's text is
pinned exactly, as the audit prints it.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from ferrule.audit.elf import ElfInfo, ImportedSymbol
from ferrule.audit.policy import (
    Violations,
    _load,
    check_policy,
    is_dynamic_linker,
    is_libpython,
    manylinux_policies,
    musllinux_policies,
    policy_by_name,
)


def auditwheel_policies(family: str) -> list[dict[str, object]]:
    text = files("auditwheel.policy").joinpath(f"{family}-policy.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("family", "load"), [("manylinux", manylinux_policies), ("musllinux", musllinux_policies)]
)
def test_policy_data_loads_as_auditwheels_policies(family: str, load: object) -> None:
    _load.cache_clear()  # read policy-data.json afresh, not what an earlier test loaded
    ours = load()  # type: ignore[operator]
    theirs = sorted(auditwheel_policies(family), key=lambda p: -int(p["priority"]))  # type: ignore[call-overload]
    assert [(p.name, list(p.aliases), p.priority) for p in ours] == [
        (p["name"], p["aliases"], p["priority"]) for p in theirs
    ]
    for policy, raw in zip(ours, theirs):
        assert policy.lib_whitelist == frozenset(raw["lib_whitelist"])  # type: ignore[arg-type]
        assert dict(policy.blacklist) == {k: frozenset(v) for k, v in raw["blacklist"].items()}  # type: ignore[attr-defined]
        assert {a: dict(s) for a, s in policy.symbol_versions.items()} == {
            arch: {ns: frozenset(v) for ns, v in spaces.items()}
            for arch, spaces in raw["symbol_versions"].items()  # type: ignore[attr-defined]
        }


def test_policy_names_aliases_and_tags() -> None:
    p = policy_by_name("manylinux2014")
    assert p is policy_by_name("manylinux_2_17")
    assert str(p) == "manylinux_2_17 (aka manylinux2014)"
    assert p.version == (2, 17)
    assert not p.is_musl
    assert p.platform_tags("x86_64") == ["manylinux2014_x86_64", "manylinux_2_17_x86_64"]
    # No alias for an architecture the policy does not know.
    assert p.platform_tags("riscv64") == ["manylinux_2_17_riscv64"]
    assert str(policy_by_name("manylinux_2_34")) == "manylinux_2_34"
    musl = policy_by_name("musllinux_1_2")
    assert musl.is_musl
    assert musl.version == (1, 2)
    assert musl.platform_tags("aarch64") == ["musllinux_1_2_aarch64"]
    assert policy_by_name("linux").platform_tags("x86_64") == ["linux_x86_64"]
    with pytest.raises(KeyError) as e:
        policy_by_name("manylinux_2_99")
    assert e.value.args == ("manylinux_2_99",)


def test_library_names() -> None:
    assert is_libpython("libpython3.11.so.1.0")
    assert is_libpython("libpython3.7m.so")
    assert is_libpython("libpython3.13t.so.1.0")
    assert not is_libpython("libpython3.11.so.1.0x")
    assert not is_libpython("xlibpython3.11.so")
    assert not is_libpython("libpython2.7.so")
    assert [
        is_dynamic_linker(n)
        for n in ("ld-linux-x86-64.so.2", "ld-musl-x86_64.so.1", "ld64.so.2", "libld.so")
    ] == [True, True, True, False]


def sym(
    name: str, version: str | None, library: str | None = "libc.so.6", weak: bool = False
) -> ImportedSymbol:
    return ImportedSymbol(name, version, library, weak, True)


def elf(
    needed: tuple[str, ...] = ("libc.so.6",),
    version_needs: dict[str, frozenset[str]] | None = None,
    imports: tuple[ImportedSymbol, ...] = (),
    arch: str = "x86_64",
) -> ElfInfo:
    return ElfInfo(Path("x.so"), arch, needed, None, (), (), version_needs or {}, imports)


def test_a_clean_object_has_no_violations() -> None:
    p = policy_by_name("manylinux_2_17")
    v = check_policy(
        p,
        elf(
            ("libc.so.6", "ld-linux-x86-64.so.2", "libm.so.6"),
            {
                "libc.so.6": frozenset({"GLIBC_2.2.5", "GLIBC_2.17"}),
                "ld-linux-x86-64.so.2": frozenset({"GLIBC_2.99"}),
            },
            (sym("memcpy", "GLIBC_2.17"), sym("pthread_setattr_default_np", None, weak=True)),
        ),
    )
    assert v == Violations(p)
    assert v.symbols_ok


def test_too_new_symbols_newest_first_then_bare_versions() -> None:
    p = policy_by_name("manylinux_2_17")
    v = check_policy(
        p,
        elf(
            ("libc.so.6", "libm.so.6"),
            {
                "libc.so.6": frozenset(
                    {
                        "GLIBC_2.17",
                        "GLIBC_2.28",
                        "GLIBC_2.34",
                        "GLIBC_2.33",
                        "GLIBC_PRIVATE",
                        "GLIBC_2.9.9",
                    }
                ),
                "libm.so.6": frozenset({"GLIBC_2.29"}),
                "libfoo.so": frozenset({"FOO_9"}),
            },
            (
                sym("fcntl64", "GLIBC_2.28"),
                sym("arc4random", "GLIBC_2.36"),
                sym("b_second", "GLIBC_2.34"),
                sym("a_first", "GLIBC_2.34"),
                sym("exp", "GLIBC_2.29", "libm.so.6"),
                sym("memcpy", "GLIBC_2.17"),
                sym("other", "GLIBC_2.34", "libm.so.6"),
            ),
        ),
    )
    assert v.too_new == (
        "b_second@GLIBC_2.34 (libc.so.6)",
        "a_first@GLIBC_2.34 (libc.so.6)",
        "fcntl64@GLIBC_2.28 (libc.so.6)",
        "GLIBC_PRIVATE (libc.so.6)",
        "GLIBC_2.9.9 (libc.so.6)",
        "GLIBC_2.33 (libc.so.6)",
        "exp@GLIBC_2.29 (libm.so.6)",
    )
    assert v.external == ()
    assert not v.symbols_ok


def test_blacklisted_symbols_unless_weak() -> None:
    p = policy_by_name("manylinux_2_17")
    v = check_policy(
        p,
        elf(
            ("libm.so.6", "libc.so.6"),
            imports=(
                sym("__issignaling", None),
                sym("__issignalingf", "GLIBC_2.18", "libm.so.6"),
                sym("pthread_setattr_default_np", None, weak=True),
                sym("__cxa_thread_atexit_impl", None),
            ),
        ),
    )
    assert v.blacklisted == (
        "__issignaling (libm.so.6)",
        "__issignalingf (libm.so.6)",
        "__cxa_thread_atexit_impl (libc.so.6)",
        "__issignaling (libc.so.6)",
        "__issignalingf (libc.so.6)",
    )
    assert not v.symbols_ok
    assert not Violations(p, too_new=("x",)).symbols_ok
    assert not Violations(p, unsupported_arch=True).symbols_ok
    assert Violations(p, external=("libz.so.1",)).symbols_ok


def test_external_libraries_sorted_once_and_not_version_checked() -> None:
    p = policy_by_name("manylinux_2_17")
    v = check_policy(
        p,
        elf(
            ("libzstd.so.1", "libssl.so.3", "libc.so.6", "libssl.so.3", "ld-linux-x86-64.so.2"),
            {"libssl.so.3": frozenset({"OPENSSL_3.0.0"})},
        ),
    )
    assert v.external == ("libssl.so.3", "libzstd.so.1")
    assert v.too_new == ()
    assert v.symbols_ok


def test_an_architecture_the_policy_lacks() -> None:
    p = policy_by_name("manylinux_2_5")
    assert check_policy(p, elf(arch="aarch64")) == Violations(p, unsupported_arch=True)
    linux = policy_by_name("linux")
    v = check_policy(
        linux, elf(("libc.so.6",), {"libc.so.6": frozenset({"GLIBC_2.2.5"})}, arch="riscv64")
    )
    assert not v.unsupported_arch
    assert v.external == ("libc.so.6",)


@pytest.mark.parametrize(
    ("arch", "libc"),
    [
        ("x86_64", "libc.musl-x86_64.so.1"),
        ("i686", "libc.musl-x86.so.1"),
        ("aarch64", "libc.musl-aarch64.so.1"),
    ],
)
def test_musl_allows_its_own_libc(arch: str, libc: str) -> None:
    p = policy_by_name("musllinux_1_2")
    assert p.allows_library("libc.so", arch)
    assert p.allows_library(libc, arch)
    assert p.allows_library("libz.so.1", arch)
    assert not p.allows_library("libc.musl-armv7.so.1", arch)
    assert not p.allows_library("libc.so.6", arch)
    assert check_policy(p, elf((libc, "libgcc_s.so.1"), arch=arch)).external == ("libgcc_s.so.1",)
    assert not policy_by_name("manylinux_2_17").allows_library("libc.so", arch)


def test_too_new_versions_sort_numerically_and_unknown_namespaces_are_too_new() -> None:
    p = policy_by_name("manylinux_2_5")
    v = check_policy(
        p,
        elf(
            ("libc.so.6",),
            {
                "libc.so.6": frozenset(
                    {"GLIBC_2.9", "GLIBC_2.10", "GLIBC_1_9", "GLIBC_2_1", "XCRYPT_2.0"}
                )
            },
            (
                sym("a", "GLIBC_2.9"),
                sym("b", "GLIBC_2.10"),
                sym("c", "GLIBC_1_9"),
                sym("d", "GLIBC_2_1"),
            ),
        ),
    )
    assert v.too_new == (
        "b@GLIBC_2.10 (libc.so.6)",
        "a@GLIBC_2.9 (libc.so.6)",
        "d@GLIBC_2_1 (libc.so.6)",
        "c@GLIBC_1_9 (libc.so.6)",
        "XCRYPT_2.0 (libc.so.6)",
    )


def test_musl_libc_versions_are_checked_too() -> None:
    p = policy_by_name("musllinux_1_2")
    v = check_policy(
        p, elf(("libc.musl-x86_64.so.1",), {"libc.musl-x86_64.so.1": frozenset({"GLIBC_2.17"})})
    )
    assert v.too_new == ("GLIBC_2.17 (libc.musl-x86_64.so.1)",)
