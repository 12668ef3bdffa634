#!/usr/bin/env python3
"""Sends one command to a baresip started by scripts/peers/baresip.sh and prints
the answer.

    scripts/peers/baresip-ctl.py [--name N | --port P] [--wait EVENT] COMMAND [PARAMS...]

Examples:
    baresip-ctl.py --name a reginfo
    baresip-ctl.py --name b dial sip:bob9@wink.test
    baresip-ctl.py --name b --wait CALL_ESTABLISHED dial sip:bob9@wink.test
    baresip-ctl.py --name a accept
    baresip-ctl.py --name b hangup
    baresip-ctl.py --name a --wait CALL_CLOSED --timeout 30      (no command: only wait)

Protocol (baresip's ctrl_tcp module): a TCP connection to 127.0.0.1:PORT carrying
netstrings ("<len>:<json>,"). A command is {"command": "dial", "params": "sip:...",
"token": "..."}; the answer is {"response": true, "ok": bool, "data": "<text>",
"token": "..."}. Events arrive on the same connection as {"event": true, "class":
"call", "type": "CALL_ESTABLISHED", "param": ..., "peeruri": ..., "id": ...}.
ctrl_tcp serves one connection at a time: a new connection drops the previous one,
so do not keep one open to an instance while another command is sent to that same
instance. Events go only to a connected client and are not queued: to see an event
caused by another instance (e.g. CALL_INCOMING on A when B dials), start the wait on
A first, in the background, then act on B:

    baresip-ctl.py --name a --wait CALL_INCOMING --timeout 10 & w=$!
    sleep 0.3    # let it connect
    baresip-ctl.py --name b dial sip:bob9@wink.test
    wait $w && baresip-ctl.py --name a accept

The port comes from --port, else $BARESIP_CTRL_PORT, else the peer.env of the
instance --name (default $WINK_BARESIP_NAME or "baresip") under
${WINK_PEERS_DIR:-/tmp/wink-peers}. A leading "/" on the command is accepted
(console style "/dial"). Exit status: 0 if baresip reported ok (and the awaited
event came), 1 if it reported an error, 2 on usage/connection problems, 3 if the
awaited event did not come in time.
"""

import argparse
import json
import os
import re
import socket
import sys
import time
import uuid


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def port_from_env(name):
    base = os.environ.get("WINK_PEERS_DIR", "/tmp/wink-peers")
    path = os.path.join(base, f"baresip-{name}", "peer.env")
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("BARESIP_CTRL_PORT="):
                    return int(line.split("=", 1)[1].strip())
    except OSError as e:
        sys.exit(f"baresip-ctl: cannot read {path}: {e}")
    sys.exit(f"baresip-ctl: no BARESIP_CTRL_PORT in {path}")


class Netstrings:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, obj):
        data = json.dumps(obj).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data + b",")

    def recv(self, deadline):
        """Returns the next decoded message, or None at the deadline."""
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                length = int(self.buf[:colon])
                end = colon + 1 + length
                if len(self.buf) >= end + 1:
                    payload = self.buf[colon + 1:end]
                    if self.buf[end:end + 1] != b",":
                        raise ValueError("bad netstring terminator")
                    self.buf = self.buf[end + 1:]
                    return json.loads(payload.decode("utf-8", "replace"))
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                raise ConnectionError("baresip closed the control connection")
            self.buf += chunk


def main():
    ap = argparse.ArgumentParser(description="Send one command to a test baresip (ctrl_tcp).")
    ap.add_argument("--name", default=os.environ.get("WINK_BARESIP_NAME", "baresip"),
                    help="instance name (reads its peer.env)")
    ap.add_argument("--port", type=int, help="ctrl_tcp port on 127.0.0.1")
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds to wait for the answer and for --wait (default 5)")
    ap.add_argument("--wait", metavar="EVENT",
                    help="after the command, wait for this event type (e.g. CALL_ESTABLISHED,"
                         " CALL_CLOSED, CALL_INCOMING, REGISTER_OK)")
    ap.add_argument("--json", action="store_true", help="print whole JSON messages")
    ap.add_argument("--events", action="store_true", help="also print events that arrive")
    ap.add_argument("--raw", action="store_true", help="keep baresip's terminal colour codes")
    ap.add_argument("command", nargs="?", help="baresip command (dial, hangup, accept, reginfo, listcalls, callstat, ...)")
    ap.add_argument("params", nargs="*", help="command parameters")
    args = ap.parse_args()
    if not args.command and not args.wait:
        ap.error("give a command, --wait EVENT, or both")

    port = args.port or (int(os.environ["BARESIP_CTRL_PORT"]) if os.environ.get("BARESIP_CTRL_PORT")
                         else port_from_env(args.name))
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=args.timeout)
    except OSError as e:
        print(f"baresip-ctl: cannot connect to 127.0.0.1:{port}: {e}", file=sys.stderr)
        return 2
    ns = Netstrings(sock)
    deadline = time.monotonic() + args.timeout
    rc = 0
    try:
        if args.command:
            token = uuid.uuid4().hex[:12]
            msg = {"command": args.command.lstrip("/"), "token": token}
            if args.params:
                msg["params"] = " ".join(args.params)
            ns.send(msg)
            while True:
                m = ns.recv(deadline)
                if m is None:
                    print(f"baresip-ctl: no answer within {args.timeout} s", file=sys.stderr)
                    return 2
                if m.get("response") and m.get("token") == token:
                    data = m.get("data", "")
                    if not args.raw:
                        data = ANSI.sub("", data)
                    if args.json:
                        print(json.dumps(m))
                    elif data.strip():
                        print(data.strip("\n"))
                    rc = 0 if m.get("ok") else 1
                    break
                if not m.get("event"):
                    continue
                if args.wait and m.get("type") == args.wait:
                    # arrived before the answer (it can, e.g. for a fast auto-answer)
                    print(json.dumps(m))
                    args.wait = None
                elif args.events or args.json:
                    print(json.dumps(m))
        if args.wait:
            deadline = time.monotonic() + args.timeout
            while True:
                m = ns.recv(deadline)
                if m is None:
                    print(f"baresip-ctl: no {args.wait} event within {args.timeout} s", file=sys.stderr)
                    return 3
                if m.get("event"):
                    if m.get("type") == args.wait:
                        print(json.dumps(m))
                        break
                    if args.events or args.json:
                        print(json.dumps(m))
    except (ConnectionError, ValueError, OSError) as e:
        print(f"baresip-ctl: {e}", file=sys.stderr)
        return 2
    finally:
        sock.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
