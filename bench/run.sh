#!/usr/bin/env bash
# Set up, then benchmark ferrule against maturin (installed from PyPI) in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python bench/run.py "$@"
