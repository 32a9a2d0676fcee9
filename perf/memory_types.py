#!/usr/bin/env python3
"""Memory of one big collection per type: Redwing vs redis-server, same run.

For each type (list, hash, set of strings, set of integers, sorted set) both
servers start empty with the same settings; the script records VmRSS, fills
one key with N elements (default 1,000,000) through ``redis-cli --pipe`` in
batches of 1000 elements per command, records VmRSS again and reports the
growth of each server and the ratio Redwing/Redis.  Elements are
``element:<i>`` strings (integers for the integer set); hash values and zset
scores are ``<i>``.

Usage: perf/memory_types.py [--elements N] [--types list,hash,set,intset,zset]
The report is printed and saved under perf/results/memory-types-*.txt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import DEFAULT_REDIS, DEFAULT_REDWING, RESULTS_DIR, Server  # noqa: E402

BATCH = 1000


def commands(kind: str, n: int):
    """The fill commands for one type, as argument lists."""
    for start in range(0, n, BATCH):
        ids = range(start, min(n, start + BATCH))
        if kind == "list":
            yield ["RPUSH", "big"] + [f"element:{i}" for i in ids]
        elif kind == "hash":
            args = []
            for i in ids:
                args += [f"element:{i}", str(i)]
            yield ["HSET", "big"] + args
        elif kind == "set":
            yield ["SADD", "big"] + [f"element:{i}" for i in ids]
        elif kind == "intset":
            yield ["SADD", "big"] + [str(i * 7) for i in ids]
        elif kind == "zset":
            args = []
            for i in ids:
                args += [str(i), f"element:{i}"]
            yield ["ZADD", "big"] + args
        else:
            raise ValueError(kind)


def resp(args) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def fill(server: Server, kind: str, n: int) -> None:
    payload = b"".join(resp(c) for c in commands(kind, n))
    subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"], input=payload,
                   stdout=subprocess.DEVNULL, check=True)


def measure(binary: Path, label: str, kind: str, n: int) -> tuple[int, int, str]:
    server = Server(label, binary, None).start()
    try:
        time.sleep(0.3)
        before = server.rss_kib()
        fill(server, kind, n)
        time.sleep(0.5)
        after = server.rss_kib()
        encoding = server.command("OBJECT", "ENCODING", "big").strip()
        count = server.command({"list": "LLEN", "hash": "HLEN", "set": "SCARD", "intset": "SCARD",
                                "zset": "ZCARD"}[kind], "big").strip()
        if int(count) != n:
            raise SystemExit(f"{label}: {kind} holds {count} elements, expected {n}")
        return before, after, encoding
    finally:
        server.stop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--elements", type=int, default=1_000_000)
    p.add_argument("--types", default="list,hash,set,intset,zset")
    p.add_argument("--redwing", type=Path, default=DEFAULT_REDWING)
    p.add_argument("--redis", type=Path, default=DEFAULT_REDIS)
    args = p.parse_args(argv)
    lines = [f"# RSS growth for one collection of {args.elements} elements "
             f"({datetime.now():%Y-%m-%d %H:%M})", "",
             "| type | encoding (rw / redis) | Redwing MiB | Redis MiB | ratio |",
             "| --- | --- | --- | --- | --- |"]
    for kind in [t.strip() for t in args.types.split(",") if t.strip()]:
        rb, ra, renc = measure(args.redwing, "redwing", kind, args.elements)
        sb, sa, senc = measure(args.redis, "redis", kind, args.elements)
        rw, rd = (ra - rb) / 1024, (sa - sb) / 1024
        lines.append(f"| {kind} | {renc} / {senc} | {rw:.1f} | {rd:.1f} | {rw / rd:.2f} |")
        print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"memory-types-{datetime.now():%Y%m%d-%H%M%S}.txt"
    path.write_text(report)
    print(report)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
