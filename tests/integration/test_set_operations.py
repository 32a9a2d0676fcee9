"""Set algebra: SINTER SUNION SDIFF, their STORE forms and SINTERCARD.

Exact replies and error strings of Redis 7.0.15, as in test_sets.py (whose
helpers these tests share; see its docstring for the encodings).  Points
worth knowing:

* Every key is looked up and type-checked before anything is answered: a
  wrong-type key after a missing one is still WRONGTYPE, even for SINTER,
  whose result is already known to be empty.
* SUNION and SDIFF build their result as a new set (an intset while it can
  be), so a result of integers replies in numeric order; SINTER walks the
  smallest set, in that set's order.
* A STORE whose result is empty deletes the destination, whatever its type;
  otherwise the destination is replaced (type and TTL included).
* SINTERCARD parses numkeys and every option before looking up a key.
"""

from raw_resp import SYNTAX, WRONGTYPE, err
from test_sets import (LLONG_MAX, encoding, needs, resp3, sadd, smembers,
                       wire, wrong_type_keys)

NUMKEYS = err("ERR numkeys should be greater than 0")
TOO_MANY_KEYS = err("ERR Number of keys can't be greater than number of args")
LIMIT_NEGATIVE = err("ERR LIMIT can't be negative")


@needs("SADD", "SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE",
       "SINTERCARD")
def test_every_key_is_type_checked_before_replying(conn):
    sadd(conn, "s", "a")
    wrong_type_keys(conn)
    for argv in (("SINTER", "missing", "str"), ("SINTER", "s", "missing", "lst"),
                 ("SUNION", "missing", "str"), ("SDIFF", "missing", "str"),
                 ("SDIFF", "s", "s", "str"), ("SINTERCARD", 2, "missing", "str"),
                 ("SINTERSTORE", "d", "missing", "str"), ("SUNIONSTORE", "d", "missing", "str"),
                 ("SDIFFSTORE", "d", "missing", "lst")):
        assert conn.call(*argv) == WRONGTYPE, argv
    # A STORE's destination is overwritten whatever its type, never checked.
    assert conn.call("SUNIONSTORE", "str", "s") == 1
    assert conn.call("TYPE", "str") == b"set"


# ------------------------------------------------------ SINTER SUNION SDIFF

@needs("SADD", "SINTER", "SUNION", "SDIFF")
def test_intset_operations_reply_in_order(conn):
    sadd(conn, "a", "5", "1", "3", "-2", "8")
    sadd(conn, "b", "3", "8", "9", "-2")
    sadd(conn, "c", "8", "100", "-2")
    assert conn.call_raw("SINTER", "a", "b") == wire(b"*", [-2, 3, 8])
    assert conn.call_raw("SINTER", "a", "b", "c") == wire(b"*", [-2, 8])
    assert conn.call_raw("SUNION", "b", "c") == wire(b"*", [-2, 3, 8, 9, 100])
    assert conn.call_raw("SDIFF", "a", "b") == wire(b"*", [1, 5])
    assert conn.call_raw("SDIFF", "a", "b", "c") == wire(b"*", [1, 5])
    assert conn.call_raw("SINTER", "a") == wire(b"*", [-2, 1, 3, 5, 8])
    resp3(conn)
    assert conn.call_raw("SINTER", "a", "b") == wire(b"~", [-2, 3, 8])
    assert conn.call_raw("SUNION", "a", "missing") == wire(b"~", [-2, 1, 3, 5, 8])
    assert conn.call_raw("SDIFF", "c", "a") == wire(b"~", [100])


@needs("SADD", "SINTER", "SUNION", "SDIFF")
def test_mixed_operations(conn):
    sadd(conn, "a", "x", "y", "1", "2", "z")
    sadd(conn, "b", "y", "2", "w")
    sadd(conn, "i", "2", "7")
    assert sorted(conn.call("SINTER", "a", "b")) == [b"2", b"y"]
    assert sorted(conn.call("SINTER", "a", "b", "i")) == [b"2"]
    assert sorted(conn.call("SINTER", "i", "a")) == [b"2"]
    assert sorted(conn.call("SUNION", "a", "b", "i")) == \
        [b"1", b"2", b"7", b"w", b"x", b"y", b"z"]
    assert sorted(conn.call("SDIFF", "a", "b")) == [b"1", b"x", b"z"]
    assert sorted(conn.call("SDIFF", "b", "a", "i")) == [b"w"]
    assert sorted(conn.call("SDIFF", "i", "a")) == [b"7"]
    # The same key twice.
    assert sorted(conn.call("SINTER", "a", "a")) == sorted(conn.call("SMEMBERS", "a"))
    assert sorted(conn.call("SUNION", "a", "a")) == sorted(conn.call("SMEMBERS", "a"))
    assert conn.call("SDIFF", "a", "a") == []
    assert conn.call("SDIFF", "a", "b", "a") == []
    resp3(conn)
    assert conn.call("SINTER", "a", "b") == {b"2", b"y"}
    assert conn.call("SDIFF", "a", "b") == {b"1", b"x", b"z"}


@needs("SADD", "SINTER", "SUNION", "SDIFF")
def test_missing_keys_are_empty_sets(conn):
    sadd(conn, "a", "1", "x")
    assert conn.call_raw("SINTER", "a", "missing") == b"*0\r\n"
    assert conn.call_raw("SINTER", "missing", "a") == b"*0\r\n"
    assert conn.call_raw("SINTER", "missing") == b"*0\r\n"
    assert sorted(conn.call("SUNION", "missing", "a", "nope")) == [b"1", b"x"]
    assert conn.call_raw("SUNION", "missing", "nope") == b"*0\r\n"
    assert sorted(conn.call("SDIFF", "a", "missing")) == [b"1", b"x"]
    assert conn.call_raw("SDIFF", "missing", "a") == b"*0\r\n"
    resp3(conn)
    for argv in (("SINTER", "a", "missing"), ("SUNION", "missing"), ("SDIFF", "missing", "a")):
        assert conn.call_raw(*argv) == b"~0\r\n", argv


# ---------------------------------------------------------- the STORE forms

@needs("SADD", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "SMEMBERS")
def test_store_commands(conn):
    sadd(conn, "a", "1", "2", "3", "x")
    sadd(conn, "b", "2", "3", "4", "x")
    assert conn.call("SINTERSTORE", "d", "a", "b") == 3
    assert smembers(conn, "d") == [b"2", b"3", b"x"]
    assert encoding(conn, "d") == b"hashtable"
    assert conn.call("SUNIONSTORE", "d", "a", "b") == 5
    assert smembers(conn, "d") == [b"1", b"2", b"3", b"4", b"x"]
    assert conn.call("SDIFFSTORE", "d", "a", "b") == 1
    assert conn.call("SMEMBERS", "d") == [b"1"]
    assert encoding(conn, "d") == b"intset"                   # built fresh: integers only
    # The destination may be one of the sources.
    assert conn.call("SINTERSTORE", "a", "a", "b") == 3
    assert smembers(conn, "a") == [b"2", b"3", b"x"]
    assert conn.call("SDIFFSTORE", "b", "b", "a") == 1
    assert conn.call("SMEMBERS", "b") == [b"4"]
    assert conn.call("SUNIONSTORE", "b", "b") == 1
    # Storing replaces whatever was there, TTL included.
    wrong_type_keys(conn)
    assert conn.call("EXPIRE", "str", 1000) == 1
    assert conn.call("SUNIONSTORE", "str", "a") == 3
    assert conn.call("TYPE", "str") == b"set"
    assert conn.call("TTL", "str") == -1
    assert conn.call("SINTERSTORE", "lst", "a") == 3
    assert conn.call("TYPE", "lst") == b"set"


@needs("SADD", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE")
def test_store_of_empty_result_deletes_destination(conn):
    sadd(conn, "a", "1", "x")
    sadd(conn, "b", "1", "x")
    for argv in (("SINTERSTORE", "d", "a", "missing"), ("SINTERSTORE", "d", "missing"),
                 ("SUNIONSTORE", "d", "missing", "nope"), ("SDIFFSTORE", "d", "a", "b"),
                 ("SDIFFSTORE", "d", "missing", "a"), ("SDIFFSTORE", "d", "a", "a")):
        for old in (("SADD", "d", "old"), ("SET", "d", "v"), ("RPUSH", "d", "v")):
            conn.call(*old)
            assert conn.call("EXPIRE", "d", 1000) == 1
            assert conn.call(*argv) == 0, (argv, old)
            assert conn.call("EXISTS", "d") == 0, (argv, old)
        assert conn.call(*argv) == 0, argv                    # nothing to delete: still 0
    assert conn.call("SUNIONSTORE", "a", "missing") == 0      # a source can be emptied away
    assert conn.call("EXISTS", "a") == 0


@needs("SADD", "SREM", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE", "SMEMBERS")
def test_store_result_encoding(conn):
    sadd(conn, "h", "1", "2", "3", "x")
    assert conn.call("SREM", "h", "x") == 1                   # hashtable of integers
    for command in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        assert conn.call(command, "d", "h") == 3
        assert encoding(conn, "d") == b"intset", command
        assert conn.call("SMEMBERS", "d") == [b"1", b"2", b"3"], command
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 2) == b"OK"
    assert conn.call("SUNIONSTORE", "d", "h") == 3
    assert encoding(conn, "d") == b"hashtable"
    assert conn.call("SINTERSTORE", "d", "h", "h") == 3
    assert encoding(conn, "d") == b"hashtable"
    sadd(conn, "two", "1", "2")
    assert conn.call("SDIFFSTORE", "d", "h", "two") == 1
    assert encoding(conn, "d") == b"intset"


@needs("SADD", "SDIFF", "SDIFFSTORE", "SMEMBERS")
def test_sdiff_removal_strategy_keeps_hashtable(conn):
    # When the first set is big next to the others, Redis copies it and removes
    # the others' members: a string member added on the way leaves a hashtable
    # even though only integers remain.  (With fewer keys it walks the first
    # set and adds the survivors: an intset.)
    sadd(conn, "a", *[str(i) for i in range(1, 10)], "x")
    sadd(conn, "b", "x")
    sadd(conn, "c", "q")
    assert conn.call("SDIFFSTORE", "d", "a", "b", "c") == 9
    assert encoding(conn, "d") == b"hashtable"
    assert smembers(conn, "d") == sorted(str(i).encode() for i in range(1, 10))
    assert conn.call("SDIFFSTORE", "d2", "a", "b") == 9
    assert encoding(conn, "d2") == b"intset"
    assert conn.call_raw("SDIFF", "a", "b") == wire(b"*", range(1, 10))
    assert sorted(conn.call("SDIFF", "a", "b", "c")) == \
        sorted(str(i).encode() for i in range(1, 10))


# --------------------------------------------------------------- SINTERCARD

@needs("SADD", "SINTERCARD")
def test_sintercard(conn):
    sadd(conn, "a", "1", "2", "3", "x")
    sadd(conn, "b", "2", "3", "4", "x")
    sadd(conn, "c", "3", "x")
    assert conn.call("SINTERCARD", 2, "a", "b") == 3
    assert conn.call("SINTERCARD", 3, "a", "b", "c") == 2
    assert conn.call("SINTERCARD", 1, "a") == 4
    assert conn.call("SINTERCARD", 2, "a", "a") == 4
    assert conn.call("SINTERCARD", 1, "missing") == 0
    assert conn.call("SINTERCARD", 2, "a", "missing") == 0
    for limit, want in ((0, 3), (1, 1), (2, 2), (3, 3), (100, 3), (LLONG_MAX, 3)):
        assert conn.call("SINTERCARD", 2, "a", "b", "LIMIT", limit) == want, limit
    assert conn.call("SINTERCARD", 3, "a", "b", "c", "limit", 1) == 1
    # LIMIT may repeat: the last one wins.
    assert conn.call("SINTERCARD", 2, "a", "b", "LIMIT", 1, "LIMIT", 3) == 3
    resp3(conn)
    assert conn.call_raw("SINTERCARD", 2, "a", "b") == b":3\r\n"


@needs("SADD", "SINTERCARD")
def test_sintercard_errors_and_check_order(conn):
    sadd(conn, "a", "1")
    wrong_type_keys(conn)
    for bad in ("0", "-1", "x", "", "1.5", "9223372036854775808"):
        assert conn.call("SINTERCARD", bad, "a") == NUMKEYS, bad
    for numkeys in ("2", LLONG_MAX):
        assert conn.call("SINTERCARD", numkeys, "a") == TOO_MANY_KEYS, numkeys
    # Options are parsed before any key is looked up.
    for key in ("a", "missing", "str"):
        assert conn.call("SINTERCARD", 1, key, "b") == SYNTAX, key
        assert conn.call("SINTERCARD", 1, key, "LIMIT") == SYNTAX, key
        assert conn.call("SINTERCARD", 1, key, "LIMIT", 1, "x") == SYNTAX, key
        assert conn.call("SINTERCARD", 1, key, "LIMIT", 1, "LIMIT") == SYNTAX, key
        for bad in ("-1", "x", "9223372036854775808", "1.5"):
            assert conn.call("SINTERCARD", 1, key, "LIMIT", bad) == LIMIT_NEGATIVE, (key, bad)
    assert conn.call("SINTERCARD", 0, "str") == NUMKEYS
    assert conn.call("SINTERCARD", 2, "missing", "str", "LIMIT", "-1") == LIMIT_NEGATIVE
    assert conn.call("SINTERCARD", 2, "missing", "str", "LIMIT", 1) == WRONGTYPE
