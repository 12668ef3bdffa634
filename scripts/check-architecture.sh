#!/usr/bin/env bash
# Checks the rules of the house that the compiler cannot: the domain stays pure.
# - wink-domain's normal dependencies hold no adapter, GUI, database, SIP, audio, DNS or LDAP crate;
# - it asks tokio only for sync, time, macros and rt;
# - wink-ports depends on no crate of ours.
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
echo "architecture: wink-domain is pure (tokio features: ${tokio_features:-none}); wink-ports depends on nothing of ours"
