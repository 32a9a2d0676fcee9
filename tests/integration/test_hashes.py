"""Hash commands: exact replies and error strings of Redis 7.0.15.

Covers HSET HSETNX HGET HMGET HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS
HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN and the listpack -> hashtable
conversion.  Every test is marked ``needs_commands`` with the hash commands it
sends, so it is skipped until the server under test knows them.  Expectations
were taken from a real redis-server 7.0.15.  Where Redis checks arguments
before or after the key lookup, the test says so: the order decides which
error a client sees.

Notes worth knowing before reading the tests:

* The 7.0 default of ``hash-max-listpack-entries`` is **512** (not 128);
  ``hash-max-listpack-value`` is 64.  A hash converts when it gets more than
  512 fields or when a field or value longer than 64 bytes is *written*
  (HSET/HMSET/HSETNX/HINCRBY/HINCRBYFLOAT alike); it never converts back.
* Listpack-encoded hashes keep insertion order (an overwrite keeps its
  place, a deleted field leaves no gap, a re-added field goes to the end).
  Hashtable-encoded hashes are compared order-insensitively.
* Never send HRANDFIELD with a huge *negative* count to an existing hash:
  Redis really tries to build that many elements.
"""

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, err

needs = pytest.mark.needs_commands

NOT_INT_FIELD = err("ERR hash value is not an integer")
NOT_FLOAT_FIELD = err("ERR hash value is not a float")
OVERFLOW = err("ERR increment or decrement would overflow")
NOT_FLOAT = err("ERR value is not a valid float")
NAN_INF = err("ERR value is NaN or Infinity")
WOULD_NAN_INF = err("ERR increment would produce NaN or Infinity")
INVALID_CURSOR = err("ERR invalid cursor")
RANDFIELD_RANGE = err("ERR value is out of range")
RANDFIELD_LONG_RANGE = err("ERR value is out of range, value must between "
                           "-9223372036854775807 and 9223372036854775807")

LLONG_MAX = "9223372036854775807"
LLONG_MIN = "-9223372036854775808"
HALF_MAX = "4611686018427387903"       # LONG_MAX / 2: the WITHVALUES limit
DEFAULT_MAX_ENTRIES = 512
LONG_1E400 = (b"100000000000000000002818806839475865145864534336290520386259106935396855"
         b"340086298620393639948483241605220940539273176162002958227772592557340238"
         b"289765933406610177974474345461739178624481166749717237789438243915933380"
         b"474706750262466844013592375136038303437354855052449559649790218250382800"
         b"910684149474024568986530409510175126580926158275889201834725116433165913"
         b"62664138176309734806343732497430221946880")
DEFAULT_MAX_VALUE = 64


def arity(name: str):
    return err(f"ERR wrong number of arguments for '{name}' command")


def hset(conn, key, *pairs):
    assert conn.call("HSET", key, *pairs) == len(pairs) // 2


def pairs_of(flat):
    return list(zip(flat[0::2], flat[1::2]))


def encoding(conn, key):
    return conn.call("OBJECT", "ENCODING", key)


def wrong_type_keys(conn):
    assert conn.call("SET", "s", "v") == b"OK"
    assert conn.call("RPUSH", "l", "a") == 1
    return ("s", "l")


def resp3(conn):
    assert isinstance(conn.call("HELLO", 3), dict)


# -------------------------------------------------------------- HSET / HGET

@needs("HSET", "HGET", "HLEN")
def test_hset_counts_new_fields_only(conn):
    assert conn.call("HSET", "h", "a", "1", "b", "2") == 2
    assert conn.call("HSET", "h", "a", "10", "c", "3") == 1
    assert conn.call("HSET", "h", "a", "11") == 0
    # The same field twice in one call: counted once, the last value wins.
    assert conn.call("HSET", "h", "d", "1", "d", "2") == 1
    assert conn.call("HGET", "h", "a") == b"11"
    assert conn.call("HGET", "h", "d") == b"2"
    assert conn.call("HGET", "h", "zz") is None
    assert conn.call_raw("HGET", "missing", "a") == b"$-1\r\n"
    assert conn.call("HLEN", "h") == 4
    assert conn.call("HLEN", "missing") == 0
    assert conn.call("TYPE", "h") == b"hash"


@needs("HSET", "HMSET", "HGETALL")
def test_hmset_replies_ok(conn):
    assert conn.call_raw("HMSET", "h", "a", "1", "b", "2") == b"+OK\r\n"
    assert conn.call_raw("HMSET", "h", "a", "3") == b"+OK\r\n"
    assert conn.call("HGETALL", "h") == [b"a", b"3", b"b", b"2"]


@needs("HSET", "HMSET")
def test_hset_arity(conn):
    for name in ("HSET", "HMSET"):
        for argv in ((), ("h",), ("h", "a"), ("h", "a", "1", "b"), ("h", "a", "1", "b", "2", "c")):
            assert conn.call(name, *argv) == arity(name.lower()), argv
    # The name in the message is the command's own, lowercase, whatever the
    # client typed.
    assert conn.call("hSeT", "h", "a") == arity("hset")
    assert conn.call("EXISTS", "h") == 0
    # The odd-pair check comes before the type check.
    wrong_type_keys(conn)
    assert conn.call("HSET", "s", "a", "1", "b") == arity("hset")
    assert conn.call("HMSET", "l", "a") == arity("hmset")


@needs("HSET", "HSETNX", "HGET")
def test_hsetnx(conn):
    assert conn.call("HSETNX", "h", "a", "1") == 1
    assert conn.call("HSETNX", "h", "a", "2") == 0
    assert conn.call("HGET", "h", "a") == b"1"
    assert conn.call("HSETNX", "h", "b", "") == 1
    assert conn.call_raw("HGET", "h", "b") == b"$0\r\n\r\n"
    assert conn.call("HSETNX", "h", "a") == arity("hsetnx")
    assert conn.call("HSETNX", "h", "a", "1", "2") == arity("hsetnx")


@needs("HSET", "HMGET")
def test_hmget(conn):
    hset(conn, "h", "a", "1", "b", "")
    assert conn.call("HMGET", "h", "a", "zz", "b", "a") == [b"1", None, b"", b"1"]
    assert conn.call_raw("HMGET", "missing", "a", "b") == b"*2\r\n$-1\r\n$-1\r\n"
    assert conn.call("HMGET", "h") == arity("hmget")
    resp3(conn)
    assert conn.call_raw("HMGET", "h", "a", "zz") == b"*2\r\n$1\r\n1\r\n_\r\n"
    assert conn.call_raw("HGET", "h", "zz") == b"_\r\n"


@needs("HSET", "HSTRLEN", "HEXISTS")
def test_hstrlen_hexists(conn):
    hset(conn, "h", "n", LLONG_MIN, "e", "", "s", "hello", "i", "12")
    assert conn.call("HSTRLEN", "h", "n") == 20      # integers stored compactly still count digits
    assert conn.call("HSTRLEN", "h", "i") == 2
    assert conn.call("HSTRLEN", "h", "e") == 0
    assert conn.call("HSTRLEN", "h", "s") == 5
    assert conn.call("HSTRLEN", "h", "zz") == 0
    assert conn.call("HSTRLEN", "missing", "a") == 0
    assert conn.call("HEXISTS", "h", "e") == 1
    assert conn.call("HEXISTS", "h", "zz") == 0
    assert conn.call("HEXISTS", "missing", "a") == 0
    assert conn.call("HSTRLEN", "h") == arity("hstrlen")
    assert conn.call("HEXISTS", "h", "a", "b") == arity("hexists")


@needs("HSET", "HGET", "HGETALL")
def test_values_are_kept_verbatim(conn):
    # Integer-looking values are stored compactly in a listpack but must come
    # back byte for byte; non-canonical ones stay strings.
    values = ["0", "-0", "007", "+5", " 1", "1.0", LLONG_MAX, LLONG_MIN, "9223372036854775808",
              "-1", "1e3", "0x10", ""]
    for i, value in enumerate(values):
        hset(conn, "h", f"f{i}", value)
    for i, value in enumerate(values):
        assert conn.call("HGET", "h", f"f{i}") == value.encode(), value
    assert conn.call("HGETALL", "h") == [x for i, v in enumerate(values)
                                         for x in (f"f{i}".encode(), v.encode())]


@needs("HSET", "HGET", "HGETALL", "HDEL")
def test_binary_safe_fields_and_values(conn):
    odd = [b"", b"\x00", b"a\x00b", b"\r\n", b"\xff\xfe", b"*1\r\n$1\r\nx", "ünï".encode()]
    for i, item in enumerate(odd):
        assert conn.call("HSET", b"bin\x00key", item, item + b"!" * i) == 1
    for i, item in enumerate(odd):
        assert conn.call("HGET", b"bin\x00key", item) == item + b"!" * i
    assert conn.call("HGET", b"bin\x00key", b"a") is None
    assert pairs_of(conn.call("HGETALL", b"bin\x00key")) == [(x, x + b"!" * i)
                                                             for i, x in enumerate(odd)]
    assert conn.call("HDEL", b"bin\x00key", b"\x00") == 1
    assert conn.call("HGET", b"bin\x00key", b"a\x00b") == b"a\x00b!!"


# ---------------------------------------------------------------- HDEL

@needs("HSET", "HDEL", "HLEN")
def test_hdel(conn):
    hset(conn, "h", "a", "1", "b", "2", "c", "3")
    assert conn.call("HDEL", "h", "a", "a", "nope") == 1
    assert conn.call("HDEL", "h", "nope") == 0
    assert conn.call("HLEN", "h") == 2
    assert conn.call("HDEL", "missing", "a") == 0
    assert conn.call("HDEL", "h") == arity("hdel")
    assert conn.call("HDEL") == arity("hdel")


@needs("HSET", "HDEL")
def test_hdel_of_last_field_deletes_key(conn):
    hset(conn, "h", "a", "1")
    assert conn.call("EXPIRE", "h", 1000) == 1
    assert conn.call("HDEL", "h", "a") == 1
    assert conn.call("EXISTS", "h") == 0
    assert conn.call("TTL", "h") == -2
    hset(conn, "h", "a", "1", "b", "2")
    assert conn.call("HDEL", "h", "a", "b", "c") == 2
    assert conn.call("EXISTS", "h") == 0
    assert conn.call("TYPE", "h") == b"none"
    # A new hash under the old name starts without a TTL.
    hset(conn, "h", "x", "1")
    assert conn.call("TTL", "h") == -1


@needs("HSET", "HDEL")
def test_hdel_of_last_field_deletes_hashtable_key(conn):
    hset(conn, "h", "f", "v" * 100)
    assert encoding(conn, "h") == b"hashtable"
    assert conn.call("HDEL", "h", "f") == 1
    assert conn.call("EXISTS", "h") == 0


@needs("HSET", "HGET")
def test_write_keeps_ttl(conn):
    hset(conn, "h", "a", "1")
    assert conn.call("EXPIRE", "h", 1000) == 1
    hset(conn, "h", "b", "2")
    assert 990 < conn.call("TTL", "h") <= 1000


# ------------------------------------------------ HKEYS / HVALS / HGETALL

@needs("HSET", "HKEYS", "HVALS", "HGETALL")
def test_empty_and_missing(conn):
    assert conn.call_raw("HKEYS", "missing") == b"*0\r\n"
    assert conn.call_raw("HVALS", "missing") == b"*0\r\n"
    assert conn.call_raw("HGETALL", "missing") == b"*0\r\n"
    assert conn.call("HKEYS") == arity("hkeys")
    assert conn.call("HVALS", "a", "b") == arity("hvals")
    assert conn.call("HGETALL", "a", "b") == arity("hgetall")


@needs("HSET", "HDEL", "HKEYS", "HVALS", "HGETALL", "HINCRBY")
def test_listpack_order_is_insertion_order(conn):
    hset(conn, "h", "a", "1", "b", "2", "c", "3")
    assert conn.call("HDEL", "h", "b") == 1           # removed in place
    assert conn.call("HSET", "h", "b", "9") == 1       # re-added at the end
    assert conn.call("HSET", "h", "a", "5") == 0       # overwrite keeps its place
    assert conn.call("HINCRBY", "h", "c", 1) == 4      # so does an increment
    assert conn.call("HINCRBY", "h", "d", 7) == 7      # a new field goes last
    assert encoding(conn, "h") == b"listpack"
    assert conn.call("HKEYS", "h") == [b"a", b"c", b"b", b"d"]
    assert conn.call("HVALS", "h") == [b"5", b"4", b"9", b"7"]
    assert conn.call("HGETALL", "h") == [b"a", b"5", b"c", b"4", b"b", b"9", b"d", b"7"]


@needs("HSET", "HKEYS", "HVALS", "HGETALL", "HLEN")
def test_hashtable_contents(conn):
    pairs = {f"field:{i}".encode(): f"value:{i}".encode() for i in range(600)}
    hset(conn, "h", *[x for kv in pairs.items() for x in kv])
    assert encoding(conn, "h") == b"hashtable"
    assert conn.call("HLEN", "h") == 600
    assert sorted(conn.call("HKEYS", "h")) == sorted(pairs)
    assert sorted(conn.call("HVALS", "h")) == sorted(pairs.values())
    flat = conn.call("HGETALL", "h")
    assert len(flat) == 1200
    assert dict(pairs_of(flat)) == pairs
    # HKEYS / HVALS / HGETALL walk the table in the same order.
    assert flat[0::2] == conn.call("HKEYS", "h")
    assert flat[1::2] == conn.call("HVALS", "h")


@needs("HSET", "HGETALL")
def test_hgetall_resp3_is_a_map(conn):
    hset(conn, "h", "a", "1", "b", "2")
    resp3(conn)
    assert conn.call_raw("HGETALL", "h") == b"%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    assert conn.call_raw("HGETALL", "missing") == b"%0\r\n"
    assert conn.call_raw("HKEYS", "h") == b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    assert conn.call_raw("HLEN", "h") == b":2\r\n"


# ----------------------------------------------------------------- HINCRBY

@needs("HSET", "HINCRBY", "HGET")
def test_hincrby(conn):
    assert conn.call("HINCRBY", "h", "n", 5) == 5                  # creates key and field
    assert conn.call("HINCRBY", "h", "n", -7) == -2
    assert conn.call("HINCRBY", "h", "n", 0) == -2
    assert conn.call("HGET", "h", "n") == b"-2"
    hset(conn, "h", "max", LLONG_MAX, "min", LLONG_MIN)
    assert conn.call("HINCRBY", "h", "max", 0) == 9223372036854775807
    assert conn.call("HINCRBY", "h", "max", 1) == OVERFLOW
    assert conn.call("HINCRBY", "h", "min", -1) == OVERFLOW
    assert conn.call("HINCRBY", "h", "min", 0) == -9223372036854775808
    assert conn.call("HINCRBY", "h", "max", LLONG_MIN) == -1
    assert conn.call("HINCRBY", "h", "i", LLONG_MAX) == 9223372036854775807
    assert conn.call("HINCRBY", "h", "j", LLONG_MIN) == -9223372036854775808
    assert conn.call("HGET", "h", "min") == LLONG_MIN.encode()


@needs("HSET", "HINCRBY", "HGET")
def test_hincrby_field_not_an_integer(conn):
    bad = ["-0", "007", "+5", " 1", "1 ", "1.0", "", "abc", "9223372036854775808", "0x10", "1e3"]
    for i, value in enumerate(bad):
        hset(conn, "h", f"f{i}", value)
        assert conn.call("HINCRBY", "h", f"f{i}", 1) == NOT_INT_FIELD, value
        assert conn.call("HGET", "h", f"f{i}") == value.encode()


@needs("HSET", "HINCRBY")
def test_hincrby_increment_errors_come_first(conn):
    for bad in ("abc", "1.5", "", " 1", "9223372036854775808", "99999999999999999999"):
        assert conn.call("HINCRBY", "h", "f", bad) == NOT_INTEGER, bad
    assert conn.call("EXISTS", "h") == 0
    # The increment is parsed before the type check.
    for key in wrong_type_keys(conn):
        assert conn.call("HINCRBY", key, "f", "x") == NOT_INTEGER
        assert conn.call("HINCRBY", key, "f", 1) == WRONGTYPE
    assert conn.call("HINCRBY", "h", "f") == arity("hincrby")
    assert conn.call("HINCRBY", "h", "f", 1, 2) == arity("hincrby")


# ------------------------------------------------------------ HINCRBYFLOAT

@needs("HSET", "HINCRBYFLOAT", "HGET")
def test_hincrbyfloat(conn):
    cases = [("0.1", b"0.1"), ("0.2", b"0.3"), ("-0.3", b"0"), ("1e3", b"1000"),
             ("5.", b"1005"), (".5", b"1005.5"), ("-1005.5", b"0"), ("1.23e2", b"123"),
             ("0x10", b"139"), ("-0", b"139"), ("3.0", b"142")]
    for incr, want in cases:
        got = conn.call_raw("HINCRBYFLOAT", "h", "f", incr)
        assert got == b"$%d\r\n%s\r\n" % (len(want), want), incr
    assert conn.call("HGET", "h", "f") == b"142"
    assert conn.call("HINCRBYFLOAT", "h", "tiny", "1e-20") == b"0"    # %.17Lf, zeros trimmed
    assert conn.call("HINCRBYFLOAT", "h", "neg", "-0") == b"0"
    assert conn.call("HINCRBYFLOAT", "h", "g", "1.5") == b"1.5"
    assert conn.call("HINCRBYFLOAT", "h", "g", "-3") == b"-1.5"


@needs("HSET", "HINCRBYFLOAT", "HGET")
def test_hincrbyfloat_on_existing_values(conn):
    hset(conn, "h", "i", "10", "neg0", "-0", "lead", "007", "plus", "+5", "hex", "0x10",
         "big", "1e400", "inf", "inf", "sp", " 1", "huge", "1e5000", "str", "abc", "e", "")
    assert conn.call("HINCRBYFLOAT", "h", "i", "0.5") == b"10.5"
    assert conn.call("HINCRBYFLOAT", "h", "neg0", "1") == b"1"
    assert conn.call("HINCRBYFLOAT", "h", "lead", "1") == b"8"
    assert conn.call("HINCRBYFLOAT", "h", "plus", "1") == b"6"
    assert conn.call("HINCRBYFLOAT", "h", "hex", "1") == b"17"
    # 1e400 fits a long double (not a double): printed in full with %.17Lf,
    # so the binary approximation's digits show.
    assert conn.call("HINCRBYFLOAT", "h", "big", "0") == LONG_1E400
    assert conn.call("HINCRBYFLOAT", "h", "inf", "1") == WOULD_NAN_INF
    assert conn.call("HINCRBYFLOAT", "h", "sp", "1") == NOT_FLOAT_FIELD
    assert conn.call("HINCRBYFLOAT", "h", "huge", "1") == NOT_FLOAT_FIELD
    assert conn.call("HINCRBYFLOAT", "h", "str", "1") == NOT_FLOAT_FIELD
    assert conn.call("HINCRBYFLOAT", "h", "e", "1") == NOT_FLOAT_FIELD
    assert conn.call("HGET", "h", "inf") == b"inf"


@needs("HSET", "HINCRBYFLOAT", "HGET")
def test_hincrbyfloat_long_double_range(conn):
    hset(conn, "h", "f", "1e308")
    # 2e308 overflows a double but not the long double Redis computes in.
    got = conn.call("HINCRBYFLOAT", "h", "f", "1e308")
    assert got == (b"199999999999999999993371759311691291321120199694831134415594095989843469"
                   b"737676123744200253843777078640893494450108026446304269499187921167194841"
                   b"628860392837535918200039206381557326219209014213335878306791577877829121"
                   b"087126122536729803237260434173178506889763247582601711514636284849020905"
                   b"456510092687857156096")
    assert conn.call("HSTRLEN", "h", "f") == 309


@needs("HSET", "HINCRBYFLOAT")
def test_hincrbyfloat_increment_errors_come_first(conn):
    for bad in ("abc", "", " 1", "1 ", "1e5000", "nan", "NaN", "1.5.5", "--1"):
        assert conn.call("HINCRBYFLOAT", "h", "f", bad) == NOT_FLOAT, bad
    for bad in ("inf", "-inf", "+inf", "Infinity", "INF"):
        assert conn.call("HINCRBYFLOAT", "h", "f", bad) == NAN_INF, bad
    assert conn.call("EXISTS", "h") == 0
    for key in wrong_type_keys(conn):
        assert conn.call("HINCRBYFLOAT", key, "f", "x") == NOT_FLOAT
        assert conn.call("HINCRBYFLOAT", key, "f", "inf") == NAN_INF
        assert conn.call("HINCRBYFLOAT", key, "f", "1") == WRONGTYPE
    assert conn.call("HINCRBYFLOAT", "h", "f") == arity("hincrbyfloat")


@needs("HSET", "HINCRBYFLOAT")
def test_hincrbyfloat_is_a_bulk_string_in_resp3(conn):
    resp3(conn)
    assert conn.call_raw("HINCRBYFLOAT", "h", "f", "1.5") == b"$3\r\n1.5\r\n"
    assert conn.call_raw("HINCRBY", "h", "i", "2") == b":2\r\n"


# ---------------------------------------------------------------- WRONGTYPE

@needs("HSET", "HSETNX", "HGET", "HMGET", "HMSET", "HDEL", "HLEN", "HSTRLEN", "HEXISTS",
       "HKEYS", "HVALS", "HGETALL", "HINCRBY", "HINCRBYFLOAT", "HRANDFIELD", "HSCAN")
def test_wrongtype_on_string_and_list_keys(conn):
    for key in wrong_type_keys(conn):
        for argv in (("HSET", key, "a", "1"), ("HSETNX", key, "a", "1"), ("HGET", key, "a"),
                     ("HMGET", key, "a", "b"), ("HMSET", key, "a", "1"), ("HDEL", key, "a"),
                     ("HLEN", key), ("HSTRLEN", key, "a"), ("HEXISTS", key, "a"),
                     ("HKEYS", key), ("HVALS", key), ("HGETALL", key),
                     ("HINCRBY", key, "a", 1), ("HINCRBYFLOAT", key, "a", "1.5"),
                     ("HRANDFIELD", key), ("HRANDFIELD", key, 2),
                     ("HRANDFIELD", key, -2, "WITHVALUES"), ("HSCAN", key, 0),
                     ("HSCAN", key, 0, "COUNT", 0), ("HSCAN", key, 0, "BOGUS")):
            assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("GET", "s") == b"v"
    assert conn.call("LRANGE", "l", 0, -1) == [b"a"]


@needs("HSET")
def test_other_types_refuse_hashes(conn):
    hset(conn, "h", "a", "1")
    for argv in (("GET", "h"), ("APPEND", "h", "x"), ("INCR", "h"), ("STRLEN", "h"),
                 ("LPUSH", "h", "x"), ("LLEN", "h"), ("LRANGE", "h", 0, -1)):
        assert conn.call(*argv) == WRONGTYPE, argv
    assert conn.call("SET", "h", "v") == b"OK"        # SET overwrites any type
    assert conn.call("TYPE", "h") == b"string"


# ---------------------------------------------------------------- HRANDFIELD

@needs("HSET", "HRANDFIELD")
def test_hrandfield_single(conn):
    hset(conn, "h", "a", "1", "b", "2", "c", "3")
    for _ in range(20):
        assert conn.call("HRANDFIELD", "h") in (b"a", b"b", b"c")
    assert conn.call_raw("HRANDFIELD", "missing") == b"$-1\r\n"
    resp3(conn)
    assert conn.call_raw("HRANDFIELD", "missing") == b"_\r\n"
    assert conn.call("HRANDFIELD", "h") in (b"a", b"b", b"c")


@needs("HSET", "HRANDFIELD")
def test_hrandfield_positive_count_distinct(conn):
    pairs = {b"a": b"1", b"b": b"2", b"c": b"3", b"d": b"4", b"e": b"5"}
    hset(conn, "h", *[x for kv in pairs.items() for x in kv])
    for count in (1, 2, 3, 4):
        got = conn.call("HRANDFIELD", "h", count)
        assert len(got) == count and len(set(got)) == count and set(got) <= set(pairs)
        flat = conn.call("HRANDFIELD", "h", count, "WITHVALUES")
        assert len(flat) == 2 * count
        got_pairs = pairs_of(flat)
        assert len({f for f, _ in got_pairs}) == count
        assert all(pairs[f] == v for f, v in got_pairs)
    # count >= size: the whole hash, in listpack (insertion) order.
    for count in (5, 6, 100, LLONG_MAX):
        assert conn.call("HRANDFIELD", "h", count) == list(pairs)
    assert conn.call("HRANDFIELD", "h", 5, "withvalues") == [x for kv in pairs.items() for x in kv]
    assert conn.call("HRANDFIELD", "h", HALF_MAX, "WITHVALUES") == \
        [x for kv in pairs.items() for x in kv]


@needs("HSET", "HRANDFIELD")
def test_hrandfield_negative_count_repeats(conn):
    hset(conn, "h", "a", "1", "b", "2")
    got = conn.call("HRANDFIELD", "h", -20)
    assert len(got) == 20 and set(got) <= {b"a", b"b"}
    flat = conn.call("HRANDFIELD", "h", -7, "WITHVALUES")
    assert len(flat) == 14
    assert set(pairs_of(flat)) <= {(b"a", b"1"), (b"b", b"2")}
    one = conn.call("HRANDFIELD", "h", -1)
    assert len(one) == 1


@needs("HSET", "HRANDFIELD")
def test_hrandfield_zero_and_missing(conn):
    hset(conn, "h", "a", "1")
    for argv in (("h", 0), ("h", 0, "WITHVALUES"), ("missing", 3), ("missing", -3),
                 ("missing", 3, "WITHVALUES"), ("missing", 0)):
        assert conn.call_raw("HRANDFIELD", *argv) == b"*0\r\n", argv
    resp3(conn)
    # With a count a missing key is an empty array, not a null, in RESP3 too.
    assert conn.call_raw("HRANDFIELD", "missing", 3) == b"*0\r\n"
    assert conn.call_raw("HRANDFIELD", "h", 0, "WITHVALUES") == b"*0\r\n"


@needs("HSET", "HRANDFIELD")
def test_hrandfield_withvalues_resp3_pairs(conn):
    hset(conn, "h", "a", "1", "b", "2", "c", "3")
    resp3(conn)
    whole = b"*3\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    assert conn.call_raw("HRANDFIELD", "h", 3, "WITHVALUES") == whole
    assert conn.call_raw("HRANDFIELD", "h", 10, "WITHVALUES") == whole
    got = conn.call("HRANDFIELD", "h", 2, "WITHVALUES")
    assert len(got) == 2 and all(isinstance(p, list) and len(p) == 2 for p in got)
    assert {tuple(p) for p in got} <= {(b"a", b"1"), (b"b", b"2"), (b"c", b"3")}
    assert len({p[0] for p in got}) == 2
    got = conn.call("HRANDFIELD", "h", -5, "WITHVALUES")
    assert len(got) == 5 and all(len(p) == 2 for p in got)
    # Without WITHVALUES it stays a flat array.
    assert conn.call_raw("HRANDFIELD", "h", 3) == b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"


@needs("HSET", "HRANDFIELD")
def test_hrandfield_errors(conn):
    hset(conn, "h", "a", "1")
    for bad in ("x", "1.0", "", " 1", "9223372036854775808"):
        assert conn.call("HRANDFIELD", "h", bad) == NOT_INTEGER, bad
    # -LONG_MAX..LONG_MAX is accepted; LLONG_MIN has its own message.
    assert conn.call("HRANDFIELD", "missing", LLONG_MIN) == RANDFIELD_LONG_RANGE
    assert conn.call_raw("HRANDFIELD", "missing", "-9223372036854775807") == b"*0\r\n"
    # WITHVALUES halves the range (LONG_MAX / 2) -- checked before the lookup.
    for bad in ("4611686018427387904", "-4611686018427387904", LLONG_MAX):
        assert conn.call("HRANDFIELD", "h", bad, "WITHVALUES") == RANDFIELD_RANGE, bad
        assert conn.call("HRANDFIELD", "missing", bad, "WITHVALUES") == RANDFIELD_RANGE, bad
    assert conn.call_raw("HRANDFIELD", "missing", "-" + HALF_MAX, "WITHVALUES") == b"*0\r\n"
    for extra in (("WITHVALUE",), ("WITHVALUES", "x"), ("x",), ("WITHVALUES", "WITHVALUES")):
        assert conn.call("HRANDFIELD", "h", 1, *extra) == SYNTAX, extra
        assert conn.call("HRANDFIELD", "missing", 1, *extra) == SYNTAX, extra
    assert conn.call("HRANDFIELD") == arity("hrandfield")
    # The count and options are checked before the type.
    for key in wrong_type_keys(conn):
        assert conn.call("HRANDFIELD", key, "x") == NOT_INTEGER
        assert conn.call("HRANDFIELD", key, 1, "bogus") == SYNTAX
        assert conn.call("HRANDFIELD", key, LLONG_MAX, "WITHVALUES") == RANDFIELD_RANGE
        assert conn.call("HRANDFIELD", key, 1) == WRONGTYPE


@needs("HSET", "HRANDFIELD")
def test_hrandfield_hashtable(conn):
    pairs = {f"f{i}".encode(): f"v{i}".encode() for i in range(600)}
    hset(conn, "h", *[x for kv in pairs.items() for x in kv])
    assert encoding(conn, "h") == b"hashtable"
    got = conn.call("HRANDFIELD", "h", 50, "WITHVALUES")
    assert len(got) == 100
    assert len({f for f, _ in pairs_of(got)}) == 50
    assert all(pairs[f] == v for f, v in pairs_of(got))
    got = conn.call("HRANDFIELD", "h", 500)         # > size/3: the "remove" path
    assert len(set(got)) == 500 and set(got) <= set(pairs)
    got = conn.call("HRANDFIELD", "h", 600)
    assert sorted(got) == sorted(pairs)
    got = conn.call("HRANDFIELD", "h", -1000)
    assert len(got) == 1000 and set(got) <= set(pairs)


# ---------------------------------------------------------------------- HSCAN

@needs("HSET", "HSCAN")
def test_hscan_listpack_returns_everything_at_once(conn):
    hset(conn, "h", "a", "1", "b", "2", "c", "3", "ab", "4")
    everything = [b"a", b"1", b"b", b"2", b"c", b"3", b"ab", b"4"]
    assert conn.call("HSCAN", "h", 0) == [b"0", everything]
    # A small (listpack) hash ignores COUNT and the cursor value.
    assert conn.call("HSCAN", "h", 0, "COUNT", 1) == [b"0", everything]
    assert conn.call("HSCAN", "h", 5) == [b"0", everything]
    assert conn.call("HSCAN", "h", "00") == [b"0", everything]
    assert conn.call("HSCAN", "h", "+1") == [b"0", everything]
    # MATCH applies to fields only (the value "1" does not match).
    assert conn.call("HSCAN", "h", 0, "MATCH", "a*") == [b"0", [b"a", b"1", b"ab", b"4"]]
    assert conn.call("HSCAN", "h", 0, "MATCH", "1") == [b"0", []]
    # Options may repeat; the last one wins.
    assert conn.call("HSCAN", "h", 0, "match", "a*", "count", 1, "MATCH", "b*") == \
        [b"0", [b"b", b"2"]]
    assert conn.call_raw("HSCAN", "missing", 0) == b"*2\r\n$1\r\n0\r\n*0\r\n"
    resp3(conn)
    assert conn.call_raw("HSCAN", "h", 0, "MATCH", "c") == \
        b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"


@needs("HSET", "HSCAN")
def test_hscan_errors_and_check_order(conn):
    hset(conn, "h", "a", "1")
    for bad in ("x", "1.5", "-1.5", "0x1", "18446744073709551616", " 1", "1 "):
        assert conn.call("HSCAN", "h", bad) == INVALID_CURSOR, bad
    # strtoul: an empty cursor is cursor 0.
    assert conn.call("HSCAN", "h", "") == [b"0", [b"a", b"1"]]
    # strtoul: a negative cursor wraps and is accepted; 2^64-1 is the largest.
    assert conn.call("HSCAN", "h", "-1") == [b"0", [b"a", b"1"]]
    assert conn.call("HSCAN", "h", "18446744073709551615") == [b"0", [b"a", b"1"]]
    for options in (("COUNT", 0), ("COUNT", -1), ("MATCH",), ("COUNT",), ("NOVALUES",),
                    ("TYPE", "string"), ("BOGUS", 1)):
        assert conn.call("HSCAN", "h", 0, *options) == SYNTAX, options
    for options in (("COUNT", "x"), ("COUNT", "9223372036854775808"), ("COUNT", "1.5")):
        assert conn.call("HSCAN", "h", 0, *options) == NOT_INTEGER, options
    # The cursor is parsed before the lookup; options only for an existing hash:
    # a missing key answers an empty scan whatever the options say.
    assert conn.call("HSCAN", "missing", "x") == INVALID_CURSOR
    for options in (("BOGUS",), ("COUNT", 0), ("COUNT", "x"), ("NOVALUES",)):
        assert conn.call_raw("HSCAN", "missing", 0, *options) == b"*2\r\n$1\r\n0\r\n*0\r\n"
    for key in wrong_type_keys(conn):
        assert conn.call("HSCAN", key, "x") == INVALID_CURSOR
        assert conn.call("HSCAN", key, 0, "COUNT", "x") == WRONGTYPE
    assert conn.call("HSCAN", "h") == arity("hscan")
    assert conn.call("HSCAN") == arity("hscan")


def _full_hscan(conn, key, *options):
    cursor, seen, calls = b"0", [], 0
    while True:
        reply = conn.call("HSCAN", key, cursor, *options)
        cursor, flat = reply
        seen.extend(pairs_of(flat))
        calls += 1
        if cursor == b"0":
            return seen, calls
        assert calls < 100000


@needs("HSET", "HSCAN", "HLEN")
def test_hscan_10000_fields(conn):
    pairs = {f"field:{i}".encode(): str(i).encode() for i in range(10000)}
    flat = [x for kv in pairs.items() for x in kv]
    for start in range(0, len(flat), 2000):
        conn.call("HSET", "h", *flat[start:start + 2000])
    assert conn.call("HLEN", "h") == 10000
    assert encoding(conn, "h") == b"hashtable"
    seen, calls = _full_hscan(conn, "h", "COUNT", 100)
    assert calls > 1
    assert dict(seen) == pairs                       # every field at least once, right value
    # COUNT is a hint: the default (10) takes many calls.
    seen, calls = _full_hscan(conn, "h")
    assert calls > 100
    assert {f for f, _ in seen} == set(pairs)
    # MATCH filters fields while iterating the whole table.
    seen, _ = _full_hscan(conn, "h", "MATCH", "field:99*", "COUNT", 500)
    want = {f for f in pairs if f.startswith(b"field:99")}
    assert {f for f, _ in seen} == want


# ---------------------------------------------------------------- encodings

@needs("HSET", "HDEL")
def test_encoding_listpack_to_hashtable_by_entries(conn):
    assert conn.call("CONFIG", "GET", "hash-max-listpack-entries") == \
        [b"hash-max-listpack-entries", str(DEFAULT_MAX_ENTRIES).encode()]
    assert conn.call("CONFIG", "GET", "hash-max-listpack-value") == \
        [b"hash-max-listpack-value", str(DEFAULT_MAX_VALUE).encode()]
    fields = [x for i in range(DEFAULT_MAX_ENTRIES) for x in (f"f{i}", str(i))]
    hset(conn, "h", *fields)
    assert encoding(conn, "h") == b"listpack"
    assert conn.call("HSET", "h", "f0", "x") == 0            # overwrite: still 512
    assert encoding(conn, "h") == b"listpack"
    assert conn.call("HSET", "h", "extra", "x") == 1          # 513 fields
    assert encoding(conn, "h") == b"hashtable"
    # Never back, even when tiny again.
    assert conn.call("HDEL", "h", *[f"f{i}" for i in range(DEFAULT_MAX_ENTRIES)]) == \
        DEFAULT_MAX_ENTRIES
    assert encoding(conn, "h") == b"hashtable"
    # One HSET with 513 new fields converts too.
    hset(conn, "h2", *(fields + ["one-more", "1"]))
    assert encoding(conn, "h2") == b"hashtable"


@needs("HSET", "HSETNX", "HMSET", "HINCRBY", "HINCRBYFLOAT", "HDEL")
def test_encoding_listpack_to_hashtable_by_length(conn):
    at_limit, over = "x" * DEFAULT_MAX_VALUE, "x" * (DEFAULT_MAX_VALUE + 1)
    hset(conn, "h", at_limit, at_limit)
    assert encoding(conn, "h") == b"listpack"
    cases = {
        "value": ("HSET", "a", "1", "b", over),
        "field": ("HSET", over, "1"),
        "hmset": ("HMSET", "a", over),
        "hsetnx-new-field": ("HSETNX", "a", over),
        "hsetnx-field-name": ("HSETNX", over, "1"),
        "hincrby-field-name": ("HINCRBY", over, 1),
        "hincrbyfloat-field-name": ("HINCRBYFLOAT", over, "1"),
    }
    for name, (command, *args) in cases.items():
        conn.call("DEL", name)
        hset(conn, name, "seed", "1")
        conn.call(command, name, *args)
        assert encoding(conn, name) == b"hashtable", name
    # An overwrite with a long value converts as well.
    hset(conn, "ow", "a", "1")
    assert conn.call("HSET", "ow", "a", over) == 0
    assert encoding(conn, "ow") == b"hashtable"
    # HINCRBYFLOAT whose *result* is longer than 64 bytes converts.
    hset(conn, "fl", "a", "1")
    assert len(conn.call("HINCRBYFLOAT", "fl", "a", "1e300")) == 301
    assert encoding(conn, "fl") == b"hashtable"
    # HSETNX that writes nothing does not convert.
    hset(conn, "nx", "a", "1")
    assert conn.call("HSETNX", "nx", "a", over) == 0
    assert encoding(conn, "nx") == b"listpack"
    # A brand-new key created with a long value is a hashtable from the start.
    assert conn.call("HSETNX", "fresh", "a", over) == 1
    assert encoding(conn, "fresh") == b"hashtable"
    # Shrinking does not convert back.
    assert conn.call("HDEL", "ow", "a") == 1
    assert conn.call("EXISTS", "ow") == 0
    hset(conn, "back", "a", over, "b", "1")
    assert conn.call("HDEL", "back", "a") == 1
    assert encoding(conn, "back") == b"hashtable"


@needs("HSET", "HKEYS")
def test_encoding_thresholds_via_config_set(conn):
    assert conn.call("CONFIG", "SET", "hash-max-listpack-entries", 2) == b"OK"
    hset(conn, "h", "a", "1", "b", "2")
    assert encoding(conn, "h") == b"listpack"
    hset(conn, "h", "c", "3")
    assert encoding(conn, "h") == b"hashtable"
    assert conn.call("CONFIG", "SET", "hash-max-listpack-entries", 0) == b"OK"
    hset(conn, "zero", "a", "1")                       # 1 > 0: converts at once
    assert encoding(conn, "zero") == b"hashtable"
    # The old ziplist names are aliases.
    assert conn.call("CONFIG", "SET", "hash-max-ziplist-entries", 128) == b"OK"
    assert conn.call("CONFIG", "GET", "hash-max-listpack-entries") == \
        [b"hash-max-listpack-entries", b"128"]
    hset(conn, "e128", *[x for i in range(128) for x in (f"f{i}", "v")])
    assert encoding(conn, "e128") == b"listpack"
    hset(conn, "e128", "one-more", "v")
    assert encoding(conn, "e128") == b"hashtable"
    assert conn.call("CONFIG", "SET", "hash-max-ziplist-value", 3) == b"OK"
    assert conn.call("CONFIG", "GET", "hash-max-listpack-value") == \
        [b"hash-max-listpack-value", b"3"]
    hset(conn, "v", "abc", "abc")
    assert encoding(conn, "v") == b"listpack"
    hset(conn, "v", "abcd", "1")
    assert encoding(conn, "v") == b"hashtable"
    # Value limit 0: empty strings still fit, anything else does not.
    assert conn.call("CONFIG", "SET", "hash-max-listpack-value", 0) == b"OK"
    hset(conn, "empty", "", "")
    assert encoding(conn, "empty") == b"listpack"
    hset(conn, "empty", "a", "")
    assert encoding(conn, "empty") == b"hashtable"
    # Existing hashes are not converted by a CONFIG SET alone.
    assert conn.call("CONFIG", "SET", "hash-max-listpack-value", 64) == b"OK"
    assert conn.call("CONFIG", "SET", "hash-max-listpack-entries", 512) == b"OK"
    hset(conn, "keep", "a", "1", "b", "2", "c", "3")
    assert conn.call("CONFIG", "SET", "hash-max-listpack-entries", 1) == b"OK"
    assert encoding(conn, "keep") == b"listpack"
    assert conn.call("HKEYS", "keep") == [b"a", b"b", b"c"]


@needs("HSET", "HGETALL")
def test_keyspace_commands_on_hashes(conn):
    hset(conn, "h", "a", "1", "b", "2")
    assert conn.call("COPY", "h", "c") == 1
    assert conn.call("HGETALL", "c") == [b"a", b"1", b"b", b"2"]
    assert encoding(conn, "c") == b"listpack"
    assert conn.call("HSET", "c", "z", "9") == 1          # the copy is independent
    assert conn.call("HGETALL", "h") == [b"a", b"1", b"b", b"2"]
    assert conn.call("RENAME", "c", "d") == b"OK"
    assert conn.call("TYPE", "d") == b"hash"
    assert conn.call("MOVE", "d", 1) == 1
    assert conn.call("SELECT", 1) == b"OK"
    assert conn.call("HGETALL", "d") == [b"a", b"1", b"b", b"2", b"z", b"9"]
    hset(conn, "big", "f", "v" * 100)
    assert conn.call("COPY", "big", "big2") == 1
    assert encoding(conn, "big2") == b"hashtable"
    assert conn.call("HGETALL", "big2") == [b"f", b"v" * 100]
    assert conn.call("SCAN", 0, "TYPE", "hash") == [b"0", [b"d", b"big", b"big2"]] or \
        sorted(conn.call("SCAN", 0, "TYPE", "hash")[1]) == [b"big", b"big2", b"d"]
