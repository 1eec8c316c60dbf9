"""Issue 5: the shipped manylinux/musllinux policy data is auditwheel's (drift test)."""

from __future__ import annotations

import json

from ferrule.audit.policy import (
    DATA_FILE,
    derive_policy_data,
    manylinux_policies,
    musllinux_policies,
    policy_by_name,
)


def test_policy_data_matches_the_installed_auditwheel() -> None:
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    derived = derive_policy_data()
    assert shipped == derived, (
        "src/ferrule/audit/policy-data.json differs from auditwheel "
        f"{derived['source']['auditwheel']}: run scripts/update_policy_data.py"
    )


def test_policies_load_in_priority_order() -> None:
    names = [p.name for p in manylinux_policies()]
    assert names[0] == "manylinux_2_5" and names[-1] == "linux"
    assert "manylinux_2_17" in names and "manylinux_2_28" in names
    priorities = [p.priority for p in manylinux_policies()]
    assert priorities == sorted(priorities, reverse=True)
    assert {p.name for p in musllinux_policies()} >= {"musllinux_1_1", "musllinux_1_2"}


def test_legacy_aliases_resolve() -> None:
    assert policy_by_name("manylinux2014").name == "manylinux_2_17"
    assert policy_by_name("manylinux2010").name == "manylinux_2_12"
    assert policy_by_name("manylinux1").name == "manylinux_2_5"
    # The legacy alias first, as maturin 1.16 names wheels (manylinux2014_x86_64.manylinux_2_17_x86_64).
    assert policy_by_name("manylinux_2_17").platform_tags("x86_64") == [
        "manylinux2014_x86_64",
        "manylinux_2_17_x86_64",
    ]
