"""Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD.

Exact replies and error strings of Redis 7.0.15, with the helpers of
test_zsets.py.  Points worth knowing:

* numkeys is checked first, then every key is looked up and type-checked
  (sorted sets and plain sets are accepted; a set member scores 1; a missing
  key is an empty input), and only then are WEIGHTS, AGGREGATE, WITHSCORES
  and LIMIT parsed -- so WRONGTYPE beats an option error.
* A weighted score that is NaN (inf * 0) counts as 0, and so does a SUM that
  is NaN (inf + -inf).  ZINTER walks the smallest input and weighs the others
  without that reset, so a NaN product there is ignored by MIN and MAX.
* Inputs are combined smallest first, which fixes how floating-point sums
  round.  The result is a sorted set: replies come by score, then member.
* The STORE forms replace the destination whatever its type (its TTL goes),
  delete it when the result is empty, and store a listpack when the result
  fits the listpack limits.  The replies of the other forms come from a
  skiplist, so a -0 score survives there.
"""

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE
from test_zsets import (LONG, MAX_ENTRIES, config_set, encoding, err, flat2, make, members,
                        needs, pairs3, resp3, withscores, wrong_type_keys,
                        zadd)

NOT_WEIGHT = err("ERR weight value is not a float")
LIMIT_NEGATIVE = err("ERR LIMIT can't be negative")
ALGEBRA = ("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD")


def at_least_one(name: str):
    return err(f"ERR at least 1 input key is needed for '{name}' command")


def sets_ab(conn):
    zadd(conn, "a", 1, "x", 2, "y", 3, "z")
    zadd(conn, "b", 10, "y", 20, "z", 30, "w")


# --------------------------------------------------------- argument checks

@needs("ZADD", *ALGEBRA)
def test_numkeys_errors(conn):
    sets_ab(conn)
    wrong_type_keys(conn)
    for command, prefix in (("ZUNION", ()), ("ZINTER", ()), ("ZDIFF", ()), ("ZINTERCARD", ()),
                            ("ZUNIONSTORE", ("d",)), ("ZINTERSTORE", ("d",)),
                            ("ZDIFFSTORE", ("d",))):
        name = command.lower()
        for numkeys in (0, -1, "-9223372036854775808"):
            assert conn.call(command, *prefix, numkeys, "a") == at_least_one(name), \
                (command, numkeys)
        for numkeys in ("x", "", "1.5", " 1", "9223372036854775808"):
            assert conn.call(command, *prefix, numkeys, "str") == NOT_INTEGER, (command, numkeys)
        for argv in ((2, "a"), (3, "a", "b"), ("9223372036854775807", "a"), (3, "str", "a")):
            assert conn.call(command, *prefix, *argv) == SYNTAX, (command, argv)
    assert conn.call("EXISTS", "d") == 0


@needs("ZADD", "MULTI", *ALGEBRA)
def test_numkeys_error_names_the_command_inside_a_transaction(conn):
    assert conn.call("MULTI") == b"OK"
    for argv in (("ZUNION", 0, "a"), ("ZINTERSTORE", "d", 0, "a"), ("ZINTERCARD", 0, "a"),
                 ("ZDIFF", -1, "a")):
        assert conn.call(*argv) == b"QUEUED"
    assert conn.call("EXEC") == [at_least_one("zunion"), at_least_one("zinterstore"),
                                 at_least_one("zintercard"), at_least_one("zdiff")]


@needs("ZADD", "SADD", *ALGEBRA)
def test_every_key_is_type_checked_before_the_options(conn):
    sets_ab(conn)
    wrong_type_keys(conn)
    for argv in (("ZUNION", 2, "a", "str"), ("ZUNION", 2, "missing", "lst", "WEIGHTS", "x", "y"),
                 ("ZUNION", 2, "str", "a", "BOGUS"), ("ZINTER", 2, "missing", "str"),
                 ("ZINTER", 3, "a", "missing", "lst", "AGGREGATE", "bad"),
                 ("ZDIFF", 2, "missing", "str"), ("ZDIFF", 2, "a", "str", "WEIGHTS", 1, 1),
                 ("ZUNIONSTORE", "d", 2, "a", "str"), ("ZINTERSTORE", "d", 2, "missing", "lst"),
                 ("ZDIFFSTORE", "d", 2, "missing", "str", "WITHSCORES"),
                 ("ZINTERCARD", 2, "missing", "str", "LIMIT", -1),
                 ("ZINTERCARD", 1, "str", "LIMIT", "x")):
        assert conn.call(*argv) == WRONGTYPE, argv
    # A STORE's destination is overwritten whatever its type, never checked.
    assert conn.call("ZUNIONSTORE", "str", 1, "a") == 3
    assert conn.call("TYPE", "str") == b"zset"
    assert conn.call("EXISTS", "d") == 0


@needs("ZADD", *ALGEBRA)
def test_option_errors(conn):
    sets_ab(conn)
    for command, prefix in (("ZUNION", ()), ("ZINTER", ()), ("ZUNIONSTORE", ("d",)),
                            ("ZINTERSTORE", ("d",))):
        for options in (("WEIGHTS", 2), ("WEIGHTS", 1, "x"), ("WEIGHTS", 1, "nan"),
                        ("WEIGHTS", 1, ""), ("WEIGHTS", 1, " 1"), ("WEIGHTS", "1e400", 1),
                        ("WEIGHTS", 1, 1, "WEIGHTS", "x", 1)):
            want = SYNTAX if options == ("WEIGHTS", 2) else NOT_WEIGHT
            assert conn.call(command, *prefix, 2, "a", "b", *options) == want, (command, options)
        for options in (("AGGREGATE",), ("AGGREGATE", "avg"), ("BOGUS",), ("WEIGHTS",),
                        ("WEIGHTS", 1, 1, 1), ("AGGREGATE", "MIN", "MAX")):
            assert conn.call(command, *prefix, 2, "a", "b", *options) == SYNTAX, (command, options)
    for command, prefix in (("ZDIFF", ()), ("ZDIFFSTORE", ("d",))):
        for options in (("WEIGHTS", 1, 1), ("AGGREGATE", "MIN"), ("LIMIT", 1)):
            assert conn.call(command, *prefix, 2, "a", "b", *options) == SYNTAX, (command, options)
    for command in ("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"):
        assert conn.call(command, "d", 2, "a", "b", "WITHSCORES") == SYNTAX, command
    for command in ("ZUNION", "ZINTER", "ZDIFF"):
        assert conn.call(command, 2, "a", "b", "LIMIT", 1) == SYNTAX, command
    for options in (("WEIGHTS", 1, 1), ("WITHSCORES",), ("AGGREGATE", "MIN"), ("LIMIT",),
                    ("LIMIT", 1, 2), ("BOGUS", 1)):
        assert conn.call("ZINTERCARD", 2, "a", "b", *options) == SYNTAX, options
    assert conn.call("EXISTS", "d") == 0


# ------------------------------------------------------- ZUNION ZINTER ZDIFF

@needs("ZADD", "ZREM", "ZUNION", "ZINTER", "ZDIFF")
@pytest.mark.parametrize("kind", ("listpack", "skiplist"))
def test_union_inter_diff(conn, kind):
    make(conn, kind, "a", 1, "x", 2, "y", 3, "z")
    make(conn, kind, "b", 10, "y", 20, "z", 30, "w")
    assert conn.call_raw("ZUNION", 2, "a", "b") == flat2("x", "y", "z", "w")
    assert conn.call_raw("ZUNION", 2, "a", "b", "WITHSCORES") == \
        flat2("x", 1, "y", 12, "z", 23, "w", 30)
    assert conn.call_raw("ZINTER", 2, "a", "b", "withscores") == flat2("y", 12, "z", 23)
    assert conn.call_raw("ZDIFF", 2, "a", "b", "WITHSCORES") == flat2("x", 1)
    assert conn.call_raw("ZDIFF", 2, "b", "a", "WITHSCORES") == flat2("w", 30)
    assert conn.call_raw("ZDIFF", 1, "a", "WITHSCORES") == flat2("x", 1, "y", 2, "z", 3)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WITHSCORES", "WITHSCORES") == \
        flat2("x", 1, "y", 12, "z", 23, "w", 30)
    # Missing keys are empty inputs.
    assert conn.call_raw("ZUNION", 2, "missing", "a") == flat2("x", "y", "z")
    assert conn.call_raw("ZINTER", 2, "a", "missing") == b"*0\r\n"
    assert conn.call_raw("ZDIFF", 2, "missing", "a") == b"*0\r\n"
    assert conn.call_raw("ZDIFF", 3, "b", "missing", "a", "WITHSCORES") == flat2("w", 30)
    assert conn.call_raw("ZUNION", 1, "missing", "WITHSCORES") == b"*0\r\n"
    # The same key twice counts twice.
    assert conn.call_raw("ZUNION", 2, "a", "a", "WITHSCORES") == flat2("x", 2, "y", 4, "z", 6)
    assert conn.call_raw("ZINTER", 2, "a", "a", "WITHSCORES") == flat2("x", 2, "y", 4, "z", 6)
    assert conn.call_raw("ZDIFF", 2, "a", "a") == b"*0\r\n"


@needs("ZADD", "ZUNION", "ZINTER", "ZDIFF")
def test_resp3_replies(conn):
    sets_ab(conn)
    resp3(conn)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WITHSCORES") == \
        pairs3("x", 1, "y", 12, "z", 23, "w", 30)
    assert conn.call_raw("ZUNION", 2, "a", "b") == \
        b"*4\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nw\r\n"
    assert conn.call_raw("ZINTER", 2, "a", "b", "WITHSCORES") == pairs3("y", 12, "z", 23)
    assert conn.call_raw("ZDIFF", 2, "a", "b", "WITHSCORES") == pairs3("x", 1)
    assert conn.call_raw("ZDIFF", 2, "a", "a", "WITHSCORES") == b"*0\r\n"
    assert conn.call_raw("ZUNIONSTORE", "d", 1, "a") == b":3\r\n"
    assert conn.call_raw("ZINTERCARD", 1, "a") == b":3\r\n"


@needs("ZADD", "SADD", "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "ZUNIONSTORE")
def test_sets_are_inputs_scoring_one(conn):
    sets_ab(conn)
    assert conn.call("SADD", "s", "x", "w", "v") == 3                   # a hashtable set
    assert conn.call("SADD", "i", 3, 1, 2) == 3                         # an intset
    assert conn.call_raw("ZUNION", 3, "a", "b", "s", "WITHSCORES") == \
        flat2("v", 1, "x", 2, "y", 12, "z", 23, "w", 31)
    assert conn.call_raw("ZINTER", 2, "a", "s", "WITHSCORES") == flat2("x", 2)
    assert conn.call_raw("ZINTER", 3, "a", "b", "s") == b"*0\r\n"
    assert conn.call_raw("ZDIFF", 2, "s", "a", "WITHSCORES") == flat2("v", 1, "w", 1)
    assert conn.call_raw("ZDIFF", 2, "b", "s", "WITHSCORES") == flat2("y", 10, "z", 20)
    assert conn.call_raw("ZUNION", 2, "i", "s", "WEIGHTS", 2, 3, "WITHSCORES") == \
        flat2(1, 2, 2, 2, 3, 2, "v", 3, "w", 3, "x", 3)
    assert conn.call("ZINTERCARD", 2, "a", "s") == 1
    assert conn.call("ZUNIONSTORE", "d", 2, "i", "s") == 6
    assert conn.call("TYPE", "d") == b"zset"
    assert withscores(conn, "d")[0] == (b"1", b"1")
    assert conn.call("ZINTERSTORE", "s", 2, "s", "a") == 1              # a set replaced
    assert conn.call("TYPE", "s") == b"zset"
    assert withscores(conn, "s") == [(b"x", b"2")]


# ------------------------------------------------------- WEIGHTS, AGGREGATE

@needs("ZADD", "ZUNION", "ZINTER")
def test_weights_and_aggregate(conn):
    sets_ab(conn)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", 2, 3, "WITHSCORES") == \
        flat2("x", 2, "y", 34, "z", 66, "w", 90)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", -1, "0x10", "WITHSCORES") == \
        flat2("x", -1, "y", 158, "z", 317, "w", 480)
    assert conn.call_raw("ZUNION", 2, "a", "b", "AGGREGATE", "min", "WITHSCORES") == \
        flat2("x", 1, "y", 2, "z", 3, "w", 30)
    assert conn.call_raw("ZUNION", 2, "a", "b", "aggregate", "MAX", "WITHSCORES") == \
        flat2("x", 1, "y", 10, "z", 20, "w", 30)
    assert conn.call_raw("ZINTER", 2, "a", "b", "WEIGHTS", 1, "0.5", "AGGREGATE", "MIN",
                         "WITHSCORES") == flat2("y", 2, "z", 3)
    assert conn.call_raw("ZINTER", 2, "a", "b", "AGGREGATE", "SUM", "WITHSCORES") == \
        flat2("y", 12, "z", 23)
    # Repeated options: the last one counts.
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", 1, 1, "WEIGHTS", 2, 2,
                         "AGGREGATE", "MIN", "AGGREGATE", "SUM", "WITHSCORES") == \
        flat2("x", 2, "y", 24, "z", 46, "w", 60)


@needs("ZADD", "ZUNION", "ZINTER")
def test_infinities_and_nan_products(conn):
    zadd(conn, "a", 1, "x", 5, "y", "inf", "i", "-inf", "n", 0, "zero")
    zadd(conn, "b", 2, "x", 3, "y", "inf", "i", "inf", "n", 7, "zero", 1, "only")
    assert conn.call_raw("ZUNION", 2, "a", "b", "WITHSCORES") == \
        flat2("n", 0, "only", 1, "x", 3, "zero", 7, "y", 8, "i", "inf")   # inf + -inf: 0
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", 0, 0, "WITHSCORES") == \
        flat2("i", 0, "n", 0, "only", 0, "x", 0, "y", 0, "zero", 0)      # inf * 0: 0
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", "inf", "-inf", "WITHSCORES") == \
        flat2("n", "-inf", "only", "-inf", "zero", "-inf", "i", 0, "x", 0, "y", 0)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", 1, 0, "AGGREGATE", "MIN",
                         "WITHSCORES") == flat2("n", "-inf", "i", 0, "only", 0, "x", 0, "y", 0,
                                                "zero", 0)
    assert conn.call_raw("ZUNION", 2, "a", "b", "WEIGHTS", 1, 0, "AGGREGATE", "MAX",
                         "WITHSCORES") == flat2("n", 0, "only", 0, "zero", 0, "x", 1, "y", 5,
                                                "i", "inf")
    assert conn.call_raw("ZINTER", 2, "a", "b", "WITHSCORES") == \
        flat2("n", 0, "x", 3, "zero", 7, "y", 8, "i", "inf")
    # The smallest input's own NaN product is reset to 0 before aggregating.
    assert conn.call_raw("ZINTER", 2, "a", "b", "WEIGHTS", 0, 1, "WITHSCORES") == \
        flat2("x", 2, "y", 3, "zero", 7, "i", "inf", "n", "inf")
    assert conn.call_raw("ZINTER", 2, "a", "b", "WEIGHTS", -1, 1, "WITHSCORES") == \
        flat2("y", -2, "i", 0, "x", 1, "zero", 7, "n", "inf")
    assert conn.call_raw("ZINTER", 2, "a", "a", "WEIGHTS", 1, -1, "WITHSCORES") == \
        flat2("i", 0, "n", 0, "x", 0, "y", 0, "zero", 0)


@needs("ZADD", "ZINTER", "ZINTERSTORE")
def test_zinter_nan_product_of_a_later_input(conn):
    zadd(conn, "a", 1, "x", 5, "y", "inf", "i", "-inf", "n", 0, "zero")          # 5: first
    zadd(conn, "b", 2, "x", 3, "y", "inf", "i", "inf", "n", 7, "zero", 1, "only")
    assert conn.call_raw("ZINTER", 2, "a", "b", "WEIGHTS", 1, 0, "WITHSCORES") == \
        flat2("i", 0, "n", 0, "zero", 0, "x", 1, "y", 5)
    assert conn.call_raw("ZINTER", 2, "a", "b", "WEIGHTS", 1, 0, "AGGREGATE", "MIN",
                         "WITHSCORES") == flat2("n", "-inf", "x", 0, "y", 0, "zero", 0, "i", "inf")
    assert conn.call_raw("ZINTER", 2, "b", "a", "WEIGHTS", 0, 1, "AGGREGATE", "MAX",
                         "WITHSCORES") == flat2("n", "-inf", "zero", 0, "x", 1, "y", 5, "i", "inf")
    assert conn.call("ZINTERSTORE", "d", 2, "a", "a", "WEIGHTS", 1, 0, "AGGREGATE", "MAX") == 5
    assert withscores(conn, "d") == [(b"n", b"-inf"), (b"zero", b"0"), (b"x", b"1"), (b"y", b"5"),
                                     (b"i", b"inf")]


@needs("ZADD", "ZUNION", "ZINTER", "ZUNIONSTORE")
def test_smallest_inputs_are_added_first(conn):
    zadd(conn, "one", "0.1", "m")
    zadd(conn, "two", "0.2", "m", 1, "x")
    zadd(conn, "three", "0.3", "m", 1, "x", 2, "y")
    # (0.1 + 0.2) + 0.3 whatever the order given; 0.3 + 0.2 + 0.1 would be 0.59999999999999998.
    for keys in (("three", "two", "one"), ("one", "two", "three"), ("two", "three", "one")):
        assert conn.call("ZUNION", 3, *keys, "WITHSCORES")[:2] == [b"m", b"0.60000000000000009"]
        assert conn.call("ZINTER", 3, *keys, "WITHSCORES") == [b"m", b"0.60000000000000009"]
    assert conn.call("ZUNIONSTORE", "d", 3, "three", "two", "one") == 3
    assert conn.call("ZSCORE", "d", "m") == b"0.60000000000000009"


@needs("ZADD", "ZREM", "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE")
def test_negative_zero_in_stored_and_replied_results(conn):
    make(conn, "skiplist", "s", "-0", "z", 1, "a")
    zadd(conn, "l", 5, "a")
    # A stored result that fits is a listpack: -0 becomes 0.
    assert conn.call("ZUNIONSTORE", "d", 1, "s") == 2
    assert withscores(conn, "d") == [(b"z", b"0"), (b"a", b"1")]
    assert conn.call("ZUNIONSTORE", "d", 1, "l", "WEIGHTS", "-0") == 1
    assert withscores(conn, "d") == [(b"a", b"0")]


@needs("ZADD", "ZREM", "ZUNION", "ZINTER", "ZDIFF")
def test_replied_results_keep_negative_zero(conn):
    make(conn, "skiplist", "s", "-0", "z", 1, "a")
    zadd(conn, "l", 5, "a", 1, "b")
    assert conn.call("ZDIFF", 1, "s", "WITHSCORES") == [b"z", b"-0", b"a", b"1"]
    assert conn.call("ZUNION", 1, "l", "WEIGHTS", "-1", "WITHSCORES") == [b"a", b"-5", b"b", b"-1"]
    assert conn.call("ZUNION", 1, "l", "WEIGHTS", "-0", "WITHSCORES") == [b"a", b"-0", b"b", b"-0"]
    assert conn.call("ZINTER", 2, "l", "l", "WEIGHTS", "-0", "-0", "WITHSCORES") == \
        [b"a", b"-0", b"b", b"-0"]
    assert conn.call("ZINTER", 2, "l", "l", "WEIGHTS", "-0", 0, "AGGREGATE", "MIN",
                     "WITHSCORES") == [b"a", b"-0", b"b", b"-0"]


# ------------------------------------------------------------------ STORE

@needs("ZADD", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZRANGE")
def test_store_forms(conn):
    sets_ab(conn)
    assert conn.call("ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2) == 4
    assert withscores(conn, "d") == [(b"x", b"1"), (b"y", b"22"), (b"z", b"43"), (b"w", b"60")]
    assert conn.call("ZINTERSTORE", "d", 2, "a", "b", "AGGREGATE", "MAX") == 2
    assert withscores(conn, "d") == [(b"y", b"10"), (b"z", b"20")]
    assert conn.call("ZDIFFSTORE", "d", 2, "a", "b") == 1
    assert withscores(conn, "d") == [(b"x", b"1")]
    # The destination may be an input.
    assert conn.call("ZUNIONSTORE", "a", 2, "a", "b") == 4
    assert withscores(conn, "a") == [(b"x", b"1"), (b"y", b"12"), (b"z", b"23"), (b"w", b"30")]
    assert conn.call("ZDIFFSTORE", "a", 2, "a", "b") == 1
    assert withscores(conn, "a") == [(b"x", b"1")]


@needs("ZADD", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
def test_store_replaces_or_deletes_the_destination(conn):
    sets_ab(conn)
    wrong_type_keys(conn)
    assert conn.call("EXPIRE", "str", 1000) == 1
    assert conn.call("ZINTERSTORE", "str", 2, "a", "b") == 2
    assert conn.call("TYPE", "str") == b"zset"
    assert conn.call("TTL", "str") == -1
    for argv in (("ZINTERSTORE", "dst", 2, "a", "missing"), ("ZUNIONSTORE", "dst", 1, "missing"),
                 ("ZDIFFSTORE", "dst", 2, "a", "a"), ("ZDIFFSTORE", "dst", 1, "missing")):
        assert conn.call("RPUSH", "dst", "v") >= 1
        assert conn.call(*argv) == 0, argv
        assert conn.call("EXISTS", "dst") == 0, argv


@needs("ZADD", "SADD", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZRANGE")
def test_store_result_encoding(conn):
    pairs = [x for i in range(MAX_ENTRIES + 1) for x in (i, f"m{i}")]
    zadd(conn, "big", *pairs)
    zadd(conn, "small", *pairs[:20])
    assert conn.call("ZUNIONSTORE", "d", 1, "big") == MAX_ENTRIES + 1
    assert encoding(conn, "d") == b"skiplist"
    assert conn.call("ZINTERSTORE", "d", 2, "big", "small") == 10         # back to a listpack
    assert encoding(conn, "d") == b"listpack"
    assert conn.call("ZDIFFSTORE", "d", 2, "big", "small") == MAX_ENTRIES + 1 - 10
    assert encoding(conn, "d") == b"listpack"
    zadd(conn, "long", 1, LONG)
    assert conn.call("ZUNIONSTORE", "d", 2, "small", "long") == 11
    assert encoding(conn, "d") == b"skiplist"
    assert conn.call("SADD", "s", *[f"m{i}" for i in range(200)]) == 200
    assert conn.call("ZINTERSTORE", "d", 2, "s", "small") == 10
    assert encoding(conn, "d") == b"listpack"
    config_set(conn, "zset-max-listpack-entries", 5)
    assert conn.call("ZINTERSTORE", "d", 2, "s", "small") == 10
    assert encoding(conn, "d") == b"skiplist"
    assert members(conn, "d")[:2] == [b"m0", b"m1"]


# --------------------------------------------------------------- ZINTERCARD

@needs("ZADD", "SADD", "ZINTERCARD")
def test_zintercard(conn):
    sets_ab(conn)
    assert conn.call("SADD", "s", "y", "q") == 2
    assert conn.call("ZINTERCARD", 2, "a", "b") == 2
    assert conn.call("ZINTERCARD", 1, "a") == 3
    assert conn.call("ZINTERCARD", 3, "a", "b", "s") == 1
    assert conn.call("ZINTERCARD", 2, "a", "missing") == 0
    assert conn.call("ZINTERCARD", 2, "a", "b", "LIMIT", 1) == 1
    assert conn.call("ZINTERCARD", 2, "a", "b", "limit", 0) == 2          # 0: no limit
    assert conn.call("ZINTERCARD", 2, "a", "b", "LIMIT", 100) == 2
    assert conn.call("ZINTERCARD", 2, "a", "b", "LIMIT", 5, "LIMIT", 1) == 1
    for bad in (-1, "x", "1.5", "9223372036854775808"):
        assert conn.call("ZINTERCARD", 2, "a", "b", "LIMIT", bad) == LIMIT_NEGATIVE, bad
        assert conn.call("ZINTERCARD", 1, "missing", "LIMIT", bad) == LIMIT_NEGATIVE, bad


@needs("ZADD", "ZINTERCARD", "ZINTER", "ZUNION", "ZUNIONSTORE", "ZDIFF")
def test_big_inputs(conn):
    n = 50000
    for start in range(0, n, 10000):
        zadd(conn, "evens", *[x for i in range(start, start + 10000) for x in (i, i * 2)])
        zadd(conn, "threes", *[x for i in range(start, start + 10000) for x in (i, i * 3)])
    sixes = [i for i in range(0, 2 * n, 6)]
    assert conn.call("ZINTERCARD", 2, "evens", "threes") == len(sixes)
    assert conn.call("ZINTERCARD", 2, "evens", "threes", "LIMIT", 1000) == 1000
    got = conn.call("ZINTER", 2, "evens", "threes", "WITHSCORES")
    # member 6k scores 3k (in evens) + 2k (in threes).
    assert got[0::2] == [str(m).encode() for m in sixes]
    assert got[1::2] == [str(m // 2 + m // 3).encode() for m in sixes]
    assert conn.call("ZUNIONSTORE", "u", 2, "evens", "threes") == 2 * n - len(sixes)
    assert encoding(conn, "u") == b"skiplist"
    assert len(conn.call("ZDIFF", 2, "evens", "threes")) == n - len(sixes)
