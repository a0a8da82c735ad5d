#!/usr/bin/env python3
"""Traffic of the program tests, and the servers that answer it.

Every loop is bounded by a count; sockets time out after 10 s.

  udp DST PORT COUNT TEXT     COUNT datagrams "TEXT i" from one socket
  tcp DST PORT COUNT TEXT     COUNT connections, each sends "TEXT i\\n",
                              closes its side and reads the reply to EOF
  sink-udp ADDR PORT          takes datagrams (no ICMP port unreachable)
  serve-tcp ADDR PORT REPLY   answers each connection with REPLY after
                              reading it to EOF
  http DST PORT COUNT         COUNT HTTP/1.0 GETs of /page-i, each 200
  serve-http ADDR PORT        answers GETs with a short page
  sip DST COUNT               COUNT SIP INVITEs (UDP 5060), one Call-ID each
  dns DST COUNT DOMAIN        COUNT DNS queries (UDP 53) for qI.DOMAIN
"""
import http.client
import http.server
import socket
import struct
import sys

TIMEOUT = 10


def ready(what):
    print("ready: " + what, flush=True)


def udp(dst, port, count, text):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(count):
            s.sendto(("%s %d\n" % (text, i)).encode(), (dst, port))


def tcp(dst, port, count, text):
    for i in range(count):
        with socket.create_connection((dst, port), timeout=TIMEOUT) as s:
            s.sendall(("%s %d\n" % (text, i)).encode())
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass


def sink_udp(addr, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((addr, port))
        ready("udp %s:%d" % (addr, port))
        while True:
            s.recv(65536)


def serve_tcp(addr, port, reply):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((addr, port))
        srv.listen(16)
        ready("tcp %s:%d" % (addr, port))
        while True:
            conn, _ = srv.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                while conn.recv(4096):
                    pass
                conn.sendall(reply.encode() + b"\n")


def http_get(dst, port, count):
    for i in range(count):
        c = http.client.HTTPConnection(dst, port, timeout=TIMEOUT)
        c.request("GET", "/page-%d" % i, headers={"User-Agent": "traffic.py"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit("GET /page-%d: %d" % (i, r.status))
        c.close()


class Page(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        body = b"hello from the test server\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_http(addr, port):
    srv = http.server.HTTPServer((addr, port), Page)
    ready("http %s:%d" % (addr, port))
    srv.serve_forever()


def sip(dst, count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 5060))
        for i in range(count):
            call_id = "call-%d@test.invalid" % i
            body = ("v=0\r\no=alice 1 1 IN IP4 198.18.0.1\r\ns=-\r\n"
                    "c=IN IP4 198.18.0.1\r\nt=0 0\r\n"
                    "m=audio %d RTP/AVP 0\r\n" % (40000 + 2 * i))
            msg = ("INVITE sip:bob@%s SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK-%d\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <sip:alice@test.invalid>;tag=a%d\r\n"
                   "To: <sip:bob@test.invalid>\r\n"
                   "Call-ID: %s\r\n"
                   "CSeq: 1 INVITE\r\n"
                   "Contact: <sip:alice@198.18.0.1:5060>\r\n"
                   "Content-Type: application/sdp\r\n"
                   "Content-Length: %d\r\n\r\n%s"
                   % (dst, i, i, call_id, len(body), body))
            s.sendto(msg.encode(), (dst, 5060))


def dns(dst, count, domain):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(count):
            header = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0)
            name = b"".join(bytes([len(p)]) + p.encode()
                            for p in ("q%d.%s" % (i, domain)).split("."))
            s.sendto(header + name + b"\0" + struct.pack("!HH", 1, 1),
                     (dst, 53))


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "udp":
        udp(args[0], int(args[1]), int(args[2]), args[3])
    elif cmd == "tcp":
        tcp(args[0], int(args[1]), int(args[2]), args[3])
    elif cmd == "sink-udp":
        sink_udp(args[0], int(args[1]))
    elif cmd == "serve-tcp":
        serve_tcp(args[0], int(args[1]), args[2])
    elif cmd == "http":
        http_get(args[0], int(args[1]), int(args[2]))
    elif cmd == "serve-http":
        serve_http(args[0], int(args[1]))
    elif cmd == "sip":
        sip(args[0], int(args[1]))
    elif cmd == "dns":
        dns(args[0], int(args[1]), args[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
