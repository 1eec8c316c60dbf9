#!/usr/bin/env bash
# Mutation testing of the pure modules against the fast test layer (not part of CI).
#
#   scripts/mutation.sh [--score-only | --again] [group | module ...]
#
# Groups: tags publish audit wheel metadata sdist ci config (default: all, in that order);
# a module is a path under src/ferrule (metadata/project.py) and runs that module only.
# mutmut (installed into .venv when missing) mutates the files [tool.mutmut] in pyproject.toml
# lists, and runs for each mutant only the fast tests (`-m "not slow"`) that executed the
# mutated function. The score of each module (killed / total) goes to stdout and into the
# table of docs/testing.md. MUTATION_JOBS (default 1) caps mutmut's worker processes.
# --score-only writes the table from mutants/ without running anything; --again runs only the
# mutants of the groups that the last run did not kill (after adding tests).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${MUTATION_JOBS:-1}
# The property tests (tests/unit/config) run once per mutant they reach: 25 examples each
# there, not 200 (fewer examples can only let more mutants survive).
export FERRULE_HYPOTHESIS_PROFILE=${FERRULE_HYPOTHESIS_PROFILE:-mutation}
score_only=0
again=0
case ${1:-} in
    --score-only) score_only=1; shift ;;
    --again) again=1; shift ;;
esac
all_groups=(record tags publish audit wheel metadata sdist ci config)
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=("${all_groups[@]}")

# The mutant names (fnmatch patterns over module.function) of each group.
patterns() {
    case $1 in
        record) echo "ferrule._record.*" ;;
        tags) echo "ferrule.tags.*" ;;
        publish) echo "ferrule.publish.form.* ferrule.publish.credentials.* ferrule.publish.environ.*" ;;
        audit) echo "ferrule.audit.policy.*" ;;
        wheel) echo "ferrule.wheel.manifest.* ferrule.wheel.writer.* ferrule.wheel.zipout.* ferrule.wheel.deflate.*" ;;
        metadata) echo "ferrule.metadata.x* ferrule.metadata.core.* ferrule.metadata.cargo.* ferrule.metadata.lenient.* ferrule.metadata.project.* ferrule.metadata.pep621.* ferrule.metadata.licenses.* ferrule.metadata.problems.* ferrule.metadata.import_names.*" ;;
        sdist) echo "ferrule.sdist.plan.* ferrule.sdist.collector.* ferrule.sdist.crate_files.*" ;;
        ci) echo "ferrule.ci.github.* ferrule.ci.config.* ferrule.ci.project.* ferrule.ci.targets.* ferrule.ci.interpreters.* ferrule.ci.jobs.*" ;;
        config) echo "ferrule.config.*" ;;
        # One module (its path under src/ferrule), to score part of a group.
        *.py)
            [ -f "src/ferrule/$1" ] || { echo "mutation: no module src/ferrule/$1" >&2; return 1; }
            local dotted=${1%.py}
            dotted=ferrule.${dotted//\//.}
            case $dotted in
                *.__init__) echo "${dotted%.__init__}.x*" ;;
                *) echo "$dotted.*" ;;
            esac ;;
        *) echo "mutation: unknown group $1 (one of: ${all_groups[*]})" >&2; return 1 ;;
    esac
}

if [ $score_only = 0 ]; then
    [ -x .venv/bin/python ] || bash scripts/setup.sh
    if ! .venv/bin/python -c 'import mutmut' 2>/dev/null; then
        echo "mutation: installing mutmut into .venv" >&2
        .venv/bin/python -m pip install -q --disable-pip-version-check 'mutmut>=3.8,<4'
    fi
    # mutmut runs the tests from mutants/ (its copy of the tree): a fast test that builds
    # ferrule's own wheel needs the setup's wheelhouse there too.
    mkdir -p mutants/.cache .cache/mutation
    ln -sfn "$PWD/.cache/wheelhouse" mutants/.cache/wheelhouse
    for group in "${groups[@]}"; do
        read -r -a names <<<"$(patterns "$group")"
        if [ $again = 1 ]; then
            # The group's mutants whose last result was not a kill (mutmut's .meta files).
            mapfile -t names < <(.venv/bin/python - "${names[@]}" <<'EOF_AGAIN'
import fnmatch, json, sys
from pathlib import Path
KILLED = {1, 3, 36, -24, 24, 152, 255, -11, -9, 37}
for meta in Path("mutants/src").rglob("*.py.meta"):
    for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
        if code not in KILLED and any(fnmatch.fnmatch(key, p) for p in sys.argv[1:]):
            print(key)
EOF_AGAIN
            )
            if [ ${#names[@]} = 0 ]; then
                echo "mutation: $group: nothing left to run" >&2
                continue
            fi
        fi
        log=.cache/mutation/${group//\//-}.log
        echo "mutation: $group (${#names[@]} name(s)), $jobs worker(s), log in $log" >&2
        start=$SECONDS
        # Named mutants are always run again, so each group's score is from this tree.
        if ! .venv/bin/mutmut run --max-children "$jobs" "${names[@]}" >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            echo "mutation: mutmut failed for $group" >&2
            exit 1
        fi
        echo "mutation: $group done in $((SECONDS - start)) s" >&2
    done
fi

.venv/bin/python - "${groups[@]}" <<'EOF'
"""Per-module scores from mutmut's result files (mutants/src/**/*.py.meta)."""

import json
import re
import sys
from collections import Counter
from pathlib import Path

GROUPS = {
    "record": ["_record.py"],
    "tags": ["tags.py"],
    "publish": ["publish/form.py", "publish/credentials.py", "publish/environ.py"],
    "audit": ["audit/policy.py"],
    "wheel": ["wheel/manifest.py", "wheel/writer.py", "wheel/zipout.py", "wheel/deflate.py"],
    "metadata": ["metadata/__init__.py", "metadata/core.py", "metadata/cargo.py",
                 "metadata/lenient.py", "metadata/project.py", "metadata/pep621.py",
                 "metadata/licenses.py", "metadata/problems.py", "metadata/import_names.py"],
    "sdist": ["sdist/plan.py", "sdist/collector.py", "sdist/crate_files.py"],
    "ci": ["ci/github.py", "ci/config.py", "ci/project.py", "ci/targets.py",
           "ci/interpreters.py", "ci/jobs.py"],
    "config": sorted(str(p.relative_to("src/ferrule")) for p in Path("src/ferrule/config").glob("*.py")),
}
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a failing test, a timeout, a crash
# or the type checker each detect the mutant.
DETECTED = {1, 3, 36, -24, 24, 152, 255, -11, -9, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}

doc = Path("docs/testing.md")
text = doc.read_text()
# The rows of the table as it stands: a module this tree has no result for (mutants/ is
# mutmut's work directory, not in git) keeps its row from the run that scored it, marked.
EARLIER = "†"
earlier = {}
for line in text.splitlines():
    m = re.fullmatch(r"\| (\w+) \| src/ferrule/(\S+?)\u2020? \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| .*", line)
    if m:
        earlier[m[2]] = Counter(killed=int(m[3]), survived=int(m[4]), **{"no tests": int(m[5])}), int(m[6])

rows = []
for group, modules in GROUPS.items():
    for module in modules:
        meta = Path("mutants/src/ferrule") / f"{module}.meta"
        codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        count = Counter()
        for code in codes.values():
            if code is None:
                count["unchecked"] += 1
            elif code in DETECTED:
                count["killed"] += 1
            elif code in SURVIVED:
                count["survived"] += 1
            elif code in NO_TESTS:
                count["no tests"] += 1
            else:
                count["other"] += 1
        rows.append((group, module, count, len(codes)))


def pct(killed, total):
    return f"{100 * killed / total:.1f} %" if total else "-"


lines = [
    "| group | module | killed | survived | no tests | total | score |",
    "|---|---|---:|---:|---:|---:|---:|",
]
overall = Counter()
unscored = []
partly = []
kept = False
for group, module, count, total in rows:
    if total and count["unchecked"] == total and module in earlier:
        count, total = earlier[module]
        module += EARLIER
        kept = True
    if not total or count["unchecked"]:
        checked = total - count["unchecked"]
        if checked:
            partly.append(
                f"`src/ferrule/{module}` ({checked} of {total} checked: {count['killed']} killed, "
                f"{count['survived']} survived)"
            )
        else:
            unscored.append(f"`src/ferrule/{module}`")
        continue
    overall.update(count)
    overall["total"] += total
    lines.append(
        f"| {group} | src/ferrule/{module} | {count['killed']} | {count['survived']} "
        f"| {count['no tests']} | {total} | {pct(count['killed'], total)} |"
    )
lines.append(
    f"| **all scored** | | {overall['killed']} | {overall['survived']} | {overall['no tests']} "
    f"| {overall['total']} | {pct(overall['killed'], overall['total'])} |"
)
if kept:
    lines.append("")
    lines.append(
        f"{EARLIER} Not run in this tree: the row (and its share of the totals) is from the "
        "run that last scored the module."
    )
if partly:
    lines.append("")
    lines.append("Partly checked (not in the totals): " + "; ".join(partly) + ".")
if unscored:
    lines.append("")
    lines.append("Not scored: " + ", ".join(unscored) + ".")
table = "\n".join(lines)
print(table)

begin, end = "<!-- mutation-table:begin -->", "<!-- mutation-table:end -->"
if begin in text:
    text = re.sub(
        re.escape(begin) + ".*?" + re.escape(end),
        lambda _: f"{begin}\n{table}\n{end}",
        text,
        flags=re.S,
    )
    doc.write_text(text)
EOF
