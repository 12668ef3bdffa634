#!/usr/bin/env bash
# Runs one sipp scenario for Wink's interop tests, bounded in time, on 127.0.0.1 only.
#
#   scripts/peers/sipp.sh run <scenario> [sipp args...]
#   scripts/peers/sipp.sh list
#
# <scenario> is a path, or a name under scripts/peers/sipp/ (".xml" may be left off):
#   uac-basic              INVITE with SDP offer via kamailio, 407 auth, 200 must answer
#   uac-late-offer         INVITE without SDP via kamailio, 407 auth, 200 must offer,
#                          ACK carries the answer
#   register               REGISTER -s USER (401 auth) so that a later UAS on the same
#                          -p port is reachable as sip:USER@wink.test
#   uas-basic              answers INVITE+SDP with 180, 200+SDP; takes ACK, BYE
#   uas-late-offer-answerer / uas-no-sdp-answerer   counterparts used to check the UACs
#
# Examples (inside the loopback-only namespace, kamailio started by kamailio.sh):
#   sipp.sh run uac-late-offer 127.0.0.1:5060 -s bob8 -au alice8 -ap alice8-pw
#   sipp.sh run register 127.0.0.1:5060 -s bob8 -ap bob8-pw -p 5070 &&
#     sipp.sh run uas-basic -p 5070          # then call sip:bob8@wink.test
#
# What it adds to the sipp command line:
#   -sf <scenario> -i 127.0.0.1 -bind_local -ci 127.0.0.1 -nostdin   (loopback only:
#       -i alone only sets the address written into the headers; -bind_local makes the
#       SIP socket bind it, media sockets bind -mi which defaults to -i, and the
#       remote-control socket would bind 0.0.0.0:8888 without -ci)
#   -m 1                       unless the arguments have -m
#   -timeout <T>s -timeout_error   unless they have -timeout (T = $WINK_SIPP_TIMEOUT, 20;
#                              a "-timeout <N>s" of theirs sets T instead)
#   -key caller <user>         when they have -au <user> but no "-key caller" (the UAC
#                              scenarios write From: sip:[caller]@wink.test, and kamailio
#                              wants From user == auth user)
#   -trace_err -trace_msg -trace_screen -trace_logs, files under
#       ${WINK_PEERS_DIR:-/tmp/wink-peers}/sipp/<scenario>-<time>-<pid>.{errors,messages,
#       screen,logs,out}.log
# and runs it under timeout(1) as well (T + 15 s, then KILL), in case sipp hangs.
#
# Exit status: sipp's (0 = the call(s) passed, 1 = a call failed or got an unexpected
# message, 255 = also -timeout reached or a fatal error, 254 = cannot bind the port,
# 97/99 = other sipp exits), 124/137 when timeout(1) had to stop it, 143 when this
# script got SIGTERM/SIGINT/SIGHUP (it passes it on to sipp, so `sipp.sh run ... &`
# then `kill $!` stops sipp too), 2 for a usage error, 127 when sipp is not installed.
# On failure the error log and the tail of sipp's output go to stderr.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scen_dir="$here/sipp"
log_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}/sipp"

die() { echo "sipp.sh: $*" >&2; exit 2; }

usage() {
    echo "usage: $0 run <scenario> [sipp args...] | list" >&2
    exit 2
}

resolve_scenario() {
    local s="$1"
    if [ -f "$s" ]; then
        echo "$s"; return 0
    fi
    if [ -f "$scen_dir/$s" ]; then
        echo "$scen_dir/$s"; return 0
    fi
    if [ -f "$scen_dir/$s.xml" ]; then
        echo "$scen_dir/$s.xml"; return 0
    fi
    return 1
}

is_loopback() {
    case "$1" in
        127.*|localhost|::1|\[::1\]) return 0 ;;
        *) return 1 ;;
    esac
}

run() {
    [ "$#" -ge 1 ] || usage
    local scenario
    scenario="$(resolve_scenario "$1")" || die "no scenario '$1' (looked in $scen_dir)"
    shift

    command -v sipp >/dev/null 2>&1 || {
        echo "sipp.sh: sipp not found; install with: apt-get install -y sip-tester" >&2
        exit 127
    }

    local t="${WINK_SIPP_TIMEOUT:-20}"

    # Look at the caller's arguments: what to add, and refuse non-loopback addresses.
    local has_m=0 has_timeout=0 has_caller=0 au="" prev="" a
    for a in "$@"; do
        case "$prev" in
            -i|-mi|-ci|-rsa)
                is_loopback "${a%:*}" || die "$prev $a: only loopback addresses are allowed"
                ;;
            -au) au="$a" ;;
            -key) [ "$a" = "caller" ] && has_caller=1 ;;
            -timeout) t="${a%s}" ;;
        esac
        case "$a" in
            -m) has_m=1 ;;
            -timeout) has_timeout=1 ;;
        esac
        prev="$a"
    done
    [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -gt 0 ] || die "the time limit must be whole seconds, not '$t'"

    mkdir -p "$log_dir" || die "cannot create $log_dir"
    local name prefix
    name="$(basename "$scenario" .xml)"
    prefix="$log_dir/$name-$(date +%Y%m%d-%H%M%S)-$$"

    local args=(-sf "$scenario"
                -i 127.0.0.1 -bind_local -ci 127.0.0.1
                -nostdin
                -trace_err -error_file "$prefix.errors.log"
                -trace_msg -message_file "$prefix.messages.log"
                -trace_screen -screen_file "$prefix.screen.log"
                -trace_logs -log_file "$prefix.logs.log")
    [ "$has_m" = 1 ] || args+=(-m 1)
    [ "$has_timeout" = 1 ] || args+=(-timeout "${t}s" -timeout_error)
    if [ -n "$au" ] && [ "$has_caller" = 0 ]; then
        args+=(-key caller "$au")
    fi
    args+=("$@")

    echo "sipp ${args[*]}" >"$prefix.cmd"

    # sipp runs as a child of timeout(1), which passes a TERM on to it.
    timeout -k 5 "$((t + 15))" sipp "${args[@]}" </dev/null >"$prefix.out.log" 2>&1 &
    local child=$!
    stopped=""
    trap 'stopped=TERM; kill -TERM "$child" 2>/dev/null' TERM
    trap 'stopped=INT; kill -TERM "$child" 2>/dev/null' INT
    trap 'stopped=HUP; kill -TERM "$child" 2>/dev/null' HUP
    local rc
    while :; do
        wait "$child"
        rc=$?
        # wait returns >128 when a trapped signal interrupted it; sipp may still run
        [ -d "/proc/$child" ] || break
    done
    trap - TERM INT HUP
    # a stopped sipp exits 0 (no call failed): the scenario did not complete all the same
    if [ -n "$stopped" ]; then
        echo "sipp.sh: STOPPED $name by SIG$stopped before its scenario ended (logs: $prefix.*)" >&2
        return 143
    fi

    if [ "$rc" -eq 0 ]; then
        echo "sipp.sh: PASS $name (logs: $prefix.*)"
        return 0
    fi

    {
        case "$rc" in
            124|137) echo "sipp.sh: FAIL $name: sipp did not end within $((t + 15)) s (timeout(1) exit $rc)" ;;
            *) echo "sipp.sh: FAIL $name: sipp exit $rc" ;;
        esac
        echo "sipp.sh: command: $(cat "$prefix.cmd")"
        if [ -s "$prefix.errors.log" ]; then
            echo "----- $prefix.errors.log (last 120 lines)"
            tail -n 120 "$prefix.errors.log"
            echo
        else
            echo "----- (no sipp error log)"
        fi
        if [ -s "$prefix.out.log" ]; then
            echo "----- sipp output (last 40 lines, $prefix.out.log)"
            tail -n 40 "$prefix.out.log"
        fi
        echo "----- all SIP messages: $prefix.messages.log"
    } >&2
    return "$rc"
}

case "${1:-}" in
    run) shift; run "$@"; exit $? ;;
    list)
        for f in "$scen_dir"/*.xml; do
            basename "$f" .xml
        done
        ;;
    *) usage ;;
esac
