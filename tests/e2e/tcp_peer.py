#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
#
# tests/e2e/tcp_peer.py - one end of the TCP tests (tcp_bulk.sh,
# tcp_edges.sh, tcp_flow.sh): connects to or accepts K connections and runs
# a list of steps on each (send N bytes, shut the write side, receive until
# EOF, reset). What it sends is a seeded pattern, distinct for every
# connection and every 4 KiB of it (a stamp of stream and offset), so a lost,
# repeated or misplaced segment changes the CRC-32 computed by both ends. It
# judges nothing itself: its report gives, per connection, the bytes sent and
# received with their CRC-32 and how each ended, for the shell to compare.
#
#   tcp_peer.py (--connect HOST:PORT | --listen ADDR:PORT) [--conns K]
#               [--serial] (connect one at a time, then run all at once)
#               [--steps STEP,...] [--report FILE] [--progress FILE]
#               [--ready FILE] [--read-size N] [--read-pause S]
#               [--hold-at N --hold-until FILE] [--seed S] [--timeout S]
# Steps: send:N (connection i sends N + i * 1000 bytes), shut, recv (until
# EOF, reset or --timeout), rst (SO_LINGER 0, then close), sleep:S.
# Report lines: "conn=I want=N sent=N sent_crc=X recvd=M recv_crc=Y
# end=eof|reset|timeout|ERRNO send_end=ok|ERRNO connect_ms=T", then "done".

import argparse
import errno
import os
import random
import socket
import struct
import threading
import time
import zlib

BLOCK = 1 << 20  # the seeded block the pattern repeats, stamped
CHUNK = 256 << 10  # bytes per send call
STAMP = 4096  # every STAMP bytes: 8 bytes of stream id and offset


class Conn:
    """One connection's counts, updated by its thread."""

    def __init__(self, idx):
        self.idx = idx
        self.want = 0
        self.sent = 0
        self.sent_crc = 0
        self.recvd = 0
        self.recv_crc = 0
        self.end = "none"
        self.send_end = "none"
        self.connect_ms = -1
        self.hold_done = False


def pattern_chunks(seed, total):
    """Yield the pattern of stream SEED, TOTAL bytes, in CHUNK pieces."""
    base = random.Random(seed).randbytes(BLOCK)
    off = 0
    while off < total:
        n = min(CHUNK, total - off)
        start = off % BLOCK
        buf = bytearray(base[start:start + CHUNK])
        for k in range(0, CHUNK, STAMP):
            struct.pack_into("<Q", buf, k, ((seed & 0xFFFFFF) << 40) | (off + k))
        yield memoryview(buf)[:n]
        off += n


def err_name(e):
    """The errno name of an OSError, as the report spells it."""
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, socket.timeout):
        return "timeout"
    return errno.errorcode.get(e.errno or 0, str(e))


def do_send(sock, c, n, seed):
    c.want += n
    try:
        for piece in pattern_chunks(seed, n):
            sock.sendall(piece)
            c.sent += len(piece)
            c.sent_crc = zlib.crc32(piece, c.sent_crc)
        c.send_end = "ok"
    except OSError as e:
        c.send_end = err_name(e)


def do_recv(sock, c, args):
    size = args.read_size
    rnd = random.Random(c.idx)
    buf = bytearray(max(size, 1))
    try:
        while True:
            held = args.hold_at is not None and not c.hold_done
            if held and c.recvd >= args.hold_at:
                # The stalled reader: nothing read until the file appears.
                while not os.path.exists(args.hold_until):
                    time.sleep(0.05)
                c.hold_done = True
                held = False
            want = size
            if args.read_pause:
                want = rnd.randint(1, size)  # small, uneven reads
            if held:
                want = min(want, args.hold_at - c.recvd)
            n = sock.recv_into(memoryview(buf)[:want])
            if n == 0:
                c.end = "eof"
                return
            c.recvd += n
            c.recv_crc = zlib.crc32(memoryview(buf)[:n], c.recv_crc)
            if args.read_pause:
                time.sleep(args.read_pause)
    except OSError as e:
        c.end = err_name(e)


def run_steps(sock, c, args):
    seed = args.seed * 1000 + c.idx
    for step in args.steps.split(","):
        name, _, val = step.partition(":")
        if name == "send":
            do_send(sock, c, int(val) + c.idx * 1000, seed)
        elif name == "shut":
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError as e:
                c.send_end = err_name(e)
        elif name == "recv":
            do_recv(sock, c, args)
        elif name == "rst":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            sock.close()
            return
        elif name == "sleep":
            time.sleep(float(val))
        else:
            raise SystemExit("unknown step " + step)
    sock.close()


def connect_sock(c, args):
    """Connect for C; None (and C's end set) if that failed."""
    host, port = args.connect.rsplit(":", 1)
    t0 = time.monotonic()
    try:
        sock = socket.create_connection((host, int(port)), timeout=args.timeout)
    except OSError as e:
        c.connect_ms = int((time.monotonic() - t0) * 1000)
        c.end = "refused" if isinstance(e, ConnectionRefusedError) else err_name(e)
        return None
    c.connect_ms = int((time.monotonic() - t0) * 1000)
    return sock


def connect_one(c, args, sock=None):
    if sock is None:
        sock = connect_sock(c, args)
    if sock is not None:
        run_steps(sock, c, args)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def progress_loop(conns, path, stop):
    while not stop.is_set():
        write_atomic(path, "%d %d\n" % (sum(c.sent for c in conns),
                                        sum(c.recvd for c in conns)))
        stop.wait(0.1)


def main():
    p = argparse.ArgumentParser()
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--connect")
    g.add_argument("--listen")
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--serial", action="store_true")
    p.add_argument("--steps", default="recv")
    p.add_argument("--report")
    p.add_argument("--progress")
    p.add_argument("--ready")
    p.add_argument("--read-size", type=int, default=1 << 20)
    p.add_argument("--read-pause", type=float, default=0.0)
    p.add_argument("--hold-at", type=int)
    p.add_argument("--hold-until")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=120.0)
    args = p.parse_args()

    conns = [Conn(i) for i in range(args.conns)]
    stop = threading.Event()
    prog = None
    if args.progress:
        prog = threading.Thread(target=progress_loop,
                                args=(conns, args.progress, stop), daemon=True)
        prog.start()
    threads = []
    if args.listen:
        addr, port = args.listen.rsplit(":", 1)
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, int(port)))
        ls.listen(128)
        if args.ready:
            write_atomic(args.ready, "listening\n")
        for c in conns:
            sock, _ = ls.accept()
            sock.settimeout(args.timeout)
            t = threading.Thread(target=run_steps, args=(sock, c, args))
            t.start()
            threads.append(t)
        ls.close()
    else:
        # --serial: connect one at a time, each once the one before is
        # up; the steps then run on all at once.
        socks = [connect_sock(c, args) if args.serial else None
                 for c in conns]
        for c, sock in zip(conns, socks):
            if args.serial and sock is None:
                continue
            t = threading.Thread(target=connect_one, args=(c, args, sock))
            t.start()
            threads.append(t)
    for t in threads:
        t.join()
    stop.set()
    if prog:
        prog.join()
        write_atomic(args.progress, "%d %d\n" % (sum(c.sent for c in conns),
                                                 sum(c.recvd for c in conns)))
    lines = ["conn=%d want=%d sent=%d sent_crc=%08x recvd=%d recv_crc=%08x "
             "end=%s send_end=%s connect_ms=%d\n"
             % (c.idx, c.want, c.sent, c.sent_crc, c.recvd, c.recv_crc, c.end,
                c.send_end, c.connect_ms) for c in conns]
    text = "".join(lines) + "done\n"
    if args.report:
        write_atomic(args.report, text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
