#!/usr/bin/env python3
"""Self-test of the kamailio test peer started by scripts/peers/kamailio.sh.

Talks raw SIP over UDP, TCP and TLS on 127.0.0.1 only (standard library only):

  * OPTIONS keepalive                                   -> 200
  * REGISTER without credentials                        -> 401 + WWW-Authenticate
  * REGISTER with a correct digest (qop=auth, nc=00000001; MD5 or SHA-256,
    whatever the challenge says)                        -> 200
  * REGISTER with a wrong password                      -> 401 (fresh challenge)
  * auth user != To user, unknown user                  -> 403
  over UDP, TCP and TLS (TLS without certificate verification);
  * MESSAGE alice -> bob (registered, UDP): 407, then with Proxy-Authorization it
    reaches bob's socket, bob's 200 reaches alice
  * MESSAGE alice(TLS) -> bob(TCP, Contact port != source port: "NAT"): delivered
    over bob's own connection
  * MESSAGE to bob registered from behind a fake NAT (Via/Contact 192.168.x):
    delivered to the real source address (received/rport)
  * INVITE / 180 / 200 / ACK / BYE / 200 alice -> bob through Record-Route/loose_route,
    UDP -> UDP and TLS -> UDP (double Record-Route)
  * safety: contacts with a non-loopback IP or a host name, a foreign domain
    -> 403, nothing sent; unknown user -> 404; known user offline -> 480

Usage: scripts/peers/kamailio-selftest.py [--expect-algorithm MD5|SHA-256]
Ports, algorithm and proxy-auth mode are read from $WINK_PEERS_DIR/kamailio/peer.env
(written by kamailio.sh start) unless given on the command line.
Prints one line per check and ends with 'N passed, N failed'; exit 1 on a failure.
"""

import argparse
import hashlib
import ipaddress
import os
import random
import re
import socket
import ssl
import sys
import time

HOST = "127.0.0.1"
DOMAIN = "wink.test"
USERS = {"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"}
TIMEOUT = 3.0

VERBOSE = False


def rnd(n=8):
    return "%0*x" % (n, random.getrandbits(4 * n))


# --------------------------------------------------------------------------- messages

class Msg:
    def __init__(self, raw: bytes):
        self.raw = raw
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.first = lines[0]
        self.headers = []  # (name, value) in order, folded lines joined
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            self.headers.append((expand(name.strip()), value.strip()))
        self.body = body
        parts = self.first.split(" ", 2)
        if parts[0] == "SIP/2.0":
            self.is_response = True
            self.status = int(parts[1])
            self.reason = parts[2] if len(parts) > 2 else ""
            self.method = None
            self.ruri = None
        else:
            self.is_response = False
            self.status = None
            self.method = parts[0]
            self.ruri = parts[1]

    def all(self, name):
        name = name.lower()
        out = []
        for n, v in self.headers:
            if n.lower() == name:
                # split comma-separated values for headers that allow it
                if name in ("via", "record-route", "route"):
                    out.extend(split_commas(v))
                else:
                    out.append(v)
        return out

    def get(self, name):
        vals = self.all(name)
        return vals[0] if vals else None

    def cseq_method(self):
        return self.get("CSeq").split()[1]

    def __str__(self):
        return self.first


COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact",
           "l": "Content-Length", "c": "Content-Type", "k": "Supported"}


def expand(name):
    return COMPACT.get(name.lower(), name) if len(name) == 1 else name


def split_commas(value):
    out, cur, depth, quoted = [], "", 0, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def build(first, headers, body=b""):
    if isinstance(body, str):
        body = body.encode()
    lines = [first] + [f"{n}: {v}" for n, v in headers] + [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


# --------------------------------------------------------------------------- transports

class Conn:
    """One client socket (UDP, TCP or TLS) to the proxy; also receives requests."""

    def __init__(self, transport, port):
        self.transport = transport
        self.server = (HOST, port)
        self.buf = b""
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((HOST, 0))
        else:
            raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            raw.bind((HOST, 0))
            raw.settimeout(TIMEOUT)
            raw.connect(self.server)
            if transport == "tls":
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                raw = ctx.wrap_socket(raw, server_hostname=DOMAIN)
            self.sock = raw
        self.local = self.sock.getsockname()

    @property
    def via_proto(self):
        return self.transport.upper()

    @property
    def uri_params(self):
        return "" if self.transport == "udp" else f";transport={self.transport}"

    def send(self, data: bytes):
        if VERBOSE:
            print(f"  >>> [{self.transport} {self.local[1]}]\n" + data.decode(errors="replace"))
        if self.transport == "udp":
            self.sock.sendto(data, self.server)
        else:
            self.sock.sendall(data)

    def recv(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            if self.transport == "udp":
                try:
                    data, _ = self.sock.recvfrom(65535)
                except (socket.timeout, TimeoutError):
                    return None
                if data.strip() == b"":
                    continue
                m = Msg(data)
            else:
                m = self._read_stream()
                if m is None:
                    if time.monotonic() >= deadline:
                        return None
                    continue
            if VERBOSE:
                print(f"  <<< [{self.transport} {self.local[1]}]\n" + m.raw.decode(errors="replace"))
            return m

    def _read_stream(self):
        while True:
            self.buf = self.buf.lstrip(b"\r\n")
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode("utf-8", "replace")
                mlen = re.search(r"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
                clen = int(mlen.group(1)) if mlen else 0
                total = end + 4 + clen
                if len(self.buf) >= total:
                    raw, self.buf = self.buf[:total], self.buf[total:]
                    return Msg(raw)
            try:
                chunk = self.sock.recv(65535)
            except (socket.timeout, TimeoutError, ssl.SSLError):
                return None
            if not chunk:
                raise ConnectionError("connection closed by kamailio")
            self.buf += chunk

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------- digest

def parse_challenge(value):
    scheme, _, rest = value.partition(" ")
    params = {}
    for m in re.finditer(r'([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))', rest):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    params["_scheme"] = scheme
    return params


def digest_response(ch, method, uri, user, password, nc="00000001", cnonce=None):
    algorithm = ch.get("algorithm", "MD5")
    alg = algorithm.upper()
    if alg == "MD5":
        h = lambda s: hashlib.md5(s.encode()).hexdigest()
    elif alg == "SHA-256":
        h = lambda s: hashlib.sha256(s.encode()).hexdigest()
    else:
        raise ValueError(f"unsupported algorithm {algorithm}")
    realm, nonce = ch["realm"], ch["nonce"]
    cnonce = cnonce or rnd(16)
    ha1 = h(f"{user}:{realm}:{password}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in ch.get("qop", "").split(",") if q.strip()]
    if "auth" in qops:
        resp = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        extra = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
    else:
        resp = h(f"{ha1}:{nonce}:{ha2}")
        extra = ""
    value = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
             f'response="{resp}", algorithm={algorithm}{extra}')
    if "opaque" in ch:
        value += f', opaque="{ch["opaque"]}"'
    return value


# --------------------------------------------------------------------------- user agent

class UA:
    def __init__(self, user, conn, contact_hostport=None, via_hostport=None, password=None):
        self.user = user
        self.password = password if password is not None else USERS.get(user, "x")
        self.conn = conn
        self.tag = rnd()
        lh, lp = conn.local
        self.contact_hostport = contact_hostport or f"{lh}:{lp}"
        self.via_hostport = via_hostport or f"{lh}:{lp}"
        self.cseq = 0
        self.call_id = f"{rnd(12)}@{lh}"

    @property
    def aor(self):
        return f"sip:{self.user}@{DOMAIN}"

    @property
    def contact_uri(self):
        return f"sip:{self.user}@{self.contact_hostport}{self.conn.uri_params}"

    def request(self, method, ruri, to_uri, extra=(), body=b"", call_id=None, auth_user=None,
                password=None, auth=None, cseq=None, from_tag=None, to_tag=None, routes=()):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        headers = [
            ("Via", f"SIP/2.0/{self.conn.via_proto} {self.via_hostport};rport;branch=z9hG4bK{rnd(12)}"),
            ("Max-Forwards", "70"),
        ]
        headers += [("Route", r) for r in routes]
        headers += [
            ("From", f"<{self.aor}>;tag={from_tag or self.tag}"),
            ("To", f"<{to_uri}>" + (f";tag={to_tag}" if to_tag else "")),
            ("Call-ID", call_id or self.call_id),
            ("CSeq", f"{cseq} {method}"),
        ]
        if auth:
            headers.append(auth)
        headers += list(extra)
        self.conn.send(build(f"{method} {ruri} SIP/2.0", headers, body))
        return cseq

    def final(self, method=None, timeout=TIMEOUT):
        """Wait for the next final response (skipping 1xx); returns (final, provisionals)."""
        prov = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            m = self.conn.recv(max(left, 0.01))
            if m is None:
                return None, prov
            if not m.is_response:
                continue
            if method and m.cseq_method() != method:
                continue
            if m.status < 200:
                prov.append(m)
                continue
            return m, prov

    def send_with_auth(self, method, ruri, to_uri, extra=(), body=b"", auth_user=None, password=None):
        """Send; on 401/407 answer the challenge once. Returns (first_final, last_final, auth_value)."""
        cseq = self.request(method, ruri, to_uri, extra, body)
        first, _ = self.final(method)
        if first is None or first.status not in (401, 407):
            return first, first, None
        hname = "WWW-Authenticate" if first.status == 401 else "Proxy-Authenticate"
        aname = "Authorization" if first.status == 401 else "Proxy-Authorization"
        ch = parse_challenge(first.get(hname))
        uri = ruri
        value = digest_response(ch, method, uri, auth_user or self.user,
                                password if password is not None else self.password)
        self.request(method, ruri, to_uri, extra, body, auth=(aname, value))
        second, _ = self.final(method)
        return first, second, value

    def register(self, expires=300, auth_user=None, password=None, contact=None):
        ruri = f"sip:{DOMAIN}"
        extra = [("Contact", contact or f"<{self.contact_uri}>"), ("Expires", str(expires))]
        return self.send_with_auth("REGISTER", ruri, self.aor, extra, auth_user=auth_user,
                                   password=password)


def answer(conn, req, status, reason, to_tag=None, extra=(), body=b""):
    headers = [("Via", v) for v in req.all("Via")]
    if req.method == "INVITE" and status > 100:
        headers += [("Record-Route", r) for r in req.all("Record-Route")]
    to = req.get("To")
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    headers += [("From", req.get("From")), ("To", to), ("Call-ID", req.get("Call-ID")),
                ("CSeq", req.get("CSeq"))]
    headers += list(extra)
    conn.send(build(f"SIP/2.0 {status} {reason}", headers, body))


def wait_request(conn, method, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        m = conn.recv(left)
        if m is None:
            return None
        if not m.is_response and m.method == method:
            return m


def uri_of(nameaddr):
    m = re.search(r"<([^>]*)>", nameaddr)
    return m.group(1) if m else nameaddr.split(";")[0].strip()


# --------------------------------------------------------------------------- checks

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}" + (f"  | {detail}" if detail else ""))
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f"  | {detail}" if detail else ""))
        return ok


def line(m):
    return "no response" if m is None else m.first


def test_register(r, transport, port, expect_algorithm):
    conn = Conn(transport, port)
    try:
        # keepalive
        ua = UA("alice", conn)
        ua.request("OPTIONS", f"sip:{HOST}:{port}{conn.uri_params}", f"sip:{HOST}:{port}")
        m, _ = ua.final("OPTIONS")
        r.check(f"{transport}: OPTIONS keepalive -> 200", m is not None and m.status == 200, line(m))

        # 401, then 200 with correct digest
        first, second, auth = ua.register()
        www = first.get("WWW-Authenticate") if first is not None else None
        r.check(f"{transport}: REGISTER without credentials -> 401", first is not None and first.status == 401,
                f"{line(first)} / WWW-Authenticate: {www}")
        if www:
            ch = parse_challenge(www)
            alg = ch.get("algorithm", "MD5")
            if expect_algorithm:
                r.check(f"{transport}: challenge algorithm is {expect_algorithm}",
                        alg.upper() == expect_algorithm.upper(), f"algorithm={alg}")
            r.check(f"{transport}: challenge has qop=auth", "auth" in ch.get("qop", ""), f"qop={ch.get('qop')}")
        contacts = second.all("Contact") if second is not None else []
        r.check(f"{transport}: REGISTER with correct digest -> 200", second is not None and second.status == 200,
                f"{line(second)} / Contact: {', '.join(contacts)}")
        if auth:
            print(f"     sent Authorization: {auth}")

        # wrong password -> a fresh challenge
        first, second, _ = ua.register(password="not-the-password")
        r.check(f"{transport}: REGISTER with wrong password -> 401 again",
                second is not None and second.status in (401, 403),
                f"{line(second)} / WWW-Authenticate: {second.get('WWW-Authenticate') if second else None}")

        if transport == "udp":
            # auth user does not match the To user
            first, second, _ = ua.register(auth_user="bob", password="bob-pw")
            r.check("udp: REGISTER alice with bob's credentials -> 403",
                    second is not None and second.status == 403, line(second))
            # unknown user
            mallory = UA("mallory", conn, password="whatever")
            first, second, _ = mallory.register()
            r.check("udp: REGISTER unknown user -> 403", second is not None and second.status == 403, line(second))

        # unregister this contact again
        ua.register(expires=0)
    finally:
        conn.close()


def auth_send(r, name, ua, method, ruri, to_uri, extra=(), body=b"", proxy_auth=True):
    """Send an out-of-dialog request as ua; when proxy_auth, expect a 407 first and
    resend with Proxy-Authorization. Returns True once the request that should go
    through has been sent, None when the 407 step failed."""
    ua.request(method, ruri, to_uri, extra, body)
    if proxy_auth:
        first, _ = ua.final(method)
        r.check(f"{name}: {method} without credentials -> 407", first is not None and first.status == 407,
                f"{line(first)} / Proxy-Authenticate: {first.get('Proxy-Authenticate') if first else None}")
        if first is None or first.status != 407:
            return None
        ch = parse_challenge(first.get("Proxy-Authenticate"))
        value = digest_response(ch, method, ruri, ua.user, ua.password)
        ua.request(method, ruri, to_uri, extra, body, auth=("Proxy-Authorization", value))
    return True


def test_message(r, name, alice, bob, proxy_auth):
    text = f"hello bob {rnd()}"
    res = auth_send(r, name, alice, "MESSAGE", f"sip:bob@{DOMAIN}", f"sip:bob@{DOMAIN}",
                    [("Content-Type", "text/plain")], text, proxy_auth)
    if res is None:
        return
    req = wait_request(bob.conn, "MESSAGE")
    ok = req is not None and req.body.decode() == text
    r.check(f"{name}: MESSAGE delivered to bob's registered contact", ok,
            f"bob got: {line(req)}" + (f" / Via count {len(req.all('Via'))}" if req else ""))
    if req is None:
        alice.final("MESSAGE", timeout=0.5)
        return
    r.check(f"{name}: no Proxy-Authorization forwarded to bob", req.get("Proxy-Authorization") is None)
    answer(bob.conn, req, 200, "OK", to_tag=rnd())
    m, _ = alice.final("MESSAGE")
    r.check(f"{name}: bob's 200 reaches alice", m is not None and m.status == 200, line(m))


def test_invite(r, name, alice, bob, proxy_auth):
    lh, lp = alice.conn.local
    sdp = ("v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    alice.call_id = f"{rnd(12)}@127.0.0.1"
    extra = [("Contact", f"<{alice.contact_uri}>"), ("Content-Type", "application/sdp")]
    res = auth_send(r, name, alice, "INVITE", f"sip:bob@{DOMAIN}", f"sip:bob@{DOMAIN}", extra, sdp, proxy_auth)
    if res is None:
        return
    inv = wait_request(bob.conn, "INVITE")
    rr = inv.all("Record-Route") if inv else []
    r.check(f"{name}: INVITE reaches bob with Record-Route", inv is not None and len(rr) >= 1,
            f"bob got: {line(inv)} / Record-Route: {', '.join(rr)}")
    if inv is None:
        return
    bob_tag = rnd()
    bob_contact = f"<{bob.contact_uri}>"
    answer(bob.conn, inv, 180, "Ringing", to_tag=bob_tag, extra=[("Contact", bob_contact)])
    # kamailio's UDP workers may relay back-to-back replies out of order (a 180
    # overtaken by the 200 is then dropped): give the 180 a head start
    time.sleep(0.1)
    answer(bob.conn, inv, 200, "OK", to_tag=bob_tag,
           extra=[("Contact", bob_contact), ("Content-Type", "application/sdp")], body=sdp)
    ok200, prov = alice.final("INVITE")
    r.check(f"{name}: alice gets 200 (after 100/180)", ok200 is not None and ok200.status == 200,
            f"{', '.join(p.first for p in prov)} / {line(ok200)}")
    if ok200 is None or ok200.status != 200:
        return
    # UAC route set: Record-Route of the 2xx, reversed
    routes = list(reversed(ok200.all("Record-Route")))
    remote_target = uri_of(ok200.get("Contact"))
    to_hdr = ok200.get("To")
    to_tag = re.search(r";tag=([^;>\s]+)", to_hdr).group(1)
    invite_cseq = int(ok200.get("CSeq").split()[0])
    alice.request("ACK", remote_target, f"sip:bob@{DOMAIN}", cseq=invite_cseq, to_tag=to_tag, routes=routes)
    ack = wait_request(bob.conn, "ACK")
    r.check(f"{name}: ACK routed by loose_route to bob", ack is not None, line(ack))

    # BYE from bob (callee): route set = Record-Route of the INVITE in order
    bob_routes = inv.all("Record-Route")
    alice_target = uri_of(inv.get("Contact"))
    bye_headers = [
        ("Via", f"SIP/2.0/{bob.conn.via_proto} {bob.via_hostport};rport;branch=z9hG4bK{rnd(12)}"),
        ("Max-Forwards", "70"),
    ] + [("Route", x) for x in bob_routes] + [
        ("From", f"{inv.get('To')};tag={bob_tag}"),
        ("To", inv.get("From")),
        ("Call-ID", inv.get("Call-ID")),
        ("CSeq", "1 BYE"),
    ]
    bob.conn.send(build(f"BYE {alice_target} SIP/2.0", bye_headers))
    bye = wait_request(alice.conn, "BYE")
    r.check(f"{name}: BYE from bob routed to alice", bye is not None, line(bye))
    if bye is None:
        return
    answer(alice.conn, bye, 200, "OK")
    deadline = time.monotonic() + TIMEOUT
    got = None
    while time.monotonic() < deadline:
        m = bob.conn.recv(deadline - time.monotonic())
        if m is None:
            break
        if m.is_response and m.cseq_method() == "BYE":
            got = m
            break
    r.check(f"{name}: alice's 200 for BYE reaches bob", got is not None and got.status == 200, line(got))


def expect_refused(r, name, alice, ruri, proxy_auth, expect=(403,), watch=()):
    res = auth_send(r, name, alice, "MESSAGE", ruri, ruri, [("Content-Type", "text/plain")], "x", proxy_auth)
    if res is None:
        return
    m, _ = alice.final("MESSAGE")
    leaked = [w for w in watch if w.conn.recv(0.3) is not None]
    r.check(f"{name}: MESSAGE to {ruri} -> {'/'.join(map(str, expect))}",
            m is not None and m.status in expect and not leaked, line(m))


def read_env():
    base = os.environ.get("WINK_PEERS_DIR", "/tmp/wink-peers")
    env = {}
    path = os.path.join(base, "kamailio", "peer.env")
    if os.path.exists(path):
        for raw in open(path):
            raw = raw.strip()
            if raw and not raw.startswith("#") and "=" in raw:
                k, _, v = raw.partition("=")
                env[k] = v.strip('"')
    return env


def main():
    global VERBOSE
    env = read_env()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--udp-port", type=int, default=int(env.get("KAMAILIO_UDP_PORT", 5060)))
    ap.add_argument("--tcp-port", type=int, default=int(env.get("KAMAILIO_TCP_PORT", 5060)))
    ap.add_argument("--tls-port", type=int, default=int(env.get("KAMAILIO_TLS_PORT", 5061)))
    ap.add_argument("--expect-algorithm", default=env.get("KAMAILIO_AUTH_ALGORITHM"),
                    help="MD5 or SHA-256 (default: from peer.env)")
    ap.add_argument("--no-proxy-auth", action="store_true", default=env.get("KAMAILIO_PROXY_AUTH") == "0",
                    help="kamailio was started with WINK_KAMAILIO_PROXY_AUTH=0")
    ap.add_argument("--nat", choices=["0", "1"], default=env.get("KAMAILIO_NAT", "1"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every message")
    args = ap.parse_args()
    VERBOSE = args.verbose
    proxy_auth = not args.no_proxy_auth
    assert ipaddress.ip_address(HOST).is_loopback

    r = Results()
    ports = {"udp": args.udp_port, "tcp": args.tcp_port, "tls": args.tls_port}
    for t in ("udp", "tcp", "tls"):
        try:
            test_register(r, t, ports[t], args.expect_algorithm)
        except Exception as e:  # noqa: BLE001 - report and go on
            r.check(f"{t}: register tests ran", False, repr(e))

    conns = []
    try:
        # bob on UDP, alice on UDP
        bob_c = Conn("udp", ports["udp"]); conns.append(bob_c)
        alice_c = Conn("udp", ports["udp"]); conns.append(alice_c)
        bob = UA("bob", bob_c)
        alice = UA("alice", alice_c)
        _, b, _ = bob.register()
        _, a, _ = alice.register()
        r.check("udp: alice and bob registered", a is not None and a.status == 200 and b is not None
                and b.status == 200, f"{line(a)} / {line(b)}")
        test_message(r, "udp->udp", alice, bob, proxy_auth)
        test_invite(r, "udp dialog", alice, bob, proxy_auth)
        # caller on TLS, callee on UDP: double Record-Route, loose_route across transports
        alice_tls0 = Conn("tls", ports["tls"]); conns.append(alice_tls0)
        test_invite(r, "tls->udp dialog", UA("alice", alice_tls0), bob, proxy_auth)
        bob.register(expires=0)

        # bob on TCP with a Contact port that is not his source port; alice on TLS
        bob_t = Conn("tcp", ports["tcp"]); conns.append(bob_t)
        bob2 = UA("bob", bob_t, contact_hostport=f"{HOST}:5999")
        _, b, _ = bob2.register()
        r.check("tcp: bob registered with Contact port 5999 (not his source port)",
                b is not None and b.status == 200, f"{line(b)} / Contact: {b.get('Contact') if b else None}")
        alice_tls = Conn("tls", ports["tls"]); conns.append(alice_tls)
        alice2 = UA("alice", alice_tls)
        if args.nat == "1":
            test_message(r, "tls->tcp", alice2, bob2, proxy_auth)
        bob2.register(expires=0)

        # bob behind a pretend NAT on UDP: Via and Contact say 192.168.7.20:5062
        bob_n = Conn("udp", ports["udp"]); conns.append(bob_n)
        bob3 = UA("bob", bob_n, contact_hostport="192.168.7.20:5062", via_hostport="192.168.7.20:5062")
        _, b, _ = bob3.register()
        r.check("nat: bob registered from behind a pretend NAT", b is not None and b.status == 200,
                f"{line(b)} / Contact: {b.get('Contact') if b else None}")
        if args.nat == "1":
            test_message(r, "udp->nat-udp", alice, bob3, proxy_auth)
        bob3.register(expires=0)

        # safety: carol registers contacts that are not on loopback
        carol_c = Conn("udp", ports["udp"]); conns.append(carol_c)
        carol = UA("carol", carol_c, contact_hostport="192.0.2.10:5060")
        _, c, _ = carol.register()
        r.check("safety: carol registered Contact sip:carol@192.0.2.10:5060", c is not None and c.status == 200,
                line(c))
        expect_refused(r, "safety non-loopback IP", alice, f"sip:carol@{DOMAIN}", proxy_auth, watch=[carol])
        carol.register(expires=0, contact="<" + carol.contact_uri + ">")
        carol_h = UA("carol", carol_c, contact_hostport="carol.invalid")
        _, c, _ = carol_h.register()
        r.check("safety: carol registered Contact sip:carol@carol.invalid", c is not None and c.status == 200,
                line(c))
        expect_refused(r, "safety host name", alice, f"sip:carol@{DOMAIN}", proxy_auth, watch=[carol])
        carol_h.register(expires=0)
        expect_refused(r, "safety foreign domain", alice, "sip:someone@example.com", proxy_auth)
        expect_refused(r, "safety foreign IP", alice, "sip:someone@192.0.2.1:5060", proxy_auth)
        expect_refused(r, "routing unknown user", alice, f"sip:nobody@{DOMAIN}", proxy_auth, expect=(404,))
        expect_refused(r, "routing offline user", alice, f"sip:carol@{DOMAIN}", proxy_auth, expect=(480,))
        alice.register(expires=0)
    except Exception as e:  # noqa: BLE001
        r.check("routing tests ran", False, repr(e))
    finally:
        for c in conns:
            c.close()

    print(f"{r.passed} passed, {r.failed} failed")
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
