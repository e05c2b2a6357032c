#!/usr/bin/env bash
# with-postgres.sh CMD...: run CMD with FOCUS_TEST_POSTGRES naming a
# throwaway PostgreSQL cluster: initdb in a temporary directory, unix
# socket only (listen_addresses=''), no TCP, stopped and removed at exit.
# As root (CI) the cluster runs as the postgres user (PostgreSQL refuses
# root); otherwise as the current user. Binaries: PGBIN, else the newest
# /usr/lib/postgresql/*/bin, else PATH.
set -euo pipefail
if [ -z "${PGBIN:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v initdb)")
fi
as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as=(runuser -u postgres --)
fi
dir=$(mktemp -d /tmp/focus-pg.XXXXXX)
chmod 755 "$dir"
[ ${#as[@]} -eq 0 ] || chown postgres "$dir"
stop() {
  "${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 2; }
# Settings for a disposable test server: durability is not needed.
"${as[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 2; }
export FOCUS_TEST_POSTGRES="postgres:///postgres?host=$dir&user=postgres"
"$PGBIN/psql" "$FOCUS_TEST_POSTGRES" -qAtc 'SELECT version()' >&2
"$@"
