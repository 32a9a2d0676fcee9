"""Shared by the AOF tests: servers with appendonly yes in directories that outlive a
restart, SHUTDOWN without redis-py's reconnection delays, a strict reader of AOF files,
redis-check-aof, a mixed dataset to write, start-ups expected to fail, generator steps sent
in bulk, and datasets read with their absolute expiry times."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dataset import dump_dataset, fill_every_type
from raw_resp import RawConnection, encode_command
from server_process import REFERENCE_BINARY, ServerProcess, ServerStartError, binary_under_test

CHECK_AOF = shutil.which("redis-check-aof")
IS_REDIS = binary_under_test().name == "redis-server"
AOF = ["--appendonly", "yes"]
DIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"
INCR = "appendonly.aof.1.incr.aof"

needs_reference = pytest.mark.skipif(not REFERENCE_BINARY.exists(),
                                     reason="needs /usr/bin/redis-server")
needs_check_aof = pytest.mark.skipif(CHECK_AOF is None, reason="needs redis-check-aof")


def redwing_gap(reason: str):
    """Known to fail on Redwing (not implemented yet); must pass on Redis."""
    return pytest.mark.xfail(not IS_REDIS, reason=reason, strict=False)


_dirs = iter(range(10**6))


def new_dir(tmp_path: Path) -> Path:
    d = tmp_path / f"srv{next(_dirs)}"
    d.mkdir()
    return d


def aof_server(start_server, tmp_path, args=(), binary=None, workdir=None):
    """A server with appendonly yes in a directory under tmp_path (it outlives a restart)."""
    return start_server(binary=binary or binary_under_test(), workdir=workdir or new_dir(tmp_path),
                        args=AOF + list(args))


def restart(start_server, proc, args=(), binary=None):
    return aof_server(start_server, None, args, binary or proc.binary, proc.dir)


def shutdown(proc) -> None:
    """SHUTDOWN over a plain socket (redis-py retries the dropped connection for seconds)."""
    with RawConnection(proc.port) as conn:
        conn.send_command("SHUTDOWN")
        assert conn.read_until_closed() == b""
    assert proc.wait_exit(10) == 0


def parse_commands(data: bytes) -> list:
    """The commands of an AOF (RESP arrays of bulk strings), strictly."""
    out, i = [], 0
    while i < len(data):
        assert data[i:i + 1] == b"*", (i, data[i:i + 20])
        end = data.index(b"\r\n", i)
        argc, i = int(data[i + 1:end]), end + 2
        argv = []
        for _ in range(argc):
            assert data[i:i + 1] == b"$", (i, data[i:i + 20])
            end = data.index(b"\r\n", i)
            size, i = int(data[i + 1:end]), end + 2
            argv.append(data[i:i + size])
            assert data[i + size:i + size + 2] == b"\r\n"
            i += size + 2
        out.append(argv)
    return out


def resp(*commands: str) -> bytes:
    return b"".join(encode_command(*c.split()) for c in commands)


def last_incr(directory: Path) -> Path:
    """The incremental file being appended to: the manifest's last one."""
    names = [line.split()[1] for line in (directory / MANIFEST).read_text().splitlines()
             if line.endswith(" type i")]
    return directory / names[-1]


def check_aof(directory: Path) -> str:
    done = subprocess.run([CHECK_AOF, str(directory / MANIFEST)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All AOF files and manifest are valid" in done.stdout, done.stdout
    return done.stdout


def write_mixed(proc, seed: int) -> None:
    """Every type in several databases, then a transaction, moves between databases, deletes,
    overwrites and a flushed database: what a restart must reproduce."""
    c = proc.client()
    fill_every_type(c, seed=seed)
    conn = RawConnection(proc.port)
    for cmd in (["SELECT", 5], ["MULTI"], ["SET", "t", 1], ["RPUSH", "tl", "a", "b"],
                ["INCR", "t"], ["HSET", "th", "f", "v"], ["SELECT", 6], ["SADD", "ts", "m"],
                ["EXEC"], ["SELECT", 7], ["SET", "gone", 1], ["FLUSHDB"], ["SET", "kept", 1],
                ["SELECT", 0], ["DEL", "d0:int:0", "d0:hash:small"], ["SET", "d0:raw", "new"],
                ["MOVE", "d0:embstr", 8], ["RENAME", "d0:list:small", "renamed"],
                ["SWAPDB", 1, 9], ["LPOP", "d0:list:big"], ["ZREM", "d0:zset:small", "a"],
                ["PERSIST", "d0:ttl:str"], ["APPEND", "d0:embstr-missing", "x"]):
        reply = conn.call(*cmd)
        assert not isinstance(reply, Exception), (cmd, reply)
    conn.close()


def log_since(proc, mark: int) -> str:
    return proc.log_text()[mark:]


def refuses_to_start(directory: Path, args=()) -> str:
    """Starts the server under test on `directory` expecting it to exit; returns its log."""
    proc = ServerProcess(workdir=directory, args=AOF + list(args))
    mark = len(proc.log_text())
    try:
        with pytest.raises(ServerStartError):
            proc.start(timeout=10, attempts=1)
        assert proc.wait_exit(5) not in (None, 0)
        return log_since(proc, mark)
    finally:
        proc.stop()


def run_steps(port: int, steps: list) -> None:
    """Sends generator steps (their argv only) pipelined in batches; replies are not kept."""
    conn = RawConnection(port, timeout=30)
    for i in range(0, len(steps), 50):
        batch = steps[i:i + 50]
        conn.send(b"".join(encode_command(*step.argv) for step in batch))
        for _ in batch:
            conn.read_raw_reply()
    conn.close()


def snapshot(client) -> tuple:
    """({(db, key): (type, value, PEXPIRETIME)}, keys expiring within 60 s)."""
    data, soon = {}, set()
    for db, keys in dump_dataset(client).items():
        client.execute_command("SELECT", db)
        for k, (t, v, has_ttl) in keys.items():
            data[(db, k)] = (t, v, client.execute_command("PEXPIRETIME", k) if has_ttl else -1)
            if has_ttl and client.pttl(k) < 60000:
                soon.add((db, k))
    client.execute_command("SELECT", 0)
    return data, soon
