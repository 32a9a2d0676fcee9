"""MULTI / EXEC / DISCARD / WATCH / UNWATCH, as Redis 7.0's multi.c.

Most tests use two connections: one WATCHes and runs the transaction, the
other writes in between.  ``exec_after`` does that dance and returns what EXEC
answered: None when a watched key was touched (the null array), the list of
replies when the transaction ran.  Every expectation was taken from a real
redis-server 7.0.15 (REDWING_BIN=/usr/bin/redis-server runs them there).
"""

import time

import pytest

from raw_resp import Error, encode_command, err

DEBUG = pytest.mark.server_args("--enable-debug-command", "yes")
EXECABORT = err("EXECABORT Transaction discarded because of previous errors.")
WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value")


def exec_after(raw, setup=(), touch=(), watch=("k",), db=0, touch_db=None):
    """Runs `setup`, WATCHes `watch` in `db`, runs `touch` from another
    connection (in `touch_db`, default `db`), then MULTI PING EXEC. Returns
    EXEC's reply."""
    watcher, other = raw(), raw()
    for conn, n in ((watcher, db), (other, db if touch_db is None else touch_db)):
        assert conn.call("SELECT", n) == b"OK"
    for cmd in setup:
        assert not isinstance(other.call(*cmd), Error), cmd
    assert watcher.call("WATCH", *watch) == b"OK"
    for cmd in touch:
        other.call(*cmd)
    assert watcher.call("MULTI") == b"OK"
    assert watcher.call("PING") == b"QUEUED"
    return watcher.call("EXEC")


def info_section(conn, section):
    out = {}
    for line in conn.call("INFO", section).decode().split("\r\n"):
        if ":" in line:
            name, value = line.split(":", 1)
            out[name] = value
    return out


def cmdstat(conn, name):
    line = info_section(conn, "commandstats").get(f"cmdstat_{name}")
    if line is None:
        return None
    return {k: float(v) if "." in v else int(v)
            for k, v in (item.split("=") for item in line.split(","))}


def client_line(conn, client_id):
    for line in conn.call("CLIENT", "LIST").decode().splitlines():
        fields = dict(item.split("=", 1) for item in line.split(" "))
        if fields["id"] == str(client_id):
            return fields
    raise AssertionError(f"client {client_id} not listed")


# ------------------------------------------------------------ MULTI / EXEC

def test_exec_replies_every_queued_reply(conn):
    assert conn.call_raw("MULTI") == b"+OK\r\n"
    assert conn.call_raw("SET", "a", "1") == b"+QUEUED\r\n"
    assert conn.call_raw("INCR", "a") == b"+QUEUED\r\n"
    assert conn.call_raw("GET", "a") == b"+QUEUED\r\n"
    assert conn.call_raw("EXEC") == b"*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n"
    assert conn.call("GET", "a") == b"2"


def test_empty_transaction(conn):
    assert conn.call("MULTI") == b"OK"
    assert conn.call_raw("EXEC") == b"*0\r\n"


def test_queued_commands_run_only_at_exec(raw):
    a, b = raw(), raw()
    assert a.call("MULTI") == b"OK"
    assert a.call("SET", "k", "v") == b"QUEUED"
    assert b.call("GET", "k") is None
    assert a.call("EXEC") == [b"OK"]
    assert b.call("GET", "k") == b"v"


def test_errors_inside_exec_stay_per_command(conn):
    conn.call("MULTI")
    for cmd in (("SET", "a", "1"), ("INCR", "a"), ("LPUSH", "a", "x"), ("SET", "a", "b", "BAD"),
                ("HSET", "a", "f", "v"), ("GET", "a")):
        assert conn.call(*cmd) == b"QUEUED"
    assert conn.call_raw("EXEC") == (
        b"*6\r\n+OK\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        b"-ERR syntax error\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        b"$1\r\n2\r\n")


@pytest.mark.parametrize("bad, error", [
    (("NOSUCHCOMMAND", "x"), "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "),
    (("SET", "a"), "ERR wrong number of arguments for 'set' command"),
    (("CONFIG", "NOSUCH"), "ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP."),
    (("CONFIG",), "ERR wrong number of arguments for 'config' command"),
    (("DISCARD", "x"), "ERR wrong number of arguments for 'discard' command"),
    (("SHUTDOWN",), "ERR Command not allowed inside a transaction"),
])
def test_error_while_queuing_aborts_exec(conn, bad, error):
    assert conn.call("MULTI") == b"OK"
    assert conn.call("SET", "a", "1") == b"QUEUED"
    assert conn.call(*bad) == err(error)
    assert conn.call("SET", "b", "1") == b"QUEUED"
    assert conn.call("EXEC") == EXECABORT
    # The transaction is over and nothing ran.
    assert conn.call("EXEC") == err("ERR EXEC without MULTI")
    assert conn.call("EXISTS", "a", "b") == 0


def test_exec_with_arguments_aborts_with_the_reason(conn):
    assert conn.call("MULTI") == b"OK"
    assert conn.call("SET", "a", "2") == b"QUEUED"
    assert conn.call("EXEC", "x") == err(
        "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")
    assert conn.call("EXEC") == err("ERR EXEC without MULTI")
    assert conn.call("EXISTS", "a") == 0
    # Outside MULTI too, a refused EXEC answers EXECABORT.
    assert conn.call("EXEC", "x") == err(
        "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command")


def test_transaction_errors_outside_multi(conn):
    assert conn.call("EXEC") == err("ERR EXEC without MULTI")
    assert conn.call("DISCARD") == err("ERR DISCARD without MULTI")
    assert conn.call("UNWATCH") == b"OK"
    assert conn.call("WATCH") == err("ERR wrong number of arguments for 'watch' command")
    assert conn.call("MULTI", "x") == err("ERR wrong number of arguments for 'multi' command")


def test_nested_multi_and_watch_inside_multi_do_not_abort(conn):
    assert conn.call("MULTI") == b"OK"
    assert conn.call("MULTI") == err("ERR MULTI calls can not be nested")
    assert conn.call("WATCH", "x") == err("ERR WATCH inside MULTI is not allowed")
    assert conn.call("SET", "a", "1") == b"QUEUED"
    assert conn.call("EXEC") == [b"OK"]


def test_discard_drops_the_queue_and_the_watches(raw):
    a, b = raw(), raw()
    assert a.call("WATCH", "k") == b"OK"
    assert a.call("MULTI") == b"OK"
    assert a.call("SET", "q", "1") == b"QUEUED"
    assert a.call("DISCARD") == b"OK"
    assert a.call("EXISTS", "q") == 0
    b.call("SET", "k", "changed")              # no longer watched
    assert a.call("MULTI") == b"OK"
    assert a.call("EXEC") == []


def test_quit_inside_multi_is_not_queued(conn):
    conn.call("MULTI")
    conn.call("SET", "a", "1")
    assert conn.call("QUIT") == b"OK"
    assert conn.is_closed()


def test_select_inside_exec_sticks(conn):
    conn.call("MULTI")
    assert conn.call("SELECT", "2") == b"QUEUED"
    assert conn.call("SET", "x", "1") == b"QUEUED"
    assert conn.call("EXEC") == [b"OK", b"OK"]
    assert conn.call("GET", "x") == b"1"
    assert conn.call("SELECT", "0") == b"OK"
    assert conn.call("EXISTS", "x") == 0


def test_monitor_is_refused_inside_exec(conn):
    conn.call("MULTI")
    conn.call("MONITOR")
    conn.call("PING")
    assert conn.call("EXEC") == [err("ERR MONITOR isn't allowed for DENY BLOCKING client"), b"PONG"]
    assert conn.call("PING") == b"PONG"


def test_pipelined_transaction(conn):
    commands = [("MULTI",)] + [("INCR", "n")] * 100 + [("GET", "n"), ("EXEC",), ("GET", "n")]
    conn.send(b"".join(encode_command(*c) for c in commands))
    assert conn.read_reply() == b"OK"
    for _ in range(101):
        assert conn.read_reply() == b"QUEUED"
    assert conn.read_reply() == list(range(1, 101)) + [b"100"]
    assert conn.read_reply() == b"100"


def test_pipelined_transaction_with_an_error_aborts(conn):
    commands = [("MULTI",), ("SET", "a", "1"), ("NOSUCH",), ("SET", "b", "2"), ("EXEC",),
                ("EXISTS", "a", "b")]
    conn.send(b"".join(encode_command(*c) for c in commands))
    assert [conn.read_reply() for _ in commands] == [
        b"OK", b"QUEUED", err("ERR unknown command 'NOSUCH', with args beginning with: "),
        b"QUEUED", EXECABORT, 0]


def test_queued_arguments_survive_later_input(conn):
    """Queued commands keep their own copy of the arguments: the query buffer that held
    them is reused for the commands that follow."""
    big = "v" * 100_000
    conn.send(encode_command("MULTI") + encode_command("SET", "a", big) +
              encode_command("SET", "b", "x" * 50_000) + encode_command("APPEND", "a", "tail"))
    assert [conn.read_reply() for _ in range(4)] == [b"OK", b"QUEUED", b"QUEUED", b"QUEUED"]
    conn.send(encode_command("PING", "z" * 200_000))
    assert conn.read_reply() == b"QUEUED"
    assert conn.call("EXEC") == [b"OK", b"OK", 100_004, b"z" * 200_000]
    assert conn.call("GET", "a") == big.encode() + b"tail"


def test_resp3_replies(conn):
    conn.call("HELLO", "3")
    conn.call("HSET", "h", "f", "v")
    assert conn.call("MULTI") == b"OK"
    assert conn.call("HGETALL", "h") == b"QUEUED"
    assert conn.call_raw("EXEC") == b"*1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n"


def test_resp3_aborted_exec_is_a_null(raw):
    a, b = raw(), raw()
    a.call("HELLO", "3")
    assert a.call("WATCH", "k") == b"OK"
    b.call("SET", "k", "1")
    a.call("MULTI")
    a.call("PING")
    assert a.call_raw("EXEC") == b"_\r\n"


def test_resp2_aborted_exec_is_a_null_array(raw):
    a, b = raw(), raw()
    assert a.call("WATCH", "k") == b"OK"
    b.call("SET", "k", "1")
    a.call("MULTI")
    assert a.call_raw("EXEC") == b"*-1\r\n"


# ------------------------------------------------------------------ WATCH

def test_watch_without_writes_lets_exec_run(raw):
    assert exec_after(raw, setup=[("SET", "k", "1")]) == [b"PONG"]


def test_watched_key_written_by_another_client_aborts_exec(raw):
    assert exec_after(raw, touch=[("SET", "k", "1")]) is None


def test_own_write_before_multi_aborts_too(conn):
    conn.call("WATCH", "k")
    conn.call("SET", "k", "mine")
    conn.call("MULTI")
    conn.call("SET", "k", "tx")
    assert conn.call("EXEC") is None
    assert conn.call("GET", "k") == b"mine"


def test_write_after_multi_aborts(raw):
    a, b = raw(), raw()
    a.call("WATCH", "k")
    a.call("MULTI")
    a.call("SET", "k", "tx")
    b.call("SET", "k", "other")
    assert a.call("EXEC") is None
    assert b.call("GET", "k") == b"other"


def test_every_watcher_is_told(raw):
    a, b, c = raw(), raw(), raw()
    a.call("WATCH", "k", "x")
    b.call("WATCH", "y", "k")
    c.call("SET", "k", "1")
    for conn in (a, b):
        conn.call("MULTI")
        assert conn.call("EXEC") is None


def test_watch_is_per_database(raw):
    assert exec_after(raw, touch=[("SET", "k", "1")], db=1, touch_db=0) == [b"PONG"]
    assert exec_after(raw, touch=[("SET", "k", "1")], db=1, touch_db=1) is None


def test_exec_unwatches_everything(raw):
    a, b = raw(), raw()
    a.call("WATCH", "k")
    a.call("MULTI")
    assert a.call("EXEC") == []
    b.call("SET", "k", "1")
    a.call("MULTI")
    assert a.call("EXEC") == []


@pytest.mark.parametrize("after_touch, aborted", [
    ("UNWATCH", False),                        # forgets the touched key and the touch
    ("WATCH", True),                           # already doomed: WATCH adds nothing
])
def test_watch_commands_after_a_touch(raw, after_touch, aborted):
    a, b = raw(), raw()
    a.call("WATCH", "k")
    b.call("SET", "k", "1")
    assert a.call(after_touch, *(["other"] if after_touch == "WATCH" else [])) == b"OK"
    a.call("MULTI")
    assert (a.call("EXEC") is None) == aborted


def test_watching_the_same_key_twice(raw):
    a, b = raw(), raw()
    assert a.call("WATCH", "k", "k") == b"OK"
    assert a.call("WATCH", "k") == b"OK"
    b.call("SET", "k", "1")
    a.call("MULTI")
    assert a.call("EXEC") is None


def test_aborted_exec_still_ends_the_transaction(raw):
    a, b = raw(), raw()
    a.call("WATCH", "k")
    b.call("SET", "k", "1")
    a.call("MULTI")
    a.call("SET", "k", "2")
    assert a.call("EXEC") is None
    assert a.call("EXEC") == err("ERR EXEC without MULTI")
    assert a.call("GET", "k") == b"1"


def test_watcher_that_disconnects_is_forgotten(raw):
    a, b = raw(), raw()
    for i in range(50):
        assert a.call("WATCH", f"k{i}") == b"OK"
    a.close()
    time.sleep(0.1)
    for i in range(50):
        assert b.call("SET", f"k{i}", "1") == b"OK"
    assert b.call("FLUSHALL") == b"OK"


def test_many_clients_many_keys(raw):
    watchers = [raw() for _ in range(10)]
    for n, w in enumerate(watchers):
        assert w.call("WATCH", *[f"k{n}-{i}" for i in range(100)], "shared") == b"OK"
    writer = raw()
    writer.call("SET", "k3-50", "x")
    writer.call("SET", "k7-0", "x")
    results = []
    for w in watchers:
        w.call("MULTI")
        results.append(w.call("EXEC"))
    assert [r is None for r in results] == [n in (3, 7) for n in range(10)]
    for w in watchers:
        w.call("WATCH", "shared")
    writer.call("DEL", "shared")                # missing: no touch
    writer.call("SET", "shared", "1")
    for w in watchers:
        w.call("MULTI")
        assert w.call("EXEC") is None


# ------------------------------------------------- what touches a watched key

TOUCHES = {
    # strings
    "set": ([], [("SET", "k", "x")]),
    "set-nx-missing": ([], [("SET", "k", "x", "NX")]),
    "set-xx": ([("SET", "k", "1")], [("SET", "k", "x", "XX")]),
    "set-same-value": ([("SET", "k", "1")], [("SET", "k", "1")]),
    "set-get": ([("SET", "k", "1")], [("SET", "k", "2", "GET")]),
    "set-keepttl": ([("SET", "k", "1", "EX", 100)], [("SET", "k", "2", "KEEPTTL")]),
    "setnx": ([], [("SETNX", "k", "x")]),
    "setex": ([], [("SETEX", "k", 100, "x")]),
    "psetex": ([], [("PSETEX", "k", 100000, "x")]),
    "getset": ([("SET", "k", "1")], [("GETSET", "k", "2")]),
    "getdel": ([("SET", "k", "1")], [("GETDEL", "k")]),
    "getex-ex": ([("SET", "k", "1")], [("GETEX", "k", "EX", 100)]),
    "getex-pxat-past": ([("SET", "k", "1")], [("GETEX", "k", "PXAT", 1)]),
    "getex-persist": ([("SET", "k", "1", "EX", 100)], [("GETEX", "k", "PERSIST")]),
    "mset": ([], [("MSET", "a", "1", "k", "2")]),
    "msetnx": ([], [("MSETNX", "a", "1", "k", "2")]),
    "append": ([("SET", "k", "1")], [("APPEND", "k", "x")]),
    "append-missing": ([], [("APPEND", "k", "x")]),
    "append-empty": ([("SET", "k", "1")], [("APPEND", "k", "")]),
    "setrange": ([("SET", "k", "1")], [("SETRANGE", "k", 3, "x")]),
    "setrange-missing": ([], [("SETRANGE", "k", 3, "x")]),
    "incr": ([], [("INCR", "k")]),
    "decr": ([("SET", "k", "5")], [("DECR", "k")]),
    "incrby": ([], [("INCRBY", "k", 0)]),
    "decrby": ([], [("DECRBY", "k", 3)]),
    "incrbyfloat": ([], [("INCRBYFLOAT", "k", "1.5")]),
    # keyspace
    "del": ([("SET", "k", "1")], [("DEL", "a", "k")]),
    "unlink": ([("SET", "k", "1")], [("UNLINK", "k")]),
    "expire": ([("SET", "k", "1")], [("EXPIRE", "k", 100)]),
    "pexpire": ([("SET", "k", "1")], [("PEXPIRE", "k", 100000)]),
    "expireat": ([("SET", "k", "1")], [("EXPIREAT", "k", 4102444800)]),
    "pexpireat": ([("SET", "k", "1")], [("PEXPIREAT", "k", 4102444800000)]),
    "expire-past": ([("SET", "k", "1")], [("EXPIRE", "k", -1)]),
    "expire-gt": ([("SET", "k", "1", "EX", 10)], [("EXPIRE", "k", 100, "GT")]),
    "persist": ([("SET", "k", "1", "EX", 100)], [("PERSIST", "k")]),
    "rename-from": ([("SET", "k", "1")], [("RENAME", "k", "other")]),
    "rename-to": ([("SET", "a", "1")], [("RENAME", "a", "k")]),
    "renamenx-from": ([("SET", "k", "1")], [("RENAMENX", "k", "other")]),
    "renamenx-to": ([("SET", "a", "1")], [("RENAMENX", "a", "k")]),
    "copy-to": ([("SET", "a", "1")], [("COPY", "a", "k")]),
    "copy-replace": ([("SET", "a", "1"), ("SET", "k", "1")], [("COPY", "a", "k", "REPLACE")]),
    "move-from": ([("SET", "k", "1")], [("MOVE", "k", 1)]),
    "flushdb": ([("SET", "k", "1")], [("FLUSHDB",)]),
    "flushall": ([("SET", "k", "1")], [("FLUSHALL",)]),
    "flushall-async": ([("SET", "k", "1")], [("FLUSHALL", "ASYNC")]),
    "swapdb-present-here": ([("SET", "k", "1")], [("SWAPDB", 0, 1)]),
    "swapdb-present-there": ([("SELECT", 1), ("SET", "k", "1"), ("SELECT", 0)], [("SWAPDB", 0, 1)]),
    "swapdb-reversed": ([("SELECT", 1), ("SET", "k", "1"), ("SELECT", 0)], [("SWAPDB", 1, 0)]),
    # lists
    "lpush": ([], [("LPUSH", "k", "a")]),
    "rpush": ([("RPUSH", "k", "a")], [("RPUSH", "k", "b")]),
    "lpushx": ([("RPUSH", "k", "a")], [("LPUSHX", "k", "b")]),
    "rpushx": ([("RPUSH", "k", "a")], [("RPUSHX", "k", "b")]),
    "lpop": ([("RPUSH", "k", "a", "b")], [("LPOP", "k")]),
    "rpop-last": ([("RPUSH", "k", "a")], [("RPOP", "k")]),
    "lpop-count": ([("RPUSH", "k", "a", "b")], [("LPOP", "k", 5)]),
    "lset": ([("RPUSH", "k", "a")], [("LSET", "k", 0, "a")]),
    "linsert": ([("RPUSH", "k", "a")], [("LINSERT", "k", "BEFORE", "a", "z")]),
    "lrem": ([("RPUSH", "k", "a", "b")], [("LREM", "k", 0, "a")]),
    "ltrim": ([("RPUSH", "k", "a", "b")], [("LTRIM", "k", 0, 0)]),
    "ltrim-keeps-all": ([("RPUSH", "k", "a", "b")], [("LTRIM", "k", 0, -1)]),
    "rpoplpush-src": ([("RPUSH", "k", "a")], [("RPOPLPUSH", "k", "other")]),
    "rpoplpush-dst": ([("RPUSH", "a", "a")], [("RPOPLPUSH", "a", "k")]),
    "lmove-rotate": ([("RPUSH", "k", "a", "b")], [("LMOVE", "k", "k", "LEFT", "RIGHT")]),
    "lmpop": ([("RPUSH", "k", "a")], [("LMPOP", 2, "a", "k", "LEFT")]),
    # hashes
    "hset": ([], [("HSET", "k", "f", "v")]),
    "hset-same": ([("HSET", "k", "f", "v")], [("HSET", "k", "f", "v")]),
    "hmset": ([], [("HMSET", "k", "f", "v")]),
    "hsetnx": ([("HSET", "k", "f", "v")], [("HSETNX", "k", "g", "v")]),
    "hdel": ([("HSET", "k", "f", "v", "g", "w")], [("HDEL", "k", "f", "x")]),
    "hdel-last": ([("HSET", "k", "f", "v")], [("HDEL", "k", "f")]),
    "hincrby": ([], [("HINCRBY", "k", "f", 1)]),
    "hincrbyfloat": ([("HSET", "k", "f", "1")], [("HINCRBYFLOAT", "k", "f", "0.5")]),
}

NO_TOUCH = {
    "get": ([("SET", "k", "1")], [("GET", "k"), ("EXISTS", "k"), ("TTL", "k"), ("TOUCH", "k"),
                                  ("TYPE", "k"), ("STRLEN", "k"), ("OBJECT", "ENCODING", "k")]),
    "set-nx-existing": ([("SET", "k", "1")], [("SET", "k", "x", "NX")]),
    "set-xx-missing": ([], [("SET", "k", "x", "XX")]),
    "set-get-wrongtype": ([("RPUSH", "k", "a")], [("SET", "k", "x", "GET")]),
    "set-bad-option": ([("SET", "k", "1")], [("SET", "k", "x", "EX", 0)]),
    "setnx-existing": ([("SET", "k", "1")], [("SETNX", "k", "x")]),
    "getdel-missing": ([], [("GETDEL", "k")]),
    "getex-plain": ([("SET", "k", "1")], [("GETEX", "k")]),
    "getex-persist-no-ttl": ([("SET", "k", "1")], [("GETEX", "k", "PERSIST")]),
    "msetnx-fails": ([("SET", "a", "1")], [("MSETNX", "a", "1", "k", "2")]),
    "setrange-empty": ([("SET", "k", "1")], [("SETRANGE", "k", 0, "")]),
    "setrange-empty-missing": ([], [("SETRANGE", "k", 0, "")]),
    "incr-not-a-number": ([("SET", "k", "x")], [("INCR", "k")]),
    "incr-overflow": ([("SET", "k", "9223372036854775807")], [("INCR", "k")]),
    "append-wrongtype": ([("RPUSH", "k", "a")], [("APPEND", "k", "x")]),
    "del-missing": ([], [("DEL", "k"), ("UNLINK", "k")]),
    "expire-missing": ([], [("EXPIRE", "k", 100)]),
    "expire-nx-fails": ([("SET", "k", "1", "EX", 10)], [("EXPIRE", "k", 100, "NX")]),
    "persist-no-ttl": ([("SET", "k", "1")], [("PERSIST", "k")]),
    "rename-same": ([("SET", "k", "1")], [("RENAME", "k", "k")]),
    "renamenx-target-exists": ([("SET", "k", "1"), ("SET", "a", "1")], [("RENAMENX", "a", "k")]),
    "copy-exists": ([("SET", "k", "1"), ("SET", "a", "1")], [("COPY", "a", "k")]),
    "copy-from": ([("SET", "k", "1")], [("COPY", "k", "other")]),
    "move-exists-there": ([("SET", "k", "1"), ("SELECT", 1), ("SET", "k", "1"), ("SELECT", 0)],
                          [("MOVE", "k", 1)]),
    "lpushx-missing": ([], [("LPUSHX", "k", "a")]),
    "lpop-missing": ([], [("LPOP", "k")]),
    "lpop-zero": ([("RPUSH", "k", "a")], [("LPOP", "k", 0)]),
    "lrem-no-match": ([("RPUSH", "k", "a")], [("LREM", "k", 0, "z")]),
    "linsert-no-pivot": ([("RPUSH", "k", "a")], [("LINSERT", "k", "BEFORE", "z", "y")]),
    "lset-out-of-range": ([("RPUSH", "k", "a")], [("LSET", "k", 5, "x")]),
    "ltrim-missing": ([], [("LTRIM", "k", 0, 0)]),
    "rpoplpush-missing": ([], [("RPOPLPUSH", "k", "k")]),
    "hdel-missing-field": ([("HSET", "k", "f", "v")], [("HDEL", "k", "x")]),
    "hsetnx-existing": ([("HSET", "k", "f", "v")], [("HSETNX", "k", "f", "w")]),
    "hincrby-not-a-number": ([("HSET", "k", "f", "x")], [("HINCRBY", "k", "f", 1)]),
    "flushall-missing": ([("SET", "a", "1")], [("FLUSHALL",)]),
    "flushdb-other-db": ([("SET", "k", "1")], [("SELECT", 1), ("FLUSHDB",)]),
    "swapdb-missing-in-both": ([("SET", "a", "1")], [("SWAPDB", 0, 1)]),
    "swapdb-other-dbs": ([("SET", "k", "1")], [("SWAPDB", 1, 2)]),
    "swapdb-same-db": ([("SET", "k", "1")], [("SWAPDB", 0, 0)]),
}


@pytest.mark.parametrize("name", sorted(TOUCHES))
def test_write_touches_watched_key(raw, name):
    setup, touch = TOUCHES[name]
    assert exec_after(raw, setup, touch) is None


@pytest.mark.parametrize("name", sorted(NO_TOUCH))
def test_command_that_changes_nothing_does_not_touch(raw, name):
    setup, touch = NO_TOUCH[name]
    assert exec_after(raw, setup, touch) == [b"PONG"]


def test_move_touches_the_key_in_the_target_db(raw):
    assert exec_after(raw, setup=[("SELECT", 0), ("SET", "k", "1")],
                      touch=[("MOVE", "k", 1)], db=1, touch_db=0) is None


def test_copy_to_another_db_touches_only_there(raw):
    assert exec_after(raw, setup=[("SET", "k", "1")], touch=[("COPY", "k", "k", "DB", 1)],
                      db=1, touch_db=0) is None
    assert exec_after(raw, setup=[("SET", "k", "1")], touch=[("COPY", "k", "k", "DB", 1)],
                      db=0, touch_db=0) == [b"PONG"]


def test_flushall_touches_every_database(raw):
    assert exec_after(raw, setup=[("SET", "k", "1")], touch=[("SELECT", 0), ("FLUSHALL",)],
                      db=3, touch_db=3) is None


def test_swapdb_touches_watchers_of_either_database(raw):
    # Watched in db 1, present only in db 0: after the swap it appears in db 1.
    assert exec_after(raw, setup=[("SELECT", 0), ("SET", "k", "1")],
                      touch=[("SWAPDB", 0, 1)], db=1, touch_db=1) is None


# ----------------------------------------------------------------- expiry

@DEBUG
@pytest.mark.parametrize("active_expire, between", [
    (1, None),                                 # reclaimed by the active cycle or not
    (0, None),                                 # past its TTL, still there at EXEC
    (0, ("GET", "k")),                         # deleted lazily by another client
])
def test_key_that_expires_after_watch_aborts_exec(raw, active_expire, between):
    """Redis 7.0: a key that expires after WATCH counts as modified, deleted or not."""
    a, b = raw(), raw()
    assert a.call("DEBUG", "SET-ACTIVE-EXPIRE", active_expire) == b"OK"
    a.call("SET", "k", "1", "PX", 100)
    a.call("WATCH", "k")
    time.sleep(0.2)
    if between:
        b.call(*between)
    a.call("MULTI")
    assert a.call("EXEC") is None


def test_active_expiry_of_a_watched_key_aborts_exec(raw):
    a, b = raw(), raw()
    a.call("SET", "k", "1", "PX", 50)
    a.call("WATCH", "k")
    deadline = time.monotonic() + 5
    while b.call("DBSIZE") != 0:               # DBSIZE does not expire lazily
        assert time.monotonic() < deadline, "active expiry never reclaimed the key"
        time.sleep(0.05)
    a.call("MULTI")
    assert a.call("EXEC") is None


@DEBUG
@pytest.mark.parametrize("touch, aborted", [
    (None, False),                             # watched while logically gone: no change
    (("GET", "k"), False),                     # lazy deletion of an already expired key
    (("DEL", "k"), False),
    (("EXISTS", "k"), False),
    (("FLUSHALL",), False),
    (("FLUSHDB",), False),
    (("SET", "k", "2"), True),                 # deleted, then created: a real change
    (("INCR", "k"), True),
    (("RPUSH", "k", "a"), True),
])
def test_key_already_expired_at_watch(raw, touch, aborted):
    a, b = raw(), raw()
    assert a.call("DEBUG", "SET-ACTIVE-EXPIRE", 0) == b"OK"
    a.call("SET", "k", "1", "PX", 20)
    time.sleep(0.1)
    assert a.call("DBSIZE") == 1               # expired, not yet deleted
    a.call("WATCH", "k")
    if touch:
        b.call(*touch)
    a.call("MULTI")
    assert (a.call("EXEC") is None) == aborted


@DEBUG
def test_swapdb_with_expired_keys(raw):
    a, b = raw(), raw()
    assert a.call("DEBUG", "SET-ACTIVE-EXPIRE", 0) == b"OK"
    # Watched while missing; the swap brings in an expired key: no logical change.
    b.call("SELECT", 1)
    b.call("SET", "k", "1", "PX", 20)
    time.sleep(0.1)
    a.call("WATCH", "k")
    b.call("SWAPDB", 0, 1)
    a.call("MULTI")
    assert a.call("EXEC") == []
    # Watched while expired; the swap brings in a live key: a change.
    a.call("FLUSHALL")
    a.call("SET", "k", "1", "PX", 20)
    b.call("SET", "k", "live")                 # b is in db 1
    time.sleep(0.1)
    a.call("WATCH", "k")
    b.call("SWAPDB", 0, 1)
    a.call("MULTI")
    assert a.call("EXEC") is None


# --------------------------------------------------------- introspection

def test_client_list_shows_multi_state(raw):
    a, b = raw(), raw()
    a_id = a.call("CLIENT", "ID")
    line = client_line(b, a_id)
    assert (line["flags"], line["multi"]) == ("N", "-1")
    a.call("MULTI")
    a.call("SET", "x", "1")
    a.call("GET", "x")
    line = client_line(b, a_id)                # cmd= names the queued command
    assert (line["flags"], line["multi"], line["cmd"]) == ("x", "2", "get")
    a.call("NOSUCH")
    line = client_line(b, a_id)                # refused and unknown: cmd=NULL, not queued
    assert (line["flags"], line["multi"], line["cmd"]) == ("x", "2", "NULL")
    a.call("DISCARD")
    a.call("WATCH", "k")
    b.call("SET", "k", "1")
    line = client_line(b, a_id)
    assert (line["flags"], line["multi"]) == ("d", "-1")
    a.call("MULTI")
    a.call("SET", "x", "1")                    # not kept: the transaction is doomed
    line = client_line(b, a_id)
    assert (line["flags"], line["multi"]) == ("xd", "0")
    assert a.call("EXEC") is None
    line = client_line(b, a_id)
    assert (line["flags"], line["multi"], line["cmd"]) == ("N", "-1", "exec")


def test_client_list_inside_exec(conn):
    conn.call("MULTI")
    conn.call("SET", "a", "1")
    conn.call("CLIENT", "INFO")
    reply = conn.call("EXEC")
    fields = dict(item.split("=", 1) for item in reply[1].decode().split())
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("x", "2", "exec")


def test_commandstats_count_commands_when_exec_runs_them(conn):
    conn.call("CONFIG", "RESETSTAT")
    conn.call("MULTI")
    for cmd in (("SET", "a", "1"), ("GET", "a"), ("INCR", "a"), ("LPUSH", "a", "x")):
        conn.call(*cmd)
    assert cmdstat(conn, "set") is None        # queued, not run
    conn.call("EXEC")
    assert cmdstat(conn, "set")["calls"] == 1
    assert cmdstat(conn, "get")["calls"] == 1
    assert cmdstat(conn, "incr")["calls"] == 1
    assert (cmdstat(conn, "lpush")["calls"], cmdstat(conn, "lpush")["failed_calls"]) == (1, 1)
    exec_stats = cmdstat(conn, "exec")
    assert (exec_stats["calls"], exec_stats["failed_calls"]) == (1, 0)
    assert cmdstat(conn, "multi")["calls"] == 1
    stats = info_section(conn, "stats")
    # CONFIG RESETSTAT, MULTI, 4 queued, EXEC and the 8 INFO calls before this one (a
    # command is counted once it has run).
    assert stats["total_commands_processed"] == "15"
    assert stats["total_error_replies"] == "1"


def test_commandstats_of_an_aborted_transaction(conn):
    conn.call("CONFIG", "RESETSTAT")
    conn.call("MULTI")
    conn.call("SET", "a", "1")
    conn.call("FOO")
    conn.call("SET", "a")
    assert conn.call("EXEC") == EXECABORT
    set_stats = cmdstat(conn, "set")
    assert (set_stats["calls"], set_stats["rejected_calls"]) == (0, 1)
    exec_stats = cmdstat(conn, "exec")
    assert (exec_stats["calls"], exec_stats["failed_calls"]) == (1, 1)
    errors = info_section(conn, "errorstats")
    assert errors["errorstat_ERR"] == "count=2"
    assert errors["errorstat_EXECABORT"] == "count=1"
    conn.call("CONFIG", "RESETSTAT")
    conn.call("MULTI")
    conn.call("EXEC", "x")
    exec_stats = cmdstat(conn, "exec")
    assert (exec_stats["calls"], exec_stats["rejected_calls"]) == (0, 1)
    assert "errorstat_ERR" not in info_section(conn, "errorstats")


def test_commandstats_of_a_watch_abort(raw):
    a, b = raw(), raw()
    a.call("CONFIG", "RESETSTAT")
    a.call("WATCH", "k")
    b.call("SET", "k", "1")
    a.call("MULTI")
    a.call("SET", "k", "2")
    assert a.call("EXEC") is None
    assert cmdstat(a, "set")["calls"] == 1     # b's only
    exec_stats = cmdstat(a, "exec")
    assert (exec_stats["calls"], exec_stats["failed_calls"]) == (1, 0)
    assert cmdstat(a, "watch")["calls"] == 1


def test_monitor_sees_queued_commands_at_exec(raw):
    monitor, conn = raw(), raw()
    assert monitor.call("MONITOR") == b"OK"
    for cmd in (("MULTI",), ("SET", "a", "1"), ("FOO",), ("EXEC",),
                ("MULTI",), ("SET", "a", "1"), ("GET", "a"), ("EXEC",),
                ("MULTI",), ("EXEC", "x"), ("PING",)):
        conn.call(*cmd)
    lines = []
    deadline = time.monotonic() + 5
    while len(lines) < 9 and time.monotonic() < deadline:
        lines.append(monitor.read_reply().decode())
    commands = [line.split("] ", 1)[1] for line in lines]
    assert commands == ['"MULTI"', '"EXEC"', '"MULTI"', '"SET" "a" "1"', '"GET" "a"', '"EXEC"',
                        '"MULTI"', '"EXEC" "x"', '"PING"']


def test_client_pause_write_holds_queued_writes_and_exec(raw):
    a, b = raw(), raw()
    assert b.call("MULTI") == b"OK"
    a.call("CLIENT", "PAUSE", 300, "WRITE")
    start = time.monotonic()
    assert b.call("SET", "p", "1") == b"QUEUED"     # a write waits even to be queued
    assert time.monotonic() - start >= 0.2
    assert b.call("GET", "p") == b"QUEUED"
    a.call("CLIENT", "PAUSE", 300, "WRITE")
    start = time.monotonic()
    assert b.call("EXEC") == [b"OK", b"1"]         # EXEC of writes waits
    assert time.monotonic() - start >= 0.2
    b.call("MULTI")
    b.call("GET", "p")
    a.call("CLIENT", "PAUSE", 300, "WRITE")
    start = time.monotonic()
    assert b.call("EXEC") == [b"1"]                # EXEC of reads does not
    assert time.monotonic() - start < 0.2
    a.call("CLIENT", "UNPAUSE")


def test_transaction_larger_than_the_query_buffer_limit_closes_the_client(server, raw):
    """Redis keeps queued commands without a limit of their own; Redwing counts them
    against client-query-buffer-limit and closes a client whose transaction exceeds it,
    as it does for an oversized query buffer."""
    if "redis-server" in server.binary.name:
        pytest.skip("redis-server queues without a limit")
    admin, conn = raw(), raw()
    assert admin.call("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"OK"
    conn.call("MULTI")
    value = "x" * 100_000
    closed = False
    for _ in range(20):
        try:
            reply = conn.call("SET", "k", value)
        except Exception:
            closed = True
            break
        assert reply == b"QUEUED"
    assert closed or conn.is_closed()
    assert admin.call("PING") == b"PONG"
    assert admin.call("EXISTS", "k") == 0
