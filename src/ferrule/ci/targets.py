"""The build matrix of one platform: a :class:`Target` per architecture, overrides resolved.

ferrule builds natively, so each row names a runner of its own kind; Linux rows
also name the ``quay.io/pypa`` image (and the docker platform, under QEMU when
the runner's CPU differs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ferrule._record import record
from ferrule.ci.config import GitHubConfig, Overrides, parse_manylinux

__all__ = ["DEFAULT_ARCHES", "Target", "resolve_targets"]

DEFAULT_ARCHES: Mapping[str, tuple[str, ...]] = {
    # Native runners only: Linux aarch64 builds on GitHub's arm64 runners;
    # other Linux architectures can be listed and are built under QEMU (slowly).
    "linux": ("x86_64", "aarch64"),
    "musllinux": ("x86_64", "aarch64"),
    "windows": ("x64", "x86", "aarch64"),
    "macos": ("x86_64", "aarch64"),
}
# Linux architecture -> (its name in the pypa image names, docker's --platform).
_LINUX_ARCH = {
    "x86_64": ("x86_64", "linux/amd64"),
    "x86": ("i686", "linux/386"),
    "aarch64": ("aarch64", "linux/arm64"),
    "armv7": ("armv7l", "linux/arm/v7"),
    "s390x": ("s390x", "linux/s390x"),
    "ppc64le": ("ppc64le", "linux/ppc64le"),
}
# Images that exist for each architecture when ``manylinux`` is "auto".
_AUTO_MANYLINUX = {"x86": "manylinux2014", "armv7": "manylinux_2_31"}


@record
class Target:
    """One row of a platform's build matrix, with everything resolved."""

    platform: str
    arch: str
    runner: str
    rust_toolchain: str
    rustup_components: str | None
    args: str | None
    python_arch: str | None = None  # Windows
    rust_target: str | None = None  # Windows x86 (cargo's host is x86_64)
    image: str | None = None  # Linux
    docker_platform: str | None = None
    emulated: bool = False
    docker_options: str | None = None
    before_script: str | None = None


def _runner(platform: str, arch: str) -> str:
    if platform in ("linux", "musllinux"):
        return "ubuntu-24.04-arm" if arch == "aarch64" else "ubuntu-24.04"
    if platform == "windows":
        return "windows-11-arm" if arch == "aarch64" else "windows-latest"
    return "macos-15-intel" if arch == "x86_64" else "macos-latest"


def _image(platform: str, arch: str, manylinux: str | None, container: str | None) -> str:
    if container:
        return container
    family = parse_manylinux(manylinux) if manylinux else None
    if family in (None, "auto"):
        family = (
            "musllinux_1_2"
            if platform == "musllinux"
            else _AUTO_MANYLINUX.get(arch, "manylinux_2_28")
        )
    return f"quay.io/pypa/{family}_{_LINUX_ARCH[arch][0]}"


def _runner_arch(runner: str) -> str:
    """The CPU of a Linux runner, judged by its label (GitHub's arm64 runners say "arm")."""
    return "aarch64" if "arm" in runner else "x86_64"


def resolve_targets(config: GitHubConfig, platform: str) -> list[Target]:
    """The matrix rows of one platform: per-target overrides > platform > workflow."""
    table = config.platforms.get(platform)
    arches = table.arches(DEFAULT_ARCHES[platform]) if table else DEFAULT_ARCHES[platform]
    rows = []
    for arch in arches:
        per_target = table.target_overrides(arch) if table else Overrides()
        level = table.overrides if table else Overrides()

        def pick(name: str, per_target: Overrides = per_target, level: Overrides = level) -> Any:
            value = getattr(per_target, name)
            return value if value is not None else getattr(level, name)

        runner = pick("runner") or _runner(platform, arch)
        target = Target(
            platform=platform,
            arch=arch,
            runner=runner,
            rust_toolchain=pick("rust_toolchain") or "stable",
            rustup_components=pick("rustup_components"),
            args=pick("args") if pick("args") is not None else config.args,
        )
        if platform == "windows":
            target = dataclasses.replace(
                target,
                python_arch="arm64" if arch == "aarch64" else arch,
                rust_target="i686-pc-windows-msvc" if arch == "x86" else None,
            )
        elif platform in ("linux", "musllinux"):
            host = _runner_arch(runner)
            target = dataclasses.replace(
                target,
                image=_image(platform, arch, pick("manylinux"), pick("container")),
                docker_platform=_LINUX_ARCH[arch][1],
                emulated=not (arch == host or (arch == "x86" and host == "x86_64")),
                docker_options=pick("docker_options"),
                before_script=pick("before_script_linux"),
            )
        rows.append(target)
    return rows


# --- interpreters -----------------------------------------------------------
