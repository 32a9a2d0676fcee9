"""String commands: exact replies and error strings of Redis 7.0.

Uses the raw ``conn`` fixture so that replies (bytes, ints, None) and error
messages are compared byte for byte.  WRONGTYPE checks need a list (RPUSH):
they are separate tests marked ``needs_commands``, skipped until the server
implements lists.
"""

import time

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, err


def make_list(conn, key=b"list"):
    assert conn.call("RPUSH", key, "x") == 1


# ----------------------------------------------------------------- GET/SET

def test_get_set_basic(conn):
    assert conn.call("GET", "k") is None
    assert conn.call("SET", "k", "v") == b"OK"
    assert conn.call("GET", "k") == b"v"
    assert conn.call("SET", "k", "") == b"OK"
    assert conn.call("GET", "k") == b""


def test_set_expiry_options(conn):
    assert conn.call("SET", "ex", "v", "EX", 100) == b"OK"
    assert 99 <= conn.call("TTL", "ex") <= 100
    assert conn.call("SET", "px", "v", "PX", 100000) == b"OK"
    assert 99000 < conn.call("PTTL", "px") <= 100000
    assert conn.call("SET", "exat", "v", "EXAT", 4102444800) == b"OK"
    assert conn.call("EXPIRETIME", "exat") == 4102444800
    assert conn.call("SET", "pxat", "v", "PXAT", 4102444800123) == b"OK"
    assert conn.call("PEXPIRETIME", "pxat") == 4102444800123


def test_set_options_are_case_insensitive(conn):
    assert conn.call("SET", "k", "v", "Ex", 100, "nX") == b"OK"
    assert conn.call("SET", "k", "w", "ex", 100, "Xx") == b"OK"
    assert conn.call("GET", "k") == b"w"


def test_set_exat_in_the_past_deletes(conn):
    assert conn.call("SET", "k", "v") == b"OK"
    assert conn.call("SET", "k", "v", "EXAT", 1) == b"OK"
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("SET", "k", "v", "PXAT", 1) == b"OK"
    assert conn.call("EXISTS", "k") == 0


def test_set_nx_xx(conn):
    assert conn.call("SET", "k", "1", "XX") is None
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("SET", "k", "1", "NX") == b"OK"
    assert conn.call("SET", "k", "2", "NX") is None
    assert conn.call("GET", "k") == b"1"
    assert conn.call("SET", "k", "3", "XX") == b"OK"
    assert conn.call("GET", "k") == b"3"


def test_set_clears_ttl_unless_keepttl(conn):
    conn.call("SET", "k", "v", "EX", 100)
    assert conn.call("SET", "k", "v2", "KEEPTTL") == b"OK"
    assert 0 < conn.call("TTL", "k") <= 100
    assert conn.call("SET", "k", "v3") == b"OK"
    assert conn.call("TTL", "k") == -1


def test_set_get_option(conn):
    assert conn.call("SET", "k", "v1", "GET") is None
    assert conn.call("SET", "k", "v2", "GET") == b"v1"
    assert conn.call("GET", "k") == b"v2"
    assert conn.call("SET", "missing", "v", "XX", "GET") is None
    assert conn.call("EXISTS", "missing") == 0
    # 7.0 allows NX together with GET: returns the old value, sets nothing.
    assert conn.call("SET", "k", "v3", "NX", "GET") == b"v2"
    assert conn.call("GET", "k") == b"v2"


@pytest.mark.needs_commands("RPUSH")
def test_set_get_on_wrong_type_does_not_overwrite(conn):
    make_list(conn)
    assert conn.call("SET", "list", "v", "GET") == WRONGTYPE
    assert conn.call("TYPE", "list") == b"list"
    # Plain SET overwrites any type.
    assert conn.call("SET", "list", "v") == b"OK"
    assert conn.call("TYPE", "list") == b"string"


@pytest.mark.parametrize("args, reply", [
    (["EX", 0], err("ERR invalid expire time in 'set' command")),
    (["EX", -1], err("ERR invalid expire time in 'set' command")),
    (["PX", 0], err("ERR invalid expire time in 'set' command")),
    (["EXAT", 0], err("ERR invalid expire time in 'set' command")),
    (["PXAT", 0], err("ERR invalid expire time in 'set' command")),
    (["EX", 9999999999999999], err("ERR invalid expire time in 'set' command")),
    (["EX", "abc"], NOT_INTEGER),
    (["EX", "1.5"], NOT_INTEGER),
    (["EX"], SYNTAX),
    (["EX", 10, "PX", 10], SYNTAX),
    (["NX", "XX"], SYNTAX),
    (["KEEPTTL", "EX", 10], SYNTAX),
    (["EX", 10, "KEEPTTL"], SYNTAX),
    (["foo"], SYNTAX),
])
def test_set_option_errors(conn, args, reply):
    assert conn.call("SET", "k", "v", *args) == reply
    assert conn.call("EXISTS", "k") == 0


@pytest.mark.needs_commands("RPUSH")
def test_get_wrong_type(conn):
    make_list(conn)
    assert conn.call("GET", "list") == WRONGTYPE


# ------------------------------------------------- SETNX SETEX PSETEX GETSET

def test_setnx(conn):
    assert conn.call("SETNX", "k", "1") == 1
    assert conn.call("SETNX", "k", "2") == 0
    assert conn.call("GET", "k") == b"1"


def test_setex_psetex(conn):
    assert conn.call("SETEX", "k", 100, "v") == b"OK"
    assert conn.call("GET", "k") == b"v"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("PSETEX", "p", 100000, "v") == b"OK"
    assert 99000 < conn.call("PTTL", "p") <= 100000
    assert conn.call("SETEX", "k", 0, "v") == err("ERR invalid expire time in 'setex' command")
    assert conn.call("SETEX", "k", -1, "v") == err("ERR invalid expire time in 'setex' command")
    assert conn.call("PSETEX", "k", 0, "v") == err("ERR invalid expire time in 'psetex' command")
    assert conn.call("SETEX", "k", "abc", "v") == NOT_INTEGER
    assert conn.call("SETEX", "k", 10) == err("ERR wrong number of arguments for 'setex' command")


def test_getset(conn):
    assert conn.call("GETSET", "k", "a") is None
    assert conn.call("GETSET", "k", "b") == b"a"
    assert conn.call("GET", "k") == b"b"
    conn.call("EXPIRE", "k", 100)
    conn.call("GETSET", "k", "c")
    assert conn.call("TTL", "k") == -1


@pytest.mark.needs_commands("RPUSH")
def test_getset_wrong_type(conn):
    make_list(conn)
    assert conn.call("GETSET", "list", "x") == WRONGTYPE


def test_getdel(conn):
    conn.call("SET", "k", "v")
    assert conn.call("GETDEL", "k") == b"v"
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("GETDEL", "k") is None


@pytest.mark.needs_commands("RPUSH")
def test_getdel_wrong_type(conn):
    make_list(conn)
    assert conn.call("GETDEL", "list") == WRONGTYPE
    assert conn.call("EXISTS", "list") == 1


def test_getex(conn):
    conn.call("SET", "k", "v")
    assert conn.call("GETEX", "k") == b"v"
    assert conn.call("TTL", "k") == -1
    assert conn.call("GETEX", "k", "EX", 100) == b"v"
    assert 99 <= conn.call("TTL", "k") <= 100
    assert conn.call("GETEX", "k", "PERSIST") == b"v"
    assert conn.call("TTL", "k") == -1
    assert conn.call("GETEX", "k", "PX", 100000) == b"v"
    assert 99000 < conn.call("PTTL", "k") <= 100000
    assert conn.call("GETEX", "k", "PXAT", 4102444800000) == b"v"
    assert conn.call("PEXPIRETIME", "k") == 4102444800000
    assert conn.call("GETEX", "k", "EXAT", 4102444801) == b"v"
    assert conn.call("EXPIRETIME", "k") == 4102444801
    assert conn.call("GETEX", "k", "EXAT", 1) == b"v"
    assert conn.call("EXISTS", "k") == 0
    assert conn.call("GETEX", "missing", "EX", 10) is None


@pytest.mark.parametrize("args, reply", [
    (["EX", 0], err("ERR invalid expire time in 'getex' command")),
    (["PX", -5], err("ERR invalid expire time in 'getex' command")),
    (["EX", "x"], NOT_INTEGER),
    (["PERSIST", "EX", 10], SYNTAX),
    (["EX", 10, "PX", 10], SYNTAX),
    (["EX"], SYNTAX),
    (["foo"], SYNTAX),
])
def test_getex_errors(conn, args, reply):
    conn.call("SET", "k", "v")
    assert conn.call("GETEX", "k", *args) == reply
    assert conn.call("TTL", "k") == -1


def test_getex_on_missing_key_skips_expire_validation(conn):
    """Option syntax is checked first, but the expire *value* only when the
    key exists: a missing key answers nil even for a bad number."""
    assert conn.call("GETEX", "missing", "EX", "abc") is None
    assert conn.call("GETEX", "missing", "EX", 0) is None
    assert conn.call("GETEX", "missing", "PX", 9223372036854775807) is None
    assert conn.call("GETEX", "missing", "foo") == SYNTAX
    assert conn.call("GETEX", "missing", "PERSIST", "EX", 1) == SYNTAX
    conn.call("SET", "k", "v")
    assert conn.call("GETEX", "k", "EX", "abc") == NOT_INTEGER


@pytest.mark.needs_commands("RPUSH")
def test_getex_wrong_type(conn):
    make_list(conn)
    assert conn.call("GETEX", "list") == WRONGTYPE


# -------------------------------------------------------- MGET MSET MSETNX

def test_mset_mget(conn):
    assert conn.call("MSET", "a", "1", "b", "2") == b"OK"
    assert conn.call("MGET", "a", "b", "missing") == [b"1", b"2", None]
    assert conn.call("MSET", "a") == err("ERR wrong number of arguments for 'mset' command")
    assert conn.call("MSET", "a", "1", "b") == err("ERR wrong number of arguments for 'mset' command")
    assert conn.call("MGET") == err("ERR wrong number of arguments for 'mget' command")


@pytest.mark.needs_commands("RPUSH")
def test_mget_wrong_type_is_nil(conn):
    assert conn.call("MSET", "a", "1", "b", "2") == b"OK"
    make_list(conn)
    assert conn.call("MGET", "a", "b", "missing", "list") == [b"1", b"2", None, None]


def test_mset_later_value_wins_and_clears_ttl(conn):
    conn.call("SET", "a", "old", "EX", 100)
    assert conn.call("MSET", "a", "1", "a", "2") == b"OK"
    assert conn.call("GET", "a") == b"2"
    assert conn.call("TTL", "a") == -1


def test_msetnx(conn):
    assert conn.call("MSETNX", "a", "1", "b", "2") == 1
    assert conn.call("MSETNX", "b", "x", "c", "3") == 0
    assert conn.call("MGET", "a", "b", "c") == [b"1", b"2", None]
    assert conn.call("MSETNX", "a") == err("ERR wrong number of arguments for 'msetnx' command")


# ---------------------------------------------------------- APPEND STRLEN

def test_append_strlen(conn):
    assert conn.call("STRLEN", "k") == 0
    assert conn.call("APPEND", "k", "hello") == 5
    assert conn.call("APPEND", "k", " world") == 11
    assert conn.call("GET", "k") == b"hello world"
    assert conn.call("STRLEN", "k") == 11
    assert conn.call("APPEND", "k", "") == 11
    conn.call("SET", "n", 12)
    assert conn.call("APPEND", "n", 3) == 3
    assert conn.call("GET", "n") == b"123"


@pytest.mark.needs_commands("RPUSH")
def test_append_strlen_wrong_type(conn):
    make_list(conn)
    assert conn.call("APPEND", "list", "x") == WRONGTYPE
    assert conn.call("STRLEN", "list") == WRONGTYPE


def test_strlen_of_integer_encoded_value(conn):
    conn.call("SET", "n", -12345)
    assert conn.call("STRLEN", "n") == 6


# ------------------------------------------------------------ INCR family

def test_incr_decr(conn):
    assert conn.call("INCR", "n") == 1
    assert conn.call("INCRBY", "n", 10) == 11
    assert conn.call("DECR", "n") == 10
    assert conn.call("DECRBY", "n", 20) == -10
    assert conn.call("INCRBY", "n", -5) == -15
    assert conn.call("GET", "n") == b"-15"
    assert conn.call("DECR", "fresh") == -1
    assert conn.call("DECRBY", "fresh2", 5) == -5


def test_incr_keeps_ttl(conn):
    conn.call("SET", "n", 1, "EX", 100)
    conn.call("INCR", "n")
    assert 0 < conn.call("TTL", "n") <= 100


def test_incr_overflow(conn):
    conn.call("SET", "n", 9223372036854775807)
    assert conn.call("INCR", "n") == err("ERR increment or decrement would overflow")
    assert conn.call("INCRBY", "n", 1) == err("ERR increment or decrement would overflow")
    conn.call("SET", "n", -9223372036854775808)
    assert conn.call("DECR", "n") == err("ERR increment or decrement would overflow")
    assert conn.call("GET", "n") == b"-9223372036854775808"
    conn.call("SET", "n", 0)
    # DECRBY of LLONG_MIN cannot be negated: its own message.
    assert conn.call("DECRBY", "n", -9223372036854775808) == err("ERR decrement would overflow")
    assert conn.call("INCRBY", "n", 9223372036854775808) == NOT_INTEGER


@pytest.mark.parametrize("stored", [
    "abc", " 1", "1 ", "1.5", "01", "+1", "-0", "", "12345678901234567890", "0x10"])
def test_incr_rejects_non_canonical_integers(conn, stored):
    conn.call("SET", "n", stored)
    assert conn.call("INCR", "n") == NOT_INTEGER
    assert conn.call("GET", "n") == stored.encode()


def test_incr_argument_errors(conn):
    assert conn.call("INCRBY", "n", "abc") == NOT_INTEGER
    assert conn.call("INCRBY", "n", "1.0") == NOT_INTEGER
    assert conn.call("DECRBY", "n", "") == NOT_INTEGER


@pytest.mark.needs_commands("RPUSH")
def test_incr_wrong_type(conn):
    make_list(conn)
    assert conn.call("INCR", "list") == WRONGTYPE
    assert conn.call("DECRBY", "list", 1) == WRONGTYPE


@pytest.mark.parametrize("start, increment, expected", [
    ("1", "0.1", b"1.1"),
    ("3.0", "0", b"3"),
    ("10.50", "0.5", b"11"),
    ("1e5", "1", b"100001"),
    ("5.0e3", "2.0e2", b"5200"),
    ("0.1", "0.2", b"0.3"),
    ("1.5", "1.5e3", b"1501.5"),
    ("0", "-0", b"0"),
    ("1", "0.000001", b"1.000001"),
    ("3", "1e-18", b"3"),
    ("0x10", "1", b"17"),
    ("1", "-1.5", b"-0.5"),
    # Redis computes in long double and prints with %.17Lf, trailing zeros cut.
    ("1", "1001", b"1002"),
    ("1.1", "1e3", b"1001.09999999999999998"),
    ("0", "123456789.123456789", b"123456789.12345678899873747"),
    ("100", "1e17", b"100000000000000100"),
])
def test_incrbyfloat_formatting(conn, start, increment, expected):
    conn.call("SET", "f", start)
    assert conn.call("INCRBYFLOAT", "f", increment) == expected
    assert conn.call("GET", "f") == expected


def test_incrbyfloat_on_missing_key(conn):
    assert conn.call("INCRBYFLOAT", "f", "3") == b"3"
    assert conn.call("INCRBYFLOAT", "g", "-1.5") == b"-1.5"
    assert conn.call("INCRBYFLOAT", "h", ".5") == b"0.5"


def test_incrbyfloat_errors(conn):
    conn.call("SET", "f", "1")
    assert conn.call("INCRBYFLOAT", "f", "abc") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", "nan") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", " 1") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", "1 ") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", "") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", "1e") == err("ERR value is not a valid float")
    assert conn.call("INCRBYFLOAT", "f", "inf") == err("ERR increment would produce NaN or Infinity")
    assert conn.call("INCRBYFLOAT", "f", "-inf") == err("ERR increment would produce NaN or Infinity")
    conn.call("SET", "s", "hello")
    assert conn.call("INCRBYFLOAT", "s", "1") == err("ERR value is not a valid float")
    conn.call("SET", "s", " 1.5")
    assert conn.call("INCRBYFLOAT", "s", "1") == err("ERR value is not a valid float")
    assert conn.call("GET", "f") == b"1"


@pytest.mark.needs_commands("RPUSH")
def test_incrbyfloat_wrong_type(conn):
    make_list(conn)
    assert conn.call("INCRBYFLOAT", "list", "1") == WRONGTYPE


def test_incr_result_is_integer_encoded(conn):
    conn.call("SET", "n", 10)
    conn.call("INCR", "n")
    assert conn.call("OBJECT", "ENCODING", "n") == b"int"


# -------------------------------------------------- GETRANGE SETRANGE SUBSTR

@pytest.mark.parametrize("start, end, expected", [
    (0, 4, b"hello"),
    (-5, -1, b"world"),
    (5, 1, b""),
    (-100, 100, b"hello world"),
    (100, 200, b""),
    (0, -1, b"hello world"),
    (6, 6, b"w"),
    # Redis 7.0 quirk: a negative end before the start clamps to index 0.
    (0, -100, b"h"),
])
def test_getrange(conn, start, end, expected):
    conn.call("SET", "s", "hello world")
    assert conn.call("GETRANGE", "s", start, end) == expected


def test_getrange_misc(conn):
    assert conn.call("GETRANGE", "missing", 0, -1) == b""
    conn.call("SET", "n", 12345)
    assert conn.call("GETRANGE", "n", 1, 2) == b"23"
    assert conn.call("GETRANGE", "n", "x", 1) == NOT_INTEGER
    assert conn.call("SUBSTR", "n", 0, 2) == b"123"


@pytest.mark.needs_commands("RPUSH")
def test_getrange_wrong_type(conn):
    make_list(conn)
    assert conn.call("GETRANGE", "list", 0, 1) == WRONGTYPE


def test_setrange(conn):
    conn.call("SET", "s", "hello world")
    assert conn.call("SETRANGE", "s", 6, "W") == 11
    assert conn.call("GET", "s") == b"hello World"
    assert conn.call("SETRANGE", "s", 14, "X") == 15
    assert conn.call("GET", "s") == b"hello World\x00\x00\x00X"
    assert conn.call("SETRANGE", "new", 2, "ab") == 4
    assert conn.call("GET", "new") == b"\x00\x00ab"


def test_setrange_edge_cases(conn):
    # An empty value on a missing key creates nothing.
    assert conn.call("SETRANGE", "missing", 0, "") == 0
    assert conn.call("SETRANGE", "missing", 3, "") == 0
    assert conn.call("EXISTS", "missing") == 0
    assert conn.call("SETRANGE", "k", -1, "x") == err("ERR offset is out of range")
    assert conn.call("SETRANGE", "k", 536870912, "x") == err(
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert conn.call("SETRANGE", "k", "abc", "x") == NOT_INTEGER
    conn.call("SET", "n", 123)
    assert conn.call("SETRANGE", "n", 1, "9") == 3
    assert conn.call("GET", "n") == b"193"


@pytest.mark.needs_commands("RPUSH")
def test_setrange_wrong_type(conn):
    make_list(conn)
    assert conn.call("SETRANGE", "list", 0, "x") == WRONGTYPE


# ---------------------------------------------------------------------- LCS

def test_lcs_documentation_example(conn):
    conn.call("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert conn.call("LCS", "key1", "key2") == b"mytext"
    assert conn.call("LCS", "key1", "key2", "LEN") == 6
    assert conn.call("LCS", "key1", "key2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4) == [
        b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert conn.call("LCS", "key1", "key2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]


def test_lcs_raw_reply_shape(conn):
    conn.call("MSET", "a", "ohmytext", "b", "mynewtext")
    assert conn.call_raw("LCS", "a", "b", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == (
        b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
        b"$3\r\nlen\r\n:6\r\n")


def test_lcs_tie_breaking(conn):
    """Several LCSs of equal length exist; Redis's backtracking picks one."""
    conn.call("MSET", "a", "ABCBDAB", "b", "BDCABA")
    assert conn.call("LCS", "a", "b") == b"BDAB"
    assert conn.call("LCS", "a", "b", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[5, 6], [3, 4], 2], [[3, 4], [0, 1], 2]], b"len", 4]
    conn.call("MSET", "c", "aaaa", "d", "aa")
    assert conn.call("LCS", "c", "d", "IDX") == [b"matches", [[[2, 3], [0, 1]]], b"len", 2]


def test_lcs_missing_keys_and_errors(conn):
    conn.call("SET", "a", "hello")
    assert conn.call("LCS", "a", "missing") == b""
    assert conn.call("LCS", "x", "y", "IDX") == [b"matches", [], b"len", 0]
    assert conn.call("LCS", "x", "y", "LEN") == 0
    assert conn.call("LCS", "a", "a", "LEN", "IDX") == err(
        "ERR If you want both the length and indexes, please just use IDX.")
    assert conn.call("LCS", "a", "a", "foo") == SYNTAX
    assert conn.call("LCS", "a", "a", "MINMATCHLEN") == SYNTAX
    assert conn.call("LCS", "a", "a", "MINMATCHLEN", "x") == NOT_INTEGER
    # Negative MINMATCHLEN is accepted (treated as 0).
    assert conn.call("LCS", "a", "a", "MINMATCHLEN", -1) == b"hello"
    assert conn.call("LCS", "a") == err("ERR wrong number of arguments for 'lcs' command")


@pytest.mark.needs_commands("RPUSH")
def test_lcs_wrong_type(conn):
    conn.call("SET", "a", "hello")
    make_list(conn)
    assert conn.call("LCS", "a", "list") == err("ERR The specified keys must contain string values")


def test_lcs_integer_encoded_values(conn):
    conn.call("MSET", "a", 12345, "b", 2945)
    assert conn.call("LCS", "a", "b") == b"245"


# ---------------------------------------------------------- OBJECT ENCODING

@pytest.mark.parametrize("value, encoding", [
    ("123", b"int"),
    ("-9223372036854775808", b"int"),
    ("9223372036854775807", b"int"),
    ("12345678901234567890", b"embstr"),
    ("0", b"int"),
    ("007", b"embstr"),
    ("-0", b"embstr"),
    (" 1", b"embstr"),
    ("0.5", b"embstr"),
    ("hello", b"embstr"),
    ("x" * 44, b"embstr"),
    ("x" * 45, b"raw"),
])
def test_object_encoding_after_set(conn, value, encoding):
    conn.call("SET", "k", value)
    assert conn.call("OBJECT", "ENCODING", "k") == encoding


def test_object_encoding_after_modification(conn):
    conn.call("SET", "s", "5")
    conn.call("APPEND", "s", "1")
    assert conn.call("GET", "s") == b"51"
    assert conn.call("OBJECT", "ENCODING", "s") == b"raw"
    conn.call("APPEND", "fresh", "1")
    assert conn.call("OBJECT", "ENCODING", "fresh") == b"int"
    conn.call("SET", "r", "10")
    conn.call("SETRANGE", "r", 0, "9")
    assert conn.call("OBJECT", "ENCODING", "r") == b"raw"
    conn.call("INCRBYFLOAT", "f", "1.5")
    assert conn.call("OBJECT", "ENCODING", "f") == b"embstr"
    assert conn.call("OBJECT", "ENCODING", "missing") is None


def test_string_values_expire_lazily_on_get(conn):
    conn.call("SET", "k", "v", "PX", 50)
    time.sleep(0.1)
    assert conn.call("GET", "k") is None
