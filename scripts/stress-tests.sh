#!/usr/bin/env bash
# The whole test suite, RUNS times in a row (default 3), while stress-ng
# keeps both cores busy: CI runs on a loaded 2-core machine, and a test that
# depends on how fast the machine is fails here first. Needs stress-ng
# (Debian package). Prints one line per run and exits non-zero if any failed.
#
#   scripts/stress-tests.sh            (RUNS=n, CPUS=n to change)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CPUS=${CPUS:-2}
command -v stress-ng >/dev/null || { echo "needs stress-ng (apt-get install stress-ng)" >&2; exit 1; }

cargo test --workspace --locked --no-run --quiet
stress-ng --cpu "$CPUS" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true' EXIT
failed=0
for run in $(seq 1 "$RUNS"); do
    started=$(date +%s)
    if cargo test --workspace --locked --quiet >"/tmp/homesec-stress-$run.log" 2>&1; then
        echo "run $run: passed in $(($(date +%s) - started)) s (load $(cut -d' ' -f1 /proc/loadavg))"
    else
        failed=$((failed + 1))
        echo "run $run: FAILED in $(($(date +%s) - started)) s; see /tmp/homesec-stress-$run.log"
        grep -E "^test .* FAILED|panicked" "/tmp/homesec-stress-$run.log" | head -20
    fi
done
[ "$failed" -eq 0 ]
