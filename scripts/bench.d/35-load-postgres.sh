#!/usr/bin/env bash
# focus-load import of BENCH_DATA into a new PostgreSQL ledger, against
# `psql \copy` of the same CSV into a table of all its columns (text),
# measured in the same run on the same server. Target (issue 18): ratio
# <= 1.0. The server: BENCH_POSTGRES or FOCUS_TEST_POSTGRES (a DSN), else a
# throwaway cluster (scripts/with-postgres.sh) when PostgreSQL is installed.
# Each side gets a fresh schema (search_path in the DSN's options).
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
base=${BENCH_POSTGRES:-${FOCUS_TEST_POSTGRES:-}}
if [ -z "$base" ]; then
  if [ -z "${BENCH_PG_STARTED:-}" ] && ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    exec env BENCH_PG_STARTED=1 "$(dirname "$0")/../with-postgres.sh" bash "$0"
  fi
  echo "   no PostgreSQL (set BENCH_POSTGRES, or install postgresql): skipped" >&2
  exit 0
fi
rows=$(( $(wc -l < "$BENCH_DATA") - 1 ))
tf="$BENCH_DIR/load-pg-time.txt"
measure() { # prints "seconds maxrss_kib"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null
  cat "$tf"
}
dsn() { # base DSN with search_path = $1
  case $base in
    postgres://*|postgresql://*) case $base in *\?*) echo "$base&options=-csearch_path%3D$1" ;; *) echo "$base?options=-csearch_path%3D$1" ;; esac ;;
    *) echo "$base options='-csearch_path=$1'" ;;
  esac
}
cols=$(head -1 "$BENCH_DATA" | tr -d '\r' | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s\"%s\" text", (i > 1 ? ", " : ""), $i }')
# Each side starts after a CHECKPOINT, so neither pays for the WAL the
# other wrote (psql's 0.5 GB pushed a checkpoint into whichever import
# came next), and the order alternates run by run. BENCH_PG_RUNS pairs
# (default 3); the table gives each run and the median ratio.
runs=${BENCH_PG_RUNS:-3}
s1="" s2=""
drop() { [ -z "$s1" ] || psql "$base" -qc "DROP SCHEMA IF EXISTS $s1 CASCADE; DROP SCHEMA IF EXISTS $s2 CASCADE" > /dev/null 2>&1 || true; }
trap drop EXIT
copy_side() {
  psql "$base" -qc CHECKPOINT > /dev/null
  read -r p_s p_k < <(measure psql "$(dsn $s1)" -qc "\\copy t FROM '$BENCH_DATA' WITH (FORMAT csv, HEADER true)")
}
load_side() {
  psql "$base" -qc CHECKPOINT > /dev/null
  read -r l_s l_k < <(measure sh -c 'exec focus-load --db "$1" import --source BENCH < "$2" 2> /dev/null' _ "$(dsn $s2)" "$BENCH_DATA")
}
ratios=()
for run in $(seq 1 "$runs"); do
  drop
  s1=bench_copy_$$_$run s2=bench_ledger_$$_$run
  psql "$base" -qc "CREATE SCHEMA $s1; CREATE SCHEMA $s2" > /dev/null
  psql "$(dsn $s1)" -qc "CREATE TABLE t ($cols)" > /dev/null
  if [ $((run % 2)) = 1 ]; then copy_side; load_side; else load_side; copy_side; fi
  n=$(psql "$(dsn $s2)" -qAtc 'SELECT count(*) FROM charges')
  [ "$n" = "$rows" ] || { echo "   focus-load loaded $n of $rows rows" >&2; exit 1; }
  sz=$(psql "$base" -qAtc "SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s1' AND c.relkind = 'r')::bigint || ' ' || (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s2' AND c.relkind = 'r')::bigint")
  ratios+=("$(awk -v p="$p_s" -v l="$l_s" 'BEGIN { if (p < 0.01) p = 0.01; printf "%.3f", l / p }')")
  awk -v rows="$rows" -v ps="$p_s" -v ls="$l_s" -v lk="$l_k" -v sz="$sz" -v run="$run" -v runs="$runs" 'BEGIN {
    if (ps < 0.01) ps = 0.01; if (ls < 0.01) ls = 0.01
    split(sz, z, " ")
    printf "   run %d of %d\n", run, runs
    printf "   %-24s %9d rows %7.2f s %9.0f rows/s  %6.0f MB in tables (baseline)\n", "psql \\copy", rows, ps, rows / ps, z[1] / 1e6
    printf "   %-24s %9d rows %7.2f s %9.0f rows/s  %6.0f MB in tables  peak RSS %4.0f MiB  %.2fx psql \\copy  [%s]\n", "focus-load import (pg)", rows, ls, rows / ls, z[2] / 1e6, lk / 1024, ls / ps,
      (ls <= ps ? "ok <= psql \\copy" : "SLOWER than psql \\copy")
  }'
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END {
  med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
  printf "   focus-load import (pg) / psql \\copy over %d runs: min %.2fx median %.2fx max %.2fx  [%s]\n", NR, a[1], med, a[NR],
    (med <= 1.0 ? "ok <= 1.0x" : "SLOWER than psql \\copy")
}'
