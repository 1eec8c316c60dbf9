#!/usr/bin/env bash
# Set up, then run the whole test suite: lint, type checks, unit and integration tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not slow" -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== ruff" >&2
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src
echo "== mypy (strict, src/)" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/python -m pytest "$@"
