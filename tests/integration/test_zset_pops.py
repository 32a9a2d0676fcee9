"""Sorted-set pops, random members and scans: ZPOPMIN ZPOPMAX ZMPOP
ZRANDMEMBER ZSCAN.

Exact replies and error strings of Redis 7.0.15, with the helpers of
test_zsets.py (see its docstring for the encodings).  Points worth knowing:

* ZPOPMIN/ZPOPMAX refuse extra arguments before reading the count, and the
  count before looking the key up; with a count (even 1) RESP3 gets an array
  of [member, score] pairs, without one a flat pair.  ZMPOP replies
  [key, [[member, score] ...]] in both protocols, or a null when every key is
  missing.
* ZRANDMEMBER reads its count first, then refuses extra arguments, then checks
  the WITHSCORES range (+-LONG_MAX/2), and only then looks the key up.  With a
  count covering the set it replies with the whole set from the highest score
  down; never send it a huge negative count on a real Redis.
* ZSCAN of a listpack replies with everything at once, printing scores as the
  listpack holds them (integers within +-2^62 as integers); a skiplist is
  scanned through its hash table, in no particular order.
"""

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, err
from test_sets import LLONG_MAX, LLONG_MIN, is_reference
from test_zsets import (ENCODINGS, HALF_MAX, encoding, flat2, make, needs, pairs3,
                        resp3, wrong_type_keys, zadd)

NOT_POSITIVE = err("ERR value is out of range, must be positive")
OUT_OF_RANGE = err("ERR value is out of range")
LONG_RANGE = err("ERR value is out of range, value must between "
                 "-9223372036854775807 and 9223372036854775807")
NUMKEYS = err("ERR numkeys should be greater than 0")
COUNT_POSITIVE = err("ERR count should be greater than 0")
INVALID_CURSOR = err("ERR invalid cursor")
EMPTY_SCAN = b"*2\r\n$1\r\n0\r\n*0\r\n"


# ------------------------------------------------------------ ZPOPMIN/ZPOPMAX

@needs("ZADD", "ZPOPMIN", "ZPOPMAX", "ZCARD")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zpopmin_zpopmax(conn, kind):
    make(conn, kind, "z", 1, "a", 1, "b", 2, "c", "inf", "d", "-inf", "e", "0.5", "f")
    assert conn.call_raw("ZPOPMIN", "z") == flat2("e", "-inf")
    assert conn.call_raw("ZPOPMAX", "z") == flat2("d", "inf")
    assert conn.call_raw("ZPOPMIN", "z", 2) == flat2("f", "0.5", "a", "1")
    assert conn.call_raw("ZPOPMAX", "z", 1) == flat2("c", "2")
    assert conn.call_raw("ZPOPMIN", "z", 0) == b"*0\r\n"
    assert conn.call("ZCARD", "z") == 1
    assert conn.call_raw("ZPOPMAX", "z", LLONG_MAX) == flat2("b", "1")
    assert conn.call("EXISTS", "z") == 0
    assert conn.call_raw("ZPOPMIN", "z") == b"*0\r\n"
    assert conn.call_raw("ZPOPMAX", "missing", 3) == b"*0\r\n"


@needs("ZADD", "ZPOPMIN", "ZPOPMAX")
def test_zpop_errors_and_check_order(conn):
    zadd(conn, "z", 1, "a")
    wrong_type_keys(conn)
    for command in ("ZPOPMIN", "ZPOPMAX"):
        for key in ("z", "missing", "str"):
            # Extra arguments first, then the count, then the key.
            assert conn.call(command, key, 1, 2) == SYNTAX, key
            assert conn.call(command, key, "x", 2) == SYNTAX, key
            for bad in ("-1", "x", "", "1.5", " 1", "9223372036854775808", LLONG_MIN):
                assert conn.call(command, key, bad) == NOT_POSITIVE, (key, bad)
        assert conn.call(command, "str", 0) == WRONGTYPE           # count 0 still looks
        assert conn.call(command, "str") == WRONGTYPE
    assert conn.call("ZCARD", "z") == 1


@needs("ZADD", "ZPOPMIN", "ZPOPMAX")
def test_zpop_resp3_shapes(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c", 4, "d")
    resp3(conn)
    # Without a count: one flat pair; with a count (even 1): an array of pairs.
    assert conn.call_raw("ZPOPMIN", "z") == b"*2\r\n$1\r\na\r\n,1\r\n"
    assert conn.call_raw("ZPOPMAX", "z", 1) == pairs3("d", 4)
    assert conn.call_raw("ZPOPMIN", "z", 5) == pairs3("b", 2, "c", 3)
    assert conn.call_raw("ZPOPMIN", "z") == b"*0\r\n"
    assert conn.call_raw("ZPOPMIN", "z", 0) == b"*0\r\n"
    assert conn.call_raw("ZPOPMAX", "missing", 2) == b"*0\r\n"


# -------------------------------------------------------------------- ZMPOP

@needs("ZADD", "ZMPOP", "ZCARD")
def test_zmpop(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c")
    zadd(conn, "y", 5, "x")
    assert conn.call_raw("ZMPOP", 1, "z", "MIN") == b"*2\r\n$1\r\nz\r\n*1\r\n" + flat2("a", 1)
    assert conn.call("ZMPOP", 2, "missing", "z", "max", "count", 10) == \
        [b"z", [[b"c", b"3"], [b"b", b"2"]]]
    assert conn.call("EXISTS", "z") == 0
    assert conn.call("ZMPOP", 3, "missing", "z", "y", "MIN", "COUNT", LLONG_MAX) == \
        [b"y", [[b"x", b"5"]]]
    assert conn.call_raw("ZMPOP", 2, "missing", "y", "MIN") == b"*-1\r\n"
    zadd(conn, "z", 1, "a", 2, "b")
    zadd(conn, "y", 0, "w")
    assert conn.call("ZMPOP", 2, "z", "y", "MIN") == [b"z", [[b"a", b"1"]]]   # the first key
    assert conn.call("ZCARD", "y") == 1
    resp3(conn)
    assert conn.call_raw("ZMPOP", 2, "missing", "z", "MAX", "COUNT", 1) == \
        b"*2\r\n$1\r\nz\r\n" + pairs3("b", 2)
    assert conn.call_raw("ZMPOP", 1, "z", "MIN") == b"_\r\n"


@needs("ZADD", "ZMPOP")
def test_zmpop_errors_and_check_order(conn):
    zadd(conn, "z", 1, "a")
    wrong_type_keys(conn)
    for argv in ((0, "z", "MIN"), (-1, "z", "MIN"), ("x", "z", "MIN"), ("x", "str", "MIN"),
                 ("", "z", "MIN")):
        assert conn.call("ZMPOP", *argv) == NUMKEYS, argv
    for argv in ((2, "z", "MIN"), (3, "z", "y", "MIN"), (LLONG_MAX, "z", "MIN"),
                 (1, "z", "BOGUS"), (1, "z", "MIN", "COUNT"),
                 (1, "z", "MIN", "COUNT", 1, "COUNT", 1),
                 (1, "z", "MIN", "BOGUS", 1), (1, "str", "MIN", "x"), (1, "z", "MINIMUM")):
        assert conn.call("ZMPOP", *argv) == SYNTAX, argv
    for argv in ((1, "z", "MIN", "COUNT", 0), (1, "z", "MIN", "COUNT", -1),
                 (1, "z", "MAX", "COUNT", "x"), (1, "str", "MIN", "COUNT", 0),
                 (1, "z", "MIN", "COUNT", "9223372036854775808")):
        assert conn.call("ZMPOP", *argv) == COUNT_POSITIVE, argv
    # Keys are checked in order until one holds a sorted set.
    assert conn.call("ZMPOP", 2, "missing", "str", "MIN") == WRONGTYPE
    assert conn.call("ZMPOP", 2, "lst", "z", "MIN") == WRONGTYPE
    assert conn.call("ZMPOP", 2, "z", "str", "MIN") == [b"z", [[b"a", b"1"]]]


# -------------------------------------------------------------- ZRANDMEMBER

@needs("ZADD", "ZRANDMEMBER", "ZCARD")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zrandmember(conn, kind):
    pool = {f"m{i}".encode(): str(i).encode() for i in range(10)}
    make(conn, kind, "z", *[x for m, s in pool.items() for x in (s, m)])
    seen = {conn.call("ZRANDMEMBER", "z") for _ in range(200)}
    assert seen == set(pool)
    for count in (1, 3, 5, 9):                                   # distinct
        got = conn.call("ZRANDMEMBER", "z", count)
        assert len(got) == count and len(set(got)) == count and set(got) <= set(pool)
        flat = conn.call("ZRANDMEMBER", "z", count, "WITHSCORES")
        items = list(zip(flat[0::2], flat[1::2]))
        assert len({m for m, _ in items}) == count
        assert all(pool[m] == s for m, s in items)
    for count in (-1, -5, -30):                                   # repeats allowed
        got = conn.call("ZRANDMEMBER", "z", count)
        assert len(got) == -count and set(got) <= set(pool)
        flat = conn.call("ZRANDMEMBER", "z", count, "withscores")
        assert len(flat) == -2 * count
        assert all(pool[m] == s for m, s in zip(flat[0::2], flat[1::2]))
    assert set(conn.call("ZRANDMEMBER", "z", -2000)) == set(pool)
    for count in (10, 11, LLONG_MAX):
        assert sorted(conn.call("ZRANDMEMBER", "z", count)) == sorted(pool)
    assert conn.call("ZCARD", "z") == 10
    for argv in (("z", 0), ("z", 0, "WITHSCORES"), ("missing", 0), ("missing", 3),
                 ("missing", -3, "WITHSCORES"), ("missing", "-9223372036854775807")):
        assert conn.call_raw("ZRANDMEMBER", *argv) == b"*0\r\n", argv
    assert conn.call_raw("ZRANDMEMBER", "missing") == b"$-1\r\n"


@needs("ZADD", "ZRANDMEMBER")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zrandmember_whole_set_comes_from_the_top(conn, kind):
    make(conn, kind, "z", 1, "a", 1, "b", 2, "c", 3, "d", 0, "e")
    assert conn.call_raw("ZRANDMEMBER", "z", 5) == flat2("d", "c", "b", "a", "e")
    assert conn.call_raw("ZRANDMEMBER", "z", LLONG_MAX) == flat2("d", "c", "b", "a", "e")
    assert conn.call_raw("ZRANDMEMBER", "z", 100, "WITHSCORES") == \
        flat2("d", 3, "c", 2, "b", 1, "a", 1, "e", 0)
    resp3(conn)
    assert conn.call_raw("ZRANDMEMBER", "z", HALF_MAX, "WITHSCORES") == \
        pairs3("d", 3, "c", 2, "b", 1, "a", 1, "e", 0)


@needs("ZADD", "ZRANDMEMBER")
def test_zrandmember_resp3_shapes(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c")
    resp3(conn)
    reply = conn.call_raw("ZRANDMEMBER", "z", 2, "WITHSCORES")
    assert reply.startswith(b"*2\r\n*2\r\n$1\r\n") and reply.count(b",") == 2
    reply = conn.call_raw("ZRANDMEMBER", "z", -4, "WITHSCORES")
    assert reply.startswith(b"*4\r\n*2\r\n") and reply.count(b"*2\r\n") == 4
    assert conn.call_raw("ZRANDMEMBER", "z", -4)[:4] == b"*4\r\n"
    assert conn.call_raw("ZRANDMEMBER", "z", 0, "WITHSCORES") == b"*0\r\n"
    assert conn.call_raw("ZRANDMEMBER", "missing") == b"_\r\n"
    assert conn.call("ZRANDMEMBER", "z") in (b"a", b"b", b"c")


@needs("ZADD", "ZRANDMEMBER")
def test_zrandmember_errors_and_check_order(conn):
    zadd(conn, "z", 1, "a")
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        # The count first, then the extra arguments, then the WITHSCORES range, then the key.
        for bad in ("x", "", "1.5", " 1", "9223372036854775808"):
            assert conn.call("ZRANDMEMBER", key, bad) == NOT_INTEGER, (key, bad)
            assert conn.call("ZRANDMEMBER", key, bad, "WITHSCORES") == NOT_INTEGER, (key, bad)
            assert conn.call("ZRANDMEMBER", key, bad, "x") == NOT_INTEGER, (key, bad)
        assert conn.call("ZRANDMEMBER", key, LLONG_MIN) == LONG_RANGE, key
        assert conn.call("ZRANDMEMBER", key, LLONG_MIN, "WITHSCORES") == LONG_RANGE, key
        for extra in (("x",), ("WITHSCORES", "x"), ("WITHSCORE",)):
            assert conn.call("ZRANDMEMBER", key, 1, *extra) == SYNTAX, (key, extra)
        assert conn.call("ZRANDMEMBER", key, LLONG_MAX, "x") == SYNTAX, key
        for count in ("4611686018427387904", "-4611686018427387904", LLONG_MAX):
            assert conn.call("ZRANDMEMBER", key, count, "WITHSCORES") == OUT_OF_RANGE, (key, count)
    assert conn.call("ZRANDMEMBER", "str") == WRONGTYPE
    assert conn.call("ZRANDMEMBER", "str", 0) == WRONGTYPE
    assert conn.call("ZRANDMEMBER", "str", "-9223372036854775807") == WRONGTYPE
    assert conn.call("ZRANDMEMBER", "lst", HALF_MAX, "WITHSCORES") == WRONGTYPE


@needs("ZADD", "ZRANDMEMBER")
def test_zrandmember_refuses_huge_negative_counts(conn):
    if is_reference():
        pytest.skip("a real redis-server tries to build the reply (and dies)")
    zadd(conn, "z", 1, "a", 2, "b")
    # Redwing's own guard: more than 10,000,000 draws are refused, after the lookup.
    for count in ("-10000001", "-9223372036854775807", "-4611686018427387903"):
        assert conn.call("ZRANDMEMBER", "z", count) == OUT_OF_RANGE, count
    assert conn.call("ZRANDMEMBER", "z", "-10000001", "WITHSCORES") == OUT_OF_RANGE
    assert conn.call_raw("ZRANDMEMBER", "missing", "-10000001") == b"*0\r\n"
    assert len(conn.call("ZRANDMEMBER", "z", -100000)) == 100000
    assert conn.call("ZCARD", "z") == 2


# -------------------------------------------------------------------- ZSCAN

@needs("ZADD", "ZSCAN")
def test_zscan_listpack_returns_everything_at_once(conn):
    zadd(conn, "z", 3, "c", 1, "a", "2.5", "b", "-inf", "n", "0.1", "p")
    everything = [b"n", b"-inf", b"p", b"0.10000000000000001", b"a", b"1", b"b", b"2.5",
                  b"c", b"3"]
    for argv in ((0,), (0, "COUNT", 1), (7,), ("00",), ("-1",), ("",),
                 ("18446744073709551615",)):
        assert conn.call("ZSCAN", "z", *argv) == [b"0", everything], argv
    assert conn.call("ZSCAN", "z", 0, "MATCH", "[ab]") == [b"0", [b"a", b"1", b"b", b"2.5"]]
    assert conn.call("ZSCAN", "z", 0, "MATCH", "x*", "COUNT", 1, "match", "c") == \
        [b"0", [b"c", b"3"]]
    assert conn.call("ZSCAN", "z", 0, "MATCH", "nope") == [b"0", []]
    assert conn.call_raw("ZSCAN", "missing", 0) == EMPTY_SCAN
    resp3(conn)
    assert conn.call_raw("ZSCAN", "z", 0, "MATCH", "b") == \
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n"


@needs("ZADD", "ZSCAN")
def test_zscan_listpack_prints_integral_scores_as_integers(conn):
    zadd(conn, "z", "1e17", "a", "-1e18", "b", "4611686018427387904", "c",
         "4611686018427388928", "d", "5e18", "e", "1e15", "f", "-0", "g")
    assert dict(zip(*[iter(conn.call("ZSCAN", "z", 0)[1])] * 2)) == {
        b"a": b"100000000000000000", b"b": b"-1000000000000000000",
        b"c": b"4611686018427387904",              # 2^62: the largest kept as an integer
        b"d": b"4.6116860184273889e+18", b"e": b"5e+18", b"f": b"1000000000000000",
        b"g": b"0"}
    assert conn.call("ZSCORE", "z", "a") == b"1e+17"             # other replies: %.17g


@needs("ZADD", "ZREM", "ZSCAN")
def test_zscan_skiplist_keeps_negative_zero(conn):
    make(conn, "skiplist", "z", "-0", "a", "1e17", "b", "0.1", "c")
    found = dict(zip(*[iter(conn.call("ZSCAN", "z", 0)[1])] * 2))
    assert found == {b"a": b"-0", b"b": b"1e+17", b"c": b"0.10000000000000001"}


@needs("ZADD", "ZSCAN")
def test_zscan_errors_and_check_order(conn):
    zadd(conn, "z", 1, "a")
    for bad in ("x", "1.5", "-1.5", "0x1", "18446744073709551616", " 1", "1 "):
        assert conn.call("ZSCAN", "z", bad) == INVALID_CURSOR, bad
    for options in (("COUNT", 0), ("COUNT", -1), ("MATCH",), ("COUNT",), ("NOVALUES",),
                    ("TYPE", "zset"), ("BOGUS", 1)):
        assert conn.call("ZSCAN", "z", 0, *options) == SYNTAX, options
    for options in (("COUNT", "x"), ("COUNT", "9223372036854775808"), ("COUNT", "1.5")):
        assert conn.call("ZSCAN", "z", 0, *options) == NOT_INTEGER, options
    # The cursor is parsed before the lookup; options only for an existing set.
    assert conn.call("ZSCAN", "missing", "x") == INVALID_CURSOR
    for options in (("BOGUS",), ("COUNT", 0), ("COUNT", "x")):
        assert conn.call_raw("ZSCAN", "missing", 0, *options) == EMPTY_SCAN
    for key in wrong_type_keys(conn):
        assert conn.call("ZSCAN", key, "x") == INVALID_CURSOR
        assert conn.call("ZSCAN", key, 0, "COUNT", "x") == WRONGTYPE


def full_zscan(conn, key, *options):
    cursor, seen, calls = b"0", [], 0
    while True:
        cursor, batch = conn.call("ZSCAN", key, cursor, *options)
        seen.extend(zip(batch[0::2], batch[1::2]))
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 100000


@needs("ZADD", "ZSCAN", "ZCARD")
def test_zscan_skiplist_iterates_everything(conn):
    expected = {f"member:{i}".encode(): str(i * 0.5).rstrip("0").rstrip(".").encode()
                for i in range(5000)}
    expected[b"member:0"] = b"0"
    pairs = [x for m, s in expected.items() for x in (s, m)]
    zadd(conn, "z", *pairs)
    assert encoding(conn, "z") == b"skiplist"
    seen, calls = full_zscan(conn, "z", "COUNT", 100)
    assert calls > 1 and dict(seen) == expected
    seen, calls = full_zscan(conn, "z")
    assert calls > 100 and dict(seen) == expected                # COUNT defaults to 10
    seen, _ = full_zscan(conn, "z", "MATCH", "member:99*", "COUNT", 500)
    assert dict(seen) == {m: s for m, s in expected.items() if m.startswith(b"member:99")}
