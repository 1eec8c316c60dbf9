"""The crate's CycloneDX SBOM, as maturin writes it, made reproducible.

maturin 1.16 (src/sbom.rs) puts ``<dist-info>/sboms/<crate>.cyclonedx.json`` in
every wheel: cargo-cyclonedx 0.5.9's BOM (CycloneDX 1.5, all targets) of the
crate being built. This module renders the same document from the part of
``cargo metadata`` kept in :attr:`ferrule.cargo.metadata.CargoProject.sbom_graph`
and Cargo.lock's checksums: the same components (the crate's normal and build
dependencies, transitively; dev-dependencies left out), fields, key order and
dependency edges. Three things differ, so that the file depends on the sources
alone (docs/compat.md, "SBOM"):

* ``serialNumber`` is ``urn:uuid:`` + a UUID 5 of the document without it
  (cargo-cyclonedx: random, or none when ``SOURCE_DATE_EPOCH`` is set);
* ``metadata.timestamp`` is ``SOURCE_DATE_EPOCH`` clamped to the zip range as
  the wheel's entries are, else 1980-01-01 (cargo-cyclonedx: now);
* a local package's ``bom-ref`` (cargo's package id ``path+file:///abs/dir#..``)
  becomes ``path+file:<dir relative to the workspace root>#<name>@<version>``
  (``.``, ``./sub`` or ``../up``; :func:`local_ref`), and its purl's
  ``download_url`` is relative to the crate's directory even outside the
  workspace (cargo-cyclonedx: absolute there).

Pure: no files, no processes.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

__all__ = ["TOOL_VERSION", "render_sbom", "sbom_filename"]

TOOL_VERSION = "0.5.9"  # the cargo-cyclonedx maturin 1.16 embeds
_CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
_LOCAL = "path+file://"
# The namespace of the serial numbers' UUID 5: fixed (changing it changes every serial).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ferrule:cyclonedx-serial-number")
_AUTHOR = re.compile(r"^(?P<author>[^<]+)\s*(<(?P<email>[^>]+)>)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_STRENGTH = {None: 2, "normal": 2, "build": 1, "dev": 0}  # cargo-cyclonedx's PrivateDepKind
_SKIPPED_TARGETS = {"bench", "example", "test", "custom-build"}


def sbom_filename(crate_name: str) -> str:
    """maturin's name for the crate's SBOM in ``<dist-info>/sboms/``."""
    return f"{crate_name}.cyclonedx.json"


def _normalized(text: str) -> str:
    """cyclonedx-bom's NormalizedString: line breaks and tabs become spaces."""
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _relative_dir(path: str, start: str) -> str:
    """``path`` relative to ``start`` (POSIX), ``.`` for the same directory."""
    return posixpath.relpath(posixpath.normpath(path), posixpath.normpath(start))


def local_ref(package_id: str, workspace_root: str) -> str:
    """A package id with no absolute path: a local package's directory made relative.

    cargo's fragment is ``#<version>`` when the directory is named as the package,
    else ``#<name>@<version>``: always the latter here, so that the id does not
    depend on the name of the directory a project was copied to either.

    >>> local_ref("path+file:///w/crates/a#0.1.0", "/w")
    'path+file:./crates/a#a@0.1.0'
    >>> local_ref("path+file:///w#demo@0.1.0", "/w"), local_ref("path+file:///x/b#0.2.0", "/w")
    ('path+file:.#demo@0.1.0', 'path+file:../x/b#b@0.2.0')
    >>> local_ref("registry+https://github.com/rust-lang/crates.io-index#heck@0.5.0", "/w")
    'registry+https://github.com/rust-lang/crates.io-index#heck@0.5.0'
    """
    if not package_id.startswith(_LOCAL):
        return package_id
    url, _, fragment = package_id[len(_LOCAL) :].partition("#")
    path = unquote(url)
    if "@" not in fragment:
        fragment = f"{posixpath.basename(path.rstrip('/'))}@{fragment}"
    rel = _relative_dir(path, workspace_root)
    if rel != "." and not rel.startswith("../"):
        rel = "./" + rel
    return f"path+file:{quote(rel, safe='/.-_~')}#{fragment}"


def _vcs_url(source: str) -> str:
    """cargo-cyclonedx's ``vcs_url``: ``git+url?query#commit`` -> ``git+url@commit``."""
    base, _, fragment = source.partition("#")
    base, _, query = base.partition("?")
    if fragment:
        return f"{base}@{fragment}"
    if query:
        for param in query.split("&"):
            for key in ("branch=", "tag=", "rev="):
                if param.startswith(key):
                    return f"{base}@{param[len(key) :]}"
        return f"{base}@{query}"
    return base


def _purl(package: Mapping[str, Any], root_dir: str, subpath: str | None = None) -> str:
    purl = f"pkg:cargo/{quote(package['name'], safe='')}@{quote(package['version'], safe='')}"
    source = package.get("source")
    qualifier = None
    if source is None:
        package_dir = posixpath.dirname(package["manifest_path"])
        qualifier = ("download_url", "file://" + _relative_dir(package_dir, root_dir))
    elif source != _CRATES_IO:
        kind, _, rest = source.partition("+")
        if kind == "git":
            qualifier = ("vcs_url", _vcs_url(source))
        elif kind in ("registry", "sparse"):
            qualifier = ("repository_url", rest)
    if qualifier is not None:
        purl += f"?{qualifier[0]}={quote(qualifier[1], safe=':/@+')}"
    if subpath:
        purl += "#" + "/".join(quote(part, safe="") for part in subpath.split("/"))
    return purl


def _licenses(package: Mapping[str, Any], text: bytes | None) -> list[dict[str, Any]] | None:
    license = package.get("license")
    if license:
        # cargo-cyclonedx's default lax mode reads "MIT/Apache-2.0" as "MIT OR Apache-2.0".
        return [{"expression": license.replace("/", " OR ")}]
    if text is not None:  # only a license-file: its text, base64, as cargo-cyclonedx attaches it
        content = base64.b64encode(text).decode()
        return [
            {"license": {"name": "Unknown", "text": {"encoding": "base64", "content": content}}}
        ]
    return None


def _external_references(package: Mapping[str, Any]) -> list[dict[str, str]] | None:
    kinds = (
        ("documentation", "documentation"),
        ("homepage", "website"),
        ("links", "other"),
        ("repository", "vcs"),
    )
    refs = [{"type": kind, "url": package[key]} for key, kind in kinds if package.get(key)]
    return refs or None


def _component(
    package: Mapping[str, Any],
    ref: str,
    root_dir: str,
    scope: str,
    checksum: str | None,
    license_text: bytes | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "library", "bom-ref": ref}
    if package.get("authors"):
        out["author"] = _normalized(", ".join(package["authors"]))
    out["name"] = package["name"].strip()
    out["version"] = package["version"]
    if package.get("description") is not None:
        out["description"] = _normalized(package["description"])
    out["scope"] = scope
    if checksum:
        out["hashes"] = [{"alg": "SHA-256", "content": checksum}]
    licenses = _licenses(package, license_text)
    if licenses:
        out["licenses"] = licenses
    out["purl"] = _purl(package, root_dir)
    refs = _external_references(package)
    if refs:
        out["externalReferences"] = refs
    return out


def _scopes(nodes: Mapping[str, Sequence[tuple[str, int]]], root: str) -> dict[str, int]:
    """The strongest dependency kind on any path from the root (cargo-cyclonedx's scope)."""
    strength = {root: 2}
    todo = [root]
    while todo:
        current = todo.pop()
        for child, kind in nodes.get(current, ()):
            value = min(kind, strength[current])
            if value > strength.get(child, -1):
                strength[child] = value
                todo.append(child)
    return strength


def _targets(
    package: Mapping[str, Any], ref: str, root_dir: str
) -> tuple[str, list[dict[str, Any]]]:
    """The root component's type and its target sub-components."""
    targets = package.get("targets", [])
    kind = "application" if any("bin" in t["kind"] for t in targets) else "library"
    subs: list[dict[str, Any]] = []
    for target in targets:
        kinds = target["kind"]
        if _SKIPPED_TARGETS & set(kinds):
            continue
        if "bin" in kinds:
            cdx_type = "application"
        elif "proc-macro" in kinds or any("lib" in k for k in kinds):
            cdx_type = "library"
        else:
            continue
        sub: dict[str, Any] = {
            "type": cdx_type,
            "bom-ref": f"{ref} bin-target-{len(subs)}",
            "name": target["name"],
            "version": package["version"],
        }
        src = posixpath.normpath(target["src_path"])
        if src.startswith(root_dir.rstrip("/") + "/"):
            sub["purl"] = _purl(package, root_dir, posixpath.relpath(src, root_dir))
        subs.append(sub)
    return kind, subs


def _authors(package: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    for author in package.get("authors") or ():
        match = _AUTHOR.match(author)
        if match is None:
            out.append({"name": author})
            continue
        email = match.group("email")
        if email is not None and not _EMAIL.match(email):
            continue  # cargo-cyclonedx drops an author whose email is invalid
        contact = {"name": match.group("author").strip()}
        if email is not None:
            contact["email"] = email
        out.append(contact)
    return out


def _timestamp(when: tuple[int, int, int, int, int, int]) -> str:
    """ISO 8601 as cargo-cyclonedx formats ``SOURCE_DATE_EPOCH`` (nanoseconds, ``Z``)."""
    y, mo, d, h, mi, s = when
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.000000000Z"


def render_sbom(
    graph: Mapping[str, Any],
    checksums: Mapping[str, str],
    when: tuple[int, int, int, int, int, int],
    license_texts: Mapping[str, bytes] | None = None,
) -> bytes:
    """The CycloneDX 1.5 JSON document of the graph's root crate.

    ``graph``: ``cargo metadata``'s shape (``packages``, ``resolve`` with
    ``root``, ``workspace_root``); ``checksums``: Cargo.lock's SHA-256 by
    package id (``source#name@version``); ``when``: the entry timestamp of the
    wheel (:func:`ferrule.wheel.writer.zip_timestamp`); ``license_texts``: the
    contents of the ``license-file`` of packages that give no ``license``, by id.
    """
    texts = license_texts or {}
    root_id = graph["resolve"]["root"]
    workspace_root = graph["workspace_root"]
    packages = {p["id"]: p for p in graph["packages"]}
    root = packages[root_id]
    root_dir = posixpath.dirname(root["manifest_path"])

    def ref(package_id: str) -> str:
        return local_ref(package_id, workspace_root)

    edges: dict[str, list[tuple[str, int]]] = {}
    for node in graph["resolve"]["nodes"]:
        kept = []
        for dep in node.get("deps", []):
            strength = max(_STRENGTH.get(k.get("kind"), 2) for k in dep["dep_kinds"])
            if strength > 0 and dep["pkg"] in packages:
                kept.append((dep["pkg"], strength))
        edges[node["id"]] = kept
    scopes = _scopes(edges, root_id)

    components = [
        _component(
            package,
            ref(package_id),
            root_dir,
            "required" if scopes.get(package_id, 2) == 2 else "excluded",
            checksums.get(package_id),
            texts.get(package_id),
        )
        for package_id, package in packages.items()
        if package_id != root_id
    ]
    components.sort(key=lambda c: str(c["bom-ref"]))

    top = _component(
        root, ref(root_id), root_dir, "required", checksums.get(root_id), texts.get(root_id)
    )
    top["type"], subs = _targets(root, ref(root_id), root_dir)
    top["components"] = subs
    metadata: dict[str, Any] = {
        "timestamp": _timestamp(when),
        "tools": [{"vendor": "CycloneDX", "name": "cargo-cyclonedx", "version": TOOL_VERSION}],
    }
    authors = _authors(root)
    if authors:
        metadata["authors"] = authors
    metadata["component"] = top
    metadata["properties"] = [{"name": "cdx:rustc:sbom:target:all_targets", "value": "true"}]

    dependencies = []
    for package_id in sorted(edges, key=ref):
        entry: dict[str, Any] = {"ref": ref(package_id)}
        # cargo's order (by name, version, source: never by path), as cargo-cyclonedx keeps it.
        depends = list(dict.fromkeys(ref(child) for child, _ in edges[package_id]))
        if depends:
            entry["dependsOn"] = depends
        dependencies.append(entry)

    header: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1}
    body = {"metadata": metadata, "components": components, "dependencies": dependencies}
    # The serial number names this content: the document without it, hashed.
    serial = uuid.uuid5(_NAMESPACE, _dump({**header, **body}).decode())
    document = {**header, "serialNumber": f"urn:uuid:{serial}", **body}
    return _dump(document)


def _dump(document: Mapping[str, Any]) -> bytes:
    """serde_json's pretty form: two-space indent, UTF-8, no final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
