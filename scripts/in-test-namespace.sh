#!/usr/bin/env bash
# Runs a command inside the test network namespace with the real peers started: loopback is
# the only interface, so no test packet (and no stray DNS query of a peer) can leave the
# machine. Meant to be called through `unshare --net` (see scripts/run-tests.sh).
# Peers: kamailio on 127.0.0.1:5060 (UDP/TCP) and 5061 (TLS); an MSRP relay (kamailio's
# msrp module) on 127.0.0.1:2855; dnsmasq with a test zone on
# 127.0.0.1:5353; a throwaway PostgreSQL on 127.0.0.1:5432; a real gnome-keyring.
set -euo pipefail
cd "$(dirname "$0")/.."

if ip -o link show | grep -v ' lo:' | grep -q .; then
    echo "in-test-namespace.sh: refusing to run: this namespace has interfaces other than loopback; use unshare --net" >&2
    exit 1
fi
ip link set lo up

WINK_PEERS_DIR=$(mktemp -d)
export WINK_PEERS_DIR
cleanup() {
    bash scripts/peers/dns.sh stop >/dev/null 2>&1 || true
    bash scripts/peers/kamailio.sh stop >/dev/null 2>&1 || true
    bash scripts/peers/msrp-relay.sh stop >/dev/null 2>&1 || true
    bash scripts/peers/postgres.sh stop >/dev/null 2>&1 || true
    rm -rf "$WINK_PEERS_DIR"
}
trap cleanup EXIT

if ! bash scripts/peers/kamailio.sh start; then
    echo "kamailio did not start; its log:" >&2
    cat "$WINK_PEERS_DIR/kamailio/kamailio.log" >&2 || true
    exit 1
fi
if ! bash scripts/peers/msrp-relay.sh start; then
    echo "the msrp relay (kamailio) did not start; its log:" >&2
    cat "$WINK_PEERS_DIR/msrp-relay/kamailio.log" >&2 || true
    exit 1
fi
bash scripts/peers/dns.sh start
bash scripts/peers/postgres.sh start
export WINK_TEST_POSTGRES=postgres://wink@127.0.0.1:5432/postgres
export WINK_TEST_DNS=127.0.0.1:5353
export WINK_TEST_KAMAILIO=127.0.0.1:5060
export WINK_TEST_KAMAILIO_TLS=127.0.0.1:5061
export WINK_TEST_KAMAILIO_CA="$WINK_PEERS_DIR/kamailio/tls/ca.pem"
export WINK_TEST_MSRP_RELAY=127.0.0.1:2855
# The same relay over TLS (msrps), and the CA that signs its certificate.
export WINK_TEST_MSRP_RELAY_TLS=127.0.0.1:2955
export WINK_TEST_MSRP_RELAY_CA="$WINK_PEERS_DIR/msrp-relay/tls/ca.pem"

bash scripts/with-keyring.sh "$@"
