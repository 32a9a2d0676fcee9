"""RDB snapshots: SAVE/BGSAVE/LASTSAVE, loading at start-up, interoperability with redis-server
7.0.15 and redis-check-rdb both ways, point-in-time BGSAVE under writes, bad files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from dataset import dump_dataset, encodings, fill_every_type
from server_process import REFERENCE_BINARY, ServerProcess, binary_under_test

CHECK_RDB = shutil.which("redis-check-rdb")


def wait_bgsave_done(client, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if info["rdb_bgsave_in_progress"] == 0:
            return info
        time.sleep(0.02)
    raise AssertionError("BGSAVE did not finish")


def check_rdb(path: Path) -> str:
    done = subprocess.run([CHECK_RDB, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RDB looks OK" in done.stdout
    return done.stdout


_dirs = iter(range(10**6))


def in_dir(start_server, tmp_path, **kwargs):
    """A server whose directory is under the test's tmp_path (so it outlives a restart)."""
    d = tmp_path / f"srv{next(_dirs)}"
    d.mkdir()
    return start_server(workdir=d, **kwargs)


def start_with_file(start_server, binary, rdb: Path, tmp_path, extra=()):
    """A server of `binary` whose dir holds a copy of `rdb` as dump.rdb."""
    d = tmp_path / f"srv{next(_dirs)}"
    d.mkdir()
    shutil.copy(rdb, d / "dump.rdb")
    return start_server(binary=binary, workdir=d, args=list(extra))


# ----------------------------------------------------------------------------- commands

def test_save_writes_a_file_redis_check_rdb_accepts(server, r):
    fill_every_type(r)
    assert r.save() is True
    out = check_rdb(server.dir / "dump.rdb")
    assert "Checksum OK" in out


def test_lastsave_moves_on_save_and_bgsave(server, r):
    before = r.lastsave()
    time.sleep(1.1)
    r.set("k", "v")
    r.save()
    after_save = r.lastsave()
    assert after_save > before
    time.sleep(1.1)
    assert r.bgsave()
    wait_bgsave_done(r)
    assert r.lastsave() > after_save


def test_info_persistence_counts_changes_and_saves(r):
    r.set("a", 1)
    r.set("b", 2)
    info = r.info("persistence")
    assert info["rdb_changes_since_last_save"] == 2
    saves = info["rdb_saves"]
    assert info["rdb_last_bgsave_time_sec"] == -1
    r.save()
    info = r.info("persistence")
    assert info["rdb_changes_since_last_save"] == 0
    assert info["rdb_saves"] == saves + 1
    assert info["rdb_last_bgsave_status"] == "ok"


@pytest.mark.server_args("--rdb-key-save-delay", "2000")
def test_bgsave_while_saving_is_refused_even_with_schedule(server, r):
    for i in range(200):
        r.set(f"k{i}", i)
    assert server.cli("BGSAVE").strip() == "Background saving started"
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        r.execute_command("BGSAVE")
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        r.execute_command("BGSAVE", "SCHEDULE")
    with pytest.raises(redis.ResponseError, match="Background save already in progress"):
        r.execute_command("SAVE")
    assert r.info("persistence")["rdb_bgsave_in_progress"] == 1
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("BGSAVE", "NOW")
    r.config_set("rdb-key-save-delay", 0)


def test_bgsave_inside_exec_is_scheduled_and_runs_after(server, r, conn):
    r.set("k", "v")
    saves = r.info("persistence")["rdb_saves"]
    conn.call("MULTI")
    conn.call("BGSAVE")
    assert conn.call("EXEC") == [b"Background saving scheduled"]
    deadline = time.monotonic() + 30
    while r.info("persistence")["rdb_saves"] < saves + 1:
        assert time.monotonic() < deadline, "the scheduled BGSAVE never ran"
        time.sleep(0.05)


@pytest.mark.server_args("--save", "1 2")
def test_save_point_triggers_a_background_save(server, r):
    r.set("a", 1)
    time.sleep(1.3)
    assert r.info("persistence")["rdb_saves"] == 0, "one change is below the save point"
    r.set("b", 2)
    deadline = time.monotonic() + 10
    while r.info("persistence")["rdb_saves"] == 0:
        assert time.monotonic() < deadline, "the save point never fired"
        time.sleep(0.05)
    assert wait_bgsave_done(r)["rdb_changes_since_last_save"] == 0
    assert "changes in 1 seconds. Saving..." in server.log_text()


# ------------------------------------------------------------------------ round trips

def test_restart_loads_every_type(start_server, tmp_path):
    a = in_dir(start_server, tmp_path)
    ca = a.client()
    fill_every_type(ca, seed=2)
    expected = dump_dataset(ca)
    expected_enc = encodings(ca)
    ca.save()
    a.stop()
    b = start_server(workdir=a.dir)
    cb = b.client()
    assert dump_dataset(cb) == expected
    assert encodings(cb) == expected_enc
    assert cb.info("persistence")["rdb_last_load_keys_loaded"] == sum(len(v) for v in expected.values())


def test_shutdown_saves_when_save_points_are_set(start_server, tmp_path):
    a = in_dir(start_server, tmp_path, args=["--save", "3600 1"])
    ca = a.client()
    ca.set("kept", "yes")
    ca.rpush("l", 1, 2, 3)
    try:
        ca.shutdown()
    except redis.ConnectionError:
        pass
    a.wait_exit()
    assert (a.dir / "dump.rdb").exists()
    b = start_server(workdir=a.dir)
    cb = b.client()
    assert cb.get("kept") == b"yes"
    assert cb.lrange("l", 0, -1) == [b"1", b"2", b"3"]


def test_shutdown_nosave_does_not_save(start_server, tmp_path):
    a = in_dir(start_server, tmp_path, args=["--save", "3600 1"])
    ca = a.client()
    ca.set("k", "v")
    try:
        ca.execute_command("SHUTDOWN", "NOSAVE")
    except redis.ConnectionError:
        pass
    a.wait_exit()
    assert not (a.dir / "dump.rdb").exists()


@pytest.mark.server_args("--enable-debug-command", "yes")
def test_debug_reload_keeps_the_dataset(r):
    fill_every_type(r, seed=3)
    expected = dump_dataset(r)
    assert r.execute_command("DEBUG", "RELOAD") == b"OK"
    assert dump_dataset(r) == expected


def test_expired_keys_are_not_loaded(start_server, tmp_path):
    a = in_dir(start_server, tmp_path)
    ca = a.client()
    ca.set("short", "v", px=300)
    ca.set("long", "v", ex=1000)
    ca.save()
    a.stop()
    time.sleep(0.5)
    b = start_server(workdir=a.dir)
    cb = b.client()
    assert cb.exists("short") == 0
    assert cb.exists("long") == 1
    info = cb.info("persistence")
    assert info["rdb_last_load_keys_expired"] == 1
    assert info["rdb_last_load_keys_loaded"] == 1


def test_clients_get_loading_while_the_dataset_loads(start_server, tmp_path):
    a = in_dir(start_server, tmp_path)
    c = a.client()
    pipe = c.pipeline(transaction=False)
    for i in range(6000):
        pipe.set(f"k{i}", os.urandom(600).hex())
    pipe.execute()
    c.save()
    a.stop()
    proc = ServerProcess(workdir=a.dir, args=["--key-load-delay", "300"])
    proc._launch()
    saw_loading = saw_info = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", proc.port), timeout=2) as sock:
                    sock.sendall(b"PING\r\n")
                    reply = sock.recv(128)
                    if reply.startswith(b"+PONG"):
                        break
                    if reply.startswith(b"-LOADING Redis is loading the dataset in memory"):
                        saw_loading = True
                        sock.sendall(b"INFO persistence\r\n")
                        time.sleep(0.05)
                        info = sock.recv(65536)
                        saw_info = saw_info or b"loading:1" in info
            except OSError:
                pass
            time.sleep(0.02)
        assert saw_loading, "never answered -LOADING while loading"
        assert saw_info, "INFO did not say loading:1 while loading"
        assert proc.client().dbsize() == 6000
    finally:
        proc.stop()


# ------------------------------------------------------------------------- interop

needs_reference = pytest.mark.skipif(
    not REFERENCE_BINARY.exists() or CHECK_RDB is None or "REDWING_BIN" in os.environ,
    reason="needs /usr/bin/redis-server and redis-check-rdb, and Redwing under test")


@needs_reference
@pytest.mark.parametrize("compression", ["yes", "no"])
def test_redwing_file_loads_into_redis_with_the_same_dataset(start_server, tmp_path, compression):
    rw = start_server(args=["--rdbcompression", compression])
    c = rw.client()
    fill_every_type(c, seed=4, scale=2)
    expected = dump_dataset(c)
    c.save()
    check_rdb(rw.dir / "dump.rdb")
    ref = start_with_file(start_server, REFERENCE_BINARY, rw.dir / "dump.rdb", tmp_path)
    assert dump_dataset(ref.client()) == expected


@needs_reference
@pytest.mark.parametrize("compression", ["yes", "no"])
def test_redis_file_loads_into_redwing_with_the_same_dataset(start_server, tmp_path, compression):
    ref = start_server(binary=REFERENCE_BINARY, args=["--rdbcompression", compression])
    c = ref.client()
    fill_every_type(c, seed=5, scale=2)
    expected = dump_dataset(c)
    expected_enc = encodings(c)
    c.save()
    rw = start_with_file(start_server, binary_under_test(), ref.dir / "dump.rdb", tmp_path)
    crw = rw.client()
    assert dump_dataset(crw) == expected
    assert encodings(crw) == expected_enc


@needs_reference
def test_listpacks_with_long_elements_stay_listpacks_as_in_redis(start_server, tmp_path):
    """A server with raised *-max-listpack-value saves listpacks holding long elements; loaded
    (or RESTOREd) with the default limits, Redis 7.0 keeps them as listpacks, converting only
    on the entry count."""
    ref = start_server(binary=REFERENCE_BINARY, args=["--hash-max-listpack-value", "1000",
                                                      "--zset-max-listpack-value", "1000"])
    c = ref.client()
    c.hset("h", mapping={"short": "v", "long": "w" * 200})
    c.zadd("z", {"m" * 200: 1, "n": 2})
    c.hset("h-many", mapping={f"f{i}": "x" * 100 for i in range(513)})
    c.save()
    want = {b"h": b"listpack", b"z": b"listpack", b"h-many": b"hashtable"}
    for binary in (REFERENCE_BINARY, binary_under_test()):
        loaded = start_with_file(start_server, binary, ref.dir / "dump.rdb", tmp_path).client()
        assert {k: loaded.object("encoding", k) for k in want} == want, binary
        assert dump_dataset(loaded) == dump_dataset(c)
        for k in want:
            loaded.restore(b"restored:" + k, 0, c.dump(k))
            assert loaded.object("encoding", b"restored:" + k) == want[k], (binary, k)


# ------------------------------------------------------------------- point in time

@pytest.mark.server_args("--rdb-key-save-delay", "20")
def test_bgsave_captures_the_dataset_of_its_start_moment(server, r, start_server, tmp_path):
    """Writes, deletes, TTL changes, expiries, new keys and FLUSHDB of another database while
    a slow BGSAVE runs: the file holds exactly what was there when BGSAVE started."""
    fill_every_type(r, seed=6, scale=3)
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(f"bulk:{i}", f"v{i}")
        if i % 10 == 0:
            pipe.set(f"ttl:{i}", "x", px=1500)
    pipe.execute()
    expected = dump_dataset(r)
    # The short TTLs are still present at the start moment; they expire during the save.
    assert server.cli("BGSAVE").strip() == "Background saving started"
    pipe = r.pipeline(transaction=False)
    for i in range(0, 20000, 3):
        pipe.set(f"bulk:{i}", "changed")
        pipe.delete(f"bulk:{i + 1}")
        pipe.set(f"new:{i}", "fresh")
    pipe.execute()
    r.rpush("d0:list:big", "pushed")
    r.hset("d0:hash:big", "field1", "changed")
    r.sadd("d0:set:strings", "added")
    r.zadd("d0:zset:big", {"m1": 12345})
    r.append("d0:raw", "appended")
    r.incr("d0:int:1")
    r.persist("d0:ttl:str")
    r.expire("d0:embstr", 1000)
    r.execute_command("SELECT", 1)
    r.flushdb()
    r.execute_command("SELECT", 0)
    r.execute_command("SWAPDB", 0, 3)
    r.execute_command("SWAPDB", 0, 3)
    assert r.info("persistence")["rdb_bgsave_in_progress"] == 1, "the save ended too soon to test anything"
    time.sleep(1.6)  # the ttl:* keys expire while the save runs
    info = wait_bgsave_done(r, timeout=120)
    assert info["rdb_last_bgsave_status"] == "ok"
    check_rdb(server.dir / "dump.rdb") if CHECK_RDB else None
    # Load the file elsewhere, with expiry of loaded keys judged by the TTL-carrying keys'
    # absolute times: the ttl:* keys have passed theirs, so compare without them.
    other = start_with_file(start_server, binary_under_test(), server.dir / "dump.rdb", tmp_path)
    got = dump_dataset(other.client())
    for db in expected.values():
        for k in [k for k in db if k.startswith(b"ttl:")]:
            del db[k]
    assert got == expected


@pytest.mark.server_args("--enable-debug-command", "yes")
def test_bgsave_point_in_time_checked_key_by_key(server, r):
    """Without the delay hook: many overwrites racing a normal BGSAVE."""
    pipe = r.pipeline(transaction=False)
    for i in range(100000):
        pipe.set(f"k{i}", "old")
    pipe.execute()
    r.execute_command("BGSAVE")
    pipe = r.pipeline(transaction=False)
    for i in range(100000):
        pipe.set(f"k{i}", "new")
    pipe.execute()
    wait_bgsave_done(r)
    r.execute_command("DEBUG", "RELOAD", "NOSAVE")
    assert r.dbsize() == 100000
    assert set(r.mget([f"k{i}" for i in range(0, 100000, 97)])) == {b"old"}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.server_args("--rdb-key-save-delay", "400")
def test_bgsave_point_in_time_under_random_commands(server, r, start_server, tmp_path, seed):
    """The differential generator's commands (every type, MULTI, RENAME, MOVE, SWAPDB,
    FLUSHDB, expiries ...) race a slow BGSAVE; the file must hold the dataset of its start."""
    from command_generator import CommandGenerator
    from raw_resp import RawConnection

    gen = CommandGenerator(seed)
    conn = RawConnection(server.port)
    for step in gen.steps(1500):
        conn.call(*step.argv)
    conn.call("SELECT", 0)
    pipe = r.pipeline(transaction=False)
    for db in (0, 1, 9):
        pipe.execute_command("SELECT", db)
        for i in range(1500):
            pipe.set(f"filler:{i}", i)
    pipe.execute_command("SELECT", 0)
    pipe.execute()
    # Keys about to expire could go between this read and the load: leave them out.
    for db in range(16):
        r.execute_command("SELECT", db)
        for k in list(r.scan_iter(count=1000)):
            if 0 < r.pttl(k) < 120000:
                r.persist(k)
    r.execute_command("SELECT", 0)
    expected = dump_dataset(r)
    assert server.cli("BGSAVE").strip() == "Background saving started"
    for step in gen.steps(3000):
        conn.call(*step.argv)
    assert r.info("persistence")["rdb_bgsave_in_progress"] == 1, "the save ended too soon"
    r.config_set("rdb-key-save-delay", 0)
    assert wait_bgsave_done(r, timeout=120)["rdb_last_bgsave_status"] == "ok"
    conn.close()
    other = start_with_file(start_server, binary_under_test(), server.dir / "dump.rdb", tmp_path)
    assert dump_dataset(other.client()) == expected


# ------------------------------------------------------------------------- failures

def test_dir_and_dbfilename_are_protected_configs(r):
    with pytest.raises(redis.ResponseError, match="can't set protected config"):
        r.config_set("dir", "/tmp")
    with pytest.raises(redis.ResponseError, match="can't set protected config"):
        r.config_set("dbfilename", "other.rdb")


@pytest.mark.server_args("--enable-protected-configs", "yes")
def test_bgsave_failure_sets_misconf_for_writes(server, r, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    r.config_set("save", "3600 1")
    r.config_set("dir", str(gone))
    gone.rmdir()
    r.execute_command("BGSAVE")
    info = wait_bgsave_done(r)
    assert info["rdb_last_bgsave_status"] == "err"
    with pytest.raises(redis.ResponseError, match="^MISCONF"):
        r.set("k", "v")
    with pytest.raises(redis.ResponseError, match="^MISCONF"):
        r.ping()
    assert r.get("missing") is None  # reads still work
    r.config_set("stop-writes-on-bgsave-error", "no")
    assert r.set("k", "v")
    r.config_set("stop-writes-on-bgsave-error", "yes")
    r.config_set("dir", str(server.dir))
    r.execute_command("BGSAVE")
    assert wait_bgsave_done(r)["rdb_last_bgsave_status"] == "ok"
    assert r.set("k2", "v")


def _refuses(start_server, tmp_path, data: bytes, fragment: str):
    d = tmp_path / "srv"
    d.mkdir()
    (d / "dump.rdb").write_bytes(data)
    proc = ServerProcess(workdir=d)
    try:
        with pytest.raises(Exception):
            proc.start(timeout=5, attempts=1)
        assert proc.wait_exit(5) not in (None, 0)
        log = proc.log_text()
        assert fragment in log, log
    finally:
        proc.stop()


def saved_file(start_server) -> bytes:
    a = start_server()
    c = a.client()
    fill_every_type(c, seed=7, dbs=(0,))
    c.save()
    data = (a.dir / "dump.rdb").read_bytes()
    a.stop()
    return data


def test_truncated_file_refuses_start_naming_the_offset(start_server, tmp_path):
    data = saved_file(start_server)
    _refuses(start_server, tmp_path, data[: len(data) // 2], "offset")


def test_wrong_checksum_refuses_start(start_server, tmp_path):
    data = bytearray(saved_file(start_server))
    data[-1] ^= 0xFF
    _refuses(start_server, tmp_path, bytes(data), "Wrong RDB checksum")


def test_unknown_type_refuses_start(start_server, tmp_path):
    body = b"REDIS0010" + bytes([0xFE, 0, 42, 1]) + b"k" + b"\x01v" + b"\xff" + b"\x00" * 8
    _refuses(start_server, tmp_path, body, "Unknown RDB encoding type 42")


def test_impossible_length_refuses_start(start_server, tmp_path):
    body = b"REDIS0010" + bytes([0xFE, 0, 0, 1]) + b"k" + b"\x81" + b"\x7f" * 8 + b"\xff" + b"\x00" * 8
    _refuses(start_server, tmp_path, body, "offset")


def test_bad_signature_refuses_start(start_server, tmp_path):
    _refuses(start_server, tmp_path, b"NOTREDIS0010\xff", "Wrong signature")


@pytest.mark.skipif(os.environ.get("REDWING_BIN") is not None, reason="Redwing's loader")
@pytest.mark.server_args("--enable-debug-command", "yes")
def test_mutated_files_never_crash_the_loader(r, server):
    """Thousands of mutations of a real file through DEBUG RELOAD NOSAVE: each loads or is
    refused, and the server keeps answering."""
    import random
    fill_every_type(r, seed=8, dbs=(0,))
    r.save()
    good = (server.dir / "dump.rdb").read_bytes()
    rnd = random.Random(8)
    outcomes = {"loaded": 0, "refused": 0}
    for case in range(1500):
        data = bytearray(good)
        kind = case % 4
        if kind == 0:
            data = data[: rnd.randrange(len(data))]
        elif kind == 1:
            for _ in range(rnd.randint(1, 8)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif kind == 2:
            i = rnd.randrange(len(data))
            data[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 16)))
        else:
            i = rnd.randrange(len(data))
            del data[i: i + rnd.randint(1, 32)]
        (server.dir / "dump.rdb").write_bytes(bytes(data))
        try:
            r.execute_command("DEBUG", "RELOAD", "NOSAVE")
            outcomes["loaded"] += 1
        except redis.ResponseError as e:
            assert "Error trying to load the RDB dump" in str(e)
            outcomes["refused"] += 1
        assert r.ping()
    assert outcomes["refused"] > 1000
