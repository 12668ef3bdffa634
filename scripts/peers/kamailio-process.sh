# Shared by the kamailio peers (kamailio.sh, msrp-relay.sh): where the modules are, the
# PID of the kamailio a script started, and stopping it. Sourced; the caller sets
# peer_name, run_dir, pid_file and cfg_file.

find_module_dir() {
    local d
    for d in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/aarch64-linux-gnu/kamailio/modules \
             /usr/lib/kamailio/modules /usr/lib64/kamailio/modules; do
        [ -d "$d" ] && { echo "$d"; return; }
    done
    # fall back to the multiarch dir of this machine
    d="/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x)/kamailio/modules"
    [ -d "$d" ] && echo "$d"
    return 0
}

# The PID in our pid file, if that process is alive and is the kamailio we started.
our_pid() {
    [ -f "$pid_file" ] || return 1
    local pid
    pid="$(cat "$pid_file" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -d "/proc/$pid" ] || return 1
    # guard against a recycled PID: it must be kamailio running our config
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$cfg_file" || return 1
    echo "$pid"
}

stop() {
    local pid
    if ! pid="$(our_pid)"; then
        rm -f "$pid_file"
        echo "$peer_name not running"
        return 0
    fi
    # remember the worker PIDs (children of our main process) in case we must force
    local children
    children="$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' | tr '\n' ' ' || true)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    local c
    for c in $children; do
        # only if it is still a kamailio process (not a recycled PID)
        if [ -d "/proc/$c" ] && [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "kamailio" ]; then
            kill -KILL "$c" 2>/dev/null || true
        fi
    done
    rm -f "$pid_file"
    echo "$peer_name stopped (pid $pid)"
}


# Our main process and its workers (kamailio processes only: no recycled PID).
our_processes() {
    local pid c
    pid="$(our_pid)" || return 1
    echo "$pid"
    for c in $(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' '); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "kamailio" ] && echo "$c"
    done
    return 0
}

# Freezes every process of ours (SIGSTOP): connections stay open, nothing is read or sent.
freeze() {
    local pids
    pids="$(our_processes)" || { echo "$peer_name not running" >&2; return 1; }
    # shellcheck disable=SC2086
    kill -STOP $pids
    echo "$peer_name frozen ($(echo $pids | tr '\n' ' '))"
}

# Kills every process of ours at once (SIGKILL), as a crash would: what it had not
# forwarded is lost, and its connections close.
crash() {
    local pids
    pids="$(our_processes)" || { echo "$peer_name not running" >&2; return 1; }
    # shellcheck disable=SC2086
    kill -KILL $pids
    rm -f "$pid_file"
    echo "$peer_name killed"
}
