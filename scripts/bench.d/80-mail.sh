#!/usr/bin/env bash
# focus-mail outbox throughput: N statements with 25 KiB PDFs (the size
# focus-statement makes) built, written as .eml (fsync each) and recorded in
# the sent-log (fsync each). Baseline: copying the same PDFs with cp.
set -euo pipefail
N=${BENCH_MAIL_N:-600}
d="$BENCH_DIR/mail"
rm -rf "$d" && mkdir -p "$d/pdf"
for i in $(seq -w 1 "$N"); do
  { printf '%%PDF-1.7\n'; head -c 25600 /dev/urandom; } > "$d/pdf/2025-01-$i.pdf"
done
(cd "$d/pdf" && sha256sum ./*.pdf) | while read -r sum f; do
  id=$(basename "$f" .pdf)
  printf '{"statement_id":"%s","period":"2025-01","status":"final","currency":"USD","pi":{"email":"pi%s@uni.edu","name":"PI %s"},"lines":[{"source":"HPC","service":"HPC Compute","project_id":"p","fund_org":"F","list_cost":"2400.00","discount":"-2000.00","billed_cost":"400.00"}],"adjustments":[],"totals":{"list_cost":"2400.00","discount":"-2000.00","billed_cost":"400.00","adjustments":"0.00","amount_due":"400.00"},"pdf":"%s/pdf/%s.pdf","pdf_sha256":"%s"}\n' \
    "$id" "$id" "$id" "$d" "$id" "$sum"
done > "$d/statements.ndjson"

/usr/bin/time -f '%e %M' -o "$d/t.base" cp -r "$d/pdf" "$d/copy"
/usr/bin/time -f '%e %M' -o "$d/t.mail" focus-mail --outbox "$d/outbox" --from billing@example.edu \
  --sent-log "$d/sent.log" "$d/statements.ndjson" > /dev/null 2> "$d/mail.err"
/usr/bin/time -f '%e %M' -o "$d/t.rerun" focus-mail --outbox "$d/outbox" --from billing@example.edu \
  --sent-log "$d/sent.log" "$d/statements.ndjson" > /dev/null 2>> "$d/mail.err"
t_base=$(tail -1 "$d/t.base") t_mail=$(tail -1 "$d/t.mail") t_rerun=$(tail -1 "$d/t.rerun")
sent=$(ls "$d/outbox" | wc -l)
awk -v n="$N" -v sent="$sent" -v b="$t_base" -v m="$t_mail" -v r="$t_rerun" 'BEGIN {
  split(b, B, " "); split(m, M, " "); split(r, R, " ");
  bs = (B[1] > 0 ? B[1] : 0.01); ms = (M[1] > 0 ? M[1] : 0.01); rs = (R[1] > 0 ? R[1] : 0.01);
  printf "focus-mail outbox: %d statements, %d .eml, %.2f s, %.0f msgs/s, peak RSS %.1f MiB\n", n, sent, M[1], n / ms, M[2] / 1024;
  printf "baseline cp of the PDFs: %.2f s; focus-mail/cp time ratio %.1f\n", B[1], ms / bs;
  printf "re-run with sent-log (all skipped): %.2f s, %.0f statements/s, peak RSS %.1f MiB\n", R[1], n / rs, R[2] / 1024;
}'
