#!/usr/bin/env bash
# Runs a command in a desktop session of its own, for the desktop app's end-to-end tests:
# a private D-Bus session bus with a real, unlocked gnome-keyring (scripts/with-keyring.sh),
# an X server without a screen (Xvfb, 1280x800) and the accessibility bus (started on
# demand through D-Bus), so a test drives the app through AT-SPI as a screen reader does.
#
#   scripts/gui-session.sh COMMAND [ARGS...]
#
# Needs: xvfb xauth dbus at-spi2-core gnome-keyring python3-pyatspi (make test installs them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for tool in xvfb-run dbus-run-session gnome-keyring-daemon /usr/libexec/at-spi-bus-launcher; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || {
        echo "gui-session.sh: $tool is missing: run scripts/install-test-deps.sh" >&2
        exit 1
    }
done

# A new bus of its own, even when called from inside another test session.
unset WINK_KEYRING_BUS DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS
exec bash "$here/with-keyring.sh" \
    xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -noreset" \
    env GSK_RENDERER=cairo GSETTINGS_BACKEND=memory GTK_A11Y=atspi NO_AT_BRIDGE=0 "$@"
