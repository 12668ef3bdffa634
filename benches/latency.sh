#!/usr/bin/env bash
# Mouth-to-ear latency of our own pipeline at zero network jitter, per codec: runs
# `wink-cli selftest` (two user agents of ours over loopback; each microphone beeps, each
# speaker notes when the beeps play) and prints the median latency of each direction.
# The figure counts what a sound card would add for one 20 ms capture frame; the network is
# loopback (no jitter, no loss).
#
#   bash benches/latency.sh            (SECONDS_PER_RUN=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
if [ -z "${WINK_BENCH_IN_NAMESPACE:-}" ]; then
    cargo build --release --locked -q -p wink-cli
    export WINK_BENCH_IN_NAMESPACE=1
    exec unshare --net -- bash "$0" "$@"
fi
ip link set lo up

wink="$CARGO_TARGET_DIR/release/wink-cli"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data"

echo "codec  srtp  caller->callee  callee->caller"
for codec in opus g722 pcma pcmu; do
    for srtp in off mandatory; do
        out=$("$wink" selftest --codec "$codec" --srtp "$srtp" --seconds "${SECONDS_PER_RUN:-10}")
        there=$(sed -n 's/^caller -> callee:.*latency \([0-9]*\) ms.*/\1/p' <<<"$out")
        back=$(sed -n 's/^callee -> caller:.*latency \([0-9]*\) ms.*/\1/p' <<<"$out")
        printf "%-6s %-5s %6s ms       %6s ms\n" "$codec" "$srtp" "$there" "$back"
    done
done
