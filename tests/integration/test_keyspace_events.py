"""Keyspace notifications: the events every write command raises (Redis 7.0's
notifyKeyspaceEvent calls in t_string.c, db.c, expire.c, t_list.c, t_hash.c),
compared with a real redis-server's.  Needs PSUBSCRIBE: skipped until the
server knows it."""

import pytest

from raw_resp import RawConnection

DEBUG = pytest.mark.server_args("--enable-debug-command", "yes")


def event_stream(port: int, script, setup=()) -> list:
    """The keyspace events of every class ("KEAn") that running ``script`` on the server
    at ``port`` publishes, in order, as (pmessage, pattern, channel, message) tuples.
    ``setup`` commands run first, unobserved, and must reply OK."""
    listener, conn = RawConnection(port), RawConnection(port)
    try:
        assert conn.call("CONFIG", "SET", "notify-keyspace-events", "KEAn") == b"OK"
        for command in setup:
            assert conn.call(*command) == b"OK"
        listener.call("PSUBSCRIBE", "__key*@*__:*")
        for command in script:
            conn.call(*command)
        listener.send_command("PING")
        events = []
        while (message := listener.read_reply()) != [b"pong", b""]:
            events.append(tuple(message))
        return events
    finally:
        listener.close()
        conn.close()


@DEBUG
@pytest.mark.needs_commands("SUBSCRIBE", "PSUBSCRIBE")
def test_keyspace_events_match_redis(server, reference):
    """The same script on both servers, with every keyspace event class on: the streams of
    __keyspace@*__ and __keyevent@*__ messages must be identical."""
    script = [
        ("SET", "s", "1"), ("SET", "s", "2", "NX"), ("SET", "s", "3", "XX", "EX", 100),
        ("SETNX", "s2", "x"), ("SETEX", "s3", 100, "x"), ("PSETEX", "s4", 100000, "x"),
        ("GETSET", "s", "4"), ("GETDEL", "s2"), ("GETEX", "s3", "PERSIST"),
        ("GETEX", "s4", "EX", 50), ("GETEX", "s4", "PXAT", 1), ("MSET", "m1", "1", "m2", "2"),
        ("MSETNX", "m1", "x", "m3", "y"), ("MSETNX", "m4", "x"), ("APPEND", "a", "x"),
        ("APPEND", "a", "y"), ("SETRANGE", "r", 2, "x"), ("SETRANGE", "r", 0, ""),
        ("INCR", "n"), ("DECR", "n"), ("INCRBY", "n", 5), ("DECRBY", "n", 2),
        ("INCRBYFLOAT", "f", "1.5"), ("DEL", "m1", "nosuch"), ("UNLINK", "m2"),
        ("EXPIRE", "n", 100), ("PEXPIRE", "n", 100000), ("EXPIREAT", "n", 4102444800),
        ("PEXPIREAT", "n", 4102444800000), ("EXPIRE", "n", 10, "NX"), ("PERSIST", "n"),
        ("EXPIRE", "f", -1), ("RENAME", "a", "b"), ("RENAMENX", "b", "r"), ("RENAMENX", "b", "c"),
        ("COPY", "c", "d"), ("COPY", "c", "d", "REPLACE"), ("COPY", "c", "d", "DB", 1),
        ("MOVE", "d", 2), ("MOVE", "c", 1),
        ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "l", "d"), ("RPUSHX", "nol", "d"),
        ("LPOP", "l"), ("RPOP", "l", 1), ("LSET", "l", 0, "z"), ("LINSERT", "l", "AFTER", "z", "y"),
        ("LINSERT", "l", "AFTER", "nope", "y"), ("LREM", "l", 0, "y"), ("LTRIM", "l", 0, -1),
        ("RPUSH", "l", "q", "r"), ("RPOPLPUSH", "l", "l2"), ("LMOVE", "l2", "l3", "LEFT", "RIGHT"),
        ("LMPOP", 2, "nol", "l", "RIGHT", "COUNT", 10), ("LTRIM", "l3", 1, 0),
        ("HSET", "h", "f", "1", "g", "2"), ("HMSET", "h", "f", "3"), ("HSETNX", "h", "f", "x"),
        ("HSETNX", "h", "e", "x"), ("HINCRBY", "h", "f", 2), ("HINCRBYFLOAT", "h", "g", "0.5"),
        ("HDEL", "h", "nope"), ("HDEL", "h", "f", "g"), ("HDEL", "h", "e"),
        ("HINCRBY", "h2", "f", 1), ("HSETNX", "h3", "f", "v"), ("HDEL", "h3", "f"),
        ("SET", "g", "1"), ("SET", "g", "2", "GET"), ("SET", "g", "3", "KEEPTTL"),
        ("GETEX", "g", "PX", 100000), ("SET", "g2", "1"), ("RENAME", "g2", "g"),
        ("COPY", "g", "g3", "DB", 1, "REPLACE"), ("EXPIRE", "nosuch", -1),
        ("RPUSH", "r1", "a"), ("RPOPLPUSH", "r1", "r1"), ("LMOVE", "r1", "r1", "LEFT", "LEFT"),
        ("RPUSH", "r2", "a", "b", "c"), ("LPOP", "r2", 10), ("RPUSH", "r3", "a", "b"),
        ("LMPOP", 1, "r3", "LEFT", "COUNT", 1), ("LREM", "r3", 1, "b"),
        ("MULTI",), ("SET", "t", "1"), ("INCR", "t"), ("DEL", "t"), ("EXEC",),
        ("SET", "x", "1", "PX", 10), ("SET", "y", "1", "PX", 10), ("SET", "z", "5", "PX", 10),
        ("SET", "w", "1", "PX", 10), ("DEBUG", "SLEEP", "0.05"), ("GET", "x"), ("SET", "y", "2"),
        ("INCRBYFLOAT", "z", "1"), ("EXISTS", "w"), ("SET", "e", "1", "PX", 10),
        ("DEBUG", "SLEEP", "0.05"), ("RENAME", "e", "e2"),
        ("SWAPDB", 0, 1), ("FLUSHDB",), ("FLUSHALL",),
    ]
    setup = [("DEBUG", "SET-ACTIVE-EXPIRE", 0)]
    streams = [event_stream(proc.port, script, setup) for proc in (server, reference)]
    assert streams[0] == streams[1]
    assert len(streams[1]) > 100
