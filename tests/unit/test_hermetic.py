"""The suite is offline after ``scripts/setup.sh``: every pip and uv a test starts installs
from the setup's wheelhouse (tests/conftest.py), never from an index."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.conftest import ROOT, WHEELHOUSE
from tests.helpers.venv import clean_env, run

TESTS = ROOT / "tests"


def _dry_run(requirement: str) -> tuple[int, str]:
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
    proc = run([*pip, "--quiet", "--report", "-", requirement], check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_the_environment_tests_pass_on_is_offline() -> None:
    env = clean_env()
    assert env["PIP_NO_INDEX"] == "1"
    assert env["PIP_FIND_LINKS"] == str(WHEELHOUSE)
    assert (env["UV_NO_INDEX"], env["UV_OFFLINE"]) == ("1", "1")
    assert env["UV_FIND_LINKS"] == str(WHEELHOUSE)


def test_pip_resolves_from_the_wheelhouse() -> None:
    code, out = _dry_run("pytest")
    assert code == 0, out
    urls = [item["download_info"]["url"] for item in json.loads(out)["install"]]
    assert urls
    assert all(url.startswith(WHEELHOUSE.as_uri() + "/") for url in urls), urls


def test_what_the_wheelhouse_lacks_is_not_fetched() -> None:
    # A real project on PyPI that no test installs: with an index it would resolve.
    code, out = _dry_run("requests")
    assert code != 0
    assert "No matching distribution found for requests" in out


def test_no_test_downloads_or_names_an_index() -> None:
    """Downloads belong to scripts/setup.sh (tests/wheelhouse.txt); the one index a test
    may use is test_publish's local pypiserver."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__):
            continue
        text = path.read_text()
        for pattern in (r'"pip",\s*"download"', r'pip\("download"', r"--index-url"):
            if re.search(pattern, text) and not (
                path.name == "test_publish.py" and pattern == "--index-url"
            ):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []
