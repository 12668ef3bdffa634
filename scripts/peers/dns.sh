#!/usr/bin/env bash
# A private DNS server (dnsmasq) on 127.0.0.1:5353 with a test zone for RFC 3263 tests:
#   wink.test      NAPTR  10 0 "s" "SIP+D2U" -> _sip._udp.wink.test
#   _sip._udp.wink.test  SRV 10 0 5079 dead.wink.test   (nothing listens: failover)
#                        SRV 20 0 5060 sip.wink.test    (kamailio)
#   dead.wink.test, sip.wink.test  A 127.0.0.1
# It answers only from its own records (no upstream servers, no /etc/hosts), so no query
# leaves the machine.
#
#   scripts/peers/dns.sh start|stop
set -euo pipefail
run_dir="${WINK_PEERS_DIR:-/tmp/wink-peers}/dns"
pid_file="$run_dir/dnsmasq.pid"
port="${WINK_DNS_PORT:-5353}"

case "${1:-}" in
    start)
        command -v dnsmasq >/dev/null || { echo "dns.sh: dnsmasq missing (apt-get install dnsmasq-base)" >&2; exit 1; }
        mkdir -p "$run_dir"
        dnsmasq --keep-in-foreground --port="$port" --listen-address=127.0.0.1 --bind-interfaces \
            --no-resolv --no-hosts --no-poll --user=root --pid-file="$pid_file" \
            --log-queries --log-facility="$run_dir/dnsmasq.log" \
            --naptr-record=wink.test,10,0,s,SIP+D2U,,_sip._udp.wink.test \
            --srv-host=_sip._udp.wink.test,dead.wink.test,5079,10,0 \
            --srv-host=_sip._udp.wink.test,sip.wink.test,5060,20,0 \
            --host-record=dead.wink.test,127.0.0.1 \
            --host-record=sip.wink.test,127.0.0.1 &
        echo $! >"$pid_file.shell"
        for _ in $(seq 1 50); do
            if [ -s "$pid_file" ] && grep -q "started" "$run_dir/dnsmasq.log" 2>/dev/null; then
                echo "dnsmasq on 127.0.0.1:$port (pid $(cat "$pid_file"))"
                exit 0
            fi
            sleep 0.1
        done
        echo "dns.sh: dnsmasq did not start; log:" >&2
        cat "$run_dir/dnsmasq.log" >&2 || true
        exit 1
        ;;
    stop)
        for file in "$pid_file" "$pid_file.shell"; do
            if [ -s "$file" ]; then
                kill "$(cat "$file")" 2>/dev/null || true
                rm -f "$file"
            fi
        done
        ;;
    *)
        echo "usage: dns.sh start|stop" >&2
        exit 2
        ;;
esac
