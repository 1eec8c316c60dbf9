"""The macOS and Windows audits' decisions on the zig-built fixtures.

macOS: the planned tag is raised to the newest minimum macOS over every binary
and every fat slice (one warning line); a dylib outside /usr/lib and /System
that the wheel does not ship is a problem naming it and the fix. Windows: an
abi3 extension importing python3X.dll is refused, python3.dll is accepted; a
DLL outside Windows' own set is a problem. ``audit_extension`` sends a Mach-O
or PE file to these audits by its format (not the host's platform).
"""

from __future__ import annotations

import struct
from pathlib import Path, PurePosixPath

import pytest

from ferrule.audit import AuditError, AuditRequest, audit_extension
from ferrule.audit.macos import audit_macos
from ferrule.audit.windows import audit_windows
from tests.helpers.binary_fixtures import FIXTURES, fixture, manifest

PKG = PurePosixPath("pkg")


def _mac(
    name: str, tag: str, shipped: tuple[str, ...] = ()
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    result = audit_macos([(PKG / name, fixture(name))], tag, [PurePosixPath(s) for s in shipped])
    return result.platform_tag, result.warnings, result.problems


def _minos_tag(minos: str, arch: str) -> str:
    major, minor = (int(p) for p in minos.split(".")[:2])
    return f"macosx_{major}_{0 if major >= 11 else minor}_{arch}"


def test_an_older_planned_tag_is_raised_to_the_binarys_minos_with_one_warning() -> None:
    facts = manifest()["x86_64-macos12.dylib"]
    tag, warnings, _ = _mac("x86_64-macos12.dylib", "macosx_10_12_x86_64")
    assert tag == _minos_tag(facts["minos"], "x86_64") == "macosx_12_0_x86_64"
    assert len(warnings) == 1
    assert "needs macOS 12.0" in warnings[0] and "macosx_10_12_x86_64" in warnings[0]
    assert "MACOSX_DEPLOYMENT_TARGET=12.0" in warnings[0]


def test_a_newer_planned_tag_stays() -> None:
    tag, warnings, _ = _mac("x86_64-macos10.13.dylib", "macosx_11_0_x86_64")
    assert (tag, warnings) == ("macosx_11_0_x86_64", ())
    tag, warnings, _ = _mac("x86_64-macos10.13.dylib", "macosx_10_9_x86_64")
    assert tag == "macosx_10_13_x86_64"  # LC_VERSION_MIN_MACOSX counts too; below 11 the minor
    assert len(warnings) == 1


def test_the_newest_slice_of_a_fat_file_and_of_several_binaries_wins() -> None:
    newest = max(
        manifest()["universal2.dylib"]["minos"], key=lambda v: tuple(map(int, v.split(".")))
    )
    tag, warnings, _problems = _mac("universal2.dylib", "macosx_10_9_universal2")
    assert tag == _minos_tag(newest, "universal2") == "macosx_11_0_universal2"
    assert [w for w in warnings if "needs macOS" in w] == [warnings[0]]
    assert "(arm64) needs macOS 11.0" in warnings[0]
    both = audit_macos(
        [(PKG / n, fixture(n)) for n in ("x86_64-macos10.13.dylib", "x86_64-macos12.dylib")],
        "macosx_10_9_x86_64",
    )
    assert both.platform_tag == "macosx_12_0_x86_64"


def test_an_external_dylib_is_a_problem_naming_it_and_the_fix() -> None:
    _, _, problems = _mac("x86_64-macos12.dylib", "macosx_12_0_x86_64")
    (problem,) = problems
    assert "pkg/x86_64-macos12.dylib (x86_64) loads /opt/homebrew/lib/libdep.dylib" in problem
    assert "link libdep.dylib statically" in problem and "delocate-wheel" in problem


def test_rpath_dylibs_resolve_against_what_the_wheel_ships() -> None:
    name = "arm64-macos11.dylib"  # weakly loads @rpath/libweak.dylib, rpath @loader_path/.dylibs
    _, warnings, problems = _mac(name, "macosx_11_0_arm64", ("pkg/.dylibs/libweak.dylib",))
    assert (warnings, problems) == ((), ())
    _, warnings, problems = _mac(name, "macosx_11_0_arm64", ("pkg/libweak.dylib",))
    assert problems == ()  # weak: loads without it, so a warning
    assert len(warnings) == 1 and "@rpath/libweak.dylib" in warnings[0]


def test_a_missing_arch_slice_is_a_problem() -> None:
    _, _, problems = _mac("x86_64-macos10.13.dylib", "macosx_11_0_universal2")
    assert problems == (
        "pkg/x86_64-macos10.13.dylib has no arm64 code (it has x86_64), but the wheel is "
        "tagged macosx_11_0_universal2",
    )
    assert _mac("universal2.dylib", "macosx_11_0_universal2")[2] == ()


def _win(name: str, tag: str, abi3: bool, shipped: tuple[str, ...] = ()) -> tuple[str, ...]:
    result = audit_windows(
        [(PKG / name, fixture(name))], tag, abi3=abi3, shipped=[PurePosixPath(s) for s in shipped]
    )
    assert result.platform_tag == tag
    return result.problems


def test_abi3_importing_a_versioned_python_dll_is_refused() -> None:
    assert "python311.dll" in manifest()["amd64-python311.pyd"]["imports"]
    (problem,) = _win("amd64-python311.pyd", "win_amd64", abi3=True)
    assert "is an abi3 extension but imports python311.dll" in problem
    assert "link python3.dll instead" in problem
    assert _win("amd64-python311.pyd", "win_amd64", abi3=False) == ()  # a cp311 wheel: fine


def test_abi3_importing_python3_dll_and_the_ucrt_is_accepted() -> None:
    assert _win("amd64-abi3.pyd", "win_amd64", abi3=True) == ()
    assert _win("arm64-abi3.pyd", "win_arm64", abi3=True) == ()


def test_a_dll_outside_windows_is_a_problem_unless_shipped() -> None:
    (problem,) = _win("x86-zlib.pyd", "win32", abi3=True)
    assert "pkg/x86-zlib.pyd imports zlib1.dll" in problem and "delvewheel" in problem
    assert _win("x86-zlib.pyd", "win32", abi3=True, shipped=("pkg/zlib1.dll",)) == ()


def test_a_machine_the_tag_does_not_name_is_a_problem() -> None:
    (problem,) = _win("arm64-abi3.pyd", "win_amd64", abi3=True)
    assert "ARM64 code (win_arm64)" in problem


def _audit(path: Path, tag: str, mode: str, abi3: bool = False, tmp: Path = Path()) -> object:
    return audit_extension(
        path,
        AuditRequest(mode=mode, abi3=abi3),
        sysconfig_platform=tag,
        dist_name="pkg",
        extension_dir=PKG,
        link_dirs=(),
        staging=tmp,
        environ={},
    )


def test_audit_extension_dispatches_by_format(capsys: pytest.CaptureFixture[str]) -> None:
    mac = FIXTURES / "x86_64-macos12.dylib"
    with pytest.raises(AuditError, match=r"loads /opt/homebrew/lib/libdep\.dylib"):
        _audit(mac, "macosx_10_12_x86_64", "repair")
    capsys.readouterr()
    outcome = _audit(mac, "macosx_10_12_x86_64", "warn")
    assert outcome.platform_tags == ("macosx_12_0_x86_64",)  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert err.count("warning") == 2 and "needs macOS 12.0" in err
    skipped = _audit(mac, "macosx_10_12_x86_64", "skip")
    assert skipped.platform_tags == ("macosx_10_12_x86_64",)  # type: ignore[attr-defined]
    with pytest.raises(AuditError, match=r"abi3 extension but imports python311\.dll"):
        _audit(FIXTURES / "amd64-python311.pyd", "win_amd64", "check", abi3=True)
    ok = _audit(FIXTURES / "amd64-abi3.pyd", "win_amd64", "repair", abi3=True)
    assert ok.platform_tags == ("win_amd64",)  # type: ignore[attr-defined]


def test_a_malformed_binary_is_one_error_naming_it() -> None:
    data = fixture("x86_64-macos12.dylib")[:40]
    with pytest.raises(Exception, match=r"cannot read pkg/cut\.dylib as a Mach-O file: trunc") as e:
        audit_macos([(PKG / "cut.dylib", data)], "macosx_11_0_x86_64")
    assert type(e.value).__name__ == "FerruleError"
    with pytest.raises(Exception, match=r"cannot read pkg/cut\.pyd as a PE file"):
        audit_windows([(PKG / "cut.pyd", b"MZ" + b"\0" * 10)], "win_amd64", abi3=False)


def test_from_macos_11_on_the_tag_minor_is_zero() -> None:
    # A hand-made x86_64 image whose LC_BUILD_VERSION says macOS 12.3: pip only matches
    # macosx_12_0 tags, so a macosx_12_3 wheel would never install.
    build_version = struct.pack("<IIIIII", 0x32, 24, 1, (12 << 16) | (3 << 8), 0, 0)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 6, 1, 24, 0, 0)
    result = audit_macos([(PKG / "m.so", header + build_version)], "macosx_10_12_x86_64")
    assert result.platform_tag == "macosx_12_0_x86_64"
    assert "needs macOS 12.3" in result.warnings[0]


def test_a_compound_tag_is_raised_part_by_part_by_its_archs_slices() -> None:
    facts = manifest()["universal2.dylib"]
    minos = dict(zip(facts["archs"], facts["minos"]))  # x86_64 10.13, arm64 11.0
    planned = "macosx_10_9_x86_64.macosx_11_0_arm64.macosx_10_9_universal2"
    tag, warnings, _ = _mac("universal2.dylib", planned)
    newest = max(minos.values(), key=lambda v: tuple(map(int, v.split("."))))
    assert tag == ".".join(
        [
            _minos_tag(minos["x86_64"], "x86_64"),  # the x86_64 slice alone
            "macosx_11_0_arm64",  # already enough
            _minos_tag(newest, "universal2"),  # both slices
        ]
    )
    assert tag == "macosx_10_13_x86_64.macosx_11_0_arm64.macosx_11_0_universal2"
    assert [w for w in warnings if "needs macOS" in w] == [warnings[0]]
    assert f"(arm64) needs macOS {newest}," in warnings[0]  # the newest of the raised parts
