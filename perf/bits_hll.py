#!/usr/bin/env python3
"""Bitmap and HyperLogLog commands: server CPU of Redwing vs redis-server.

redis-benchmark has no bitmap or HyperLogLog test, so this script pipelines
fixed, seeded workloads (sparse and dense PFADD, PFCOUNT and PFMERGE of dense
sketches, a sparse PFMERGE, BITCOUNT/BITPOS/BITOP over 1 MB strings, random
SETBIT, BITFIELD, and GET as a baseline) to both servers, alternating which
goes first each round, and reads each server's utime+stime from /proc around
every workload. The table shows the median CPU milliseconds (10 ms clock
resolution: the workloads are sized to take tens of ms or more) and the ratio
Redwing/Redis; it is printed and saved under perf/results/.

    perf/bits_hll.py                  # 3 rounds, release build of this tree
    perf/bits_hll.py --rounds 5
    REDWING_BIN=/usr/bin/redis-server perf/bits_hll.py --rounds 1   # sanity: ratios ~1
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import DEFAULT_REDIS, DEFAULT_REDWING, RESULTS_DIR, Server  # noqa: E402


def encode(*args) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class Pipe:
    """A socket that sends commands in batches and skips over the replies."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        self.buf = b""

    def _more(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("server closed the connection")
        self.buf += chunk

    def _skip(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        kind, rest = line[:1], line[1:]
        if kind == b"-":
            raise SystemExit(f"error reply: {line.decode(errors='replace')}")
        if kind == b"$" and int(rest) >= 0:
            need = int(rest) + 2
            while len(self.buf) < need:
                self._more()
            self.buf = self.buf[need:]
        elif kind == b"*":
            for _ in range(max(int(rest), 0)):
                self._skip()

    def run(self, commands):
        for i in range(0, len(commands), 1000):
            batch = commands[i:i + 1000]
            self.sock.sendall(b"".join(encode(*c) for c in batch))
            for _ in batch:
                self._skip()


def workloads(rng: random.Random) -> dict:
    """label -> (setup commands, measured commands)."""
    rand = lambda n: [str(rng.getrandbits(60)) for _ in range(n)]  # noqa: E731
    big = bytes(rng.randrange(256) for _ in range(1 << 20))
    return {
        "PFADD 40 elems, new sparse keys x9000": (
            [], [("PFADD", f"s{i}", *rand(40)) for i in range(9000)]),
        "PFADD 10 elems, growing sparse x1200": (
            [], [("PFADD", f"g{i // 300}", *rand(10)) for i in range(1200)]),
        "PFADD 1000 elems, dense x1000": (
            [], [("PFADD", "d", *rand(1000)) for _ in range(1000)]),
        "PFCOUNT 2 dense keys x3000": (
            [("PFADD", "d2", *rand(20000))], [("PFCOUNT", "d", "d2")] * 3000),
        "PFMERGE 2 dense keys x3000": ([], [("PFMERGE", "m", "d", "d2")] * 3000),
        "PFMERGE 20 sparse into sparse x500": (
            [], [("PFMERGE", "ms", *[f"s{i}" for i in range(20)])] * 500),
        "BITCOUNT 1MB x2000": ([("SET", "big", big)], [("BITCOUNT", "big")] * 2000),
        "BITPOS 1 over 1MB zeros x2000": (
            [("SETRANGE", "z", (1 << 20) - 1, b"\x01")], [("BITPOS", "z", 1)] * 2000),
        "BITOP AND 2x1MB x300": (
            [("SET", "big2", big[::-1])], [("BITOP", "AND", "dst", "big", "big2")] * 300),
        "SETBIT random in 1MB x200000": (
            [], [("SETBIT", "big", rng.randrange(8 << 20), rng.randint(0, 1)) for _ in range(200000)]),
        "BITFIELD 4 ops x100000": (
            [], [("BITFIELD", "bf", "INCRBY", "u8", rng.randrange(100), 3, "GET", "i16", "#3",
                  "SET", "i5", rng.randrange(999), -3, "OVERFLOW", "SAT", "INCRBY", "u63", 7, 1)
                 for _ in range(100000)]),
        "GET (baseline) x200000": ([("SET", "g", "v")], [("GET", "g")] * 200000),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--redwing", type=Path, default=DEFAULT_REDWING)
    ap.add_argument("--redis", type=Path, default=DEFAULT_REDIS)
    args = ap.parse_args()
    servers = [Server("redis", args.redis, None).start(), Server("redwing", args.redwing, None).start()]
    cpu: dict = {}
    try:
        for r in range(args.rounds):
            for server in (servers if r % 2 == 0 else servers[::-1]):
                pipe = Pipe(server.port)
                pipe.run([("FLUSHALL",)])
                for label, (setup, commands) in workloads(random.Random(r)).items():
                    pipe.run(setup)
                    before = server.cpu_seconds()
                    pipe.run(commands)
                    cpu.setdefault(label, {}).setdefault(server.label, []).append(
                        (server.cpu_seconds() - before) * 1000)
    finally:
        for server in servers:
            server.stop()
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    lines = [f"{'server CPU ms, median of %d rounds' % args.rounds:40s} {'redis':>7s} {'redwing':>8s} {'ratio':>6s}"]
    for label, by in cpu.items():
        a, b = median(by["redis"]), median(by["redwing"])
        lines.append(f"{label:40s} {a:7.0f} {b:8.0f} {(b / a if a else float('nan')):6.2f}")
    report = "\n".join(lines)
    print(report)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"bits-hll-{datetime.now():%Y%m%d-%H%M%S}.txt"
    out.write_text(report + "\n")
    print(f"saved {out.relative_to(RESULTS_DIR.parents[1])}")


if __name__ == "__main__":
    main()
