#!/usr/bin/env bash
# Build the tiny ELF shared objects of tests/fixtures/elf/, so that the fast test
# layer (tests/unit/audit/test_libc_policy.py) needs no compiler. Rerun only to
# change them, then commit the results with this script.
#
#   glibc/libfixture.so       gcc: libc.so.6 with a versioned symbol (memcpy)
#   glibc/libneeds.so         gcc: also needs libfixturedep.so (the needed-library variant)
#   glibc/libfixturedep.so    gcc: the library it needs
#   musl/…                    the same three with musl-gcc (Debian's musl-tools)
#   musl-version.txt          the version the musl objects were built against
#
# Needs gcc and musl-gcc (scripts/setup.sh installs musl-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/elf
for tool in gcc musl-gcc; do
    command -v "$tool" >/dev/null || { echo "make_elf_fixtures: $tool is required" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/fixture.c" <<'C'
#include <string.h>
/* memcpy with a size known only at run time: a real call, bound to GLIBC_2.14 on x86_64. */
void fixture_copy(char *dst, const char *src, size_t n) { memcpy(dst, src, n); }
size_t fixture_len(const char *s) { return strlen(s); }
C
cat > "$work/dep.c" <<'C'
int fixture_dep(int x) { return x + 1; }
C
cat > "$work/needs.c" <<'C'
#include <string.h>
int fixture_dep(int x);
int fixture_needs(const char *s) { return fixture_dep((int)strlen(s)); }
C

# Small and reproducible: stripped, no build id, no separate code segment padding.
flags=(-shared -fPIC -O2 -s -Wl,--build-id=none -Wl,-z,noseparate-code)
for libc in glibc musl; do
    cc=gcc
    [ "$libc" = musl ] && cc=musl-gcc
    mkdir -p "$out/$libc"
    "$cc" "${flags[@]}" -o "$out/$libc/libfixture.so" "$work/fixture.c"
    "$cc" "${flags[@]}" -Wl,-soname,libfixturedep.so -o "$out/$libc/libfixturedep.so" "$work/dep.c"
    "$cc" "${flags[@]}" -o "$out/$libc/libneeds.so" "$work/needs.c" \
        -L"$out/$libc" -lfixturedep
done

# musl's dynamic loader prints its version when run with no arguments (and fails).
loader=$(ls /lib/ld-musl-*.so.1 | head -n1)
{ "$loader" 2>&1 || true; } | sed -n 's/^Version \([0-9.]*\).*/\1/p' > "$out/musl-version.txt"
ls -l "$out"/*/*.so "$out/musl-version.txt"
