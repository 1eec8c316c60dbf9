"""Interpreters described by configuration, not run: ``PYO3_CONFIG_FILE``,
``PYO3_CROSS_LIB_DIR`` (PEP 739 ``build-details.json`` or ``_sysconfigdata``) and
``PYO3_CROSS_PYTHON_VERSION``. Each is an :class:`~ferrule.interpreter_probe.Interpreter`
with ``runnable=False``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from ferrule.errors import FerruleError
from ferrule.interpreter_probe import Interpreter
from ferrule.target import Target

__all__ = [
    "cross_spec",
    "for_target",
    "from_cross_lib_dir",
    "from_pyo3_config",
    "parse_pyo3_config",
    "pyo3_cross_config_text",
    "synthetic",
]


def _multiarch() -> str:
    import sysconfig

    return str(sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu")


def _host_platform() -> str:
    import sysconfig

    return sysconfig.get_platform()


def synthetic(
    implementation: str,
    version: tuple[int, int],
    gil_disabled: bool,
    source: str,
    target: Target | None = None,
) -> Interpreter:
    """A non-runnable interpreter for this platform (or ``target``), described only by its
    kind and version."""
    if target is not None and target.ext_suffix(implementation, version) is not None:
        return for_target(target, implementation, version, gil_disabled, source)
    major, minor = version
    t = "t" if gil_disabled else ""
    soabi = f"pypy{major}{minor}-pp73" if implementation == "pypy" else f"cpython-{major}{minor}{t}"
    soabi_full = f"{soabi}-{_multiarch()}"
    return Interpreter(
        implementation=implementation,
        major=major,
        minor=minor,
        abiflags=t,
        ext_suffix=f".{soabi_full}.so",
        soabi=soabi_full,
        platform=_host_platform(),
        executable=source,
        base_executable=source,
        gil_disabled=gil_disabled,
        pointer_width=64 if sys.maxsize > 2**32 else 32,
        runnable=False,
    )


def for_target(
    target: Target,
    implementation: str,
    version: tuple[int, int],
    gil_disabled: bool,
    source: str,
    environ: Mapping[str, str] | None = None,
) -> Interpreter:
    """A non-runnable interpreter on ``target``, with the well-known ``EXT_SUFFIX`` maturin
    gives it (``InterpreterConfig::lookup_one`` in maturin's ``python_interpreter/config.rs``).

    >>> from ferrule.target import parse_target
    >>> i = for_target(parse_target("x86_64-pc-windows-msvc"), "cpython", (3, 11), False, "-i")
    >>> i.ext_suffix, i.soabi, i.platform, i.pointer_width
    ('.cp311-win_amd64.pyd', 'cp311-win_amd64', 'win-amd64', 64)
    """
    abiflags = "t" if gil_disabled else ""
    suffix = target.ext_suffix(implementation, version, abiflags)
    if suffix is None:
        kind = {"cpython": "CPython", "pypy": "PyPy"}.get(implementation, implementation)
        raise FerruleError(
            f"{source}: {kind} {version[0]}.{version[1]} on {target.triple} is not an "
            "interpreter ferrule (or maturin) knows how to name extensions for; describe "
            "it with PYO3_CONFIG_FILE or PYO3_CROSS_LIB_DIR"
        )
    if implementation == "cpython" and version < (3, 8):
        abiflags = "m"
    return Interpreter(
        implementation=implementation,
        major=version[0],
        minor=version[1],
        abiflags=abiflags if implementation == "cpython" else "",
        ext_suffix=suffix,
        soabi=target.soabi(implementation, version, abiflags),
        platform=target.sysconfig_platform(environ or {}),
        executable=source,
        base_executable=source,
        gil_disabled=gil_disabled,
        pointer_width=target.pointer_width,
        runnable=False,
    )


_SPEC = re.compile(r"^(?:.*[/\\])?(?P<impl>python|pypy)?-?(?P<ver>3\.\d+)(?P<t>t?)(?:\.exe)?$")


def cross_spec(spec: str) -> tuple[str, tuple[int, int], bool]:
    """``-i`` when cross-compiling (maturin's ``find_in_sysconfig``): nothing is run, the
    name says the implementation and version.

    >>> cross_spec("python3.11"), cross_spec("pypy3.10"), cross_spec("3.13t")
    (('cpython', (3, 11), False), ('pypy', (3, 10), False), ('cpython', (3, 13), True))
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise FerruleError(
            f"-i {spec}: when cross-compiling the interpreter is not run; name it with its "
            "version (python3.11, pypy3.10, 3.13t) or describe it with PYO3_CROSS_LIB_DIR"
        )
    major, minor = (int(p) for p in match["ver"].split("."))
    impl = "pypy" if match["impl"] == "pypy" else "cpython"
    return impl, (major, minor), bool(match["t"])


def pyo3_cross_config_text(
    interp: Interpreter,
    abi3: tuple[int, int] | None,
    *,
    use_target_abi: bool,
    lib_dir: str | None = None,
) -> str:
    """The ``PYO3_CONFIG_FILE`` for a target interpreter that cannot be run (maturin's
    ``InterpreterConfig::pyo3_config_file``, ``python_interpreter/config.rs``).

    >>> from ferrule.target import parse_target
    >>> i = for_target(parse_target("aarch64-unknown-linux-gnu"), "cpython", (3, 12), False, "-i")
    >>> print(pyo3_cross_config_text(i, None, use_target_abi=False))
    implementation=CPython
    version=3.12
    shared=true
    abi3=false
    build_flags=
    suppress_build_script_link_lines=false
    pointer_width=64
    """
    kind = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalVM"}.get(
        interp.implementation, interp.implementation
    )
    flags = "Py_GIL_DISABLED" if interp.gil_disabled else ""
    major, minor = abi3 or interp.version
    if use_target_abi:
        abi = "abi3" if abi3 else ("free_threaded" if interp.gil_disabled else "gil_enabled")
        lines = [
            f"implementation={kind}",
            f"version={major}.{minor}",
            f"target_abi={kind}-{abi}-{major}.{minor}",
            "shared=true",
        ]
    else:
        lines = [
            f"implementation={kind}",
            f"version={major}.{minor}",
            "shared=true",
            f"abi3={'true' if abi3 else 'false'}",
        ]
    lines += [f"build_flags={flags}", "suppress_build_script_link_lines=false"]
    lines.append(f"pointer_width={interp.pointer_width}")
    if lib_dir:
        lines.append(f"lib_dir={lib_dir}")
    return "\n".join(lines)


def parse_pyo3_config(text: str) -> dict[str, str]:
    """``key=value`` lines of a pyo3 configuration file.

    >>> parse_pyo3_config("implementation=CPython\\nversion=3.12\\n# c\\nbuild_flags=\\n")
    {'implementation': 'CPython', 'version': '3.12', 'build_flags': ''}
    """
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out


def from_pyo3_config(
    path: Path, target: Target | None = None
) -> tuple[Interpreter, tuple[int, int] | None]:
    """The interpreter a ``PYO3_CONFIG_FILE`` describes (on ``target``, when given), and its
    abi3 minimum if any."""
    try:
        config = parse_pyo3_config(path.read_text(encoding="utf-8"))
        impl = config.get("implementation", "CPython").lower()
        version = tuple(int(p) for p in config["version"].split(".")[:2])
    except (OSError, KeyError, ValueError) as exc:
        raise FerruleError(
            f"PYO3_CONFIG_FILE={path}: not a usable pyo3 configuration ({exc})"
        ) from None
    gil_disabled = "Py_GIL_DISABLED" in config.get("build_flags", "")
    target_abi = config.get("target_abi", "")
    abi3: tuple[int, int] | None = None
    if config.get("abi3") == "true" or "-abi3-" in target_abi:
        abi3 = (version[0], version[1])
        if "-abi3-" in target_abi:
            parts = target_abi.rsplit("-", 1)[1].split(".")
            abi3 = (int(parts[0]), int(parts[1]))
    if "-free_threaded-" in target_abi:
        gil_disabled = True
    interp = synthetic(
        impl, (version[0], version[1]), gil_disabled, f"PYO3_CONFIG_FILE={path}", target
    )
    return interp, abi3


def _literal_dict(source: str) -> dict[str, object]:
    """The ``build_time_vars = {...}`` of a ``_sysconfigdata*.py`` file, read without running it."""
    import ast

    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "build_time_vars" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict):
                return value
    raise ValueError("no build_time_vars")


def from_cross_lib_dir(
    lib_dir: Path, target: Target | None = None, environ: Mapping[str, str] | None = None
) -> Interpreter:
    """The target interpreter of ``PYO3_CROSS_LIB_DIR``: PEP 739 build-details.json or
    sysconfigdata (``_PYTHON_SYSCONFIGDATA_NAME`` picks one when there are several,
    as in maturin's ``cross_compile.rs``). ``target`` gives the platform's name."""
    details = sorted(lib_dir.glob("**/build-details.json"))
    if details:
        data = json.loads(details[0].read_text(encoding="utf-8"))
        version = str(data["language"]["version"]).split(".")
        abi = data.get("abi", {})
        impl = str(data.get("implementation", {}).get("name", "cpython")).lower()
        suffix = str(abi.get("extension_suffix", ""))
        soabi = suffix.strip(".").removesuffix(".so")
        return Interpreter(
            implementation=impl,
            major=int(version[0]),
            minor=int(version[1]),
            abiflags="".join(abi.get("flags", [])),
            ext_suffix=suffix,
            soabi=soabi,
            platform=str(data.get("platform", _host_platform())),
            executable=str(details[0]),
            base_executable=str(details[0]),
            gil_disabled="t" in abi.get("flags", []),
            pointer_width=64,
            runnable=False,
        )
    candidates = sorted(lib_dir.glob("_sysconfigdata*.py")) + sorted(
        lib_dir.glob("*/_sysconfigdata*.py")
    )
    wanted = (environ or {}).get("_PYTHON_SYSCONFIGDATA_NAME", "")
    if wanted:
        candidates = [c for c in candidates if c.stem == wanted]
    if wanted and not candidates:
        raise FerruleError(
            f"PYO3_CROSS_LIB_DIR={lib_dir}: no {wanted}.py (_PYTHON_SYSCONFIGDATA_NAME) there"
        )
    if not candidates:
        raise FerruleError(
            f"PYO3_CROSS_LIB_DIR={lib_dir}: neither build-details.json nor _sysconfigdata*.py found"
        )
    try:
        vars_ = _literal_dict(candidates[0].read_text(encoding="utf-8"))
    except (ValueError, SyntaxError) as exc:
        raise FerruleError(f"{candidates[0]}: cannot read build_time_vars ({exc})") from None
    version = str(vars_.get("VERSION", "3")).split(".")
    suffix = str(vars_.get("EXT_SUFFIX", ""))
    soabi = str(vars_.get("SOABI", ""))
    impl = "pypy" if soabi.startswith("pypy") else "cpython"
    multiarch = str(vars_.get("MULTIARCH", ""))
    machine = multiarch.split("-", maxsplit=1)[0] if multiarch else "x86_64"
    return Interpreter(
        implementation=impl,
        major=int(version[0]),
        minor=int(version[1]),
        abiflags=str(vars_.get("ABIFLAGS", "")),
        ext_suffix=suffix,
        soabi=soabi,
        platform=target.sysconfig_platform({}) if target else f"linux-{machine}",
        executable=str(candidates[0]),
        base_executable=str(candidates[0]),
        gil_disabled=bool(vars_.get("Py_GIL_DISABLED")),
        pointer_width=64 if str(vars_.get("SIZEOF_VOID_P", "8")) == "8" else 32,
        runnable=False,
    )
