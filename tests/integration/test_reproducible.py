"""Issue 6: byte-reproducible sdists and wheels, from checkouts at different paths.

Every sdist test crate is copied twice (``tests/helpers/sdists.py``), to
directories of different depth, and the second copy's files get modification
times 400 days older. Each copy is built the release way (``ferrule build
--release --sdist``: the sdist, then the wheel from the sdist unpacked in a
fresh temporary directory, itself a different path each time) and from its
tree, each copy with its own cargo target directory so that no artifact is
shared between them.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from ferrule.cargo.stable_root import default_base
from tests.conftest import ferrule
from tests.helpers.sdists import (
    NAMES,
    checkouts,
    compiled_members,
    project_dir,
    release_builds,
    wheel_hashes,
)
from tests.helpers.venv import clean_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", NAMES)
def test_wheels_are_identical(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Also for the crate whose path dependency lies outside its Cargo workspace
    (cargo hashes that crate's absolute path): ferrule builds it through a
    stable path (docs/sdist.md)."""
    a = release_builds(tmp_path_factory, name, 0)
    b = release_builds(tmp_path_factory, name, 1)
    assert a.sdist_wheel is not None and b.sdist_wheel is not None
    assert wheel_hashes(a.tree_wheel) == wheel_hashes(b.tree_wheel)
    assert a.tree_wheel.read_bytes() == b.tree_wheel.read_bytes()
    assert a.sdist_wheel.read_bytes() == b.sdist_wheel.read_bytes()
    # and the sdist, unpacked elsewhere, gives the very same wheel as the tree
    assert a.tree_wheel.read_bytes() == a.sdist_wheel.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_no_checkout_path_in_compiled_code(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    builds = [release_builds(tmp_path_factory, name, i) for i in (0, 1)]
    # the directory a sdist is unpacked in, and the stable link ferrule builds through
    markers = [b"ferrule-sdist-", str(default_base()).encode()]
    for checkout in checkouts(tmp_path_factory):
        markers += [str(checkout.root).encode(), str(checkout.target_dir).encode()]
    wheels = [b.tree_wheel for b in builds] + [b.sdist_wheel for b in builds if b.sdist_wheel]
    for wheel in wheels:
        for arcname, data in compiled_members(wheel).items():
            for marker in markers:
                assert marker not in data, (wheel.name, arcname, marker)


def test_source_date_epoch_is_honoured(tmp_path: Path) -> None:
    env = clean_env(SOURCE_DATE_EPOCH="1700000000")
    ferrule("sdist", "-o", tmp_path, cwd=project_dir("src"), env=env)
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        assert {m.mtime for m in tar.getmembers()} == {1700000000}
