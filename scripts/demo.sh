#!/usr/bin/env bash
# Set up, build the example crate (examples/hello) into a wheel with ferrule,
# install it into a fresh virtual environment and call it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

out=.cache/demo/wheels
rm -rf .cache/demo && mkdir -p "$out"
(cd examples/hello && ../../.venv/bin/ferrule build --release -o "../../$out")
wheel=$(ls "$out"/*.whl)
echo "built: $wheel"

python3 -m venv .cache/demo/venv
.cache/demo/venv/bin/python -m pip install -q --disable-pip-version-check "$wheel"
.cache/demo/venv/bin/python - <<'PY'
import hello_ferrule
print(hello_ferrule.greet("ferrule"))
print("fib(90) =", hello_ferrule.fib(90))
assert hello_ferrule.fib(90) == 2880067194370816120
PY
