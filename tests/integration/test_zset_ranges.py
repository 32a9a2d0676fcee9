"""Sorted-set ranges: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES) and its older
forms ZREVRANGE Z[REV]RANGEBYSCORE Z[REV]RANGEBYLEX, ZRANGESTORE, ZCOUNT,
ZLEXCOUNT and ZREMRANGEBYRANK/BYSCORE/BYLEX.

Exact replies and error strings of Redis 7.0.15, with the helpers of
test_zsets.py (see its docstring for the encodings).  Points worth knowing:

* Everything about the arguments is checked before the key is looked up:
  options and their conflicts, then the LIMIT numbers, then the range -- a bad
  range beats WRONGTYPE.
* Score bounds are read by strtod over the whole argument after an optional
  ``(`` (exclusive): leading spaces, hex floats, "1e400" (infinity) and an
  empty string (0) are accepted; trailing junk and NaN are not.
* Lex bounds are ``-``, ``+`` (alone) or ``[``/``(`` followed by the member
  (possibly empty).  Lex ranges are only specified when every member has the
  same score, so they are tested on such sets only.
* With REV, BYSCORE and BYLEX take the bounds as max then min.  LIMIT with a
  negative offset selects nothing; a negative count means "all the rest".
  A rank range refuses LIMIT -- unless its count is -1, the default, which
  Redis cannot tell from no LIMIT at all.
"""

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE
from test_zsets import (ENCODINGS, LONG, MAX_ENTRIES, config_set, encoding, err, flat2, make,
                        members, needs, pairs3, resp3, withscores,
                        wrong_type_keys, zadd)

NOT_FLOAT_RANGE = err("ERR min or max is not a float")
NOT_LEX_RANGE = err("ERR min or max not valid string range item")
LIMIT_NEEDS_BY = err("ERR syntax error, LIMIT is only supported in combination with either "
                     "BYSCORE or BYLEX")
WITHSCORES_BYLEX = err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")

FIVE = (1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
RANGES = ("ZRANGE", "ZRANGESTORE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX",
          "ZREVRANGEBYLEX", "ZREVRANGE")


def letters(text: str) -> list:
    return [c.encode() for c in text]


def mirror(text: str) -> str:
    """The members of FIVE at the same ranks counted from the other end."""
    return text.translate(str.maketrans("abcde", "edcba"))


# ------------------------------------------------------------ ranks

@needs("ZADD", "ZREM", "ZRANGE", "ZREVRANGE")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zrange_by_rank(conn, kind):
    make(conn, kind, "z", *FIVE)
    cases = {(0, -1): "abcde", (-2, -1): "de", (1, 3): "bcd", (3, 1): "", (-100, 100): "abcde",
             (5, 10): "", (4, 4): "e", (-1, -5): "", (-5, -5): "a",
             (0, "9223372036854775807"): "abcde",
             ("-9223372036854775808", -1): "abcde", ("-9223372036854775808", 0): "a",
             (-6, -5): "a", (0, -6): ""}
    for (start, stop), want in cases.items():
        assert conn.call("ZRANGE", "z", start, stop) == letters(want), (start, stop)
        # REV picks the same ranks counted from the top.
        assert conn.call("ZRANGE", "z", start, stop, "REV") == letters(mirror(want)), (start, stop)
        assert conn.call("ZREVRANGE", "z", start, stop) == letters(mirror(want)), (start, stop)
    # REV counts ranks from the top.
    assert conn.call("ZRANGE", "z", 0, 1, "REV") == letters("ed")
    assert conn.call("ZRANGE", "z", -2, -1, "rev") == letters("ba")
    assert conn.call("ZREVRANGE", "z", 1, 3) == letters("dcb")
    assert conn.call("ZREVRANGE", "z", 3, 1) == []
    assert conn.call_raw("ZRANGE", "z", 1, 2, "WITHSCORES") == flat2("b", 2, "c", 3)
    assert conn.call_raw("ZRANGE", "z", 1, 2, "REV", "WITHSCORES", "withscores") == \
        flat2("d", 4, "c", 3)
    assert conn.call_raw("ZREVRANGE", "z", 0, 0, "WITHSCORES") == flat2("e", 5)
    assert conn.call_raw("ZRANGE", "missing", 0, -1) == b"*0\r\n"


@needs("ZADD", "ZRANGE", "ZREVRANGE")
def test_rank_arguments_are_integers(conn):
    zadd(conn, "z", *FIVE)
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        for start, stop in (("x", 1), (0, "1.5"), (0, " 1"), (0, ""), (0, "9223372036854775808"),
                            ("1e2", 1), ("0x1", 1), ("+1", 2), (1, "002"), ("-0", 1)):
            assert conn.call("ZRANGE", key, start, stop) == NOT_INTEGER, (key, start, stop)
            assert conn.call("ZREVRANGE", key, start, stop) == NOT_INTEGER, (key, start, stop)
    assert conn.call("ZRANGE", "str", 0, 1) == WRONGTYPE
    assert conn.call("ZREVRANGE", "lst", 0, 1, "WITHSCORES") == WRONGTYPE


# ------------------------------------------------------------ scores

@needs("ZADD", "ZREM", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zrange_by_score(conn, kind):
    make(conn, kind, "z", *FIVE, "-inf", "n", "inf", "p")
    cases = {("1", "3"): "abc", ("(1", "3"): "bc", ("(1", "(3"): "b", ("3", "1"): "",
             ("-inf", "+inf"): "nabcdep", ("(-inf", "(inf"): "abcde", ("-inf", "-inf"): "n",
             ("(5", "+inf"): "p", ("2.5", "4.5"): "cd", ("1e400", "1e400"): "p",
             ("-1e400", "0"): "n", ("(3", "(3"): "", ("3", "3"): "c", ("(", "1"): "a"}
    for (low, high), want in cases.items():
        assert conn.call("ZRANGE", "z", low, high, "BYSCORE") == letters(want), (low, high)
        assert conn.call("ZRANGEBYSCORE", "z", low, high) == letters(want), (low, high)
        # REV takes the same bounds as max, min and gives the same members backwards.
        assert conn.call("ZRANGE", "z", high, low, "BYSCORE", "REV") == letters(want[::-1]), \
            (low, high)
        assert conn.call("ZREVRANGEBYSCORE", "z", high, low) == letters(want[::-1]), (low, high)
    assert conn.call("ZRANGE", "z", 1, 3, "BYSCORE", "REV") == []    # not swapped: empty
    assert conn.call("ZREVRANGEBYSCORE", "z", 1, 3) == []
    assert conn.call_raw("ZRANGE", "z", "(1", 3, "BYSCORE", "WITHSCORES") == \
        flat2("b", 2, "c", 3)
    assert conn.call_raw("ZRANGEBYSCORE", "z", "-inf", 1, "WITHSCORES") == \
        flat2("n", "-inf", "a", 1)
    assert conn.call_raw("ZREVRANGEBYSCORE", "z", "+inf", "(4", "WITHSCORES") == \
        flat2("p", "inf", "e", 5)
    assert conn.call_raw("ZRANGEBYSCORE", "missing", "-inf", "+inf") == b"*0\r\n"


@needs("ZADD", "ZRANGE", "ZRANGEBYSCORE", "ZCOUNT")
def test_score_bounds_are_parsed_like_strtod(conn):
    zadd(conn, "z", *FIVE)
    accepted = {" 1": "abcde", "(  2": "cde", "0x2": "bcde", "(0x2": "cde", "": "abcde",
                "2e0": "bcde", "+2": "bcde", "\t\n 3": "cde", "1e-400": "abcde", ".5": "abcde",
                "-inf": "abcde", "-Infinity": "abcde", "(4.0": "e"}
    for low, want in accepted.items():
        assert conn.call("ZRANGEBYSCORE", "z", low, 5) == letters(want), low
    assert conn.call("ZRANGEBYSCORE", "z", 0, "") == []            # "" is 0
    assert conn.call("ZRANGEBYSCORE", "z", 0, "(") == []
    assert conn.call("ZCOUNT", "z", "", "") == 0
    for bad in ("x", "nan", "(nan", "-nan", "((1", "[1", "1 ", "1x", "(1 ", "inf1", "0x", "1,5",
                "1e", "e1"):
        assert conn.call("ZRANGEBYSCORE", "z", bad, 5) == NOT_FLOAT_RANGE, bad
        assert conn.call("ZRANGE", "z", 0, bad, "BYSCORE") == NOT_FLOAT_RANGE, bad
        assert conn.call("ZCOUNT", "z", bad, 5) == NOT_FLOAT_RANGE, bad
    # The bound ends at a NUL byte, as a C string would.
    assert conn.call("ZRANGEBYSCORE", "z", b"2\x00junk", 5) == letters("bcde")


@needs("ZADD", "ZREM", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX",
       "ZREVRANGEBYLEX")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_limit(conn, kind):
    make(conn, kind, "z", *FIVE)
    cases = {(0, 1): "a", (1, 2): "bc", (1, -1): "bcde", (4, -5): "e", (0, 0): "",
             (5, 1): "", (-1, 2): "", (-1, -1): "", (2, 100): "cde",
             (0, "9223372036854775807"): "abcde",
             (3, "-9223372036854775808"): "de", ("9223372036854775807", 1): ""}
    for (offset, count), want in cases.items():
        limit = ("LIMIT", offset, count)
        assert conn.call("ZRANGE", "z", "-inf", "+inf", "BYSCORE", *limit) == letters(want), limit
        assert conn.call("ZRANGEBYSCORE", "z", "-inf", "+inf", *limit) == letters(want), limit
        assert conn.call("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", *limit) == \
            letters(mirror(want)), limit
        assert conn.call("ZRANGEBYLEX", "z", "-", "+", *limit) == letters(want), limit
        assert conn.call("ZREVRANGEBYLEX", "z", "+", "-", *limit) == \
            letters(mirror(want)), limit
    # The offset counts inside the range, from its start (its end with REV).
    assert conn.call("ZRANGEBYSCORE", "z", "(1", 4, "LIMIT", 1, 2) == letters("cd")
    assert conn.call("ZREVRANGEBYSCORE", "z", 4, "(1", "LIMIT", 1, 2) == letters("cb")
    assert conn.call_raw("ZRANGEBYSCORE", "z", 1, 3, "WITHSCORES", "LIMIT", 1, 1) == flat2("b", 2)
    assert conn.call_raw("ZRANGEBYSCORE", "z", 1, 3, "LIMIT", 1, 1, "WITHSCORES") == flat2("b", 2)
    # A repeated LIMIT: the last one counts.
    assert conn.call("ZRANGE", "z", 0, 5, "LIMIT", 0, 1, "LIMIT", 1, 1, "BYSCORE") == [b"b"]


@needs("ZADD", "ZRANGE")
def test_zrange_option_errors_and_check_order(conn):
    zadd(conn, "z", *FIVE)
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        for argv in ((0, -1, "BYSCORE", "BYLEX"), (0, -1, "BYSCORE", "BYSCORE"),
                     (0, -1, "REV", "REV"), (0, -1, "BOGUS"), ("x", 1, "BOGUS"),
                     (0, -1, "BYSCORE", "LIMIT", 1), (0, -1, "BYSCORE", "LIMIT"),
                     (0, -1, "WITHSCORE"), (0, -1, "LIMIT", "x")):
            assert conn.call("ZRANGE", key, *argv) == SYNTAX, (key, argv)
        # The LIMIT numbers are read as they come, before the conflict checks.
        for argv in ((0, -1, "LIMIT", "x", 1), (0, 5, "BYSCORE", "LIMIT", 0, "x", "LIMIT", 1, 1),
                     ("x", "y", "BYLEX", "LIMIT", 1, "1.5", "WITHSCORES")):
            assert conn.call("ZRANGE", key, *argv) == NOT_INTEGER, (key, argv)
        for argv in ((0, -1, "LIMIT", 0, 1), ("x", 1, "WITHSCORES", "LIMIT", 0, 1),
                     (0, -1, "REV", "LIMIT", 0, 1)):
            assert conn.call("ZRANGE", key, *argv) == LIMIT_NEEDS_BY, (key, argv)
        assert conn.call("ZRANGE", key, "-", "+", "BYLEX", "WITHSCORES") == WITHSCORES_BYLEX
        assert conn.call("ZRANGE", key, "x", "+", "WITHSCORES", "BYLEX") == WITHSCORES_BYLEX
        # Then the range, then the key.
        assert conn.call("ZRANGE", key, "x", 1) == NOT_INTEGER, key
        assert conn.call("ZRANGE", key, "a", "b", "BYSCORE") == NOT_FLOAT_RANGE, key
        assert conn.call("ZRANGE", key, 0, -1, "BYLEX") == NOT_LEX_RANGE, key
    assert conn.call("ZRANGE", "str", 0, -1) == WRONGTYPE
    assert conn.call("ZRANGE", "str", "-", "+", "BYLEX", "LIMIT", 0, 1) == WRONGTYPE
    assert conn.call("ZRANGE", "z", 0, -1, "BYSCORE") == []           # scores 0..-1: none


@needs("ZADD", "ZRANGE", "ZREVRANGE", "ZRANGESTORE")
def test_rank_range_ignores_a_limit_counting_minus_one(conn):
    zadd(conn, "z", 1, "a", 2, "b", 3, "c")
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", 5, -1) == letters("abc")
    assert conn.call("ZRANGE", "z", 0, 1, "LIMIT", 1, -1, "REV") == letters("cb")
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", -1, -1, "WITHSCORES") == \
        [b"a", b"1", b"b", b"2", b"c", b"3"]
    assert conn.call("ZREVRANGE", "z", 0, -1, "LIMIT", 2, -1) == letters("cba")
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", 1, 1, "LIMIT", 1, -1) == letters("abc")
    assert conn.call("ZRANGESTORE", "d", "z", 0, -1, "LIMIT", 1, -1) == 3
    # Any other count, the last LIMIT's, is refused.
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", 0, -2) == LIMIT_NEEDS_BY
    assert conn.call("ZRANGE", "z", 0, -1, "LIMIT", 1, -1, "LIMIT", 1, 1) == LIMIT_NEEDS_BY


@needs("ZADD", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE")
def test_older_forms_fix_their_options(conn):
    zadd(conn, "z", *FIVE)
    for command, low, high in (("ZRANGEBYSCORE", 1, 3), ("ZREVRANGEBYSCORE", 3, 1),
                               ("ZRANGEBYLEX", "-", "+"), ("ZREVRANGEBYLEX", "+", "-"),
                               ("ZREVRANGE", 0, 1)):
        for option in ("REV", "BYSCORE", "BYLEX", "BOGUS"):
            assert conn.call(command, "z", low, high, option) == SYNTAX, (command, option)
        assert conn.call(command, "z", low, high, "LIMIT", 1) == SYNTAX, command
    assert conn.call("ZREVRANGE", "z", 0, 1, "LIMIT", 0, 1) == LIMIT_NEEDS_BY
    assert conn.call("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES") == WITHSCORES_BYLEX
    assert conn.call("ZREVRANGEBYLEX", "z", "+", "-", "WITHSCORES") == WITHSCORES_BYLEX
    assert conn.call("ZREVRANGEBYSCORE", "z", "+inf", "(4", "LIMIT", 0, 1) == [b"e"]


@needs("ZADD", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZREVRANGE", "ZRANGEBYLEX")
def test_range_replies_in_resp3(conn):
    zadd(conn, "z", *FIVE)
    resp3(conn)
    assert conn.call_raw("ZRANGE", "z", 0, 1, "WITHSCORES") == pairs3("a", 1, "b", 2)
    assert conn.call_raw("ZRANGE", "z", 0, 1, "REV", "WITHSCORES") == pairs3("e", 5, "d", 4)
    assert conn.call_raw("ZRANGE", "z", 0, 1) == b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    assert conn.call_raw("ZRANGE", "z", "(1", "+inf", "BYSCORE", "WITHSCORES", "LIMIT", 0, 1) == \
        pairs3("b", 2)
    assert conn.call_raw("ZRANGEBYSCORE", "z", 4, "inf", "WITHSCORES") == pairs3("d", 4, "e", 5)
    assert conn.call_raw("ZREVRANGEBYSCORE", "z", "inf", 5, "WITHSCORES") == pairs3("e", 5)
    assert conn.call_raw("ZREVRANGE", "z", 0, 0, "WITHSCORES") == pairs3("e", 5)
    assert conn.call_raw("ZRANGEBYLEX", "z", "[d", "+") == b"*2\r\n$1\r\nd\r\n$1\r\ne\r\n"
    assert conn.call_raw("ZRANGE", "missing", 0, -1, "WITHSCORES") == b"*0\r\n"
    assert conn.call_raw("ZRANGE", "z", 3, 1, "WITHSCORES") == b"*0\r\n"


# ------------------------------------------------------------------- lex

LEX = [b"", b"A", b"a", b"a\x00", b"aa", b"ab", b"b", b"\xff", b"c"]


@needs("ZADD", "ZREM", "ZRANGE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_lex_ranges(conn, kind):
    make(conn, kind, "z", *[x for m in LEX for x in (0, m)])
    ordered = sorted(LEX)
    cases = {("-", "+"): ordered, ("[a", "(b"): [b"a", b"a\x00", b"aa", b"ab"],
             ("(a", "[ab"): [b"a\x00", b"aa", b"ab"], ("[b", "+"): [b"b", b"c", b"\xff"],
             ("-", "(b"): [b"", b"A", b"a", b"a\x00", b"aa", b"ab"], ("+", "-"): [],
             ("[", "+"): ordered, ("(", "+"): ordered[1:], ("-", "["): [b""], ("-", "("): [],
             ("[", "["): [b""], ("(", "("): [], ("(a", "(a"): [], ("[a", "[a"): [b"a"],
             ("[c", "[a"): [], (b"[\xff", "+"): [b"\xff"], (b"(\xff", "+"): [],
             (b"[a\x00", b"[a\x00"): [b"a\x00"], (b"(a\x00", "[b"): [b"aa", b"ab", b"b"],
             ("[a", "[a\x00"): [b"a", b"a\x00"], ("[B", "[a"): [b"a"], ("-", "-"): [],
             ("+", "+"): []}
    for (low, high), want in cases.items():
        assert conn.call("ZRANGEBYLEX", "z", low, high) == want, (low, high)
        assert conn.call("ZRANGE", "z", low, high, "BYLEX") == want, (low, high)
        assert conn.call("ZREVRANGEBYLEX", "z", high, low) == want[::-1], (low, high)
        assert conn.call("ZRANGE", "z", high, low, "BYLEX", "REV") == want[::-1], (low, high)
        assert conn.call("ZLEXCOUNT", "z", low, high) == len(want), (low, high)
    assert conn.call("ZREVRANGEBYLEX", "z", "-", "+") == []            # not swapped: empty
    assert conn.call("ZRANGE", "z", "[b", "[a", "BYLEX", "REV", "LIMIT", 1, 1) == [b"ab"]


@needs("ZADD", "ZRANGEBYLEX", "ZLEXCOUNT", "ZRANGE", "ZREMRANGEBYLEX")
def test_lex_bound_errors_come_before_the_lookup(conn):
    zadd(conn, "z", 0, "a", 0, "b")
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        for low, high in (("a", "+"), ("-", "b"), ("", "+"), ("-a", "+"), ("-", "++"),
                          ("+-", "+"), ("{a", "+"), (" [a", "+"), ("0", "1")):
            assert conn.call("ZRANGEBYLEX", key, low, high) == NOT_LEX_RANGE, (key, low, high)
            assert conn.call("ZLEXCOUNT", key, low, high) == NOT_LEX_RANGE, (key, low, high)
            assert conn.call("ZRANGE", key, low, high, "BYLEX") == NOT_LEX_RANGE, (key, low, high)
            assert conn.call("ZREMRANGEBYLEX", key, low, high) == NOT_LEX_RANGE, (key, low, high)
        assert conn.call("ZRANGEBYLEX", key, "[a", "[b", "LIMIT", "x", 1) == NOT_INTEGER
    # "-" and "+" stand alone up to a NUL byte, as in a C string.
    assert conn.call("ZLEXCOUNT", "z", b"-\x00x", b"+\x00y") == 2
    assert conn.call("ZLEXCOUNT", "str", "-", "+") == WRONGTYPE
    assert conn.call("ZLEXCOUNT", "missing", "-", "+") == 0


# ------------------------------------------------------------ ZCOUNT ZLEXCOUNT

@needs("ZADD", "ZREM", "ZCOUNT")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zcount(conn, kind):
    make(conn, kind, "z", *FIVE, 2, "b2", "inf", "p")
    cases = {(1, 3): 4, ("(1", "(3"): 2, ("-inf", "+inf"): 7, (3, 1): 0, ("(2", 2): 0,
             (2, 2): 2, ("inf", "inf"): 1, ("(5", "inf"): 1, ("-inf", "(1"): 0}
    for (low, high), want in cases.items():
        assert conn.call("ZCOUNT", "z", low, high) == want, (low, high)
    assert conn.call("ZCOUNT", "missing", 1, 2) == 0
    wrong_type_keys(conn)
    assert conn.call("ZCOUNT", "str", "x", 1) == NOT_FLOAT_RANGE        # the range comes first
    assert conn.call("ZCOUNT", "missing", "x", 1) == NOT_FLOAT_RANGE
    assert conn.call("ZCOUNT", "str", 1, 2) == WRONGTYPE


# ------------------------------------------------------------ ZREMRANGEBY*

@needs("ZADD", "ZREM", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX", "ZRANGE")
@pytest.mark.parametrize("kind", ENCODINGS)
def test_zremrange(conn, kind):
    make(conn, kind, "z", *FIVE, 6, "f", 7, "g")
    assert conn.call("ZREMRANGEBYRANK", "z", 3, 1) == 0
    assert conn.call("ZREMRANGEBYRANK", "z", 10, 20) == 0
    assert conn.call("ZREMRANGEBYRANK", "z", -1, -1) == 1                 # g
    assert conn.call("ZREMRANGEBYRANK", "z", -100, 0) == 1                # a
    assert conn.call("ZREMRANGEBYSCORE", "z", "(2", "(4") == 1            # c
    assert conn.call("ZREMRANGEBYSCORE", "z", 4, 3) == 0
    assert conn.call("ZREMRANGEBYSCORE", "z", "(5", "+inf") == 1          # f
    assert members(conn, "z") == letters("bde")
    assert encoding(conn, "z") == kind.encode()
    assert conn.call("ZREMRANGEBYRANK", "missing", 0, -1) == 0
    assert conn.call("ZREMRANGEBYSCORE", "missing", "-inf", "+inf") == 0
    assert conn.call("ZREMRANGEBYLEX", "missing", "-", "+") == 0
    make(conn, kind, "lex", *[x for m in "abcdef" for x in (0, m)])
    assert conn.call("ZREMRANGEBYLEX", "lex", "[b", "(d") == 2
    assert conn.call("ZREMRANGEBYLEX", "lex", "(e", "+") == 1
    assert conn.call("ZREMRANGEBYLEX", "lex", "[z", "[a") == 0
    assert members(conn, "lex") == letters("ade")


@needs("ZADD", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX")
def test_zremrange_deletes_emptied_sets(conn):
    for argv in (("ZREMRANGEBYRANK", "z", 0, -1), ("ZREMRANGEBYSCORE", "z", "-inf", "inf"),
                 ("ZREMRANGEBYLEX", "z", "-", "+"), ("ZREMRANGEBYRANK", "z", "-9223372036854775808",
                                                    "9223372036854775807")):
        zadd(conn, "z", 0, "a", 0, "b")
        assert conn.call("EXPIRE", "z", 1000) == 1
        assert conn.call(*argv) == 2, argv
        assert conn.call("EXISTS", "z") == 0, argv
        assert conn.call("TTL", "z") == -2


@needs("ZADD", "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX")
def test_zremrange_errors_and_check_order(conn):
    zadd(conn, "z", 1, "a")
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        for start, stop in (("x", 1), (0, "1.5"), (0, "")):
            assert conn.call("ZREMRANGEBYRANK", key, start, stop) == NOT_INTEGER, key
        for low, high in (("x", 1), (0, "nan"), ("((1", 2)):
            assert conn.call("ZREMRANGEBYSCORE", key, low, high) == NOT_FLOAT_RANGE, key
        assert conn.call("ZREMRANGEBYLEX", key, "a", "+") == NOT_LEX_RANGE, key
    for argv in (("ZREMRANGEBYRANK", "str", 0, 1), ("ZREMRANGEBYSCORE", "str", 0, 1),
                 ("ZREMRANGEBYLEX", "lst", "-", "+")):
        assert conn.call(*argv) == WRONGTYPE, argv
    assert withscores(conn, "z") == [(b"a", b"1")]


# ------------------------------------------------------------- ZRANGESTORE

@needs("ZADD", "ZRANGESTORE", "ZRANGE")
def test_zrangestore(conn):
    zadd(conn, "z", *FIVE)
    assert conn.call("ZRANGESTORE", "d", "z", 1, 3) == 3
    assert withscores(conn, "d") == [(b"b", b"2"), (b"c", b"3"), (b"d", b"4")]
    assert conn.call("ZRANGESTORE", "d", "z", 0, 1, "REV") == 2          # replaced
    assert withscores(conn, "d") == [(b"d", b"4"), (b"e", b"5")]
    assert conn.call("ZRANGESTORE", "d", "z", "(1", 4, "BYSCORE", "LIMIT", 1, 5) == 2
    assert members(conn, "d") == letters("cd")
    assert conn.call("ZRANGESTORE", "d", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 0, 2) == 2
    assert members(conn, "d") == letters("de")
    zadd(conn, "lex", 0, "a", 0, "b", 0, "c", 0, "d")
    assert conn.call("ZRANGESTORE", "d", "lex", "[b", "+", "BYLEX") == 3
    assert members(conn, "d") == letters("bcd")
    assert conn.call("ZRANGESTORE", "d", "lex", "(c", "-", "BYLEX", "REV", "LIMIT", 0, 1) == 1
    assert members(conn, "d") == [b"b"]
    # The source may be the destination.
    assert conn.call("ZRANGESTORE", "z", "z", 0, 1) == 2
    assert withscores(conn, "z") == [(b"a", b"1"), (b"b", b"2")]


@needs("ZADD", "ZRANGESTORE", "ZRANGE")
def test_zrangestore_replaces_or_deletes_the_destination(conn):
    zadd(conn, "z", 1, "a", 2, "b")
    wrong_type_keys(conn)
    assert conn.call("EXPIRE", "str", 1000) == 1
    assert conn.call("ZRANGESTORE", "str", "z", 0, 0) == 1               # any type, TTL dropped
    assert conn.call("TYPE", "str") == b"zset"
    assert conn.call("TTL", "str") == -1
    # An empty result deletes the destination.
    for argv in (("z", 5, 10), ("missing", 0, -1), ("z", 3, 4, "BYSCORE"),
                 ("z", "(b", "[a", "BYLEX")):
        assert conn.call("SET", "dst", "v") == b"OK"
        assert conn.call("ZRANGESTORE", "dst", *argv) == 0, argv
        assert conn.call("EXISTS", "dst") == 0, argv
    resp3(conn)
    assert conn.call_raw("ZRANGESTORE", "dst", "z", 0, -1) == b":2\r\n"


@needs("ZADD", "ZRANGESTORE")
def test_zrangestore_errors_and_check_order(conn):
    zadd(conn, "z", *FIVE)
    wrong_type_keys(conn)
    for key in ("z", "missing", "str"):
        assert conn.call("ZRANGESTORE", "d", key, 0, -1, "WITHSCORES") == SYNTAX, key
        assert conn.call("ZRANGESTORE", "d", key, 0, -1, "LIMIT", 0, 1) == LIMIT_NEEDS_BY, key
        assert conn.call("ZRANGESTORE", "d", key, "x", 1) == NOT_INTEGER, key
        assert conn.call("ZRANGESTORE", "d", key, "a", "b", "BYSCORE") == NOT_FLOAT_RANGE, key
        assert conn.call("ZRANGESTORE", "d", key, "a", "b", "BYLEX") == NOT_LEX_RANGE, key
    assert conn.call("ZRANGESTORE", "d", "str", 0, -1) == WRONGTYPE
    assert conn.call("ZRANGESTORE", "str", "lst", 0, -1) == WRONGTYPE
    assert conn.call("GET", "str") == b"v"
    assert conn.call("EXISTS", "d") == 0


@needs("ZADD", "ZREM", "ZRANGESTORE", "ZRANGE")
def test_zrangestore_result_encoding(conn):
    zadd(conn, "big", *[x for i in range(MAX_ENTRIES + 1) for x in (i, f"m{i}")])
    assert encoding(conn, "big") == b"skiplist"
    for stop, count, kind in ((-1, MAX_ENTRIES + 1, b"skiplist"),
                              (MAX_ENTRIES - 1, MAX_ENTRIES, b"listpack"), (9, 10, b"listpack")):
        assert conn.call("ZRANGESTORE", "d", "big", 0, stop) == count
        assert encoding(conn, "d") == kind, stop
    make(conn, "skiplist", "s", 1, "a", 2, "b")
    assert conn.call("ZRANGESTORE", "d", "s", 0, -1) == 2                 # small again: a listpack
    assert encoding(conn, "d") == b"listpack"
    zadd(conn, "s", 3, LONG)
    assert conn.call("ZRANGESTORE", "d", "s", 0, -1) == 3                 # a long member: skiplist
    assert encoding(conn, "d") == b"skiplist"
    config_set(conn, "zset-max-listpack-entries", 1)
    assert conn.call("ZRANGESTORE", "d", "big", 0, 1) == 2
    assert encoding(conn, "d") == b"skiplist"
    assert members(conn, "d") == [b"m0", b"m1"]
