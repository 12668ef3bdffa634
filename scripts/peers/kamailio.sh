#!/usr/bin/env bash
# Starts/stops a throw-away kamailio registrar/proxy on 127.0.0.1 for interop tests.
#
#   scripts/peers/kamailio.sh start|stop|status|restart
#
# Needs (installs nothing itself):
#   apt-get install -y kamailio kamailio-tls-modules sip-tester openssl python3
#
# Environment (all optional):
#   WINK_PEERS_DIR                 base run dir (default /tmp/wink-peers); this
#                                  peer uses $WINK_PEERS_DIR/kamailio
#   WINK_KAMAILIO_ADDRESS          default 127.0.0.1: where it listens (a test that
#                                  builds its own network in its namespace may give
#                                  another local address)
#   WINK_KAMAILIO_NEXT_HOPS        a subnet it may relay to besides 127.0.0.0/8 (default
#                                  127.0.0.0/8: loopback only), for such a test's network
#   WINK_KAMAILIO_UDP_PORT         default 5060
#   WINK_KAMAILIO_TCP_PORT         default 5060
#   WINK_KAMAILIO_TLS_PORT         default 5061
#   WINK_KAMAILIO_PROXY_AUTH       1 (default): 407 for INVITE/MESSAGE/REFER/SUBSCRIBE
#                                  from local users; 0: only REGISTER is challenged
#   WINK_KAMAILIO_NAT              1 (default): received/rport-based routing for NATed
#                                  or connection-oriented UAs; 0: plain Contact routing
#   WINK_KAMAILIO_AUTH_ALGORITHM   MD5 (default) or SHA-256
#   WINK_KAMAILIO_DEBUG            kamailio log level (default 2; 3 = debug)
#
# Users (realm/domain wink.test): alice/alice-pw, bob/bob-pw, carol/carol-pw.
# Everything listens on 127.0.0.1 only (or WINK_KAMAILIO_ADDRESS). For tests, run it inside a private network
# namespace (unshare --net) so that nothing can leave the machine even by mistake.
#
# After `start`, $RUN_DIR/peer.env holds the addresses and the CA/cert path (source it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}"
run_dir="$base_dir/kamailio"
pid_file="$run_dir/kamailio.pid"
log_file="$run_dir/kamailio.log"
cfg_template="$here/kamailio.cfg"
peer_name=kamailio
cfg_file="$run_dir/kamailio.cfg"
# shellcheck source=kamailio-process.sh
source "$here/kamailio-process.sh"

address="${WINK_KAMAILIO_ADDRESS:-127.0.0.1}"
next_hops="${WINK_KAMAILIO_NEXT_HOPS:-127.0.0.0/8}"
udp_port="${WINK_KAMAILIO_UDP_PORT:-5060}"
tcp_port="${WINK_KAMAILIO_TCP_PORT:-5060}"
tls_port="${WINK_KAMAILIO_TLS_PORT:-5061}"
proxy_auth="${WINK_KAMAILIO_PROXY_AUTH:-1}"
nat="${WINK_KAMAILIO_NAT:-1}"
algorithm="${WINK_KAMAILIO_AUTH_ALGORITHM:-MD5}"
debug_level="${WINK_KAMAILIO_DEBUG:-2}"

die() { echo "kamailio.sh: $*" >&2; exit 1; }

check_deps() {
    local missing=()
    command -v kamailio >/dev/null 2>&1 || missing+=("kamailio (package kamailio)")
    command -v openssl >/dev/null 2>&1 || missing+=("openssl (package openssl)")
    command -v python3 >/dev/null 2>&1 || missing+=("python3 (package python3)")
    local moddir
    moddir="$(find_module_dir)"
    if [ -z "$moddir" ]; then
        missing+=("kamailio modules dir")
    else
        [ -f "$moddir/tls.so" ] || missing+=("tls.so (package kamailio-tls-modules)")
        local m
        for m in auth usrloc registrar nathelper ipops rr tm sl sanity; do
            [ -f "$moddir/$m.so" ] || missing+=("$m.so (package kamailio)")
        done
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "kamailio.sh: missing: ${missing[*]}" >&2
        echo "kamailio.sh: install with: apt-get install -y kamailio kamailio-tls-modules sip-tester openssl python3" >&2
        exit 1
    fi
}

# Sends OPTIONS sip:ADDRESS:PORT over UDP; succeeds on any SIP response.
probe() {
    python3 - "$address" "$udp_port" <<'EOF'
import random, socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, 0))
s.settimeout(0.5)
lport = s.getsockname()[1]
tag = "%08x" % random.getrandbits(32)
branch = "z9hG4bK-probe-%08x" % random.getrandbits(32)
msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
       f"Via: SIP/2.0/UDP {host}:{lport};branch={branch};rport\r\n"
       f"Max-Forwards: 70\r\n"
       f"From: <sip:probe@{host}>;tag={tag}\r\n"
       f"To: <sip:{host}:{port}>\r\n"
       f"Call-ID: probe-{tag}@{host}\r\n"
       f"CSeq: 1 OPTIONS\r\n"
       f"Content-Length: 0\r\n\r\n")
s.sendto(msg.encode(), (host, port))
try:
    data, _ = s.recvfrom(65535)
except OSError:
    sys.exit(1)
sys.exit(0 if data.startswith(b"SIP/2.0 ") else 1)
EOF
}

write_configs() {
    mkdir -p "$run_dir/tls" "$run_dir/runtime"
    chmod 700 "$run_dir/tls"

    write_test_tls "$run_dir" "$address"

    sed -e "s|@ADDRESS@|$address|g" \
        -e "s|@NEXT_HOPS@|$next_hops|g" \
        -e "s|@UDP_PORT@|$udp_port|g" \
        -e "s|@TCP_PORT@|$tcp_port|g" \
        -e "s|@TLS_PORT@|$tls_port|g" \
        -e "s|@TLS_CONFIG@|$run_dir/tls.cfg|g" \
        "$cfg_template" >"$run_dir/kamailio.cfg"

    cat >"$run_dir/peer.env" <<EOF
# written by scripts/peers/kamailio.sh
KAMAILIO_HOST=$address
KAMAILIO_UDP_PORT=$udp_port
KAMAILIO_TCP_PORT=$tcp_port
KAMAILIO_TLS_PORT=$tls_port
KAMAILIO_DOMAIN=wink.test
KAMAILIO_REALM=wink.test
KAMAILIO_TLS_CERT=$run_dir/tls/cert.pem
KAMAILIO_TLS_CA=$run_dir/tls/ca.pem
KAMAILIO_AUTH_ALGORITHM=$algorithm
KAMAILIO_PROXY_AUTH=$proxy_auth
KAMAILIO_NAT=$nat
KAMAILIO_USERS="alice:alice-pw bob:bob-pw carol:carol-pw"
EOF
}

kamailio_args() {
    args=(-f "$run_dir/kamailio.cfg" -Y "$run_dir/runtime" -w "$run_dir"
          -m 64 -M 8 -a no -A "DBGLEVEL=$debug_level")
    [ "$proxy_auth" = "1" ] || args+=(-A WITHOUT_PROXY_AUTH)
    [ "$nat" = "1" ] || args+=(-A WITHOUT_NAT)
    case "$algorithm" in
        MD5|md5) ;;
        SHA-256|sha-256|SHA256|sha256) args+=(-A WITH_SHA256) ;;
        *) die "WINK_KAMAILIO_AUTH_ALGORITHM must be MD5 or SHA-256, not '$algorithm'" ;;
    esac
}

port_busy() {
    command -v ss >/dev/null 2>&1 || return 1
    ss -Hlnu "sport = :$udp_port" 2>/dev/null | grep -q . && return 0
    ss -Hlnt "( sport = :$tcp_port or sport = :$tls_port )" 2>/dev/null | grep -q . && return 0
    return 1
}

start() {
    check_deps
    if pid="$(our_pid)"; then
        echo "kamailio already running (pid $pid), run dir $run_dir"
        return 0
    fi
    if port_busy; then
        die "a port of $address:$udp_port/udp, $tcp_port/tcp, $tls_port/tcp is already in use (another SIP peer?)"
    fi
    kamailio_args
    write_configs

    if ! kamailio "${args[@]}" -c >"$run_dir/check.log" 2>&1; then
        cat "$run_dir/check.log" >&2
        die "config check failed ($run_dir/kamailio.cfg)"
    fi

    # -DD: the main process stays in the foreground (its PID is $!), workers are
    # its children; -E: log to stderr (our log file). Running as root needs no -u/-g.
    : >"$log_file"
    setsid kamailio "${args[@]}" -DD -E </dev/null >>"$log_file" 2>&1 &
    local pid=$!
    echo "$pid" >"$pid_file"

    local i
    for i in $(seq 1 50); do   # 50 x 0.2 s = 10 s at most
        if ! [ -d "/proc/$pid" ]; then
            tail -n 30 "$log_file" >&2
            rm -f "$pid_file"
            die "kamailio exited during start-up (log: $log_file)"
        fi
        if probe; then
            echo "kamailio $(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p') running (pid $pid)"
            echo "  udp:$address:$udp_port tcp:$address:$tcp_port tls:$address:$tls_port  domain wink.test"
            echo "  auth algorithm $algorithm, proxy auth $proxy_auth, nat $nat"
            echo "  run dir $run_dir (log kamailio.log, env peer.env, cert tls/cert.pem)"
            return 0
        fi
        sleep 0.2
    done
    tail -n 30 "$log_file" >&2
    stop >/dev/null 2>&1 || true
    die "kamailio did not answer OPTIONS within 10 s (log: $log_file)"
}

status() {
    local pid
    if pid="$(our_pid)"; then
        if probe; then
            echo "kamailio running (pid $pid), answers OPTIONS on $address:$udp_port"
            return 0
        fi
        echo "kamailio process $pid alive but not answering OPTIONS on $address:$udp_port"
        return 1
    fi
    echo "kamailio not running"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop; start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
