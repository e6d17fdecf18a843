#!/usr/bin/env bash
# Prints the sha256 of every output homesec's binaries make from a fixed
# input, so that a refactor can prove it changed nothing: run it once with
# the old binaries and once with the new ones, and diff the two listings.
#
#   scripts/same-outputs.sh BIN_DIR OUT_DIR      (BIN_DIR holds the binaries)
#
# Outputs covered:
#   - the event log a controller writes for a scripted FIFO session (every
#     kind of line: sensor events, JSON, a bad line, keypad arm/disarm/bypass,
#     a wrong code, SIGUSR2's snapshot, SIGTERM's stop);
#   - the status segment it publishes at the end of that session;
#   - the reporter's md, text, json and html for that day, and for a
#     generated 20 MB day (ipc's gen_eventlog example, same arguments, same
#     bytes), by day and by ISO week.
# To make a controller's output reproducible, its wall clock is frozen with
# libfaketime (Debian package `faketime`; the monotonic clock still runs)
# and it runs as pid 1 of its own pid namespace (unshare, needs root).
set -euo pipefail

BIN=$(cd "$1" && pwd)
for b in homesec-controller homesec-reporter gen_eventlog; do
    [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing" >&2; exit 1; }
done
OUT=$2
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LIBFAKETIME=$(find /usr/lib -name 'libfaketime.so.1' | head -n 1)
[ -n "$LIBFAKETIME" ] || { echo "needs libfaketime (apt-get install faketime)" >&2; exit 1; }
# A fixed work dir: reports name the files they read.
WORK=/tmp/homesec-same-outputs
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
INSTANCE=same-outputs
DAY=2026-11-23

# The scripted session, run inside the namespace as its pid 1's parent.
cat >"$WORK/session.sh" <<'EOF'
set -euo pipefail
BIN=$1 WORK=$2 INSTANCE=$3
export TZ=Europe/Berlin NO_COLOR=1
RUST_LOG=info,homesec_controller=trace "$BIN/homesec-controller" --instance "$INSTANCE" \
    --runtime-dir "$WORK/run" --data-dir "$WORK/data" 2>"$WORK/controller.err" &
pid=$!
until grep -q "ready" "$WORK/controller.err"; do
    kill -0 "$pid" || { cat "$WORK/controller.err" >&2; exit 1; }
    sleep 0.05
done
fifo="$WORK/run/events.fifo"
line() { printf '%s\n' "$1" >"$fifo"; sleep 0.2; }
line "front-door open"
line '{"sensor":"hall-motion","state":"motion"}'
line "hall-motion clear"
line "no-such-sensor open"
line "front-door closed"
line "@arm away 0000"
line "@arm away 1234"
line "@disarm 1234"
line "@bypass back-door 1234"
line "kitchen-window low-battery"
line "garage-motion heartbeat"
kill -USR2 "$pid"
sleep 0.5
cp "/dev/shm/homesec-$INSTANCE.status" "$WORK/status.bin"
kill -TERM "$pid"
wait "$pid"
EOF

controller_session() {
    rm -rf "$WORK/run" "$WORK/data"
    FAKETIME="$DAY 10:00:00" FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$LIBFAKETIME" \
        unshare --pid --fork --mount-proc bash "$WORK/session.sh" "$BIN" "$WORK" "$INSTANCE"
}

reports() {
    local name=$1 data=$2 day=$3 week=$4
    for format in md text json html; do
        TZ=Europe/Berlin "$BIN/homesec-reporter" --data-dir "$data" --day "$day" \
            --format "$format" >"$OUT/$name-day.$format" || [ $? -eq 3 ]
        TZ=Europe/Berlin "$BIN/homesec-reporter" --data-dir "$data" --week "$week" \
            --format "$format" >"$OUT/$name-week.$format" || [ $? -eq 3 ]
    done
}

controller_session
cp "$WORK/status.bin" "$OUT/status-segment.bin"
cat "$WORK"/data/events/*.jsonl >"$OUT/session-events.jsonl"
reports session "$WORK/data" "$DAY" 2026-W48

"$BIN/gen_eventlog" "$WORK/generated" 20000000 2026-11-22 >/dev/null
reports generated "$WORK/generated" 2026-11-22 2026-W47

cd "$OUT"
sha256sum -- * | sort -k2
