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

# A throw-away CA and a server certificate it signs for wink.test and ADDRESS, fresh on
# every start, in DIR/tls (clients trust DIR/tls/ca.pem, as a user trusts a company CA;
# strict verifiers such as rustls refuse a CA certificate used directly as the server's),
# and the kamailio tls module's config for them in DIR/tls.cfg.
#   write_test_tls DIR ADDRESS
write_test_tls() {
    local dir=$1 address=$2
    mkdir -p "$dir/tls"
    chmod 700 "$dir/tls"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
            -keyout "$dir/tls/ca-key.pem" -out "$dir/tls/ca.pem" \
            -subj "/CN=Wink test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -newkey rsa:2048 -nodes -keyout "$dir/tls/key.pem" -out "$dir/tls/server.csr" \
            -subj "/CN=wink.test" &&
        printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:wink.test,IP:%s\n' "$address" \
            >"$dir/tls/server.ext" &&
        openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca-key.pem" \
            -CAcreateserial -days 30 -extfile "$dir/tls/server.ext" -out "$dir/tls/cert.pem"
    } >"$dir/tls/openssl.log" 2>&1 || { cat "$dir/tls/openssl.log" >&2; die "openssl failed"; }

    cat >"$dir/tls.cfg" <<EOF
# written by scripts/peers/kamailio-process.sh
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $dir/tls/key.pem
certificate = $dir/tls/cert.pem

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
EOF
}
