#!/usr/bin/env bash
# MSRP throughput on loopback, against iperf3 in the same run (release build, inside a
# loopback-only network namespace with the test MSRP relay):
#   1. a file (1 GiB by default) from one MSRP session to another, directly: once with
#      each piece compared to the file on arrival, once only counted (as iperf3 does)
#   2. through kamailio's MSRP relay (scripts/peers/msrp-relay.sh), compared: 64 MiB by
#      default (RELAY_MB=…), as kamailio's relay loses frames of longer streams at times
#      (its log: "forwarding frame failed"; see docs/msrp.md); a lost frame is reported
#   3. iperf3 over TCP on 127.0.0.1, the same number of bytes
#   4. the chat round trip: a line sent, answered on arrival, the answer timed (2,000 lines)
#   5. the whole app: `wink-cli send-file` to `wink-cli accept-files` (two phones registered
#      at the test kamailio, the file offered with its SHA-1, saved and checked), the speed
#      the sender's progress bar ends on, and both processes' peak RSS sampled every 0.2 s
# Prints each figure, the ratios, and the RSS of the MSRP processes during the transfer
# (it must not grow with the file's size).
#
#   bash benches/msrp-throughput.sh            (SIZE_MB=… to change the file's size)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
size_mb="${SIZE_MB:-1024}"

if ! command -v iperf3 >/dev/null 2>&1; then
    echo "msrp-throughput.sh: installing iperf3" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y iperf3 >/dev/null
fi
cargo build --release -p wink-msrp --example msrp_throughput --example msrp_chat_rtt
cargo build --release -p wink-cli
bin="$CARGO_TARGET_DIR/release/examples/msrp_throughput"
cli="$CARGO_TARGET_DIR/release/wink-cli"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
relay_mb="${RELAY_MB:-$(( size_mb < 64 ? size_mb : 64 ))}"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$work/file"
head -c "$((relay_mb * 1024 * 1024))" "$work/file" > "$work/relay-file"

exec unshare --net -- bash scripts/in-test-namespace.sh bash -c '
    set -euo pipefail
    bin=$1 file=$2 size_mb=$3 relay_file=$4 cli=$5
    mbps() { sed -n "s/.* = \([0-9.]*\) MB\/s.*/\1/p"; }
    checked=$("$bin" "$file")
    echo "$checked (each piece compared to the file)"
    direct=$(VERIFY=0 "$bin" "$file")
    echo "$direct (counted only)"
    relayed=$("$bin" "$relay_file" "$WINK_TEST_MSRP_RELAY" 2>"$relay_file.log") \
        || relayed="msrp through the relay: did not finish: $(grep -o "the transfer stopped.*" "$relay_file.log") = 0 MB/s"

    echo "$relayed"
    iperf3 -s -B 127.0.0.1 -p 5201 -1 >/dev/null 2>&1 &
    server=$!
    sleep 0.5
    iperf=$(iperf3 -c 127.0.0.1 -p 5201 -n "${size_mb}M" -f m | awk "/receiver/ { print \$7 }")
    wait "$server" || true
    iperf_mbps=$(awk -v m="$iperf" "BEGIN { printf \"%.1f\", m / 8 }")
    echo "iperf3 TCP 127.0.0.1: ${iperf} Mbit/s = ${iperf_mbps} MB/s"
    c=$(echo "$checked" | mbps); d=$(echo "$direct" | mbps); r=$(echo "$relayed" | mbps)
    "${bin%_throughput}_chat_rtt"
    awk -v c="$c" -v d="$d" -v r="$r" -v i="$iperf_mbps" "BEGIN { printf \"ratio to iperf3: direct %.0f %% (compared: %.0f %%), through the relay %.0f %%\n\", 100 * d / i, 100 * c / i, 100 * r / i }"
    bash benches/msrp-app-transfer.sh "$cli" "$file"
' bench "$bin" "$work/file" "$size_mb" "$work/relay-file" "$cli"
