"""Issue 2: file list, tags, WHEEL and RECORD format match maturin's for the same crate.

Intended differences (docs/differences.md): the Generator line names the tool; the
crate's SBOM (``.dist-info/sboms/``, in both wheels) differs in its serial number,
timestamp and local package ids (docs/compat.md, "SBOM"; tests/integration/test_sbom.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.maturin]


def names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        return z.namelist()


def read(wheel: Path, suffix: str) -> str:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(suffix)]
        return z.read(name).decode()


def test_same_file_list_in_the_same_order(pure_wheel_cli: Path, maturin_pure_wheel: Path) -> None:
    assert names(pure_wheel_cli) == names(maturin_pure_wheel)


def test_same_file_name_and_tags(pure_wheel_cli: Path, maturin_pure_wheel: Path) -> None:
    assert pure_wheel_cli.name == maturin_pure_wheel.name


def test_same_wheel_file_apart_from_the_generator(
    pure_wheel_cli: Path, maturin_pure_wheel: Path
) -> None:
    ours = read(pure_wheel_cli, ".dist-info/WHEEL").splitlines()
    theirs = read(maturin_pure_wheel, ".dist-info/WHEEL").splitlines()
    assert [line for line in ours if not line.startswith("Generator:")] == [
        line for line in theirs if not line.startswith("Generator:")
    ]
    assert any(line.startswith("Generator: ferrule (") for line in ours)


def test_same_record_format(pure_wheel_cli: Path, maturin_pure_wheel: Path) -> None:
    def rows(wheel: Path) -> list[list[str]]:
        return list(csv.reader(io.StringIO(read(wheel, ".dist-info/RECORD"))))

    ours, theirs = rows(pure_wheel_cli), rows(maturin_pure_wheel)
    assert [r[0] for r in ours] == [r[0] for r in theirs]
    hashed = re.compile(r"^sha256=[A-Za-z0-9_-]{43}$")
    for a, b in zip(ours[:-1], theirs[:-1]):
        assert hashed.match(a[1]) and hashed.match(b[1])
        assert a[2].isdigit() and b[2].isdigit()
    assert ours[-1] == [*theirs[-1][:1], "", ""]
    # Files that are not compiled are byte-identical, so their rows are too.
    assert ours[0] == theirs[0]  # pyo3_pure/__init__.py


def test_same_metadata_fields(pure_wheel_cli: Path, maturin_pure_wheel: Path) -> None:
    ours = HeaderParser().parsestr(read(pure_wheel_cli, ".dist-info/METADATA"))
    theirs = HeaderParser().parsestr(read(maturin_pure_wheel, ".dist-info/METADATA"))
    assert sorted(ours.items()) == sorted(theirs.items())


def test_same_zip_entry_attributes(pure_wheel_cli: Path, maturin_pure_wheel: Path) -> None:
    def attrs(wheel: Path) -> list[tuple[str, tuple[int, ...], int]]:
        with zipfile.ZipFile(wheel) as z:
            return [(i.filename, i.date_time, i.external_attr >> 16) for i in z.infolist()]

    assert attrs(pure_wheel_cli) == attrs(maturin_pure_wheel)
