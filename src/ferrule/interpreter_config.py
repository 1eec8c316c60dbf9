"""Interpreters described by configuration, not run: ``PYO3_CONFIG_FILE``,
``PYO3_CROSS_LIB_DIR`` (PEP 739 ``build-details.json`` or ``_sysconfigdata``) and
``PYO3_CROSS_PYTHON_VERSION``. Each is an :class:`~ferrule.interpreter_probe.Interpreter`
with ``runnable=False``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ferrule.errors import FerruleError
from ferrule.interpreter_probe import Interpreter

__all__ = ["from_cross_lib_dir", "from_pyo3_config", "parse_pyo3_config", "synthetic"]


def _multiarch() -> str:
    import sysconfig

    return str(sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu")


def _host_platform() -> str:
    import sysconfig

    return sysconfig.get_platform()


def synthetic(
    implementation: str, version: tuple[int, int], gil_disabled: bool, source: str
) -> Interpreter:
    """A non-runnable interpreter for this platform, described only by its kind and version."""
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


def from_pyo3_config(path: Path) -> tuple[Interpreter, tuple[int, int] | None]:
    """The interpreter a ``PYO3_CONFIG_FILE`` describes, and its abi3 minimum if any."""
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
    interp = synthetic(impl, (version[0], version[1]), gil_disabled, f"PYO3_CONFIG_FILE={path}")
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


def from_cross_lib_dir(lib_dir: Path) -> Interpreter:
    """The target interpreter of ``PYO3_CROSS_LIB_DIR``: PEP 739 build-details.json or sysconfigdata."""
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
        platform=f"linux-{machine}",
        executable=str(candidates[0]),
        base_executable=str(candidates[0]),
        gil_disabled=bool(vars_.get("Py_GIL_DISABLED")),
        pointer_width=64 if str(vars_.get("SIZEOF_VOID_P", "8")) == "8" else 32,
        runnable=False,
    )
