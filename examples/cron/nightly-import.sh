#!/bin/sh
# nightly-import.sh — the nightly part of the month: validate, flag and
# import the exports that arrived (or changed) in the drop directory, then
# mail the admin the list of review items still pending.
#
# Usage:   nightly-import.sh [PERIOD]        PERIOD = YYYY-MM, default: the current UTC month
# Cron:    15 2 * * *  chargeback  /usr/local/lib/openchargeback/nightly-import.sh
#          (on the first days of a month, run it for the previous month too:
#           15 2 1-5 * *  chargeback  /usr/local/lib/openchargeback/nightly-import.sh "$(date -u -d 'last month' +\%Y-\%m)")
#
# Exports are expected as $DROP/$PERIOD/<SOURCE>.csv (or .ndjson), e.g.
# /var/lib/openchargeback/exports/2025-01/AWS.csv; the file name is the source
# name in the ledger. Cloud exports are usually month-to-date files that are
# rewritten every day, so a changed file replaces the source's earlier import
# for the open period (focus-load import --replace); the same bytes again are
# skipped. A file with invalid rows is NOT imported (it would replace a good
# earlier import with a partial one): it is reported in the mail, and its
# invalid rows are kept in $NIGHTLY_DIR/$PERIOD/rejects/.
#
# Settings (environment variables; defaults below). The ledger, tag keys and
# focus-flag rules come from the FOCUS_* variables in $ENV_FILE.
#   ENV_FILE   /etc/openchargeback/env   sourced first if it exists
#   DROP       /var/lib/openchargeback/exports
#   NIGHTLY_DIR /var/lib/openchargeback/nightly  (per-period working files under it)
#   ADMIN      root                       who gets the review list
#   MAIL_FROM  $FOCUS_FROM or chargeback@$(hostname)
#   SENDMAIL   "/usr/sbin/sendmail -t -i" any command that reads a whole
#              message (headers, blank line, body) on stdin
#   MAIL_WHEN  pending                    pending: mail when something is pending or failed;
#                                         always: every night; never: no mail (stdout only)
#   FLAG_ARGS  "--require-tags pi_email,fund_org"
#
# Exit status: 0 all imported (review items may be pending), 1 a file had
# problems or an import was refused, 2 usage or configuration error.

set -u

ENV_FILE=${ENV_FILE:-/etc/openchargeback/env}
if [ -r "$ENV_FILE" ]; then
	set -a
	# shellcheck disable=SC1090
	. "$ENV_FILE"
	set +a
fi

PERIOD=${1:-$(date -u +%Y-%m)}
DROP=${DROP:-/var/lib/openchargeback/exports}
NIGHTLY_DIR=${NIGHTLY_DIR:-/var/lib/openchargeback/nightly}
ADMIN=${ADMIN:-root}
MAIL_FROM=${MAIL_FROM:-${FOCUS_FROM:-chargeback@$(hostname)}}
SENDMAIL=${SENDMAIL:-/usr/sbin/sendmail -t -i}
MAIL_WHEN=${MAIL_WHEN:-pending}
FLAG_ARGS=${FLAG_ARGS:---require-tags pi_email,fund_org}

die() { echo "nightly-import: $*" >&2; exit 2; }

case $PERIOD in
[0-9][0-9][0-9][0-9]-[0-1][0-9]) ;;
*) die "period '$PERIOD' is not YYYY-MM" ;;
esac
# Header values are put into the mail as they are: refuse line breaks
# rather than let a setting add headers.
for v in "$ADMIN" "$MAIL_FROM"; do
	case $v in *"
"* | *"$(printf '\r')"*) die "ADMIN and MAIL_FROM must be one line" ;; esac
done

dir=$NIGHTLY_DIR/$PERIOD
mkdir -p "$dir/rejects" "$dir/flagged" "$dir/done" || die "cannot create $dir"

# One run at a time per period (focus-load would wait anyway; this avoids
# doing the validation twice).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$dir/.lock"
	flock -n 9 || { echo "nightly-import: another run for $PERIOD is in progress" >&2; exit 0; }
fi

report=$dir/report.txt
: >"$report"
imported=0 unchanged=0 problems=0

for f in "$DROP/$PERIOD"/*.csv "$DROP/$PERIOD"/*.ndjson; do
	[ -f "$f" ] || continue
	base=${f##*/}
	src=${base%.*}
	case $src in
	*[!A-Za-z0-9_-]*)
		echo "SKIPPED  $base: source names are letters, digits, - and _ only" >>"$report"
		problems=$((problems + 1))
		continue
		;;
	esac
	sum=$(sha256sum <"$f" | cut -d' ' -f1)
	if [ -f "$dir/done/$src" ] && [ "$(cat "$dir/done/$src")" = "$sum" ]; then
		unchanged=$((unchanged + 1))
		continue
	fi
	valid=$dir/flagged/$src.valid.tmp
	flagged=$dir/flagged/$src.csv
	if ! focus-validate --reject "$dir/rejects/$src.csv" "$f" >"$valid" 2>"$dir/rejects/$src.log"; then
		n=$(grep -c . "$dir/rejects/$src.log" || true)
		echo "INVALID  $base: $n diagnostic(s), not imported; see $dir/rejects/$src.log and $src.csv" >>"$report"
		sed -n '1,10s/^/         /p' "$dir/rejects/$src.log" >>"$report"
		problems=$((problems + 1))
		rm -f "$valid"
		continue
	fi
	if ! focus-flag --period "$PERIOD" $FLAG_ARGS "$valid" >"$flagged.tmp" 2>"$dir/flagged/$src.summary"; then
		echo "FAILED   $base: focus-flag failed: $(tail -n 1 "$dir/flagged/$src.summary")" >>"$report"
		problems=$((problems + 1))
		rm -f "$valid" "$flagged.tmp"
		continue
	fi
	mv "$flagged.tmp" "$flagged"
	rm -f "$valid"
	if out=$(focus-load import --source "$src" --period "$PERIOD" --replace "$flagged" 2>&1); then
		echo "IMPORTED $base${out:+: $out}" >>"$report"
		echo "$sum" >"$dir/done/$src"
		imported=$((imported + 1))
	else
		echo "REFUSED  $base: $out" >>"$report"
		problems=$((problems + 1))
	fi
done

pending_csv=$dir/review-pending.csv
if ! focus-load review list --period "$PERIOD" --status pending --format csv >"$pending_csv" 2>"$dir/review.err"; then
	echo "FAILED   focus-load review list: $(tail -n 1 "$dir/review.err")" >>"$report"
	problems=$((problems + 1))
fi
pending=$(tail -n +2 "$pending_csv" | grep -c . || true)

subject="[chargeback] $PERIOD: $pending review item(s) pending, $imported imported, $problems problem(s)"
echo "$subject"
cat "$report"

case $MAIL_WHEN in
always) send=yes ;;
never) send=no ;;
pending) if [ "$pending" -gt 0 ] || [ "$problems" -gt 0 ]; then send=yes; else send=no; fi ;;
*) die "MAIL_WHEN must be always, pending or never" ;;
esac

if [ "$send" = yes ]; then
	{
		printf 'From: %s\n' "$MAIL_FROM"
		printf 'To: %s\n' "$ADMIN"
		printf 'Subject: %s\n' "$subject"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
		printf 'Nightly import for %s on %s (%s unchanged file(s) skipped).\n\n' "$PERIOD" "$(hostname)" "$unchanged"
		if [ -s "$report" ]; then cat "$report"; echo; fi
		if [ "$pending" -gt 0 ]; then
			echo "Pending review items (focus-load review list --period $PERIOD --status pending):"
			echo
			cat "$pending_csv"
			echo
			echo "Decide each with: focus-load review approve ID... | reject ID... | assign --tag pi_email=... ID..."
		else
			echo "Nothing is pending review."
		fi
	} | $SENDMAIL || { echo "nightly-import: sending mail with '$SENDMAIL' failed" >&2; exit 2; }
fi

[ "$problems" -eq 0 ] || exit 1
exit 0
