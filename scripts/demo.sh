#!/usr/bin/env bash
# make demo: the whole monthly pipeline on the bundled testdata, into out/demo:
# validate → flag → load (two months, four sources) → review → close and
# finalize 2025-01 → statements with PDFs → GL journal → e-mail to an outbox.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:$PATH"
OUT=${OUT:-out/demo}
# DEMO_DB: another ledger, e.g. an empty PostgreSQL database (postgres://…).
DB=${DEMO_DB:-$OUT/ledger.db}
rm -rf "$OUT" && mkdir -p "$OUT/2025-01" "$OUT/2025-12"
# Reproducible figures whatever the environment says.
unset "${!FOCUS_@}"

step() { printf '\n== %s\n' "$*"; }

for m in 2025-01 2025-12; do
  step "validate | flag | load $m"
  for f in testdata/$m/*.csv; do
    src=$(basename "$f" .csv)
    case $src in aws) src=AWS ;; azure) src=Azure ;; hpc) src=HPC ;; storage) src=Storage ;; esac
    focus-validate --reject "$OUT/$m/rejects-$src.csv" "$f" 2>>"$OUT/$m/validate.log" \
      | focus-flag --require-tags pi_email,fund_org,project_id --fund-pattern '[A-Z]+-[A-Z]+-[0-9]{4}' 2>>"$OUT/$m/flag.log" \
      | focus-load --db "$DB" import --source "$src"
  done
  grep -h '^focus-validate:' "$OUT/$m/validate.log" | sed 's/^/   /'
  grep -hE '^focus-flag:|^     [a-z-]+(:[a-z_]+)? +[0-9]+$' "$OUT/$m/flag.log" | sed 's/^/   /' || true
done

step "review 2025-01: the planted problems"
focus-load --db "$DB" review list --period 2025-01 --status pending --format table
id_of() { focus-load --db "$DB" review list --period 2025-01 --status pending --format csv | awk -F, -v r="$1" '$10 ~ r { print $1 }'; }
focus-load --db "$DB" review assign --tag pi_email=ada.lovelace@uni.edu "$(id_of planted-missing-pi)"
focus-load --db "$DB" review assign --tag pi_email=katherine.johnson@uni.edu "$(id_of planted-bad-email)"
focus-load --db "$DB" review approve --note "runaway job array, confirmed with the PI; fully subsidized" "$(id_of planted-outlier)"
focus-load --db "$DB" review assign --tag fund_org=USDA-NIFA-2024 "$(id_of planted-missing-fund)"
focus-load --db "$DB" adjust --period 2025-01 --pi ada.lovelace@uni.edu --amount -10.00 --reason "node outage credit"

step "close and finalize 2025-01"
focus-load --db "$DB" periods close 2025-01
focus-load --db "$DB" periods finalize 2025-01
focus-load --db "$DB" periods list --format table

step "statements"
focus-statement --db "$DB" --period 2025-01 --pdf-dir "$OUT/pdf" > "$OUT/2025-01/statements.ndjson"
focus-statement --db "$DB" --period 2025-01 --by project --pdf-dir "$OUT/pdf-by-project" > "$OUT/2025-01/statements-by-project.ndjson"
focus-statement --db "$DB" --period 2025-12 --pdf-dir "$OUT/pdf" > "$OUT/2025-12/statements.ndjson"
focus-statement --db "$DB" --period 2025-01 --format csv > "$OUT/2025-01/statements.csv"

step "GL journal"
focus-journal --accounts testdata/accounts.csv -o "$OUT/journal-2025-01.csv" "$OUT/2025-01/statements.ndjson"
focus-journal --accounts testdata/accounts.csv --format banner -o "$OUT/journal-2025-01-banner.csv" "$OUT/2025-01/statements.ndjson"
if focus-journal --accounts testdata/accounts.csv -o "$OUT/journal-2025-12.csv" "$OUT/2025-12/statements.ndjson" 2>"$OUT/journal-2025-12.err"; then
  echo "BUG: a journal was written for the open period 2025-12" >&2; exit 1
fi
echo "   2025-12 is still open: its journal is refused without --draft:"
sed 's/^/   /' "$OUT/journal-2025-12.err" | head -3

step "e-mail to the outbox"
focus-mail --outbox "$OUT/outbox" --from 'Research Computing Billing <billing@example.edu>' \
  --sent-log "$OUT/sent.log" "$OUT/2025-01/statements.ndjson" > "$OUT/mail.log"
focus-mail --outbox "$OUT/outbox" --from billing@example.edu --sent-log "$OUT/sent.log" "$OUT/2025-01/statements.ndjson" > /dev/null  # a re-run sends nothing twice

step "results"
# The lines below are for copying into a shell: quoted, and with the two
# key files serve requires on PostgreSQL (its keys cannot sit beside a file).
q() { printf '%q' "$1"; }
serve_keys=
case $DB in
*://* | *=*) serve_keys=" --session-key $(q "$OUT/session-key") --link-key $(q "$OUT/link-key")" ;;
esac
cat <<EOM
   ledger         $DB
   statements     $OUT/2025-01/statements.ndjson (final), $OUT/2025-12/statements.ndjson (draft)
   PDFs           $OUT/pdf/2025-01/ ($(ls "$OUT/pdf/2025-01" | wc -l) files), per project: $OUT/pdf-by-project/
   journal        $OUT/journal-2025-01.csv, $OUT/journal-2025-01-banner.csv
   e-mail         $OUT/outbox/ ($(ls "$OUT/outbox" | wc -l) .eml files), sent log $OUT/sent.log
   rejects        $OUT/*/rejects-*.csv
   audit          focus-load --db $(q "$DB") audit --format table

   web interface on this ledger:
     focus-statement passwd --user admin --role admin >> $(q "$OUT/users.txt")
     focus-statement serve --db $(q "$DB") --users $(q "$OUT/users.txt")$serve_keys      # http://127.0.0.1:8080
EOM
