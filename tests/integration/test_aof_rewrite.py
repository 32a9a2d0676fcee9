"""Rewriting the AOF: BGREWRITEAOF (RDB and RESP bases), its scheduling around BGSAVE, the
automatic rewrite, CONFIG SET appendonly at runtime, the upgrade of a legacy single-file AOF,
and a rewrite racing the differential generator's commands (the base must hold the dataset of
the rewrite's start, the new incremental file everything after). Results are restarted and
loaded by redis-server 7.0.15; every test passes against real Redis too."""

from __future__ import annotations

import shutil
import time

import pytest

from aof_support import (CHECK_AOF, DIR, MANIFEST, aof_server, check_aof, new_dir, restart,
                         run_steps, shutdown, snapshot, write_mixed)
from raw_resp import RawConnection, err
from server_process import REFERENCE_BINARY


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


def manifest(proc) -> str:
    path = proc.dir / DIR / MANIFEST
    return path.read_text() if path.exists() else ""


def rewritten(proc, seq: int, ext: str = "rdb") -> str:
    return f"file appendonly.aof.{seq}.base.{ext} seq {seq} type b\n" \
           f"file appendonly.aof.{seq}.incr.aof seq {seq} type i\n"


def wait_rewrite(proc, seq: int, ext: str = "rdb") -> None:
    """Until the manifest names the base and incremental file of `seq` alone, no rewrite
    runs or waits, and the files of earlier ones are gone."""
    c = proc.client()
    want = rewritten(proc, seq, ext)

    def done():
        info = c.info("persistence")
        files = sorted(p.name for p in (proc.dir / DIR).iterdir())
        return manifest(proc) == want and not info["aof_rewrite_in_progress"] and \
            not info["aof_rewrite_scheduled"] and \
            files == sorted([f"appendonly.aof.{seq}.base.{ext}",
                             f"appendonly.aof.{seq}.incr.aof", MANIFEST])
    wait_until(done, f"the rewrite to seq {seq}")


def dataset(client) -> dict:
    """Every key's type, value and absolute expiry time (PEXPIRETIME)."""
    return snapshot(client)[0]


def loads_the_same(start_server, tmp_path, proc, expected) -> None:
    """The (stopped) server's directory restarts it, and redis-server loads it, as `expected`."""
    if CHECK_AOF:
        check_aof(proc.dir / DIR)
    assert dataset(restart(start_server, proc).client()) == expected
    if REFERENCE_BINARY.exists():
        d = new_dir(tmp_path)
        shutil.copytree(proc.dir / DIR, d / DIR)
        ref = aof_server(start_server, tmp_path, binary=REFERENCE_BINARY, workdir=d)
        assert dataset(ref.client()) == expected


@pytest.mark.parametrize("preamble,ext", [("yes", "rdb"), ("no", "aof")])
def test_bgrewriteaof_replaces_base_and_incr(start_server, tmp_path, preamble, ext):
    s = aof_server(start_server, tmp_path, ["--aof-use-rdb-preamble", preamble])
    write_mixed(s, seed=11)
    c = s.client()
    assert c.bgrewriteaof() in (True, b"Background append only file rewriting started")
    wait_rewrite(s, 2, ext)
    base = (s.dir / DIR / f"appendonly.aof.2.base.{ext}").read_bytes()
    assert base.startswith(b"REDIS0010" if ext == "rdb" else b"*2\r\n$6\r\nSELECT\r\n")
    c.set("after", "rewrite")
    c.rpush("renamed", "more")
    expected = dataset(c)
    shutdown(s)
    loads_the_same(start_server, tmp_path, s, expected)


def test_bgrewriteaof_waits_for_bgsave_and_refuses_doubles(start_server, tmp_path):
    s = aof_server(start_server, tmp_path)
    c = s.client()
    conn = RawConnection(s.port)
    for i in range(20):
        c.set(f"k{i}", i)
    c.config_set("rdb-key-save-delay", 100000)     # 100 ms a key: each save lasts ~2 s
    assert conn.call("BGSAVE") == b"Background saving started"
    assert conn.call("BGREWRITEAOF") == b"Background append only file rewriting scheduled"
    assert conn.call("BGREWRITEAOF") == b"Background append only file rewriting scheduled"
    info = c.info("persistence")
    assert info["aof_rewrite_scheduled"] == 1 and info["aof_rewrite_in_progress"] == 0
    c.set("during-save", 1)
    wait_rewrite(s, 2)
    assert conn.call("BGREWRITEAOF") == b"Background append only file rewriting started"
    assert conn.call("BGREWRITEAOF") == \
        err("ERR Background append only file rewriting already in progress")
    assert conn.call("BGSAVE") == err(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE "
        "SCHEDULE in order to schedule a BGSAVE whenever possible.")
    assert conn.call("BGSAVE", "SCHEDULE") == b"Background saving scheduled"
    c.config_set("rdb-key-save-delay", 0)
    c.set("during-rewrite", 1)
    wait_rewrite(s, 3)
    wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0 and
               (s.dir / "dump.rdb").exists(), "the scheduled BGSAVE")
    expected = dataset(c)
    conn.close()
    shutdown(s)
    loads_the_same(start_server, tmp_path, s, expected)


def test_automatic_rewrite_when_the_aof_grows(start_server, tmp_path):
    s = aof_server(start_server, tmp_path, ["--auto-aof-rewrite-min-size", "1mb",
                                            "--auto-aof-rewrite-percentage", "100"])
    c = s.client()
    for i in range(12):
        c.set(f"big{i % 3}", "x" * 100000)
    wait_rewrite(s, 2)
    assert c.info("persistence")["aof_rewrites"] >= 1
    expected = dataset(c)
    shutdown(s)
    loads_the_same(start_server, tmp_path, s, expected)


def test_config_set_appendonly_at_runtime(start_server, tmp_path):
    """Turned on, the AOF starts from a rewrite of the dataset of that moment (seq 1 on a
    directory without one); turned off, writes are not appended; on again, a new rewrite
    (seq 2) takes them in."""
    s = start_server(workdir=new_dir(tmp_path))
    write_mixed(s, seed=12)
    c = s.client()
    assert c.config_set("appendonly", "yes")
    wait_rewrite(s, 1)
    c.set("while-on", 1)
    assert c.config_set("appendonly", "no")
    c.set("while-off", 1)
    assert c.info("persistence")["aof_enabled"] == 0
    assert c.config_set("appendonly", "yes")
    wait_rewrite(s, 2)
    c.set("on-again", 1)
    expected = dataset(c)
    shutdown(s)
    loads_the_same(start_server, tmp_path, s, expected)


@pytest.mark.parametrize("kind", ["resp", "rdb-preamble"])
def test_legacy_single_file_aof_moves_into_the_directory(start_server, tmp_path, kind):
    """Redis 7.0's upgrade: a lone appendonly.aof (RESP, or an RDB followed by RESP) becomes
    the base of the directory, next to a new incremental file."""
    s = aof_server(start_server, tmp_path)
    write_mixed(s, seed=13)
    c = s.client()
    if kind == "rdb-preamble":
        c.bgrewriteaof()
        wait_rewrite(s, 2)
        c.set("after-rewrite", 1)
    expected = dataset(c)
    shutdown(s)
    # The RDB base of a rewrite then its incremental file; or the first incremental file
    # alone, which holds every change since the (empty) base of the first start.
    files = [p for p in sorted((s.dir / DIR).iterdir()) if p.name != MANIFEST]
    if kind == "resp":
        files = [p for p in files if p.name.endswith(".incr.aof")]
    legacy = b"".join(p.read_bytes() for p in files)
    assert legacy.startswith(b"REDIS" if kind == "rdb-preamble" else b"*")
    d = new_dir(tmp_path)
    (d / "appendonly.aof").write_bytes(legacy)
    up = aof_server(start_server, tmp_path, workdir=d)
    assert not (d / "appendonly.aof").exists()
    assert sorted(p.name for p in (d / DIR).iterdir()) == \
        ["appendonly.aof", "appendonly.aof.1.incr.aof", MANIFEST]
    assert (d / DIR / MANIFEST).read_text() == "file appendonly.aof seq 1 type b\n" \
                                               "file appendonly.aof.1.incr.aof seq 1 type i\n"
    cu = up.client()
    assert dataset(cu) == expected
    cu.set("after-upgrade", 1)
    expected = dataset(cu)
    shutdown(up)
    loads_the_same(start_server, tmp_path, up, expected)
    assert "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF " \
           "directory (appendonlydir)." in up.log_text()


@pytest.mark.parametrize("seed", [1, 2])
def test_rewrite_racing_generated_commands(start_server, tmp_path, seed):
    """A slow rewrite (rdb-key-save-delay) while the generator's commands (every type,
    transactions, MOVE, SWAPDB, FLUSHDB, pops, expiries) keep changing the dataset: restarted,
    and loaded by redis-server, the directory holds what the server held at the end."""
    from command_generator import CommandGenerator

    gen = CommandGenerator(seed)
    steps = [st for st in gen.steps(4000) if str(st.argv[0]).upper() != "CONFIG"]
    s = aof_server(start_server, tmp_path, ["--appendfsync", "always"])
    c = s.client()
    run_steps(s.port, steps[:1500])
    with RawConnection(s.port) as conn:      # keys enough for the delay to make it slow
        for db in (0, 1, 9):
            conn.call("SELECT", db)
            conn.call("MSET", *[x for i in range(1500) for x in (f"filler:{i}", i)])
    c.config_set("rdb-key-save-delay", 300)
    assert c.bgrewriteaof()
    run_steps(s.port, steps[1500:])
    assert c.info("persistence")["aof_rewrite_in_progress"] == 1, "the rewrite ended too soon"
    c.config_set("rdb-key-save-delay", 0)
    wait_rewrite(s, 2)
    expected = dataset(c)
    shutdown(s)
    loads_the_same(start_server, tmp_path, s, expected)
