#!/bin/sh
# pg_server.sh - a throwaway PostgreSQL server for the tracker tests.
#
#   pg_server.sh start STATEFILE [PORT]   initdb + start; writes "DIR\nPORT" to STATEFILE
#   pg_server.sh stop  STATEFILE          stop -m fast, remove DIR and STATEFILE
#   pg_server.sh halt  STATEFILE          stop -m fast, keep DIR (fault tests)
#   pg_server.sh resume STATEFILE         start a halted server again, same port
#
# The cluster lives in a fresh /tmp/taq_pg.XXXXXX (data in DIR/data, the unix
# socket in DIR) owned by postgres: initdb and pg_ctl refuse to run as root.
# PORT (default $TAQ_TEST_PGPORT, else 54329) is the first one tried; when it
# is taken the next ones are tried, so two builds can test at once.
# Local (unix socket) connections are trusted; TCP on 127.0.0.1 needs a
# SCRAM password: role/database taq_secret exists for the password tests,
# with the password in DIR/secret (never a fixed string in the sources).
set -eu

BINDIR=$(pg_config --bindir)

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    as_pg "$BINDIR/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 start \
        -o "-k $1 -p $2 -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}

start() {
    state=$1
    port=${2:-${TAQ_TEST_PGPORT:-54329}}
    dir=$(mktemp -d /tmp/taq_pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_pg "$BINDIR/initdb" -D "$dir/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    tries=0
    until pg_start "$dir" "$port"; do
        tries=$((tries + 1))
        if [ $tries -ge 10 ]; then
            cat "$dir/server.log" >&2
            exit 1
        fi
        port=$((port + 1))
    done
    printf '%s\n%s\n' "$dir" "$port" >"$state"
    secret="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s' "$secret" >"$dir/secret"
    psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE taq_secret LOGIN PASSWORD '$secret'" \
        -c "CREATE DATABASE taq_secret OWNER taq_secret" >/dev/null
    echo "PostgreSQL test server: socket $dir, port $port"
}

stop() {
    state=$1
    [ -f "$state" ] || { echo "no server state in $state"; exit 0; }
    dir=$(sed -n 1p "$state")
    case "$dir" in /tmp/taq_pg.*) ;; *) echo "bad state $state" >&2; exit 1 ;; esac
    as_pg "$BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir" "$state"
    echo "PostgreSQL test server stopped"
}

state_dir() {
    dir=$(sed -n 1p "$1")
    case "$dir" in /tmp/taq_pg.*) ;; *) echo "bad state $1" >&2; exit 1 ;; esac
}

halt() {
    state_dir "$1"
    as_pg "$BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

resume() {
    state_dir "$1"
    pg_start "$dir" "$(sed -n 2p "$1")" || { cat "$dir/server.log" >&2; exit 1; }
}

case "${1:-}" in
start) start "$2" "${3:-}" ;;
stop) stop "$2" ;;
halt) halt "$2" ;;
resume) resume "$2" ;;
*) echo "usage: $0 start STATEFILE [PORT] | stop|halt|resume STATEFILE" >&2; exit 2 ;;
esac
