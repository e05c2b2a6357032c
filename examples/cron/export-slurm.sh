#!/bin/sh
# export-slurm.sh — export one month of Slurm accounting as FOCUS into the
# drop directory that nightly-import.sh and month-end.mk read.
#
# Usage:  export-slurm.sh [PERIOD]     PERIOD = YYYY-MM, default: last month (UTC)
# Cron:   30 1 1 * *  chargeback  /usr/local/lib/openchargeback/export-slurm.sh
#
# Settings (environment; defaults below):
#   DROP      /var/lib/openchargeback/exports    output: $DROP/$PERIOD/$SOURCE.csv
#   SOURCE    HPC                            source name in the ledger
#   CONF      /etc/openchargeback            rates.csv and accounts.csv (docs/export-guides/slurm.md)
#   SACCT     sacct
#
# The file appears atomically (written to a temporary name, checked with
# focus-validate --strict --strict-profile=false, then renamed), so a
# nightly import never reads a half-written export. Rows of Slurm accounts
# missing from accounts.csv are kept (no pi_email: review assigns them);
# --strict-profile=false is what lets them through the conformance check
# instead of dropping the whole month. Exit 1 if the export has problems,
# 2 on other errors.

set -eu

PERIOD=${1:-$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)}
DROP=${DROP:-/var/lib/openchargeback/exports}
SOURCE=${SOURCE:-HPC}
CONF=${CONF:-/etc/openchargeback}
SACCT=${SACCT:-sacct}

case $PERIOD in
[0-9][0-9][0-9][0-9]-[0-1][0-9]) ;;
*) echo "export-slurm: period '$PERIOD' is not YYYY-MM" >&2; exit 2 ;;
esac
start=$PERIOD-01T00:00:00
end=$(date -u -d "$PERIOD-01 +1 month" +%Y-%m-01)T00:00:00

mkdir -p "$DROP/$PERIOD"
raw=$DROP/$PERIOD/.sacct-$PERIOD.txt
tmp=$DROP/$PERIOD/.$SOURCE.csv.tmp
trap 'rm -f "$tmp"' EXIT

# UTC in, UTC out: the month window and the job times agree with FOCUS.
TZ=UTC $SACCT --allusers --allocations --truncate --parsable2 \
	-S "$start" -E "$end" \
	--format=JobID,Account,User,Partition,AllocCPUS,AllocTRES,Elapsed,Start,End,State \
	>"$raw"

slurm-to-focus --period "$PERIOD" --rates "$CONF/rates.csv" --accounts "$CONF/accounts.csv" "$raw" >"$tmp"
focus-validate --strict --strict-profile=false "$tmp" >/dev/null
mv "$tmp" "$DROP/$PERIOD/$SOURCE.csv"
echo "export-slurm: $DROP/$PERIOD/$SOURCE.csv"
