"""Keyspace commands: DEL/EXISTS/TYPE, the EXPIRE family, KEYS/SCAN,
RENAME/COPY/MOVE, databases (SELECT/SWAPDB/FLUSH*) and OBJECT.

Values of non-string types are created with RPUSH only, except in the
dedicated TYPE test.  Tests that need them are marked ``needs_commands`` and
skipped until the server implements those types; the string part of each
check lives in an unmarked test next to it.
"""

import time

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, err

DB_RANGE = err("ERR DB index is out of range")
SAME_OBJECT = err("ERR source and destination objects are the same")
NO_SUCH_KEY = err("ERR no such key")


# ------------------------------------------------- DEL UNLINK EXISTS TOUCH

def test_del_unlink_exists_touch(conn):
    conn.call("MSET", "a", 1, "b", 2, "c", 3)
    assert conn.call("EXISTS", "a", "a", "missing") == 2
    assert conn.call("DEL", "a", "a", "missing") == 1
    assert conn.call("UNLINK", "b", "missing") == 1
    assert conn.call("TOUCH", "c", "missing", "c") == 2
    assert conn.call("EXISTS", "a", "b", "c") == 1
    assert conn.call("DEL") == err("ERR wrong number of arguments for 'del' command")
    assert conn.call("EXISTS") == err("ERR wrong number of arguments for 'exists' command")


def test_del_removes_ttl(conn):
    conn.call("SET", "s", "v", "EX", 100)
    assert conn.call("DEL", "s") == 1
    conn.call("SET", "s", "v")
    assert conn.call("TTL", "s") == -1


@pytest.mark.needs_commands("RPUSH")
def test_del_removes_any_type(conn):
    conn.call("RPUSH", "l", "x")
    conn.call("SET", "s", "v", "EX", 100)
    assert conn.call("DEL", "l", "s") == 2
    assert conn.call("EXISTS", "l", "s") == 0


def test_type_string_none(conn):
    conn.call("SET", "s", "v")
    conn.call("SET", "n", 42)
    assert conn.call_raw("TYPE", "s") == b"+string\r\n"
    assert conn.call_raw("TYPE", "n") == b"+string\r\n"
    assert conn.call_raw("TYPE", "missing") == b"+none\r\n"


@pytest.mark.needs_commands("RPUSH")
def test_type_list(conn):
    conn.call("RPUSH", "l", "x")
    assert conn.call_raw("TYPE", "l") == b"+list\r\n"


@pytest.mark.needs_commands("RPUSH", "SADD", "HSET", "ZADD")
def test_type_of_every_data_type(conn):
    conn.call("RPUSH", "list", "e")
    conn.call("SADD", "set", "m")
    conn.call("HSET", "hash", "f", "v")
    conn.call("ZADD", "zset", 1, "m")
    conn.call("PFADD", "hll", "x")
    assert [conn.call("TYPE", k) for k in ("list", "set", "hash", "zset", "hll")] == [
        b"list", b"set", b"hash", b"zset", b"string"]


@pytest.mark.needs_commands("XADD")
def test_type_of_a_stream(conn):
    conn.call("XADD", "stream", "*", "f", "v")
    assert conn.call("TYPE", "stream") == b"stream"


# ------------------------------------------------------------ EXPIRE family

def test_expire_and_ttl(conn):
    conn.call("SET", "k", "v")
    assert conn.call("TTL", "k") == -1
    assert conn.call("PTTL", "k") == -1
    assert conn.call("EXPIRE", "k", 100) == 1
    assert 99 <= conn.call("TTL", "k") <= 100
    assert 99000 < conn.call("PTTL", "k") <= 100000
    assert conn.call("PEXPIRE", "k", 50000) == 1
    assert 49 <= conn.call("TTL", "k") <= 50
    assert conn.call("TTL", "missing") == -2
    assert conn.call("PTTL", "missing") == -2
    assert conn.call("EXPIRE", "missing", 100) == 0
    assert conn.call("PEXPIRE", "missing", 100) == 0


def test_expireat_and_expiretime(conn):
    conn.call("SET", "k", "v")
    assert conn.call("EXPIRETIME", "k") == -1
    assert conn.call("PEXPIRETIME", "k") == -1
    assert conn.call("EXPIRETIME", "missing") == -2
    assert conn.call("PEXPIRETIME", "missing") == -2
    assert conn.call("EXPIREAT", "k", 4102444800) == 1
    assert conn.call("EXPIRETIME", "k") == 4102444800
    assert conn.call("PEXPIRETIME", "k") == 4102444800000
    assert conn.call("PEXPIREAT", "k", 4102444800123) == 1
    assert conn.call("PEXPIRETIME", "k") == 4102444800123
    assert conn.call("EXPIRETIME", "k") == 4102444800


@pytest.mark.parametrize("command, when", [
    ("EXPIRE", 0), ("EXPIRE", -5), ("PEXPIRE", 0), ("EXPIREAT", 1), ("PEXPIREAT", -1)])
def test_expire_in_the_past_deletes(conn, command, when):
    conn.call("SET", "k", "v")
    assert conn.call(command, "k", when) == 1
    assert conn.call("EXISTS", "k") == 0


def test_expire_nx_xx_gt_lt(conn):
    conn.call("SET", "k", "v")
    assert conn.call("EXPIRE", "k", 100, "XX") == 0
    assert conn.call("EXPIRE", "k", 100, "GT") == 0   # no TTL counts as infinite
    assert conn.call("EXPIRE", "k", 100, "NX") == 1
    assert conn.call("EXPIRE", "k", 100, "NX") == 0
    assert conn.call("EXPIRE", "k", 50, "GT") == 0
    assert conn.call("EXPIRE", "k", 200, "GT") == 1
    assert conn.call("EXPIRE", "k", 300, "LT") == 0
    assert conn.call("EXPIRE", "k", 100, "LT") == 1
    assert conn.call("EXPIRE", "k", 150, "XX") == 1
    assert conn.call("PERSIST", "k") == 1
    assert conn.call("EXPIRE", "k", 100, "LT") == 1   # finite < infinite
    assert conn.call("PEXPIRE", "k", 10000, "xx", "lt") == 1
    assert 9 <= conn.call("TTL", "k") <= 10


@pytest.mark.parametrize("options, reply", [
    (["NX", "XX"], err("ERR NX and XX, GT or LT options at the same time are not compatible")),
    (["NX", "GT"], err("ERR NX and XX, GT or LT options at the same time are not compatible")),
    (["LT", "NX"], err("ERR NX and XX, GT or LT options at the same time are not compatible")),
    (["GT", "LT"], err("ERR GT and LT options at the same time are not compatible")),
    (["foo"], err("ERR Unsupported option foo")),
    (["XX", "bar"], err("ERR Unsupported option bar")),
])
def test_expire_option_errors(conn, options, reply):
    conn.call("SET", "k", "v")
    assert conn.call("EXPIRE", "k", 100, *options) == reply
    assert conn.call("TTL", "k") == -1


@pytest.mark.parametrize("command, value, reply", [
    ("EXPIRE", "abc", NOT_INTEGER),
    ("EXPIRE", "1.5", NOT_INTEGER),
    ("PEXPIRE", "", NOT_INTEGER),
    ("EXPIRE", 9223372036854775807, err("ERR invalid expire time in 'expire' command")),
    ("EXPIRE", 9223372036854774, err("ERR invalid expire time in 'expire' command")),
    ("PEXPIRE", 9223372036854775807, err("ERR invalid expire time in 'pexpire' command")),
    ("EXPIREAT", 9223372036854775807, err("ERR invalid expire time in 'expireat' command")),
])
def test_expire_value_errors(conn, command, value, reply):
    conn.call("SET", "k", "v")
    assert conn.call(command, "k", value) == reply
    assert conn.call("TTL", "k") == -1


def test_pexpireat_max_is_accepted(conn):
    conn.call("SET", "k", "v")
    assert conn.call("PEXPIREAT", "k", 9223372036854775807) == 1
    assert conn.call("PEXPIRETIME", "k") == 9223372036854775807


def test_persist(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("PERSIST", "k") == 1
    assert conn.call("PERSIST", "k") == 0
    assert conn.call("PERSIST", "missing") == 0
    assert conn.call("TTL", "k") == -1


# ------------------------------------------------------------------- KEYS

GLOB_KEYS = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h[a]llo", "h*llo", "hbllo",
             "h-llo", "h\\llo", "h?llo", "h]llo", "HELLO", "a", "ab", "abc"]


@pytest.mark.parametrize("pattern, expected", [
    ("h?llo", ["h*llo", "h-llo", "h?llo", "h\\llo", "h]llo", "hallo", "hbllo", "hello", "hxllo"]),
    ("h*llo", ["h*llo", "h-llo", "h?llo", "h[a]llo", "h\\llo", "h]llo", "hallo", "hbllo",
               "heeeello", "hello", "hllo", "hxllo"]),
    ("h[ae]llo", ["hallo", "hello"]),
    ("h[^e]llo", ["h*llo", "h-llo", "h?llo", "h\\llo", "h]llo", "hallo", "hbllo", "hxllo"]),
    ("h[a-b]llo", ["hallo", "hbllo"]),
    ("h[b-a]llo", ["hallo", "hbllo"]),          # reversed ranges work
    ("h[!e]llo", ["hello"]),                    # '!' is not negation
    ("h\\[a\\]llo", ["h[a]llo"]),
    ("h\\*llo", ["h*llo"]),
    ("h\\?llo", ["h?llo"]),
    ("h\\\\llo", ["h\\llo"]),
    ("h[\\]]llo", ["h]llo"]),
    ("h[a\\-c]llo", ["h-llo", "hallo"]),
    ("h**llo", ["h*llo", "h-llo", "h?llo", "h[a]llo", "h\\llo", "h]llo", "hallo", "hbllo",
                "heeeello", "hello", "hllo", "hxllo"]),
    ("HELLO", ["HELLO"]),                       # case sensitive
    ("a*", ["a", "ab", "abc"]),
    ("*c", ["abc"]),
    ("?", ["a"]),
    ("??", ["ab"]),
    ("[a", ["a"]),                              # unterminated class
    ("nomatch*", []),
])
def test_keys_glob(conn, pattern, expected):
    for key in GLOB_KEYS:
        conn.call("SET", key, 1)
    assert sorted(conn.call("KEYS", pattern)) == sorted(k.encode() for k in expected)


def test_keys_star_returns_everything_and_skips_expired(conn):
    conn.call("MSET", "a", 1, "b", 2)
    conn.call("SET", "gone", 1, "PX", 1)
    time.sleep(0.05)
    assert sorted(conn.call("KEYS", "*")) == [b"a", b"b"]


@pytest.mark.needs_commands("RPUSH")
def test_keys_star_returns_every_type(conn):
    conn.call("MSET", "a", 1, "b", 2)
    conn.call("RPUSH", "l", "x")
    assert sorted(conn.call("KEYS", "*")) == [b"a", b"b", b"l"]


# ------------------------------------------------------------------- SCAN

def full_scan(conn, *options):
    cursor, seen, calls = b"0", [], 0
    while True:
        reply = conn.call("SCAN", cursor, *options)
        assert isinstance(reply[0], bytes) and isinstance(reply[1], list)
        cursor, batch = reply
        seen.extend(batch)
        calls += 1
        assert calls < 10000
        if cursor == b"0":
            return seen, calls


def test_scan_returns_every_key(conn):
    keys = [f"key:{i}".encode() for i in range(1000)]
    for start in range(0, 1000, 100):
        conn.call("MSET", *[x for k in keys[start:start + 100] for x in (k, b"v")])
    seen, calls = full_scan(conn, "COUNT", 10)
    assert set(seen) == set(keys)
    assert calls > 1
    seen, _ = full_scan(conn)
    assert set(seen) == set(keys)


def test_scan_match_and_type(conn):
    for i in range(50):
        conn.call("SET", f"str:{i}", i)
    seen, _ = full_scan(conn, "MATCH", "str:1*", "COUNT", 7)
    assert set(seen) == {f"str:{i}".encode() for i in range(50) if str(i).startswith("1")}
    seen, _ = full_scan(conn, "TYPE", "string", "MATCH", "*:4*")
    assert set(seen) == {f"str:{i}".encode() for i in range(50) if str(i).startswith("4")}
    seen, _ = full_scan(conn, "TYPE", "list")
    assert seen == []
    seen, _ = full_scan(conn, "TYPE", "nosuchtype")
    assert seen == []


@pytest.mark.needs_commands("RPUSH")
def test_scan_type_filters_mixed_types(conn):
    for i in range(50):
        conn.call("SET", f"str:{i}", i)
        conn.call("RPUSH", f"list:{i}", i)
    seen, _ = full_scan(conn, "MATCH", "str:1*", "COUNT", 7)
    assert set(seen) == {f"str:{i}".encode() for i in range(50) if str(i).startswith("1")}
    seen, _ = full_scan(conn, "TYPE", "list")
    assert set(seen) == {f"list:{i}".encode() for i in range(50)}
    seen, _ = full_scan(conn, "TYPE", "string", "MATCH", "*:4*")
    assert set(seen) == {f"str:{i}".encode() for i in range(50) if str(i).startswith("4")}


def test_scan_empty_db(conn):
    assert conn.call("SCAN", 0) == [b"0", []]


@pytest.mark.parametrize("args, reply", [
    (["abc"], err("ERR invalid cursor")),
    (["18446744073709551616"], err("ERR invalid cursor")),
    (["0", "COUNT", 0], SYNTAX),
    (["0", "COUNT", -1], SYNTAX),
    (["0", "COUNT", "abc"], NOT_INTEGER),
    (["0", "MATCH"], SYNTAX),
    (["0", "foo", "bar"], SYNTAX),
])
def test_scan_errors(conn, args, reply):
    conn.call("SET", "k", "v")
    assert conn.call("SCAN", *args) == reply


# -------------------------------------------------------------- RANDOMKEY

def test_randomkey(conn):
    assert conn.call("RANDOMKEY") is None
    conn.call("MSET", "a", 1, "b", 2, "c", 3)
    for _ in range(20):
        assert conn.call("RANDOMKEY") in (b"a", b"b", b"c")


# ------------------------------------------------------- RENAME RENAMENX

def test_rename(conn):
    conn.call("SET", "a", "1", "EX", 100)
    assert conn.call("RENAME", "a", "b") == b"OK"
    assert conn.call("EXISTS", "a") == 0
    assert conn.call("GET", "b") == b"1"
    assert 0 < conn.call("TTL", "b") <= 100          # TTL travels with the key
    conn.call("SET", "c", "2")
    assert conn.call("RENAME", "c", "b") == b"OK"     # overwrites, drops old TTL
    assert conn.call("TTL", "b") == -1
    assert conn.call("RENAME", "b", "b") == b"OK"
    assert conn.call("RENAME", "missing", "x") == NO_SUCH_KEY


@pytest.mark.needs_commands("RPUSH")
def test_rename_list(conn):
    conn.call("RPUSH", "l", "x")
    assert conn.call("RENAME", "l", "l2") == b"OK"
    assert conn.call("TYPE", "l2") == b"list"


def test_renamenx(conn):
    conn.call("MSET", "a", 1, "b", 2)
    assert conn.call("RENAMENX", "a", "b") == 0
    assert conn.call("RENAMENX", "a", "c") == 1
    assert conn.call("RENAMENX", "c", "c") == 0
    assert conn.call("RENAMENX", "missing", "x") == NO_SUCH_KEY
    assert conn.call("MGET", "a", "b", "c") == [None, b"2", b"1"]


# ------------------------------------------------------------ COPY MOVE

def test_copy(conn):
    conn.call("SET", "src", "v", "EX", 100)
    assert conn.call("COPY", "src", "dst") == 1
    assert conn.call("GET", "dst") == b"v"
    assert 0 < conn.call("TTL", "dst") <= 100
    assert conn.call("COPY", "src", "dst") == 0
    conn.call("SET", "src", "v2")
    assert conn.call("COPY", "src", "dst", "REPLACE") == 1
    assert conn.call("GET", "dst") == b"v2"
    assert conn.call("TTL", "dst") == -1
    assert conn.call("COPY", "missing", "x") == 0
    assert conn.call("COPY", "src", "src") == SAME_OBJECT
    assert conn.call("COPY", "src", "src", "DB", 0) == SAME_OBJECT


def test_copy_to_other_db(conn):
    conn.call("SET", "src", "v")
    assert conn.call("COPY", "src", "src", "DB", 1) == 1
    assert conn.call("COPY", "src", "src", "DB", 1) == 0
    assert conn.call("COPY", "src", "src", "DB", 1, "REPLACE") == 1
    assert conn.call("COPY", "src", "x", "DB", 100) == DB_RANGE
    assert conn.call("COPY", "src", "x", "DB", -1) == DB_RANGE
    assert conn.call("COPY", "src", "x", "DB", "abc") == NOT_INTEGER
    assert conn.call("COPY", "src", "x", "foo") == SYNTAX
    assert conn.call("SELECT", 1) == b"OK"
    assert conn.call("GET", "src") == b"v"


def test_copy_is_independent(conn):
    conn.call("SET", "s", "a")
    conn.call("COPY", "s", "s2")
    conn.call("APPEND", "s2", "b")
    assert conn.call("MGET", "s", "s2") == [b"a", b"ab"]


@pytest.mark.needs_commands("RPUSH", "LRANGE")
def test_copy_of_list_is_independent(conn):
    conn.call("RPUSH", "l", "a")
    conn.call("COPY", "l", "l2")
    conn.call("RPUSH", "l2", "b")
    assert conn.call("LRANGE", "l", 0, -1) == [b"a"]
    assert conn.call("LRANGE", "l2", 0, -1) == [b"a", b"b"]


def test_move(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("MOVE", "k", 1) == 1
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("MOVE", "k", 1) == 0
    conn.call("SELECT", 1)
    assert conn.call("GET", "k") == b"v"
    assert 0 < conn.call("TTL", "k") <= 100
    conn.call("SELECT", 0)
    conn.call("SET", "k", "other")
    assert conn.call("MOVE", "k", 1) == 0          # target exists
    assert conn.call("GET", "k") == b"other"
    assert conn.call("MOVE", "k", 0) == SAME_OBJECT
    assert conn.call("MOVE", "k", 16) == DB_RANGE
    assert conn.call("MOVE", "k", -1) == DB_RANGE
    assert conn.call("MOVE", "k", "x") == NOT_INTEGER


# ------------------------------------------------------------- databases

def test_select_and_dbsize(conn):
    conn.call("MSET", "a", 1, "b", 2)
    assert conn.call("DBSIZE") == 2
    assert conn.call("SELECT", 15) == b"OK"
    assert conn.call("DBSIZE") == 0
    assert conn.call("GET", "a") is None
    assert conn.call("SELECT", 16) == DB_RANGE
    assert conn.call("SELECT", -1) == DB_RANGE
    assert conn.call("SELECT", "abc") == NOT_INTEGER
    assert conn.call("SELECT", "1.5") == NOT_INTEGER
    assert conn.call("DBSIZE") == 0       # a failed SELECT leaves the db alone
    assert conn.call("SELECT", 0) == b"OK"
    assert conn.call("DBSIZE") == 2


def test_select_is_per_connection(raw):
    one, two = raw(), raw()
    assert one.call("SELECT", 3) == b"OK"
    one.call("SET", "k", "in3")
    assert two.call("GET", "k") is None
    two.call("SELECT", 3)
    assert two.call("GET", "k") == b"in3"


@pytest.mark.server_args("--databases", "4")
def test_databases_option(conn):
    assert conn.call("SELECT", 3) == b"OK"
    assert conn.call("SELECT", 4) == DB_RANGE


def test_swapdb(raw):
    one, two = raw(), raw()
    one.call("SET", "k", "db0")
    one.call("SELECT", 1)
    one.call("MSET", "k", "db1", "x", "y")
    assert two.call("SWAPDB", 0, 1) == b"OK"
    # Connections stay on their db index; the data moved underneath them.
    assert two.call("GET", "k") == b"db1"
    assert two.call("DBSIZE") == 2
    assert one.call("GET", "k") == b"db0"
    assert two.call("SWAPDB", 0, 0) == b"OK"
    assert two.call("SWAPDB", 0, 100) == DB_RANGE
    assert two.call("SWAPDB", 0, -1) == DB_RANGE
    assert two.call("SWAPDB", "abc", 0) == err("ERR invalid first DB index")
    assert two.call("SWAPDB", 0, "abc") == err("ERR invalid second DB index")


def test_flushdb_and_flushall(conn):
    conn.call("SET", "a", 1)
    conn.call("SELECT", 1)
    conn.call("SET", "b", 1)
    assert conn.call("FLUSHDB") == b"OK"
    assert conn.call("DBSIZE") == 0
    conn.call("SELECT", 0)
    assert conn.call("DBSIZE") == 1
    for mode in ("ASYNC", "SYNC", "async"):
        conn.call("MSET", "a", 1, "b", 2)
        assert conn.call("FLUSHDB", mode) == b"OK"
        assert conn.call("DBSIZE") == 0
    conn.call("SET", "a", 1)
    conn.call("SELECT", 2)
    conn.call("SET", "a", 1)
    assert conn.call("FLUSHALL", "ASYNC") == b"OK"
    assert conn.call("DBSIZE") == 0
    conn.call("SELECT", 0)
    assert conn.call("DBSIZE") == 0
    conn.call("SET", "a", 1)
    assert conn.call("FLUSHALL", "SYNC") == b"OK"
    assert conn.call("FLUSHALL") == b"OK"
    assert conn.call("DBSIZE") == 0
    assert conn.call("FLUSHDB", "foo") == SYNTAX
    assert conn.call("FLUSHALL", "foo") == SYNTAX


def test_keyspace_info_section(conn):
    conn.call("MSET", "a", 1, "b", 2)
    conn.call("EXPIRE", "a", 100)
    conn.call("SELECT", 3)
    conn.call("SET", "c", 1)
    info = conn.call("INFO", "keyspace").decode()
    lines = info.split("\r\n")
    assert lines[0] == "# Keyspace"
    assert lines[1].startswith("db0:keys=2,expires=1,avg_ttl=")
    assert lines[2].startswith("db3:keys=1,expires=0,avg_ttl=")
    assert info.endswith("\r\n")


# ---------------------------------------------------------------- OBJECT

def test_object_refcount(conn):
    conn.call("SET", "s", "hello")
    assert conn.call("OBJECT", "REFCOUNT", "s") == 1
    assert conn.call("OBJECT", "REFCOUNT", "missing") is None
    conn.call("SET", "big", 20000)
    assert conn.call("OBJECT", "REFCOUNT", "big") == 1


def test_object_refcount_of_shared_small_integer(conn):
    """Integers 0..9999 are shared objects reported with INT_MAX refcount."""
    conn.call("SET", "n", 5)
    assert conn.call("OBJECT", "REFCOUNT", "n") == 2147483647


def test_object_idletime_and_freq(conn):
    conn.call("SET", "k", "v")
    assert 0 <= conn.call("OBJECT", "IDLETIME", "k") <= 2
    assert conn.call("OBJECT", "IDLETIME", "missing") is None
    assert conn.call("OBJECT", "FREQ", "k") == err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take "
        "some time to adjust.")


@pytest.mark.server_args("--maxmemory-policy", "allkeys-lfu")
def test_object_freq_with_lfu_policy(conn):
    conn.call("SET", "k", "v")
    assert conn.call("OBJECT", "FREQ", "k") == 5     # LFU_INIT_VAL
    assert conn.call("OBJECT", "FREQ", "missing") is None
    assert conn.call("OBJECT", "IDLETIME", "k") == err(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
        "when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.")


def test_object_help(conn):
    assert conn.call_raw("OBJECT", "HELP") == (
        b"*15\r\n"
        b"+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        b"+ENCODING <key>\r\n"
        b"+    Return the kind of internal representation used in order to store the value\r\n"
        b"+    associated with a <key>.\r\n"
        b"+FREQ <key>\r\n"
        b"+    Return the access frequency index of the <key>. The returned integer is\r\n"
        b"+    proportional to the logarithm of the recent access frequency of the key.\r\n"
        b"+IDLETIME <key>\r\n"
        b"+    Return the idle time of the <key>, that is the approximated number of\r\n"
        b"+    seconds elapsed since the last access to the key.\r\n"
        b"+REFCOUNT <key>\r\n"
        b"+    Return the number of references of the value associated with the specified\r\n"
        b"+    <key>.\r\n"
        b"+HELP\r\n"
        b"+    Prints this help.\r\n")


def test_object_errors(conn):
    assert conn.call("OBJECT", "foo") == err("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    assert conn.call("OBJECT", "ENCODING", "a", "b") == err(
        "ERR wrong number of arguments for 'object|encoding' command")


@pytest.mark.needs_commands("RPUSH")
def test_object_encoding_of_list(conn):
    conn.call("RPUSH", "l", "x")
    assert conn.call("OBJECT", "ENCODING", "l") in (b"quicklist", b"listpack")
