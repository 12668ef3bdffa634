#!/usr/bin/env bash
# Installs, on a Debian 12 machine, every package the tests need; skips what is there.
set -euo pipefail

packages=(
    build-essential pkg-config   # C toolchain for -sys crates
    cmake                        # builds libopus for the opus crate
    libasound2-dev               # ALSA headers for cpal (sound cards)
    libwebrtc-audio-processing-dev libclang-dev  # echo cancellation, noise suppression (bindgen)
    dbus dbus-bin dbus-daemon    # a private session bus for the Secret Service tests
    gnome-keyring                # the real Secret Service the keyring tests talk to
    kamailio kamailio-tls-modules # the SIP registrar/proxy of the interop tests
    sip-tester                   # sipp, a SIP test peer
    baresip-core                 # baresip, another softphone, for interop calls
    dnsmasq-base                 # a private DNS server with NAPTR/SRV test records
    postgresql                   # the storage tests run on PostgreSQL too (a throwaway server)
    openssl python3              # certificates and the kamailio self-test
    iproute2 util-linux          # ip and unshare: tests run in a loopback-only network namespace
    libgtk-4-dev libadwaita-1-dev  # the desktop app (GTK 4.8, libadwaita 1.2)
    xvfb xauth xdotool x11-utils openbox at-spi2-core python3-pyatspi gir1.2-atspi-2.0  # its end-to-end tests: a screen, AT-SPI, a keyboard, a window manager
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "cargo is not installed: install Rust 1.94 or newer" >&2; exit 1; }
