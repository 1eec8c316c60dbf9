"""Hypothesis profiles for the property tests: 200 examples, 10,000 with ``scripts/test.sh --deep``.

``FERRULE_HYPOTHESIS_PROFILE=deep`` (set by ``scripts/test.sh --deep``) selects the deep
profile, ``mutation`` (25 examples) the one ``scripts/mutation.sh`` uses. None keeps a
database of examples (``.hypothesis/``): every run draws afresh, so a run explores new
space instead of replaying the last one's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "database": None,
    # Each example writes a small project to disk: slower than hypothesis expects.
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ferrule", max_examples=200, **_COMMON)
settings.register_profile("deep", max_examples=10_000, **_COMMON)
# scripts/mutation.sh: these tests run once per mutant they reach; fewer examples can only
# let more mutants survive, never fewer.
settings.register_profile("mutation", max_examples=25, **_COMMON)
settings.load_profile(os.environ.get("FERRULE_HYPOTHESIS_PROFILE", "ferrule"))


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """One directory for all examples of a module, in memory when the machine has /dev/shm:
    thousands of small projects cost milliseconds each on a journalling disk."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    directory = Path(tempfile.mkdtemp(prefix="ferrule-properties-", dir=base))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
