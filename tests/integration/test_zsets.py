"""Sorted-set commands: exact replies and error strings of Redis 7.0.15.

Covers ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK, how scores are
parsed and printed, the listpack <-> skiplist encodings and big sorted sets.
The range commands (ZRANGE and its older forms, ZRANGESTORE, ZCOUNT,
ZLEXCOUNT, ZREMRANGEBY*) are in test_zset_ranges.py, ZPOPMIN ZPOPMAX ZMPOP
ZRANDMEMBER ZSCAN in test_zset_pops.py, the set algebra (ZUNION ZINTER ZDIFF,
their STORE forms, ZINTERCARD) in test_zset_algebra.py; they share the
helpers below.  Every test is marked ``needs_commands`` with the
commands it sends.  Expectations were taken from a real redis-server 7.0.15.

Notes worth knowing before reading the tests:

* Two encodings: ``listpack`` (at most ``zset-max-listpack-entries``, default
  128, members of at most ``zset-max-listpack-value``, default 64, bytes) and
  ``skiplist``.  A key created by ZADD/ZINCRBY starts as a listpack unless
  the entries limit is 0 or the *first* member given is longer than the value
  limit -- 7.0 does not look at how many pairs the command carries, so 129
  pairs naming one member still make a listpack.  A listpack converts when an
  insertion would pass a limit and never converts back; the STORE commands
  build their result afresh and keep it a listpack when it fits.
* A listpack keeps an integral score within +-2^62 as an integer: -0 becomes 0
  there (a skiplist keeps -0), and ZSCAN of a listpack prints such scores as
  integers (1e17 -> "100000000000000000") where every other reply uses %.17g.
* Scores are replied with %.17g (0.1 -> 0.10000000000000001), "inf"/"-inf";
  as bulk strings in RESP2, as doubles (``,``) in RESP3, where members with
  scores come as [member, score] pairs.
* ZRANDMEMBER with a count covering the whole set replies with the whole set
  from the highest score down.  Never send it a huge *negative* count on a
  real Redis: it builds that many replies (and dies).
"""

import pytest

from raw_resp import SYNTAX, WRONGTYPE, err
from test_sets import LLONG_MAX, arity, resp3, wrong_type_keys

needs = pytest.mark.needs_commands

NOT_FLOAT = err("ERR value is not a valid float")
NAN_RESULT = err("ERR resulting score is not a number (NaN)")
NX_XX = err("ERR XX and NX options at the same time are not compatible")
GT_LT_NX = err("ERR GT, LT, and/or NX options at the same time are not compatible")
INCR_PAIR = err("ERR INCR option supports a single increment-element pair")

HALF_MAX = "4611686018427387903"          # LONG_MAX / 2: the WITHSCORES count limit
MAX_ENTRIES = 128
MAX_VALUE = 64
LONG = "x" * (MAX_VALUE + 1)               # a member no listpack holds

BASIC = ("ZADD", "ZINCRBY", "ZREM", "ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK")
ALL = BASIC + ("ZCOUNT", "ZLEXCOUNT", "ZRANGE", "ZRANGESTORE", "ZRANGEBYSCORE",
               "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE",
               "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX",
               "ZMPOP", "ZRANDMEMBER", "ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE",
               "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD", "ZSCAN")
ENCODINGS = ("listpack", "skiplist")


def b(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def zadd(conn, key, *pairs):
    """ZADD of score/member pairs whose members are all new to ``key``."""
    assert conn.call("ZADD", key, *pairs) == len(set(map(b, pairs[1::2])))


def make(conn, kind: str, key, *pairs):
    """A new sorted set holding ``pairs`` in the encoding ``kind``.  A skiplist is
    made by adding a long member first and removing it at the end."""
    if kind == "skiplist":
        zadd(conn, key, 0, LONG)
    if pairs:
        zadd(conn, key, *pairs)
    if kind == "skiplist":
        assert conn.call("ZREM", key, LONG) == 1
    assert encoding(conn, key) == kind.encode()


def encoding(conn, key):
    return conn.call("OBJECT", "ENCODING", key)


def withscores(conn, key) -> list:
    """The whole set as (member, score text) pairs, RESP2."""
    flat = conn.call("ZRANGE", key, 0, -1, "WITHSCORES")
    return list(zip(flat[0::2], flat[1::2]))


def members(conn, key) -> list:
    return conn.call("ZRANGE", key, 0, -1)


def bulks(*items) -> bytes:
    return b"".join(b"$%d\r\n%s\r\n" % (len(b(i)), b(i)) for i in items)


def flat2(*pairs) -> bytes:
    """RESP2 bytes of a flat member, score, member, score ... array."""
    return b"*%d\r\n" % len(pairs) + bulks(*pairs)


def pairs3(*pairs) -> bytes:
    """RESP3 bytes of an array of [member, score] pairs (scores as doubles)."""
    out = [b"*%d\r\n" % (len(pairs) // 2)]
    for member, score in zip(pairs[0::2], pairs[1::2]):
        out.append(b"*2\r\n" + bulks(member) + b",%s\r\n" % b(score))
    return b"".join(out)


def config_set(conn, name, value):
    assert conn.call("CONFIG", "SET", name, value) == b"OK"


# -------------------------------------------------------------- ZADD basics

@needs("ZADD", "ZCARD", "ZRANGE", "ZSCORE")
def test_zadd_counts_new_members_only(conn):
    assert conn.call("ZADD", "z", 1, "a", 2, "b") == 2
    assert conn.call("ZADD", "z", 3, "a", 4, "c") == 1          # a re-scored, c new
    assert conn.call("ZADD", "z", 3, "a") == 0
    # The same member twice in one call: counted once, the last score wins.
    assert conn.call("ZADD", "z", 1, "d", 9, "d", 5, "d") == 1
    assert conn.call("ZSCORE", "z", "d") == b"5"
    assert conn.call("ZCARD", "z") == 4
    assert conn.call("ZCARD", "missing") == 0
    assert conn.call("TYPE", "z") == b"zset"
    assert withscores(conn, "z") == [(b"b", b"2"), (b"a", b"3"), (b"c", b"4"), (b"d", b"5")]
    # Options are case-insensitive; a member may look like an option or a number.
    assert conn.call("ZADD", "z", "nX", "cH", 7, "NX", 8, "1") == 2
    assert conn.call("ZRANGE", "z", -2, -1) == [b"NX", b"1"]


@needs(*ALL)
def test_arity(conn):
    cases = {
        "zadd": [(), ("z",), ("z", 1)], "zincrby": [("z", 1), ("z", 1, "a", "b")],
        "zrem": [("z",)], "zcard": [(), ("z", "x")], "zscore": [("z",), ("z", "a", "b")],
        "zmscore": [("z",)], "zrank": [("z",), ("z", "a", "b")], "zrevrank": [("z",)],
        "zcount": [("z", 1), ("z", 1, 2, 3)], "zlexcount": [("z", "-"), ("z", "-", "+", "x")],
        "zrange": [("z", 0)], "zrangestore": [("d", "z", 0)], "zrangebyscore": [("z", 1)],
        "zrevrangebyscore": [("z", 1)], "zrangebylex": [("z", "-")],
        "zrevrangebylex": [("z", "+")], "zrevrange": [("z", 0)],
        "zremrangebyrank": [("z", 0), ("z", 0, 1, 2)], "zremrangebyscore": [("z", 0)],
        "zremrangebylex": [("z", "-")], "zpopmin": [()], "zpopmax": [()],
        "zmpop": [(), (1,), (1, "z")], "zrandmember": [()], "zunion": [(), (1,)],
        "zinter": [(1,)], "zdiff": [(1,)], "zunionstore": [("d",), ("d", 1)],
        "zinterstore": [("d", 1)], "zdiffstore": [("d", 1)], "zintercard": [(), (1,)],
        "zscan": [("z",)],
    }
    for name, argvs in cases.items():
        for argv in argvs:
            assert conn.call(name.upper(), *argv) == arity(name), (name, argv)
    assert conn.call("zAdD", "z", 1) == arity("zadd")
    assert conn.call("EXISTS", "z", "d") == 0


@needs("ZADD")
def test_zadd_argument_errors_come_before_the_lookup(conn):
    zadd(conn, "z", 1, "a")
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        # An odd or empty list of pairs first, then the option conflicts, then the scores.
        for argv in ((1, "a", 2), ("NX", "XX", 1), ("NX", "XX", 1, "a", "b"), ("CH", 1),
                     (1, "NX", "a"), ("INCR", 1, "a", 2)):
            assert conn.call("ZADD", key, *argv) == SYNTAX, (key, argv)
        for argv in (("NX", "XX", 1, "a"), ("NX", "XX", "x", "a"), ("XX", "INCR", "NX", 1, "a"),
                     ("INCR", "NX", "XX", 1, "a", 2, "b")):
            assert conn.call("ZADD", key, *argv) == NX_XX, (key, argv)
        for argv in (("GT", "LT", 1, "a"), ("NX", "GT", 1, "a"), ("LT", "NX", 1, "a"),
                     ("GT", "LT", "x", "a"), ("INCR", "GT", "LT", 1, "a", 2, "b")):
            assert conn.call("ZADD", key, *argv) == GT_LT_NX, (key, argv)
        for argv in (("INCR", 1, "a", 2, "b"), ("INCR", "x", "a", 1, "b"),
                     ("XX", "INCR", 1, "a", 1, "b")):
            assert conn.call("ZADD", key, *argv) == INCR_PAIR, (key, argv)
        # Every score is parsed before the key is looked up.
        for argv in (("x", "a"), (1, "a", "nan", "b"), ("NX", 1, "a", "NX", 2),
                     ("INCR", "nan", "a")):
            assert conn.call("ZADD", key, *argv) == NOT_FLOAT, (key, argv)
    assert conn.call("ZADD", "str", 1, "a") == WRONGTYPE
    assert conn.call("ZADD", "lst", "XX", 1, "a") == WRONGTYPE
    assert conn.call("EXISTS", "missing") == 0
    assert withscores(conn, "z") == [(b"a", b"1")]


@needs("ZADD", "ZSCORE", "ZINCRBY")
def test_score_arguments_are_strict_floats(conn):
    # ZADD, ZINCRBY and WEIGHTS refuse what strtod would not read whole, an empty
    # string, a leading space, NaN and overflow (to infinity or to zero).
    for bad in ("", " 1", "1 ", "x", "1x", "nan", "NaN", "-nan", "1e400", "-1e400",
                "1e-400", "1,5", "++1", "(1", "0x", "\t1"):
        assert conn.call("ZADD", "z", bad, "a") == NOT_FLOAT, bad
        assert conn.call("ZINCRBY", "z", bad, "a") == NOT_FLOAT, bad
    assert conn.call("EXISTS", "z") == 0
    accepted = {"1.0": b"1", ".5": b"0.5", "5.": b"5", "+3": b"3", "-2.5": b"-2.5",
                "0x10": b"16", "0X1p-2": b"0.25", "1E3": b"1000",
                "1e-310": b"9.9999999999999694e-311",
                "inf": b"inf", "+inf": b"inf", "-inf": b"-inf", "Infinity": b"inf",
                "-INFINITY": b"-inf", "INF": b"inf", "007": b"7", "1e308": b"1e+308"}
    for i, (text, shown) in enumerate(accepted.items()):
        assert conn.call("ZADD", "z", text, f"m{i}") == 1, text
        assert conn.call("ZSCORE", "z", f"m{i}") == shown, text
        assert conn.call("ZINCRBY", "inc", text, f"m{i}") == shown, text
    # A new member's reply is its score as given; a listpack then stores -0 as 0.
    assert conn.call("ZINCRBY", "neg", "-0.0", "a") == b"-0"
    assert conn.call("ZADD", "neg", "INCR", "-0", "b") == b"-0"
    assert conn.call("ZMSCORE", "neg", "a", "b") == [b"0", b"0"]


# ------------------------------------------------------ NX XX GT LT CH INCR

@needs("ZADD", "ZSCORE", "ZRANGE")
def test_zadd_nx_xx_gt_lt_ch(conn):
    zadd(conn, "z", 5, "a")
    assert conn.call("ZADD", "z", "GT", 3, "a") == 0
    assert conn.call("ZADD", "z", "GT", "CH", 3, "a") == 0        # not greater: untouched
    assert conn.call("ZADD", "z", "GT", "CH", 7, "a") == 1
    assert conn.call("ZSCORE", "z", "a") == b"7"
    assert conn.call("ZADD", "z", "LT", "CH", 7, "a") == 0        # equal is not less
    # New members are added whatever GT/LT say; CH counts them and the updates.
    assert conn.call("ZADD", "z", "LT", "CH", 6, "a", 1, "b") == 2
    assert conn.call("ZADD", "z", "GT", 100, "new") == 1
    assert conn.call("ZADD", "z", "NX", "CH", 1, "a", 2, "c") == 1    # only c
    assert conn.call("ZADD", "z", "XX", "CH", 1, "a", 2, "d") == 1    # only a
    assert withscores(conn, "z") == [(b"a", b"1"), (b"b", b"1"), (b"c", b"2"), (b"new", b"100")]
    # CH counts a member once however often it appears, and only a real change.
    assert conn.call("ZADD", "z", "CH", 1, "a", 1, "a", 2, "a") == 1
    assert conn.call("ZADD", "z", "CH", 2, "a") == 0
    assert conn.call("ZADD", "z", "CH", "CH", "GT", "GT", 3, "a") == 1   # repeats are fine
    assert conn.call("ZADD", "z", "LT", "XX", "CH", 0, "a", 0, "zz") == 1
    assert conn.call("ZSCORE", "z", "zz") is None
    # Infinities compare like numbers.
    assert conn.call("ZADD", "z", "GT", "CH", "-inf", "a") == 0
    assert conn.call("ZADD", "z", "LT", "CH", "-inf", "a") == 1
    assert conn.call("ZADD", "z", "GT", "CH", "inf", "a") == 1
    assert conn.call("ZSCORE", "z", "a") == b"inf"
    # XX on a missing key creates nothing; the other options create the key.
    assert conn.call("ZADD", "missing", "XX", 1, "a") == 0
    assert conn.call("ZADD", "missing", "XX", "CH", 1, "a") == 0
    assert conn.call("TYPE", "missing") == b"none"
    assert conn.call("ZADD", "g", "GT", 1, "a") == 1
    assert conn.call("ZADD", "n", "NX", "LT", 1, "a") == GT_LT_NX


@needs("ZADD", "ZSCORE", "ZINCRBY")
def test_zadd_incr(conn):
    zadd(conn, "z", 1, "a")
    assert conn.call("ZADD", "z", "INCR", 5, "a") == b"6"
    assert conn.call("ZADD", "z", "INCR", "GT", -1, "a") is None     # 5 is not greater
    assert conn.call("ZADD", "z", "INCR", "LT", -1, "a") == b"5"
    assert conn.call("ZADD", "z", "INCR", "LT", 1, "a") is None
    assert conn.call("ZADD", "z", "INCR", "LT", 0, "a") is None       # equal: no change
    assert conn.call("ZADD", "z", "INCR", "NX", 1, "a") is None
    assert conn.call("ZADD", "z", "INCR", "NX", 1, "nn") == b"1"
    assert conn.call("ZADD", "z", "INCR", "XX", 1, "zz") is None
    assert conn.call("ZADD", "z", "INCR", "XX", 2, "nn") == b"3"
    assert conn.call("ZADD", "z", "INCR", "GT", 5, "fresh") == b"5"    # new: the increment
    assert conn.call("ZADD", "z", "INCR", "LT", -5, "fresh2") == b"-5"
    assert conn.call("ZADD", "z", "INCR", "CH", 1, "a") == b"6"        # CH changes nothing
    assert conn.call("ZADD", "z", "INCR", "INCR", 0, "a") == b"6"
    assert conn.call("ZADD", "z", "INCR", "0.1", "a") == b"6.0999999999999996"
    assert conn.call_raw("ZADD", "missing", "XX", "INCR", 1, "a") == b"$-1\r\n"
    assert conn.call("EXISTS", "missing") == 0
    assert conn.call("ZADD", "new", "NX", "INCR", 1, "a") == b"1"
    assert conn.call("ZADD", "new", "NX", "INCR", 1, "a") is None
    resp3(conn)
    assert conn.call_raw("ZADD", "z", "INCR", 1, "a") == b",7.0999999999999996\r\n"
    assert conn.call_raw("ZADD", "z", "XX", "INCR", 1, "nope") == b"_\r\n"


@needs("ZADD", "ZSCORE", "ZINCRBY", "ZCARD")
def test_zincrby(conn):
    assert conn.call("ZINCRBY", "z", 2, "a") == b"2"                   # creates key and member
    assert conn.call("ZINCRBY", "z", "-0.5", "a") == b"1.5"
    assert conn.call("ZINCRBY", "z", "1e308", "big") == b"1e+308"
    assert conn.call("ZINCRBY", "z", "1e308", "big") == b"inf"         # overflow: infinity
    assert conn.call("ZINCRBY", "z", 1, "big") == b"inf"
    assert conn.call("ZINCRBY", "z", "-inf", "m") == b"-inf"
    assert conn.call("ZINCRBY", "z", "0x10", "a") == b"17.5"
    assert conn.call("ZINCRBY", "z", "1e-310", "one") == b"9.9999999999999694e-311"
    assert conn.call("ZINCRBY", "z", 1, "one") == b"1"
    assert conn.call("ZCARD", "z") == 4
    wrong_type_keys(conn)
    # The increment is parsed before the lookup.
    assert conn.call("ZINCRBY", "str", "x", "a") == NOT_FLOAT
    assert conn.call("ZINCRBY", "str", "nan", "a") == NOT_FLOAT
    assert conn.call("ZINCRBY", "str", 1, "a") == WRONGTYPE
    assert conn.call("ZINCRBY", "lst", 1, "a") == WRONGTYPE
    resp3(conn)
    assert conn.call_raw("ZINCRBY", "z", 1, "a") == b",18.5\r\n"
    assert conn.call_raw("ZINCRBY", "z", 1, "m") == b",-inf\r\n"


@needs("ZADD", "ZSCORE", "ZINCRBY", "ZRANGE")
def test_nan_results_are_refused_and_change_nothing(conn):
    zadd(conn, "z", "inf", "i", "-inf", "n", 1, "a")
    assert conn.call("ZINCRBY", "z", "-inf", "i") == NAN_RESULT
    assert conn.call("ZINCRBY", "z", "inf", "n") == NAN_RESULT
    assert conn.call("ZADD", "z", "INCR", "-inf", "i") == NAN_RESULT
    assert conn.call("ZADD", "z", "INCR", "GT", "-inf", "i") == NAN_RESULT   # before GT
    assert conn.call("ZADD", "z", "INCR", "LT", "-inf", "i") == NAN_RESULT
    assert conn.call("ZADD", "z", "INCR", "LT", "inf", "i") is None         # inf: not less
    assert conn.call("ZADD", "z", "INCR", "inf", "i") == b"inf"
    assert withscores(conn, "z") == [(b"n", b"-inf"), (b"a", b"1"), (b"i", b"inf")]


# ------------------------------------------------------------ score replies

SCORES = [("-inf", b"-inf"), ("-1e308", b"-1e+308"), ("-2.5", b"-2.5"), ("-1", b"-1"),
          ("0", b"0"), ("1e-310", b"9.9999999999999694e-311"),
          ("2.5e-5", b"2.5000000000000001e-05"), ("0.1", b"0.10000000000000001"),
          ("1", b"1"), ("1.5", b"1.5"), ("3", b"3"), ("1e15", b"1000000000000000"),
          ("1e16", b"10000000000000000"), ("1e17", b"1e+17"),
          ("123456789012345678", b"1.2345678901234568e+17"), ("1e308", b"1e+308"),
          ("inf", b"inf")]


@needs("ZADD", "ZREM", "ZSCORE", "ZMSCORE", "ZRANGE")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_scores_print_as_redis_prints_them(conn, kind):
    pairs = [x for i, (text, _) in enumerate(SCORES) for x in (text, f"m{i:02}")]
    make(conn, kind, "z", *pairs)
    expected = [x for i, (_, shown) in enumerate(SCORES) for x in (f"m{i:02}", shown)]
    assert conn.call_raw("ZRANGE", "z", 0, -1, "WITHSCORES") == flat2(*expected)
    assert conn.call("ZSCORE", "z", "m07") == b"0.10000000000000001"
    assert conn.call_raw("ZMSCORE", "z", "m00", "nope", "m16") == \
        b"*3\r\n$4\r\n-inf\r\n$-1\r\n$3\r\ninf\r\n"
    resp3(conn)
    resp3_expected = [x for i, (_, shown) in enumerate(SCORES) for x in (f"m{i:02}", shown)]
    assert conn.call_raw("ZRANGE", "z", 0, -1, "WITHSCORES") == pairs3(*resp3_expected)
    assert conn.call_raw("ZSCORE", "z", "m16") == b",inf\r\n"
    assert conn.call_raw("ZSCORE", "z", "m07") == b",0.10000000000000001\r\n"
    assert conn.call_raw("ZSCORE", "z", "nope") == b"_\r\n"
    assert conn.call_raw("ZMSCORE", "z", "m13", "nope") == b"*2\r\n,1e+17\r\n_\r\n"
    assert conn.call_raw("ZMSCORE", "missing", "a", "b") == b"*2\r\n_\r\n_\r\n"


@needs("ZADD", "ZREM", "ZSCORE", "ZINCRBY", "ZRANGE")
def test_negative_zero_survives_in_a_skiplist_only(conn):
    # A listpack stores an integral score as an integer: -0 becomes 0.
    zadd(conn, "l", "-0", "z", "-0.0", "w")
    assert withscores(conn, "l") == [(b"w", b"0"), (b"z", b"0")]
    make(conn, "skiplist", "s", "-0", "z")
    assert conn.call("ZSCORE", "s", "z") == b"-0"
    # -0 + 0 is 0, equal to -0: the reply says 0, the stored score stays -0.
    assert conn.call("ZINCRBY", "s", 0, "z") == b"0"
    assert conn.call("ZADD", "s", "INCR", 0, "z") == b"0"
    assert conn.call("ZADD", "s", "CH", 0, "z") == 0
    assert conn.call("ZSCORE", "s", "z") == b"-0"
    assert conn.call("ZADD", "s", "-0", "y") == 1
    assert conn.call("ZRANGE", "s", 0, -1, "WITHSCORES") == [b"y", b"-0", b"z", b"-0"]
    resp3(conn)
    assert conn.call_raw("ZSCORE", "s", "z") == b",-0\r\n"
    assert conn.call_raw("ZPOPMIN", "s") == b"*2\r\n$1\r\ny\r\n,-0\r\n"


@needs("ZADD", "ZSCORE", "ZRANGE")
def test_negative_zero_given_before_a_long_member_becomes_zero(conn):
    assert conn.call("ZADD", "z", "-0", "a", 1, LONG) == 2
    assert encoding(conn, "z") == b"skiplist"
    assert conn.call("ZSCORE", "z", "a") == b"0"
    # With the long member first, the set is a skiplist from the start.
    assert conn.call("ZADD", "y", 1, LONG, "-0", "a") == 2
    assert conn.call("ZSCORE", "y", "a") == b"-0"


# ------------------------------------------------- ZSCORE ZMSCORE ZRANK ZREM

@needs("ZADD", "ZSCORE", "ZMSCORE")
def test_zscore_zmscore(conn):
    zadd(conn, "z", 1, "a", "2.5", "b", 3, b"\x00")
    assert conn.call("ZSCORE", "z", "b") == b"2.5"
    assert conn.call("ZSCORE", "z", b"\x00") == b"3"
    assert conn.call("ZSCORE", "z", "") is None
    assert conn.call_raw("ZSCORE", "missing", "a") == b"$-1\r\n"
    assert conn.call_raw("ZMSCORE", "z", "a", "x", "b", "a") == \
        b"*4\r\n$1\r\n1\r\n$-1\r\n$3\r\n2.5\r\n$1\r\n1\r\n"
    assert conn.call_raw("ZMSCORE", "missing", "a") == b"*1\r\n$-1\r\n"


@needs("ZADD", "ZREM", "ZRANK", "ZREVRANK", "ZRANGE")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_equal_scores_order_members_bytewise(conn, kind):
    odd = [b"b", b"a", b"", b"a\x00", b"ab", b"\xff", b"A", b"aa", b"1", b"10", b"9"]
    make(conn, kind, "z", *[x for m in odd for x in (1, m)])
    ordered = sorted(odd)
    assert members(conn, "z") == ordered
    for rank, member in enumerate(ordered):
        assert conn.call("ZRANK", "z", member) == rank, member
        assert conn.call("ZREVRANK", "z", member) == len(odd) - 1 - rank, member
    assert conn.call("ZADD", "z", 0, "zz", 2, b"\x00") == 2
    assert conn.call("ZRANK", "z", "zz") == 0
    assert conn.call("ZREVRANK", "z", b"\x00") == 0
    assert conn.call("ZADD", "z", 1, "zz") == 0                  # moves among the 1s, before \xff
    assert conn.call("ZRANK", "z", "zz") == len(odd) - 1


@needs("ZADD", "ZRANK", "ZREVRANK")
def test_zrank_zrevrank(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c")
    assert [conn.call("ZRANK", "z", m) for m in "abc"] == [0, 1, 2]
    assert [conn.call("ZREVRANK", "z", m) for m in "abc"] == [2, 1, 0]
    assert conn.call_raw("ZRANK", "z", "x") == b"$-1\r\n"
    assert conn.call_raw("ZREVRANK", "missing", "x") == b"$-1\r\n"
    assert conn.call("ZRANK", "z", "a", "WITHSCORE") == arity("zrank")   # a 7.2 option
    resp3(conn)
    assert conn.call_raw("ZRANK", "z", "c") == b":2\r\n"
    assert conn.call_raw("ZRANK", "z", "x") == b"_\r\n"


@needs("ZADD", "ZREM", "ZCARD")
def test_zrem(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c", 4, "d")
    assert conn.call("ZREM", "z", "a", "a", "nope") == 1
    assert conn.call("ZREM", "z", "nope") == 0
    assert conn.call("ZREM", "z", "B") == 0
    assert conn.call("ZCARD", "z") == 3
    assert conn.call("ZREM", "missing", "a") == 0
    assert conn.call("EXISTS", "missing") == 0


@needs("ZADD", "ZREM", "ZINCRBY", "ZPOPMIN", "ZMPOP")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_emptied_sets_are_deleted(conn, kind):
    for argv in (("ZREM", "z", "b", "a", "extra"), ("ZPOPMIN", "z", 5), ("ZPOPMAX", "z", 2),
                 ("ZMPOP", 1, "z", "MAX", "COUNT", 2)):
        make(conn, kind, "z", 1, "a", 2, "b")
        assert conn.call("EXPIRE", "z", 1000) == 1
        assert conn.call(*argv) not in (0, None), argv
        assert conn.call("EXISTS", "z") == 0, argv
        assert conn.call("TTL", "z") == -2
    assert conn.call("ZADD", "z", 1, "a") == 1               # a new set starts without a TTL
    assert conn.call("TTL", "z") == -1


@needs("ZADD", "ZINCRBY", "ZREM")
def test_writes_keep_the_ttl(conn):
    zadd(conn, "z", 1, "a", 2, "b")
    assert conn.call("EXPIRE", "z", 1000) == 1
    assert conn.call("ZADD", "z", 1, LONG) == 1                # converts, keeps the TTL
    assert conn.call("ZINCRBY", "z", 1, "a") == b"2"
    assert conn.call("ZREM", "z", "a") == 1
    assert 990 < conn.call("TTL", "z") <= 1000


# ------------------------------------------------------------------ WRONGTYPE

@needs(*ALL)
def test_wrongtype(conn):
    zadd(conn, "z", 1, "a")
    for key in wrong_type_keys(conn):
        for argv in (("ZADD", key, 1, "a"), ("ZADD", key, "XX", 1, "a"), ("ZINCRBY", key, 1, "a"),
                     ("ZREM", key, "a"), ("ZCARD", key), ("ZSCORE", key, "a"),
                     ("ZMSCORE", key, "a"), ("ZRANK", key, "a"), ("ZREVRANK", key, "a"),
                     ("ZCOUNT", key, 0, 1), ("ZLEXCOUNT", key, "-", "+"), ("ZRANGE", key, 0, 1),
                     ("ZRANGESTORE", "d", key, 0, 1), ("ZRANGEBYSCORE", key, 0, 1),
                     ("ZREVRANGEBYSCORE", key, 1, 0), ("ZRANGEBYLEX", key, "-", "+"),
                     ("ZREVRANGEBYLEX", key, "+", "-"), ("ZREVRANGE", key, 0, 1),
                     ("ZREMRANGEBYRANK", key, 0, 1), ("ZREMRANGEBYSCORE", key, 0, 1),
                     ("ZREMRANGEBYLEX", key, "-", "+"), ("ZPOPMIN", key), ("ZPOPMAX", key, 0),
                     ("ZMPOP", 2, "missing", key, "MIN"), ("ZRANDMEMBER", key),
                     ("ZRANDMEMBER", key, 0), ("ZRANDMEMBER", key, -2, "WITHSCORES"),
                     ("ZUNION", 2, "z", key), ("ZINTER", 2, "missing", key),
                     ("ZDIFF", 2, "missing", key), ("ZUNIONSTORE", "d", 1, key),
                     ("ZINTERSTORE", "d", 2, "missing", key), ("ZDIFFSTORE", "d", 2, "z", key),
                     ("ZINTERCARD", 2, "missing", key), ("ZSCAN", key, 0),
                     ("ZSCAN", key, 0, "COUNT", 0)):
            assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("GET", "str") == b"v"
    assert conn.call("LRANGE", "lst", 0, -1) == [b"a"]
    assert conn.call("EXISTS", "d") == 0


@needs("ZADD")
def test_other_types_refuse_sorted_sets(conn):
    zadd(conn, "z", 1, "a")
    for argv in (("GET", "z"), ("APPEND", "z", "x"), ("LPUSH", "z", "x"), ("HSET", "z", "f", "v"),
                 ("SADD", "z", "a"), ("SMEMBERS", "z"), ("SCARD", "z")):
        assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("SET", "z", "v") == b"OK"
    assert conn.call("TYPE", "z") == b"string"


# ---------------------------------------------------------------- encodings

@needs("ZADD", "ZREM", "ZCARD", "ZRANGE")
def test_listpack_entries_threshold(conn):
    assert conn.call("CONFIG", "GET", "zset-max-listpack-entries") == \
        [b"zset-max-listpack-entries", b"128"]
    assert conn.call("CONFIG", "GET", "zset-max-listpack-value") == \
        [b"zset-max-listpack-value", b"64"]
    pairs = [x for i in range(MAX_ENTRIES) for x in (i, f"m{i}")]
    zadd(conn, "z", *pairs)
    assert encoding(conn, "z") == b"listpack"
    assert conn.call("ZADD", "z", 5, "m0") == 0                   # still 128
    assert encoding(conn, "z") == b"listpack"
    assert conn.call("ZADD", "z", "XX", 5, "new") == 0
    assert encoding(conn, "z") == b"listpack"
    assert conn.call("ZADD", "z", 1000, "m128") == 1              # the 129th
    assert encoding(conn, "z") == b"skiplist"
    # Never back, even when almost empty.
    assert conn.call("ZREM", "z", *[f"m{i}" for i in range(MAX_ENTRIES)]) == MAX_ENTRIES
    assert encoding(conn, "z") == b"skiplist"
    assert withscores(conn, "z") == [(b"m128", b"1000")]
    # One ZADD of 129 new members converts too.
    zadd(conn, "y", *pairs, 1, "another")
    assert encoding(conn, "y") == b"skiplist"
    assert conn.call("ZCARD", "y") == MAX_ENTRIES + 1


@needs("ZADD", "ZINCRBY", "ZREM")
def test_listpack_value_threshold(conn):
    zadd(conn, "z", 1, "x" * MAX_VALUE)
    assert encoding(conn, "z") == b"listpack"
    zadd(conn, "z", 2, "a")
    assert conn.call("ZADD", "z", "XX", 1, LONG) == 0             # not added: no conversion
    assert encoding(conn, "z") == b"listpack"
    assert conn.call("ZADD", "z", "NX", 1, "a", 3, LONG) == 1
    assert encoding(conn, "z") == b"skiplist"
    assert conn.call("ZREM", "z", LONG) == 1
    assert encoding(conn, "z") == b"skiplist"
    zadd(conn, "y", 1, "a")
    assert conn.call("ZINCRBY", "y", 1, LONG) == b"1"
    assert encoding(conn, "y") == b"skiplist"
    assert conn.call("ZINCRBY", "new", 1, LONG) == b"1"
    assert encoding(conn, "new") == b"skiplist"
    zadd(conn, "first", 1, LONG, 2, "a")                          # the first member is long
    assert encoding(conn, "first") == b"skiplist"
    zadd(conn, "later", 1, "a", 2, LONG)                          # converted at the second
    assert encoding(conn, "later") == b"skiplist"
    # A long score is not a long member.
    zadd(conn, "score", "1.2345678901234567890123456789012345678901234567890123456789012345678",
         "a")
    assert encoding(conn, "score") == b"listpack"


@needs("ZADD", "ZCARD", "ZSCORE")
def test_new_key_encoding_ignores_how_many_pairs_repeat_a_member(conn):
    pairs = [x for i in range(MAX_ENTRIES + 1) for x in (i, "same")]
    assert conn.call("ZADD", "z", *pairs) == 1
    assert conn.call("ZCARD", "z") == 1
    assert conn.call("ZSCORE", "z", "same") == b"128"
    assert encoding(conn, "z") == b"listpack"
    config_set(conn, "zset-max-listpack-entries", 2)
    assert conn.call("ZADD", "y", 1, "a", 2, "a", 3, "a") == 1
    assert encoding(conn, "y") == b"listpack"


@needs("ZADD", "ZRANGE")
def test_thresholds_via_config_set(conn):
    config_set(conn, "zset-max-listpack-entries", 2)
    zadd(conn, "two", 1, "a", 2, "b")
    assert encoding(conn, "two") == b"listpack"
    zadd(conn, "two", 3, "c")
    assert encoding(conn, "two") == b"skiplist"
    zadd(conn, "three", 1, "a", 2, "b", 3, "c")
    assert encoding(conn, "three") == b"skiplist"
    config_set(conn, "zset-max-listpack-entries", 0)               # 0: never a listpack
    zadd(conn, "zero", 1, "a")
    assert encoding(conn, "zero") == b"skiplist"
    config_set(conn, "zset-max-listpack-entries", 128)
    # Existing sets are not converted by CONFIG SET alone.
    zadd(conn, "keep", 1, "a", 2, "b", 3, "c")
    config_set(conn, "zset-max-listpack-value", 1)
    assert encoding(conn, "keep") == b"listpack"
    assert conn.call("ZADD", "keep", 5, "a") == 0                   # an update converts nothing
    assert encoding(conn, "keep") == b"listpack"
    assert conn.call("ZADD", "keep", 5, "bb") == 1
    assert encoding(conn, "keep") == b"skiplist"
    zadd(conn, "short", 1, "a")
    assert encoding(conn, "short") == b"listpack"
    config_set(conn, "zset-max-listpack-value", 0)
    zadd(conn, "empty", 1, "")                                      # 0 bytes fit in 0
    assert encoding(conn, "empty") == b"listpack"
    zadd(conn, "one", 1, "a")
    assert encoding(conn, "one") == b"skiplist"
    # The old ziplist names are aliases.
    config_set(conn, "zset-max-ziplist-entries", 5)
    assert conn.call("CONFIG", "GET", "zset-max-listpack-entries") == \
        [b"zset-max-listpack-entries", b"5"]
    reply = conn.call("CONFIG", "GET", "zset-max-ziplist-*")
    assert dict(zip(reply[0::2], reply[1::2])) == \
        {b"zset-max-ziplist-entries": b"5", b"zset-max-ziplist-value": b"0"}
    config_set(conn, "zset-max-listpack-entries", 1000)
    config_set(conn, "zset-max-listpack-value", 100)
    pairs = [x for i in range(1000) for x in (i, f"{i:0100}")]     # 100 bytes each
    zadd(conn, "big", *pairs)
    assert encoding(conn, "big") == b"listpack"
    assert conn.call("ZRANGE", "big", 998, -1) == [b"%0100d" % 998, b"%0100d" % 999]


@needs("ZADD", "ZINCRBY", "ZREM")
def test_score_updates_never_convert(conn):
    zadd(conn, "long", 1, "Catania", 2, "b")
    zadd(conn, "many", 1, "a", 2, "b", 3, "c")
    config_set(conn, "zset-max-listpack-value", 5)
    config_set(conn, "zset-max-listpack-entries", 2)
    assert conn.call("ZADD", "long", 3, "Catania") == 0
    assert conn.call("ZINCRBY", "long", 1, "Catania") == b"4"
    assert conn.call("ZADD", "long", "INCR", 1, "Catania") == b"5"
    assert conn.call("ZADD", "many", 5, "a") == 0
    assert conn.call("ZINCRBY", "many", 1, "b") == b"3"
    assert conn.call("ZREM", "many", "c") == 1
    assert conn.call("ZADD", "many", 4, "c") == 1          # 3 members again, by an insert
    assert encoding(conn, "long") == b"listpack"
    assert encoding(conn, "many") == b"skiplist"


@needs("ZADD")
def test_threshold_config_errors(conn):
    def failed(name, why):
        return err(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")
    entries = "zset-max-listpack-entries"
    assert conn.call("CONFIG", "SET", entries, -1) == \
        failed(entries, "argument must be between 0 and 9223372036854775807 inclusive")
    for bad in ("x", "1k", "1.5", "9223372036854775808"):
        assert conn.call("CONFIG", "SET", entries, bad) == \
            failed(entries, "argument couldn't be parsed into an integer"), bad
    assert conn.call("CONFIG", "SET", "zset-max-listpack-value", -1) == \
        failed("zset-max-listpack-value", "argument must be a memory value")
    config_set(conn, entries, LLONG_MAX)
    assert conn.call("CONFIG", "GET", entries) == [entries.encode(), LLONG_MAX.encode()]


@needs("ZADD", "ZRANGE", "ZCARD")
def test_keyspace_commands_on_sorted_sets(conn):
    zadd(conn, "l", 2, "b", 1, "a")
    make(conn, "skiplist", "s", "-0", "z", 1, "a")
    for key in ("l", "s"):
        assert conn.call("COPY", key, f"{key}2") == 1
        assert encoding(conn, f"{key}2") == encoding(conn, key)      # COPY keeps the encoding
    assert conn.call("ZSCORE", "s2", "z") == b"-0"
    assert conn.call("ZADD", "l2", 3, "c") == 1                        # the copy is independent
    assert members(conn, "l") == [b"a", b"b"]
    assert conn.call("RENAME", "l2", "r") == b"OK"
    assert members(conn, "r") == [b"a", b"b", b"c"]
    assert conn.call("MOVE", "r", 1) == 1
    assert conn.call("SELECT", 1) == b"OK"
    assert conn.call("ZCARD", "r") == 3
    assert conn.call("TYPE", "r") == b"zset"
    assert conn.call("SELECT", 0) == b"OK"
    assert sorted(conn.call("SCAN", 0, "TYPE", "zset", "COUNT", 100)[1]) == [b"l", b"s", b"s2"]


# --------------------------------------------------------------- big sets

@needs("ZADD", "ZCARD", "ZRANK", "ZREVRANK", "ZSCORE", "ZRANGE", "ZRANGEBYSCORE", "ZCOUNT",
       "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZPOPMIN", "ZPOPMAX", "ZREM", "ZINCRBY")
def test_big_sorted_set(conn):
    n = 100000
    # Scores i // 2 (every score twice); the members sort like i, so rank == i.
    member = lambda i: b"m%06d" % i  # noqa: E731
    model = {member(i): i // 2 for i in range(n)}
    for start in range(0, n, 20000):
        pairs = [x for i in range(start, start + 20000) for x in (i // 2, member(i))]
        assert conn.call("ZADD", "big", *pairs) == 20000
    assert conn.call("ZCARD", "big") == n
    assert encoding(conn, "big") == b"skiplist"
    for i in (0, 1, 2, 777, 50001, n - 1):
        assert conn.call("ZRANK", "big", member(i)) == i
        assert conn.call("ZREVRANK", "big", member(i)) == n - 1 - i
    assert conn.call("ZSCORE", "big", member(99999)) == b"49999"
    assert conn.call("ZRANGE", "big", 49999, 50001) == [member(i) for i in (49999, 50000, 50001)]
    assert conn.call("ZRANGE", "big", -3, -1, "WITHSCORES") == \
        [member(99997), b"49998", member(99998), b"49999", member(99999), b"49999"]
    assert conn.call("ZRANGE", "big", 10, 12, "REV") == [member(n - 11), member(n - 12),
                                                         member(n - 13)]
    assert conn.call("ZRANGEBYSCORE", "big", 30000, "(30002") == \
        [member(i) for i in range(60000, 60004)]
    assert conn.call("ZRANGEBYSCORE", "big", "-inf", "+inf", "LIMIT", 70000, 2) == \
        [member(70000), member(70001)]
    assert conn.call("ZRANGE", "big", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 99998, 10) == \
        [member(1), member(0)]
    assert conn.call("ZCOUNT", "big", 1000, 1999) == 2000
    assert conn.call("ZRANGE", "big", 0, -1) == [member(i) for i in range(n)]
    # Removals and moves keep ranks right.
    assert conn.call("ZREMRANGEBYRANK", "big", 10000, 19999) == 10000
    for i in range(10000, 20000):
        del model[member(i)]
    assert conn.call("ZRANK", "big", member(20000)) == 10000
    assert conn.call("ZREMRANGEBYSCORE", "big", 40000, 44999) == 10000
    for i in range(80000, 90000):
        del model[member(i)]
    assert conn.call("ZRANK", "big", member(99999)) == n - 20001
    assert conn.call("ZPOPMIN", "big", 3) == [member(0), b"0", member(1), b"0", member(2), b"1"]
    assert conn.call("ZPOPMAX", "big") == [member(99999), b"49999"]
    for i in (0, 1, 2, 99999):
        del model[member(i)]
    assert conn.call("ZINCRBY", "big", -1, member(3)) == b"0"
    model[member(3)] = 0
    assert conn.call("ZRANK", "big", member(3)) == 0
    assert conn.call("ZINCRBY", "big", 60000, member(4)) == b"60002"
    model[member(4)] = 60002
    assert conn.call("ZREVRANK", "big", member(4)) == 0
    evens = [member(i) for i in range(0, n, 2)]
    assert conn.call("ZREM", "big", *evens) == sum(1 for m in evens if m in model)
    for m in evens:
        model.pop(m, None)
    assert conn.call("ZCARD", "big") == len(model)
    ordered = sorted(model, key=lambda m: (model[m], m))
    flat = conn.call("ZRANGE", "big", 0, -1, "WITHSCORES")
    assert flat[0::2] == ordered
    assert flat[1::2] == [str(model[m]).encode() for m in ordered]
    for rank in (0, 1, 1234, len(model) // 2, len(model) - 1):
        assert conn.call("ZRANK", "big", ordered[rank]) == rank


@needs("ZADD", "ZRANGE", "ZINCRBY", "ZPOPMIN")
def test_sorted_sets_shared_between_clients(raw):
    first, second = raw(), raw()
    zadd(first, "z", 1, "a", 2, "b")
    assert second.call("ZRANGE", "z", 0, -1) == [b"a", b"b"]
    assert second.call("ZINCRBY", "z", 5, "a") == b"6"
    assert first.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [b"b", b"2", b"a", b"6"]
    resp3(second)
    assert second.call_raw("ZPOPMIN", "z", 5) == pairs3("b", 2, "a", 6)
    assert first.call("EXISTS", "z") == 0
