#!/usr/bin/env bash
# focus-flag on the generated input (BENCH_DATA): rows/s and peak RSS, against
# a bare copy (cat) measured in the same run. Targets (DESIGN.md): ≥ 400k
# rows/s and < 256 MiB peak RSS for 1M rows.
#  - "stdin file": focus-flag < data (stdin is a regular file: re-read in place)
#  - "pipe":       cat data | focus-flag (not seekable: spooled to $TMPDIR)
set -euo pipefail
: "${BENCH_DATA:?}" "${BENCH_DIR:?}"
rows=$(( $(wc -l < "$BENCH_DATA") - 1 ))
tf="$BENCH_DIR/flag-time.txt"

measure() { # prints "seconds maxrss_kib"
  /usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null
  cat "$tf"
}

read -r cat_s cat_k < <(measure cat "$BENCH_DATA")
read -r file_s file_k < <(measure sh -c 'exec focus-flag -q --require-tags pi_email,fund_org,project_id < "$1"' _ "$BENCH_DATA")
read -r pipe_s pipe_k < <(measure sh -c 'cat "$1" | focus-flag -q --require-tags pi_email,fund_org,project_id' _ "$BENCH_DATA")

report() { # name seconds kib
  awk -v n="$1" -v s="$2" -v k="$3" -v rows="$rows" -v base="$cat_s" 'BEGIN {
    if (s < 0.01) s = 0.01; if (base < 0.01) base = 0.01
    rps = rows / s
    printf "   %-22s %9d rows %7.2f s %9.0f rows/s  %5.1fx cat  peak RSS %4.0f MiB  [%s, %s]\n",
      n, rows, s, rps, s / base, k / 1024,
      (rps >= 400000 ? "ok >= 400k rows/s" : "SLOW < 400k rows/s"),
      (k < 256 * 1024 ? "ok < 256 MiB" : "OVER 256 MiB")
  }'
}
awk -v s="$cat_s" -v k="$cat_k" 'BEGIN { printf "   %-22s %7.2f s, peak RSS %.0f MiB (baseline)\n", "cat", s, k / 1024 }'
report "focus-flag < file" "$file_s" "$file_k"
report "cat | focus-flag" "$pipe_s" "$pipe_k"
# For scale: the stage before it in the month-end pipe, when built.
if command -v focus-validate > /dev/null; then
  read -r v_s v_k < <(measure sh -c 'focus-validate < "$1" 2> /dev/null || true' _ "$BENCH_DATA")
  awk -v s="$v_s" -v k="$v_k" -v f="$file_s" 'BEGIN { if (s < 0.01) s = 0.01
    printf "   %-22s %7.2f s, peak RSS %.0f MiB (reference: focus-flag takes %.2fx its time)\n", "focus-validate < file", s, k / 1024, f / s }'
fi
