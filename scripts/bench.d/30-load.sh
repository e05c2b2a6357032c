#!/usr/bin/env bash
# focus-load import of BENCH_DATA vs `sqlite3 .import` of the same CSV into an
# empty table, in the same run. Prints seconds, rows/s, the ratio and peak RSS.
set -euo pipefail
rows=$BENCH_ROWS
rm -f "$BENCH_DIR"/import-*.db*
read -r s_base rss_base < <( { /usr/bin/time -f '%e %M' sqlite3 "$BENCH_DIR/import-sqlite.db" ".import --csv $BENCH_DATA t" >/dev/null; } 2>&1 | tail -1)
read -r s_load rss_load < <( { /usr/bin/time -f '%e %M' focus-load --db "$BENCH_DIR/import-ledger.db" import --source BENCH "$BENCH_DATA" 2>/dev/null; } 2>&1 | tail -1)
awk -v r="$rows" -v b="$s_base" -v l="$s_load" -v rb="$rss_base" -v rl="$rss_load" 'BEGIN {
  printf "   sqlite3 .import  %6.2f s  %8.0f rows/s  peak RSS %6.1f MiB\n", b, r/b, rb/1024
  printf "   focus-load       %6.2f s  %8.0f rows/s  peak RSS %6.1f MiB\n", l, r/l, rl/1024
  printf "   ratio focus-load / sqlite3 .import = %.2f (target <= 1.00)\n", l/b
}'
rm -f "$BENCH_DIR"/import-*.db*
