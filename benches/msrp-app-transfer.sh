#!/usr/bin/env bash
# The whole app sending a file (called by benches/msrp-throughput.sh inside the test
# namespace, with kamailio running): two wink-cli phones with their own profiles, bob90
# taking files (`accept-files`) and alice90 sending one (`send-file`). Prints the speed the
# sender's progress bar ends on, the wall time of `send-file` (registering, hashing the
# file for its offer, the transfer, the receiver's check), both peak RSS (sampled every
# 0.2 s), and whether the saved file equals the one sent.
#
#   bash benches/msrp-app-transfer.sh WINK_CLI FILE
set -euo pipefail
cli=$1 file=$2
proxy="${WINK_TEST_KAMAILIO:?run inside scripts/in-test-namespace.sh (kamailio)};transport=udp"
work=$(mktemp -d)
receiver=""
cleanup() {
    [ -n "$receiver" ] && kill "$receiver" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

as() { # as HOME-DIR args...: wink-cli with that profile
    local home=$1
    shift
    env XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" HOME="$home" "$cli" "$@"
}
for user in alice90 bob90; do
    mkdir -p "$work/$user"
    as "$work/$user" config secrets file >/dev/null
    echo "$user-pw" | as "$work/$user" account add "$user@wink.test" --password-stdin \
        --outbound-proxy "$proxy" >/dev/null
done

peak_rss_mb() { # the largest VmRSS seen in the file of samples, in MB
    sort -n "$1" | tail -1 | awk '{ printf "%.1f", $1 / 1024 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

env XDG_CONFIG_HOME="$work/bob90/config" XDG_DATA_HOME="$work/bob90/data" HOME="$work/bob90" \
    "$cli" accept-files "$work/bob90/in" --bind 127.0.0.1:0 --audio none --duration 300 \
    >"$work/receiver.out" 2>&1 &
receiver=$!
for _ in $(seq 1 100); do
    grep -q listening "$work/receiver.out" && break
    sleep 0.1
done
grep -q listening "$work/receiver.out" || { cat "$work/receiver.out" >&2; exit 1; }
idle_receiver=$(rss_kb "$receiver")

started=$(date +%s.%N)
env XDG_CONFIG_HOME="$work/alice90/config" XDG_DATA_HOME="$work/alice90/data" HOME="$work/alice90" \
    "$cli" send-file --bind 127.0.0.1:0 --audio none bob90@wink.test "$file" \
    >"$work/sender.out" 2>&1 &
sender=$!
: >"$work/sender.rss"
: >"$work/receiver.rss"
while kill -0 "$sender" 2>/dev/null; do
    rss_kb "$sender" >>"$work/sender.rss"
    rss_kb "$receiver" >>"$work/receiver.rss"
    sleep 0.2
done
status=0
wait "$sender" || status=$?
ended=$(date +%s.%N)
for _ in $(seq 1 100); do
    grep -q "saved to" "$work/receiver.out" && break
    sleep 0.1
done
[ "$status" = 0 ] || { echo "send-file failed:" >&2; tail -5 "$work/sender.out" >&2; exit 1; }

speed=$(grep '^\[' "$work/sender.out" | tail -1 | grep -o '[0-9.]* [kMG]B/s' || echo "?")
saved=$(ls "$work/bob90/in")
same=$(cmp -s "$file" "$work/bob90/in/$saved" && echo "whole, byte for byte" || echo "DIFFERENT")
size_mb=$(( $(stat -c %s "$file") / 1024 / 1024 ))
awk -v s="$started" -v e="$ended" -v m="$size_mb" -v v="$speed" \
    'BEGIN { printf "wink-cli send-file -> accept-files (%d MiB, via kamailio): progress bar ends at %s, send-file took %.1f s\n", m, v, e - s }'
echo "peak RSS: sender $(peak_rss_mb "$work/sender.rss") MB, receiver $(peak_rss_mb "$work/receiver.rss") MB (idle before: $(awk -v k="$idle_receiver" 'BEGIN { printf "%.1f", k / 1024 }') MB); the file arrived $same"
