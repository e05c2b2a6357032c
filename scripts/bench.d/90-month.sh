#!/usr/bin/env bash
# The whole month on BENCH_DATA (4 sources, 60 PIs): validate | flag | load,
# close and finalize, statements with PDFs, journal, outbox mail.
# Target (DESIGN.md): < 10 s on 2 cores.
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
m="$BENCH_DIR/month"
rm -rf "$m" && mkdir -p "$m"
# The bundled account map, plus a default row: the generated file is one
# source ("BENCH") mixing every service.
accounts="$m/accounts.csv"
cat "$(cd "$(dirname "$0")/../.." && pwd)/testdata/accounts.csv" > "$accounts"
echo '*,*,*,SC-RESCOMP,48990,RC-BENCH,62990,Bench default,' >> "$accounts"
start=$(date +%s.%N)
lap() { awk -v a="$(date +%s.%N)" -v b="$2" -v l="$1" 'BEGIN { printf "   %-34s %6.2f s\n", l, a - b }'; }
t=$(date +%s.%N)
focus-validate "$BENCH_DATA" 2>"$m/validate.log" | focus-flag -q | focus-load --db "$m/l.db" import --source BENCH 2>"$m/load.log"
lap "validate | flag | load" "$t"
t=$(date +%s.%N)
focus-load --db "$m/l.db" review list --status pending --format csv | awk -F, 'NR>1 {print $1}' | xargs -r -n 5000 focus-load --db "$m/l.db" review approve 2>/dev/null || true
focus-load --db "$m/l.db" periods close 2025-01 2>/dev/null
focus-load --db "$m/l.db" periods finalize 2025-01 2>/dev/null
lap "review, close, finalize" "$t"
t=$(date +%s.%N)
focus-statement --db "$m/l.db" --period 2025-01 --pdf-dir "$m/pdf" > "$m/statements.ndjson" 2>/dev/null
lap "statements + PDFs ($(wc -l < "$m/statements.ndjson"))" "$t"
t=$(date +%s.%N)
focus-journal --accounts "$accounts" -o "$m/journal.csv" "$m/statements.ndjson" 2>"$m/journal.log" ||
  { echo "   journal refused:" >&2; cat "$m/journal.log" >&2; exit 1; }
lap "journal" "$t"
grep -o 'source total.*' "$m/journal.log" | sed 's/^/   /' || true
t=$(date +%s.%N)
focus-mail --outbox "$m/outbox" --from billing@example.edu "$m/statements.ndjson" >/dev/null 2>&1
lap "mail to outbox" "$t"
total=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
printf '   whole month: %.2f s (target < 10 s)\n' "$total"
