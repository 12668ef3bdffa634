#!/usr/bin/env bash
# The body of benches/gui.sh: runs inside the namespace and the desktop session it sets up.
set -euo pipefail
bin="${WINK_BENCH_BIN:?run benches/gui.sh}"
calls="${CALLS:-100}"
kamailio="${WINK_TEST_KAMAILIO:?needs the test kamailio (benches/gui.sh starts it)}"
work=$(mktemp -d)
app_pid=""
cleanup() {
    if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then kill "$app_pid"; wait "$app_pid" || true; fi
    WINK_BARESIP_NAME=bench-bob bash scripts/peers/baresip.sh stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# rss_parts PID: the RSS split into the app's own memory (anonymous) and mapped files
# (shared libraries, fonts, icon caches: shared with every other GTK app).
rss_parts() {
    awk '/^Rss:/ { rss = $2 } /^Anonymous:/ { anon = $2 }
         END { printf "%d MB (own memory %d MB, mapped files %d MB)", rss / 1024, anon / 1024, (rss - anon) / 1024 }' \
        "/proc/$1/smaps_rollup"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# profile HOME USER CONTACTS
profile() {
    mkdir -p "$1"
    printf 'pcm.!default { type null }\nctl.!default { type hw card 0 }\n' > "$1/.asoundrc"
    "$bin/make-profile" "$1" "$2@wink.test" "$2-pw" "$kamailio" "$3"
}

# start HOME LOG: starts wink on HOME, sets app_pid
start() {
    HOME="$1" XDG_CONFIG_HOME="$1/.config" XDG_DATA_HOME="$1/.local/share" \
        XDG_STATE_HOME="$1/.local/state" WINK_BENCH=1 "$bin/wink" 2> "$2" &
    app_pid=$!
}

# wait_log LOG TEXT SECONDS: waits (bounded) until LOG holds TEXT; prints the line
wait_log() {
    local deadline=$(( $(date +%s) + $3 ))
    until grep -q -- "$2" "$1"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1; fi
        sleep 0.05
    done
    grep -m1 -- "$2" "$1"
}

stop() {
    kill "$app_pid"; wait "$app_pid" || true; app_pid=""
}

# ONLY_SEARCH=1: parts 2 and 3 alone (while working on the search); ONLY_START=1: part 1.
if [ -z "${ONLY_SEARCH:-}" ]; then
echo "== 1. exec → main window mapped (7 starts, median)"
profile "$work/small" alice90 0
for run in 1 2 3 4 5 6 7; do
    started=$(now_ms)
    start "$work/small" "$work/start-$run.log"
    mapped=$(wait_log "$work/start-$run.log" "wink-bench: mapped" 20 | awk '{ print $NF }')
    echo $(( mapped - started ))
    stop
done > "$work/starts"
echo "   runs (ms): $(tr '\n' ' ' < "$work/starts")"
echo "   median: $(median < "$work/starts") ms"
[ -n "${ONLY_START:-}" ] && exit 0
fi

echo "== 2. 100,000 contacts: exec → shown, idle RSS"
profile "$work/empty" alice92 0
start "$work/empty" "$work/empty.log"
wait_log "$work/empty.log" "contacts-shown 0" 60 > /dev/null
sleep 5
echo "   idle RSS without contacts: $(rss_parts "$app_pid")"
stop
profile "$work/large" alice91 100000
started=$(now_ms)
start "$work/large" "$work/large.log"
shown=$(wait_log "$work/large.log" "contacts-shown 100000" 120 | awk '{ print $NF }')
echo "   exec → 100,000 contacts shown: $(( shown - started )) ms"
sleep 5
echo "   idle RSS: $(rss_parts "$app_pid")"

echo "== 3. keystroke → list painted at 100,000 contacts"
xdotool mousemove 400 76 click 1
sleep 0.5
for text in "person 4242" "20 04242" "p77777@wink"; do
    : > /dev/null
    xdotool type --delay 400 "$text"
    sleep 1
    xdotool key ctrl+a BackSpace
    sleep 1
done
grep "wink-bench: keystroke" "$work/large.log" \
    | awk '{ len = $4; model = $8; painted = $10;
             if (!(len in worst) || painted > worst[len]) { worst[len] = painted; wm[len] = model }
             n[len]++ }
           END { for (l = 0; l <= 11; l++) if (l in worst)
                   printf "   length %2d: worst of %d keystrokes %6.2f ms to painted (%6.2f ms in the model)\n",
                          l, n[l], worst[l] / 1000, wm[l] / 1000 }'
grep "wink-bench: search-us" "$work/large.log" \
    | awk '{ s = $3; l = $5; if (s > ws) ws = s; if (l > wl) wl = l; ts += s; tl += l; n++ }
           END { if (n) printf "   of which: search (ours) worst %.2f ms, mean %.2f ms; list view (GTK) worst %.2f ms, mean %.2f ms\n",
                          ws / 1000, ts / n / 1000, wl / 1000, tl / n / 1000 }'
stop

[ -n "${ONLY_SEARCH:-}" ] && exit 0
echo "== 4. RSS over $calls calls to baresip"
WINK_BARESIP_NAME=bench-bob WINK_BARESIP_USER=bob92 WINK_BARESIP_AUTOANSWER=1 \
    WINK_BARESIP_AUDIO_IN=none bash scripts/peers/baresip.sh start > /dev/null
baresip_log="$WINK_PEERS_DIR/baresip-bench-bob/baresip.log"
profile "$work/caller" alice92 0
start "$work/caller" "$work/caller.log"
wait_log "$work/caller.log" "wink-bench: mapped" 20 > /dev/null
sleep 3
call() {
    local before; before=$(grep -c "Call established" "$baresip_log" || true)
    HOME="$work/caller" XDG_CONFIG_HOME="$work/caller/.config" XDG_DATA_HOME="$work/caller/.local/share" \
        "$bin/wink" "sip:bob92@wink.test" 2>/dev/null
    local deadline=$(( $(date +%s) + 15 ))
    until [ "$(grep -c "Call established" "$baresip_log" || true)" -gt "$before" ]; do
        if [ "$(date +%s)" -ge "$deadline" ]; then echo "call $1 was not established" >&2; tail -20 "$baresip_log" >&2; exit 1; fi
        sleep 0.05
    done
    sleep 0.5
    python3 scripts/peers/baresip-ctl.py --name bench-bob hangup > /dev/null
    sleep 0.5
}
call 1
sleep 5   # the ended call leaves the pane
first=$(rss_kb "$app_pid")
for n in $(seq 2 "$calls"); do call "$n"; done
sleep 5
last=$(rss_kb "$app_pid")
echo "   RSS after call 1: $(( first / 1024 )) MB, after call $calls: $(( last / 1024 )) MB, growth $(( (last - first) )) kB"
