#!/usr/bin/env bash
# focus-validate on the generated input (BENCH_DATA) against a bare
# encoding/csv read of the same file (internal/benchtools/csvread: ReuseRecord,
# counts rows) measured in the same run. Targets (DESIGN.md): >= 500k rows/s,
# within 2x the bare read, peak RSS < 64 MiB.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
cd "$(dirname "$0")/../.."
go build -o "$BENCH_DIR/csvread" ./internal/benchtools/csvread
command -v focus-validate > /dev/null || go build -o "$BENCH_DIR/" ./cmd/focus-validate
PATH="$BENCH_DIR:$PATH"
tf="$BENCH_DIR/validate-time.txt"

measure() { # prints "seconds maxrss_kib"; stdin from BENCH_DATA, stdout discarded
  /usr/bin/time -f '%e %M' -o "$tf" "$@" < "$BENCH_DATA" > /dev/null 2> "$BENCH_DIR/validate-stderr.txt" || true
  tail -n 1 "$tf"
}

rows=$("$BENCH_DIR/csvread" < "$BENCH_DATA")
read -r base_s base_k < <(measure "$BENCH_DIR/csvread")
read -r v_s v_k < <(measure focus-validate)
summary=$(tail -n 1 "$BENCH_DIR/validate-stderr.txt")
awk -v s="$base_s" -v k="$base_k" -v rows="$rows" 'BEGIN { if (s < 0.01) s = 0.01
  printf "   %-26s %9d rows %6.2f s %9.0f rows/s  peak RSS %4.0f MiB (baseline)\n", "encoding/csv read", rows, s, rows / s, k / 1024 }'
awk -v s="$v_s" -v k="$v_k" -v rows="$rows" -v base="$base_s" 'BEGIN { if (s < 0.01) s = 0.01; if (base < 0.01) base = 0.01
  rps = rows / s; ratio = s / base
  printf "   %-26s %9d rows %6.2f s %9.0f rows/s  %4.2fx baseline  peak RSS %4.0f MiB  [%s, %s, %s]\n",
    "focus-validate < file", rows, s, rps, ratio, k / 1024,
    (rps >= 500000 ? "ok >= 500k rows/s" : "SLOW < 500k rows/s"),
    (ratio <= 2 ? "ok <= 2x" : "OVER 2x"),
    (k < 64 * 1024 ? "ok < 64 MiB" : "OVER 64 MiB") }'
echo "   $summary"
