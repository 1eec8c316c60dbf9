"""Build the Mach-O, PE and musl ELF fixtures of tests/fixtures/binaries/ with zig.

    .venv/bin/python scripts/make-binary-fixtures.py [--out DIR]

Needs the ``ziglang`` package (a test dependency: scripts/setup.sh installs it)
in the running Python. Idempotent: a file is rewritten only when its bytes
change (zig's output is reproducible). The fast tests read the committed files;
tests/unit/test_binary_fixtures.py runs this script into a temporary directory
and checks that the fresh files have the facts of ``manifest.json``.

``zig-version.txt`` records the zig that made them. ``manifest.json`` holds what each fixture was *made with* (the zig target,
minimum OS version, libraries linked), written here from the recipes below,
never read back from the binaries: the readers in ``ferrule.macho`` /
``ferrule.pe`` are tested against it.

Things learnt on the way (zig 0.17):

- zig ignores ``-mmacosx-version-min``: the minimum macOS version goes into the
  target (``x86_64-macos.12.0``). A target at or above 10.14 gives
  ``LC_BUILD_VERSION``; 10.13 gives the older ``LC_VERSION_MIN_MACOSX``.
- Mach-O weak imports: ``-Wl,-weak-l<name>``. zig's Mach-O linker takes no
  ``-reexport_library``: ``LC_REEXPORT_DYLIB`` is tested on a hand-made image.
- Import libraries for ``python3.dll`` / ``python311.dll`` / ``zlib1.dll`` come
  from a ``.def`` file through ``zig dlltool -d X.def -l X.lib -m <machine>``.
- ``-nostdlib`` plus our own ``DllMainCRTStartup`` makes a 3 KB DLL whose only
  imports are the ones we link; without it the UCRT's ``api-ms-win-crt-*``
  API sets and KERNEL32 come along (the ``amd64-abi3.pyd`` fixture keeps them).

The universal2 fixture is packed here by hand with ``struct`` (FAT_MAGIC,
big-endian; x86_64 aligned to 2^12, arm64 to 2^14, smaller alignment first),
independently of ``ferrule.macho.make_fat``, and checked against
``llvm-lipo -create`` when an llvm-lipo is on PATH.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import struct
import subprocess  # noqa: TID251 (a standalone script: ferrule is not imported here)
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "binaries"

SOURCES = {
    "dep.c": "int dep_value(void) { return 41; }\n",
    "weak.c": "int weak_value(void) { return 1; }\n",
    "plain.c": "int ferrule_fixture(int x) { return x + 1; }\n",
    "user.c": ("int dep_value(void);\nint ferrule_fixture(void) { return dep_value() + 1; }\n"),
    "weak_user.c": (
        "int weak_value(void) __attribute__((weak_import));\n"
        "int ferrule_fixture(void) { return weak_value ? weak_value() : 0; }\n"
    ),
    "musl.c": ("#include <string.h>\nsize_t ferrule_len(const char *s) { return strlen(s); }\n"),
    "ext.c": (
        "typedef struct _object PyObject;\n"
        "__declspec(dllimport) PyObject *PyLong_FromLong(long);\n"
        "__declspec(dllimport) int __stdcall MessageBeep(unsigned int);\n"
        "__declspec(dllexport) PyObject *PyInit_fixture(void) {\n"
        "    MessageBeep(0); return PyLong_FromLong(1);\n}\n"
    ),
    "ext_zlib.c": (
        "typedef struct _object PyObject;\n"
        "__declspec(dllimport) PyObject *PyLong_FromLong(long);\n"
        "__declspec(dllimport) const char *zlibVersion(void);\n"
        "__declspec(dllexport) PyObject *PyInit_fixture(void) {\n"
        "    return PyLong_FromLong((long)zlibVersion()[0]);\n}\n"
        "__declspec(dllexport) int ferrule_second(void) { return 2; }\n"
    ),
    "ext_plain.c": (
        "typedef struct _object PyObject;\n"
        "__declspec(dllimport) PyObject *PyLong_FromLong(long);\n"
        "__declspec(dllexport) PyObject *PyInit_fixture(void) { return PyLong_FromLong(1); }\n"
    ),
    "entry.c": "int __stdcall DllMainCRTStartup(void *h, unsigned r, void *p) { return 1; }\n",
}
DEFS = {  # import library name -> (DLL, exported symbol)
    "python3": ("python3.dll", "PyLong_FromLong"),
    "python311": ("python311.dll", "PyLong_FromLong"),
    "zlib1": ("zlib1.dll", "zlibVersion"),
}
DLLTOOL_MACHINE = {"x86_64": "i386:x86-64", "x86": "i386", "aarch64": "arm64"}
SMALL = ["-Os", "-s", "-fno-sanitize=all"]
LIBSYSTEM = {"name": "/usr/lib/libSystem.B.dylib", "kind": "load"}

# name -> recipe. "facts" is what the manifest records (and the tests expect).
MACHO = {
    "x86_64-macos12.dylib": {
        "target": "x86_64-macos.12.0",
        "sources": ["user.c"],
        "link": ["-Wl,-install_name,@rpath/libfixture.dylib", "libdep-x86_64.dylib"],
        "facts": {
            "arch": "x86_64",
            "platform": "macos",
            "minos": "12.0",
            "load_command": "LC_BUILD_VERSION",
            "install_name": "@rpath/libfixture.dylib",
            "rpaths": [],
            "dylibs": [LIBSYSTEM, {"name": "/opt/homebrew/lib/libdep.dylib", "kind": "load"}],
        },
    },
    "arm64-macos11.dylib": {
        "target": "aarch64-macos.11.0",
        "sources": ["weak_user.c"],
        "link": [
            "-Wl,-install_name,@rpath/libfixture.dylib",
            "-Wl,-rpath,@loader_path/.dylibs",
            "-L.",
            "-Wl,-weak-lweak",
        ],
        "facts": {
            "arch": "arm64",
            "platform": "macos",
            "minos": "11.0",
            "load_command": "LC_BUILD_VERSION",
            "install_name": "@rpath/libfixture.dylib",
            "rpaths": ["@loader_path/.dylibs"],
            "dylibs": [LIBSYSTEM, {"name": "@rpath/libweak.dylib", "kind": "weak"}],
        },
    },
    "x86_64-macos10.13.dylib": {
        "target": "x86_64-macos.10.13",
        "sources": ["plain.c"],
        "link": ["-Wl,-install_name,/usr/local/lib/libplain.dylib"],
        "facts": {
            "arch": "x86_64",
            "platform": "macos",
            "minos": "10.13",
            "load_command": "LC_VERSION_MIN_MACOSX",
            "install_name": "/usr/local/lib/libplain.dylib",
            "rpaths": [],
            "dylibs": [LIBSYSTEM],
        },
    },
}
UNIVERSAL = ("universal2.dylib", ["x86_64-macos10.13.dylib", "arm64-macos11.dylib"])
PE = {
    "amd64-abi3.pyd": {
        "target": "x86_64-windows-gnu",
        "sources": ["ext.c"],
        "link": ["python3.lib", "-luser32"],
        "nostdlib": False,
        "facts": {
            "machine": "AMD64",
            "pe32_plus": True,
            "exports": ["PyInit_fixture"],
            # The UCRT's API sets and KERNEL32 come with zig's C runtime: not listed here,
            # the test checks that the rest are api-ms-win-crt-* / KERNEL32.dll.
            "imports_linked": ["python3.dll", "USER32.dll"],
        },
    },
    "amd64-python311.pyd": {
        "target": "x86_64-windows-gnu",
        "sources": ["ext.c", "entry.c"],
        "link": ["python311.lib", "-luser32"],
        "nostdlib": True,
        "facts": {
            "machine": "AMD64",
            "pe32_plus": True,
            "exports": ["PyInit_fixture"],
            "imports": ["python311.dll", "USER32.dll"],
        },
    },
    "x86-zlib.pyd": {
        "target": "x86-windows-gnu",
        "sources": ["ext_zlib.c", "entry.c"],
        "link": ["zlib1.lib", "python3.lib"],
        "nostdlib": True,
        "facts": {
            "machine": "I386",
            "pe32_plus": False,
            "exports": ["PyInit_fixture", "ferrule_second"],
            "imports": ["zlib1.dll", "python3.dll"],
        },
    },
    "arm64-abi3.pyd": {
        "target": "aarch64-windows-gnu",
        "sources": ["ext_plain.c", "entry.c"],
        "link": ["python3.lib"],
        "nostdlib": True,
        "facts": {
            "machine": "ARM64",
            "pe32_plus": True,
            "exports": ["PyInit_fixture"],
            "imports": ["python3.dll"],
        },
    },
}
ELF = {
    "aarch64-musl.so": {
        "target": "aarch64-linux-musl",
        "sources": ["musl.c"],
        "link": ["-dynamic"],
        "facts": {"machine": "EM_AARCH64", "arch": "aarch64", "needed": ["libc.so"]},
    },
}


def zig(work: Path, *args: str) -> None:
    argv = [sys.executable, "-m", "ziglang", *args]
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"make-binary-fixtures: {' '.join(argv)} failed:\n{done.stderr}")


def cc(work: Path, target: str, out: str, sources: list[str], link: list[str], *extra: str) -> None:
    zig(work, "cc", "-target", target, "-shared", *SMALL, *extra, "-o", out, *sources, *link)


def pack_fat(thin: list[bytes]) -> bytes:
    """FAT_MAGIC header, one fat_arch (cputype, cpusubtype, offset, size, align) per slice.

    Written from <mach-o/fat.h> here, not with ferrule: x86_64 first at 2^12, arm64
    after it at the next multiple of 2^14 (lipo's order and alignments).
    """
    slices = []
    for data in thin:
        cputype, cpusubtype = struct.unpack_from("<ii", data, 4)
        align = 14 if cputype == 0x0100000C else 12
        slices.append((align, cputype, cpusubtype, data))
    slices.sort(key=lambda s: (s[0], s[1]))
    header = struct.pack(">II", 0xCAFEBABE, len(slices))
    body = b""
    cursor = 8 + 20 * len(slices)
    entries = b""
    for align, cputype, cpusubtype, data in slices:
        offset = -(-cursor // (1 << align)) * (1 << align)
        body += b"\0" * (offset - cursor) + data
        entries += struct.pack(">iiIII", cputype, cpusubtype, offset, len(data), align)
        cursor = offset + len(data)
    return header + entries + body


def build(work: Path) -> dict[str, tuple[bytes, dict[str, object]]]:
    for name, text in SOURCES.items():
        (work / name).write_text(text)
    made: dict[str, tuple[bytes, dict[str, object]]] = {}
    # The libraries the Mach-O fixtures link against (not committed).
    for arch in ("x86_64", "aarch64"):
        suffix = "x86_64" if arch == "x86_64" else "arm64"
        cc(
            work,
            f"{arch}-macos.11.0",
            f"libdep-{suffix}.dylib",
            ["dep.c"],
            ["-Wl,-install_name,/opt/homebrew/lib/libdep.dylib"],
        )
    cc(
        work,
        "aarch64-macos.11.0",
        "libweak.dylib",
        ["weak.c"],
        ["-Wl,-install_name,@rpath/libweak.dylib"],
    )
    for name, recipe in MACHO.items():
        cc(work, recipe["target"], name, recipe["sources"], recipe["link"])  # type: ignore[arg-type]
        made[name] = (
            (work / name).read_bytes(),
            {"format": "macho", "target": recipe["target"], **recipe["facts"]},
        )  # type: ignore[dict-item]
    fat_name, parts = UNIVERSAL
    fat = pack_fat([made[p][0] for p in parts])
    lipo = shutil.which("llvm-lipo") or next(
        (
            shutil.which(f"llvm-lipo-{v}")
            for v in range(30, 13, -1)
            if shutil.which(f"llvm-lipo-{v}")
        ),
        None,
    )
    if lipo:
        subprocess.run([lipo, "-create", *parts, "-output", "lipo.dylib"], cwd=work, check=True)
        if (work / "lipo.dylib").read_bytes() != fat:
            sys.exit(
                "make-binary-fixtures: the hand-packed universal2 file differs from llvm-lipo's"
            )
    made[fat_name] = (
        fat,
        {
            "format": "macho-fat",
            "slices": parts,
            "archs": ["x86_64", "arm64"],
            "minos": ["10.13", "11.0"],
            "checked_with_llvm_lipo": bool(lipo),
        },
    )
    for arch, machine in DLLTOOL_MACHINE.items():
        (work / arch).mkdir()
        for lib, (dll, symbol) in DEFS.items():
            (work / arch / f"{lib}.def").write_text(f"LIBRARY {dll}\nEXPORTS\n{symbol}\n")
            zig(work / arch, "dlltool", "-d", f"{lib}.def", "-l", f"{lib}.lib", "-m", machine)
    for name, recipe in PE.items():
        arch = str(recipe["target"]).split("-")[0]
        sources = [f"../{s}" for s in recipe["sources"]]  # type: ignore[attr-defined]
        extra = ["-nostdlib"] if recipe["nostdlib"] else []
        cc(work / arch, recipe["target"], name, sources, recipe["link"], *extra)  # type: ignore[arg-type]
        made[name] = (
            (work / arch / name).read_bytes(),
            {"format": "pe", "target": recipe["target"], **recipe["facts"]},
        )  # type: ignore[dict-item]
    for name, recipe in ELF.items():
        cc(work, recipe["target"], name, recipe["sources"], recipe["link"])  # type: ignore[arg-type]
        made[name] = (
            (work / name).read_bytes(),
            {"format": "elf", "target": recipe["target"], **recipe["facts"]},
        )  # type: ignore[dict-item]
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    out: Path = parser.parse_args().out
    with tempfile.TemporaryDirectory() as tmp:
        made = build(Path(tmp))
    out.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, (data, facts) in sorted(made.items()):
        facts["sha256"] = hashlib.sha256(data).hexdigest()
        manifest[name] = facts
        path = out / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path}")
    version = subprocess.run(
        [sys.executable, "-m", "ziglang", "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    path = out / "zig-version.txt"
    if not path.is_file() or path.read_text() != version + "\n":
        path.write_text(version + "\n")
        print(f"wrote {path}")
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    path = out / "manifest.json"
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
