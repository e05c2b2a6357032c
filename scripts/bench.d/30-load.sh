#!/usr/bin/env bash
# focus-load import of BENCH_DATA vs `sqlite3 .import` of the same CSV into an
# empty table, in the same run. Prints seconds, rows/s, the ratio and peak RSS.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}" "${BENCH_ROWS:?}"
rm -f "$BENCH_DIR"/import-*.db*
tf="$BENCH_DIR/load.time"
/usr/bin/time -f '%e %M' -o "$tf" sqlite3 "$BENCH_DIR/import-sqlite.db" ".import --csv $BENCH_DATA t"
read -r s_base rss_base < "$tf"
/usr/bin/time -f '%e %M' -o "$tf" focus-load --db "$BENCH_DIR/import-ledger.db" import --source BENCH "$BENCH_DATA" 2>/dev/null
read -r s_load rss_load < "$tf"
awk -v r="$BENCH_ROWS" -v b="$s_base" -v l="$s_load" -v rb="$rss_base" -v rl="$rss_load" 'BEGIN {
  printf "   sqlite3 .import  %6.2f s  %8.0f rows/s  peak RSS %6.1f MiB (baseline)\n", b, r/b, rb/1024
  printf "   focus-load       %6.2f s  %8.0f rows/s  peak RSS %6.1f MiB\n", l, r/l, rl/1024
  printf "   ratio focus-load / sqlite3 .import = %.2f (target <= 1.00)\n", l/b
}'
rm -f "$BENCH_DIR"/import-*.db*
