"""Key expiry: lazy (on access) and active (background reclaim).

Redis removes an expired key either when a command touches it or in its
periodic active-expire cycle; DBSIZE does *not* trigger lazy expiry, so it is
the observable for "the server reclaims keys nobody touches".
"""

import time

import pytest

from raw_resp import encode_command, err

DEBUG = pytest.mark.server_args("--enable-debug-command", "yes")


def wait_for(predicate, timeout=5.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def stat(conn, section, field):
    for line in conn.call("INFO", section).decode().split("\r\n"):
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"{field} not in INFO {section}")


def bulk_set_with_px(conn, count, px, prefix="k"):
    conn.send(b"".join(encode_command("SET", f"{prefix}:{i}", "v", "PX", px) for i in range(count)))
    for _ in range(count):
        assert conn.read_reply() == b"OK"


# ---------------------------------------------------------------- lazy

def test_lazy_expiry_on_access(conn):
    conn.call("SET", "k", "v", "PX", 300)
    assert conn.call("GET", "k") == b"v"
    time.sleep(0.4)
    assert conn.call("GET", "k") is None
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("TTL", "k") == -2


@pytest.mark.parametrize("command", [
    ["GET", "k"], ["EXISTS", "k"], ["TTL", "k"], ["PTTL", "k"], ["TYPE", "k"],
    ["STRLEN", "k"], ["GETDEL", "k"], ["GETEX", "k"], ["APPEND", "k", "x"], ["INCR", "k"],
    ["SETNX", "k", "x"], ["RENAME", "k", "k2"], ["OBJECT", "ENCODING", "k"]])
def test_expired_key_is_invisible_to_every_command(conn, command):
    conn.call("SET", "k", "100", "PX", 20)
    time.sleep(0.06)
    expected = {
        "GET": None, "EXISTS": 0, "TTL": -2, "PTTL": -2, "TYPE": b"none", "STRLEN": 0,
        "GETDEL": None, "GETEX": None, "APPEND": 1, "INCR": 1, "SETNX": 1, "OBJECT": None,
        "RENAME": err("ERR no such key"),
    }
    assert conn.call(*command) == expected[command[0]]


def test_expired_keys_hidden_from_keys_scan_randomkey(conn):
    conn.call("SET", "live", "v")
    for i in range(20):
        conn.call("SET", f"dead:{i}", "v", "PX", 10)
    time.sleep(0.05)
    assert conn.call("KEYS", "*") == [b"live"]
    cursor, seen = b"0", []
    while True:
        cursor, batch = conn.call("SCAN", cursor)
        seen += batch
        if cursor == b"0":
            break
    assert seen == [b"live"]
    for _ in range(10):
        assert conn.call("RANDOMKEY") == b"live"


def test_persist_prevents_expiry(conn):
    conn.call("SET", "k", "v", "PX", 300)
    assert conn.call("PERSIST", "k") == 1
    time.sleep(0.4)
    assert conn.call("GET", "k") == b"v"


def test_ttl_counts_down(conn):
    conn.call("SET", "k", "v", "PX", 2000)
    first = conn.call("PTTL", "k")
    time.sleep(0.2)
    second = conn.call("PTTL", "k")
    assert 0 < second < first <= 2000
    assert first - second >= 150


# -------------------------------------------------------------- active

def test_active_expiry_reclaims_untouched_keys(conn):
    conn.call("SET", "persistent", "v")
    conn.call("SET", "long", "v", "EX", 1000)
    bulk_set_with_px(conn, 1000, 100)
    # Nobody reads the keys: only the background cycle can remove them.
    assert wait_for(lambda: conn.call("DBSIZE") == 2, timeout=5.0), conn.call("DBSIZE")
    assert stat(conn, "stats", "expired_keys") >= 1000
    assert conn.call("EXISTS", "persistent", "long") == 2


def test_active_expiry_survives_extreme_expire_times(conn):
    """Keys expiring at the far end of the 64-bit range must not break the
    background cycle (e.g. overflow when averaging TTLs)."""
    for i in range(10):
        conn.call("SET", f"far:{i}", "v")
        assert conn.call("PEXPIREAT", f"far:{i}", 9223372036854775807 - i) == 1
    conn.call("SET", "near", "v", "PX", 100)
    assert wait_for(lambda: conn.call("DBSIZE") == 10, timeout=5.0)
    time.sleep(0.5)                       # a few more cycles over the far keys
    assert conn.call("PEXPIRETIME", "far:0") == 9223372036854775807
    assert conn.call("TTL", "far:9") > 0


def test_active_expiry_covers_all_databases(conn):
    conn.call("SELECT", 5)
    bulk_set_with_px(conn, 200, 50)
    conn.call("SELECT", 0)
    conn.call("SET", "x", 1)
    conn.call("SELECT", 5)
    assert wait_for(lambda: conn.call("DBSIZE") == 0, timeout=5.0)


@DEBUG
def test_debug_set_active_expire_disables_background_reclaim(conn):
    assert conn.call("DEBUG", "SET-ACTIVE-EXPIRE", 0) == b"OK"
    bulk_set_with_px(conn, 100, 50)
    time.sleep(0.6)
    assert conn.call("DBSIZE") == 100          # still there, nobody touched them
    assert conn.call("DEBUG", "SET-ACTIVE-EXPIRE", 1) == b"OK"
    assert wait_for(lambda: conn.call("DBSIZE") == 0, timeout=5.0)


@DEBUG
def test_keys_hides_expired_keys_but_scan_reclaims_them(conn):
    """In 7.0 KEYS only filters expired keys out; SCAN actually deletes them."""
    conn.call("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    bulk_set_with_px(conn, 10, 20)
    conn.call("SET", "live", "v")
    time.sleep(0.1)
    assert conn.call("DBSIZE") == 11
    assert conn.call("KEYS", "*") == [b"live"]
    assert conn.call("DBSIZE") == 11
    assert conn.call("SCAN", 0, "COUNT", 100) == [b"0", [b"live"]]
    assert conn.call("DBSIZE") == 1


@DEBUG
def test_expired_keys_stat_counts_lazy_expiry(conn):
    conn.call("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    before = stat(conn, "stats", "expired_keys")
    conn.call("SET", "k", "v", "PX", 10)
    time.sleep(0.05)
    assert conn.call("GET", "k") is None
    assert stat(conn, "stats", "expired_keys") == before + 1


def test_overwrite_of_volatile_key_with_set_is_persistent(conn):
    conn.call("SET", "k", "v", "PX", 100)
    conn.call("SET", "k", "v2")
    time.sleep(0.2)
    assert conn.call("GET", "k") == b"v2"


def test_keyspace_info_counts_volatile_keys(conn):
    conn.call("SET", "a", "v", "EX", 1000)
    conn.call("SET", "b", "v")
    line = conn.call("INFO", "keyspace").decode().split("\r\n")[1]
    assert line.startswith("db0:keys=2,expires=1,avg_ttl=")
