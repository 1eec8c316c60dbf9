"""PEP 794: a wheel whose ``[project]`` sets ``import-names`` carries Core Metadata 2.5's
``Import-Name`` (maturin 1.16 drops it; docs/compat.md), valid for ``packaging`` and
``twine check``, installable, importable; the metadata hook writes the same METADATA."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from packaging.metadata import Metadata

from tests.conftest import CRATES, ferrule
from tests.helpers.metadata_projects import prepare_metadata
from tests.helpers.venv import VEnv, run

pytestmark = pytest.mark.slow


def test_a_wheel_with_import_names(
    crate_copy: Callable[[str], Path], tmp_path: Path, venv: VEnv
) -> None:
    crate = crate_copy("pyo3-pure")
    pyproject = crate / "pyproject.toml"
    text = pyproject.read_text()
    assert 'dynamic = ["version"]\n' in text
    pyproject.write_text(
        text.replace(
            'dynamic = ["version"]\n',
            'dynamic = ["version"]\nimport-names = ["pyo3_pure"]\n'
            'import-namespaces = ["pyo3_pure_ns; private"]\n',
        )
    )
    out = tmp_path / "wheels"
    ferrule("build", "--release", "-o", out, cwd=crate)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (name,) = (n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        rfc822 = zf.read(name)

    meta = Metadata.from_email(rfc822, validate=True)
    assert meta.metadata_version == "2.5"
    assert meta.import_names == ["pyo3_pure"]
    assert meta.import_namespaces == ["pyo3_pure_ns; private"]
    # The last headers, before the readme.
    head = rfc822.split(b"\n\n", 1)[0]
    assert head.endswith(b"\nImport-Name: pyo3_pure\nImport-Namespace: pyo3_pure_ns; private")

    run([sys.executable, "-m", "twine", "check", "--strict", wheel])
    prepared = prepare_metadata(crate, tmp_path / "prepared")
    assert (prepared / "METADATA").read_bytes() == rfc822

    venv.pip("install", "-q", wheel)
    assert venv.exercise(CRATES / "pyo3-pure" / "exercise.py") == "ok"
    venv.pip("check")
