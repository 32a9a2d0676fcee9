"""List commands: exact replies and error strings of Redis 7.0.15.

Covers LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT
LREM LTRIM LPOS RPOPLPUSH LMOVE LMPOP (the blocking variants live elsewhere).
Every test is marked ``needs_commands`` with the list commands it sends, so
it is skipped until the server under test knows them.  Expectations were
taken from a real redis-server 7.0.15; where Redis checks things in a
surprising order (argument parsing before or after the key lookup) the test
says so, because the order decides which error a client sees.
"""

import time

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, err

POP_COUNT = err("ERR value is out of range, must be positive")
NO_SUCH_KEY = err("ERR no such key")
INDEX_RANGE = err("ERR index out of range")
RANK_ZERO = err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                "second ... or use negative to start from the end of the list")
LPOS_COUNT = err("ERR COUNT can't be negative")
LPOS_MAXLEN = err("ERR MAXLEN can't be negative")
NUMKEYS = err("ERR numkeys should be greater than 0")
LMPOP_COUNT = err("ERR count should be greater than 0")

LLONG_MAX = "9223372036854775807"
LLONG_MIN = "-9223372036854775808"
TOO_BIG = "99999999999999999999"

needs = pytest.mark.needs_commands


def arity(name: str):
    return err(f"ERR wrong number of arguments for '{name}' command")


def rpush(conn, key, *elements):
    assert conn.call("RPUSH", key, *elements) == len(elements)


def items(conn, key):
    return conn.call("LRANGE", key, 0, -1)


def string_key(conn, key=b"s"):
    assert conn.call("SET", key, "v") == b"OK"


def resp3(conn):
    assert isinstance(conn.call("HELLO", 3), dict)


# ------------------------------------------------------------ push / LLEN

@needs("LPUSH", "RPUSH", "LRANGE", "LLEN")
def test_push_order_and_length(conn):
    assert conn.call("LPUSH", "l", "a", "b", "c") == 3
    assert conn.call("RPUSH", "l", "d", "e") == 5
    assert items(conn, "l") == [b"c", b"b", b"a", b"d", b"e"]
    assert conn.call("LLEN", "l") == 5
    assert conn.call("LLEN", "missing") == 0
    assert conn.call("TYPE", "l") == b"list"


@needs("LPUSH", "LRANGE")
def test_duplicates_are_kept(conn):
    assert conn.call("LPUSH", "l", "1") == 1
    assert conn.call("LPUSH", "l", "1", "1") == 3
    assert items(conn, "l") == [b"1", b"1", b"1"]


@needs("LPUSHX", "RPUSHX", "RPUSH", "LRANGE")
def test_pushx_only_on_existing_lists(conn):
    assert conn.call("LPUSHX", "l", "a") == 0
    assert conn.call("RPUSHX", "l", "a", "b") == 0
    assert conn.call("EXISTS", "l") == 0
    rpush(conn, "l", "m")
    assert conn.call("LPUSHX", "l", "x", "y") == 3
    assert conn.call("RPUSHX", "l", "z") == 4
    assert items(conn, "l") == [b"y", b"x", b"m", b"z"]


@needs("LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LLEN")
def test_push_arity(conn):
    for name in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
        assert conn.call(name) == arity(name.lower())
        assert conn.call(name, "l") == arity(name.lower())
    assert conn.call("LLEN") == arity("llen")
    assert conn.call("LLEN", "l", "x") == arity("llen")


@needs("RPUSH", "LPUSH")
def test_push_keeps_ttl(conn):
    rpush(conn, "l", "a")
    assert conn.call("EXPIRE", "l", 1000) == 1
    assert conn.call("LPUSH", "l", "z") == 2
    assert 990 < conn.call("TTL", "l") <= 1000


# ---------------------------------------------------------------- LPOP/RPOP

@needs("RPUSH", "LPOP", "RPOP", "LRANGE")
def test_pop_single(conn):
    rpush(conn, "l", "a", "b", "c")
    assert conn.call("LPOP", "l") == b"a"
    assert conn.call("RPOP", "l") == b"c"
    assert conn.call("LPOP", "l") == b"b"
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("LPOP", "l") is None
    assert conn.call_raw("RPOP", "missing") == b"$-1\r\n"


@needs("RPUSH", "LPOP", "RPOP", "LRANGE")
def test_pop_with_count(conn):
    rpush(conn, "l", "a", "b", "c", "d", "e")
    assert conn.call("LPOP", "l", 2) == [b"a", b"b"]
    assert conn.call("RPOP", "l", 2) == [b"e", b"d"]
    assert items(conn, "l") == [b"c"]
    assert conn.call("RPOP", "l", 100) == [b"c"]
    assert conn.call("EXISTS", "l") == 0
    rpush(conn, "l", "a", "b")
    assert conn.call("LPOP", "l", LLONG_MAX) == [b"a", b"b"]
    assert conn.call("EXISTS", "l") == 0


@needs("RPUSH", "LPOP", "RPOP", "LLEN")
def test_pop_count_zero(conn):
    rpush(conn, "l", "a")
    # An existing list with count 0: an empty array, nothing popped.
    assert conn.call_raw("LPOP", "l", 0) == b"*0\r\n"
    assert conn.call_raw("RPOP", "l", 0) == b"*0\r\n"
    assert conn.call("LLEN", "l") == 1
    # A missing key with any count (0 included): the nil *array*.
    assert conn.call_raw("LPOP", "missing", 0) == b"*-1\r\n"
    assert conn.call_raw("LPOP", "missing", 1) == b"*-1\r\n"
    assert conn.call_raw("RPOP", "missing", 5) == b"*-1\r\n"


@needs("RPUSH", "LPOP", "RPOP")
def test_pop_count_errors(conn):
    rpush(conn, "l", "a")
    for bad in (-1, "abc", "1.5", "", TOO_BIG, LLONG_MIN):
        assert conn.call("LPOP", "l", bad) == POP_COUNT, bad
        assert conn.call("RPOP", "l", bad) == POP_COUNT, bad
    # The count is parsed before the key is looked up.
    assert conn.call("LPOP", "missing", -1) == POP_COUNT
    string_key(conn)
    assert conn.call("LPOP", "s", -1) == POP_COUNT
    assert conn.call("LPOP", "s", 0) == WRONGTYPE
    assert conn.call("LPOP", "l", 1, 2) == arity("lpop")
    assert conn.call("RPOP") == arity("rpop")
    assert conn.call("RPOP", "l", 1, 2) == arity("rpop")


@needs("RPUSH", "LPOP", "RPOP")
def test_pop_resp3_nulls(conn):
    rpush(conn, "l", "a")
    resp3(conn)
    assert conn.call_raw("LPOP", "missing") == b"_\r\n"
    # RESP3 has one null: the nil array of RESP2 becomes `_` as well.
    assert conn.call_raw("LPOP", "missing", 1) == b"_\r\n"
    assert conn.call_raw("RPOP", "missing", 0) == b"_\r\n"
    assert conn.call_raw("LPOP", "l", 0) == b"*0\r\n"
    assert conn.call_raw("RPOP", "l", 1) == b"*1\r\n$1\r\na\r\n"


# -------------------------------------------------------------------- LRANGE

@needs("RPUSH", "LRANGE")
def test_lrange_indexes(conn):
    rpush(conn, "l", "1", "2", "3", "4", "5")
    cases = {
        (0, -1): [b"1", b"2", b"3", b"4", b"5"],
        (1, 2): [b"2", b"3"],
        (-2, -1): [b"4", b"5"],
        (-100, 100): [b"1", b"2", b"3", b"4", b"5"],
        (-100, 0): [b"1"],
        (3, 1): [],
        (5, 10): [],
        (-1, -2): [],
        (4, 4): [b"5"],
        (-5, -5): [b"1"],
        (0, LLONG_MAX): [b"1", b"2", b"3", b"4", b"5"],
        (LLONG_MIN, LLONG_MIN): [],
        (LLONG_MIN, LLONG_MAX): [b"1", b"2", b"3", b"4", b"5"],
        (LLONG_MAX, LLONG_MAX): [],
    }
    for (start, stop), want in cases.items():
        assert conn.call("LRANGE", "l", start, stop) == want, (start, stop)
    assert conn.call_raw("LRANGE", "missing", 0, -1) == b"*0\r\n"


@needs("RPUSH", "LRANGE")
def test_lrange_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LRANGE", "l", "a", 0) == NOT_INTEGER
    assert conn.call("LRANGE", "l", 0, "1.0") == NOT_INTEGER
    assert conn.call("LRANGE", "l", 0, TOO_BIG) == NOT_INTEGER
    # Indexes are parsed before the lookup: even a string key says so.
    assert conn.call("LRANGE", "missing", "a", "b") == NOT_INTEGER
    assert conn.call("LRANGE", "s", "a", "b") == NOT_INTEGER
    assert conn.call("LRANGE", "s", 0, 1) == WRONGTYPE
    assert conn.call("LRANGE", "l", 0) == arity("lrange")
    assert conn.call("LRANGE", "l", 0, 1, 2) == arity("lrange")


# -------------------------------------------------------------------- LINDEX

@needs("RPUSH", "LINDEX")
def test_lindex(conn):
    rpush(conn, "l", "a", "b", "c")
    assert conn.call("LINDEX", "l", 0) == b"a"
    assert conn.call("LINDEX", "l", 2) == b"c"
    assert conn.call("LINDEX", "l", -1) == b"c"
    assert conn.call("LINDEX", "l", -3) == b"a"
    assert conn.call_raw("LINDEX", "l", 3) == b"$-1\r\n"
    assert conn.call("LINDEX", "l", -4) is None
    assert conn.call("LINDEX", "l", LLONG_MAX) is None
    assert conn.call("LINDEX", "l", LLONG_MIN) is None
    assert conn.call("LINDEX", "missing", 0) is None


@needs("RPUSH", "LINDEX")
def test_lindex_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LINDEX", "l", "x") == NOT_INTEGER
    assert conn.call("LINDEX", "l", TOO_BIG) == NOT_INTEGER
    # Unlike LRANGE, LINDEX looks the key up first: a missing key answers
    # nil and a string key WRONGTYPE even when the index is not a number.
    assert conn.call("LINDEX", "missing", "x") is None
    assert conn.call("LINDEX", "s", "x") == WRONGTYPE
    assert conn.call("LINDEX", "s", 0) == WRONGTYPE
    assert conn.call("LINDEX", "l") == arity("lindex")


# ---------------------------------------------------------------------- LSET

@needs("RPUSH", "LSET", "LRANGE")
def test_lset(conn):
    rpush(conn, "l", "a", "b", "c")
    assert conn.call("LSET", "l", 0, "A") == b"OK"
    assert conn.call("LSET", "l", -1, "C") == b"OK"
    assert conn.call("LSET", "l", -2, "") == b"OK"
    assert items(conn, "l") == [b"A", b"", b"C"]


@needs("RPUSH", "LSET", "LRANGE")
def test_lset_errors(conn):
    rpush(conn, "l", "a", "b", "c")
    string_key(conn)
    for index in (3, -4, LLONG_MAX, LLONG_MIN):
        assert conn.call("LSET", "l", index, "x") == INDEX_RANGE, index
    assert conn.call("LSET", "l", "x", "x") == NOT_INTEGER
    assert conn.call("LSET", "l", TOO_BIG, "x") == NOT_INTEGER
    assert conn.call("LSET", "missing", 0, "x") == NO_SUCH_KEY
    # The key is looked up before the index is parsed.
    assert conn.call("LSET", "missing", "x", "x") == NO_SUCH_KEY
    assert conn.call("LSET", "s", "x", "x") == WRONGTYPE
    assert conn.call("LSET", "s", 0, "x") == WRONGTYPE
    assert conn.call("EXISTS", "missing") == 0
    assert items(conn, "l") == [b"a", b"b", b"c"]
    assert conn.call("LSET", "l", 0) == arity("lset")


# ------------------------------------------------------------------- LINSERT

@needs("RPUSH", "LINSERT", "LRANGE")
def test_linsert(conn):
    rpush(conn, "l", "a", "b", "c", "b")
    # Only the first occurrence of the pivot counts; direction is case-free.
    assert conn.call("LINSERT", "l", "BEFORE", "b", "X") == 5
    assert conn.call("LINSERT", "l", "after", "b", "Y") == 6
    assert items(conn, "l") == [b"a", b"X", b"b", b"Y", b"c", b"b"]
    assert conn.call("LINSERT", "l", "After", "b", "b") == 7
    assert conn.call("LINSERT", "l", "BEFORE", "a", "first") == 8
    assert conn.call("LINSERT", "l", "AFTER", "c", "beforelast") == 9
    assert items(conn, "l")[0] == b"first"
    assert items(conn, "l")[-2:] == [b"beforelast", b"b"]


@needs("RPUSH", "LINSERT", "LRANGE")
def test_linsert_missing_pivot_and_key(conn):
    rpush(conn, "l", "a")
    assert conn.call("LINSERT", "l", "BEFORE", "zz", "X") == -1
    assert conn.call("LINSERT", "l", "AFTER", "", "X") == -1
    assert items(conn, "l") == [b"a"]
    assert conn.call("LINSERT", "missing", "BEFORE", "a", "X") == 0
    assert conn.call("EXISTS", "missing") == 0


@needs("RPUSH", "LINSERT")
def test_linsert_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LINSERT", "s", "BEFORE", "a", "X") == WRONGTYPE
    # The direction is checked before the key.
    for key in ("l", "missing", "s"):
        assert conn.call("LINSERT", key, "MIDDLE", "a", "X") == SYNTAX
    assert conn.call("LINSERT", "l", "BEFORE", "a") == arity("linsert")
    assert conn.call("LINSERT", "l", "BEFORE", "a", "X", "Y") == arity("linsert")


# ---------------------------------------------------------------------- LREM

@needs("RPUSH", "LREM", "LRANGE")
def test_lrem_counts(conn):
    rpush(conn, "l", "a", "b", "a", "c", "a", "b", "a")
    assert conn.call("LREM", "l", 2, "a") == 2          # first two from the head
    assert items(conn, "l") == [b"b", b"c", b"a", b"b", b"a"]
    assert conn.call("LREM", "l", -1, "a") == 1         # one from the tail
    assert items(conn, "l") == [b"b", b"c", b"a", b"b"]
    assert conn.call("LREM", "l", -5, "a") == 1         # more than there are
    assert conn.call("LREM", "l", 0, "zz") == 0
    assert conn.call("LREM", "l", 0, "b") == 2          # 0: all of them
    assert items(conn, "l") == [b"c"]
    assert conn.call("LREM", "l", 1, "c") == 1
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("LREM", "missing", 1, "a") == 0


@needs("RPUSH", "LREM")
def test_lrem_extreme_counts(conn):
    rpush(conn, "l", "a", "a", "a")
    assert conn.call("LREM", "l", LLONG_MAX, "a") == 3
    rpush(conn, "l", "a", "a", "a")
    # -LLONG_MIN overflows in Redis; it removes every match.
    assert conn.call("LREM", "l", LLONG_MIN, "a") == 3
    assert conn.call("EXISTS", "l") == 0


@needs("RPUSH", "LREM")
def test_lrem_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LREM", "l", "x", "a") == NOT_INTEGER
    assert conn.call("LREM", "missing", "x", "a") == NOT_INTEGER
    assert conn.call("LREM", "s", "x", "a") == NOT_INTEGER
    assert conn.call("LREM", "s", 1, "a") == WRONGTYPE
    assert conn.call("LREM", "l", 0) == arity("lrem")


# --------------------------------------------------------------------- LTRIM

@needs("RPUSH", "LTRIM", "LRANGE")
def test_ltrim(conn):
    rpush(conn, "l", "1", "2", "3", "4", "5")
    assert conn.call("LTRIM", "l", 1, -2) == b"OK"
    assert items(conn, "l") == [b"2", b"3", b"4"]
    assert conn.call("LTRIM", "l", -100, 100) == b"OK"
    assert items(conn, "l") == [b"2", b"3", b"4"]
    assert conn.call("LTRIM", "l", LLONG_MIN, LLONG_MAX) == b"OK"
    assert items(conn, "l") == [b"2", b"3", b"4"]
    assert conn.call("LTRIM", "l", 1, 1) == b"OK"
    assert items(conn, "l") == [b"3"]
    assert conn.call("LTRIM", "l", 0, 0) == b"OK"
    assert items(conn, "l") == [b"3"]


@needs("RPUSH", "LTRIM")
@pytest.mark.parametrize("start,stop", [(2, 1), (5, 10), (-1, -2), (0, -3), (2, 2),
                                        (LLONG_MAX, LLONG_MAX), (LLONG_MIN, LLONG_MIN)])
def test_ltrim_to_empty_deletes_key(conn, start, stop):
    rpush(conn, "l", "a", "b")
    assert conn.call("EXPIRE", "l", 1000) == 1
    assert conn.call("LTRIM", "l", start, stop) == b"OK"
    assert conn.call("EXISTS", "l") == 0
    assert conn.call("TTL", "l") == -2


@needs("RPUSH", "LTRIM")
def test_ltrim_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LTRIM", "missing", 0, 1) == b"OK"
    assert conn.call("EXISTS", "missing") == 0
    assert conn.call("LTRIM", "l", 0, "x") == NOT_INTEGER
    assert conn.call("LTRIM", "missing", "x", 1) == NOT_INTEGER
    assert conn.call("LTRIM", "s", "x", 1) == NOT_INTEGER
    assert conn.call("LTRIM", "s", 0, 1) == WRONGTYPE
    assert conn.call("LTRIM", "l", 0) == arity("ltrim")


# ---------------------------------------------------------------------- LPOS

@needs("RPUSH", "LPOS")
def test_lpos_rank(conn):
    rpush(conn, "l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert conn.call("LPOS", "l", "c") == 2
    assert conn.call("LPOS", "l", "c", "RANK", 1) == 2
    assert conn.call("LPOS", "l", "c", "RANK", 2) == 6
    assert conn.call("LPOS", "l", "c", "RANK", 3) == 7
    assert conn.call("LPOS", "l", "c", "RANK", 4) is None
    assert conn.call("LPOS", "l", "c", "RANK", -1) == 7
    assert conn.call("LPOS", "l", "c", "RANK", -2) == 6
    assert conn.call("LPOS", "l", "c", "RANK", -3) == 2
    assert conn.call_raw("LPOS", "l", "c", "RANK", -4) == b"$-1\r\n"
    assert conn.call("LPOS", "l", "c", "RANK", LLONG_MAX) is None
    assert conn.call("LPOS", "l", "c", "RANK", "-" + LLONG_MAX) is None
    assert conn.call("LPOS", "l", "zz") is None
    assert conn.call("LPOS", "l", "c", "rank", 1, "RANK", 2) == 6   # the last one wins


@needs("RPUSH", "LPOS")
def test_lpos_rank_llong_min_acts_like_minus_one(conn):
    # Redis negates the rank: -LLONG_MIN overflows to itself and the first
    # match from the tail is reported.  A server must not crash on it.
    rpush(conn, "l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert conn.call("LPOS", "l", "c", "RANK", LLONG_MIN) == 7
    assert conn.call("LPOS", "l", "c", "RANK", LLONG_MIN, "COUNT", 0) == [7, 6, 2]


@needs("RPUSH", "LPOS")
def test_lpos_count(conn):
    rpush(conn, "l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert conn.call("LPOS", "l", "c", "COUNT", 0) == [2, 6, 7]      # 0: all
    assert conn.call("LPOS", "l", "c", "COUNT", 2) == [2, 6]
    assert conn.call("LPOS", "l", "c", "COUNT", 1) == [2]
    assert conn.call("LPOS", "l", "c", "COUNT", LLONG_MAX) == [2, 6, 7]
    assert conn.call("LPOS", "l", "c", "COUNT", 0, "RANK", -1) == [7, 6, 2]
    assert conn.call("LPOS", "l", "c", "COUNT", 0, "RANK", 2) == [6, 7]
    assert conn.call("LPOS", "l", "c", "RANK", -2, "COUNT", 1) == [6]
    assert conn.call_raw("LPOS", "l", "c", "RANK", 4, "COUNT", 0) == b"*0\r\n"
    assert conn.call_raw("LPOS", "l", "zz", "COUNT", 0) == b"*0\r\n"


@needs("RPUSH", "LPOS")
def test_lpos_maxlen(conn):
    rpush(conn, "l", "a", "b", "c", "1", "2", "3", "c", "c")
    assert conn.call("LPOS", "l", "c", "MAXLEN", 3) == 2
    assert conn.call("LPOS", "l", "c", "MAXLEN", 2) is None
    assert conn.call("LPOS", "l", "c", "MAXLEN", 0) == 2             # 0: unlimited
    assert conn.call("LPOS", "l", "c", "MAXLEN", 2, "COUNT", 0) == []
    assert conn.call("LPOS", "l", "c", "MAXLEN", 7, "COUNT", 0) == [2, 6]
    # With a negative rank MAXLEN counts from the tail.
    assert conn.call("LPOS", "l", "c", "RANK", -1, "MAXLEN", 1) == 7
    assert conn.call("LPOS", "l", "c", "RANK", -3, "MAXLEN", 2) is None
    assert conn.call("LPOS", "l", "a", "RANK", -1, "COUNT", 0, "MAXLEN", 1) == []
    assert conn.call("LPOS", "l", "a", "MAXLEN", 1, "COUNT", 1) == [0]


@needs("LPOS")
def test_lpos_missing_key(conn):
    assert conn.call_raw("LPOS", "missing", "a") == b"$-1\r\n"
    # With COUNT: an empty array, never nil.
    assert conn.call_raw("LPOS", "missing", "a", "COUNT", 1) == b"*0\r\n"
    assert conn.call_raw("LPOS", "missing", "a", "COUNT", 0) == b"*0\r\n"
    resp3(conn)
    assert conn.call_raw("LPOS", "missing", "a") == b"_\r\n"
    assert conn.call_raw("LPOS", "missing", "a", "COUNT", 0) == b"*0\r\n"


@needs("RPUSH", "LPOS")
def test_lpos_errors(conn):
    rpush(conn, "l", "a")
    string_key(conn)
    assert conn.call("LPOS", "l", "a", "RANK", 0) == RANK_ZERO
    assert conn.call("LPOS", "l", "a", "RANK", "x") == NOT_INTEGER
    assert conn.call("LPOS", "l", "a", "RANK", "1.5") == NOT_INTEGER
    assert conn.call("LPOS", "l", "a", "RANK", "9223372036854775808") == NOT_INTEGER
    assert conn.call("LPOS", "l", "a", "COUNT", -1) == LPOS_COUNT
    assert conn.call("LPOS", "l", "a", "COUNT", LLONG_MIN) == LPOS_COUNT
    # Not a number at all: still the "can't be negative" text.
    assert conn.call("LPOS", "l", "a", "COUNT", "x") == LPOS_COUNT
    assert conn.call("LPOS", "l", "a", "MAXLEN", -1) == LPOS_MAXLEN
    assert conn.call("LPOS", "l", "a", "MAXLEN", "x") == LPOS_MAXLEN
    # Options are checked left to right, all before the key lookup.
    assert conn.call("LPOS", "l", "a", "RANK", 0, "COUNT", -1) == RANK_ZERO
    assert conn.call("LPOS", "l", "a", "COUNT", -1, "RANK", 0) == LPOS_COUNT
    assert conn.call("LPOS", "l", "a", "MAXLEN", -1, "RANK", 0) == LPOS_MAXLEN
    assert conn.call("LPOS", "missing", "a", "RANK", 0) == RANK_ZERO
    assert conn.call("LPOS", "s", "a", "RANK", 0) == RANK_ZERO
    assert conn.call("LPOS", "s", "a") == WRONGTYPE
    assert conn.call("LPOS", "s", "a", "COUNT", 0) == WRONGTYPE
    for tail in (["RANK"], ["COUNT"], ["MAXLEN"], ["FOO", 1], ["RANK", 1, "COUNT", 1, "MAXLEN"],
                 ["RANK", 1, "COUNT", 1, "MAXLEN", 1, "foo"], ["b", "c"]):
        assert conn.call("LPOS", "l", "a", *tail) == SYNTAX, tail
    assert conn.call("LPOS", "l") == arity("lpos")


# ---------------------------------------------------------- RPOPLPUSH / LMOVE

@needs("RPUSH", "LMOVE", "LRANGE")
@pytest.mark.parametrize("wherefrom,whereto,popped,source,destination", [
    ("LEFT", "LEFT", b"1", [b"2", b"3"], [b"1", b"x", b"y"]),
    ("LEFT", "RIGHT", b"1", [b"2", b"3"], [b"x", b"y", b"1"]),
    ("RIGHT", "LEFT", b"3", [b"1", b"2"], [b"3", b"x", b"y"]),
    ("RIGHT", "RIGHT", b"3", [b"1", b"2"], [b"x", b"y", b"3"]),
])
def test_lmove_directions(conn, wherefrom, whereto, popped, source, destination):
    rpush(conn, "a", "1", "2", "3")
    rpush(conn, "b", "x", "y")
    assert conn.call("LMOVE", "a", "b", wherefrom, whereto) == popped
    assert items(conn, "a") == source
    assert items(conn, "b") == destination


@needs("RPUSH", "LMOVE", "LRANGE")
def test_lmove_same_key_rotates(conn):
    rpush(conn, "a", "1", "2", "3")
    assert conn.call("LMOVE", "a", "a", "LEFT", "RIGHT") == b"1"
    assert items(conn, "a") == [b"2", b"3", b"1"]
    assert conn.call("LMOVE", "a", "a", "right", "left") == b"1"
    assert items(conn, "a") == [b"1", b"2", b"3"]
    assert conn.call("LMOVE", "a", "a", "LEFT", "LEFT") == b"1"
    assert conn.call("LMOVE", "a", "a", "RIGHT", "RIGHT") == b"3"
    assert items(conn, "a") == [b"1", b"2", b"3"]
    rpush(conn, "one", "z")
    assert conn.call("LMOVE", "one", "one", "LEFT", "RIGHT") == b"z"
    assert items(conn, "one") == [b"z"]


@needs("RPUSH", "RPOPLPUSH", "LRANGE")
def test_rpoplpush(conn):
    rpush(conn, "a", "1", "2", "3")
    assert conn.call("RPOPLPUSH", "a", "b") == b"3"
    assert conn.call("RPOPLPUSH", "a", "b") == b"2"
    assert items(conn, "b") == [b"2", b"3"]
    assert conn.call("RPOPLPUSH", "a", "a") == b"1"
    assert conn.call("RPOPLPUSH", "a", "b") == b"1"
    assert conn.call("EXISTS", "a") == 0
    assert items(conn, "b") == [b"1", b"2", b"3"]
    assert conn.call_raw("RPOPLPUSH", "missing", "b") == b"$-1\r\n"
    assert conn.call("EXISTS", "missing") == 0


@needs("RPUSH", "LMOVE", "LRANGE")
def test_lmove_moving_last_element_deletes_source(conn):
    rpush(conn, "one", "z")
    assert conn.call("EXPIRE", "one", 1000) == 1
    assert conn.call("LMOVE", "one", "two", "LEFT", "LEFT") == b"z"
    assert conn.call("EXISTS", "one") == 0
    assert conn.call("TYPE", "two") == b"list"
    assert conn.call("TTL", "two") == -1


@needs("RPUSH", "LMOVE", "RPOPLPUSH", "LRANGE")
def test_lmove_errors(conn):
    rpush(conn, "a", "1", "2")
    string_key(conn)
    assert conn.call_raw("LMOVE", "missing", "a", "LEFT", "LEFT") == b"$-1\r\n"
    # A missing source answers nil before the destination's type is checked.
    assert conn.call("LMOVE", "missing", "s", "LEFT", "LEFT") is None
    assert conn.call("RPOPLPUSH", "missing", "s") is None
    assert conn.call("LMOVE", "s", "a", "LEFT", "LEFT") == WRONGTYPE
    assert conn.call("LMOVE", "s", "s", "LEFT", "LEFT") == WRONGTYPE
    # A string destination: WRONGTYPE and the source is left untouched.
    assert conn.call("LMOVE", "a", "s", "LEFT", "LEFT") == WRONGTYPE
    assert conn.call("RPOPLPUSH", "a", "s") == WRONGTYPE
    assert conn.call("RPOPLPUSH", "s", "a") == WRONGTYPE
    assert items(conn, "a") == [b"1", b"2"]
    assert conn.call("GET", "s") == b"v"
    # Directions are parsed before any lookup.
    assert conn.call("LMOVE", "a", "b", "UP", "LEFT") == SYNTAX
    assert conn.call("LMOVE", "missing", "b", "UP", "LEFT") == SYNTAX
    assert conn.call("LMOVE", "s", "b", "LEFT", "DOWN") == SYNTAX
    assert conn.call("LMOVE", "a", "b", "LEFT") == arity("lmove")
    assert conn.call("RPOPLPUSH", "a") == arity("rpoplpush")
    assert conn.call("RPOPLPUSH", "a", "b", "c") == arity("rpoplpush")


@needs("LMOVE", "RPOPLPUSH")
def test_lmove_resp3_null(conn):
    resp3(conn)
    assert conn.call_raw("LMOVE", "missing", "x", "LEFT", "LEFT") == b"_\r\n"
    assert conn.call_raw("RPOPLPUSH", "missing", "x") == b"_\r\n"


# --------------------------------------------------------------------- LMPOP

@needs("RPUSH", "LMPOP", "LRANGE")
def test_lmpop(conn):
    rpush(conn, "a", "1", "2", "3")
    rpush(conn, "b", "x", "y")
    assert conn.call("LMPOP", 2, "missing", "a", "LEFT") == [b"a", [b"1"]]
    assert conn.call("LMPOP", 2, "missing", "a", "RIGHT", "COUNT", 5) == [b"a", [b"3", b"2"]]
    assert conn.call("EXISTS", "a") == 0
    assert conn.call("LMPOP", 3, "missing", "a", "b", "right", "count", 1) == [b"b", [b"y"]]
    assert conn.call("LMPOP", 1, "b", "LEFT", "COUNT", LLONG_MAX) == [b"b", [b"x"]]
    assert conn.call("EXISTS", "b") == 0
    assert conn.call_raw("LMPOP", 1, "missing", "LEFT") == b"*-1\r\n"
    assert conn.call_raw("LMPOP", 2, "missing", "b", "LEFT", "COUNT", 3) == b"*-1\r\n"


@needs("RPUSH", "LMPOP")
def test_lmpop_resp3(conn):
    rpush(conn, "k", "1")
    resp3(conn)
    assert conn.call_raw("LMPOP", 1, "missing", "LEFT") == b"_\r\n"
    # The reply stays a two-element array (not a map) in RESP3.
    assert conn.call_raw("LMPOP", 1, "k", "RIGHT") == b"*2\r\n$1\r\nk\r\n*1\r\n$1\r\n1\r\n"


@needs("RPUSH", "LMPOP", "LRANGE")
def test_lmpop_errors(conn):
    rpush(conn, "a", "1", "2", "3")
    string_key(conn)
    for numkeys in (0, -1, "x", "1.5"):
        assert conn.call("LMPOP", numkeys, "a", "LEFT") == NUMKEYS, numkeys
    # numkeys larger than the keys given: a syntax error, not an arity error.
    assert conn.call("LMPOP", 2, "a", "LEFT") == SYNTAX
    assert conn.call("LMPOP", 3, "a", "b", "LEFT") == SYNTAX
    assert conn.call("LMPOP", LLONG_MAX, "a", "LEFT") == SYNTAX
    assert conn.call("LMPOP", 1, "a", "MIDDLE") == SYNTAX
    for count in (0, -1, "x", LLONG_MIN):
        assert conn.call("LMPOP", 1, "a", "LEFT", "COUNT", count) == LMPOP_COUNT, count
    assert conn.call("LMPOP", 1, "a", "LEFT", "COUNT") == SYNTAX
    assert conn.call("LMPOP", 1, "a", "LEFT", "COUNT", 1, "COUNT", 2) == SYNTAX
    assert conn.call("LMPOP", 1, "a", "LEFT", "FOO", 1) == SYNTAX
    assert conn.call("LMPOP", 1, "a", "LEFT", "EXTRA") == SYNTAX
    assert conn.call("LMPOP", 1, "a") == arity("lmpop")
    assert conn.call("LMPOP", 1) == arity("lmpop")
    assert items(conn, "a") == [b"1", b"2", b"3"]


@needs("RPUSH", "LMPOP", "LRANGE")
def test_lmpop_wrongtype_stops_at_first_nonempty(conn):
    rpush(conn, "a", "1", "2", "3")
    string_key(conn)
    assert conn.call("LMPOP", 1, "s", "LEFT") == WRONGTYPE
    assert conn.call("LMPOP", 2, "missing", "s", "LEFT") == WRONGTYPE
    # Keys are tried in order: a non-empty list before the string wins.
    assert conn.call("LMPOP", 2, "a", "s", "LEFT") == [b"a", [b"1"]]
    assert conn.call("LMPOP", 2, "s", "a", "LEFT") == WRONGTYPE
    assert items(conn, "a") == [b"2", b"3"]


# ---------------------------------------------------- strict integer parsing

@needs("RPUSH", "LRANGE", "LINDEX", "LSET", "LREM", "LTRIM", "LPOP", "LPOS", "LMPOP")
def test_integer_arguments_are_strict(conn):
    # "-0", "+1", "01", " 1", "1.0", "" are not integers to Redis; each
    # command then answers with its own error text.
    rpush(conn, "l", "a", "b", "c")
    for bad in ("-0", "+1", "01", "00", " 1", "1 ", "1.0", "", "0x1", "1e2"):
        assert conn.call("LRANGE", "l", bad, 1) == NOT_INTEGER, bad
        assert conn.call("LINDEX", "l", bad) == NOT_INTEGER, bad
        assert conn.call("LSET", "l", bad, "x") == NOT_INTEGER, bad
        assert conn.call("LREM", "l", bad, "x") == NOT_INTEGER, bad
        assert conn.call("LTRIM", "l", 0, bad) == NOT_INTEGER, bad
        assert conn.call("LPOP", "l", bad) == POP_COUNT, bad
        assert conn.call("LPOS", "l", "a", "RANK", bad) == NOT_INTEGER, bad
        assert conn.call("LPOS", "l", "a", "COUNT", bad) == LPOS_COUNT, bad
        assert conn.call("LPOS", "l", "a", "MAXLEN", bad) == LPOS_MAXLEN, bad
        assert conn.call("LMPOP", bad, "l", "LEFT") == NUMKEYS, bad
        assert conn.call("LMPOP", 1, "l", "LEFT", "COUNT", bad) == LMPOP_COUNT, bad
    assert items(conn, "l") == [b"a", b"b", b"c"]


# ----------------------------------------------------------------- WRONGTYPE

@needs("LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN", "LRANGE", "LINDEX",
       "LSET", "LINSERT", "LREM", "LTRIM", "LPOS", "RPOPLPUSH", "LMOVE", "LMPOP")
def test_every_list_command_on_a_string_key(conn):
    string_key(conn)
    commands = [
        ("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
        ("LPOP", "s"), ("RPOP", "s"), ("LPOP", "s", 1), ("RPOP", "s", 0), ("LLEN", "s"),
        ("LRANGE", "s", 0, -1), ("LINDEX", "s", 0), ("LSET", "s", 0, "a"),
        ("LINSERT", "s", "BEFORE", "v", "a"), ("LREM", "s", 0, "v"), ("LTRIM", "s", 0, -1),
        ("LPOS", "s", "v"), ("RPOPLPUSH", "s", "d"), ("LMOVE", "s", "d", "LEFT", "LEFT"),
        ("LMPOP", 1, "s", "LEFT"),
    ]
    for argv in commands:
        assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("GET", "s") == b"v"
    assert conn.call("EXISTS", "d") == 0


@needs("RPUSH")
def test_string_commands_on_a_list(conn):
    rpush(conn, "l", "a")
    for argv in (("GET", "l"), ("APPEND", "l", "x"), ("INCR", "l"), ("STRLEN", "l"),
                 ("GETRANGE", "l", 0, 1), ("SETRANGE", "l", 0, "x"), ("GETDEL", "l")):
        assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("SET", "l", "v") == b"OK"
    assert conn.call("TYPE", "l") == b"string"


# ------------------------------------------------------------ object encoding

@needs("RPUSH", "LPUSH")
def test_object_encoding_is_quicklist(conn):
    # 7.0 has no listpack-encoded lists: even one tiny element is a quicklist.
    rpush(conn, "small", "a")
    assert conn.call("OBJECT", "ENCODING", "small") == b"quicklist"
    rpush(conn, "numbers", *[str(i) for i in range(200)])
    assert conn.call("OBJECT", "ENCODING", "numbers") == b"quicklist"
    assert conn.call("LPUSH", "big", "x" * 10000) == 1
    assert conn.call("OBJECT", "ENCODING", "big") == b"quicklist"


# -------------------------------------------------------------- binary safety

BINARY = [b"", b"\x00", b"a\x00b", b"\r\n", b"\xff\xfe\x00\x01", b" spaced out ", b"*1\r\n$1\r\nx",
          "ünïcödé".encode()]


@needs("RPUSH", "LRANGE", "LINDEX", "LPOS", "LREM", "LINSERT", "LSET", "LPOP")
def test_binary_safe_elements(conn):
    key = b"bin\x00key\r\n"
    assert conn.call("RPUSH", key, *BINARY) == len(BINARY)
    assert conn.call("LRANGE", key, 0, -1) == BINARY
    for index, element in enumerate(BINARY):
        assert conn.call("LINDEX", key, index) == element
        assert conn.call("LPOS", key, element) == index
    # b"\x00" and b"a\x00b" are different elements.
    assert conn.call("LPOS", key, b"a") is None
    assert conn.call("LINSERT", key, "AFTER", b"\x00", b"\x00\x00") == len(BINARY) + 1
    assert conn.call("LINDEX", key, 2) == b"\x00\x00"
    assert conn.call("LSET", key, 0, b"\r\n\r\n") == b"OK"
    assert conn.call("LREM", key, 0, b"\r\n") == 1
    assert conn.call("LPOP", key) == b"\r\n\r\n"
    assert conn.call("LPOP", key, 2) == [b"\x00", b"\x00\x00"]


@needs("RPUSH", "LPOS", "LREM", "LINSERT", "LRANGE")
def test_integer_looking_elements_compare_as_bytes(conn):
    # Elements are compared as strings: "1" is not "01" nor "1.0".
    rpush(conn, "l", "1", "01", "1.0", "+1", "-0", "0")
    assert conn.call("LPOS", "l", "1", "COUNT", 0) == [0]
    assert conn.call("LPOS", "l", "0", "COUNT", 0) == [5]
    assert conn.call("LREM", "l", 0, "01") == 1
    assert conn.call("LINSERT", "l", "BEFORE", "-0", "x") == 6
    assert items(conn, "l") == [b"1", b"1.0", b"+1", b"x", b"-0", b"0"]
    rpush(conn, "big", "9223372036854775807", "9223372036854775808", "-9223372036854775808")
    assert items(conn, "big") == [b"9223372036854775807", b"9223372036854775808",
                                  b"-9223372036854775808"]


# ----------------------------------------------------------------- big lists

@needs("RPUSH", "LPUSH", "LLEN", "LRANGE", "LINDEX", "LSET", "LTRIM", "LREM", "LPOS")
def test_ten_thousand_elements(conn):
    total = 10000
    for start in range(0, total, 1000):
        assert conn.call("RPUSH", "l", *[f"e{i}" for i in range(start, start + 1000)]) \
            == start + 1000
    assert conn.call("LLEN", "l") == total
    got = []
    for start in range(0, total, 777):
        chunk = conn.call("LRANGE", "l", start, start + 776)
        assert len(chunk) == min(777, total - start)
        got.extend(chunk)
    assert got == [f"e{i}".encode() for i in range(total)]
    assert conn.call("LRANGE", "l", -3, -1) == [b"e9997", b"e9998", b"e9999"]
    assert conn.call("LINDEX", "l", 5000) == b"e5000"
    assert conn.call("LINDEX", "l", -5001) == b"e4999"
    assert conn.call("LPOS", "l", "e9999") == 9999
    assert conn.call("LPOS", "l", "e9999", "MAXLEN", 9999) is None
    assert conn.call("LSET", "l", 7777, "seven") == b"OK"
    assert conn.call("LINDEX", "l", 7777) == b"seven"
    assert conn.call("LREM", "l", -1, "seven") == 1
    assert conn.call("LLEN", "l") == total - 1
    assert conn.call("LTRIM", "l", 100, -101) == b"OK"
    assert conn.call("LLEN", "l") == total - 201
    assert conn.call("LINDEX", "l", 0) == b"e100"
    assert conn.call("LINDEX", "l", -1) == b"e9899"
    assert len(conn.call("LRANGE", "l", 0, -1)) == total - 201
    assert conn.call("OBJECT", "ENCODING", "l") == b"quicklist"


@needs("RPUSH", "LPUSH", "LPOP", "RPOP", "LLEN")
def test_ten_thousand_pops_alternating_ends(conn):
    total = 10000
    assert conn.call("LPUSH", "l", *[str(i) for i in range(total)]) == total
    lefts = conn.call("LPOP", "l", total // 2)
    assert lefts == [str(i).encode() for i in range(total - 1, total // 2 - 1, -1)]
    rights = conn.call("RPOP", "l", total)
    assert rights == [str(i).encode() for i in range(total // 2)]
    assert conn.call("EXISTS", "l") == 0


@needs("RPUSH", "LPUSH", "LRANGE", "LINDEX", "LSET", "LPOS", "LINSERT", "LREM", "LPOP")
def test_large_elements(conn):
    big = bytes(range(256)) * 400             # 102,400 bytes, every byte value
    other = b"y" * 100_000
    assert conn.call("RPUSH", "l", big, "small", other) == 3
    assert conn.call("LRANGE", "l", 0, -1) == [big, b"small", other]
    assert conn.call("LINDEX", "l", 0) == big
    assert conn.call("LPOS", "l", other) == 2
    assert conn.call("LPOS", "l", big[:-1]) is None
    assert conn.call("LINSERT", "l", "AFTER", big, other) == 4
    assert conn.call("LREM", "l", 0, other) == 2
    assert conn.call("LSET", "l", 1, big) == b"OK"
    assert conn.call("LPUSH", "l", other) == 3
    assert conn.call("LPOP", "l", 3) == [other, big, big]
    assert conn.call("EXISTS", "l") == 0


@pytest.mark.needs_commands("RPUSH", "UNLINK", "LLEN")
def test_unlink_of_a_big_list_frees_it_in_the_background(conn):
    """UNLINK answers at once and the key is gone; a list past the lazy-free threshold is
    freed off the main thread (INFO lazyfreed_objects counts it)."""
    # Enough 8 KB nodes (about 300) to pass Redis's free-effort threshold of 64.
    for _ in range(200):
        conn.call("RPUSH", "big", *[f"element-{i}" for i in range(1000)])
    assert conn.call("LLEN", "big") == 200000
    assert conn.call("UNLINK", "big", "missing") == 1
    assert conn.call("EXISTS", "big") == 0
    deadline = time.monotonic() + 5
    while True:
        info = conn.call("INFO", "memory").decode()
        fields = dict(line.split(":", 1) for line in info.split("\r\n") if ":" in line)
        if int(fields["lazyfreed_objects"]) >= 1 and int(fields["lazyfree_pending_objects"]) == 0:
            break
        assert time.monotonic() < deadline, fields
        time.sleep(0.05)
