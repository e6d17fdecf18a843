#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ (or the TARGETs named) for SECONDS each
# (default 30), one after the other, and prints a table of executions and
# coverage per target.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]
#
# Needs a nightly toolchain (`rustup toolchain install nightly`) and
# cargo-fuzz (installed from crates.io when missing). Each target starts from
# its seeds (fuzz/seeds/<target>, real outputs of homesec, committed) and the
# corpus earlier runs grew (fuzz/corpus/<target>, not committed), with a
# dictionary of its format (fuzz/dicts). A crash leaves its input in
# fuzz/artifacts/<target>/ and makes the script exit 1 after the others ran.
# Times run in a zone whose clocks skip midnight, where date arithmetic is
# hardest.
set -uo pipefail
seconds=${1:-30}
shift || true
cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: no nightly toolchain: cargo-fuzz needs one (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked || exit 2
fi
cargo +nightly fuzz build -O || exit 2

dict_of() {
    case $1 in
        fifo_line | queue_message) echo dicts/fifo_line.dict ;;
        eventlog_reader) echo dicts/eventlog.dict ;;
        config_text | config_file) echo dicts/config.dict ;;
        *) echo "dicts/$1.dict" ;;
    esac
}

mkdir -p logs
failed=()
summary=()
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "seeds/$target"
    echo "== fuzz $target: $seconds s"
    TZ=America/Santiago cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$(dict_of "$target")" -print_final_stats=1 >"logs/$target.log" 2>&1
    status=$?
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "logs/$target.log" | grep -o '[0-9]*$')
    last=$(grep -E '^#[0-9]+' "logs/$target.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')
    corp=$(grep -o 'corp: [0-9]*' <<<"$last" | grep -o '[0-9]*')
    if [ $status -ne 0 ]; then
        failed+=("$target")
        grep -E 'panicked|ERROR|SUMMARY|artifact' "logs/$target.log" | head -5
    fi
    summary+=("$(printf '%-18s %12s %8s %8s  %s' "$target" "${execs:-?}" "${cov:-?}" "${corp:-?}" \
        "$([ $status -eq 0 ] && echo ok || echo "FAILED (fuzz/logs/$target.log)")")")
done

printf '%-18s %12s %8s %8s  %s\n' target executions cov corpus result
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
    exit 1
fi
