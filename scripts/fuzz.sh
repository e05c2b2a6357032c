#!/usr/bin/env bash
# Runs every Fuzz target in the module for $1 (default 30s) each.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-30s}
for pkg in $(go list ./...); do
  for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
  done
done
# The money property tests (random ledgers): make test runs a few hundred
# cases, this many more.
echo "== money properties (${RAPID_CHECKS:=3000} cases each)"
go test -count=1 -run 'Property$' ./e2e ./lib/web -args -rapid.checks="$RAPID_CHECKS"
