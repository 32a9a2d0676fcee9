#!/usr/bin/env python3
"""SET throughput with the append-only file off, appendfsync everysec and appendfsync always:
Redwing vs redis-server, in one alternating run.

Each round starts, for every mode, a fresh server of each kind (which goes first alternates
between rounds), runs ``redis-benchmark -t set -c 50 -n N`` against it and stops it. The
servers are started by perf/bench.py's ``Server`` (loopback, no RDB saves, a private directory
under $TMPDIR, which must be a real disk for fsync to cost anything) with the mode's
arguments added; automatic AOF rewrites are off so that every run measures appending alone.

The report gives, per mode, the medians over rounds of req/s, p50 and p99 latency, server CPU
µs per request (utime+stime of all threads, /proc/PID/stat) and AOF bytes written per
request, each with the ratio Redwing/Redis; then, per server, the throughput of everysec and
always relative to the same server without the AOF. Saved as perf/results/aof-<stamp>.txt.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (Results, Server, add_server_options, check_server_options,  # noqa: E402
                   ratio, run_benchmark, save_report)

MODES = {
    "off": ["--appendonly", "no"],
    "everysec": ["--appendonly", "yes", "--appendfsync", "everysec"],
    "always": ["--appendonly", "yes", "--appendfsync", "always"],
}
COMMON = ["--auto-aof-rewrite-percentage", "0"]


def aof_bytes(server: Server) -> int:
    directory = server.dir / "appendonlydir"
    return sum(p.stat().st_size for p in directory.iterdir()) if directory.exists() else 0


def check_mode(server: Server, mode: str) -> None:
    """The server really runs in `mode` (a later --appendonly overrides bench.py's default)."""
    enabled = "aof_enabled:1" in server.command("INFO", "persistence")
    fsync = server.command("CONFIG", "GET", "appendfsync").split()[-1]
    if enabled != (mode != "off") or (mode != "off" and fsync != mode):
        raise SystemExit(f"{server.label} is not in mode {mode}: aof_enabled={enabled} "
                         f"appendfsync={fsync}")


def run(args) -> str:
    results = Results()
    written: dict = {}    # (mode, label) -> [AOF bytes per request]
    binaries = {"redwing": args.redwing, "redis": args.redis}
    for round_index in range(args.rounds):
        order = ["redwing", "redis"] if round_index % 2 == 0 else ["redis", "redwing"]
        for mode in args.modes:
            for label in order:
                server = Server(label, binaries[label], args.server_cpu,
                                extra_args=MODES[mode] + COMMON).start()
                try:
                    check_mode(server, mode)
                    sample = run_benchmark(server, "SET", args.requests, args.clients,
                                           args.pipeline, args.bench_cpu)
                    per_request = aof_bytes(server) / args.requests
                finally:
                    server.stop()
                results.add(mode, args.pipeline, label, sample)
                written.setdefault((mode, label), []).append(per_request)
                print(f"round {round_index + 1}/{args.rounds} {mode:<8} {label:<8} "
                      f"{sample.rps:>10,.0f} req/s  p50 {sample.p50_ms:.3f} ms  "
                      f"p99 {sample.p99_ms:.3f} ms  cpu {sample.cpu_us_per_request:.2f} us/req  "
                      f"aof {per_request:.1f} B/req", flush=True)
    return format_report(results, written, args)


def format_report(results: Results, written: dict, args) -> str:
    def m(mode, label, attribute):
        return results.median(mode, args.pipeline, label, attribute)

    def w(mode, label):
        values = sorted(written.get((mode, label), []))
        return values[len(values) // 2] if values else float("nan")

    header = (f"{'SET, aof':<9} | {'req/s redwing':>13} {'redis':>9} {'ratio':>5} | "
              f"{'p50 ms rw':>9} {'redis':>6} {'ratio':>5} | {'p99 ms rw':>9} {'redis':>6} "
              f"{'ratio':>5} | {'cpu us/req rw':>13} {'redis':>6} {'ratio':>5} | "
              f"{'AOF B/req rw':>12} {'redis':>6}")
    lines = [header, "-" * len(header)]
    for mode in args.modes:
        rps = (m(mode, "redwing", "rps"), m(mode, "redis", "rps"))
        p50 = (m(mode, "redwing", "p50_ms"), m(mode, "redis", "p50_ms"))
        p99 = (m(mode, "redwing", "p99_ms"), m(mode, "redis", "p99_ms"))
        cpu = (m(mode, "redwing", "cpu_us_per_request"), m(mode, "redis", "cpu_us_per_request"))
        lines.append(f"{mode:<9} | {rps[0]:>13,.0f} {rps[1]:>9,.0f} {ratio(*rps):>5} | "
                     f"{p50[0]:>9.3f} {p50[1]:>6.3f} {ratio(*p50):>5} | "
                     f"{p99[0]:>9.3f} {p99[1]:>6.3f} {ratio(*p99):>5} | "
                     f"{cpu[0]:>13.2f} {cpu[1]:>6.2f} {ratio(*cpu):>5} | "
                     f"{w(mode, 'redwing'):>12.1f} {w(mode, 'redis'):>6.1f}")
    if "off" in args.modes:
        lines.append("")
        lines.append("throughput relative to the same server without the AOF:")
        for label in ("redwing", "redis"):
            parts = [f"{mode}/off {ratio(m(mode, label, 'rps'), m('off', label, 'rps'))}"
                     for mode in args.modes if mode != "off"]
            lines.append(f"  {label:<8} " + "   ".join(parts))
    lines.append("")
    lines.append(f"medians of {args.rounds} round(s); redis-benchmark -t set -c {args.clients} "
                 f"-n {args.requests} -P {args.pipeline}; a fresh server per run; "
                 f"auto-aof-rewrite-percentage 0; ratio = Redwing / Redis; CPU = server "
                 f"utime+stime (all threads) per request")
    return "\n".join(lines)


def filesystem(path: str) -> str:
    done = subprocess.run(["df", "-T", path], capture_output=True, text=True)
    rows = done.stdout.splitlines()
    return " ".join(rows[-1].split()[:2]) if len(rows) > 1 else "?"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=1000000)
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("-P", "--pipeline", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--modes", default="off,everysec,always",
                        help="comma list from off,everysec,always")
    add_server_options(parser)
    args = parser.parse_args(argv)
    args.modes = [x.strip() for x in args.modes.split(",") if x.strip()]
    if set(args.modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(set(args.modes) - set(MODES)))}")
    return check_server_options(parser, args)


def main(argv=None) -> int:
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    tmp = os.environ.get("TMPDIR", "/tmp")
    header = [f"# Redwing AOF benchmark {stamp}",
              f"# redwing: {args.redwing}", f"# redis:   {args.redis}",
              f"# host: {os.uname().nodename} cpus={os.cpu_count()} pin={args.pin} "
              f"aof dir on: {tmp} ({filesystem(tmp)})", ""]
    report = run(args)
    save_report("\n".join(header) + report + "\n", "aof", stamp, args.label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
