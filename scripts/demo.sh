#!/usr/bin/env bash
# make demo: the monthly pipeline on the bundled testdata, into out/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:$PATH"
OUT=${OUT:-out/demo}
rm -rf "$OUT" && mkdir -p "$OUT"
echo "== validate"
for f in testdata/2025-01/*.csv testdata/2025-12/*.csv; do
  focus-validate --reject "$OUT/rejects-$(basename "$f")" "$f" > /dev/null || true
done
echo "results in $OUT"
