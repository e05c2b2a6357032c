#!/usr/bin/env bash
# make bench: Go benchmarks, then the whole-pipeline measurements in
# scripts/bench.d/*.sh on generated data (BENCH_ROWS rows, default 1M).
# Each bench.d script prints its own lines; figures are ratios against a
# baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_ROWS=${BENCH_ROWS:-1000000}
export BENCH_DIR=${BENCH_DIR:-$(mktemp -d /tmp/focus-bench.XXXXXX)}
export PATH="$PWD/bin:$PATH"
echo "== Go benchmarks"
go test -run '^$' -bench . -benchmem ./lib/... 2>&1 | grep -E '^(Benchmark|ok|FAIL|---)' || true
data="$BENCH_DIR/usage-$BENCH_ROWS.csv"
if [ ! -s "$data" ]; then
  echo "== generating $BENCH_ROWS rows into $data"
  go run ./internal/gendata --rows "$BENCH_ROWS" --period 2025-01 --seed 1 > "$data"
fi
export BENCH_DATA="$data"
ls -lL "$data" | awk '{printf "   %.0f MB\n", $5/1e6}'
for s in scripts/bench.d/*.sh; do
  [ -e "$s" ] || continue
  echo "== $(basename "$s" .sh)"
  bash "$s"
done
echo "bench files in $BENCH_DIR"
