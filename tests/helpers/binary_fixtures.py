"""The zig-built Mach-O, PE and musl ELF fixtures of tests/fixtures/binaries/ and their facts.

Made by scripts/make-binary-fixtures.py; ``manifest.json`` holds what each was
built with (target, minimum macOS, libraries linked), written from the script's
recipes, not read back from the files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "binaries"


@cache
def manifest() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((FIXTURES / "manifest.json").read_text())
    return data


def names(fmt: str) -> list[str]:
    return sorted(n for n, facts in manifest().items() if facts["format"] == fmt)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def version(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]
