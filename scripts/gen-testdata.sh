#!/usr/bin/env bash
# Regenerates the bundled sample exports in testdata/ (deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."
gen="go run ./internal/gendata --sample"
lower() { tr '[:upper:]' '[:lower:]' <<<"$1"; }
for m in 2025-01 2025-12; do
  mkdir -p "testdata/$m"
  for s in AWS Azure HPC Storage; do $gen --source "$s" --period "$m" > "testdata/$m/$(lower "$s").csv"; done
done
for m in 2025-01 2025-02; do
  mkdir -p "testdata/openchargeback/$m"
  for s in AWS HPC Storage; do $gen --profile openchargeback --source "$s" --period "$m" > "testdata/openchargeback/$m/$(lower "$s").csv"; done
done
