#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the storage tests: a new data directory
# under $WINK_PEERS_DIR/postgres each start, trust authentication for the role `wink`
# (loopback only, inside the test namespace), gone at `stop`.
#
#   scripts/peers/postgres.sh start|stop
#
# Needs: apt-get install -y postgresql (any version; the newest installed is used).
# Environment: WINK_PEERS_DIR (default /tmp/wink-peers), WINK_POSTGRES_PORT (default 5432).
# After `start`: postgres://wink@127.0.0.1:$port/postgres reaches it as a superuser, so the
# tests can create one database each.
set -euo pipefail
base_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}"
run_dir="$base_dir/postgres"
data_dir="$run_dir/data"
port="${WINK_POSTGRES_PORT:-5432}"

die() { echo "postgres.sh: $*" >&2; exit 1; }

bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$dir/postgres" ] || return 1
    echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user
# that Debian's package creates.
as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
    start)
        bin=$(bin_dir) || die "PostgreSQL is not installed (apt-get install postgresql)"
        if [ "$(id -u)" -eq 0 ]; then
            id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the server as"
            chmod o+x "$base_dir"
        fi
        rm -rf "$run_dir"
        mkdir -p "$run_dir"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$run_dir"
        as_server_user "$bin/initdb" --pgdata="$data_dir" --username=wink --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$run_dir/initdb.log" 2>&1 ||
            { cat "$run_dir/initdb.log" >&2; die "initdb failed"; }
        if ! as_server_user "$bin/pg_ctl" --pgdata="$data_dir" --log="$run_dir/server.log" --wait \
            --options="-c listen_addresses=127.0.0.1 -p $port -k $run_dir -c fsync=on" start \
            >/dev/null; then
            cat "$run_dir/server.log" >&2 || true
            die "the server did not start"
        fi
        echo "postgres on 127.0.0.1:$port (data $data_dir)"
        ;;
    stop)
        bin=$(bin_dir) || exit 0
        if [ -f "$data_dir/postmaster.pid" ]; then
            as_server_user "$bin/pg_ctl" --pgdata="$data_dir" --mode=fast --wait stop >/dev/null || true
        fi
        rm -rf "$run_dir"
        ;;
    *)
        echo "usage: postgres.sh start|stop" >&2
        exit 2
        ;;
esac
