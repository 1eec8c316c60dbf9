"""The build tells the audit whether the extension is abi3 (the Windows audit's python3.dll rule).

A real build of an abi3 crate and of a version-specific one, with the audit
wrapped to record the request ``build/native.py`` makes (the real audit still
runs); each wheel is installed and called.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ferrule.audit import AuditRequest
from ferrule.build import native
from tests.conftest import CRATES
from tests.helpers.venv import VEnv

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("crate", "abi3"), [("tags-abi3", True), ("pyo3-pure", False)])
def test_the_audit_request_says_whether_the_unit_is_abi3(
    crate: str, abi3: bool, tmp_path: Path, venv: VEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ferrule.cli import main

    requests: list[AuditRequest] = []
    real = native.audit_extension

    def recording(extension: Path, request: AuditRequest, **kwargs: Any) -> Any:
        requests.append(request)
        return real(extension, request, **kwargs)

    monkeypatch.setattr(native, "audit_extension", recording)
    monkeypatch.chdir(CRATES / crate)
    assert main(["build", "--release", "-o", str(tmp_path)]) == 0
    assert [r.abi3 for r in requests] == [abi3]
    (wheel,) = tmp_path.glob("*.whl")
    assert ("-abi3-" in wheel.name) is abi3
    venv.pip("install", "--no-deps", wheel)
    assert venv.exercise(CRATES / crate / "exercise.py").endswith("ok")
