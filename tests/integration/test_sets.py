"""Set commands: exact replies and error strings of Redis 7.0.15.

Covers SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE
SSCAN, the intset -> hashtable conversion and big sets; SINTER SUNION SDIFF,
their STORE forms and SINTERCARD are in test_set_operations.py.  Every test is
marked ``needs_commands`` with the set commands it sends, so it is skipped
until the server under test knows them.  Expectations were taken from a real
redis-server 7.0.15.  Where Redis checks arguments before or after the key
lookup, the test says so: the order decides which error a client sees.

Notes worth knowing before reading the tests:

* 7.0 has two set encodings only: ``intset`` (every member a canonical
  64-bit integer -- no "007", "+1", " 1", "-0", nothing past the long long
  range -- and at most ``set-max-intset-entries``, default 512, members) and
  ``hashtable``.  A set converts when a non-integer member or the 513th member
  is *added*; it never converts back in place (but SPOP taking most of a set
  builds a new one from what is left, and the STORE commands build afresh).
* Intsets iterate in ascending numeric order, so their replies are compared
  exactly; hashtable replies are compared as sorted lists.
* SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply with a RESP3 set
  (``~``); SRANDMEMBER with a count replies with an array.
* Never send SRANDMEMBER with a huge *negative* count to an existing set on a
  real Redis: it tries to build that many replies (and dies).
"""

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, err
from server_process import REFERENCE_BINARY, binary_under_test

needs = pytest.mark.needs_commands

NOT_POSITIVE = err("ERR value is out of range, must be positive")
OUT_OF_RANGE = err("ERR value is out of range")
LONG_RANGE = err("ERR value is out of range, value must between "
                 "-9223372036854775807 and 9223372036854775807")
INVALID_CURSOR = err("ERR invalid cursor")

LLONG_MAX = "9223372036854775807"
LLONG_MIN = "-9223372036854775808"
DEFAULT_MAX_INTSET = 512
ALL = ("SADD", "SREM", "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SPOP", "SRANDMEMBER",
       "SMOVE", "SINTER", "SINTERCARD", "SINTERSTORE", "SUNION", "SUNIONSTORE", "SDIFF",
       "SDIFFSTORE", "SSCAN")


def arity(name: str):
    return err(f"ERR wrong number of arguments for '{name}' command")


def sadd(conn, key, *members):
    assert conn.call("SADD", key, *members) == len(set(members))


def encoding(conn, key):
    return conn.call("OBJECT", "ENCODING", key)


def smembers(conn, key) -> list:
    """The members, sorted (for hashtables, whose order is unspecified)."""
    return sorted(conn.call("SMEMBERS", key))


def wrong_type_keys(conn):
    assert conn.call("SET", "str", "v") == b"OK"
    assert conn.call("RPUSH", "lst", "a") == 1
    return ("str", "lst")


def resp3(conn):
    assert isinstance(conn.call("HELLO", 3), dict)


def wire(kind: bytes, items) -> bytes:
    """The exact bytes of an array/set reply of bulk strings."""
    items = [i if isinstance(i, bytes) else str(i).encode() for i in items]
    return kind + b"%d\r\n" % len(items) + b"".join(b"$%d\r\n%s\r\n" % (len(i), i) for i in items)


def is_reference() -> bool:
    return binary_under_test().resolve() == REFERENCE_BINARY.resolve()


# -------------------------------------------------------------- SADD / SREM

@needs("SADD", "SCARD", "SMEMBERS")
def test_sadd_counts_new_members_only(conn):
    assert conn.call("SADD", "s", "b", "a", "b") == 2       # a repeat in one call counts once
    assert conn.call("SADD", "s", "a", "c") == 1
    assert conn.call("SADD", "s", "a") == 0
    assert conn.call("SCARD", "s") == 3
    assert conn.call("SCARD", "missing") == 0
    assert conn.call("TYPE", "s") == b"set"
    assert smembers(conn, "s") == [b"a", b"b", b"c"]
    # "1" and "01" are different members, whatever the encoding.
    assert conn.call("SADD", "n", "1", "01", "1") == 2
    assert smembers(conn, "n") == [b"01", b"1"]


@needs(*ALL)
def test_arity(conn):
    cases = {
        "sadd": [("s",), ()], "srem": [("s",), ()], "smembers": [(), ("a", "b")],
        "sismember": [("s",), ("s", "a", "b")], "smismember": [("s",), ()],
        "scard": [(), ("a", "b")], "spop": [()], "srandmember": [()],
        "smove": [("a", "b"), ("a", "b", "c", "d")], "sinter": [()], "sintercard": [(), ("1",)],
        "sinterstore": [("d",), ()], "sunion": [()], "sunionstore": [("d",)], "sdiff": [()],
        "sdiffstore": [("d",)], "sscan": [(), ("s",)],
    }
    for name, argvs in cases.items():
        for argv in argvs:
            assert conn.call(name.upper(), *argv) == arity(name), (name, argv)
    assert conn.call("sAdD", "s") == arity("sadd")
    assert conn.call("EXISTS", "s") == 0


@needs("SADD", "SREM", "SCARD")
def test_srem(conn):
    sadd(conn, "s", "a", "b", "c", "1")
    assert conn.call("SREM", "s", "a", "a", "nope") == 1
    assert conn.call("SREM", "s", "nope") == 0
    assert conn.call("SREM", "s", "01") == 0                 # not the member "1"
    assert conn.call("SCARD", "s") == 3
    assert conn.call("SREM", "missing", "a") == 0
    assert conn.call("EXISTS", "missing") == 0


@needs("SADD", "SREM")
def test_srem_of_last_member_deletes_key(conn):
    for members in (("1", "2"), ("a", "b")):                 # intset, hashtable
        sadd(conn, "s", *members)
        assert conn.call("EXPIRE", "s", 1000) == 1
        assert conn.call("SREM", "s", *members, "extra") == 2
        assert conn.call("EXISTS", "s") == 0
        assert conn.call("TTL", "s") == -2
        sadd(conn, "s", "x")                                 # a new set starts without a TTL
        assert conn.call("TTL", "s") == -1
        assert conn.call("DEL", "s") == 1


@needs("SADD", "SCARD")
def test_write_keeps_ttl(conn):
    sadd(conn, "s", "1")
    assert conn.call("EXPIRE", "s", 1000) == 1
    sadd(conn, "s", "a")                                     # converts, keeps the TTL
    assert 990 < conn.call("TTL", "s") <= 1000


@needs("SADD", "SMEMBERS", "SISMEMBER", "SREM")
def test_binary_safe_members(conn):
    odd = [b"", b"\x00", b"a\x00b", b"\r\n", b"\xff\xfe", b"*1\r\n$1\r\nx", "ünï".encode()]
    sadd(conn, b"bin\x00key", *odd)
    assert sorted(conn.call("SMEMBERS", b"bin\x00key")) == sorted(odd)
    for member in odd:
        assert conn.call("SISMEMBER", b"bin\x00key", member) == 1, member
    assert conn.call("SISMEMBER", b"bin\x00key", b"a") == 0
    assert conn.call("SREM", b"bin\x00key", b"\x00", b"") == 2
    assert conn.call("SISMEMBER", b"bin\x00key", b"a\x00b") == 1


# ------------------------------------------------- SISMEMBER / SMISMEMBER

@needs("SADD", "SISMEMBER", "SMISMEMBER")
def test_sismember_smismember(conn):
    sadd(conn, "i", LLONG_MIN, "0", LLONG_MAX)               # intset
    sadd(conn, "h", "a", "0", "b")                           # hashtable
    for key in ("i", "h"):
        assert conn.call("SISMEMBER", key, "0") == 1
        # Only the canonical spelling is the member.
        for other in ("-0", "00", "+0", " 0", "0.0", ""):
            assert conn.call("SISMEMBER", key, other) == 0, (key, other)
    assert conn.call("SISMEMBER", "i", LLONG_MAX) == 1
    assert conn.call("SISMEMBER", "i", "9223372036854775808") == 0
    assert conn.call("SISMEMBER", "i", "-9223372036854775809") == 0
    assert conn.call("SISMEMBER", "h", "a") == 1
    assert conn.call("SISMEMBER", "missing", "a") == 0
    assert conn.call("SMISMEMBER", "i", "0", "-0", "x", LLONG_MAX, "9223372036854775808") == \
        [1, 0, 0, 1, 0]
    assert conn.call("SMISMEMBER", "h", "a", "zz", "a") == [1, 0, 1]
    assert conn.call_raw("SMISMEMBER", "missing", "a", "b") == b"*2\r\n:0\r\n:0\r\n"
    resp3(conn)
    assert conn.call_raw("SMISMEMBER", "h", "a", "zz") == b"*2\r\n:1\r\n:0\r\n"
    assert conn.call_raw("SISMEMBER", "h", "a") == b":1\r\n"


# ------------------------------------------------------------------ WRONGTYPE

@needs(*ALL)
def test_wrongtype_on_string_and_list_keys(conn):
    sadd(conn, "s", "a")
    for key in wrong_type_keys(conn):
        for argv in (("SADD", key, "a"), ("SREM", key, "a"), ("SREM", key, "nope"),
                     ("SMEMBERS", key), ("SISMEMBER", key, "a"), ("SMISMEMBER", key, "a"),
                     ("SCARD", key), ("SPOP", key), ("SPOP", key, 0), ("SPOP", key, 2),
                     ("SRANDMEMBER", key), ("SRANDMEMBER", key, 0), ("SRANDMEMBER", key, -2),
                     ("SMOVE", key, "s", "a"), ("SMOVE", "s", key, "a"), ("SMOVE", "s", key, "no"),
                     ("SMOVE", key, key, "a"), ("SINTER", key), ("SINTER", "s", key),
                     ("SINTERCARD", 1, key), ("SUNION", key, "s"), ("SDIFF", "s", key),
                     ("SINTERSTORE", "d", key), ("SUNIONSTORE", "d", "s", key),
                     ("SDIFFSTORE", "d", key, "s"), ("SSCAN", key, 0),
                     ("SSCAN", key, 0, "COUNT", 0), ("SSCAN", key, 0, "BOGUS")):
            assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("GET", "str") == b"v"
    assert conn.call("LRANGE", "lst", 0, -1) == [b"a"]
    assert smembers(conn, "s") == [b"a"]
    assert conn.call("EXISTS", "d") == 0


@needs("SADD")
def test_other_types_refuse_sets(conn):
    sadd(conn, "s", "a")
    for argv in (("GET", "s"), ("APPEND", "s", "x"), ("INCR", "s"), ("LPUSH", "s", "x"),
                 ("LLEN", "s"), ("HSET", "s", "f", "v"), ("HGET", "s", "f")):
        assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("SET", "s", "v") == b"OK"
    assert conn.call("TYPE", "s") == b"string"


# ---------------------------------------------------------------- SMEMBERS

@needs("SADD", "SMEMBERS")
def test_smembers_replies(conn):
    sadd(conn, "i", "3", "-1", "2")
    assert conn.call_raw("SMEMBERS", "i") == wire(b"*", [-1, 2, 3])
    assert conn.call_raw("SMEMBERS", "missing") == b"*0\r\n"
    sadd(conn, "h", "x", "y")
    assert sorted(conn.call("SMEMBERS", "h")) == [b"x", b"y"]
    resp3(conn)
    assert conn.call_raw("SMEMBERS", "i") == wire(b"~", [-1, 2, 3])
    assert conn.call_raw("SMEMBERS", "missing") == b"~0\r\n"
    assert conn.call("SMEMBERS", "h") == {b"x", b"y"}


# ---------------------------------------------------------------- encodings

@needs("SADD", "SMEMBERS")
def test_intset_holds_canonical_integers_only(conn):
    sadd(conn, "i", LLONG_MAX, LLONG_MIN, "0", "-1", "10")
    assert encoding(conn, "i") == b"intset"
    assert conn.call("SMEMBERS", "i") == \
        [LLONG_MIN.encode(), b"-1", b"0", b"10", LLONG_MAX.encode()]
    not_integers = ["007", "00", "+1", " 1", "1 ", "-0", "1.0", "1e3", "0x10", "", "-",
                    "9223372036854775808", "-9223372036854775809", "12345678901234567890123",
                    "abc"]
    for i, member in enumerate(not_integers):
        sadd(conn, f"k{i}", member)
        assert encoding(conn, f"k{i}") == b"hashtable", member
        assert conn.call("SMEMBERS", f"k{i}") == [member.encode()], member
    # One of them joining an intset converts it; the numbers stay as they were written.
    sadd(conn, "i", "007")
    assert encoding(conn, "i") == b"hashtable"
    assert smembers(conn, "i") == sorted([LLONG_MIN.encode(), b"-1", b"0", b"10",
                                          LLONG_MAX.encode(), b"007"])
    assert conn.call("SISMEMBER", "i", "7") == 0
    # Never back, even when only integers remain.
    assert conn.call("SREM", "i", "007") == 1
    assert encoding(conn, "i") == b"hashtable"


@needs("SADD", "SREM", "SMEMBERS", "SISMEMBER")
def test_intset_width_upgrades_keep_order(conn):
    values = ["1", "-70000", "40000", "5000000000", "-5000000000", "32767", "-32768", "32768",
              "2147483647", "2147483648", "-2147483648", "-2147483649", "0"]
    sadd(conn, "w", *values)
    assert encoding(conn, "w") == b"intset"
    assert conn.call("SMEMBERS", "w") == [str(v).encode() for v in sorted(map(int, values))]
    # Growing one width at a time, at either end.
    sadd(conn, "x", "1", "2", "3")
    sadd(conn, "x", "40000")                                  # 16 -> 32 bits, at the end
    sadd(conn, "x", "-1")
    assert conn.call("SMEMBERS", "x") == [b"-1", b"1", b"2", b"3", b"40000"]
    sadd(conn, "x", "-5000000000")                            # 32 -> 64 bits, at the front
    assert conn.call("SMEMBERS", "x") == [b"-5000000000", b"-1", b"1", b"2", b"3", b"40000"]
    assert conn.call("SREM", "x", "-5000000000", "40000") == 2
    assert conn.call("SMEMBERS", "x") == [b"-1", b"1", b"2", b"3"]
    assert conn.call("SISMEMBER", "x", "-5000000000") == 0
    sadd(conn, "x", LLONG_MAX, "-32769")
    assert conn.call("SMEMBERS", "x") == [b"-32769", b"-1", b"1", b"2", b"3", LLONG_MAX.encode()]
    assert encoding(conn, "x") == b"intset"
    # A member beyond the current width is never found by a narrower probe and vice versa.
    for probe in ("5000000000", "-2147483649", "70000", "9223372036854775806"):
        assert conn.call("SISMEMBER", "x", probe) == 0, probe
    assert conn.call("SREM", "x", "5000000000", "70000") == 0


@needs("SADD", "SREM")
def test_encoding_threshold_default(conn):
    assert conn.call("CONFIG", "GET", "set-max-intset-entries") == \
        [b"set-max-intset-entries", str(DEFAULT_MAX_INTSET).encode()]
    members = [str(i * 3) for i in range(DEFAULT_MAX_INTSET)]
    sadd(conn, "s", *members)
    assert encoding(conn, "s") == b"intset"
    assert conn.call("SADD", "s", "0") == 0                   # already there: still 512
    assert encoding(conn, "s") == b"intset"
    assert conn.call("SADD", "s", "1") == 1                   # 513 members
    assert encoding(conn, "s") == b"hashtable"
    assert conn.call("SREM", "s", *members) == DEFAULT_MAX_INTSET
    assert encoding(conn, "s") == b"hashtable"
    assert conn.call("SMEMBERS", "s") == [b"1"]
    # One SADD of 513 new integers converts too.
    sadd(conn, "t", *members, "-1")
    assert encoding(conn, "t") == b"hashtable"
    assert conn.call("SCARD", "t") == DEFAULT_MAX_INTSET + 1


@needs("SADD", "SMEMBERS")
def test_encoding_threshold_via_config_set(conn):
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 0) == b"OK"
    sadd(conn, "zero", "1")                                   # 1 > 0: converts at once
    assert encoding(conn, "zero") == b"hashtable"
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 2) == b"OK"
    sadd(conn, "two", "2", "1")
    assert encoding(conn, "two") == b"intset"
    sadd(conn, "two", "3")
    assert encoding(conn, "two") == b"hashtable"
    sadd(conn, "three", "1", "2", "3")
    assert encoding(conn, "three") == b"hashtable"
    # Existing sets are not converted by CONFIG SET alone, nor by a re-add.
    sadd(conn, "keep", "5", "4")
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 1) == b"OK"
    assert encoding(conn, "keep") == b"intset"
    assert conn.call("SADD", "keep", "4") == 0
    assert encoding(conn, "keep") == b"intset"
    assert conn.call("SMEMBERS", "keep") == [b"4", b"5"]
    assert conn.call("SADD", "keep", "6") == 1
    assert encoding(conn, "keep") == b"hashtable"
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 4096) == b"OK"
    assert conn.call("CONFIG", "GET", "set-max-intset-entries") == \
        [b"set-max-intset-entries", b"4096"]
    sadd(conn, "big", *[str(i) for i in range(4096)])
    assert encoding(conn, "big") == b"intset"
    assert conn.call("SMEMBERS", "big") == [str(i).encode() for i in range(4096)]


@needs("SADD")
def test_set_max_intset_entries_is_an_integer_config(conn):
    def failed(why):
        return err("ERR CONFIG SET failed (possibly related to argument "
                   f"'set-max-intset-entries') - {why}")
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", "-1") == \
        failed("argument must be between 0 and 9223372036854775807 inclusive")
    for bad in ("x", "1k", "1mb", "9223372036854775808", "1.5"):
        assert conn.call("CONFIG", "SET", "set-max-intset-entries", bad) == \
            failed("argument couldn't be parsed into an integer"), bad
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", LLONG_MAX) == b"OK"
    assert conn.call("CONFIG", "GET", "set-max-intset-entries") == \
        [b"set-max-intset-entries", LLONG_MAX.encode()]


@needs("SADD", "SMEMBERS", "SCARD")
def test_keyspace_commands_on_sets(conn):
    sadd(conn, "i", "2", "1")
    sadd(conn, "h", "1", "a")
    assert conn.call("SREM", "h", "a") == 1                   # a hashtable holding integers
    for key in ("i", "h"):
        assert conn.call("COPY", key, f"{key}2") == 1
        assert encoding(conn, f"{key}2") == encoding(conn, key)  # COPY keeps the encoding
    assert encoding(conn, "h2") == b"hashtable"
    assert conn.call("SADD", "i2", "3") == 1                  # the copy is independent
    assert conn.call("SMEMBERS", "i") == [b"1", b"2"]
    assert conn.call("RENAME", "i2", "r") == b"OK"
    assert conn.call("SMEMBERS", "r") == [b"1", b"2", b"3"]
    assert conn.call("MOVE", "r", 1) == 1
    assert conn.call("SELECT", 1) == b"OK"
    assert conn.call("SCARD", "r") == 3
    assert conn.call("TYPE", "r") == b"set"
    assert conn.call("SELECT", 0) == b"OK"
    assert sorted(conn.call("SCAN", 0, "TYPE", "set", "COUNT", 100)[1]) == [b"h", b"h2", b"i"]


# -------------------------------------------------------------------- SMOVE

@needs("SADD", "SMOVE", "SMEMBERS")
def test_smove(conn):
    sadd(conn, "a", "1", "2", "x")
    sadd(conn, "b", "2", "3")
    assert conn.call("SMOVE", "a", "b", "1") == 1
    assert conn.call("SMOVE", "a", "b", "1") == 0             # no longer in the source
    assert conn.call("SMOVE", "a", "b", "2") == 1             # already in the destination
    assert conn.call("SMEMBERS", "a") == [b"x"]
    assert conn.call("SMEMBERS", "b") == [b"1", b"2", b"3"]
    assert encoding(conn, "b") == b"intset"
    assert conn.call("SMOVE", "a", "b", "x") == 1             # the last member: source deleted
    assert conn.call("EXISTS", "a") == 0
    assert encoding(conn, "b") == b"hashtable"
    assert smembers(conn, "b") == [b"1", b"2", b"3", b"x"]
    assert conn.call("SMOVE", "missing", "b", "1") == 0
    # A new destination is an intset or a hashtable by the member moved.
    sadd(conn, "c", "7", "y")
    assert conn.call("SMOVE", "c", "new1", "7") == 1
    assert encoding(conn, "new1") == b"intset"
    assert conn.call("SMOVE", "c", "new2", "y") == 1
    assert encoding(conn, "new2") == b"hashtable"
    assert conn.call("EXISTS", "c") == 0


@needs("SADD", "SMOVE", "SMEMBERS")
def test_smove_same_key_and_types(conn):
    sadd(conn, "s", "1", "a")
    assert conn.call("SMOVE", "s", "s", "1") == 1             # a no-op reporting membership
    assert conn.call("SMOVE", "s", "s", "zz") == 0
    assert smembers(conn, "s") == [b"1", b"a"]
    wrong_type_keys(conn)
    # The source is looked up first: missing answers 0 even when the destination is wrong.
    assert conn.call("SMOVE", "missing", "str", "1") == 0
    assert conn.call("SMOVE", "str", "s", "1") == WRONGTYPE
    # The destination's type is checked before the member is looked for.
    assert conn.call("SMOVE", "s", "str", "zz") == WRONGTYPE
    assert conn.call("SMOVE", "s", "lst", "1") == WRONGTYPE
    assert smembers(conn, "s") == [b"1", b"a"]


@needs("SADD", "SMOVE")
def test_smove_converts_destination(conn):
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 2) == b"OK"
    sadd(conn, "src", "5", "6")
    sadd(conn, "dst", "1", "2")
    assert conn.call("EXPIRE", "src", 1000) == 1
    assert conn.call("SMOVE", "src", "dst", "5") == 1
    assert encoding(conn, "dst") == b"hashtable"
    assert 990 < conn.call("TTL", "src") <= 1000
    assert conn.call("SMOVE", "src", "dst", "6") == 1
    assert conn.call("TTL", "src") == -2


# --------------------------------------------------------------------- SPOP

@needs("SADD", "SPOP", "SCARD")
def test_spop_single(conn):
    sadd(conn, "s", "a", "b", "1")
    seen = {conn.call("SPOP", "s") for _ in range(3)}
    assert seen == {b"a", b"b", b"1"}
    assert conn.call("EXISTS", "s") == 0                      # the last pop deletes the key
    assert conn.call_raw("SPOP", "s") == b"$-1\r\n"
    sadd(conn, "i", "5")
    assert conn.call("EXPIRE", "i", 1000) == 1
    assert conn.call("SPOP", "i") == b"5"
    assert conn.call("TTL", "i") == -2
    resp3(conn)
    assert conn.call_raw("SPOP", "missing") == b"_\r\n"


@needs("SADD", "SPOP")
def test_spop_count_checks(conn):
    sadd(conn, "s", "1", "2", "a")
    wrong_type_keys(conn)
    # The count is parsed before the lookup; extra arguments are a syntax error.
    for key in ("s", "missing", "str"):
        for bad in ("-1", "x", "", "-0", "+1", " 1", "1.0", "9223372036854775808"):
            assert conn.call("SPOP", key, bad) == NOT_POSITIVE, (key, bad)
        assert conn.call("SPOP", key, 1, 2) == SYNTAX
        assert conn.call("SPOP", key, "x", 2) == SYNTAX
    # A count of 0 still looks the key up.
    assert conn.call("SPOP", "str", 0) == WRONGTYPE
    assert conn.call_raw("SPOP", "s", 0) == b"*0\r\n"
    assert conn.call_raw("SPOP", "missing", 0) == b"*0\r\n"
    assert conn.call_raw("SPOP", "missing", 5) == b"*0\r\n"
    assert conn.call("SCARD", "s") == 3


@needs("SADD", "SPOP", "SMEMBERS")
def test_spop_count_covering_the_set(conn):
    for count in (3, 4, LLONG_MAX):
        sadd(conn, "i", "3", "1", "2")
        assert conn.call("EXPIRE", "i", 1000) == 1
        assert conn.call_raw("SPOP", "i", count) == wire(b"*", [1, 2, 3])  # an intset: in order
        assert conn.call("EXISTS", "i") == 0
        assert conn.call("TTL", "i") == -2
    sadd(conn, "h", "a", "b", "1")
    assert sorted(conn.call("SPOP", "h", 10)) == [b"1", b"a", b"b"]
    assert conn.call("EXISTS", "h") == 0
    resp3(conn)
    sadd(conn, "i", "3", "1", "2")
    assert conn.call_raw("SPOP", "i", 3) == wire(b"~", [1, 2, 3])
    assert conn.call_raw("SPOP", "i", 3) == b"~0\r\n"
    assert conn.call_raw("SPOP", "missing", 0) == b"~0\r\n"


@needs("SADD", "SPOP", "SMEMBERS", "SCARD")
def test_spop_count_pops_distinct_members(conn):
    for members in ([str(i) for i in range(20)], [f"m{i}" for i in range(20)]):
        sadd(conn, "s", *members)
        left = set(m.encode() for m in members)
        for count in (1, 3, 5, 10):                           # both of Redis's strategies
            got = conn.call("SPOP", "s", count)
            assert len(got) == count and len(set(got)) == count and set(got) <= left
            left -= set(got)
            assert set(conn.call("SMEMBERS", "s")) == left
        assert len(left) == 1
        assert conn.call("SPOP", "s", 1) == [left.pop()]
        assert conn.call("EXISTS", "s") == 0
    resp3(conn)
    sadd(conn, "s", "a", "b", "c", "d")
    got = conn.call("SPOP", "s", 2)
    assert isinstance(got, set) and len(got) == 2
    assert conn.call_raw("SPOP", "s", 1)[:4] == b"~1\r\n"


def hashtable_of_integers(conn, key, count=10):
    """A hashtable-encoded set holding only the integers 1..count."""
    sadd(conn, key, *[str(i) for i in range(1, count + 1)], "x")
    assert conn.call("SREM", key, "x") == 1
    assert encoding(conn, key) == b"hashtable"


@needs("SADD", "SREM", "SPOP", "SCARD")
def test_spop_few_pops_in_place(conn):
    hashtable_of_integers(conn, "t")
    assert conn.call("EXPIRE", "t", 1000) == 1
    assert len(conn.call("SPOP", "t", 1)) == 1
    assert conn.call("SPOP", "t") is not None
    assert len(conn.call("SPOP", "t", 2)) == 2                # 6 left: 6 * 5 > 2
    assert encoding(conn, "t") == b"hashtable"
    assert 990 < conn.call("TTL", "t") <= 1000


@needs("SADD", "SREM", "SPOP", "SCARD", "SMEMBERS")
def test_spop_large_count_rebuilds_the_set(conn):
    # When few members remain (remaining * 5 <= count) Redis builds a new set
    # from them, so a hashtable of integers becomes an intset again; the TTL stays.
    hashtable_of_integers(conn, "s")
    assert conn.call("EXPIRE", "s", 1000) == 1
    popped = conn.call("SPOP", "s", 9)
    assert len(set(popped)) == 9
    assert conn.call("SCARD", "s") == 1
    assert encoding(conn, "s") == b"intset"
    assert 990 < conn.call("TTL", "s") <= 1000
    assert set(popped) | set(conn.call("SMEMBERS", "s")) == {str(i).encode() for i in range(1, 11)}
    # The new set is built under the current limit: with more than it left, a hashtable.
    hashtable_of_integers(conn, "u", 20)
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 2) == b"OK"
    assert len(conn.call("SPOP", "u", 17)) == 17              # 3 left: 3 * 5 <= 17
    assert encoding(conn, "u") == b"hashtable"
    hashtable_of_integers(conn, "v", 20)
    assert len(conn.call("SPOP", "v", 18)) == 18              # 2 left: an intset again
    assert encoding(conn, "v") == b"intset"


@needs("SADD", "SREM", "SPOP")
def test_spop_whole_set_replies_from_a_fresh_set(conn):
    # Like SUNION key: an intset (numeric order) when the members allow it.
    hashtable_of_integers(conn, "s", 20)
    assert conn.call_raw("SPOP", "s", 20) == wire(b"*", range(1, 21))
    assert conn.call("EXISTS", "s") == 0


# -------------------------------------------------------------- SRANDMEMBER

@needs("SADD", "SRANDMEMBER", "SCARD")
def test_srandmember_single(conn):
    sadd(conn, "s", "a", "b", "1")
    seen = {conn.call("SRANDMEMBER", "s") for _ in range(100)}
    assert seen == {b"a", b"b", b"1"}
    assert conn.call("SCARD", "s") == 3
    assert conn.call_raw("SRANDMEMBER", "missing") == b"$-1\r\n"
    resp3(conn)
    assert conn.call_raw("SRANDMEMBER", "missing") == b"_\r\n"


@needs("SADD", "SRANDMEMBER")
def test_srandmember_count(conn):
    members = {str(i).encode() for i in range(10)}
    sadd(conn, "i", *members)
    sadd(conn, "h", *members, b"x")
    for key, pool in (("i", members), ("h", members | {b"x"})):
        for count in (1, 2, 3, 5, 8):                         # distinct, whatever the count
            got = conn.call("SRANDMEMBER", key, count)
            assert len(got) == count and len(set(got)) == count and set(got) <= pool
        for count in (-1, -5, -30):                           # repeats allowed
            got = conn.call("SRANDMEMBER", key, count)
            assert len(got) == -count and set(got) <= pool
        many = conn.call("SRANDMEMBER", key, -2000)
        assert set(many) == pool                              # every member comes up
        for count in (len(pool), 100, LLONG_MAX):
            assert sorted(conn.call("SRANDMEMBER", key, count)) == sorted(pool)
        assert conn.call("SCARD", key) == len(pool)
    # An intset answers "the whole set" in order.
    assert conn.call_raw("SRANDMEMBER", "i", 10) == wire(b"*", range(10))
    for argv in (("i", 0), ("missing", 0), ("missing", 3), ("missing", -3),
                 ("missing", "-9223372036854775807")):
        assert conn.call_raw("SRANDMEMBER", *argv) == b"*0\r\n", argv


@needs("SADD", "SRANDMEMBER")
def test_srandmember_count_is_an_array_in_resp3(conn):
    sadd(conn, "i", "1", "2", "3")
    resp3(conn)
    assert conn.call_raw("SRANDMEMBER", "i", 5) == wire(b"*", [1, 2, 3])
    assert conn.call_raw("SRANDMEMBER", "i", 2)[:4] == b"*2\r\n"
    assert conn.call_raw("SRANDMEMBER", "i", -4)[:4] == b"*4\r\n"
    assert conn.call_raw("SRANDMEMBER", "missing", 2) == b"*0\r\n"
    assert conn.call_raw("SRANDMEMBER", "i", 0) == b"*0\r\n"


@needs("SADD", "SRANDMEMBER")
def test_srandmember_errors_and_check_order(conn):
    sadd(conn, "s", "a")
    wrong_type_keys(conn)
    for key in ("s", "missing", "str"):
        for bad in ("x", "", "1.0", " 1", "9223372036854775808"):
            assert conn.call("SRANDMEMBER", key, bad) == NOT_INTEGER, (key, bad)
        # -LONG_MAX..LONG_MAX is accepted; LLONG_MIN has its own message.
        assert conn.call("SRANDMEMBER", key, LLONG_MIN) == LONG_RANGE, key
        assert conn.call("SRANDMEMBER", key, 1, 2) == SYNTAX, key
    assert conn.call("SRANDMEMBER", "str", 0) == WRONGTYPE    # the lookup comes before count 0
    assert conn.call("SRANDMEMBER", "str", "-9223372036854775807") == WRONGTYPE


@needs("SADD", "SRANDMEMBER")
def test_srandmember_extra_arguments_come_first(conn):
    sadd(conn, "s", "a")
    wrong_type_keys(conn)
    for key in ("s", "missing", "str"):
        for count in ("x", "", "1.5", LLONG_MIN, "9223372036854775808"):
            assert conn.call("SRANDMEMBER", key, count, "x") == SYNTAX, (key, count)
        assert conn.call("SRANDMEMBER", key, 1, "WITHSCORES") == SYNTAX, key


@needs("SADD", "SRANDMEMBER")
def test_srandmember_refuses_huge_negative_counts(conn):
    if is_reference():
        pytest.skip("a real redis-server tries to build the reply (and dies)")
    sadd(conn, "s", "a", "b")
    # Redwing's own guard: more than 10,000,000 draws are refused, after the lookup.
    for count in ("-10000001", "-9223372036854775807", "-4611686018427387903"):
        assert conn.call("SRANDMEMBER", "s", count) == OUT_OF_RANGE, count
    assert conn.call_raw("SRANDMEMBER", "missing", "-10000001") == b"*0\r\n"
    assert len(conn.call("SRANDMEMBER", "s", -100000)) == 100000
    assert conn.call("SCARD", "s") == 2


# -------------------------------------------------------------------- SSCAN

@needs("SADD", "SSCAN")
def test_sscan_intset_returns_everything_at_once(conn):
    sadd(conn, "i", "5", "1", "3", "10")
    everything = [b"1", b"3", b"5", b"10"]
    for argv in ((0,), (0, "COUNT", 1), (7,), ("00",), ("-1",), ("",),
                 ("18446744073709551615",)):
        assert conn.call("SSCAN", "i", *argv) == [b"0", everything], argv
    assert conn.call("SSCAN", "i", 0, "MATCH", "1*") == [b"0", [b"1", b"10"]]
    assert conn.call("SSCAN", "i", 0, "MATCH", "1*", "COUNT", 1, "match", "3") == [b"0", [b"3"]]
    assert conn.call("SSCAN", "i", 0, "MATCH", "x") == [b"0", []]
    assert conn.call_raw("SSCAN", "missing", 0) == b"*2\r\n$1\r\n0\r\n*0\r\n"
    resp3(conn)
    assert conn.call_raw("SSCAN", "i", 0, "MATCH", "5") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\n5\r\n"


@needs("SADD", "SSCAN")
def test_sscan_errors_and_check_order(conn):
    sadd(conn, "s", "a")
    for bad in ("x", "1.5", "-1.5", "0x1", "18446744073709551616", " 1", "1 "):
        assert conn.call("SSCAN", "s", bad) == INVALID_CURSOR, bad
    for options in (("COUNT", 0), ("COUNT", -1), ("MATCH",), ("COUNT",), ("NOVALUES",),
                    ("TYPE", "string"), ("BOGUS", 1)):
        assert conn.call("SSCAN", "s", 0, *options) == SYNTAX, options
    for options in (("COUNT", "x"), ("COUNT", "9223372036854775808"), ("COUNT", "1.5")):
        assert conn.call("SSCAN", "s", 0, *options) == NOT_INTEGER, options
    # The cursor is parsed before the lookup; options only for an existing set.
    assert conn.call("SSCAN", "missing", "x") == INVALID_CURSOR
    for options in (("BOGUS",), ("COUNT", 0), ("COUNT", "x")):
        assert conn.call_raw("SSCAN", "missing", 0, *options) == b"*2\r\n$1\r\n0\r\n*0\r\n"
    for key in wrong_type_keys(conn):
        assert conn.call("SSCAN", key, "x") == INVALID_CURSOR
        assert conn.call("SSCAN", key, 0, "COUNT", "x") == WRONGTYPE


def _full_sscan(conn, key, *options):
    cursor, seen, calls = b"0", [], 0
    while True:
        cursor, batch = conn.call("SSCAN", key, cursor, *options)
        seen.extend(batch)
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 100000


@needs("SADD", "SSCAN", "SCARD")
def test_sscan_large_sets(conn):
    strings = {f"member:{i}".encode() for i in range(10000)}
    numbers = {str(i * 7 - 5000).encode() for i in range(10000)}
    items = sorted(strings)
    for start in range(0, len(items), 2000):
        conn.call("SADD", "h", *items[start:start + 2000])
    conn.call("SADD", "n", *numbers)                          # integers past 512: a hashtable
    assert conn.call("SCARD", "h") == 10000
    for key, members in (("h", strings), ("n", numbers)):
        assert encoding(conn, key) == b"hashtable"
        seen, calls = _full_sscan(conn, key, "COUNT", 100)
        assert calls > 1
        assert set(seen) == members                          # every member at least once
        seen, calls = _full_sscan(conn, key)
        assert calls > 100                                    # COUNT defaults to 10
        assert set(seen) == members
    seen, _ = _full_sscan(conn, "h", "MATCH", "member:99*", "COUNT", 500)
    assert set(seen) == {m for m in strings if m.startswith(b"member:99")}
    seen, _ = _full_sscan(conn, "n", "MATCH", "-*", "COUNT", 1000)
    assert set(seen) == {m for m in numbers if m.startswith(b"-")}
    # A big intset still answers in one call, in order.
    assert conn.call("CONFIG", "SET", "set-max-intset-entries", 20000) == b"OK"
    conn.call("SADD", "i", *numbers)
    assert encoding(conn, "i") == b"intset"
    cursor, batch = conn.call("SSCAN", "i", 0, "COUNT", 10)
    assert cursor == b"0"
    assert batch == [str(n).encode() for n in sorted(int(m) for m in numbers)]


# --------------------------------------------------------------- big sets

@needs("SADD", "SREM", "SCARD", "SISMEMBER", "SMISMEMBER", "SINTERCARD", "SINTERSTORE",
       "SUNIONSTORE", "SDIFFSTORE", "SPOP", "SRANDMEMBER", "SMEMBERS")
def test_big_sets(conn):
    n = 100000
    evens = [str(i * 2).encode() for i in range(n)]          # integers: a hashtable past 512
    words = [b"w%d" % i for i in range(n)]
    for start in range(0, n, 20000):
        assert conn.call("SADD", "evens", *evens[start:start + 20000]) == 20000
        assert conn.call("SADD", "words", *words[start:start + 20000]) == 20000
    threes = [str(i * 3).encode() for i in range(n)]
    assert conn.call("SADD", "threes", *threes) == n
    assert conn.call("SCARD", "evens") == n
    assert conn.call("SISMEMBER", "evens", "199998") == 1
    assert conn.call("SISMEMBER", "evens", "199999") == 0
    assert conn.call("SMISMEMBER", "words", "w0", "w99999", "w100000") == [1, 1, 0]
    sixes = {str(i).encode() for i in range(0, 2 * n, 6)}   # multiples of 6 below 200000
    assert conn.call("SINTERCARD", 2, "evens", "threes") == len(sixes)
    assert conn.call("SINTERCARD", 2, "evens", "threes", "LIMIT", 1000) == 1000
    assert conn.call("SINTERSTORE", "six", "threes", "evens") == len(sixes)
    assert set(conn.call("SMEMBERS", "six")) == sixes
    union = len(set(evens) | set(threes))
    assert conn.call("SUNIONSTORE", "u", "evens", "threes", "words") == union + n
    assert conn.call("SDIFFSTORE", "d", "evens", "threes") == n - len(sixes)
    assert conn.call("SISMEMBER", "d", "6") == 0 and conn.call("SISMEMBER", "d", "4") == 1
    got = conn.call("SRANDMEMBER", "words", 60000)            # most of the set: distinct
    assert len(got) == 60000 and len(set(got)) == 60000 and set(got) <= set(words)
    popped = conn.call("SPOP", "words", 70000)
    assert len(set(popped)) == 70000 and set(popped) <= set(words)
    left = set(conn.call("SMEMBERS", "words"))
    assert len(left) == n - 70000 and not left & set(popped)
    assert left | set(popped) == set(words)
    assert conn.call("SREM", "evens", *evens) == n
    assert conn.call("EXISTS", "evens") == 0
    assert len(conn.call("SPOP", "u", 10 ** 6)) == union + n
    assert conn.call("EXISTS", "u") == 0


@needs("SADD", "SMEMBERS", "SCARD")
def test_sets_shared_between_clients(raw):
    first, second = raw(), raw()
    sadd(first, "s", "1", "2")
    assert second.call("SMEMBERS", "s") == [b"1", b"2"]
    assert second.call("SADD", "s", "x") == 1
    assert sorted(first.call("SMEMBERS", "s")) == [b"1", b"2", b"x"]
    assert first.call("SPOP", "s", 5) is not None
    assert second.call("SCARD", "s") == 0
