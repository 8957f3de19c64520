#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/e2e/stress_client.py - load generators of tests/e2e/stress.sh.

usage: stress_client.py MODE ARGS...

  cycles SOCKET N
        N connections to a --listen-qemu socket, one after the other: each
        sends an ARP request or a DHCPDISCOVER and closes; every fourth
        closes in the middle of a frame, every eighth waits for the ARP
        answer first. Prints "RESULT cycles=N answered=K".
  flood SOCKET SECONDS NET KIND
        one QEMU-framed connection writing frames as fast as the socket
        takes them for SECONDS, reading (and dropping) what comes back.
        NET is the first three octets of the subnet ("192.168.105");
        KIND bcast (broadcast ARP requests) or gw (ICMP echo requests to
        NET.2, its MAC learnt by ARP first). Prints "RESULT frames=N".
  server PORT COUNTFILE
        TCP echo server on 127.0.0.1:PORT for many connections (selectors);
        writes the number of open connections to COUNTFILE every 0.2 s.
  conns ADDR PORT N SAMPLE GOFILE
        opens N TCP connections to ADDR:PORT (at most 256 connecting at a
        time), prints "HOLDING N", checks a byte round trip on SAMPLE of
        them, prints "RR ok=K", then holds them until GOFILE exists and
        closes them all. Prints "RESULT opened=N rr=K".
  source PORT
        TCP server on 127.0.0.1:PORT sending endless bytes to each client.
  sink PORT
        TCP server on 127.0.0.1:PORT reading and dropping everything.

Exit status 0 when the mode did its job, 1 otherwise, 2 on usage errors.
"""

import errno
import os
import random
import select
import selectors
import socket
import struct
import sys
import threading
import time

from ethframes import arp_request, dhcp_client, frame, icmp_echo



def dhcp_discover(mac):
    """A DHCPDISCOVER from 0.0.0.0:68 to 255.255.255.255:67."""
    return dhcp_client(mac, random.getrandbits(32), b"\x35\x01\x01")


def read_frames(sock, buf, deadline):
    """Frames read until deadline (or EOF: None appended)."""
    out = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return out, buf
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return out, buf
        try:
            d = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except ConnectionResetError:
            d = b""
        if not d:
            out.append(None)
            return out, buf
        buf += d
        while len(buf) >= 4:
            n = struct.unpack(">I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            out.append(buf[4:4 + n])
            buf = buf[4 + n:]
        if out:
            return out, buf


def mode_cycles(path, n):
    guest = bytes([192, 168, 5, 15])
    gw = bytes([192, 168, 5, 2])
    answered = 0
    for i in range(n):
        mac = bytes([0x52, 0x55, 0x66]) + os.urandom(3)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        f = frame(arp_request(mac, guest, gw)) if i % 2 else \
            frame(dhcp_discover(mac))
        if i % 4 == 3:
            f = f[:len(f) // 2]  # end of stream mid-frame
        try:
            s.sendall(f)
            if i % 8 == 1:
                buf = b""
                end = time.monotonic() + 3
                while time.monotonic() < end:
                    fr, buf = read_frames(s, buf, end)
                    if any(x is not None and len(x) >= 42 and
                           x[12:14] == b"\x08\x06" for x in fr):
                        answered += 1
                        break
        except OSError:
            pass
        s.close()
    print("RESULT cycles=%d answered=%d" % (n, answered), flush=True)
    return answered == len([i for i in range(n) if i % 8 == 1])


def mode_flood(path, secs, net, kind):
    octets = [int(x) for x in net.split(".")]
    sip = bytes(octets + [250])
    gw = bytes(octets + [2])
    mac = bytes([0x52, 0x55, 0x66]) + os.urandom(3)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    gw_mac = None
    buf = b""
    if kind == "gw":
        s.sendall(frame(arp_request(mac, sip, gw)))
        end = time.monotonic() + 5
        while gw_mac is None and time.monotonic() < end:
            fr, buf = read_frames(s, buf, end)
            for x in fr:
                if x and len(x) >= 42 and x[12:14] == b"\x08\x06" and \
                        x[28:32] == gw:
                    gw_mac = x[22:28]
        if gw_mac is None:
            print("RESULT frames=0 no-arp-answer", flush=True)
            return False
    s.setblocking(False)
    batch = b""
    for seq in range(64):
        if kind == "gw":
            batch += frame(icmp_echo(mac, gw_mac, sip, gw, seq, 64))
        else:
            batch += frame(arp_request(mac, sip, bytes(octets + [251])))
    sent = 0
    pending = b""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if not pending:
            pending = batch
            sent += 64
        try:
            n = s.send(pending)
            pending = pending[n:]
        except BlockingIOError:
            select.select([s], [s], [], 0.01)
        except OSError:
            print("RESULT frames=%d closed" % sent, flush=True)
            return False
        try:
            while s.recv(262144):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            print("RESULT frames=%d closed" % sent, flush=True)
            return False
    print("RESULT frames=%d" % sent, flush=True)
    return True


def mode_server(port, countfile):
    sel = selectors.DefaultSelector()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(4096)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ, None)
    nopen = 0
    last = 0
    while True:
        for key, _ in sel.select(0.2):
            if key.data is None:
                for _ in range(256):
                    try:
                        c, _ = ls.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, 1)
                    nopen += 1
                continue
            c = key.fileobj
            try:
                d = c.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if d:
                try:
                    c.send(d)
                except OSError:
                    pass
                continue
            sel.unregister(c)
            c.close()
            nopen -= 1
        if time.monotonic() - last >= 0.2:
            last = time.monotonic()
            with open(countfile + ".tmp", "w") as f:
                f.write("%d\n" % nopen)
            os.replace(countfile + ".tmp", countfile)


def mode_conns(addr, port, n, sample, gofile):
    sel = selectors.DefaultSelector()
    socks = []
    connecting = {}
    t0 = time.monotonic()
    deadline = t0 + 60
    i = 0
    failed = 0
    while (i < n or connecting) and time.monotonic() < deadline:
        while i < n and len(connecting) < 256:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex((addr, port))
            if err not in (0, errno.EINPROGRESS):
                failed += 1
                s.close()
            else:
                sel.register(s, selectors.EVENT_WRITE)
                connecting[s.fileno()] = s
            i += 1
        for key, _ in sel.select(1.0):
            s = key.fileobj
            sel.unregister(s)
            del connecting[s.fileno()]
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                failed += 1
                s.close()
            else:
                socks.append(s)
    print("HOLDING %d (failed %d, %.1f s)" %
          (len(socks), failed + len(connecting), time.monotonic() - t0),
          flush=True)
    ok = 0
    for s in random.sample(socks, min(sample, len(socks))):
        msg = b"rr-%d\n" % s.fileno()
        s.setblocking(True)
        s.settimeout(5)
        try:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                d = s.recv(100)
                if not d:
                    break
                got += d
            ok += got == msg
        except OSError:
            pass
    print("RR ok=%d" % ok, flush=True)
    end = time.monotonic() + 120
    while not os.path.exists(gofile) and time.monotonic() < end:
        time.sleep(0.05)
    for s in socks:
        s.close()
    print("RESULT opened=%d rr=%d" % (len(socks), ok), flush=True)
    return len(socks) == n and ok == min(sample, n)


def serve(port, handler):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def source_handler(c):
    blob = os.urandom(65536)
    try:
        while True:
            c.sendall(blob)
    except OSError:
        c.close()


def sink_handler(c):
    try:
        while c.recv(262144):
            pass
    except OSError:
        pass
    c.close()


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    if a[0] == "cycles" and len(a) == 3:
        ok = mode_cycles(a[1], int(a[2]))
    elif a[0] == "flood" and len(a) == 5:
        ok = mode_flood(a[1], float(a[2]), a[3], a[4])
    elif a[0] == "server" and len(a) == 3:
        ok = mode_server(int(a[1]), a[2])
    elif a[0] == "conns" and len(a) == 6:
        ok = mode_conns(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    elif a[0] == "source" and len(a) == 2:
        ok = serve(int(a[1]), source_handler)
    elif a[0] == "sink" and len(a) == 2:
        ok = serve(int(a[1]), sink_handler)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
