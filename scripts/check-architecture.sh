#!/usr/bin/env bash
# Checks the rules of the house that the compiler cannot: the domain stays pure, and
# frontends reach adapters only through wink-config.
# - wink-domain's normal dependencies hold no adapter, GUI, database, SIP, audio, DNS or LDAP crate;
# - it asks tokio only for sync, time, macros and rt;
# - wink-ports depends on no crate of ours;
# - no frontend (each workspace member under frontends/) depends on an adapter crate directly;
# - no two modules of a frontend use each other (scripts/check-module-cycles.py).
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden='^(wink-(sip|media|audio|msrp|storage|ldap|secrets|bonjour|config|cli)|wink|gtk4|libadwaita|sea-orm|sqlx|rsip|cpal|hickory-resolver|ldap3|keyring|keyring-core|zbus)$'
tree=$(cargo tree -p wink-domain -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(echo "$tree" | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then
    echo "wink-domain must stay pure, but depends on: $bad" >&2
    exit 1
fi

tokio_features=$(cargo tree -p wink-domain -e normal,features -i tokio --prefix none 2>/dev/null \
    | grep -oE 'tokio feature "[a-z-]+"' | sed -E 's/.*"(.*)"/\1/' | sort -u | tr '\n' ' ')
for feature in $tokio_features; do
    case "$feature" in
        default|sync|time|macros|rt|tokio-macros) ;;  # tokio-macros is what "macros" turns on
        *) echo "wink-domain enables tokio feature '$feature'; only sync, time, macros, rt are allowed" >&2; exit 1 ;;
    esac
done

ours=$(cargo tree -p wink-ports -e normal --prefix none --format '{p}' | awk '{print $1}' | grep -E '^wink-' | grep -v '^wink-ports$' || true)
if [ -n "$ours" ]; then
    echo "wink-ports must depend on no crate of ours, but depends on: $ours" >&2
    exit 1
fi

# Frontends: the workspace members under frontends/, by package name. A folder without a
# Cargo.toml, or one the workspace does not list yet, is skipped (and said so).
adapters='^wink-(sip|media|audio|msrp|storage|ldap|secrets|bonjour)$'
members=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
for package in json.load(sys.stdin)["packages"]:
    print(os.path.dirname(package["manifest_path"]), package["name"], sep="\t")
')
root=$(pwd -P)
checked=()
crates=()
for dir in frontends/*/; do
    dir=${dir%/}
    if [ ! -f "$dir/Cargo.toml" ]; then
        echo "architecture: $dir skipped: no Cargo.toml"
        continue
    fi
    package=$(echo "$members" | awk -F '\t' -v dir="$root/$dir" '$1 == dir { print $2 }')
    if [ -z "$package" ]; then
        echo "architecture: $dir skipped: not a workspace member yet"
        continue
    fi
    direct=$(cargo tree -p "$package" -e normal --depth 1 --prefix none --format '{p}' \
        | awk 'NR > 1 { print $1 }' | sort -u)
    bad=$(echo "$direct" | grep -E "$adapters" | tr '\n' ' ' || true)
    if [ -n "$bad" ]; then
        echo "$package ($dir) must reach adapters only through wink-config, but depends on: $bad" >&2
        exit 1
    fi
    checked+=("$package")
    crates+=("$dir")
done
if [ ${#crates[@]} -gt 0 ] && ! python3 scripts/check-module-cycles.py "${crates[@]}"; then
    echo "frontend modules must not use each other (see above)" >&2
    exit 1
fi

echo "architecture: wink-domain is pure (tokio features: ${tokio_features:-none}); wink-ports depends on nothing of ours"
echo "architecture: frontends without adapter dependencies or module cycles: ${checked[*]:-none}"
