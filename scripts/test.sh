#!/usr/bin/env bash
# Set up, then run the whole test suite: lint, type checks, unit and integration tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not slow" -x).
# --deep: the property tests draw 10,000 examples each instead of 200
# (e.g. scripts/test.sh --deep tests/unit/config).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
    if [ "$arg" = "--deep" ]; then
        export FERRULE_HYPOTHESIS_PROFILE=deep
    else
        args+=("$arg")
    fi
done
bash scripts/setup.sh

echo "== ruff" >&2
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src
echo "== mypy (strict, src/)" >&2
.venv/bin/mypy
echo "== pytest" >&2
# The slowest tests are printed with every run: the suite must stay within 15 minutes warm
# (docs/testing.md, "Suite time").
.venv/bin/python -m pytest --durations=15 ${args[@]+"${args[@]}"}
