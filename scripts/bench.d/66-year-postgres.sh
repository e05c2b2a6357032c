#!/usr/bin/env bash
# 65-year.sh on PostgreSQL: the same pages, timed on a year of
# BENCH_PG_YEAR_ROWS-charge months (default 200000: 2.4M charges, built in
# about a minute; 12M took too long for a bench run) and on its last month
# alone, each ledger in its own schema of one server. The server:
# BENCH_POSTGRES or FOCUS_TEST_POSTGRES (a DSN), else a throwaway cluster
# (scripts/with-postgres.sh), so the ledgers are built anew each run; the
# generated months are kept in BENCH_YEAR_DIR (as 65-year.sh's). Targets
# as 65-year.sh's: < 300 ms a page, within 1.5x of the month's time.
set -euo pipefail
: "${BENCH_DIR:?}"
base=${BENCH_POSTGRES:-${FOCUS_TEST_POSTGRES:-}}
if [ -z "$base" ]; then
  if [ -z "${BENCH_PG_STARTED:-}" ] && ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
    exec env BENCH_PG_STARTED=1 "$(dirname "$0")/../with-postgres.sh" bash "$0"
  fi
  echo "   no PostgreSQL (set BENCH_POSTGRES, or install postgresql): skipped" >&2
  exit 0
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$root/bin:$PATH"
if ! command -v curl > /dev/null; then
  echo "   year: curl not installed (apt-get install curl): not measured" >&2
  exit 1
fi
rows=${BENCH_PG_YEAR_ROWS:-200000}
cache=${BENCH_YEAR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openchargeback-bench}
mkdir -p "$cache"
dsn() { # base DSN with search_path = $1
  case $base in
    postgres://*|postgresql://*) case $base in *\?*) echo "$base&options=-csearch_path%3D$1" ;; *) echo "$base?options=-csearch_path%3D$1" ;; esac ;;
    *) echo "$base options='-csearch_path=$1'" ;;
  esac
}
s1=bench_month_$$ s12=bench_year_$$
psql "$base" -qc "CREATE SCHEMA $s1; CREATE SCHEMA $s12" > /dev/null
trap 'psql "$base" -qc "DROP SCHEMA IF EXISTS $s1 CASCADE; DROP SCHEMA IF EXISTS $s12 CASCADE" > /dev/null 2>&1 || true' EXIT
gen() { (cd "$root" && go run ./internal/gendata "$@"); }
sample="$cache/year-sample-hpc.csv"
[ -s "$sample" ] || gen --sample --source HPC --period 2025-12 | focus-flag > "$sample" 2> /dev/null
# build SCHEMA MONTH...: as 65-year.sh's build, into a PostgreSQL schema.
build() {
  local db m csv
  db=$(dsn "$1")
  shift
  for m in "$@"; do
    csv="$cache/pg-year-$rows-$m.csv"
    [ -s "$csv" ] || gen --rows "$rows" --period "2025-$m" --seed "$((10#$m))" > "$csv"
    focus-load --db "$db" import --source BENCH --period "2025-$m" "$csv" > /dev/null 2> "$BENCH_DIR/pg-year-load.err" ||
      { echo "   year (pg): focus-load failed: $(tail -1 "$BENCH_DIR/pg-year-load.err")" >&2; exit 1; }
  done
  focus-load --db "$db" import --source HPC --period 2025-12 "$sample" > /dev/null 2> "$BENCH_DIR/pg-year-load.err" ||
    { echo "   year (pg): focus-load failed: $(tail -1 "$BENCH_DIR/pg-year-load.err")" >&2; exit 1; }
  for m in "$@"; do
    [ "$m" = 12 ] && continue
    focus-load --db "$db" periods close "2025-$m" > /dev/null 2>&1
    focus-load --db "$db" periods finalize "2025-$m" > /dev/null 2>&1
  done
  psql "$db" -qc 'VACUUM ANALYZE' > /dev/null
}
start=$(date +%s)
build "$s1" 12
build "$s12" 01 02 03 04 05 06 07 08 09 10 11 12
echo "   built both ledgers in $(( $(date +%s) - start )) s"

w="$BENCH_DIR/year-pg-web"
rm -rf "$w" && mkdir -p "$w"
# shellcheck source=year-pages.bash
. "$(dirname "$0")/year-pages.bash"
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true
  psql "$base" -qc "DROP SCHEMA IF EXISTS $s1 CASCADE; DROP SCHEMA IF EXISTS $s12 CASCADE" > /dev/null 2>&1 || true' EXIT
pages "$(psql "$(dsn "$s1")" -qAtc "SELECT pi_email FROM charges WHERE period = '2025-12' AND import_id = 1 LIMIT 1")"
declare -A t1 t12
measure t1 "$(dsn "$s1")"
measure t12 "$(dsn "$s12")"
measure_old
table "$(psql "$(dsn "$s1")" -qAtc 'SELECT count(*) FROM charges')" "$(psql "$(dsn "$s12")" -qAtc 'SELECT count(*) FROM charges')"
