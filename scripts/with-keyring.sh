#!/usr/bin/env bash
# Runs a command inside a private D-Bus session bus with a real, unlocked gnome-keyring
# (the Secret Service), so the keyring tests talk to the same service a desktop has.
# The keyring lives in a throw-away folder; the daemon is stopped by its PID afterwards.
set -euo pipefail

if [ -z "${WINK_KEYRING_BUS:-}" ]; then
    command -v dbus-run-session >/dev/null || { echo "dbus-run-session missing: run scripts/install-test-deps.sh" >&2; exit 1; }
    export WINK_KEYRING_BUS=1
    exec dbus-run-session -- bash "$0" "$@"
fi

command -v gnome-keyring-daemon >/dev/null || { echo "gnome-keyring-daemon missing: run scripts/install-test-deps.sh" >&2; exit 1; }

keyring_home=$(mktemp -d)
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; fi
    rm -rf "$keyring_home"
}
trap cleanup EXIT

# --unlock reads the new login keyring's password from stdin.
printf 'wink-test-keyring' | XDG_DATA_HOME="$keyring_home" HOME="$keyring_home" \
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$keyring_home/daemon.log" 2>&1 &
daemon_pid=$!

# Wait (bounded: 10 s) until the Secret Service name is on the bus.
for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
        export WINK_TEST_SECRET_SERVICE=1
        "$@"
        exit $?
    fi
    if ! kill -0 "$daemon_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
echo "gnome-keyring-daemon did not provide org.freedesktop.secrets; its log:" >&2
cat "$keyring_home/daemon.log" >&2
exit 1
