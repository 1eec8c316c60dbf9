#!/usr/bin/env bash
# Make (or refresh) the development environment in .venv: ferrule installed
# editable, plus the test and lint tools. Safe to run again; quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
for tool in "$PYTHON" cargo rustc; do
    command -v "$tool" >/dev/null || { echo "setup: $tool is required but not on PATH" >&2; exit 1; }
done

# System packages the tests need: PyPy (Debian's pypy3 is PyPy 3.9), patchelf for
# wheel repair, the libz / libbz2 headers the audit test crate links against, and
# cbindgen, which writes the C header of cffi crates; redis-server, the shared
# cache the sccache test (tests/integration/test_sccache.py) stores into.
missing=()
command -v pypy3 >/dev/null || missing+=(pypy3)
command -v patchelf >/dev/null || missing+=(patchelf)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -e /usr/include/bzlib.h ] || missing+=(libbz2-dev)
command -v cbindgen >/dev/null || missing+=(cbindgen)
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v redis-server >/dev/null || missing+=(redis-server)
# --pgo merges rustc's profiles with an llvm-profdata of rustc's own LLVM major
# (tests/integration/test_pgo.py); Debian packages it as llvm-<major>.
llvm=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if [ -n "$llvm" ] && ! command -v "llvm-profdata-$llvm" >/dev/null \
    && [ ! -x "$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-profdata" ]; then
    missing+=("llvm-$llvm")
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]} with apt-get" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    else
        echo "setup: please install ${missing[*]} (tests that need them will fail)" >&2
    fi
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv" >&2
    "$PYTHON" -m venv .venv
fi

stamp=.venv/.ferrule-setup
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing ferrule and the test tools into .venv" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,lint]'
    echo "$want" > "$stamp"
fi

# Every distribution a test installs, in a local wheelhouse: the tests install with
# --no-index --find-links .cache/wheelhouse and never reach an index (tests/conftest.py).
# ferrule's build requirements (flit_core: its own wheel is built per session, offline)
# and runtime dependencies, for this Python and for PyPy 3.9 (tests/integration/test_oldest_python.py),
# and what tests/wheelhouse.txt lists; at the versions .venv holds where it holds them.
house=.cache/wheelhouse
want=$(cat pyproject.toml tests/wheelhouse.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$house/.stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: filling $house" >&2
    rm -rf "$house"
    mkdir -p "$house"
    .venv/bin/python - > "$house/.ferrule-requires.txt" <<'PY'
try:
    import tomllib
except ImportError:
    import tomli as tomllib
with open("pyproject.toml", "rb") as f:
    data = tomllib.load(f)
print("\n".join(data["build-system"]["requires"] + data["project"]["dependencies"]))
PY
    .venv/bin/python -m pip freeze --exclude-editable > "$house/.constraints.txt"
    pip_download=(.venv/bin/python -m pip download -q --disable-pip-version-check -d "$house")
    "${pip_download[@]}" -c "$house/.constraints.txt" \
        -r "$house/.ferrule-requires.txt" -r tests/wheelhouse.txt
    # PyPy 3.9 (Debian's pypy3): what its own pip picks for ferrule's dependencies (tomli,
    # and releases that still support 3.9). Its pip, not --python-version: pip evaluates
    # the requirements' markers for the interpreter it runs on.
    if command -v pypy3 >/dev/null; then
        pypy3 -m pip download -q --disable-pip-version-check --only-binary=:all: -d "$house" \
            -r "$house/.ferrule-requires.txt"
    fi
    echo "$want" > "$house/.stamp"
fi

# The crates the tests compile and read, fetched here so that no test reaches the network
# (cargo fetches a missing crate at build time otherwise): every lock file under
# tests/crates. The TOML editor's corpus (tests/unit/test_tomldoc.py) reads exactly the
# locked packages of pyo3-pure, bind-uniffi and toml-corpus. And what the projects
# `ferrule new` writes depend on (no lock file there: tests/integration/test_scaffold.py builds them
# with CARGO_NET_OFFLINE, so cargo resolves them from what is fetched here).
want=$( (find tests/crates -name Cargo.lock -not -path '*/target/*' | sort | xargs cat
    cat src/ferrule/scaffold/__init__.py scripts/setup.sh) | sha256sum | cut -d' ' -f1)
if [ "$(cat .cache/.cargo-fetched 2>/dev/null)" != "$want" ]; then
    echo "setup: fetching the test crates' dependencies" >&2
    find tests/crates -name Cargo.lock -not -path '*/target/*' | sort | while read -r lock; do
        manifest="$(dirname "$lock")/Cargo.toml"
        if [ -e "$manifest" ]; then cargo fetch --locked -q --manifest-path "$manifest"; fi
    done
    scaffold=$(mktemp -d)
    for bindings in pyo3 cffi uniffi bin; do
        (cd "$scaffold" && "$OLDPWD/.venv/bin/python" -m ferrule new -b "$bindings" "new-$bindings" 2>/dev/null)
        cargo fetch -q --manifest-path "$scaffold/new-$bindings/Cargo.toml"
    done
    rm -rf "$scaffold"
    mkdir -p .cache
    echo "$want" > .cache/.cargo-fetched
fi
# The pinned cbindgen (the version maturin embeds) that ferrule installs on first
# use for cffi crates: installed once here, into ferrule's default tool directory
# (~/.cache/ferrule/tools), where the tests look for it (tests/conftest.py), so that
# no test compiles it and a fresh clone reuses it. Quick when already there.
.venv/bin/python -c \
    'import os; from ferrule.bindings.cbindgen import cbindgen_executable as c; c(os.environ)' >&2
