#!/usr/bin/env bash
# The desktop app's figures, release build, on this machine:
#   1. exec → main window mapped (median of 7 starts; a profile with one account)
#   2. idle RSS with 100,000 contacts loaded, and exec → contacts shown
#   3. keystroke → list painted at 100,000 contacts, per query length (typed with xdotool)
#   4. RSS growth over 100 calls to baresip (each dialled as `wink sip:…`, which hands the
#      address to the running window over D-Bus)
# Everything runs in a loopback-only network namespace with the test kamailio and a
# baresip (scripts/in-test-namespace.sh), in a desktop session of its own
# (scripts/gui-session.sh). Figures go to stdout.
#
#   bash benches/gui.sh             (CALLS=… to change the number of calls;
#                                    ONLY_START=1 or ONLY_SEARCH=1 for parts 1 or 2–3)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
cargo build --release -p wink-gtk -p wink-tests --bin wink --bin make-profile
export WINK_BENCH_BIN="$CARGO_TARGET_DIR/release"
exec unshare --net -- bash scripts/in-test-namespace.sh \
    bash scripts/gui-session.sh bash benches/gui/measure.sh
