#!/usr/bin/env bash
# focus-load import of the generated input (BENCH_DATA) into a new ledger,
# against `sqlite3 .import --csv` of the same CSV into an empty table,
# measured in the same run. Targets (issue 5): no slower than sqlite3
# .import (ratio <= 1.0) and < 256 MiB peak RSS for 1M rows.
# focus-load does more per row (decimal parsing, tag JSON, typed columns,
# the raw row as JSON, a SHA-256 of the bytes) and still commits once.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
rows=$(( $(wc -l < "$BENCH_DATA") - 1 ))
tf="$BENCH_DIR/load-time.txt"
measure() { # prints "seconds maxrss_kib"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null
  cat "$tf"
}
if ! command -v sqlite3 > /dev/null; then
  echo "   sqlite3 not installed (apt-get install sqlite3): no baseline" >&2
  exit 1
fi
x="$BENCH_DIR/load-sqlite3.db" y="$BENCH_DIR/load-ledger.db"
rm -f "$x" "$x"-* "$y" "$y"-*
read -r s_s s_k < <(measure sqlite3 "$x" ".import --csv $BENCH_DATA t")
read -r l_s l_k < <(measure sh -c 'exec focus-load --db "$1" import --source BENCH < "$2" 2> /dev/null' _ "$y" "$BENCH_DATA")
n=$(sqlite3 "$y" 'SELECT count(*) FROM charges')
[ "$n" = "$rows" ] || { echo "   focus-load loaded $n of $rows rows" >&2; exit 1; }
awk -v rows="$rows" -v ss="$s_s" -v sk="$s_k" -v ls="$l_s" -v lk="$l_k" 'BEGIN {
  if (ss < 0.01) ss = 0.01; if (ls < 0.01) ls = 0.01
  printf "   %-24s %9d rows %7.2f s %9.0f rows/s  peak RSS %4.0f MiB (baseline)\n", "sqlite3 .import --csv", rows, ss, rows / ss, sk / 1024
  printf "   %-24s %9d rows %7.2f s %9.0f rows/s  peak RSS %4.0f MiB  %.2fx sqlite3  [%s, %s]\n", "focus-load import", rows, ls, rows / ls, lk / 1024, ls / ss,
    (ls <= ss ? "ok <= sqlite3" : "SLOWER than sqlite3"), (lk < 256 * 1024 ? "ok < 256 MiB" : "OVER 256 MiB")
}'
ls -l "$x" "$y" | awk '{ printf "   %-24s %6.0f MB\n", ($NF ~ /sqlite3/ ? "sqlite3 table file" : "ledger file"), $5 / 1e6 }'
rm -f "$x" "$x"-* "$y" "$y"-* # 1.4 GB for 1M rows
