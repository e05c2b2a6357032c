#!/usr/bin/env bash
# focus-statement on the generated month: statements from a loaded ledger
# (NDJSON only = baseline: ledger read + build), then with one PDF each.
# Prints statements/s, PDFs/s, average PDF size and peak RSS.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
db="$BENCH_DIR/statement-bench.db"
if [ ! -s "$db" ]; then
  rm -f "$db"
  if ! focus-load --db "$db" import --source BENCH --period 2025-01 "$BENCH_DATA" >/dev/null 2>"$BENCH_DIR/statement-load.err"; then
    echo "   statement: skipped (focus-load could not build the ledger: $(tail -1 "$BENCH_DIR/statement-load.err"))"
    exit 0
  fi
fi
# time's output goes to a file: the command's stdout is redirected.
t() { /usr/bin/time -f '%e %M' -o "$BENCH_DIR/statement.time" "$@"; }
t focus-statement --db "$db" --period 2025-01 --by project >"$BENCH_DIR/statements.ndjson" 2>/dev/null
read -r s0 m0 < "$BENCH_DIR/statement.time"
n=$(wc -l <"$BENCH_DIR/statements.ndjson")
rm -rf "$BENCH_DIR/pdf"
t focus-statement --db "$db" --period 2025-01 --by project --pdf-dir "$BENCH_DIR/pdf" >/dev/null 2>/dev/null
read -r s1 m1 < "$BENCH_DIR/statement.time"
bytes=$(find "$BENCH_DIR/pdf" -name '*.pdf' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
awk -v n="$n" -v s0="$s0" -v s1="$s1" -v m0="$m0" -v m1="$m1" -v b="$bytes" 'BEGIN {
  pdf = s1 - s0; if (pdf <= 0) pdf = 0.001
  printf "   statements (NDJSON, baseline): %d in %.2fs, peak RSS %.0f MiB\n", n, s0, m0/1024
  printf "   with PDFs: %.2fs, %.0f PDFs/s beyond the baseline, %.1f KiB average, peak RSS %.0f MiB, ratio %.2fx baseline time\n",
    s1, n/pdf, b/n/1024, m1/1024, s1/s0
}'
