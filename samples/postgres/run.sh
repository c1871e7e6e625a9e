#!/usr/bin/env bash
# run.sh [--pgbouncer]: a throwaway PostgreSQL for CancelDemo's /query and /chain?leaf=query, in the foreground.
# Ctrl-C (or SIGTERM) stops it and deletes everything it made.
#
#   samples/postgres/run.sh               PostgreSQL on 127.0.0.1, a free port, trust auth, in a temp folder
#   samples/postgres/run.sh --pgbouncer   the same, plus pgbouncer in front of it (session and transaction pooling)
#
# It prints the argument to pass to the server, e.g.
#   dotnet run --project src/CancelDemo.Server -- --ConnectionStrings:Postgres="Host=127.0.0.1;Port=41234;Username=postgres;Database=postgres"
# then a line "ready" once everything accepts connections.
#
# Settings (environment): PGPORT and PGBOUNCER_PORT (default: free ports), PGVERSION_BIN (the folder of initdb and
# pg_ctl; default: found on PATH or under /usr/lib/postgresql/*/bin). PostgreSQL refuses to run as root: as root the
# cluster runs as the 'postgres' user (runuser), otherwise as you.
set -euo pipefail

pgbouncer=false
[[ ${1:-} == --pgbouncer ]] && pgbouncer=true

bin=${PGVERSION_BIN:-}
if [[ -z $bin ]]; then
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    bin=$(dirname "$(command -v pg_ctl)")
  else
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
fi
[[ -x $bin/initdb && -x $bin/pg_ctl ]] || { echo "run.sh: initdb/pg_ctl not found; install PostgreSQL (apt-get install -y postgresql)" >&2; exit 1; }
if $pgbouncer && ! command -v pgbouncer >/dev/null 2>&1; then
  echo "run.sh: pgbouncer not found; install it (apt-get install -y pgbouncer)" >&2; exit 1
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
: "${PGPORT:=$(free_port)}" "${PGBOUNCER_PORT:=$(free_port)}"

work=$(mktemp -d "${TMPDIR:-/tmp}/canceldemo-postgres.XXXXXX")
as=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || { echo "run.sh: running as root needs a 'postgres' user (the postgresql package makes one)" >&2; exit 1; }
  chown postgres: "$work"
  chmod 0755 "$work"
  as=(runuser -u postgres --)
fi

idle=
stop() {
  # A second Ctrl-C or TERM must not interrupt the clean-up.
  trap '' INT TERM
  trap - EXIT
  # The idle `sleep` below too: left running, it would hold this script's stdout open for an hour.
  [[ -n $idle ]] && kill "$idle" 2>/dev/null || true
  [[ -f $work/pgbouncer.pid ]] && kill "$(cat "$work/pgbouncer.pid")" 2>/dev/null || true
  "${as[@]}" "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "run.sh: stopped and removed $work" >&2
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

"${as[@]}" "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
"${as[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PGPORT -k $work -c fsync=off -c log_min_messages=warning -c log_min_error_statement=panic" start >/dev/null \
  || { cat "$work/postgres.log" >&2; exit 1; }
echo "run.sh: PostgreSQL on 127.0.0.1:$PGPORT (data, socket and log in $work)" >&2
echo "--ConnectionStrings:Postgres=\"Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres\""

if $pgbouncer; then
  printf '"postgres" ""\n' >"$work/userlist.txt"
  cat >"$work/pgbouncer.ini" <<INI
[databases]
session = host=127.0.0.1 port=$PGPORT dbname=postgres pool_mode=session
transaction = host=127.0.0.1 port=$PGPORT dbname=postgres pool_mode=transaction
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
default_pool_size = 5
server_reset_query = DISCARD ALL
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
  [[ ${#as[@]} -gt 0 ]] && chown postgres: "$work/pgbouncer.ini" "$work/userlist.txt"
  "${as[@]}" pgbouncer -d "$work/pgbouncer.ini"
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PGBOUNCER_PORT), 0.2)" 2>/dev/null && break
    sleep 0.1
  done
  echo "run.sh: pgbouncer on 127.0.0.1:$PGBOUNCER_PORT (databases 'session' and 'transaction')" >&2
  # Transaction pooling: a server connection is shared between clients, so Npgsql must not reset or prepare.
  echo "--ConnectionStrings:Postgres=\"Host=127.0.0.1;Port=$PGBOUNCER_PORT;Username=postgres;Database=session\""
  echo "--ConnectionStrings:Postgres=\"Host=127.0.0.1;Port=$PGBOUNCER_PORT;Username=postgres;Database=transaction;No Reset On Close=true\""
fi
echo "ready"
echo "run.sh: psql -h 127.0.0.1 -p $PGPORT -U postgres; Ctrl-C to stop and remove it" >&2
while true; do sleep 3600 & idle=$!; wait "$idle" || true; done
