#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/e2e/garbage_client.py - misbehaving clients of usernetd's
--listen-qemu socket (QEMU stream framing: 4-byte big-endian length, then
one Ethernet frame), for tests/e2e/bad_input.sh.

usage: garbage_client.py SOCKET MODE [--duration SECONDS]

MODE
  arp       a well-behaved client: ARP request for 192.168.5.2, expects the
            answer (checks this client itself works)
  zero      a frame length of 0, then an ARP request
  short     a length of 10 and 10 bytes (shorter than an Ethernet header),
            then an ARP request
  huge      a length of 65550 (> 65535 + 14) and some bytes
  ascii     "GET / HTTP/1.1\\r\\n\\r\\n"
  midframe  a length of 100, 50 bytes, then end of stream (SHUT_WR)
  midheader 2 bytes of a length, then end of stream
  noread    ARP for .2 once, then for --duration seconds broadcast ARP
            requests and 1400-byte pings to .2 without ever reading

Prints one line "RESULT key=value..." and exits 0 when the daemon behaved:
  zero, short: the connection is closed, or the ARP request after the bad
               frame is answered (the bad frame was dropped); a connection
               that stays open but silent is a failure
  huge, ascii, midframe, midheader: the connection is closed within 3 s
  noread: always 0 once done (the test checks the daemon)
Exit 1 on a daemon misbehaviour, 2 on usage errors.
"""

import errno
import os
import select
import socket
import struct
import sys
import time

from ethframes import arp_request, frame, icmp_echo

GUEST_IP = bytes([192, 168, 5, 15])
GW_IP = bytes([192, 168, 5, 2])


def result(ok, **kv):
    """Print the RESULT line and exit 0 (ok) or 1."""
    fields = " ".join("%s=%s" % (k, v) for k, v in kv.items())
    print("RESULT ok=%d %s" % (ok, fields), flush=True)
    sys.exit(0 if ok else 1)


class Reader:
    """Reads QEMU-framed Ethernet frames with a deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def frame(self, deadline):
        """Next frame, b"" on EOF/reset, None on timeout."""
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    return f
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            try:
                d = self.sock.recv(65536)
            except ConnectionResetError:
                return b""
            if not d:
                return b""
            self.buf += d


def wait_arp_reply(sock, reader, secs):
    """'answered' (with the gateway's MAC), 'closed' or 'silent'."""
    deadline = time.monotonic() + secs
    while True:
        f = reader.frame(deadline)
        if f is None:
            return "silent", None
        if f == b"":
            return "closed", None
        if len(f) >= 42 and f[12:14] == b"\x08\x06" and \
                struct.unpack("!H", f[20:22])[0] == 2 and f[28:32] == GW_IP:
            return "answered", f[22:28]


def send_all(sock, data):
    """sendall that reports a closed connection as False."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def wait_closed(reader, secs):
    """True when the peer closes within secs (frames read are dropped)."""
    deadline = time.monotonic() + secs
    while True:
        f = reader.frame(deadline)
        if f is None:
            return False
        if f == b"":
            return True


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, mode = sys.argv[1], sys.argv[2]
    duration = 3.0
    if len(sys.argv) == 5 and sys.argv[3] == "--duration":
        duration = float(sys.argv[4])
    mac = bytes([0x52, 0x55, 0x55]) + os.urandom(3)

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(path)
    sock.settimeout(None)
    reader = Reader(sock)

    if mode == "arp":
        send_all(sock, frame(arp_request(mac, GUEST_IP, GW_IP)))
        state, _ = wait_arp_reply(sock, reader, 3)
        result(state == "answered", mode=mode, state=state)

    if mode in ("zero", "short"):
        bad = struct.pack(">I", 0) if mode == "zero" else \
            struct.pack(">I", 10) + b"\xaa" * 10
        if not send_all(sock, bad):
            result(True, mode=mode, state="closed")
        time.sleep(0.1)
        if not send_all(sock, frame(arp_request(mac, GUEST_IP, GW_IP))):
            result(True, mode=mode, state="closed")
        state, _ = wait_arp_reply(sock, reader, 3)
        result(state != "silent", mode=mode, state=state)

    if mode in ("huge", "ascii"):
        bad = b"GET / HTTP/1.1\r\n\r\n" if mode == "ascii" else \
            struct.pack(">I", 65550) + b"\0" * 1000
        if not send_all(sock, bad):
            result(True, mode=mode, state="closed")
        closed = wait_closed(reader, 3)
        result(closed, mode=mode, state="closed" if closed else "open")

    if mode in ("midframe", "midheader"):
        # Half-close after part of a frame (or of its length): the daemon
        # sees a clean end of stream in the middle of a frame and must
        # close the connection.
        bad = struct.pack(">I", 100) + b"\xbb" * 50 if mode == "midframe" \
            else b"\x00\x00"
        if not send_all(sock, bad):
            result(True, mode=mode, state="closed")
        sock.shutdown(socket.SHUT_WR)
        closed = wait_closed(reader, 3)
        result(closed, mode=mode, state="closed" if closed else "open")

    if mode == "noread":
        send_all(sock, frame(arp_request(mac, GUEST_IP, GW_IP)))
        state, gw_mac = wait_arp_reply(sock, reader, 3)
        if state != "answered":
            result(False, mode=mode, state="no-arp-" + state)
        sock.setblocking(False)
        sent = blocked = 0
        seq = 0
        end = time.monotonic() + duration
        pending = b""
        state = "open"
        while time.monotonic() < end:
            if not pending:
                seq += 1
                pending = frame(arp_request(mac, GUEST_IP, GW_IP)) + \
                    frame(icmp_echo(mac, gw_mac, GUEST_IP, GW_IP, seq, 1400))
                sent += 2
            try:
                n = sock.send(pending)
                pending = pending[n:]
            except BlockingIOError:
                blocked += 1
                select.select([], [sock], [], 0.05)
            except (BrokenPipeError, ConnectionResetError):
                state = "closed"
                break
        result(True, mode=mode, state=state, frames=sent, blocked=blocked)

    print("unknown mode " + mode, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
