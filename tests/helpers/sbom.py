"""maturin's SBOM put side by side with ferrule's (tests/unit/wheel, tests/integration/test_sbom.py)."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any


def ferrule_refs(text: str, workspace_root: str) -> str:
    """maturin's SBOM text with its local package ids written as ferrule writes them.

    cargo's ``path+file:///<root>/<sub>#<fragment>`` becomes ``path+file:./<sub>#<name>@<version>``
    (``path+file:.#..`` for the root itself); ``<fragment>`` is a bare version when the
    directory is named as the package. Spelled out here on purpose, not imported from ferrule.
    """

    def local(match: re.Match[str]) -> str:
        sub, fragment = match.group(1) or "", match.group(2)
        if "@" not in fragment:
            fragment = f"{posixpath.basename(workspace_root + sub)}@{fragment}"
        return f"path+file:{'./' + sub[1:] if sub else '.'}#{fragment}"

    pattern = re.escape("path+file://" + workspace_root) + r'(/[^#"]*)?#([^" ]+)'
    return re.sub(pattern, local, text)


def without_serial_and_time(text: str) -> str:
    """The SBOM text without the two values that differ on purpose (serial number, timestamp)."""
    return re.sub(r'\n *"(serialNumber|timestamp)": "[^"]*",', "", text)


def components(document: dict[str, Any]) -> set[tuple[str, ...]]:
    """(name, version, purl, hashes, licenses, scope) of each component."""
    return {
        (
            c["name"],
            c["version"],
            c.get("purl", ""),
            json.dumps(c.get("hashes"), sort_keys=True),
            json.dumps(c.get("licenses"), sort_keys=True),
            c.get("scope", ""),
        )
        for c in document["components"]
    }


def edges(document: dict[str, Any]) -> set[tuple[str, str]]:
    """The dependency edges (ref, dependsOn), and a (ref, "") row for each node."""
    out = set()
    for dep in document["dependencies"]:
        out.add((dep["ref"], ""))
        out.update((dep["ref"], child) for child in dep.get("dependsOn", []))
    return out
