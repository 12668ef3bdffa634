#!/usr/bin/env bash
# The storage bench on SQLite and PostgreSQL: 1,000,000 history rows, 1,000,000 messages,
# 100,000 contacts, then the app's queries (adapters/storage/benches/store_scale.rs). Runs in
# a loopback-only network namespace with a throwaway PostgreSQL (scripts/peers/postgres.sh).
#
#   bash benches/store-scale.sh            (ROWS=… CONTACTS=… to change the sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wink/target}"
cargo bench -p wink-storage --bench store_scale --no-run
exec unshare --net -- bash -c '
    set -euo pipefail
    ip link set lo up
    WINK_PEERS_DIR=$(mktemp -d)
    export WINK_PEERS_DIR
    trap "bash scripts/peers/postgres.sh stop; rm -rf \"\$WINK_PEERS_DIR\"" EXIT
    bash scripts/peers/postgres.sh start
    WINK_TEST_POSTGRES=postgres://wink@127.0.0.1:5432/postgres \
        cargo bench --offline -p wink-storage --bench store_scale
'
