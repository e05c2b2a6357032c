# Sourced by 65-year.sh and 66-year-postgres.sh: serve a ledger, sign in,
# and time every page of the year table on it. Needs root, w (a scratch
# folder) and the tools on PATH. Not a bench of its own (bench.sh runs
# *.sh only).

# The PI link maker (BENCH_PILINK: another build of it).
pilink=${BENCH_PILINK:-$w/pilink}
[ -n "${BENCH_PILINK:-}" ] || (cd "$root" && go build -o "$w/pilink" ./internal/benchtools/pilink)
printf 'quiet-harbor-lantern-42\n' | focus-statement passwd --user bench --role admin > "$w/users.txt"
pid=""
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true' EXIT
# serve DB: starts serve on DB (stopping the previous one) and signs in;
# pipath is then the PI page (a signed link) of December's first PI.
serve() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pipath=$("$pilink" --db "$1" --key "$w/link-key" --period 2025-12) ||
    { echo "   year: no PI link" >&2; exit 1; }
  port=$((20000 + RANDOM % 20000))
  site="http://127.0.0.1:$port"
  focus-statement serve --db "$1" --users "$w/users.txt" --addr "127.0.0.1:$port" \
    --session-key "$w/session-key" --link-key "$w/link-key" 2> "$w/serve.log" &
  pid=$!
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$site/login" 2>/dev/null && break
    sleep 0.1
  done
  jar="$w/cookies"
  rm -f "$jar"
  local csrf
  csrf=$(curl -fsS -c "$jar" -b "$jar" "$site/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" --data-urlencode user=bench \
    --data-urlencode password=quiet-harbor-lantern-42 --data-urlencode next=/dashboard "$site/login"
}
# best PATH: the best of 5 answer times in ms, after a first request.
best() {
  local b="" t code i
  for i in 1 2 3 4 5 6; do
    read -r code t < <(curl -sS -o "$w/page.html" -b "$jar" -w '%{http_code} %{time_total}\n' "$site$1")
    if [ "$code" != 200 ]; then
      echo "   year: $1 answered HTTP $code" >&2
      exit 1
    fi
    grep -q 'Sign in' "$w/page.html" && { echo "   year: $1 showed the sign-in page" >&2; exit 1; }
    [ "$i" = 1 ] && continue
    b=$(awk -v a="$b" -v t="$t" 'BEGIN { print (a == "" || t < a ? t : a) }')
  done
  awk -v b="$b" 'BEGIN { printf "%.1f", b * 1000 }'
}
# pages PI: the table's pages, "name|path" (PI: a PI's e-mail; the PI
# page's path is added by measure, after serve made it).
pages() {
  local p=${1%%@*}
  pages=(
    "dashboard|/dashboard?period=2025-12"
    "statements|/statements?period=2025-12"
    "charges|/charges?period=2025-12"
    "charges, page 50|/charges?period=2025-12&page=50"
    "charges, last page, desc|/charges?period=2025-12&dir=desc"
    "charges by billed|/charges?period=2025-12&sort=billed&dir=desc"
    "charges by billed, p. 50|/charges?period=2025-12&sort=billed&page=50"
    "charges by PI|/charges?period=2025-12&sort=pi"
    "charges by PI, desc, p. 50|/charges?period=2025-12&sort=pi&dir=desc&page=50"
    "charges by list|/charges?period=2025-12&sort=list&dir=desc"
    "charges by project|/charges?period=2025-12&sort=project"
    "charges by service|/charges?period=2025-12&sort=service"
    "charges of a PI|/charges?period=2025-12&pi=$p"
    "charges of a service|/charges?period=2025-12&service=HPC%20Compute"
    "charges of a source|/charges?period=2025-12&source=HPC"
    "PI+service+source|/charges?period=2025-12&pi=$p&service=Research%20Storage&source=BENCH"
    "service, by billed|/charges?period=2025-12&service=HPC%20Compute&sort=billed&dir=desc"
    "PI, by billed|/charges?period=2025-12&pi=$p&sort=billed&dir=desc"
    "charges, pending|/charges?period=2025-12&status=pending"
    "charges, flag|/charges?period=2025-12&flag=outlier"
    "review|/review?period=2025-12"
    "adjustments|/adjustments?period=2025-12"
    "disputes|/disputes?period=2025-12"
  )
}
# measure T DB: times every page on DB into the associative array T.
measure() {
  local -n into=$1
  local p
  serve "$2"
  into["PI page|pi"]=$(best "$pipath")
  for p in "${pages[@]}"; do into[$p]=$(best "${p#*|}"); done
}
# table N1 N12: prints t1 against t12 (charges in each ledger: N1, N12),
# then the old month's pages (year only, against December alone).
table() {
  local p
  printf '   %-26s %12s %12s %7s\n' "page (best of 5, ms)" "1 month" "12 months" "ratio"
  printf '   %-26s %12s %12s\n' "charges in the ledger" "$1" "$2"
  for p in "PI page|pi" "${pages[@]}"; do
    awk -v n="${p%%|*}" -v a="${t1[$p]}" -v b="${t12[$p]}" 'BEGIN {
      r = (a > 0 ? b / a : 0)
      printf "   %-26s %12.1f %12.1f %6.2fx  [%s, %s]\n", n, a, b, r, (b < 300 ? "ok < 300 ms" : "OVER 300 ms"),
        (r <= 1.5 || b < 50 ? "ok <= 1.5x" : "OVER 1.5x")
    }'
  done
  for p in "${old[@]}"; do
    awk -v n="${p%%|*}" -v b="${t12[$p]}" -v a="${t1[${p#*|}]}" 'BEGIN {
      printf "   %-26s %12s %12.1f %6.2fx  [%s] (against December alone)\n", n, "-", b, (a > 0 ? b / a : 0), (b < 300 ? "ok < 300 ms" : "OVER 300 ms")
    }'
  done
}
# Pages of an old month exist only in the year: "name|December's page
# (the key of its 1-month time)|path".
old=(
  "charges, 2025-03|charges|/charges?period=2025-12"
  "review, 2025-03|review|/review?period=2025-12"
  "statements, 2025-03|statements|/statements?period=2025-12"
)
# measure_old: times the old month's pages on the year (served now).
measure_old() {
  local p q
  for p in "${old[@]}"; do
    q=${p#*|}
    q=${q#*|}
    t12[$p]=$(best "${q/2025-12/2025-03}")
  done
}
