#!/usr/bin/env bash
# Starts/stops a throw-away MSRP relay (RFC 4976) for tests: kamailio's msrp module on
# 127.0.0.1:2855 (TCP), with digest AUTH for the test users (realm wink.test:
# alice/alice-pw, bob/bob-pw, carol/carol-pw).
#
#   scripts/peers/msrp-relay.sh start|stop|status|freeze|crash
#
# freeze stops its processes (SIGSTOP: connections stay open, nothing moves); crash kills
# them at once (SIGKILL), so a test can lose what the relay held.
#
# Needs: apt-get install -y kamailio python3 (the msrp module is in the kamailio package).
# Environment (optional): WINK_PEERS_DIR (default /tmp/wink-peers; this peer uses
# $WINK_PEERS_DIR/msrp-relay), WINK_MSRP_RELAY_PORT (default 2855),
# WINK_MSRP_RELAY_DEBUG (kamailio log level, default 2).
# Listens on 127.0.0.1 only; run it inside a private network namespace for tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}/msrp-relay"
pid_file="$run_dir/kamailio.pid"
log_file="$run_dir/kamailio.log"
cfg_file="$run_dir/msrp-relay.cfg"
peer_name="msrp relay"
address=127.0.0.1
port="${WINK_MSRP_RELAY_PORT:-2855}"
# msrps (TLS) beside it, with a throw-away CA ($run_dir/tls/ca.pem) as kamailio.sh makes.
tls_port="${WINK_MSRP_RELAY_TLS_PORT:-$((port + 100))}"
debug_level="${WINK_MSRP_RELAY_DEBUG:-2}"
# shellcheck source=kamailio-process.sh
source "$here/kamailio-process.sh"

die() { echo "msrp-relay.sh: $*" >&2; exit 1; }

# An AUTH without credentials: the relay answers 401 when it is up.
probe() {
    python3 - "$address" "$port" <<'PY'
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
try:
    s = socket.create_connection((host, port), timeout=0.5)
    s.settimeout(0.5)
    s.sendall(b"MSRP probe1 AUTH\r\nTo-Path: msrp://%s:%d;tcp\r\n"
              b"From-Path: msrp://%s:9/probe;tcp\r\n-------probe1$\r\n" % (host.encode(), port, host.encode()))
    answer = s.recv(4096)
except OSError:
    sys.exit(1)
sys.exit(0 if answer.startswith(b"MSRP probe1 ") else 1)
PY
}

start() {
    command -v kamailio >/dev/null 2>&1 || die "kamailio is missing: apt-get install -y kamailio"
    local modules
    modules="$(find_module_dir)"
    [ -n "$modules" ] && [ -f "$modules/msrp.so" ] || die "kamailio's msrp module is missing (package kamailio)"
    if pid="$(our_pid)"; then
        echo "msrp relay already running (pid $pid)"
        return 0
    fi
    mkdir -p "$run_dir/runtime"
    write_test_tls "$run_dir" "$address"
    sed -e "s|@ADDRESS@|$address|g" -e "s|@PORT@|$port|g" -e "s|@DEBUG@|$debug_level|g" \
        -e "s|@TLS_PORT@|$tls_port|g" -e "s|@TLS_CONFIG@|$run_dir/tls.cfg|g" \
        -e "s|@MODULES@|$modules/|g" "$here/msrp-relay.cfg" >"$cfg_file"
    local args=(-f "$cfg_file" -Y "$run_dir/runtime" -w "$run_dir" -m 32 -M 8 -a no)
    kamailio "${args[@]}" -c >"$run_dir/check.log" 2>&1 || { cat "$run_dir/check.log" >&2; die "config check failed ($cfg_file)"; }
    : >"$log_file"
    setsid kamailio "${args[@]}" -DD -E </dev/null >>"$log_file" 2>&1 &
    local pid=$!
    echo "$pid" >"$pid_file"
    local i
    for i in $(seq 1 50); do   # 50 x 0.2 s = 10 s at most
        [ -d "/proc/$pid" ] || { tail -n 30 "$log_file" >&2; rm -f "$pid_file"; die "kamailio exited during start-up"; }
        if probe; then
            echo "msrp relay running (pid $pid) on msrp://$address:$port;tcp and msrps://$address:$tls_port;tcp (CA $run_dir/tls/ca.pem), log $log_file"
            return 0
        fi
        sleep 0.2
    done
    tail -n 30 "$log_file" >&2
    stop >/dev/null 2>&1 || true
    die "the msrp relay did not answer AUTH within 10 s (log: $log_file)"
}

status() {
    if pid="$(our_pid)" && probe; then
        echo "msrp relay running (pid $pid) on $address:$port"
        return 0
    fi
    echo "msrp relay not running"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    freeze) freeze ;;
    crash) crash ;;
    *) echo "usage: $0 start|stop|status|freeze|crash" >&2; exit 2 ;;
esac
