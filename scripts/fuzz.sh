#!/usr/bin/env bash
# Runs every Fuzz target in the module for $1 (default 30s) each.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-30s}
for pkg in $(go list ./...); do
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    out=$(mktemp)
    if ! go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" 2>&1 | tee "$out"; then
      # The go command sometimes ends a time-boxed run with "context
      # deadline exceeded" and no failing input (a toolchain flake, not a
      # finding). Anything else, or any failing input written, fails.
      if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
        echo "   (go's fuzzer stopped at its deadline mid-run; no failing input: not a finding)"
      else
        rm -f "$out"
        exit 1
      fi
    fi
    rm -f "$out"
  done
done
# The money property tests (random ledgers): make test runs a few hundred
# cases, this many more.
echo "== money properties (${RAPID_CHECKS:=3000} cases each)"
go test -count=1 -run 'Property$' ./e2e ./lib/web -args -rapid.checks="$RAPID_CHECKS"
