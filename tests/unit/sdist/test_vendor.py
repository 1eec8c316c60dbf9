"""``sdist --vendor``'s cargo configuration (issue 24 item 5): merged, never clobbered.

The sources are what ``cargo vendor`` prints (crates.io, a git source, the vendored
directory relocated to ``vendor``); tests/integration/test_sdist_vendor.py builds a
wheel from a vendored sdist with no registry reachable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ferrule.errors import ConfigError, FerruleError
from ferrule.sdist.archive import SdistEntry
from ferrule.sdist.vendor import merge_cargo_config, relocated_sources, with_vendored

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GIT = "git+https://example.invalid/dep?rev=0123abc"
PRINTED = {  # cargo vendor's stdout, parsed, for a lock with a git dependency
    "crates-io": {"replace-with": "vendored-sources"},
    GIT: {
        "git": "https://example.invalid/dep",
        "rev": "0123abc",
        "replace-with": "vendored-sources",
    },
    "vendored-sources": {"directory": "/tmp/ferrule-vendor-x/vendor"},
}
SOURCES = relocated_sources(PRINTED, Path("/tmp/ferrule-vendor-x/vendor"))


def test_sources_name_the_vendor_directory_relative_to_the_top() -> None:
    assert SOURCES["vendored-sources"] == {"directory": "vendor"}
    assert SOURCES[GIT] == PRINTED[GIT]  # git sources replaced too, as cargo printed them


def test_fresh_config() -> None:
    text = merge_cargo_config(None, SOURCES).decode()
    assert text.startswith("# Written by `ferrule sdist --vendor`")
    assert tomllib.loads(text) == {"source": SOURCES}
    assert text.endswith("\n")
    assert merge_cargo_config(None, SOURCES) == merge_cargo_config(
        None, dict(reversed(SOURCES.items()))
    )


PROJECT = """\
# the project's cargo settings
[build]
rustflags = ["--cfg", "fast"]  # keep this

[source.my-mirror]
registry = "sparse+https://mirror.example.invalid/index/"
"""


def test_merged_into_the_projects_config(capsys: pytest.CaptureFixture[str]) -> None:
    text = merge_cargo_config(PROJECT.encode(), SOURCES, Path("p/.cargo/config.toml")).decode()
    assert text.startswith(PROJECT)  # every line of it as written
    data = tomllib.loads(text)
    assert data["build"] == {"rustflags": ["--cfg", "fast"]}
    assert data["source"] == {
        "my-mirror": {"registry": "sparse+https://mirror.example.invalid/index/"},
        **SOURCES,
    }
    assert capsys.readouterr().err == ""


def test_a_replaced_source_is_named_in_one_warning(capsys: pytest.CaptureFixture[str]) -> None:
    mine = b'[source.crates-io]\nreplace-with = "my-mirror"\n\n[source.my-mirror]\nregistry = "x"\n'
    text = merge_cargo_config(mine, SOURCES, Path("p/.cargo/config.toml")).decode()
    assert tomllib.loads(text)["source"]["crates-io"] == {"replace-with": "vendored-sources"}
    (line,) = capsys.readouterr().err.splitlines()
    assert "p/.cargo/config.toml" in line and "source.crates-io" in line and "--vendor" in line


def test_an_unreadable_config_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"p/\.cargo/config\.toml"):
        merge_cargo_config(b"[source\n", SOURCES, Path("p/.cargo/config.toml"))


def _entries(vendor: Path, *extra: SdistEntry) -> tuple[SdistEntry, ...]:
    return (SdistEntry("PKG-INFO", data=b"x"), SdistEntry("src/lib.rs", data=b""), *extra)


def test_vendored_entries_and_the_legacy_config_name(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    (vendor / "dep-1.0.0" / "src").mkdir(parents=True)
    (vendor / "dep-1.0.0" / ".cargo-checksum.json").write_text("{}")
    (vendor / "dep-1.0.0" / "src" / "lib.rs").write_text("")
    tool = vendor / "dep-1.0.0" / "run.sh"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    legacy = SdistEntry(".cargo/config", data=b"[net]\nretry = 1\n")
    out = {e.arcname: e for e in with_vendored(_entries(vendor, legacy), vendor, SOURCES)}
    # cargo reads .cargo/config first when both exist: the sources go there.
    assert ".cargo/config.toml" not in out
    assert tomllib.loads((out[".cargo/config"].data or b"").decode()) == {
        "net": {"retry": 1},
        "source": SOURCES,
    }
    assert sorted(n for n in out if n.startswith("vendor/")) == [
        "vendor/dep-1.0.0/.cargo-checksum.json",
        "vendor/dep-1.0.0/run.sh",
        "vendor/dep-1.0.0/src/lib.rs",
    ]
    assert out["vendor/dep-1.0.0/run.sh"].executable
    assert not out["vendor/dep-1.0.0/src/lib.rs"].executable


def test_a_packed_vendor_directory_is_refused(tmp_path: Path) -> None:
    theirs = SdistEntry("vendor/notes.txt", source=tmp_path / "vendor" / "notes.txt")
    with pytest.raises(FerruleError, match=r"already has vendor/notes\.txt"):
        with_vendored(_entries(tmp_path, theirs), tmp_path / "v", SOURCES)
