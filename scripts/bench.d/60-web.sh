#!/usr/bin/env bash
# The web interface on the generated 1M-charge month (issue 17): `serve` on
# the ledger 50-statement.sh built, signed in with curl; each page's answer
# time, the first request and the best of five. Targets: the dashboard and
# the statements page < 300 ms, the charge browser <= 0.26 s (what it
# answered before issue 17).
set -euo pipefail
: "${BENCH_DIR:?}"
db="$BENCH_DIR/statement-bench.db"
if [ ! -s "$db" ]; then
  echo "   web: skipped (no ledger: 50-statement.sh builds $db)"
  exit 0
fi
if ! command -v curl > /dev/null; then
  echo "   web: curl not installed (apt-get install curl): not measured" >&2
  exit 1
fi
w="$BENCH_DIR/web"
rm -rf "$w" && mkdir -p "$w"
printf 'quiet-harbor-lantern-42\n' | focus-statement passwd --user bench --role admin > "$w/users.txt"
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
focus-statement serve --db "$db" --users "$w/users.txt" --addr "127.0.0.1:$port" \
  --session-key "$w/session-key" --link-key "$w/link-key" 2> "$w/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$base/login" 2>/dev/null && break
  sleep 0.1
done
jar="$w/cookies"
csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode user=bench \
  --data-urlencode password=quiet-harbor-lantern-42 --data-urlencode next=/dashboard "$base/login"
# page NAME PATH LIMIT_SECONDS
page() {
  local first best t code
  for i in 1 2 3 4 5 6; do
    read -r code t < <(curl -sS -o "$w/page.html" -b "$jar" -w '%{http_code} %{time_total}\n' "$base$2")
    if [ "$code" != 200 ]; then
      echo "   web: $2 answered HTTP $code" >&2
      exit 1
    fi
    if [ "$i" = 1 ]; then first=$t best=$t; fi
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
  done
  grep -q 'Sign in' "$w/page.html" && { echo "   web: $2 showed the sign-in page" >&2; exit 1; }
  awk -v n="$1" -v f="$first" -v b="$best" -v l="$3" 'BEGIN {
    printf "   %-22s first %4.0f ms, best of 5 %4.0f ms  [%s %.0f ms]\n", n, f * 1000, b * 1000, (b <= l ? "ok <=" : "OVER"), l * 1000
  }'
}
rows=$(sqlite3 "$db" 'SELECT count(*) FROM charges' 2>/dev/null || echo '?')
echo "   serve on a ledger of $rows charges (period 2025-01)"
page dashboard "/dashboard?period=2025-01" 0.3
grep -q '@' "$w/page.html" || { echo "   web: the dashboard lists no PI" >&2; exit 1; }
page statements "/statements?period=2025-01" 0.3
page "charge browser" "/charges?period=2025-01" 0.26
