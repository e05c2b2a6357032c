#!/usr/bin/env bash
# The whole month on BENCH_DATA (4 sources, 60 PIs): validate | flag | load,
# close and finalize, statements with PDFs, journal, outbox mail.
# Targets: < 10 s on 2 cores (DESIGN.md), and no slower than `sqlite3
# .import --csv` of the same CSV measured in the same run (issue 30: ratio
# <= 1.0). BENCH_MONTH_RUNS=N (default 1) repeats the pair, the baseline
# and the month in turn, and prints the median ratio as well.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
runs=${BENCH_MONTH_RUNS:-1}
m="$BENCH_DIR/month"
if ! command -v sqlite3 > /dev/null; then
  echo "   sqlite3 not installed (apt-get install sqlite3): no baseline" >&2
  exit 1
fi
# The bundled account map, plus a default row: the generated file is one
# source ("BENCH") mixing every service.
accounts="$BENCH_DIR/month-accounts.csv"
cat "$(cd "$(dirname "$0")/../.." && pwd)/testdata/accounts.csv" > "$accounts"
echo '*,*,*,SC-RESCOMP,48990,RC-BENCH,62990,Bench default,' >> "$accounts"
tf="$BENCH_DIR/month-time.txt"
now() { date +%s.%N; }
lap() { awk -v a="$(now)" -v b="$2" -v l="$1" 'BEGIN { printf "   %-34s %6.2f s\n", l, a - b }'; }
# timed LABEL CMD...: runs CMD under /usr/bin/time (user and system CPU of
# every process of the pipe a `sh -c` starts) and prints one lap line.
timed() {
  local label=$1
  shift
  /usr/bin/time -f '%e %U %S' -o "$tf" "$@"
  read -r e u s < "$tf"
  awk -v l="$label" -v e="$e" -v u="$u" -v s="$s" 'BEGIN { printf "   %-34s %6.2f s  (cpu %.2f s user + %.2f s sys)\n", l, e, u, s }'
}
cat "$BENCH_DATA" > /dev/null # both sides read it from the page cache
ratios=()
for run in $(seq 1 "$runs"); do
  [ "$runs" -gt 1 ] && echo "   -- run $run of $runs"
  # The baseline: sqlite3 alone, the same CSV into an empty table.
  x="$BENCH_DIR/month-sqlite3.db"
  rm -f "$x" "$x"-*
  /usr/bin/time -f '%e %U %S' -o "$tf" sqlite3 "$x" ".import --csv $BENCH_DATA t"
  read -r base bu bs < "$tf"
  awk -v e="$base" -v u="$bu" -v s="$bs" 'BEGIN { printf "   %-34s %6.2f s  (cpu %.2f s user + %.2f s sys) baseline\n", "sqlite3 .import --csv", e, u, s }'
  rm -f "$x" "$x"-*

  rm -rf "$m" && mkdir -p "$m"
  start=$(now)
  timed "validate | flag | load" sh -c 'focus-validate "$1" 2>"$2/validate.log" | focus-flag -q | focus-load --db "$2/l.db" import --source BENCH 2>"$2/load.log"' _ "$BENCH_DATA" "$m"
  t=$(now)
  focus-load --db "$m/l.db" review list --status pending --format csv | awk -F, 'NR>1 {print $1}' | xargs -r -n 5000 focus-load --db "$m/l.db" review approve 2>/dev/null || true
  focus-load --db "$m/l.db" periods close 2025-01 2>/dev/null
  focus-load --db "$m/l.db" periods finalize 2025-01 2>/dev/null
  lap "review, close, finalize" "$t"
  t=$(now)
  focus-statement --db "$m/l.db" --period 2025-01 --pdf-dir "$m/pdf" > "$m/statements.ndjson" 2>/dev/null
  lap "statements + PDFs ($(wc -l < "$m/statements.ndjson"))" "$t"
  t=$(now)
  focus-journal --accounts "$accounts" -o "$m/journal.csv" "$m/statements.ndjson" 2>"$m/journal.log" ||
    { echo "   journal refused:" >&2; cat "$m/journal.log" >&2; exit 1; }
  lap "journal" "$t"
  grep -o 'source total.*' "$m/journal.log" | sed 's/^/   /' || true
  t=$(now)
  focus-mail --outbox "$m/outbox" --from billing@example.edu "$m/statements.ndjson" >/dev/null 2>&1
  lap "mail to outbox" "$t"
  total=$(awk -v a="$(now)" -v b="$start" 'BEGIN { print a - b }')
  r=$(awk -v t="$total" -v b="$base" 'BEGIN { if (b < 0.01) b = 0.01; printf "%.3f", t / b }')
  ratios+=("$r")
  awk -v t="$total" -v b="$base" -v r="$r" 'BEGIN {
    printf "   whole month: %.2f s (target < 10 s) = %.2fx sqlite3 .import (%.2f s)  [%s]\n", t, r, b,
      (r <= 1.0 ? "ok <= 1.0x" : "SLOWER than sqlite3 .import")
  }'
done
if [ "$runs" -gt 1 ]; then
  printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END {
    med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "   whole month / sqlite3 .import over %d runs: min %.2fx median %.2fx max %.2fx  [%s]\n", NR, a[1], med, a[NR],
      (med <= 1.0 ? "ok <= 1.0x" : "SLOWER than sqlite3 .import")
  }'
fi
