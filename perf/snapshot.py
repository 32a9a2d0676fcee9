#!/usr/bin/env python3
"""BGSAVE under a write load, and RDB loading: Redwing vs redis-server.

Redwing saves without fork (the main thread captures buckets in slices behind
a write barrier, a writer thread encodes); Redis forks and relies on
copy-on-write. This measures what each costs, both servers in the same run,
with the same settings (loopback, private temp dirs, ``--save ''``):

1. Fill: the same pipelined commands go to both servers until Redis's
   used_memory reaches ``--gb``: string keys ``key:%012d`` (the names
   ``redis-benchmark -r`` writes) with ``--value-size`` values, a TTL on one
   in 50, and per 1000 strings a few collections of every encoding (small and
   large hashes, a list, small and large sorted sets, a set and an intset).
2. Quiet save and load, on identical datasets: BGSAVE with no load (time,
   dump.rdb size, and a GET probe's latency before and during it: the save's
   own cost to the main thread), then each server is restarted on that file
   --load-runs times, timed from process start to the first +PONG (not
   -LOADING), beside the server's own "DB loaded from disk" figure. The
   reloaded dataset is checked: key count, a sample of collections compared
   with what was sent, some strings and a TTL.
3. Idle baseline (per round, servers alternating): ``redis-benchmark -t set
   -r <string keys> -d <write size> -c 50 -n <N> --csv`` (a write load over
   existing keys) with a latency probe running alongside: a separate process
   that SETs existing keys on its own connection every ``--probe-interval``
   and records every request's latency.
4. Save under load: the same write load with a large -n, BGSAVE after
   ``--warmup`` seconds, and until INFO says rdb_bgsave_in_progress:0, every
   ~20 ms: VmRSS of the server and of its children (Redis's forked child), and
   every few samples Pss/Private_Dirty from smaps_rollup. Then the benchmark
   is stopped. Reported: save time, peak extra memory over the pre-save
   figure (RSS sum, PSS sum: the honest one for a fork, since shared pages
   count once; the child's Private_Dirty: its copy-on-write copies), the
   probe's latency during the save against idle, and the server's commands/s
   during the save against the second before it.
5. Cross-load: each server's last dump (written under load) loaded by the
   other server, and checked (Redis refuses duplicate keys).

The write load replaces values with values of the same size (``--write-size``
defaults to ``--value-size``) so the dataset keeps its size across rounds;
``--write-size 100`` gives the issue's ``-d 100``, which shrinks it.
Everything started here is stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import free_port, ratio, save_report  # noqa: E402
from latency_probe import Probe, latency_stats, read_line  # noqa: E402
from snapshot_dataset import MIB, STRINGS_PER_UNIT, Dataset, check_reloaded, fill  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REDWING = Path(os.environ.get("REDWING_BIN", REPO / ".build/release/redwing-server"))
DEFAULT_REDIS = Path("/usr/bin/redis-server")


# MARK: - Processes

class Server:
    """One server in its own temp dir and process group (so a fork goes down with it)."""

    started: list["Server"] = []   # every one made, for the final clean-up

    def __init__(self, label: str, binary: Path):
        self.label = label
        self.binary = binary
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=f"snapshot-{label}-"))
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        Server.started.append(self)

    def start(self) -> float:
        """Starts the server; returns seconds from process start to the first +PONG."""
        argv = [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.dir), "--save", "", "--appendonly", "no"]
        self.starts += 1
        self.log_path = self.dir / f"server-{self.starts}.log"
        with open(self.log_path, "wb") as log:
            began = time.monotonic()
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        elapsed = wait_for_pong(self, began, timeout=600)
        self.client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=120,
                                  decode_responses=False)
        return elapsed

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> None:
        if self.proc is None or exited(self.proc):
            raise SystemExit(f"{self.label} is gone; log tail:\n" + self.log_tail())

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def info(self, section: str) -> dict:
        return self.client.info(section)

    def stop(self) -> None:
        """SIGTERM (nothing is saved: no save points), then SIGKILL to the whole group: what
        is left of it (a forked child) or all of it if the server did not exit in 30 s."""
        if self.proc is None or self.proc.returncode is not None:
            return
        if not exited(self.proc):
            os.kill(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while not exited(self.proc) and time.monotonic() < deadline:
                time.sleep(0.02)
        kill_group(self.proc)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def exited(proc: subprocess.Popen) -> bool:
    """Whether the process has ended, without reaping it (unlike Popen.poll): until
    `kill_group` reaps it, its pid, which is also its group id, cannot be given to another
    process, so the killpg there reaches only processes this script started."""
    if proc.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL to the process group of `proc` (started with start_new_session), then reaps."""
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def wait_for_pong(server: Server, began: float, timeout: float) -> float:
    """Polls PING on one connection (reconnecting until the port listens) until +PONG;
    -LOADING and refused connections are retried. Returns seconds since `began`."""
    deadline = began + timeout
    sock = None
    while time.monotonic() < deadline:
        if exited(server.proc):
            raise SystemExit(f"{server.label} exited during start-up:\n{server.log_tail()}")
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(b"PING\r\n")
            reply = read_line(sock)
            if reply.startswith(b"+PONG"):
                sock.close()
                return time.monotonic() - began
            if not reply.startswith(b"-LOADING"):
                raise SystemExit(f"{server.label} answered PING with {reply!r}")
        except OSError:
            if sock is not None:
                sock.close()
            sock = None
        time.sleep(0.005)
    raise SystemExit(f"{server.label} did not answer +PONG within {timeout:.0f}s")


def loaded_seconds_from_log(server: Server) -> float | None:
    """The server's own "DB loaded from disk: X seconds" (Redis and Redwing both log it)."""
    found = re.findall(rb"DB loaded from disk: ([0-9.]+) seconds", server.log_path.read_bytes())
    return float(found[-1]) if found else None


# MARK: - Memory

def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def smaps_kib(pid: int) -> dict:
    """Rss, Pss and Private_Dirty (KiB) from smaps_rollup; zeros once the process is gone."""
    out = {"Rss": 0, "Pss": 0, "Private_Dirty": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                name, _, rest = line.partition(":")
                if name in out:
                    out[name] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def children(pid: int) -> list[int]:
    pids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return pids


# MARK: - Write load

def benchmark_argv(server: Server, args, requests: int, csv_out: bool) -> list[str]:
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-t", "set",
            "-r", str(args.keyspace), "-d", str(args.write_size), "-c", str(args.clients),
            "-n", str(requests)]
    return argv + (["--csv"] if csv_out else ["-q"])


def start_probe(server: Server, args, write: bool = True) -> Probe:
    return Probe(server.port, args.keyspace, args.write_size, write, args.probe_interval,
                 args.seed)


def commands_processed(server: Server) -> int:
    return server.info("stats")["total_commands_processed"]


# MARK: - Phases

@dataclass
class Round:
    bench_rps: float = 0.0
    bench_p50: float = 0.0
    bench_p99: float = 0.0
    idle_probe: dict = field(default_factory=dict)
    save_seconds: float = 0.0
    save_probe: dict = field(default_factory=dict)
    ops_before: float = 0.0
    ops_during: float = 0.0
    pre_rss: int = 0            # KiB, the server (and no child yet)
    extra_rss: int = 0          # peak of (server + children RSS) - pre_rss
    extra_pss: int = 0          # peak of (server + children PSS) - pre PSS
    child_dirty: int = 0        # peak Private_Dirty of the children
    after_rss: int = 0          # server RSS when the save ended - pre_rss
    samples: int = 0
    status: str = ""


def idle_baseline(server: Server, args, r: Round) -> None:
    probe = start_probe(server, args)
    try:
        done = subprocess.run(benchmark_argv(server, args, args.idle_requests, True),
                              capture_output=True, text=True, timeout=900)
    finally:
        starts, lats = probe.finish()
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    if done.returncode != 0 or not rows:
        server.alive()
        raise SystemExit(f"redis-benchmark failed against {server.label}:\n"
                         f"{done.stdout}\n{done.stderr}")
    r.bench_rps = float(rows[0]["rps"])
    r.bench_p50 = float(rows[0]["p50_latency_ms"])
    r.bench_p99 = float(rows[0]["p99_latency_ms"])
    r.idle_probe = latency_stats(starts, lats)


def save_under_load(server: Server, args, r: Round) -> None:
    probe = start_probe(server, args)
    bench = subprocess.Popen(benchmark_argv(server, args, 1_000_000_000, False),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        time.sleep(0.2)
        ops0, t0 = commands_processed(server), time.monotonic()
        time.sleep(args.warmup)
        ops1, t1 = commands_processed(server), time.monotonic()
        r.ops_before = (ops1 - ops0) / (t1 - t0)
        r.pre_rss = rss_kib(server.pid)
        pre_pss = smaps_kib(server.pid)["Pss"]
        began_ns = time.monotonic_ns()
        reply = server.client.bgsave()
        if reply not in (True, b"Background saving started"):
            raise SystemExit(f"{server.label}: BGSAVE answered {reply!r}")
        tick = 0
        while True:
            tick += 1
            pids = [server.pid] + children(server.pid)
            r.extra_rss = max(r.extra_rss, sum(rss_kib(p) for p in pids) - r.pre_rss)
            if tick % args.smaps_every == 1:
                maps = [smaps_kib(p) for p in pids]
                r.extra_pss = max(r.extra_pss, sum(m["Pss"] for m in maps) - pre_pss)
                r.child_dirty = max(r.child_dirty, sum(m["Private_Dirty"] for m in maps[1:]))
            r.samples += 1
            persistence = server.info("persistence")
            if not persistence["rdb_bgsave_in_progress"]:
                break
            server.alive()
            if time.monotonic_ns() - began_ns > args.save_timeout * 1e9:
                raise SystemExit(f"{server.label}: BGSAVE still running after "
                                 f"{args.save_timeout}s")
            time.sleep(args.sample_ms / 1000)
        ended_ns = time.monotonic_ns()
        ops2 = commands_processed(server)
        r.save_seconds = (ended_ns - began_ns) / 1e9
        r.ops_during = (ops2 - ops1) / max(r.save_seconds, 1e-9)
        r.after_rss = rss_kib(server.pid) - r.pre_rss
        r.status = persistence["rdb_last_bgsave_status"]
        if isinstance(r.status, bytes):
            r.status = r.status.decode()
    finally:
        kill_group(bench)
        starts, lats = probe.finish()
    r.save_probe = latency_stats(starts, lats, began_ns, ended_ns)


def wait_save(server: Server, timeout: float) -> float:
    """BGSAVE with no load; returns seconds until it is done."""
    began = time.monotonic()
    server.client.bgsave()
    while server.info("persistence")["rdb_bgsave_in_progress"]:
        server.alive()
        if time.monotonic() - began > timeout:
            raise SystemExit(f"{server.label}: quiet BGSAVE still running after {timeout}s")
        time.sleep(0.02)
    elapsed = time.monotonic() - began
    status = server.info("persistence")["rdb_last_bgsave_status"]
    if status not in ("ok", b"ok"):
        raise SystemExit(f"{server.label}: BGSAVE failed ({status}):\n{server.log_tail()}")
    return elapsed


def quiet_save(server: Server, args, empty_rss: int) -> dict:
    """BGSAVE with no write load: its time, the file, and the latency of a GET probe
    before and during it (how much the save takes from the main thread, without the CPU a
    write load takes as well)."""
    s = server
    q = {"keys": s.client.dbsize(), "used": s.info("memory")["used_memory"], "rss": rss_kib(s.pid)}
    q["dataset"] = q["rss"] - empty_rss
    probe = start_probe(s, args, write=False)
    try:
        time.sleep(args.warmup)
        began = time.monotonic_ns()
        q["save"] = wait_save(s, args.save_timeout)
        ended = time.monotonic_ns()
    finally:
        starts, lats = probe.finish()
    q["get_idle"] = latency_stats(starts, lats, 0, began)
    q["get_save"] = latency_stats(starts, lats, began, ended)
    q["file"] = (s.dir / "dump.rdb").stat().st_size
    print(f"{s.label}: {q['keys']:,} keys, RSS {q['rss'] / 1024:,.0f} MiB, quiet BGSAVE "
          f"{q['save']:.3f} s, dump.rdb {q['file'] / MIB:,.1f} MiB, GET probe p99 "
          f"{q['get_idle']['p99']:.3f} ms before, {q['get_save']['p99']:.3f} ms during",
          flush=True)
    return q


def load_times(servers: dict, args, data: Dataset, units: int, quiet: dict) -> None:
    """Restarts each server on its own quiet dump.rdb --load-runs times, alternating which
    goes first, then checks the reloaded dataset against what was sent."""
    for i in range(args.load_runs):
        for label in ("redwing", "redis") if i % 2 == 0 else ("redis", "redwing"):
            s, q = servers[label], quiet[label]
            s.stop()
            q.setdefault("loads", []).append(s.start())
            q.setdefault("log_loads", []).append(loaded_seconds_from_log(s) or float("nan"))
            print(f"{label}: load {q['loads'][-1]:.3f} s to +PONG (log {q['log_loads'][-1]:.3f})",
                  flush=True)
    for label, s in servers.items():
        q = quiet[label]
        q["load"], q["log_load"] = median(q["loads"]), median(q["log_loads"])
        q["rss_loaded"] = rss_kib(s.pid)
        q["check"] = check_reloaded(s, data, units, q["keys"], pristine=True)


def cross_load(servers: dict, args, data: Dataset, units: int, keys: int) -> list[str]:
    """Each server's last dump.rdb (written under the write load) loaded by the other
    server: Redis's loader refuses duplicate keys and checks the format, so this checks
    that the point-in-time capture lost or repeated nothing."""
    for s in servers.values():
        s.stop()
    lines = []
    for writer, loader in (("redwing", "redis"), ("redis", "redwing")):
        dst = Server(f"{loader}-loads-{writer}", servers[loader].binary)
        try:
            os.link(servers[writer].dir / "dump.rdb", dst.dir / "dump.rdb")
        except OSError:
            shutil.copy(servers[writer].dir / "dump.rdb", dst.dir / "dump.rdb")
        seconds = dst.start()
        check = check_reloaded(dst, data, units, keys, pristine=False)
        lines.append(f"  {loader} loads {writer}'s dump.rdb written under load: {seconds:.3f} s "
                     f"to +PONG (log {loaded_seconds_from_log(dst)}), check: {check}")
        print(lines[-1], flush=True)
        dst.stop()
    return lines


# MARK: - Report

def median(values) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def report(args, quiet: dict, rounds: dict, cross: list[str], units: int,
           fill_seconds: float) -> str:
    rw, rd = "redwing", "redis"
    rows: list[tuple[str, float, float, str]] = []   # (figure, redwing, redis, format)

    def add(name, key, fmt=",.2f"):
        rows.append((name, key(rw), key(rd), fmt))

    def m(label, attr, sub=None, pick=median):
        return pick([getattr(r, attr)[sub] if sub else getattr(r, attr) for r in rounds[label]])

    def peak(label, attr):
        return m(label, attr, pick=max)

    add("keys (DBSIZE)", lambda s: quiet[s]["keys"], ",.0f")
    add("used_memory after fill, MiB", lambda s: quiet[s]["used"] / MIB, ",.1f")
    add("RSS after fill, MiB", lambda s: quiet[s]["rss"] / 1024, ",.1f")
    add("dataset RSS (filled - empty), MiB", lambda s: quiet[s]["dataset"] / 1024, ",.1f")
    add("quiet BGSAVE, s", lambda s: quiet[s]["save"], ",.3f")
    add("quiet: GET probe p99 before, ms", lambda s: quiet[s]["get_idle"]["p99"], ",.3f")
    add("quiet: GET probe p99 during save, ms", lambda s: quiet[s]["get_save"]["p99"], ",.3f")
    add("quiet: GET probe p99.9 during save, ms", lambda s: quiet[s]["get_save"]["p999"], ",.2f")
    add("quiet: GET probe max during save, ms", lambda s: quiet[s]["get_save"]["max"], ",.2f")
    add("dump.rdb, MiB", lambda s: quiet[s]["file"] / MIB, ",.1f")
    add("load: start to +PONG, s", lambda s: quiet[s]["load"], ",.3f")
    add("load: server log, s", lambda s: quiet[s]["log_load"], ",.3f")
    add("RSS after load, MiB", lambda s: quiet[s]["rss_loaded"] / 1024, ",.1f")
    add("idle: benchmark req/s", lambda s: m(s, "bench_rps"), ",.0f")
    add("idle: benchmark p50, ms", lambda s: m(s, "bench_p50"), ",.3f")
    add("idle: benchmark p99, ms", lambda s: m(s, "bench_p99"), ",.3f")
    add("idle: probe p50, ms", lambda s: m(s, "idle_probe", "p50"), ",.3f")
    add("idle: probe p99, ms", lambda s: m(s, "idle_probe", "p99"), ",.3f")
    add("idle: probe max, ms", lambda s: m(s, "idle_probe", "max"), ",.2f")
    add("save under load: time, s", lambda s: m(s, "save_seconds"), ",.3f")
    add("save: server cmds/s, 1 s before", lambda s: m(s, "ops_before"), ",.0f")
    add("save: server cmds/s, during", lambda s: m(s, "ops_during"), ",.0f")
    add("save: probe p50, ms", lambda s: m(s, "save_probe", "p50"), ",.3f")
    add("save: probe p99, ms", lambda s: m(s, "save_probe", "p99"), ",.3f")
    add("save: probe p99.9, ms", lambda s: m(s, "save_probe", "p999"), ",.2f")
    add("save: probe max, ms", lambda s: m(s, "save_probe", "max"), ",.2f")
    add("save: peak extra RSS, sum w/ child, MiB *", lambda s: peak(s, "extra_rss") / 1024, ",.1f")
    add("save: peak extra PSS, sum w/ child, MiB *", lambda s: peak(s, "extra_pss") / 1024, ",.1f")
    add("save: child Private_Dirty peak, MiB *", lambda s: peak(s, "child_dirty") / 1024, ",.1f")
    add("save: RSS growth kept after, MiB *", lambda s: peak(s, "after_rss") / 1024, ",.1f")

    width = max(len(r[0]) for r in rows)
    header = f"{'figure':<{width}} | {'redwing':>11} {'redis':>11} {'ratio':>6}"
    lines = [header, "-" * len(header)]
    for name, a, b, fmt in rows:
        meaningful = a == a and b == b and a >= 0 and b > 0
        lines.append(f"{name:<{width}} | {format(a, fmt):>11} {format(b, fmt):>11} "
                     f"{ratio(a, b) if meaningful else 'n/a':>6}")
    lines.append("* the largest over the rounds; the other rows are medians")

    lines += ["", "load runs (s to +PONG): " + "; ".join(
        f"{s} " + ", ".join(f"{t:.3f}" for t in quiet[s]["loads"]) for s in (rw, rd))]
    lines += ["", "per round (save under load):"]
    for label in (rw, rd):
        for i, r in enumerate(rounds[label]):
            lines.append(
                f"  {label:<7} round {i + 1}: save {r.save_seconds:.3f} s ({r.samples} samples, "
                f"{r.status}), extra RSS {r.extra_rss / 1024:.1f} MiB, PSS {r.extra_pss / 1024:.1f}"
                f" MiB, child dirty {r.child_dirty / 1024:.1f} MiB, kept {r.after_rss / 1024:.1f}"
                f" MiB; probe p50/p99/max idle {r.idle_probe['p50']:.3f}/"
                f"{r.idle_probe['p99']:.3f}/{r.idle_probe['max']:.2f} ms (n={r.idle_probe['n']}),"
                f" during {r.save_probe['p50']:.3f}/{r.save_probe['p99']:.3f}/"
                f"{r.save_probe['max']:.2f} ms (n={r.save_probe['n']}); cmds/s "
                f"{r.ops_before:,.0f} -> {r.ops_during:,.0f}")

    # The targets, for Redwing (Redis's figures beside them for scale).
    dataset, dataset_rd = quiet[rw]["dataset"], quiet[rd]["dataset"]
    extra, extra_rd = peak(rw, "extra_rss"), peak(rd, "extra_pss")
    p99_idle, p99_save = m(rw, "idle_probe", "p99"), m(rw, "save_probe", "p99")
    growth_rd = m(rd, "save_probe", "p99") / m(rd, "idle_probe", "p99")
    load_rw, load_rd = quiet[rw]["load"], quiet[rd]["load"]
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    lines += ["", "targets (Redwing):",
              f"  extra memory during the save <= 10% of the dataset: {extra / 1024:.1f} MiB = "
              f"{100 * extra / max(dataset, 1):.1f}% of {dataset / 1024:.1f} MiB  "
              f"{verdict(extra <= 0.10 * dataset)}   (Redis, PSS: "
              f"{100 * extra_rd / max(dataset_rd, 1):.1f}%)",
              f"  probe p99 during the save <= 2x idle p99: {p99_save:.3f} ms vs {p99_idle:.3f}"
              f" ms = {p99_save / p99_idle:.2f}x  {verdict(p99_save <= 2 * p99_idle)}   "
              f"(Redis: {growth_rd:.2f}x)",
              f"  load at least as fast as Redis: {load_rw:.3f} s vs {load_rd:.3f} s  "
              f"{verdict(load_rw <= load_rd)}",
              "", "reload checks:"]
    lines += [f"  {s} reloads its own quiet dump: {quiet[s]['check']}" for s in (rw, rd)]
    lines += cross
    lines += ["",
              f"--gb {args.gb} --value-size {args.value_size} --write-size {args.write_size} "
              f"-c {args.clients} --idle-requests {args.idle_requests} --rounds {args.rounds} "
              f"--load-runs {args.load_runs} "
              f"--probe-interval {args.probe_interval}; {units * STRINGS_PER_UNIT:,} string "
              f"keys + {units * 8:,} collections, filled in {fill_seconds:.0f} s.",
              "ratio = Redwing / Redis. Rounds alternate the server that goes first. Probe: one "
              "connection SETting existing keys every --probe-interval ms, latency per request.",
              f"Extra memory is over the server's RSS (PSS) just before BGSAVE, sampled every "
              f"{args.sample_ms:g} ms (PSS every {args.smaps_every} samples); for Redis the RSS "
              f"sum counts the pages parent and child share twice, the PSS sum once. Redis reaps "
              f"its child from serverCron (hz 10): its save times include up to ~100 ms of that."]
    return "\n".join(lines)


# MARK: - Main

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gb", type=float, default=1.0,
                        help="dataset size: fill until Redis's used_memory reaches this (1.0)")
    parser.add_argument("--value-size", type=int, default=1000,
                        help="string values of the fill, bytes (1000: a 1 KiB allocation)")
    parser.add_argument("--write-size", type=int, default=None,
                        help="values of the write load (redis-benchmark -d); default "
                             "--value-size so the dataset keeps its size")
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("--idle-requests", type=int, default=200000,
                        help="-n of the idle baseline run (200000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of idle baseline + save under load per server (3)")
    parser.add_argument("--load-runs", type=int, default=3,
                        help="restarts on the quiet dump per server; the median counts (3)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of write load before BGSAVE (1.0)")
    parser.add_argument("--probe-interval", type=float, default=0.5,
                        help="ms between the probe's requests (0.5)")
    parser.add_argument("--sample-ms", type=float, default=20)
    parser.add_argument("--smaps-every", type=int, default=5,
                        help="read smaps_rollup every N samples (it walks the page tables: "
                             "~11 ms per GiB)")
    parser.add_argument("--save-timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (logs, dumps)")
    parser.add_argument("--redwing", type=Path, default=DEFAULT_REDWING)
    parser.add_argument("--redis", type=Path, default=DEFAULT_REDIS)
    parser.add_argument("--label", default="", help="suffix for the results file name")
    args = parser.parse_args(argv)
    if args.write_size is None:
        args.write_size = args.value_size
    if args.value_size < 16:
        parser.error("--value-size must be at least 16")
    for binary in (args.redwing, args.redis):
        if not binary.exists():
            parser.error(f"binary not found: {binary}")
    return args


def run(args) -> str:
    servers = {"redwing": Server("redwing", args.redwing), "redis": Server("redis", args.redis)}
    empty = {}
    for label, s in servers.items():
        s.start()
        empty[label] = rss_kib(s.pid)
    data = Dataset(args.value_size, args.seed)
    print(f"filling both servers to ~{args.gb} GiB (Redis used_memory) ...", flush=True)
    units, fill_seconds = fill([servers["redis"], servers["redwing"]], data,
                               int(args.gb * (1 << 30)))
    args.keyspace = units * STRINGS_PER_UNIT

    quiet = {label: quiet_save(s, args, empty[label]) for label, s in servers.items()}
    load_times(servers, args, data, units, quiet)

    rounds = {label: [] for label in servers}
    for i in range(args.rounds):
        for label in ("redwing", "redis") if i % 2 == 0 else ("redis", "redwing"):
            r = Round()
            idle_baseline(servers[label], args, r)
            save_under_load(servers[label], args, r)
            rounds[label].append(r)
            print(f"round {i + 1}/{args.rounds} {label:<7} idle {r.bench_rps:,.0f} req/s "
                  f"p99 {r.bench_p99:.3f} ms, probe p99 {r.idle_probe['p99']:.3f} ms | save "
                  f"{r.save_seconds:.3f} s ({r.status}), extra RSS {r.extra_rss / 1024:.1f} MiB, "
                  f"PSS {r.extra_pss / 1024:.1f} MiB, probe p99 {r.save_probe['p99']:.3f} ms "
                  f"max {r.save_probe['max']:.2f} ms", flush=True)

    cross = cross_load(servers, args, data, units, quiet["redis"]["keys"])
    return report(args, quiet, rounds, cross, units, fill_seconds)


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_signal)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        table = run(args)
    finally:
        for s in Server.started:
            s.stop()
            if not args.keep:
                s.remove()
        if args.keep:
            print("kept: " + ", ".join(str(s.dir) for s in Server.started))

    try:
        thp = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text().strip()
    except OSError:
        thp = "?"
    header = [f"# Redwing snapshot benchmark {stamp}", f"# redwing: {args.redwing}",
              f"# redis:   {args.redis}",
              f"# host: {os.uname().nodename} cpus={os.cpu_count()} THP: {thp}; load average "
              f"at the end: {os.getloadavg()[0]:.2f}", ""]
    save_report("\n".join(header) + table + "\n", "snapshot", stamp, args.label)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: servers and benchmarks stopped", file=sys.stderr)
        sys.exit(130)
