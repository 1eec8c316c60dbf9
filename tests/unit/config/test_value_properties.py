"""Property tests of values read from configuration: Rust versions, wheel tags, archive names.

Moved from tests/test_properties.py (issue 9) into the fast layer. The number of
examples comes from the hypothesis profile (conftest.py): 200, or 10,000 with
``scripts/test.sh --deep``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from packaging.tags import parse_tag
from packaging.version import InvalidVersion, Version

from ferrule.errors import FerruleError
from ferrule.interpreter import Interpreter
from ferrule.metadata.cargo import rust_version_to_pep440
from ferrule.tags import wheel_tag
from ferrule.wheel.writer import WheelWriter


@given(st.text(alphabet="0123456789.-+abcdefghijklmnopqrstuvwxyzABC", min_size=1, max_size=20))
def test_rust_versions_convert_or_say_why(version: str) -> None:
    try:
        converted = rust_version_to_pep440(version)
    except InvalidVersion:
        return
    assert str(Version(converted)) == converted


@given(
    major=st.integers(0, 3),
    minor=st.integers(9, 15),
    pre=st.sampled_from(["alpha", "beta", "rc"]),
    n=st.integers(0, 99),
)
def test_semver_prereleases(major: int, minor: int, pre: str, n: int) -> None:
    converted = rust_version_to_pep440(f"{major}.{minor}.0-{pre}.{n}")
    assert converted == f"{major}.{minor}.0{ {'alpha': 'a', 'beta': 'b', 'rc': 'rc'}[pre] }{n}"


@given(
    implementation=st.sampled_from(["cpython", "pypy", "graalpy"]),
    major=st.integers(2, 4),
    minor=st.integers(0, 20),
    free_threaded=st.booleans(),
    platform=st.sampled_from(
        [
            "linux-x86_64",
            "linux-aarch64",
            "macosx-11.0-arm64",
            "macosx-10.9-universal2",
            "win-amd64",
            "linux-i686",
        ]
    ),
)
def test_wheel_tags_parse(
    implementation: str, major: int, minor: int, free_threaded: bool, platform: str
) -> None:
    soabi = {
        "cpython": f"cpython-{major}{minor}{'t' if free_threaded else ''}-x86_64-linux-gnu",
        "pypy": f"pypy{major}{minor}-pp73",
        "graalpy": f"graalpy{major}{minor}-native",
    }[implementation]
    interp = Interpreter(
        implementation,
        major,
        minor,
        "t" if free_threaded else "",
        ".so",
        soabi,
        platform,
        "/p",
        "/p",
        free_threaded,
        64,
    )
    tag = wheel_tag(interp, {})
    (parsed,) = parse_tag(tag)
    assert str(parsed) == tag.lower()


names = st.lists(
    st.text(alphabet="ab./\\:-_ ", min_size=0, max_size=12), min_size=1, max_size=6, unique=True
)


@given(names=names, payloads=st.lists(st.binary(max_size=64), min_size=6, max_size=6))
def test_record_matches_whatever_was_written(
    scratch: Path, names: list[str], payloads: list[bytes]
) -> None:
    target = scratch / "wheels" / "demo-1.0-py3-none-any.whl"
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        with WheelWriter(target, "demo-1.0.dist-info", {}) as writer:
            for name, payload in zip(names, payloads):
                writer.add_bytes(name, payload)
    except FerruleError:
        assert not target.exists()
        assert list(target.parent.glob("*.part")) == []
        return
    with zipfile.ZipFile(target) as z:
        rows = list(csv.reader(io.StringIO(z.read("demo-1.0.dist-info/RECORD").decode())))
        # RECORD rows are sorted by path components, as maturin's (a BTreeMap of paths).
        assert [r[0] for r in rows[:-1]] == sorted(names, key=lambda n: n.split("/"))
        for name, digest, size in rows[:-1]:
            assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
            data = z.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (f"sha256={expected}", len(data))
