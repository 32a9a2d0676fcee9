"""Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.

Exact replies and error strings of Redis 7.0.15 (the expectations were taken
from it), plus seeded random comparisons against a real redis-server (the
``reference`` fixture) for the range arithmetic of BITCOUNT/BITPOS and the
overflow rules of BITFIELD, where hand-written cases cannot cover enough.
"""

import random

import pytest

from raw_resp import NOT_INTEGER, SYNTAX, WRONGTYPE, RawConnection, err

OFFSET_ERROR = err("ERR bit offset is not an integer or out of range")
BIT_ERROR = err("ERR bit is not an integer or out of range")
TYPE_ERROR = err("ERR Invalid bitfield type. Use something like i16 u8. "
                 "Note that u64 is not supported but i64 is.")


def make_list(conn, key=b"list"):
    assert conn.call("RPUSH", key, "x") == 1


# ------------------------------------------------------------ SETBIT/GETBIT

def test_setbit_grows_with_zero_bytes_and_returns_old_bit(conn):
    assert conn.call("SETBIT", "b", 7, 1) == 0
    assert conn.call("GET", "b") == b"\x01"
    assert conn.call("SETBIT", "b", 7, 1) == 1
    assert conn.call("SETBIT", "b", 100, 1) == 0
    assert conn.call("GET", "b") == b"\x01" + b"\x00" * 11 + b"\x08"
    assert conn.call("SETBIT", "b", 7, 0) == 1
    assert conn.call("GETBIT", "b", 7) == 0
    assert conn.call("GETBIT", "b", 100) == 1
    assert conn.call("GETBIT", "b", 10**6) == 0
    assert conn.call("GETBIT", "missing", 3) == 0
    assert conn.call("OBJECT", "ENCODING", "b") == b"raw"


def test_setbit_on_a_short_new_key_is_a_raw_string(conn):
    assert conn.call("SETBIT", "b", 0, 0) == 0
    assert conn.call("GET", "b") == b"\x00"
    assert conn.call("OBJECT", "ENCODING", "b") == b"raw"


def test_bits_of_an_integer_value_are_its_decimal_text(conn):
    assert conn.call("SET", "n", 12345) == b"OK"
    assert conn.call("OBJECT", "ENCODING", "n") == b"int"
    # '1' is 0x31 = 00110001
    assert [conn.call("GETBIT", "n", i) for i in range(8)] == [0, 0, 1, 1, 0, 0, 0, 1]
    assert conn.call("BITCOUNT", "n") == 17
    assert conn.call("SETBIT", "n", 0, 1) == 0
    assert conn.call("GET", "n") == b"\xb12345"
    assert conn.call("OBJECT", "ENCODING", "n") == b"raw"


def test_setbit_keeps_the_ttl(conn):
    assert conn.call("SET", "b", "x", "EX", 1000) == b"OK"
    assert conn.call("SETBIT", "b", 20, 1) == 0
    assert conn.call("TTL", "b") > 0


@pytest.mark.parametrize("offset", [-1, "x", "", "1.5", " 1", 4294967296, "99999999999999999999"])
def test_bad_bit_offsets(conn, offset):
    assert conn.call("SETBIT", "b", offset, 1) == OFFSET_ERROR
    assert conn.call("GETBIT", "b", offset) == OFFSET_ERROR
    assert conn.call("EXISTS", "b") == 0


@pytest.mark.parametrize("value", [2, -1, "x", "", "1.0", "01"])
def test_bad_bit_values(conn, value):
    assert conn.call("SETBIT", "b", 1, value) == BIT_ERROR
    assert conn.call("EXISTS", "b") == 0


def test_offset_error_comes_before_the_value_error(conn):
    assert conn.call("SETBIT", "b", -1, 5) == OFFSET_ERROR


def test_offset_limit_follows_proto_max_bulk_len(conn):
    assert conn.call("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"OK"
    last = 8 * 1024 * 1024 - 1
    assert conn.call("SETBIT", "b", last + 1, 1) == OFFSET_ERROR
    assert conn.call("GETBIT", "b", last + 1) == OFFSET_ERROR
    assert conn.call("SETBIT", "b", last, 1) == 0
    assert conn.call("STRLEN", "b") == 1024 * 1024
    assert conn.call("BITCOUNT", "b") == 1
    assert conn.call("BITPOS", "b", 1) == last


@pytest.mark.needs_commands("RPUSH")
def test_bitmap_commands_on_a_list_are_wrongtype(conn):
    make_list(conn)
    assert conn.call("SETBIT", "list", 1, 1) == WRONGTYPE
    assert conn.call("GETBIT", "list", 1) == WRONGTYPE
    assert conn.call("BITCOUNT", "list") == WRONGTYPE
    assert conn.call("BITPOS", "list", 1) == WRONGTYPE
    assert conn.call("BITOP", "AND", "d", "list") == WRONGTYPE
    assert conn.call("BITOP", "OR", "d", "missing", "list") == WRONGTYPE
    assert conn.call("BITFIELD", "list", "GET", "u8", 0) == WRONGTYPE
    assert conn.call("BITFIELD", "list", "SET", "u8", 0, 1) == WRONGTYPE
    assert conn.call("BITFIELD_RO", "list", "GET", "u8", 0) == WRONGTYPE
    assert conn.call("BITFIELD", "list") == WRONGTYPE
    assert conn.call("EXISTS", "d") == 0


@pytest.mark.needs_commands("RPUSH")
def test_bitop_overwrites_a_destination_of_another_type(conn):
    make_list(conn, "dest")
    assert conn.call("SET", "a", "x") == b"OK"
    assert conn.call("BITOP", "OR", "dest", "a") == 1
    assert conn.call("GET", "dest") == b"x"


# ---------------------------------------------------------------- BITCOUNT

def test_bitcount(conn):
    assert conn.call("SET", "s", "foobar") == b"OK"
    assert conn.call("BITCOUNT", "s") == 26
    assert conn.call("BITCOUNT", "s", 0, 0) == 4
    assert conn.call("BITCOUNT", "s", 1, 1) == 6
    assert conn.call("BITCOUNT", "s", 1, 1, "BYTE") == 6
    assert conn.call("BITCOUNT", "s", 5, 30, "BIT") == 17
    assert conn.call("BITCOUNT", "s", 0, -1, "bit") == 26
    assert conn.call("BITCOUNT", "s", -2, -1) == 7
    assert conn.call("BITCOUNT", "s", -1, -2) == 0
    assert conn.call("BITCOUNT", "s", 5, 1) == 0
    assert conn.call("BITCOUNT", "s", -100, 100) == 26
    assert conn.call("BITCOUNT", "s", "-9223372036854775808", -1, "BIT") == 26
    assert conn.call("BITCOUNT", "missing") == 0
    assert conn.call("SET", "e", "") == b"OK"
    assert conn.call("BITCOUNT", "e") == 0
    assert conn.call("BITCOUNT", "e", 0, -1, "BIT") == 0


def test_bitcount_argument_errors(conn):
    assert conn.call("SET", "s", "foobar") == b"OK"
    assert conn.call("BITCOUNT", "s", 1) == SYNTAX
    assert conn.call("BITCOUNT", "s", 0, -1, "bits") == SYNTAX
    assert conn.call("BITCOUNT", "s", 0, -1, "BIT", "x") == SYNTAX
    assert conn.call("BITCOUNT", "s", "x", 0) == NOT_INTEGER
    assert conn.call("BITCOUNT", "s", 0, "1.5") == NOT_INTEGER
    assert conn.call("BITCOUNT") == err("ERR wrong number of arguments for 'bitcount' command")


def test_bitcount_looks_the_key_up_before_the_arguments(conn):
    """Redis 7.0 answers a missing key with 0 whatever the arguments are (7.2
    changed this), and checks reversed negative ranges before the unit."""
    assert conn.call("BITCOUNT", "missing", "x", "y") == 0
    assert conn.call("BITCOUNT", "missing", 1) == 0
    assert conn.call("SET", "s", "foobar") == b"OK"
    assert conn.call("BITCOUNT", "s", -1, -5, "nonsense") == 0


# ------------------------------------------------------------------ BITPOS

def test_bitpos_documented_examples(conn):
    assert conn.call("SET", "k", b"\xff\xf0\x00") == b"OK"
    assert conn.call("BITPOS", "k", 0) == 12
    assert conn.call("SET", "k", b"\x00\xff\xf0") == b"OK"
    assert conn.call("BITPOS", "k", 1, 0) == 8
    assert conn.call("BITPOS", "k", 1, 2) == 16
    assert conn.call("BITPOS", "k", 1, 2, -1, "BYTE") == 16
    assert conn.call("BITPOS", "k", 1, 7, 15, "BIT") == 8
    assert conn.call("SET", "k", b"\x00\x00\x00") == b"OK"
    assert conn.call("BITPOS", "k", 1) == -1
    assert conn.call("BITPOS", "k", 1, 7, -3, "BIT") == -1


def test_bitpos_zero_padding_only_without_an_explicit_end(conn):
    assert conn.call("SET", "k", b"\xff\xff\xff") == b"OK"
    assert conn.call("BITPOS", "k", 0) == 24
    assert conn.call("BITPOS", "k", 0, 0) == 24
    assert conn.call("BITPOS", "k", 0, 0, -1) == -1
    assert conn.call("BITPOS", "k", 0, 0, -1, "BIT") == -1
    assert conn.call("BITPOS", "missing", 0) == 0
    assert conn.call("BITPOS", "missing", 1) == -1
    assert conn.call("SET", "e", "") == b"OK"
    assert conn.call("BITPOS", "e", 0) == -1
    assert conn.call("BITPOS", "e", 1) == -1


def test_bitpos_bit_range_inside_one_byte(conn):
    """A BIT range that ends before the next byte boundary must not scan from the
    start of its byte (a bug the random comparison found)."""
    assert conn.call("SET", "k", b"\xff\xfd") == b"OK"
    assert conn.call("BITPOS", "k", 1, -2, -2, "BIT") == -1
    assert conn.call("BITPOS", "k", 0, -2, -2, "BIT") == 14
    assert conn.call("BITPOS", "k", 1, 9, 10, "BIT") == 9
    assert conn.call("BITPOS", "k", 0, 1, 6, "BIT") == -1


def test_bitpos_skips_long_runs(conn):
    assert conn.call("SETRANGE", "k", 10000, b"\x00") == 10001
    assert conn.call("SETBIT", "k", 70001, 1) == 0
    assert conn.call("BITPOS", "k", 1) == 70001
    assert conn.call("BITPOS", "k", 1, 3, -1) == 70001
    assert conn.call("BITPOS", "k", 1, 24, 70001, "BIT") == 70001
    assert conn.call("BITPOS", "k", 1, 24, 70000, "BIT") == -1
    assert conn.call("BITOP", "NOT", "inv", "k") == 10001
    assert conn.call("BITPOS", "inv", 0) == 70001
    assert conn.call("BITPOS", "inv", 0, 9, -1) == 70001


def test_bitpos_argument_errors(conn):
    assert conn.call("SET", "s", "foobar") == b"OK"
    assert conn.call("BITPOS", "s", 2) == err("ERR The bit argument must be 1 or 0.")
    assert conn.call("BITPOS", "missing", -1) == err("ERR The bit argument must be 1 or 0.")
    assert conn.call("BITPOS", "s", "x") == NOT_INTEGER
    assert conn.call("BITPOS", "s", 1, "x") == NOT_INTEGER
    assert conn.call("BITPOS", "s", 1, 0, "x") == NOT_INTEGER
    assert conn.call("BITPOS", "s", 1, 0, "x", "foo") == SYNTAX
    assert conn.call("BITPOS", "s", 1, 0, 1, "bits") == SYNTAX
    assert conn.call("BITPOS", "s", 1, 0, 1, "BIT", "x") == SYNTAX
    # Redis 7.0: a missing key answers before the range is parsed.
    assert conn.call("BITPOS", "missing", 1, "x") == -1
    assert conn.call("BITPOS", "missing", 0, 0, -1, "foo") == 0


# ------------------------------------------------------------------- BITOP

def test_bitop_and_or_xor_not(conn):
    assert conn.call("SET", "a", b"\xff\x0f\xaa") == b"OK"
    assert conn.call("SET", "b", b"\x0f\xff") == b"OK"
    assert conn.call("BITOP", "AND", "d", "a", "b") == 3
    assert conn.call("GET", "d") == b"\x0f\x0f\x00"
    assert conn.call("BITOP", "or", "d", "a", "b") == 3
    assert conn.call("GET", "d") == b"\xff\xff\xaa"
    assert conn.call("BITOP", "Xor", "d", "a", "b", "missing") == 3
    assert conn.call("GET", "d") == b"\xf0\xf0\xaa"
    assert conn.call("BITOP", "NOT", "d", "b") == 2
    assert conn.call("GET", "d") == b"\xf0\x00"
    assert conn.call("OBJECT", "ENCODING", "d") == b"raw"


def test_bitop_word_paths_match_byte_paths(conn):
    rng = random.Random(7)
    a = bytes(rng.randrange(256) for _ in range(1000))
    b = bytes(rng.randrange(256) for _ in range(777))
    c = bytes(rng.randrange(256) for _ in range(1003))
    for k, v in (("a", a), ("b", b), ("c", c)):
        assert conn.call("SET", k, v) == b"OK"
    pad = lambda x: x + b"\x00" * (1003 - len(x))  # noqa: E731
    pa, pb, pc = pad(a), pad(b), pad(c)
    assert conn.call("BITOP", "AND", "d", "a", "b", "c") == 1003
    assert conn.call("GET", "d") == bytes(x & y & z for x, y, z in zip(pa, pb, pc))
    assert conn.call("BITOP", "OR", "d", "a", "b", "c") == 1003
    assert conn.call("GET", "d") == bytes(x | y | z for x, y, z in zip(pa, pb, pc))
    assert conn.call("BITOP", "XOR", "d", "a", "b", "c") == 1003
    assert conn.call("GET", "d") == bytes(x ^ y ^ z for x, y, z in zip(pa, pb, pc))
    assert conn.call("BITOP", "NOT", "d", "c") == 1003
    assert conn.call("GET", "d") == bytes(255 - x for x in c)


def test_bitop_reads_integers_as_text_and_may_use_the_destination_as_source(conn):
    assert conn.call("SET", "n", 7) == b"OK"
    assert conn.call("BITOP", "NOT", "n", "n") == 1
    assert conn.call("GET", "n") == bytes([255 - ord("7")])


def test_bitop_with_only_empty_sources_deletes_the_destination(conn):
    assert conn.call("SET", "d", "old", "EX", 1000) == b"OK"
    assert conn.call("SET", "e", "") == b"OK"
    assert conn.call("BITOP", "OR", "d", "missing", "e") == 0
    assert conn.call("EXISTS", "d") == 0
    assert conn.call("BITOP", "AND", "d", "missing") == 0
    assert conn.call("EXISTS", "d") == 0


def test_bitop_result_clears_the_destination_ttl(conn):
    assert conn.call("SET", "d", "old", "EX", 1000) == b"OK"
    assert conn.call("SET", "a", "x") == b"OK"
    assert conn.call("BITOP", "OR", "d", "a") == 1
    assert conn.call("TTL", "d") == -1


def test_bitop_errors(conn):
    assert conn.call("BITOP", "NAND", "d", "a") == SYNTAX
    assert conn.call("BITOP", "NOT", "d", "a", "b") == err(
        "ERR BITOP NOT must be called with a single source key.")
    assert conn.call("BITOP", "AND", "d") == err("ERR wrong number of arguments for 'bitop' command")


# ---------------------------------------------------------------- BITFIELD

def test_bitfield_documented_examples(conn):
    assert conn.call("BITFIELD", "k", "INCRBY", "i5", 100, 1, "GET", "u4", 0) == [1, 0]
    assert conn.call("BITFIELD", "k2", "SET", "i8", 0, 100, "SET", "i8", 8, 200) == [0, 0]
    assert conn.call("GET", "k2") == b"\x64\xc8"
    assert conn.call("BITFIELD", "k2", "GET", "u8", 0, "GET", "i8", 8) == [100, -56]
    assert conn.call("BITFIELD", "c", "INCRBY", "u2", 100, 1, "OVERFLOW", "SAT",
                     "INCRBY", "u2", 102, 1) == [1, 1]
    for _ in range(3):
        conn.call("BITFIELD", "c", "INCRBY", "u2", 100, 1, "OVERFLOW", "SAT", "INCRBY", "u2", 102, 1)
    assert conn.call("BITFIELD", "c", "INCRBY", "u2", 100, 1, "OVERFLOW", "SAT",
                     "INCRBY", "u2", 102, 1) == [1, 3]
    assert conn.call("BITFIELD", "c", "OVERFLOW", "FAIL", "INCRBY", "u2", 102, 1) == [None]


def test_bitfield_hash_offsets_count_fields(conn):
    assert conn.call("BITFIELD", "k", "SET", "u8", "#1", 255, "GET", "u8", 8,
                     "GET", "u4", "#3") == [0, 255, 15]
    assert conn.call("GET", "k") == b"\x00\xff"
    assert conn.call("BITFIELD", "k", "GET", "u8", "#") == OFFSET_ERROR
    assert conn.call("BITFIELD", "k", "GET", "u8", "#-1") == OFFSET_ERROR
    assert conn.call("BITFIELD", "k", "GET", "i64", "#9223372036854775807") == OFFSET_ERROR
    assert conn.call("SETBIT", "k", "#1", 1) == OFFSET_ERROR


def test_bitfield_overflow_modes(conn):
    assert conn.call("BITFIELD", "k", "SET", "i8", 0, 127, "INCRBY", "i8", 0, 1) == [0, -128]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", 0, -1000) == [-128]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", 0, 1000) == [127]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i8", 0, 1) == [None]
    assert conn.call("BITFIELD", "k", "GET", "i8", 0) == [127]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u4", 8, -1,
                     "OVERFLOW", "WRAP", "SET", "u4", 12, 20, "GET", "u8", 8) == [0, 0, 0xf4]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "i4", 8, 8, "GET", "i4", 8) == [None, -1]


def test_bitfield_64_bit_fields(conn):
    assert conn.call("BITFIELD", "k", "SET", "i64", 3, "9223372036854775807",
                     "INCRBY", "i64", 3, 1, "GET", "i64", 3) == [
        0, -9223372036854775808, -9223372036854775808]
    assert conn.call("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", 3, -1,
                     "INCRBY", "i64", 3, "-9223372036854775808",
                     "INCRBY", "i64", 3, "9223372036854775807") == [
        -9223372036854775808, -9223372036854775808, -1]
    # Bits 3..66 are now all ones.
    assert conn.call("BITFIELD", "k", "SET", "u63", 0, -1, "GET", "u63", 0) == [
        (1 << 60) - 1, (1 << 63) - 1]


def test_bitfield_reads_missing_keys_and_past_the_end_as_zero(conn):
    assert conn.call("BITFIELD", "missing", "GET", "i64", 1000, "GET", "u1", 0) == [0, 0]
    assert conn.call("EXISTS", "missing") == 0
    assert conn.call("SET", "k", b"\xff") == b"OK"
    assert conn.call("BITFIELD", "k", "GET", "u16", 0, "GET", "i12", 4) == [0xff00, -256]
    assert conn.call("BITFIELD", "k") == []
    assert conn.call("BITFIELD_RO", "k") == []
    assert conn.call("BITFIELD", "missing") == []


def test_bitfield_write_creates_and_grows_the_string(conn):
    assert conn.call("BITFIELD", "k", "SET", "u1", 0, 0) == [0]
    assert conn.call("GET", "k") == b"\x00"
    assert conn.call("BITFIELD", "k", "GET", "u8", 100, "SET", "u8", 17, 0) == [0, 0]
    assert conn.call("GET", "k") == b"\x00" * 4


def test_bitfield_argument_errors(conn):
    assert conn.call("BITFIELD", "k", "GET", "u64", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "i65", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "i0", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "I8", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "u", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "u08", 0) == TYPE_ERROR
    assert conn.call("BITFIELD", "k", "GET", "u8", -1) == OFFSET_ERROR
    assert conn.call("BITFIELD", "k", "SET", "u8", 0, "x") == NOT_INTEGER
    assert conn.call("BITFIELD", "k", "INCRBY", "u8", 0) == SYNTAX
    assert conn.call("BITFIELD", "k", "GET", "u8") == SYNTAX
    assert conn.call("BITFIELD", "k", "FOO", "u8", 0) == SYNTAX
    assert conn.call("BITFIELD", "k", "OVERFLOW") == SYNTAX
    assert conn.call("BITFIELD", "k", "OVERFLOW", "MAX", "GET", "u8", 0) == err(
        "ERR Invalid OVERFLOW type specified")
    # Everything is parsed first: an error after a write leaves the key alone.
    assert conn.call("BITFIELD", "k", "SET", "u8", 0, 1, "GET", "x", 0) == TYPE_ERROR
    assert conn.call("EXISTS", "k") == 0


def test_bitfield_ro(conn):
    assert conn.call("SET", "k", b"\x12\x34") == b"OK"
    assert conn.call("BITFIELD_RO", "k", "GET", "u8", 0, "GET", "u4", "#3") == [0x12, 4]
    assert conn.call("BITFIELD_RO", "k", "SET", "u8", 0, 1) == err(
        "ERR BITFIELD_RO only supports the GET subcommand")
    assert conn.call("BITFIELD_RO", "k", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 1) == err(
        "ERR BITFIELD_RO only supports the GET subcommand")
    # Parse errors come first.
    assert conn.call("BITFIELD_RO", "k", "SET", "u8", 0, 1, "GET", "q8", 0) == TYPE_ERROR
    assert conn.call("GET", "k") == b"\x12\x34"


def test_bit_writes_are_seen_by_other_clients(raw):
    writer, reader = raw(), raw()
    assert writer.call("SETBIT", "shared", 9, 1) == 0
    assert reader.call("GETBIT", "shared", 9) == 1
    assert reader.call("BITFIELD", "shared", "INCRBY", "u8", 8, 3) == [67]
    assert writer.call("BITCOUNT", "shared") == 3


# ------------------------------------------------- against real Redis 7.0

@pytest.fixture
def both(server, reference):
    """Connections to the server under test and to real Redis."""
    test, ref = RawConnection(server.port, timeout=30), RawConnection(reference.port, timeout=30)
    yield test, ref
    test.close()
    ref.close()


def _agree(test, ref, *argv):
    got, want = test.call_raw(*argv), ref.call_raw(*argv)
    assert got == want, f"{argv}: redwing {got!r}, redis {want!r}"
    return want


def test_random_bitcount_and_bitpos_match_redis(both):
    test, ref = both
    rng = random.Random(2024)
    patterns = [b"", b"\x00", b"\xff", b"\x00" * 40, b"\xff" * 40, b"\x00" * 17 + b"\x10",
                b"\xff" * 23 + b"\xef" + b"\xff" * 9]
    for round_ in range(60):
        value = rng.choice(patterns) if round_ % 3 == 0 else \
            bytes(rng.choice([0, 0xff, rng.randrange(256)]) for _ in range(rng.randint(0, 50)))
        for conn in (test, ref):
            conn.call("SET", "k", value)
        n = len(value)
        for _ in range(40):
            bound = lambda: rng.choice([rng.randint(-3 * n - 9, 3 * n + 9),  # noqa: E731
                                        rng.randint(-9, 9), 0, -1])
            unit = rng.choice([[], ["BIT"], ["BYTE"], ["bit"]])
            _agree(test, ref, "BITCOUNT", "k", bound(), bound(), *unit)
            bit = rng.choice([0, 1])
            shape = rng.randrange(4)
            args = [[], [bound()], [bound(), bound()], [bound(), bound(), *(unit or ["BIT"])]][shape]
            _agree(test, ref, "BITPOS", "k", bit, *args)
        _agree(test, ref, "BITCOUNT", "k")


def test_random_bitfield_matches_redis(both):
    test, ref = both
    rng = random.Random(99)
    for _ in range(400):
        argv = ["BITFIELD", "bf"]
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.3:
                argv += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            signed = rng.random() < 0.5
            bits = rng.randint(1, 64 if signed else 63)
            if rng.random() < 0.3:
                bits = rng.choice([1, 8, 63, 64] if signed else [1, 8, 62, 63])
            kind = ("i" if signed else "u") + str(bits)
            offset = rng.choice([rng.randint(0, 200), f"#{rng.randint(0, 5)}"])
            op = rng.choice(["GET", "SET", "INCRBY"])
            argv += [op, kind, offset]
            if op != "GET":
                limit = 1 << min(bits + 1, 63)
                argv.append(rng.choice([rng.randint(-limit, limit), rng.randint(-5, 5),
                                        "9223372036854775807", "-9223372036854775808"]))
        _agree(test, ref, *argv)
        _agree(test, ref, "BITFIELD_RO", "bf", "GET", "u8", rng.randint(0, 40))
    _agree(test, ref, "GET", "bf")


def test_random_bitop_matches_redis(both):
    test, ref = both
    rng = random.Random(5)
    for _ in range(100):
        for key in ("a", "b", "c"):
            if rng.random() < 0.2:
                argv = ("DEL", key)
            else:
                argv = ("SET", key, bytes(rng.randrange(256) for _ in range(rng.randint(0, 70))))
            _agree(test, ref, *argv)
        op = rng.choice(["AND", "OR", "XOR", "NOT"])
        sources = ["a"] if op == "NOT" else rng.sample(["a", "b", "c", "missing"], rng.randint(1, 4))
        _agree(test, ref, "BITOP", op, "dest", *sources)
        _agree(test, ref, "GET", "dest")
