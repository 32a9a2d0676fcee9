"""A latency probe for perf/snapshot.py: a separate process that sends one command at a time
on its own connection, at a steady pace, and records every request's latency.

Writes (SET of an existing key, the value size of the write load) exercise the write
barrier of a forkless save and Redis's copy-on-write; reads (GET) leave the dataset as it
is, so they can probe a save whose file is checked afterwards."""

from __future__ import annotations

import array
import multiprocessing
import os
import random
import signal
import socket
import time


def read_line(sock: socket.socket) -> bytes:
    """One single-line reply (+PONG, -LOADING ...)."""
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def read_reply(sock: socket.socket) -> bytes:
    """One reply that is a line or a bulk string."""
    data = b""
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
        end = data.find(b"\r\n")
        if end < 0:
            continue
        if data[:1] != b"$":
            return data
        n = int(data[1:end])
        if n < 0 or len(data) >= end + 2 + n + 2:
            return data


def probe_main(port: int, keyspace: int, value_size: int, write: bool, interval_s: float,
               seed: int, stop, out) -> None:
    """Sends SET (or GET) of random existing keys, one at a time, every `interval_s`,
    recording (start, latency) in monotonic ns, until `stop`; then sends the arrays and
    the error that ended it early, if any. A process of its own, so that the sampling in
    the parent never delays it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(-10)   # less of the busy machine's scheduling delay in what it measures
    except OSError:
        pass
    starts, lats = array.array("q"), array.array("q")
    error = ""
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rng = random.Random(seed)
        value = bytes(rng.randrange(97, 123) for _ in range(value_size))
        interval = int(interval_s * 1e9)
        due = time.monotonic_ns()
        while not stop.is_set():
            key = b"key:%012d" % rng.randrange(keyspace)
            if write:
                cmd = b"*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$%d\r\n%s\r\n" % (key, value_size, value)
            else:
                cmd = b"*2\r\n$3\r\nGET\r\n$16\r\n%s\r\n" % key
            t0 = time.monotonic_ns()
            sock.sendall(cmd)
            reply = read_reply(sock)
            t1 = time.monotonic_ns()
            if reply[:1] == b"-" or reply.startswith(b"$-1"):
                error = f"{cmd.split(b' ')[0][:40]!r}... answered {reply[:80]!r}"
                break
            starts.append(t0)
            lats.append(t1 - t0)
            due += interval
            wait = due - time.monotonic_ns()
            if wait > 0:
                time.sleep(wait / 1e9)
            else:
                due = time.monotonic_ns()   # late (a stall): no burst to catch up
    except OSError as e:
        error = str(e)
    out.send((starts.tobytes(), lats.tobytes(), error))
    out.close()


class Probe:
    """Starts probing `port` at once; `finish` stops it and returns what was recorded."""

    def __init__(self, port: int, keyspace: int, value_size: int, write: bool,
                 interval_ms: float, seed: int):
        ctx = multiprocessing.get_context("fork")
        self.stop_event = ctx.Event()
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=probe_main, daemon=True,
                                args=(port, keyspace, value_size, write, interval_ms / 1000,
                                      seed, self.stop_event, send))
        self.proc.start()
        send.close()

    def finish(self) -> tuple[array.array, array.array]:
        """(start, latency) arrays in monotonic ns, one entry per request. Raises if the
        probe met an error reply or lost its connection."""
        self.stop_event.set()
        starts, lats, error = array.array("q"), array.array("q"), "no result from the probe"
        if self.recv.poll(30):
            s, l, error = self.recv.recv()
            starts.frombytes(s)
            lats.frombytes(l)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        if error:
            raise SystemExit(f"latency probe: {error}")
        return starts, lats


def latency_stats(starts, lats, t_from: int = 0, t_to: int = 1 << 62) -> dict:
    """n, p50/p99/p99.9/max (ms) of the probe requests started in [t_from, t_to]."""
    window = sorted(lat for st, lat in zip(starts, lats) if t_from <= st <= t_to)
    if not window:
        return {"n": 0, "p50": float("nan"), "p99": float("nan"), "p999": float("nan"),
                "max": float("nan")}
    pick = lambda q: window[min(len(window) - 1, int(q * len(window)))] / 1e6  # noqa: E731
    return {"n": len(window), "p50": pick(0.50), "p99": pick(0.99), "p999": pick(0.999),
            "max": window[-1] / 1e6}
