#!/usr/bin/env bash
# Reporter benchmark (issue #4): generates about 1 GB of event log for one
# day, then reads it, each tool timed in the same run with /usr/bin/time -v
# (wall time, peak RSS) after the file is in the page cache:
#   wc -l                      the I/O ceiling: reads the bytes, finds newlines
#   jq (reduce over inputs)    per-sensor counts, streaming, one process
#   scan (examples/scan_eventlog)  the verifying reader alone, counting per
#                              sensor: the reporter's ceiling
#   homesec-reporter --day D --format json (when the binary exists)
# Targets (issue #10): reporter >= 500 MB/s, peak RSS < 64 MB, >= 20x jq.
#
# usage: bench/reporter.sh            (SIZE=bytes RUNS=n JQ_RUNS=n KEEP=1 to change)
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1000000000}
DAY=${DAY:-2026-11-22}
RUNS=${RUNS:-3}
JQ_RUNS=${JQ_RUNS:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/homesec-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$WORK"' EXIT; fi

echo "== build (release)"
cargo build --release --quiet -p homesec-ipc --example gen_eventlog --example scan_eventlog
REPORTER=""
if cargo build --release --quiet -p homesec-reporter 2>/dev/null \
    && [ -x target/release/homesec-reporter ] \
    && target/release/homesec-reporter --help 2>/dev/null | grep -q -- '--day'; then
    REPORTER=target/release/homesec-reporter
fi

echo "== generate ~$SIZE bytes for $DAY in $WORK"
target/release/examples/gen_eventlog "$WORK/data" "$SIZE" "$DAY"
LOG="$WORK/data/events/$DAY.jsonl"
BYTES=$(stat -c %s "$LOG")
cat "$LOG" >/dev/null # into the page cache: every tool reads from memory

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"

JQ_FILTER='reduce (inputs | select(.kind == "sensor") | .sensor) as $s ({}; .[$s] += 1)'
RESULTS="$WORK/results"
: >"$RESULTS"

# measure NAME CMD...: runs CMD with stdout to $WORK/NAME.out, appends
# "NAME seconds peak_rss_kb" to $RESULTS.
measure() {
    local name=$1
    shift
    local start end
    start=$(date +%s%N)
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out"
    end=$(date +%s%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
    echo "$name $(( (end - start) / 1000000 )) $rss" >>"$RESULTS"
    printf '   %-10s %8.3f s  %8.1f MB/s  peak RSS %6.1f MB\n' "$name" \
        "$(echo "($end - $start) / 1000000000" | bc -l)" \
        "$(echo "$BYTES / (($end - $start) / 1000000000) / 1000000" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)"
}

echo "== run ($BYTES bytes, $(wc -l <"$LOG") lines)"
for run in $(seq "$RUNS"); do
    measure wc wc -l "$LOG"
    measure scan target/release/examples/scan_eventlog "$WORK/data" "$DAY"
    if [ -n "$REPORTER" ]; then
        # The generator writes +01:00 times: report the day in a zone where
        # that is the local day, so every record falls inside it.
        TZ=Europe/Berlin measure reporter "$REPORTER" --day "$DAY" --format json --data-dir "$WORK/data"
    fi
done
for run in $(seq "$JQ_RUNS"); do
    measure jq jq -n "$JQ_FILTER" "$LOG"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

[ -n "$REPORTER" ] || echo "== homesec-reporter not built yet: only the reader (scan) was measured"
# Same per-sensor counts as jq, or the comparison means nothing.
if diff <(jq -S .sensors "$WORK/scan.out") <(jq -S . "$WORK/jq.out") >/dev/null; then
    echo "   scan's per-sensor counts agree with jq's"
else
    echo "   scan's per-sensor counts DIFFER from jq's" >&2
    exit 1
fi

echo "== summary (best of runs; MB = 10^6 bytes)"
awk -v bytes="$BYTES" '
    { if (!($1 in best) || $2 < best[$1]) { best[$1] = $2 }
      if ($3 > rss[$1]) { rss[$1] = $3 } }
    END {
        for (name in best) {
            mbps = bytes / (best[name] / 1000) / 1e6
            printf "   %-10s %8.3f s  %8.1f MB/s  peak RSS %6.1f MB", name, best[name] / 1000, mbps, rss[name] / 1024
            if ("jq" in best && name != "jq") printf "  %6.1fx jq", best["jq"] / best[name]
            printf "\n"
        }
    }' "$RESULTS"
