#!/usr/bin/env bash
# Starts/stops a headless baresip SIP user agent on 127.0.0.1 for interop tests,
# registered to the test kamailio (scripts/peers/kamailio.sh).
#
#   scripts/peers/baresip.sh start|stop|status|restart|recording
#
# Needs (installs nothing itself):
#   apt-get install -y baresip-core python3     (the `baresip` metapackage also works;
#                                                 it only adds GTK/X11/ffmpeg plug-ins)
#
# Environment (all optional):
#   WINK_PEERS_DIR            base run dir (default /tmp/wink-peers)
#   WINK_BARESIP_NAME         instance name (default "baresip"); the run dir is
#                             $WINK_PEERS_DIR/baresip-$WINK_BARESIP_NAME, so several
#                             instances can run side by side
#   WINK_BARESIP_USER         SIP user (default bob); kamailio knows alice/bob/carol and
#                             numbered ones (bob9, carol42, ...)
#   WINK_BARESIP_PASSWORD     digest password (default "<user>-pw")
#   WINK_BARESIP_DOMAIN       SIP domain / realm (default wink.test)
#   WINK_BARESIP_PROXY        outbound proxy (default sip:127.0.0.1:5060;transport=udp,
#                             the port taken from KAMAILIO_UDP_PORT / KAMAILIO_TCP_PORT)
#   WINK_BARESIP_TRANSPORT    udp (default) or tcp, towards the proxy
#   WINK_BARESIP_REGISTER     1 (default): register, and `start` waits for the 200 OK;
#                             0: no REGISTER (reach it directly at its own port)
#   WINK_BARESIP_PORT         its local SIP port, UDP+TCP (default: a free one; baresip
#                             also takes PORT+1/tcp for SIP over TLS)
#   WINK_BARESIP_CTRL_PORT    ctrl_tcp control port on 127.0.0.1 (default: a free one)
#   WINK_BARESIP_MAX_CALLS    simultaneous calls baresip accepts (default 4, its own default)
#   WINK_BARESIP_AUTOANSWER   1: answer incoming calls at once (answermode=auto);
#                             0 (default): they ring until `baresip-ctl.py accept`
#   WINK_BARESIP_AUDIO_IN     what it sends as its microphone:
#                               sine[:HZ]  (default sine:440) a continuous tone (ausine)
#                               /path.wav  a WAV file (aufile): 16-bit PCM, mono or
#                                          stereo, 8/16/24/32/48 kHz. NOTE: when the
#                                          file ends, baresip ends the call (BYE,
#                                          reason "end of file")
#                               none       no audio source: it sends no RTP at all
#   WINK_BARESIP_AUDIO_OUT    a WAV path: record what it hears. Done with the `sndfile`
#                             filter, which writes dump-<time>-dec.wav (heard) and
#                             dump-<time>-enc.wav (sent) per call into $RUN_DIR/rec;
#                             `recording` and `stop` copy the newest -dec.wav here.
#                             Without it nothing is recorded. Either way there is no
#                             audio player (no sound card): received audio is decoded
#                             and dropped.
#   WINK_BARESIP_CODECS       account audio_codecs list, e.g. "pcmu" or
#                             "opus/48000/2,g722,pcmu" (default: opus, G.722, PCMU, PCMA)
#   WINK_BARESIP_MEDIAENC     srtp | srtp-mand | srtp-mandf | dtls_srtp (default none)
#   WINK_BARESIP_SIP_TRACE    1 (default): every SIP message goes to the log (-s)
#   WINK_BARESIP_VERBOSE      1: debug logging (-v)
#
# Everything listens on 127.0.0.1 only; DNS is pinned to 127.0.0.1:53 (nothing is
# expected to answer there) so baresip never asks the system resolver. For tests,
# run it inside a private network namespace (unshare --net) with kamailio.
#
# After `start`, $RUN_DIR/peer.env holds its ports and paths (source it), and
# scripts/peers/baresip-ctl.py sends it commands (dial, hangup, accept, reginfo, ...).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}"
name="${WINK_BARESIP_NAME:-baresip}"
[[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "baresip.sh: bad WINK_BARESIP_NAME '$name'" >&2; exit 2; }
run_dir="$base_dir/baresip-$name"
pid_file="$run_dir/baresip.pid"
log_file="$run_dir/baresip.log"
rec_dir="$run_dir/rec"

user="${WINK_BARESIP_USER:-bob}"
password="${WINK_BARESIP_PASSWORD:-$user-pw}"
domain="${WINK_BARESIP_DOMAIN:-wink.test}"
transport="${WINK_BARESIP_TRANSPORT:-udp}"
case "$transport" in
    udp) proxy_port="${KAMAILIO_UDP_PORT:-5060}" ;;
    tcp) proxy_port="${KAMAILIO_TCP_PORT:-5060}" ;;
    *) echo "baresip.sh: WINK_BARESIP_TRANSPORT must be udp or tcp, not '$transport'" >&2; exit 2 ;;
esac
proxy="${WINK_BARESIP_PROXY:-sip:127.0.0.1:$proxy_port;transport=$transport}"
register="${WINK_BARESIP_REGISTER:-1}"
autoanswer="${WINK_BARESIP_AUTOANSWER:-0}"
audio_in="${WINK_BARESIP_AUDIO_IN:-sine:440}"
audio_out="${WINK_BARESIP_AUDIO_OUT:-}"
codecs="${WINK_BARESIP_CODECS:-}"
mediaenc="${WINK_BARESIP_MEDIAENC:-}"
sip_trace="${WINK_BARESIP_SIP_TRACE:-1}"
verbose="${WINK_BARESIP_VERBOSE:-0}"
module_dir="/usr/lib/baresip/modules"

die() { echo "baresip.sh[$name]: $*" >&2; exit 1; }

check_deps() {
    local missing=()
    command -v baresip >/dev/null 2>&1 || missing+=("baresip (package baresip-core)")
    command -v python3 >/dev/null 2>&1 || missing+=("python3 (package python3)")
    command -v stdbuf >/dev/null 2>&1 || missing+=("stdbuf (package coreutils)")
    local m
    for m in account uuid menu ctrl_tcp g711 g722 opus aufile ausine sndfile srtp dtls_srtp; do
        [ -f "$module_dir/$m.so" ] || missing+=("$module_dir/$m.so (package baresip-core)")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "baresip.sh: missing: ${missing[*]}" >&2
        echo "baresip.sh: install with: apt-get install -y baresip-core python3" >&2
        exit 1
    fi
}

# The PID in our pid file, if that process is alive and is the baresip we started.
our_pid() {
    [ -f "$pid_file" ] || return 1
    local pid
    pid="$(cat "$pid_file" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -d "/proc/$pid" ] || return 1
    # guard against a recycled PID: it must be baresip running on our run dir
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "baresip" ] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-f $run_dir " || return 1
    echo "$pid"
}

# Prints a port P on 127.0.0.1 that is free for UDP and TCP, with P+1 free for TCP
# (baresip listens for SIP/TLS there).
free_sip_port() {
    python3 - <<'EOF'
import socket, sys
for _ in range(200):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    socks = [u]
    try:
        for port in (p, p + 1):
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(t)
            t.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(p)
    sys.exit(0)
sys.exit("no free port")
EOF
}

free_tcp_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# "RATE CHANNELS" of a 16-bit PCM WAV file, or an error.
wav_format() {
    python3 - "$1" <<'EOF'
import sys, wave
try:
    with wave.open(sys.argv[1], "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit(f"{sys.argv[1]}: must be 16-bit PCM (has {8 * w.getsampwidth()}-bit samples)")
        if w.getframerate() not in (8000, 16000, 24000, 32000, 48000):
            sys.exit(f"{sys.argv[1]}: sample rate {w.getframerate()} Hz; use 8/16/24/32/48 kHz")
        if w.getnchannels() not in (1, 2):
            sys.exit(f"{sys.argv[1]}: must be mono or stereo")
        print(w.getframerate(), w.getnchannels())
except (OSError, wave.Error, EOFError) as e:
    sys.exit(f"{sys.argv[1]}: not a usable WAV file: {e}")
EOF
}

write_configs() {
    mkdir -p "$run_dir" "$rec_dir"

    local sip_port="${WINK_BARESIP_PORT:-}"
    [ -n "$sip_port" ] || sip_port="$(free_sip_port)"
    local ctrl_port="${WINK_BARESIP_CTRL_PORT:-}"
    [ -n "$ctrl_port" ] || ctrl_port="$(free_tcp_port)"

    # audio source: a WAV (aufile), a tone (ausine) or nothing
    local src_lines="" src_modules=""
    case "$audio_in" in
        none|"") ;;
        sine|sine:*)
            local hz="${audio_in#sine}"; hz="${hz#:}"; hz="${hz:-440}"
            [[ "$hz" =~ ^[0-9]+$ ]] || die "WINK_BARESIP_AUDIO_IN: bad frequency in '$audio_in'"
            # ausine only produces 48 kHz stereo; baresip resamples to the codec
            src_lines="audio_source		ausine,$hz
ausrc_srate		48000
ausrc_channels		2"
            src_modules="module			ausine.so" ;;
        *)
            [ -f "$audio_in" ] || die "WINK_BARESIP_AUDIO_IN: no such file '$audio_in'"
            local fmt rate ch
            fmt="$(wav_format "$audio_in")" || die "WINK_BARESIP_AUDIO_IN: unusable WAV"
            read -r rate ch <<<"$fmt"
            src_lines="audio_source		aufile,$(realpath "$audio_in")
ausrc_srate		$rate
ausrc_channels		$ch"
            src_modules="module			aufile.so" ;;
    esac

    local filter_modules=""
    [ -z "$audio_out" ] || filter_modules="module			sndfile.so"

    local enc_modules=""
    case "$mediaenc" in
        "") ;;
        srtp|srtp-mand|srtp-mandf) enc_modules="module			srtp.so" ;;
        dtls_srtp) enc_modules="module			dtls_srtp.so" ;;
        *) die "WINK_BARESIP_MEDIAENC must be srtp, srtp-mand, srtp-mandf or dtls_srtp" ;;
    esac

    cat >"$run_dir/config" <<EOF
# written by scripts/peers/baresip.sh (instance $name)
poll_method		epoll
sip_listen		127.0.0.1:$sip_port
call_local_timeout	120
call_max_calls		${WINK_BARESIP_MAX_CALLS:-4}

# no sound card: no audio_player/audio_alert and no player module at all, so
# received audio is decoded (and recorded by sndfile, if loaded) and dropped
$src_lines
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16

rtp_tos			0
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		yes

# never ask the system resolver: the only name server is a loopback one that
# nobody answers (all SIP goes to the outbound proxy, an IP address)
dns_server		127.0.0.1:53
net_interface		127.0.0.1

module_path		$module_dir
module			opus.so
module			g722.so
module			g711.so
$filter_modules
$src_modules
$enc_modules
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so

ctrl_tcp_listen		127.0.0.1:$ctrl_port
snd_path		$rec_dir
statmode_default	off
ringback_disabled	yes
opus_bitrate		28000
EOF

    local params=";auth_pass=$password;outbound=\"$proxy\""
    if [ "$register" = "1" ]; then
        params+=";regint=600"
    else
        params+=";regint=0"
    fi
    params+=";pubint=0;mwi=no"
    if [ "$autoanswer" = "1" ]; then
        params+=";answermode=auto"
    else
        params+=";answermode=manual"
    fi
    [ -z "$codecs" ] || params+=";audio_codecs=$codecs"
    [ -z "$mediaenc" ] || params+=";mediaenc=$mediaenc"

    cat >"$run_dir/accounts" <<EOF
# written by scripts/peers/baresip.sh (instance $name)
<sip:$user@$domain;transport=$transport>$params
EOF
    chmod 600 "$run_dir/accounts"

    cat >"$run_dir/peer.env" <<EOF
# written by scripts/peers/baresip.sh (instance $name)
BARESIP_NAME=$name
BARESIP_RUN_DIR=$run_dir
BARESIP_USER=$user
BARESIP_AOR=sip:$user@$domain
BARESIP_SIP_PORT=$sip_port
BARESIP_CONTACT=sip:$user@127.0.0.1:$sip_port
BARESIP_CTRL_PORT=$ctrl_port
BARESIP_LOG=$log_file
BARESIP_REC_DIR=$rec_dir
BARESIP_AUTOANSWER=$autoanswer
EOF
    SIP_PORT="$sip_port"
    CTRL_PORT="$ctrl_port"
}

# Copies the newest received-audio dump (-dec.wav) to WINK_BARESIP_AUDIO_OUT.
collect_recording() {
    [ -n "$audio_out" ] || return 0
    local newest
    newest="$(ls -t "$rec_dir"/dump-*-dec.wav 2>/dev/null | head -n 1 || true)"
    if [ -z "$newest" ]; then
        echo "baresip.sh[$name]: no recording in $rec_dir yet" >&2
        return 1
    fi
    cp "$newest" "$audio_out"
    echo "$audio_out (from $newest)"
}

registered() {
    # e.g. "bob9@wink.test: {0/UDP/v4} 200 OK (wink-test-kamailio) [1 binding]"
    grep -aEq "$user@$domain: \\{[0-9]+/[A-Z]+/v4\\} 2[0-9][0-9] .*binding" "$log_file"
}

# e.g. "reg: sip:bob9@wink.test: 401 Unauthorized (wink-test-kamailio)" (final failure,
# after baresip has answered the challenge) or "reg: sip:...: 408 Request Timeout"
registration_failed() {
    grep -aEq "reg: sip:$user@$domain: [3-6][0-9][0-9] " "$log_file"
}

# The end of the log without baresip's terminal colour codes.
log_tail() {
    tail -n "$1" "$log_file" | sed 's/\x1b\[[0-9;]*m//g' >&2
}

ctrl_answers() {
    python3 "$here/baresip-ctl.py" --port "$CTRL_PORT" --timeout 1 reginfo >/dev/null 2>&1
}

start() {
    check_deps
    if pid="$(our_pid)"; then
        echo "baresip $name already running (pid $pid), run dir $run_dir"
        return 0
    fi
    write_configs

    local args=(-f "$run_dir" -4)
    [ "$sip_trace" != "1" ] || args+=(-s)
    [ "$verbose" != "1" ] || args+=(-v)

    # stdbuf: baresip logs with stdio and never flushes; line-buffer it so the log
    # file is current. setsid + stdbuf exec baresip, so $! is baresip's own PID.
    : >"$log_file"
    setsid stdbuf -oL -eL baresip "${args[@]}" </dev/null >>"$log_file" 2>&1 &
    local pid=$!
    echo "$pid" >"$pid_file"
    echo "BARESIP_PID=$pid" >>"$run_dir/peer.env"

    local i
    for i in $(seq 1 50); do   # 50 x 0.2 s = 10 s at most
        if ! [ -d "/proc/$pid" ]; then
            log_tail 40
            rm -f "$pid_file"
            die "baresip exited during start-up (log: $log_file)"
        fi
        if { [ "$register" != "1" ] || registered; } && ctrl_answers; then
            echo "baresip $(baresip -h 2>&1 | sed -n 's/^baresip v\([^ ]*\).*/\1/p;q') '$name' running (pid $pid)"
            echo "  sip:$user@$domain  contact sip:$user@127.0.0.1:$SIP_PORT  via $proxy"
            echo "  register $register, autoanswer $autoanswer, audio in '$audio_in', audio out '${audio_out:-none}'"
            echo "  control: python3 $here/baresip-ctl.py --port $CTRL_PORT <command>"
            echo "  run dir $run_dir (log baresip.log, env peer.env)"
            return 0
        fi
        if [ "$register" = "1" ] && registration_failed; then
            log_tail 40
            stop >/dev/null 2>&1 || true
            die "registration failed: $(grep -aE "reg: sip:$user@$domain: " "$log_file" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 1) (log: $log_file)"
        fi
        sleep 0.2
    done
    log_tail 60
    stop >/dev/null 2>&1 || true
    if [ "$register" = "1" ]; then
        die "baresip did not register within 10 s (log: $log_file)"
    fi
    die "baresip control port $CTRL_PORT did not answer within 10 s (log: $log_file)"
}

stop() {
    local pid
    if ! pid="$(our_pid)"; then
        rm -f "$pid_file"
        echo "baresip $name not running"
        return 0
    fi
    # first SIGTERM: baresip unregisters and hangs up, then exits
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
    echo "baresip $name stopped (pid $pid)"
    collect_recording || true
}

status() {
    local pid
    if pid="$(our_pid)"; then
        local port
        port="$(sed -n 's/^BARESIP_CTRL_PORT=//p' "$run_dir/peer.env" 2>/dev/null || true)"
        if [ -n "$port" ] && python3 "$here/baresip-ctl.py" --port "$port" --timeout 2 reginfo; then
            echo "baresip $name running (pid $pid), control port $port"
            return 0
        fi
        echo "baresip $name process $pid alive but its control port does not answer"
        return 1
    fi
    echo "baresip $name not running"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop; start ;;
    recording) collect_recording ;;
    *) echo "usage: $0 start|stop|status|restart|recording" >&2; exit 2 ;;
esac
