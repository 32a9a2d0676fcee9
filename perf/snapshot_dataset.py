"""The dataset of perf/snapshot.py: a deterministic fill sent to several servers at once
over raw pipelined connections, and the check of a reloaded copy against it.

A "server" here is perf/snapshot.py's Server: label, port, alive(), info(), client."""

from __future__ import annotations

import random
import socket
import threading
import time

MIB = 1 << 20
STRINGS_PER_UNIT = 1000


class Dataset:
    """The deterministic fill. Unit `u` holds string keys u*1000 ... u*1000+999 and one of
    each collection; `collections(u)` gives their exact content, for the fill and for the
    check after reloading."""

    def __init__(self, value_size: int, seed: int):
        self.value_size = value_size
        rng = random.Random(seed)
        # JSON-like records with random numbers: LZF finds repeats in them, as in real data.
        records, size = [], 0
        while size < 4 * MIB:
            n = rng.randrange(1 << 30)
            records.append(b'{"id":%d,"name":"user%d","score":%d.%02d,"tags":["t%d","t%d"]},'
                           % (n, n % 99991, n % 1000, n % 100, n % 17, n % 29))
            size += len(records[-1])
        self.pool = b"".join(records)

    def value(self, i: int, size: int) -> bytes:
        off = (i * 7919) % (len(self.pool) - size)
        return (b"%012d" % i + self.pool[off:off + size])[:size]

    def collections(self, u: int) -> list[tuple[bytes, str, list]]:
        """(key, type, content) for unit u: hashes as [(field, value)], zsets as
        [(member, score)], lists in order, sets as members."""
        v = lambda i, n: self.value(u * 7 + i, n)  # noqa: E731
        return [
            (b"hs:%d:0" % u, "hash", [(b"f%03d" % i, v(i, 40)) for i in range(100)]),
            (b"hs:%d:1" % u, "hash", [(b"f%03d" % i, v(i + 1, 40)) for i in range(100)]),
            (b"hb:%d" % u, "hash", [(b"field:%06d" % i, v(i, 100)) for i in range(500)]),
            (b"l:%d" % u, "list", [v(i, 100) for i in range(1000)]),
            (b"z:%d" % u, "zset", [(b"member:%08d" % (u * 300 + i), i * 0.25) for i in range(300)]),
            (b"zs:%d" % u, "zset", [(b"m%d" % i, float(i)) for i in range(50)]),
            (b"s:%d" % u, "set", [b"member:%08d" % (u * 500 + i) for i in range(500)]),
            (b"si:%d" % u, "set", [b"%d" % (u * 1000 + i * 3) for i in range(200)]),
        ]

    def unit(self, u: int) -> tuple[bytes, int]:
        """The RESP commands of unit u, and how many there are."""
        parts = []
        size = self.value_size
        for i in range(u * STRINGS_PER_UNIT, (u + 1) * STRINGS_PER_UNIT):
            key = b"key:%012d" % i
            if i % 50 == 0:
                parts.append(resp(b"SET", key, self.value(i, size), b"EX", b"10000000"))
            else:
                parts.append(b"*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$%d\r\n%s\r\n"
                             % (key, size, self.value(i, size)))
        colls = self.collections(u)
        for key, kind, content in colls:
            if kind == "hash":
                parts.append(resp(b"HSET", key, *[x for pair in content for x in pair]))
            elif kind == "list":
                parts.append(resp(b"RPUSH", key, *content))
            elif kind == "zset":
                parts.append(resp(b"ZADD", key, *[x for m, s in content for x in (repr(s).encode(), m)]))
            else:
                parts.append(resp(b"SADD", key, *content))
        return b"".join(parts), STRINGS_PER_UNIT + len(colls)


def resp(*args: bytes) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Pipe:
    """A raw pipelined connection; a reader thread counts the replies (all single-line:
    +OK or a non-negative :n, so any '-' is an error)."""

    def __init__(self, server):
        self.server = server
        self.sock = socket.create_connection(("127.0.0.1", server.port))
        self.sent = 0
        self.received = 0
        self.error = b""
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            with self.cond:
                if not data:
                    self.error = self.error or b"connection closed"
                elif b"-" in data:
                    self.error = data[data.index(b"-"):][:200]
                self.received += data.count(b"\n")
                self.cond.notify_all()
            if not data:
                return

    def send(self, data: bytes, commands: int) -> None:
        self.sent += commands
        self.sock.sendall(data)

    def drain(self) -> None:
        with self.cond:
            while self.received < self.sent and not self.error:
                self.cond.wait(1)
                self.server.alive()
        if self.error:
            raise SystemExit(f"{self.server.label} refused the fill: {self.error!r}")

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # wakes the reader
        except OSError:
            pass
        self.sock.close()
        self.reader.join(5)


def fill(servers: list, data: Dataset, target_bytes: int) -> tuple[int, float]:
    """Sends the same units to every server until the first one's used_memory reaches
    `target_bytes`. Returns (units, seconds)."""
    pipes = [Pipe(s) for s in servers]
    began = time.monotonic()
    units = 0
    try:
        while True:
            for _ in range(8):
                payload, n = data.unit(units)
                units += 1
                for p in pipes:
                    p.send(payload, n)
            for p in pipes:
                p.drain()
            used = servers[0].info("memory")["used_memory"]
            if used >= target_bytes:
                break
            print(f"\rfill: {units * STRINGS_PER_UNIT:,} string keys, "
                  f"{servers[0].label} used_memory {used / MIB:,.0f} MiB", end="", flush=True)
    finally:
        for p in pipes:
            p.close()
    print()
    return units, time.monotonic() - began


def check_reloaded(server, data: Dataset, units: int, expected_keys: int,
                   pristine: bool) -> str:
    """Compares the reloaded dataset with what was sent: key count, every collection of 16
    units spread over the range (never written after the fill) and, when no write load has
    run yet (`pristine`), some string values and a TTL."""
    problems = []
    keys = server.client.dbsize()
    if keys != expected_keys:
        problems.append(f"DBSIZE {keys}, expected {expected_keys}")
    c = server.client
    for u in sorted({int(k * (units - 1) / 15) for k in range(16)}):
        for key, kind, content in data.collections(u):
            if kind == "hash":
                ok = c.hgetall(key) == dict(content)
            elif kind == "list":
                ok = c.lrange(key, 0, -1) == content
            elif kind == "zset":
                ok = c.zrange(key, 0, -1, withscores=True) == sorted(content, key=lambda p: (p[1], p[0]))
            else:
                ok = c.smembers(key) == set(content)
            if not ok:
                problems.append(f"{key.decode()} ({kind}) differs")
    for i in (0, 1, 49, 50, units * STRINGS_PER_UNIT - 1) if pristine else ():
        if c.get(b"key:%012d" % i) != data.value(i, data.value_size):
            problems.append(f"key:{i:012d} differs")
    if pristine and c.ttl(b"key:%012d" % 50) <= 0:
        problems.append("key:000000000050 lost its TTL")
    return "; ".join(problems) if problems else "ok"
