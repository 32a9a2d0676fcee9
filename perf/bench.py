#!/usr/bin/env python3
"""Throughput / latency / CPU / memory comparison: Redwing vs redis-server.

Both servers run with the same settings (loopback only, no persistence,
distinct ports, private temp dirs).  redis-benchmark drives one test at a
time, alternating which server goes first in each round so that drift on the
machine (thermal, other load) hits both equally.  Around every run the
server's utime+stime is read from /proc/PID/stat, giving CPU per request.

The report holds the median over rounds of: requests/s, p50 and p99 latency
(redis-benchmark 7 --csv), and server CPU microseconds per request, each
with the ratio Redwing/Redis.  It is printed and saved under perf/results/.

Memory mode (--memory) fills each server with
``redis-benchmark -t set -r 1000000 -n 2000000`` and compares VmRSS.

Normally started by perf/bench.sh, which also builds the release binary.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import signal
import socket
import statistics
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "perf" / "results"
DEFAULT_REDWING = Path(os.environ.get("REDWING_BIN", REPO / ".build/release/redwing-server"))
DEFAULT_REDIS = Path("/usr/bin/redis-server")
ALL_TESTS = ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET"]
# The data-model tests (--tests ...). For LRANGE_* redis-benchmark first fills the list with as
# many LPUSHes, so their CPU per request covers the fill as well (the same for both servers).
DATA_TESTS = ["LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
              "LRANGE_100", "LRANGE_300", "LRANGE_500", "LRANGE_600"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One server process started with benchmark-neutral settings."""

    def __init__(self, label: str, binary: Path, cpu: str | None, extra_args=()):
        self.label = label
        self.binary = binary
        self.cpu = cpu
        # After the defaults, so that e.g. "--appendonly yes" overrides them.
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        argv = [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.dir), "--save", "", "--appendonly", "no"] + self.extra_args
        if self.cpu is not None:
            argv = ["taskset", "-c", self.cpu] + argv
        log = open(self.dir / "server.log", "wb")
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.label} exited during start-up:\n"
                                 + (self.dir / "server.log").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"{self.label} did not answer PING within 10s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """utime + stime of the whole process (all threads)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        # fields[0] is state (field 3); utime/stime are fields 14/15.
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_kib(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("VmRSS missing")

    def command(self, *args: str) -> str:
        out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
                             capture_output=True, text=True, timeout=60)
        return out.stdout.strip()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------- benchmark

@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    # redis-benchmark's own CPU per request: with one client process on 2 cores the client
    # usually sets the pace, and how a server batches its replies changes the client's cost.
    client_cpu_us_per_request: float = float("nan")


@dataclass
class Results:
    samples: dict = field(default_factory=dict)   # (test, pipeline, label) -> [Sample]

    def add(self, test: str, pipeline: int, label: str, sample: Sample) -> None:
        self.samples.setdefault((test, pipeline, label), []).append(sample)

    def median(self, test: str, pipeline: int, label: str, attribute: str) -> float:
        values = [getattr(s, attribute) for s in self.samples.get((test, pipeline, label), [])]
        return statistics.median(values) if values else float("nan")


def run_benchmark(server: Server, test: str, requests: int, clients: int, pipeline: int,
                  cpu: str | None) -> Sample:
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-c", str(clients),
            "-n", str(requests), "-P", str(pipeline), "-t", test.lower(), "--csv"]
    if cpu is not None:
        argv = ["taskset", "-c", cpu] + argv
    before = server.cpu_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = server.cpu_seconds()
    client_cpu = (children_after.ru_utime + children_after.ru_stime
                  - children_before.ru_utime - children_before.ru_stime)
    rows = [row for row in csv.DictReader(io.StringIO(done.stdout))]
    if done.returncode != 0 or not rows:
        raise SystemExit(f"redis-benchmark failed against {server.label} ({test}):\n"
                         f"{done.stdout}\n{done.stderr}")
    # LRANGE runs report the LPUSH fill first: take the row of the test itself.
    row = next((r for r in rows if r["test"].upper().startswith(test.split("_")[0])), rows[0])
    return Sample(rps=float(row["rps"]), p50_ms=float(row["p50_latency_ms"]),
                  p99_ms=float(row["p99_latency_ms"]),
                  cpu_us_per_request=(after - before) * 1e6 / requests,
                  client_cpu_us_per_request=client_cpu * 1e6 / requests)


def throughput_mode(args, redwing: Server, redis: Server) -> str:
    results = Results()
    pipelines = [int(p) for p in args.pipelines.split(",")]
    for round_index in range(args.rounds):
        order = [redwing, redis] if round_index % 2 == 0 else [redis, redwing]
        for pipeline in pipelines:
            for test in args.tests:
                # Pipelined runs are ~15x faster: send 8x the requests so each run lasts long
                # enough for the 10 ms resolution of the CPU counters.
                requests = args.requests * (8 if pipeline > 1 else 1)
                for server in order:
                    sample = run_benchmark(server, test, requests, args.clients, pipeline,
                                           args.bench_cpu)
                    results.add(test, pipeline, server.label, sample)
                    print(f"round {round_index + 1}/{args.rounds} P={pipeline:<3} {test:<12} "
                          f"{server.label:<8} {sample.rps:>12,.0f} req/s  "
                          f"p50 {sample.p50_ms:.3f} ms  p99 {sample.p99_ms:.3f} ms  "
                          f"cpu {sample.cpu_us_per_request:.2f} us/req  "
                          f"client cpu {sample.client_cpu_us_per_request:.2f} us/req", flush=True)
    return format_table(results, args, pipelines)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def format_table(results: Results, args, pipelines) -> str:
    header = (f"{'test':<12} {'pipe':>4} | {'req/s redwing':>13} {'redis':>11} {'ratio':>5} | "
              f"{'p50 ms rw':>9} {'redis':>6} {'ratio':>5} | {'p99 ms rw':>9} {'redis':>6} "
              f"{'ratio':>5} | {'cpu us/req rw':>13} {'redis':>6} {'ratio':>5} | "
              f"{'client cpu rw':>13} {'redis':>6} {'ratio':>5}")
    lines = [header, "-" * len(header)]
    for pipeline in pipelines:
        for test in args.tests:
            m = lambda label, attr: results.median(test, pipeline, label, attr)  # noqa: E731
            rps = (m("redwing", "rps"), m("redis", "rps"))
            p50 = (m("redwing", "p50_ms"), m("redis", "p50_ms"))
            p99 = (m("redwing", "p99_ms"), m("redis", "p99_ms"))
            cpu = (m("redwing", "cpu_us_per_request"), m("redis", "cpu_us_per_request"))
            ccpu = (m("redwing", "client_cpu_us_per_request"), m("redis", "client_cpu_us_per_request"))
            lines.append(
                f"{test:<12} {pipeline:>4} | {rps[0]:>13,.0f} {rps[1]:>11,.0f} {ratio(*rps):>5} | "
                f"{p50[0]:>9.3f} {p50[1]:>6.3f} {ratio(*p50):>5} | "
                f"{p99[0]:>9.3f} {p99[1]:>6.3f} {ratio(*p99):>5} | "
                f"{cpu[0]:>13.2f} {cpu[1]:>6.2f} {ratio(*cpu):>5} | "
                f"{ccpu[0]:>13.2f} {ccpu[1]:>6.2f} {ratio(*ccpu):>5}")
    lines.append("")
    lines.append(f"medians of {args.rounds} round(s); -n {args.requests} -c {args.clients}; "
                 f"ratio = Redwing / Redis (req/s: higher is better; latency, CPU: lower is "
                 f"better); CPU = server utime+stime per request, read from /proc/PID/stat "
                 f"with {1000 // CLOCK_TICKS} ms resolution per run (use a larger -n for "
                 f"finer CPU figures); client cpu = redis-benchmark's utime+stime per request")
    return "\n".join(lines)


def memory_mode(args) -> str:
    rows = []
    for label, binary in (("redwing", args.redwing), ("redis", args.redis)):
        server = Server(label, binary, args.server_cpu).start()
        try:
            idle = server.rss_kib()
            argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-t", "set",
                    "-r", str(args.memory_keyspace), "-n", str(args.memory_requests),
                    "-P", str(args.memory_pipeline), "-q"]
            subprocess.run(argv, capture_output=True, timeout=1800, check=True)
            time.sleep(1)
            rows.append((label, idle, server.rss_kib(), server.command("DBSIZE")))
        finally:
            server.stop()
    (rw, rd) = rows
    lines = [f"{'server':<8} {'keys':>9} {'idle RSS MiB':>12} {'loaded RSS MiB':>14}",
             "-" * 47]
    for label, idle, loaded, keys in rows:
        lines.append(f"{label:<8} {keys:>9} {idle / 1024:>12.1f} {loaded / 1024:>14.1f}")
    lines.append("")
    lines.append(f"RSS ratio Redwing/Redis after load: {ratio(rw[2], rd[2])}   "
                 f"(redis-benchmark -t set -r {args.memory_keyspace} -n {args.memory_requests}"
                 f" -P {args.memory_pipeline})")
    return "\n".join(lines)


# ------------------------------------------------------------------ main

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=100000,
                        help="requests per redis-benchmark run (default 100000)")
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--tests", default=",".join(ALL_TESTS),
                        help=f"comma list from {','.join(ALL_TESTS)}")
    parser.add_argument("--pipelines", default="1,16", help="pipeline depths (default 1,16)")
    parser.add_argument("--memory", action="store_true", help="run the memory test instead")
    parser.add_argument("--memory-requests", type=int, default=2000000)
    parser.add_argument("--memory-keyspace", type=int, default=1000000)
    parser.add_argument("--memory-pipeline", type=int, default=16,
                        help="pipelining only speeds up the fill; the data set is the same")
    add_server_options(parser)
    args = parser.parse_args(argv)
    args.tests = [t.strip().upper() for t in args.tests.split(",") if t.strip()]
    unknown = set(args.tests) - set(ALL_TESTS) - set(DATA_TESTS)
    if unknown:
        parser.error(f"unknown tests: {', '.join(sorted(unknown))}")
    return check_server_options(parser, args)


def add_server_options(parser) -> None:
    """--pin, --redwing, --redis, --label: shared with the other perf scripts."""
    parser.add_argument("--pin", action="store_true",
                        help="pin server to CPU 0 and redis-benchmark to CPU 1 (taskset)")
    parser.add_argument("--redwing", type=Path, default=DEFAULT_REDWING)
    parser.add_argument("--redis", type=Path, default=DEFAULT_REDIS)
    parser.add_argument("--label", default="", help="suffix for the results file name")


def check_server_options(parser, args):
    """The CPUs --pin means (server_cpu, bench_cpu); both binaries must exist."""
    args.server_cpu = "0" if args.pin else None
    args.bench_cpu = "1" if args.pin else None
    for binary in (args.redwing, args.redis):
        if not binary.exists():
            parser.error(f"binary not found: {binary}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    header = [f"# Redwing benchmark {stamp}",
              f"# redwing: {args.redwing}", f"# redis:   {args.redis}",
              f"# host: {os.uname().nodename} cpus={os.cpu_count()} pin={args.pin}", ""]
    if args.memory:
        report = memory_mode(args)
        kind = "memory"
    else:
        redwing = Server("redwing", args.redwing, args.server_cpu)
        redis = Server("redis", args.redis, args.server_cpu)
        try:
            redwing.start()
            redis.start()
            report = throughput_mode(args, redwing, redis)
        finally:
            redwing.stop()
            redis.stop()
        kind = "throughput"
    save_report("\n".join(header) + report + "\n", kind, stamp, args.label)
    return 0


def save_report(text: str, kind: str, stamp: str, label: str) -> Path:
    """Prints a report and saves it as perf/results/<kind>-<stamp>[-<label>].txt."""
    print("\n" + text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = f"-{label}" if label else ""
    path = RESULTS_DIR / f"{kind}-{stamp}{suffix}.txt"
    path.write_text(text)
    print(f"saved {path.relative_to(REPO)}")
    return path


if __name__ == "__main__":
    sys.exit(main())
