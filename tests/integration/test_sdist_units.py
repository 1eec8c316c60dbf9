"""Issue 6: the pieces of sdists and path remapping, without compiling anything."""

from __future__ import annotations

import gzip
import io
import os
import sys
import tarfile
import time
from pathlib import Path

import pytest

from ferrule.cargo.command import CargoInvocation
from ferrule.cargo.remap import PathRemap, path_remap
from ferrule.config.path_deps import PathCrate, cargo_workspace_root, path_crates
from ferrule.config.toml import TomlFiles
from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist import manifests
from ferrule.sdist.archive import SdistEntry, write_archive
from ferrule.sdist.crates import parse_crate_graph
from ferrule.sdist.files import GlobSet, is_build_leftover
from ferrule.sdist.tomldoc import TomlDocument
from ferrule.sdist.unpack import unpack_sdist
from tests.helpers.sdists import CRATES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# -- the archive -------------------------------------------------------------


def _entries(tmp_path: Path) -> list[SdistEntry]:
    script = tmp_path / "configure"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o775)
    data = tmp_path / "lib.rs"
    data.write_text("fn main() {}\n")
    data.chmod(0o600)
    long = "deep/" * 25 + "file.txt"
    return [
        SdistEntry("src/lib.rs", source=data),
        SdistEntry("a-b/x", data=b"x"),
        SdistEntry("configure", source=script, executable=True),
        SdistEntry(long, data=b"long name\n"),
        SdistEntry("PKG-INFO", data=b"Metadata-Version: 2.4\n"),
        SdistEntry("a/b", data=b"b"),
    ]


def test_archive_is_deterministic_and_normalised(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    first = write_archive(tmp_path / "one" / "p-1.tar.gz", "p-1", entries, {})
    for entry in entries:
        if entry.source is not None:
            os.utime(entry.source, (1, 1))
    second = write_archive(tmp_path / "two" / "p-1.tar.gz", "p-1", reversed(entries), {})
    assert first.read_bytes() == second.read_bytes()
    raw = first.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header: no time
    assert not raw[3] & 0x08  # and no file name
    with tarfile.open(first) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[0] == "p-1/PKG-INFO"
    assert names[1:4] == ["p-1/a/b", "p-1/a-b/x", "p-1/configure"]  # by path components
    modes = {m.name.rsplit("/", 1)[-1]: m.mode for m in members}
    assert modes["configure"] == 0o755 and modes["lib.rs"] == 0o644
    assert {(m.uid, m.gid, m.uname, m.gname, m.mtime) for m in members} == {
        (0, 0, "", "", 1153704088)
    }
    assert any(len(n) > 100 for n in names)  # stored through a PAX header
    assert not list(tmp_path.glob("one/.*.part"))


def test_archive_refuses_unsafe_names(tmp_path: Path) -> None:
    for bad in ("../evil", "/abs", "a//b", "a/./b", "a\\b"):
        with pytest.raises(FerruleError, match="unsafe path"):
            write_archive(tmp_path / "p.tar.gz", "p-1", [SdistEntry(bad, data=b"")], {})
    assert not (tmp_path / "p.tar.gz").exists()


def test_source_date_epoch(tmp_path: Path) -> None:
    target = write_archive(
        tmp_path / "p.tar.gz",
        "p-1",
        [SdistEntry("PKG-INFO", data=b"")],
        {"SOURCE_DATE_EPOCH": "42"},
    )
    with tarfile.open(target) as tar:
        assert [m.mtime for m in tar.getmembers()] == [42]


# -- filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("tests", "tests/a/b.py", True),
        ("*.pyc", "pkg/sub/x.pyc", True),
        ("/build", "build/x", True),
        ("/build", "src/build/x", False),
        ("docs/**/*.md", "docs/a/b/c.md", True),
        ("docs/**/*.md", "docs/c.md", True),
        # maturin's matching (Rust's glob defaults): * crosses /, patterns are anchored
        ("docs/*.md", "docs/a/c.md", True),
        ("docs/*.md", "other/docs/c.md", False),
        ("data[0-9].txt", "data7.txt", True),
        ("data[!0-9].txt", "data7.txt", False),
        ("?.rs", "ab.rs", False),
    ],
)
def test_exclude_globs(pattern: str, path: str, hit: bool) -> None:
    assert GlobSet([pattern]).matches(path) is hit


def test_leftovers() -> None:
    from pathlib import PurePosixPath

    assert is_build_leftover(PurePosixPath("pkg/_ext.cpython-311-x86_64-linux-gnu.so"))
    assert is_build_leftover(PurePosixPath("_darcs/x"))
    assert not is_build_leftover(PurePosixPath("pkg/targets.py"))
    assert not is_build_leftover(PurePosixPath("src/target/mod.rs"))


# -- manifest rewriting ------------------------------------------------------------

WORKSPACE = """
[workspace]
members = ["crates/*", "tools/bench"]
default-members = ["tools/bench"]

[workspace.package]
version = "1.2.3"
edition = "2021"
readme = "README.md"
authors = ["A <a@example.invalid>"]

[workspace.dependencies]
serde = "1"
helper = { path = "crates/helper", version = "1.2" }
rand = { version = "0.8", default-features = false, features = ["std"] }

[workspace.lints.rust]
unsafe_code = "forbid"

[patch.crates-io]
used = { path = "vendor/used" }
unused = { path = "vendor/unused" }
"""

MEMBER = """# the bindings
[package]
name = "member"  # keep this comment
version.workspace = true
edition = { workspace = true }
authors.workspace = true
description = "stays"

[dependencies]
serde.workspace = true
helper = { workspace = true, optional = true }
rand = { workspace = true, features = ["alloc"] }
local = { path = "../local" }

[target.'cfg(unix)'.dependencies]
serde = { workspace = true }

[lints]
workspace = true
"""


def test_inline_workspace_inheritance(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    crate_dir = ws_dir / "crates" / "member"
    workspace = tomllib.loads(WORKSPACE)["workspace"]
    doc = TomlDocument(MEMBER)
    manifests.inline_workspace_inheritance(
        doc, workspace, crate_dir, ws_dir, crate_dir / "Cargo.toml"
    )
    text = doc.as_string()
    assert "workspace" not in text
    assert text.startswith('# the bindings\n[package]\nname = "member"  # keep this comment\n')
    data = tomllib.loads(text)
    assert data["package"] == {
        "name": "member",
        "version": "1.2.3",
        "edition": "2021",
        "authors": ["A <a@example.invalid>"],
        "description": "stays",
    }
    # (where an inlined key lands is tomlkit's choice: a dotted key becomes a plain one)
    deps = data["dependencies"]
    assert deps["serde"] == "1"
    assert deps["helper"] == {"path": "../helper", "version": "1.2", "optional": True}
    assert deps["rand"] == {
        "version": "0.8",
        "default-features": False,
        "features": ["std", "alloc"],
    }
    assert deps["local"] == {"path": "../local"}
    assert data["target"]["cfg(unix)"]["dependencies"]["serde"] == "1"
    assert data["lints"] == {"rust": {"unsafe_code": "forbid"}}


def test_inheriting_a_missing_key_is_an_error(tmp_path: Path) -> None:
    doc = TomlDocument('[package]\nname = "x"\nlicense.workspace = true\n')
    with pytest.raises(ConfigError, match=r"package\.license: inherits from the workspace"):
        manifests.inline_workspace_inheritance(
            doc, {"package": {}}, tmp_path / "x", tmp_path, tmp_path / "x" / "Cargo.toml"
        )


def test_prune_workspace(tmp_path: Path) -> None:
    (tmp_path / "vendor" / "used").mkdir(parents=True)
    doc = TomlDocument(WORKSPACE)
    members = [tmp_path / "crates" / "py"]
    manifests.prune_workspace(doc, tmp_path, members, [*members, tmp_path / "vendor" / "used"])
    data = tomllib.loads(doc.as_string())
    assert data["workspace"]["members"] == ["crates/*"]
    assert "default-members" not in data["workspace"]
    assert data["patch"] == {"crates-io": {"used": {"path": "vendor/used"}}}
    assert "[workspace.package]" in doc.as_string()  # the rest untouched


def test_strip_to_workspace() -> None:
    doc = TomlDocument('[package]\nname = "root"\n[dependencies]\nx = "1"\n' + WORKSPACE)
    manifests.strip_to_workspace(doc)
    assert set(tomllib.loads(doc.as_string())) == {"workspace", "patch"}


def test_drop_missing_targets() -> None:
    doc = TomlDocument(
        '[package]\nname = "x"\nbuild = "gen/build.rs"\ndefault-run = "tool"\n'
        '[[bin]]\nname = "tool"\npath = "tools/tool.rs"\n[[bin]]\nname = "main"\n'
        '[[example]]\nname = "demo"\n'
    )
    manifests.drop_missing_targets(doc, {"bin": {"tool"}, "example": {"demo"}}, True)
    data = tomllib.loads(doc.as_string())
    assert data["bin"] == [{"name": "main"}]
    assert "example" not in data
    assert data["package"] == {"name": "x"}


def test_rewrite_pyproject_keeps_the_rest() -> None:
    text = (
        '[project]\nname = "x"  # name\nreadme = {file = "../README.md", content-type = "text/markdown"}\n\n'
        '# settings\n[tool.maturin]\nmanifest-path = "Cargo.toml"\nfeatures = ["a"]\n'
    )
    doc = TomlDocument(text)
    manifests.rewrite_pyproject(
        doc, "tool.maturin", {"manifest-path": "py/Cargo.toml"}, {"readme": "README.md"}
    )
    out = doc.as_string()
    assert 'name = "x"  # name' in out and "# settings" in out
    data = tomllib.loads(out)
    assert data["tool"]["maturin"] == {"manifest-path": "py/Cargo.toml", "features": ["a"]}
    assert data["project"]["readme"] == {"file": "README.md", "content-type": "text/markdown"}
    assert out.index("manifest-path") < out.index("features")


def test_rewrite_pyproject_adds_the_tool_table() -> None:
    doc = TomlDocument('[project]\nname = "x"\n')
    manifests.rewrite_pyproject(doc, "tool.ferrule", {"manifest-path": "py/Cargo.toml"}, {})
    assert tomllib.loads(doc.as_string())["tool"] == {"ferrule": {"manifest-path": "py/Cargo.toml"}}
    assert "[tool]" not in doc.as_string()


# -- the crate graph ---------------------------------------------------------------


def test_crate_graph_walks_to_local_crates_only(tmp_path: Path) -> None:
    def pkg(name: str, source: str | None, where: str) -> dict[str, object]:
        return {
            "id": name,
            "name": name,
            "version": "1.0.0",
            "source": source,
            "manifest_path": str(tmp_path / where / "Cargo.toml"),
            "targets": [{"kind": ["lib"], "name": name, "src_path": str(tmp_path / where)}],
        }

    registry = "registry+https://github.com/rust-lang/crates.io-index"
    metadata = {
        "workspace_root": str(tmp_path),
        "workspace_members": ["root", "unused"],
        "packages": [
            pkg("root", None, "py"),
            pkg("core", None, "core"),
            pkg("serde", registry, "reg/serde"),
            pkg("patched", None, "vendor/patched"),
            pkg("unused", None, "tools/unused"),
        ],
        "resolve": {
            "root": "root",
            "nodes": [
                {"id": "root", "deps": [{"pkg": "core"}, {"pkg": "serde"}]},
                {"id": "core", "deps": []},
                {"id": "serde", "deps": [{"pkg": "patched"}]},
                {"id": "patched", "deps": []},
                {"id": "unused", "deps": [{"pkg": "core"}]},
            ],
        },
    }
    graph = parse_crate_graph(metadata, tmp_path / "py" / "Cargo.toml")
    assert graph.root.name == "root" and graph.root.member
    assert [c.name for c in graph.path_dependencies] == ["core", "patched"]


# -- unpacking ----------------------------------------------------------------------


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_unpack_resets_times_and_refuses_escapes(tmp_path: Path) -> None:
    good = tarfile.TarInfo("p-1/src/lib.rs")
    good.mtime = 1153704088
    top = unpack_sdist(_tar(tmp_path / "ok.tar.gz", [(good, b"x")]), tmp_path / "ok")
    assert top == tmp_path / "ok" / "p-1"
    assert (top / "src" / "lib.rs").stat().st_mtime > time.time() - 3600
    for name in ("../evil", "/abs"):
        bad = _tar(tmp_path / "bad.tar.gz", [(tarfile.TarInfo(name), b"x")])
        with pytest.raises(FerruleError, match="refusing to unpack"):
            unpack_sdist(bad, tmp_path / "bad")
    link = tarfile.TarInfo("p-1/link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    with pytest.raises(FerruleError, match="refusing to unpack"):
        unpack_sdist(_tar(tmp_path / "link.tar.gz", [(link, b"")]), tmp_path / "link")
    two = [(tarfile.TarInfo("a-1/x"), b""), (tarfile.TarInfo("b-1/x"), b"")]
    with pytest.raises(FerruleError, match="one top directory"):
        unpack_sdist(_tar(tmp_path / "two.tar.gz", two), tmp_path / "two")


def test_gzip_of_archive_is_plain(tmp_path: Path) -> None:
    target = write_archive(tmp_path / "p.tar.gz", "p-1", [SdistEntry("PKG-INFO", data=b"")], {})
    with gzip.open(target) as handle:
        assert handle.read(512)[:10] == b"p-1/PKG-IN"


# -- path remapping ----------------------------------------------------------------


def _invocation(env: dict[str, str]) -> CargoInvocation:
    return CargoInvocation(("cargo", "rustc", "--lib"), env, Path("Cargo.toml"))


REMAP = PathRemap(("--remap-path-prefix=/ws=.",), ("--remap-path-prefix=/core dir=core-1",))


def test_remap_through_cargo_config() -> None:
    applied = REMAP.apply(_invocation({}))
    assert applied.argv == (
        "cargo",
        "rustc",
        "--lib",
        "--config",
        'build.rustflags=["--remap-path-prefix=/core dir=core-1"]',
        "--",
        "--remap-path-prefix=/ws=.",
    )
    assert "CARGO_ENCODED_RUSTFLAGS" not in applied.env


def test_remap_merges_with_user_rustflags() -> None:
    applied = REMAP.apply(_invocation({"RUSTFLAGS": "-C target-cpu=native"}))
    assert applied.env["CARGO_ENCODED_RUSTFLAGS"] == "\x1f".join(
        ["-C", "target-cpu=native", "--remap-path-prefix=/core dir=core-1"]
    )
    assert "--config" not in applied.argv
    encoded = REMAP.apply(_invocation({"CARGO_ENCODED_RUSTFLAGS": "--cfg\x1ffoo"}))
    assert encoded.env["CARGO_ENCODED_RUSTFLAGS"].split("\x1f") == [
        "--cfg",
        "foo",
        "--remap-path-prefix=/core dir=core-1",
    ]


def test_remap_keeps_user_rustc_args_last() -> None:
    invocation = CargoInvocation(("cargo", "rustc", "--", "-Copt-level=1"), {}, Path("C"))
    applied = PathRemap(("--remap-path-prefix=/ws=.",)).apply(invocation)
    assert applied.argv[-3:] == ("--", "--remap-path-prefix=/ws=.", "-Copt-level=1")


def test_user_remaps_win_and_debug_builds_keep_paths() -> None:
    crates = [PathCrate(Path("/elsewhere/core"), "core", "1.0.0")]
    assert path_remap(Path("/ws"), crates, None, "release", [], [], {}).rustflags
    assert path_remap(Path("/ws"), crates, None, "dist", [], [], {}).rustflags
    assert path_remap(Path("/ws"), crates, None, "dev", [], [], {}) == PathRemap()
    user = {"RUSTFLAGS": "--remap-path-prefix=/a=b"}
    assert path_remap(Path("/ws"), crates, None, "release", [], [], user) == PathRemap()
    trim = ["trim-paths"]
    assert path_remap(Path("/ws"), crates, None, "release", [], trim, {}) == PathRemap()


def test_workspace_roots_and_path_crates() -> None:
    files = TomlFiles()
    outside = CRATES / "sdist-outside"
    # excluded from the workspace next to it: its own root
    assert cargo_workspace_root(outside / "py" / "Cargo.toml", files) == outside / "py"
    assert cargo_workspace_root(outside / "core" / "Cargo.toml", files) == outside
    member = CRATES / "sdist-member"
    assert cargo_workspace_root(member / "bindings" / "python" / "Cargo.toml", files) == member
    assert path_crates(outside / "py" / "Cargo.toml", files) == (
        PathCrate(outside / "core", "outside-core", "2.0.1"),
    )
    workspace = CRATES / "sdist-workspace"
    assert [c.name for c in path_crates(workspace / "crates" / "python" / "Cargo.toml", files)] == [
        "ws-shapes"
    ]
