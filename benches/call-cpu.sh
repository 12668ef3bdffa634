#!/usr/bin/env bash
# CPU and memory of one audio call (Opus, SRTP) on loopback, wink-cli against baresip and
# baresip against baresip, measured in the same run. A baresip caller dials the callee
# (wink-cli listen, or another baresip) through the test kamailio; both sides play a tone
# from a WAV file. For each process the script reads /proc before and after the call:
# CPU seconds (user + system) spent during the call, scaled to one call-minute, and the
# peak resident memory (VmHWM).
#
#   bash benches/call-cpu.sh                 (CALL_SECONDS=60 by default)
#
# Builds wink-cli in release and runs in its own loopback-only network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
if [ -z "${WINK_BENCH_IN_NAMESPACE:-}" ]; then
    cargo build --release --locked -q -p wink-cli
    export WINK_BENCH_IN_NAMESPACE=1
    exec unshare --net -- bash "$0" "$@"
fi
ip link set lo up

CALL_SECONDS="${CALL_SECONDS:-60}"
wink="$CARGO_TARGET_DIR/release/wink-cli"
ticks=$(getconf CLK_TCK)
export WINK_PEERS_DIR
WINK_PEERS_DIR=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for name in cpu-caller1 cpu-caller2 cpu-callee; do
        WINK_BARESIP_NAME=$name bash scripts/peers/baresip.sh stop >/dev/null 2>&1 || true
    done
    bash scripts/peers/kamailio.sh stop >/dev/null 2>&1 || true
    rm -rf "$WINK_PEERS_DIR"
}
trap cleanup EXIT
bash scripts/peers/kamailio.sh start >/dev/null

tone="$WINK_PEERS_DIR/tone.wav"
python3 - "$tone" "$((CALL_SECONDS + 30))" <<'PY'
import math, struct, sys, wave
path, seconds = sys.argv[1], int(sys.argv[2])
with wave.open(path, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 48000)))
                           for i in range(48000 * seconds)))
PY

# CPU ticks (user + system) and peak RSS (kB) of a process.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
peak_rss() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
baresip_pid() { sed -n 's/^BARESIP_PID=//p' "$WINK_PEERS_DIR/baresip-$1/peer.env"; }

start_baresip() { # name user autoanswer
    WINK_BARESIP_NAME=$1 WINK_BARESIP_USER=$2 WINK_BARESIP_AUTOANSWER=$3 WINK_BARESIP_AUDIO_IN="$tone" \
        WINK_BARESIP_CODECS="opus/48000/2" WINK_BARESIP_MEDIAENC=srtp-mand WINK_BARESIP_SIP_TRACE=0 \
        bash scripts/peers/baresip.sh start >/dev/null
}

# Runs one call from baresip caller $1 to $2@wink.test and reports the callee pid $3 and
# the caller's pid, each as "cpu_seconds_per_minute peak_rss_mb".
measure_call() {
    local caller=$1 callee_user=$2 callee_pid=$3
    local caller_pid; caller_pid=$(baresip_pid "$caller")
    WINK_BARESIP_NAME=$caller python3 scripts/peers/baresip-ctl.py --wait CALL_ESTABLISHED --timeout 15 \
        dial "sip:$callee_user@wink.test" >/dev/null
    local c0 e0; c0=$(cpu_ticks "$callee_pid"); e0=$(cpu_ticks "$caller_pid")
    sleep "$CALL_SECONDS"
    local c1 e1; c1=$(cpu_ticks "$callee_pid"); e1=$(cpu_ticks "$caller_pid")
    local callee_rss caller_rss; callee_rss=$(peak_rss "$callee_pid"); caller_rss=$(peak_rss "$caller_pid")
    WINK_BARESIP_NAME=$caller python3 scripts/peers/baresip-ctl.py hangup >/dev/null || true
    awk -v c="$((c1 - c0))" -v e="$((e1 - e0))" -v t="$ticks" -v s="$CALL_SECONDS" \
        -v cr="$callee_rss" -v er="$caller_rss" \
        'BEGIN { printf "%.3f %.1f %.3f %.1f\n", c / t * 60 / s, cr / 1024, e / t * 60 / s, er / 1024 }'
}

# 1. baresip calls wink-cli (Opus, SRTP mandatory, tone file as microphone).
home="$WINK_PEERS_DIR/wink"; mkdir -p "$home"
export HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data"
"$wink" config secrets file >/dev/null
echo "bob32-pw" | "$wink" account add bob32@wink.test --password-stdin --outbound-proxy "127.0.0.1:5060;transport=udp" >/dev/null
"$wink" listen --bind 127.0.0.1:0 --audio "file:$tone" --codec opus --srtp mandatory --auto-answer \
    --duration $((CALL_SECONDS + 60)) >"$home/listen.log" 2>&1 &
wink_pid=$!; pids+=("$wink_pid")
for _ in $(seq 1 100); do grep -q listening "$home/listen.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$home/listen.log" || { echo "wink-cli did not start:" >&2; cat "$home/listen.log" >&2; exit 1; }
start_baresip cpu-caller1 alice32 0
read -r wink_cpu wink_rss caller1_cpu caller1_rss < <(measure_call cpu-caller1 bob32 "$wink_pid")

# 2. baresip calls baresip, same settings.
start_baresip cpu-callee bob33 1
start_baresip cpu-caller2 alice33 0
read -r bare_cpu bare_rss caller2_cpu caller2_rss < <(measure_call cpu-caller2 bob33 "$(baresip_pid cpu-callee)")

echo "one ${CALL_SECONDS} s Opus call with SRTP (callee side; CPU seconds per call-minute, peak RSS):"
echo "  wink-cli  callee: ${wink_cpu} s/min, ${wink_rss} MB   (its baresip caller: ${caller1_cpu} s/min, ${caller1_rss} MB)"
echo "  baresip   callee: ${bare_cpu} s/min, ${bare_rss} MB   (its baresip caller: ${caller2_cpu} s/min, ${caller2_rss} MB)"
awk -v w="$wink_cpu" -v b="$bare_cpu" -v wr="$wink_rss" -v br="$bare_rss" \
    'BEGIN { if (b > 0) printf "ratio wink/baresip: CPU %.2f, peak RSS %.2f\n", w / b, wr / br }'
