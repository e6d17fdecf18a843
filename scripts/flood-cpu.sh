#!/usr/bin/env bash
# CPU per thread of a release controller during a pure FIFO flood (issue
# #10): four `homesec-load write` processes send 250,000 lines each; the
# controller's threads' CPU (utime+stime from /proc/<pid>/task/*/stat) is
# taken before the flood and once the log has every line durable. Unlike
# `perf stat` over a whole `homesec-load bench` run, nothing else is in the
# window. Needs python3 (to read `homesecctl status --json`).
#
#   cargo build --release && scripts/flood-cpu.sh [CONTROLLER_BINARY]
#
# To compare two builds, copy one binary aside and run the two alternately
# a few times: figures on a shared VM move by 15 % from minute to minute.
set -euo pipefail
cd "$(dirname "$0")/.."
inst=flood$$
dir=$(mktemp -d)
RUST_LOG=warn "${1:-target/release/homesec-controller}" --instance "$inst" \
    --runtime-dir "$dir/run" --data-dir "$dir/data" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
    [ -p "$dir/run/events.fifo" ] && [ -e "/dev/shm/homesec-$inst.status" ] && break
    sleep 0.1
done
ticks=$(getconf CLK_TCK)
cpu() {
    for t in /proc/$pid/task/*; do
        echo "$(tr ' ' _ <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
    done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
logged() {
    target/release/homesecctl status --instance "$inst" --json 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin).get("logged_seq", 0))' 2>/dev/null || echo 0
}
base=$(logged)
cpu >"$dir/before"
started=$(date +%s.%N)
for sensor in hall-motion living-motion garage-motion front-door; do
    target/release/homesec-load write --fifo "$dir/run/events.fifo" --sensor "$sensor" --count 250000 &
done
until [ "$(logged)" -ge $((base + 1000000)) ]; do sleep 0.02; done
ended=$(date +%s.%N)
cpu >"$dir/after"
echo "10^6 lines durable in $(echo "$ended - $started" | bc) s"
join "$dir/before" "$dir/after" | awk -v t="$ticks" '{printf "  %-16s %6.2f s CPU\n", $1, ($3 - $2) / t}'
