"""Regenerate src/ferrule/audit/policy-data.json from the installed auditwheel.

Usage: .venv/bin/python scripts/update_policy_data.py
tests/integration/test_audit_policy.py fails when the shipped data and auditwheel's differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ferrule.audit.policy import DATA_FILE, derive_policy_data  # noqa: E402


def main() -> None:
    data = derive_policy_data()
    DATA_FILE.write_text(
        json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"wrote {DATA_FILE} from auditwheel {data['source']['auditwheel']}")


if __name__ == "__main__":
    main()
