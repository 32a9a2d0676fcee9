"""SORT and SORT_RO: exact replies of Redis 7.0.15, and a differential run.

The first part pins behaviour with literal expectations taken from a real
redis-server 7.0.15: option parsing and its errors, LIMIT clamping, BY
without a '*' (no sorting; lists and sorted sets keep their order and honour
DESC and LIMIT, sets keep theirs unless stored), BY/GET patterns with
'->field', '#', ties (equal scores fall back to comparing the elements as
bytes; ALPHA compares C strings with strcoll, bytes with STORE), STORE.

The second part builds the same random data on the server under test and on
a real redis-server and compares the replies of thousands of random SORT and
SORT_RO commands byte for byte.  Only orders Redis defines are generated:
a hashtable set is never read unsorted (its iteration order is the hash
table's), and ALPHA with BY on a hashtable set or a sorted set only uses
weights that are all present and distinct (with ties Redis keeps the order in
which it loaded the elements, which for those types is its hash table's).
No weight or element is out of double range: Redis does not clear errno
before strtod, so after one ERANGE later SORTs on the same connection can
fail spuriously; the ERANGE case gets its own connection.
"""

from __future__ import annotations

import random

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, Error, RawConnection, err
from test_keyspace_events import event_stream

needs = pytest.mark.needs_commands
UNCONVERTIBLE = err("ERR One or more scores can't be converted into double")
LLONG_MAX = "9223372036854775807"
LLONG_MIN = "-9223372036854775808"


def rpush(conn, key, *elements):
    assert conn.call("RPUSH", key, *elements) == len(elements)


def items(conn, key):
    return conn.call("LRANGE", key, 0, -1)


def info_field(conn, section: str, name: bytes) -> int:
    for line in conn.call("INFO", section).split(b"\r\n"):
        if line.startswith(name + b":"):
            return int(line.split(b":", 1)[1])
    raise AssertionError(f"INFO {section} has no {name!r}")


# ------------------------------------------------------------ options

@needs("SORT", "SORT_RO", "RPUSH")
def test_option_errors(conn):
    rpush(conn, "l", "3", "1", "2")
    assert conn.call("SORT", "l", "FOO") == SYNTAX
    assert conn.call("SORT", "l", "LIMIT", "1") == SYNTAX            # LIMIT needs two values
    assert conn.call("SORT", "l", "BY") == SYNTAX
    assert conn.call("SORT", "l", "GET") == SYNTAX
    assert conn.call("SORT", "l", "STORE") == SYNTAX
    assert conn.call("SORT", "l", "LIMIT", "x", "1") == NOT_INTEGER
    assert conn.call("SORT", "l", "LIMIT", "0", "1.5") == NOT_INTEGER
    assert conn.call("SORT", "l", "LIMIT", "0", "99999999999999999999") == NOT_INTEGER
    assert conn.call("SORT_RO", "l", "STORE", "dst") == SYNTAX      # SORT_RO has no STORE
    assert conn.call("EXISTS", "dst") == 0
    assert conn.call("SORT") == err("ERR wrong number of arguments for 'sort' command")
    assert conn.call("SORT_RO") == err("ERR wrong number of arguments for 'sort_ro' command")


@needs("SORT", "RPUSH")
def test_options_are_parsed_before_the_key_is_looked_up(conn):
    conn.call("SET", "str", "x")
    assert conn.call("SORT", "str", "FOO") == SYNTAX
    assert conn.call("SORT", "str", "LIMIT", "a", "b") == NOT_INTEGER
    assert conn.call("SORT", "str") == WRONGTYPE
    conn.call("HSET", "h", "f", "v")
    assert conn.call("SORT", "h", "BY", "nosort") == WRONGTYPE
    assert conn.call("SORT_RO", "h") == WRONGTYPE


@needs("SORT", "RPUSH")
def test_options_are_case_insensitive_and_end_at_a_nul_byte(conn):
    rpush(conn, "l", "3", "1", "2")
    assert conn.call("SORT", "l", "desc", "Limit", "0", "2") == [b"3", b"2"]
    # Redis compares option names with strcasecmp, which stops at a NUL byte.
    assert conn.call("SORT", "l", b"DESC\x00junk") == [b"3", b"2", b"1"]
    assert conn.call("SORT", "l", b"DES\x00C") == SYNTAX
    # The last ASC/DESC wins.
    assert conn.call("SORT", "l", "DESC", "ASC") == [b"1", b"2", b"3"]


@needs("SORT", "RPUSH")
def test_missing_key_is_an_empty_list(conn):
    assert conn.call("SORT", "nokey") == []
    assert conn.call("SORT_RO", "nokey", "BY", "w_*", "GET", "#") == []
    conn.call("SET", "dst", "x")
    assert conn.call("SORT", "nokey", "STORE", "dst") == 0
    assert conn.call("EXISTS", "dst") == 0


# ------------------------------------------------------------ numeric and ALPHA

@needs("SORT", "RPUSH")
def test_numeric_sort_reads_numbers_like_strtod(conn):
    # Leading blanks, '+', hex, exponents, "inf" and the empty string (0) are numbers.
    rpush(conn, "l", "10", " 2", "+3", "0x10", "1e1", "-inf", "inf", "", "2.5", "-0")
    assert conn.call("SORT", "l") == [b"-inf", b"", b"-0", b" 2", b"2.5", b"+3", b"10",
                                      b"1e1", b"0x10", b"inf"]
    rpush(conn, "nul", b"5\x00junk", "4")         # strtod stops at the NUL: 5
    assert conn.call("SORT", "nul") == [b"4", b"5\x00junk"]


@needs("SORT", "RPUSH")
def test_numeric_sort_errors(conn):
    for bad in ("abc", "1 ", "nan", "1.5x", "--1"):
        conn.call("DEL", "l")
        rpush(conn, "l", "1", bad)
        assert conn.call("SORT", "l") == UNCONVERTIBLE, bad
        assert conn.call("SORT", "l", "ALPHA") == sorted([b"1", bad.encode()])
    # The error wins over STORE: nothing is stored or deleted.
    conn.call("SET", "dst", "keep")
    assert conn.call("SORT", "l", "STORE", "dst") == UNCONVERTIBLE
    assert conn.call("GET", "dst") == b"keep"


@needs("SORT", "RPUSH")
def test_out_of_range_numbers_are_unconvertible(raw):
    # Its own connection: Redis leaves errno at ERANGE afterwards (see the module doc).
    conn = raw()
    rpush(conn, "big", "1", "1e400")
    rpush(conn, "tiny", "1", "1e-400")
    assert conn.call("SORT", "big") == UNCONVERTIBLE
    assert conn.call("SORT", "tiny") == UNCONVERTIBLE


@needs("SORT", "RPUSH")
def test_equal_scores_compare_the_elements_as_bytes(conn):
    rpush(conn, "l", "b", "1", "01", "1.0", "a", "+1", " 1")
    # No weight key exists: every score is 0, so the elements decide, byte-wise.
    assert conn.call("SORT", "l", "BY", "nokey_*") == [b" 1", b"+1", b"01", b"1", b"1.0",
                                                        b"a", b"b"]
    assert conn.call("SORT", "l", "BY", "nokey_*", "DESC") == [b"b", b"a", b"1.0", b"1", b"01",
                                                                b"+1", b" 1"]
    rpush(conn, "n", "1", "01", "1.0", "+1", " 1", "2", "-0", "0")
    assert conn.call("SORT", "n") == [b"-0", b"0", b" 1", b"+1", b"01", b"1", b"1.0", b"2"]


@needs("SORT", "RPUSH")
def test_alpha_collates_c_strings_and_store_compares_bytes(conn):
    rpush(conn, "l", "\u00e9", b"\xff", "z", "\u20ac", b"a\x00c", b"a\x00b", "a", b"\x80x")
    # strcoll sees "a\0c", "a\0b" and "a" as equal: they keep their list order.
    assert conn.call("SORT", "l", "ALPHA") == [b"a\x00c", b"a\x00b", b"a", b"z", b"\x80x",
                                               "\u00e9".encode(), "\u20ac".encode(), b"\xff"]
    assert conn.call("SORT", "l", "ALPHA", "STORE", "dst") == 8
    assert items(conn, "dst") == [b"a", b"a\x00b", b"a\x00c", b"z", b"\x80x",
                                  "\u00e9".encode(), "\u20ac".encode(), b"\xff"]
    assert conn.call("SORT", "l", "ALPHA", "DESC", "LIMIT", "0", "3") == [
        b"\xff", "\u20ac".encode(), "\u00e9".encode()]


# ------------------------------------------------------------ LIMIT

@needs("SORT", "RPUSH")
def test_limit_is_clamped(conn):
    rpush(conn, "l", "5", "3", "4", "1", "2")
    cases = [
        (("0", "2"), [b"1", b"2"]),
        (("2", "-1"), [b"3", b"4", b"5"]),          # a negative count means "to the end"
        (("-3", "2"), [b"1", b"2"]),                # a negative offset counts as 0
        (("3", "100"), [b"4", b"5"]),
        (("5", "1"), []),
        (("100", "1"), []),
        (("1", "0"), []),
        ((LLONG_MIN, LLONG_MAX), [b"1", b"2", b"3", b"4", b"5"]),
        ((LLONG_MAX, LLONG_MAX), []),
        ((LLONG_MAX, LLONG_MIN), []),
        (("4", LLONG_MIN), [b"5"]),
    ]
    for (offset, count), expected in cases:
        assert conn.call("SORT", "l", "LIMIT", offset, count) == expected, (offset, count)
    assert conn.call("SORT", "l", "DESC", "LIMIT", "1", "2") == [b"4", b"3"]
    # The last LIMIT wins.
    assert conn.call("SORT", "l", "LIMIT", "0", "1", "LIMIT", "1", "1") == [b"2"]


# ------------------------------------------------------------ BY without '*'

@needs("SORT", "RPUSH", "ZADD", "SADD")
def test_by_without_star_does_not_sort(conn):
    rpush(conn, "l", "3", "1", "2")
    assert conn.call("SORT", "l", "BY", "nosort") == [b"3", b"1", b"2"]
    assert conn.call("SORT", "l", "BY", "nosort", "DESC") == [b"2", b"1", b"3"]
    assert conn.call("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "5") == [b"1", b"3"]
    assert conn.call("SORT", "l", "BY", "nosort", "LIMIT", "1", "1") == [b"1"]
    # Nothing is parsed, so nothing fails to convert.
    rpush(conn, "words", "b", "a")
    assert conn.call("SORT", "words", "BY", "nosort") == [b"b", b"a"]
    # A '*' after a NUL byte does not count; and one BY without '*' wins over any other BY.
    assert conn.call("SORT", "words", "BY", b"w\x00*") == [b"b", b"a"]
    assert conn.call("SORT", "words", "BY", "nosort", "BY", "w_*") == [b"b", b"a"]
    assert conn.call("SORT", "words", "BY", "w_*", "BY", "nosort") == [b"b", b"a"]

    # A sorted set keeps its order (ascending by score), reversed by DESC, cut by LIMIT.
    conn.call("ZADD", "z", "3", "a", "1", "b", "2", "c", "2", "d")
    assert conn.call("SORT", "z", "BY", "nosort") == [b"b", b"c", b"d", b"a"]
    assert conn.call("SORT", "z", "BY", "nosort", "DESC") == [b"a", b"d", b"c", b"b"]
    assert conn.call("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2") == [b"d", b"c"]
    assert conn.call("SORT", "z", "BY", "nosort", "LIMIT", "-5", "2") == [b"b", b"c"]
    assert conn.call("SORT", "z", "BY", "nosort", "LIMIT", "9", "2") == []

    # A set keeps its iteration order (ascending for an intset) and ignores DESC ...
    conn.call("SADD", "s", "5", "3", "9", "1")
    assert conn.call("SORT", "s", "BY", "nosort", "DESC", "LIMIT", "1", "2") == [b"3", b"5"]
    # ... unless it is stored: then it is sorted as strings, DESC included.
    assert conn.call("SORT", "s", "BY", "nosort", "DESC", "STORE", "dst") == 4
    assert items(conn, "dst") == [b"9", b"5", b"3", b"1"]
    conn.call("SADD", "s", "10")
    assert conn.call("SORT", "s", "BY", "nosort", "STORE", "dst") == 5
    assert items(conn, "dst") == [b"1", b"10", b"3", b"5", b"9"]


@needs("SORT", "ZADD")
def test_sorting_a_sorted_set_converts_it_to_a_skiplist(conn):
    conn.call("ZADD", "z", "1", "a", "2", "b")
    assert conn.call("OBJECT", "ENCODING", "z") == b"listpack"
    assert conn.call("SORT_RO", "z", "BY", "nosort") == [b"a", b"b"]
    assert conn.call("OBJECT", "ENCODING", "z") == b"skiplist"
    assert conn.call("ZRANGE", "z", 0, -1, "WITHSCORES") == [b"a", b"1", b"b", b"2"]


# ------------------------------------------------------------ BY and GET patterns

@needs("SORT", "RPUSH", "HSET")
def test_by_and_get_patterns(conn):
    rpush(conn, "l", "a", "b", "c", "d")
    conn.call("MSET", "w_a", "5", "w_b", "1", "w_c", "3", "w_d", "x")
    conn.call("HSET", "h_a", "f", "x", "n", "2")
    conn.call("HSET", "h_b", "f", "y")
    conn.call("HSET", "h_c", "n", "-1")
    assert conn.call("SORT", "l", "BY", "w_*") == UNCONVERTIBLE      # w_d is not a number
    conn.call("SET", "w_d", "4")
    assert conn.call("SORT", "l", "BY", "w_*") == [b"b", b"c", b"d", b"a"]
    assert conn.call("SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "h_*->f",
                     "GET", "h_*->n", "GET", "nostar") == [
        b"b", b"1", b"y", None, None,
        b"c", b"3", None, b"-1", None,
        b"d", b"4", None, None, None,
        b"a", b"5", b"x", b"2", None]
    # Missing fields and keys weigh 0; ties go by the element.
    assert conn.call("SORT", "l", "BY", "h_*->n") == [b"c", b"b", b"d", b"a"]
    # ALPHA: a missing BY value sorts first.
    assert conn.call("SORT", "l", "BY", "h_*->f", "ALPHA") == [b"c", b"d", b"a", b"b"]
    assert conn.call("SORT", "l", "BY", "h_*->f", "ALPHA", "DESC") == [b"b", b"a", b"c", b"d"]
    # Type mismatches find nothing: '->' on a string, a plain pattern on a hash.
    assert conn.call("SORT", "l", "BY", "nosort", "GET", "w_*->f", "GET", "h_*") == [None] * 8
    # "->" with nothing after it is part of the key name.
    conn.call("SET", "k_a->", "arrow")
    assert conn.call("SORT", "l", "BY", "nosort", "GET", "k_*->", "LIMIT", "0", "1") == [b"arrow"]
    # '#' is the element, also when a NUL byte follows it; "##" is not.
    assert conn.call("SORT", "l", "BY", "nosort", "GET", b"#\x00x", "LIMIT", "0", "1") == [b"a"]
    assert conn.call("SORT", "l", "BY", "nosort", "GET", "##", "LIMIT", "0", "1") == [None]
    # Only the first '*' is replaced; a field name may hold anything after "->".
    conn.call("SET", "a*", "starred")
    conn.call("HSET", "hh_a", "x->y", "deep")
    assert conn.call("SORT", "l", "BY", "nosort", "GET", "**", "GET", "hh_*->x->y",
                     "LIMIT", "0", "1") == [b"starred", b"deep"]


@needs("SORT", "RPUSH", "HSET")
def test_patterns_use_the_clients_database(raw):
    first, second = raw(), raw()
    assert second.call("SELECT", 1) == b"OK"
    for conn, weights in ((first, ("1", "2")), (second, ("2", "1"))):
        rpush(conn, "l", "a", "b")
        conn.call("MSET", "w_a", weights[0], "w_b", weights[1])
    assert first.call("SORT", "l", "BY", "w_*", "GET", "w_*") == [b"1", b"2"]
    assert second.call("SORT", "l", "BY", "w_*", "GET", "w_*") == [b"1", b"2"]
    assert first.call("SORT", "l", "BY", "w_*") == [b"a", b"b"]
    assert second.call("SORT", "l", "BY", "w_*") == [b"b", b"a"]
    # A write by one client is seen by the other's next SORT.
    second.call("SELECT", 0)
    second.call("SET", "w_a", "9")
    assert first.call("SORT", "l", "BY", "w_*") == [b"b", b"a"]


@needs("SORT", "RPUSH")
def test_expired_weights_are_missing(conn):
    rpush(conn, "l", "a", "b")
    conn.call("MSET", "w_a", "2", "w_b", "1")
    conn.call("PEXPIRE", "w_b", 1)
    import time
    time.sleep(0.05)
    assert conn.call("SORT", "l", "BY", "w_*", "GET", "w_*") == [None, b"2"]
    assert conn.call("EXISTS", "w_b") == 0


# ------------------------------------------------------------ STORE

@needs("SORT", "RPUSH")
def test_store_replaces_the_destination(conn):
    rpush(conn, "l", "3", "1", "2")
    conn.call("SET", "dst", "old", "EX", 1000)
    assert conn.call("SORT", "l", "STORE", "dst") == 3
    assert conn.call("TYPE", "dst") == b"list"
    assert conn.call("TTL", "dst") == -1
    assert items(conn, "dst") == [b"1", b"2", b"3"]
    assert conn.call("OBJECT", "ENCODING", "dst") == b"quicklist"
    # GET patterns: one entry per pattern, an empty string for what is not found.
    conn.call("SET", "w_1", "one")
    assert conn.call("SORT", "l", "GET", "#", "GET", "w_*", "STORE", "dst") == 6
    assert items(conn, "dst") == [b"1", b"one", b"2", b"", b"3", b""]
    # Storing into the source itself.
    assert conn.call("SORT", "l", "DESC", "STORE", "l") == 3
    assert items(conn, "l") == [b"3", b"2", b"1"]
    # An empty result deletes the destination and replies 0.
    assert conn.call("SORT", "l", "LIMIT", "0", "0", "STORE", "dst") == 0
    assert conn.call("EXISTS", "dst") == 0
    assert conn.call("SORT", "l", "LIMIT", "0", "0", "STORE", "dst") == 0
    # The last STORE wins.
    assert conn.call("SORT", "l", "STORE", "a", "STORE", "b") == 3
    assert conn.call("EXISTS", "a") == 0
    assert items(conn, "b") == [b"1", b"2", b"3"]


@needs("SORT", "SORT_RO", "RPUSH", "ZADD", "SADD", "PSUBSCRIBE")
def test_keyspace_events_match_redis(server, reference):
    """STORE raises "sortstore" (a list event; "new" first when it creates the key) or "del"
    when an empty result deletes the destination; reads raise nothing."""
    script = [
        ("RPUSH", "l", "3", "1", "2"), ("SORT", "l", "STORE", "d"), ("SORT", "l", "STORE", "d"),
        ("SORT", "l", "LIMIT", 0, 0, "STORE", "d"), ("SORT", "l", "LIMIT", 0, 0, "STORE", "d"),
        ("SORT", "nokey", "STORE", "d"), ("ZADD", "z", "1", "a"), ("SORT_RO", "z"),
        ("SORT", "z", "ALPHA", "STORE", "z"), ("SET", "s", "x"), ("SORT", "s", "STORE", "d"),
        ("SORT", "l", "BY", "w_*", "GET", "#", "STORE", "l"), ("SADD", "st", "3", "1"),
        ("SORT", "st", "BY", "nosort", "STORE", "d"), ("SORT", "l", "GET", "nostar"),
        ("SET", "d", "x", "EX", 100), ("SORT", "l", "STORE", "d"),
    ]
    streams = [event_stream(proc.port, script) for proc in (server, reference)]
    assert streams[0] == streams[1]
    assert (b"pmessage", b"__key*@*__:*", b"__keyevent@0__:sortstore", b"d") in streams[1]


@needs("SORT", "RPUSH")
def test_store_counts_changes_like_redis(conn):
    rpush(conn, "l", "3", "1", "2")
    before = info_field(conn, "persistence", b"rdb_changes_since_last_save")
    conn.call("SORT", "l", "GET", "#", "GET", "#", "STORE", "dst")       # 6 elements
    conn.call("SORT", "l", "LIMIT", "0", "0", "STORE", "dst")            # a delete
    conn.call("SORT", "l", "LIMIT", "0", "0", "STORE", "dst")            # nothing
    conn.call("SORT_RO", "l")
    after = info_field(conn, "persistence", b"rdb_changes_since_last_save")
    assert after - before == 7


@needs("SORT", "RPUSH")
def test_lookups_count_as_keyspace_reads(conn):
    rpush(conn, "l", "a", "b", "c")
    conn.call("SET", "w_a", "1")
    hits = info_field(conn, "stats", b"keyspace_hits")
    misses = info_field(conn, "stats", b"keyspace_misses")
    # The key, three BY lookups, then per element '#' (no lookup), w_* and "nostar" (no
    # lookup either).
    conn.call("SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "nostar")
    assert info_field(conn, "stats", b"keyspace_hits") - hits == 1 + 1 + 1
    assert info_field(conn, "stats", b"keyspace_misses") - misses == 2 + 2


# ------------------------------------------------------------ against real Redis

POOL = [str(i) for i in range(-12, 30)] + [
    "1.5", "-0.5", "2.25", "inf", "-inf", " 7", "+3", "0x1A", "1e2", "007", "", "-0",
    "a", "b", "B", "ab", "abc", "zz", "hello world", "\u00e9", "\u20ac", "\xff", "x" * 70,
    b"a\x00b", b"a\x00c", b"\x00", "a b"]
NUMBERS = [str(i) for i in range(-12, 30)] + ["1.5", "-0.5", "2.25", "inf", "-inf", " 7", "+3",
                                              "0x1A", "1e2", "007", "", "-0"]
WEIGHTS = ["1", "2", "3", "-1", "0", "2.5", "inf", "-inf", " 4", "1e1", "0x10", "", "7", "7"]
STRINGS = ["x", "y", "z", "", "x", "A", "\u00e9", "y"]


def numeric_pool(rng: random.Random, n: int) -> list:
    return [rng.choice(NUMBERS) for _ in range(n)]


class Dataset:
    """Keys created alike on both servers, and what SORT may ask of each."""

    def __init__(self, rng: random.Random):
        self.commands: list[tuple] = []
        self.kinds: dict[str, str] = {}
        self.elements: set = set()
        for name, n in (("l_small", 5), ("l_mid", 30), ("l_big", 120), ("l_huge", 400)):
            values = [rng.choice(POOL) for _ in range(n)]
            self.add_list(name, values)
        self.add_list("l_num", numeric_pool(rng, 60))
        self.add_list("l_int", [str(rng.randint(-50, 50)) for _ in range(45)])
        self.kinds["l_missing"] = "list"
        intset = sorted({rng.randint(-30, 300) for _ in range(40)})
        self.commands.append(("SADD", "s_int", *intset))
        self.kinds["s_int"] = "intset"
        self.elements.update(str(v) for v in intset)
        # No NUL bytes: strcoll would tie them, and the tie order is the hash table's.
        members = list({p for p in POOL if isinstance(p, str)})
        rng.shuffle(members)
        self.commands.append(("SADD", "s_mixed", *members[:50]))
        self.kinds["s_mixed"] = "hashset"
        self.commands.append(("SADD", "s_num", *set(numeric_pool(rng, 30))))
        self.kinds["s_num"] = "hashset"
        self.elements.update(members)
        # z_big passes zset-max-listpack-entries (128): a skiplist from the start.
        extra = [f"m{i}" for i in range(130)]
        self.elements.update(extra)
        for name, chosen in (("z_small", members[:12]), ("z_big", members + extra)):
            pairs = []
            for i, m in enumerate(chosen):
                pairs += [rng.choice(["1", "2", "3", "-1.5", "inf", str(i)]), m]
            self.commands.append(("ZADD", name, *pairs))
            self.kinds[name] = "zset"
        self.commands.append(("ZADD", "z_pack", "1", "x", "1", "y", "0", "z"))
        self.kinds["z_pack"] = "zset"
        self.elements.update(["x", "y", "z"])
        self.kinds["str"] = "string"
        self.commands.append(("SET", "str", "v"))
        # Weights: strings w_*, hashes h_* (numeric n, string s), and u_* which every element
        # has, all distinct (for ALPHA BY where ties would follow hash-table order).
        for e in sorted(self.elements, key=repr):
            key = e if isinstance(e, bytes) else e.encode()
            if rng.random() < 0.7:
                self.commands.append(("SET", b"w_" + key, rng.choice(WEIGHTS)))
            if rng.random() < 0.7:
                fields = []
                if rng.random() < 0.8:
                    fields += ["n", rng.choice(WEIGHTS)]
                if rng.random() < 0.8:
                    fields += ["s", rng.choice(STRINGS)]
                if fields:
                    self.commands.append(("HSET", b"h_" + key, *fields))
            self.commands.append(("SET", b"u_" + key, b"u" + key + b"!"))
        self.commands.append(("SET", "w_a", "abc"))    # makes numeric BY w_* fail sometimes

    def add_list(self, name: str, values: list) -> None:
        self.kinds[name] = "list"
        self.elements.update(values)
        for i in range(0, len(values), 100):
            self.commands.append(("RPUSH", name, *values[i:i + 100]))


TIE_FREE_BY = ["u_*"]
BY_PATTERNS = ["w_*", "h_*->n", "h_*->s", "u_*", "nokey_*", "w_*->n", "h_*", "nosort", b"w\x00*"]
GET_PATTERNS = ["#", "w_*", "h_*->s", "h_*->n", "u_*", "nostar", "h_*->", b"#\x00"]


def random_sort(rng: random.Random, data: Dataset, with_store: bool) -> tuple:
    key = rng.choice(sorted(data.kinds))
    kind = data.kinds[key]
    args: list = []
    by = rng.choice(BY_PATTERNS) if rng.random() < 0.6 else None
    alpha = rng.random() < 0.45
    store = with_store and rng.random() < 0.3
    unordered = kind in ("hashset", "zset")
    if by is not None and alpha and unordered and by not in ("nosort", b"w\x00*"):
        by = rng.choice(TIE_FREE_BY)
    if kind == "hashset" and by in ("nosort", b"w\x00*") and not store:
        by = None                               # its unsorted order is the hash table's
    if by is not None:
        args += ["BY", by]
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3])):
        args += ["GET", rng.choice(GET_PATTERNS)]
    if rng.random() < 0.5:
        pick = rng.random()
        if pick < 0.7:
            limit = (rng.randint(-3, 60), rng.randint(-2, 60))
        elif pick < 0.85:
            limit = (rng.randint(0, 5), rng.randint(0, 5))
        else:
            limit = (rng.choice([LLONG_MIN, LLONG_MAX, "0", "399"]),
                     rng.choice([LLONG_MIN, LLONG_MAX, "-1", "1"]))
        args += ["LIMIT", *limit]
    if rng.random() < 0.5:
        args.append(rng.choice(["ASC", "DESC", "desc"]))
    if alpha:
        args.append(rng.choice(["ALPHA", "alpha"]))
    if store:
        args += ["STORE", rng.choice(["dst", "dst2", "l_small_copy"])]
    return ("SORT" if store or rng.random() < 0.7 else "SORT_RO", key, *args)


def load_both(conns, data: Dataset) -> None:
    for conn in conns:
        for command in data.commands:
            reply = conn.call(*command)
            assert not isinstance(reply, Error), (command, reply)


@needs("SORT", "SORT_RO", "RPUSH", "SADD", "ZADD", "HSET")
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_sorts_match_redis(server, reference, seed):
    rng = random.Random(seed)
    data = Dataset(rng)
    ours, theirs = RawConnection(server.port, timeout=30), RawConnection(reference.port, timeout=30)
    try:
        load_both((ours, theirs), data)
        for i in range(1500):
            command = random_sort(rng, data, with_store=True)
            got, want = ours.call_raw(*command), theirs.call_raw(*command)
            assert got == want, f"seed {seed} step {i}: {command}"
            if "STORE" in command:
                dst = command[command.index("STORE") + 1]
                probe = ("LRANGE", dst, 0, -1)
                assert ours.call_raw(*probe) == theirs.call_raw(*probe), f"seed {seed} step {i}: {command}"
        for section, field in (("stats", b"keyspace_hits"), ("stats", b"keyspace_misses"),
                               ("persistence", b"rdb_changes_since_last_save")):
            assert info_field(ours, section, field) == info_field(theirs, section, field), field
        for key in sorted(data.kinds):
            probe = ("OBJECT", "ENCODING", key)
            assert ours.call_raw(*probe) == theirs.call_raw(*probe), probe
    finally:
        ours.close()
        theirs.close()


@needs("SORT", "RPUSH", "HSET")
@pytest.mark.parametrize("length", [3, 6, 7, 8, 20, 40, 41, 100, 333])
def test_partial_sort_ties_match_redis(server, reference, length):
    """BY ... ALPHA with LIMIT on a list with many equal weights: which tied elements fall
    inside the window, and in what order, is what Redis's partial quicksort makes of it."""
    rng = random.Random(length)
    ours, theirs = RawConnection(server.port), RawConnection(reference.port)
    try:
        values = [f"e{i}" for i in range(length)]
        rng.shuffle(values)
        weights = {v: rng.choice(["a", "b", "c"]) for v in values if rng.random() < 0.8}
        for conn in (ours, theirs):
            conn.call("RPUSH", "l", *values)
            for v, w in weights.items():
                conn.call("SET", f"w_{v}", w)
        for _ in range(300):
            offset = rng.randint(-1, length + 1)
            count = rng.randint(-1, length + 1)
            command = ["SORT", "l", "BY", "w_*", "ALPHA", "LIMIT", offset, count]
            if rng.random() < 0.5:
                command.append("DESC")
            if rng.random() < 0.3:
                command += ["STORE", "dst"]
            assert ours.call_raw(*command) == theirs.call_raw(*command), command
            if "STORE" in command:
                assert ours.call_raw("LRANGE", "dst", 0, -1) == theirs.call_raw("LRANGE", "dst", 0, -1)
    finally:
        ours.close()
        theirs.close()


@needs("SORT", "SORT_RO", "RPUSH", "ZADD", "WATCH")
def test_store_breaks_watches_and_reads_do_not(raw):
    """Client A watches; client B sorts. STORE touches its destination (also when it
    deletes it); a read, even one that converts a sorted set to a skiplist, touches nothing."""
    a, b = raw(), raw()
    rpush(b, "l", "2", "1")
    b.call("ZADD", "z", "1", "x")

    def transaction_survives(watched, *command) -> bool:
        assert a.call("WATCH", watched) == b"OK"
        b.call(*command)
        assert a.call("MULTI") == b"OK"
        assert a.call("PING") == b"QUEUED"
        return a.call("EXEC") is not None

    assert not transaction_survives("dst", "SORT", "l", "STORE", "dst")
    assert not transaction_survives("dst", "SORT", "l", "LIMIT", 0, 0, "STORE", "dst")   # deleted
    assert transaction_survives("dst", "SORT", "l", "LIMIT", 0, 0, "STORE", "dst")       # no-op
    assert transaction_survives("z", "SORT_RO", "z")
    assert b.call("OBJECT", "ENCODING", "z") == b"skiplist"
    assert transaction_survives("l", "SORT", "l", "BY", "w_*", "GET", "#")
    assert not transaction_survives("l", "SORT", "l", "DESC", "STORE", "l")
    assert items(b, "l") == [b"2", b"1"]
