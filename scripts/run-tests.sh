#!/usr/bin/env bash
# The body of `make test`: every test of the workspace (inside a private D-Bus session with a
# real gnome-keyring), the architecture check, lint, then one closing summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

bash scripts/with-keyring.sh cargo test --workspace --locked --all-targets 2>&1 | tee "$log"
bash scripts/check-architecture.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# Sum cargo's per-binary "test result" lines into the one line CI reads.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
