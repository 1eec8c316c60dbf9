"""The configuration reference lists every key the model knows."""

from __future__ import annotations

from pathlib import Path

from ferrule.config.tool import KNOWN_KEYS

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_key_is_documented() -> None:
    text = DOC.read_text()
    missing = [key for key in KNOWN_KEYS if f"`{key}`" not in text]
    assert missing == []
