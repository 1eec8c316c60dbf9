"""Platform policy and tags from real ELF objects, glibc and musl (no compiler needed).

The objects in tests/fixtures/elf/ are built by scripts/make_elf_fixtures.sh with
gcc and musl-gcc and committed. The expected policies come from auditwheel's
own policy code, fed with what pyelftools reads from the object:

- glibc: ``WheelPolicies.versioned_symbols_policy`` of the symbol versions the
  object needs (the most compatible manylinux policy allowing them), its name
  and aliases as the tags;
- musl: the musllinux policy of the musl version the objects were built with
  (tests/fixtures/elf/musl-version.txt), as auditwheel chooses on a musl host
  and maturin by default (musllinux_1_2).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from auditwheel.policy import Architecture, Libc, WheelPolicies

from ferrule.audit import AuditError, AuditOutcome, AuditRequest, audit_extension
from ferrule.audit.elf import read_elf
from tests.helpers.elf_oracle import pyelftools_reading

FIXTURES = Path(__file__).parents[2] / "fixtures" / "elf"
# e_machine -> wheel architecture, for the machines the fixtures may be built on.
ARCH = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64", "EM_386": "i686"}


def arch_of(path: Path) -> str:
    machine = pyelftools_reading(path.read_bytes())["machine"]
    assert isinstance(machine, str)
    return ARCH[machine]


def glibc_tags(path: Path) -> list[str]:
    needs = pyelftools_reading(path.read_bytes())["needs"]
    assert isinstance(needs, dict)
    versioned = {lib: set(versions) for lib, versions in needs.items()}
    arch = Architecture(arch_of(path))
    policy = WheelPolicies(libc=Libc.GLIBC, arch=arch).versioned_symbols_policy(versioned)
    # The policy is auditwheel's; the order is maturin 1.16's, legacy alias first
    # (`maturin build --zig` names its wheels ...-manylinux2014_x86_64.manylinux_2_17_x86_64).
    return [*policy.aliases, policy.name]


def musl_tags(path: Path) -> list[str]:
    major, minor = (FIXTURES / "musl-version.txt").read_text().strip().split(".")[:2]
    policies = WheelPolicies(
        libc=Libc.MUSL, arch=Architecture(arch_of(path)), musl_policy=f"musllinux_{major}_{minor}"
    )
    return [policies.highest.name, *policies.highest.aliases]


def audit(path: Path, tmp_path: Path, **request: object) -> AuditOutcome:
    return audit_extension(
        path,
        AuditRequest(**request),  # type: ignore[arg-type]
        sysconfig_platform=f"linux_{arch_of(path)}",
        dist_name="fixture",
        extension_dir=PurePosixPath("fixture"),
        link_dirs=[str(path.parent)],
        staging=tmp_path,
        environ={},
    )


def test_the_oracle_reads_the_fixtures_as_built() -> None:
    # Guard against a rebuilt fixture that no longer tests anything: the glibc
    # object needs a symbol version newer than the oldest policy allows.
    assert glibc_tags(FIXTURES / "glibc" / "libfixture.so")[0] != (
        WheelPolicies(
            libc=Libc.GLIBC, arch=Architecture(arch_of(FIXTURES / "glibc" / "libfixture.so"))
        ).highest.name
    )


@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_musl_is_detected_from_the_object(libc: str) -> None:
    assert read_elf(FIXTURES / libc / "libfixture.so").is_musl == (libc == "musl")


def test_glibc_object_gets_the_manylinux_policy_auditwheel_chooses(tmp_path: Path) -> None:
    path = FIXTURES / "glibc" / "libfixture.so"
    assert list(audit(path, tmp_path, mode="check").platform_tags) == glibc_tags(path)


def test_musl_object_gets_musllinux(tmp_path: Path) -> None:
    path = FIXTURES / "musl" / "libfixture.so"
    assert list(audit(path, tmp_path, mode="check").platform_tags) == musl_tags(path)


@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_both_tags_pass_the_pypi_check(libc: str, tmp_path: Path) -> None:
    path = FIXTURES / libc / "libfixture.so"
    expected = musl_tags(path) if libc == "musl" else glibc_tags(path)
    assert list(audit(path, tmp_path, mode="check", pypi=True).platform_tags) == expected


@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_a_policy_of_the_other_libc_is_refused(libc: str, tmp_path: Path) -> None:
    other = {"glibc": "musllinux_1_2", "musl": "manylinux_2_17"}[libc]
    with pytest.raises(AuditError, match=f"--compatibility {other} does not fit .* links {libc}"):
        audit(FIXTURES / libc / "libfixture.so", tmp_path, compatibility=(other,))


@pytest.mark.parametrize("libc", ["glibc", "musl"])
def test_needed_library_outside_the_policy(libc: str, tmp_path: Path) -> None:
    path = FIXTURES / libc / "libneeds.so"
    with pytest.raises(AuditError, match=r"needs libraries outside \S+: libfixturedep\.so;"):
        audit(path, tmp_path, mode="check")
    expected = musl_tags(path) if libc == "musl" else glibc_tags(path)
    assert list(audit(path, tmp_path, mode="warn").platform_tags) == expected
