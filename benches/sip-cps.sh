#!/usr/bin/env bash
# Call setup rate: sipp's built-in UAC calls wink-cli (auto-answer) and then baresip
# (auto-answer) directly on loopback, at rising call rates, until calls fail. Prints each
# maximum rate without failures and the ratio wink/baresip.
#
#   bash benches/sip-cps.sh            (builds wink-cli in release; runs in its own
#                                       loopback-only network namespace)
#
# Each step runs sipp for STEP_SECONDS at RATE calls/s (each call: INVITE, 100/180/200,
# ACK, 100 ms, BYE). A step "passes" when sipp reports no failed call. Signaling only:
# wink runs with --audio none, baresip without an audio source.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
if [ -z "${WINK_CPS_IN_NAMESPACE:-}" ]; then
    cargo build --release --locked -q -p wink-cli
    export WINK_CPS_IN_NAMESPACE=1
    exec unshare --net -- bash "$0" "$@"
fi
ip link set lo up

STEP_SECONDS="${STEP_SECONDS:-5}"
# Steps of a quarter (each 1.25 × the one before), fine enough to tell 1.5× from 2×.
RATES="${RATES:-50 63 80 100 125 160 200 250 320 400 500 640 800 1000 1250 1600 2000}"
wink="$CARGO_TARGET_DIR/release/wink-cli"
export WINK_PEERS_DIR
WINK_PEERS_DIR=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    WINK_BARESIP_NAME=cps bash scripts/peers/baresip.sh stop >/dev/null 2>&1 || true
    bash scripts/peers/kamailio.sh stop >/dev/null 2>&1 || true
    rm -rf "$WINK_PEERS_DIR"
}
trap cleanup EXIT

bash scripts/peers/kamailio.sh start >/dev/null

# wink-cli: registered (so it is a normal running phone) and listening on 127.0.0.1:5090.
home="$WINK_PEERS_DIR/wink"
mkdir -p "$home"
export HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data"
"$wink" config secrets file >/dev/null
echo "bob30-pw" | "$wink" account add bob30@wink.test --password-stdin --outbound-proxy "127.0.0.1:5060;transport=udp" >/dev/null
"$wink" listen --bind 127.0.0.1:5090 --audio none --auto-answer --duration 100000 >"$home/listen.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$home/listen.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$home/listen.log" || { echo "wink-cli did not start:" >&2; cat "$home/listen.log" >&2; exit 1; }

WINK_BARESIP_NAME=cps WINK_BARESIP_USER=bob31 WINK_BARESIP_PORT=5092 WINK_BARESIP_AUTOANSWER=1 \
    WINK_BARESIP_AUDIO_IN=none WINK_BARESIP_SIP_TRACE=0 WINK_BARESIP_MAX_CALLS=10000 bash scripts/peers/baresip.sh start >/dev/null

max_rate() {
    local port=$1 user=$2 best=0
    for rate in $RATES; do
        local calls=$((rate * STEP_SECONDS)) errors="$WINK_PEERS_DIR/sipp-$user-$rate.errors"
        if timeout $((STEP_SECONDS * 4 + 30)) sipp -sn uac "127.0.0.1:$port" -s "$user" -i 127.0.0.1 -p 0 \
            -r "$rate" -m "$calls" -d 100 -l $((rate * 2)) -timeout $((STEP_SECONDS * 4 + 20))s -timeout_error \
            -trace_err -error_file "$errors" -nostdin 2>/dev/null >/dev/null </dev/null; then
            best=$rate
            echo "  $user at $rate calls/s: all $calls calls completed" >&2
        else
            # What went wrong, counted by kind: the answers sipp did not expect, or timeouts.
            local why
            why=$(grep -oE "received 'SIP/2.0 [0-9]{3}[^']*|Aborting call on [a-z ]+timeout|Call-Id '[^']*' timed out" \
                "$errors" 2>/dev/null | sed -E "s/received '//; s/Call-Id .* timed out/timeout/" | sort | uniq -c |
                awk '{ $1 = $1 " ×"; print }' | paste -sd ';' -)
            echo "  $user at $rate calls/s: failures (${why:-see sipp})" >&2
            break
        fi
    done
    echo "$best"
}

echo "wink-cli (auto-answer):" >&2
wink_max=$(max_rate 5090 bob30)
echo "baresip (auto-answer):" >&2
baresip_max=$(max_rate 5092 bob31)
echo "max calls/s without failures: wink-cli $wink_max, baresip $baresip_max"
if [ "$baresip_max" -gt 0 ]; then
    awk -v w="$wink_max" -v b="$baresip_max" 'BEGIN { printf "ratio wink/baresip: %.2f\n", w / b }'
fi
