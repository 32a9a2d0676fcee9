"""HyperLogLog: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.

A sketch is an ordinary string, so its bytes are part of the contract: a
sketch made by one server must read the same on the other (DUMP/RESTORE, RDB,
replication).  Besides Redis 7.0's exact replies and errors, the tests below
feed the same elements to the server under test and to a real redis-server
(the ``reference`` fixture) and compare the raw GET bytes, sparse and dense,
the estimates and the cached-cardinality header.
"""

import random
import struct

import pytest

from raw_resp import WRONGTYPE, RawConnection, err

NOT_HLL = err("WRONGTYPE Key is not a valid HyperLogLog string value.")
CORRUPTED = err("INVALIDOBJ Corrupted HLL object detected")
HEADER = 16
DENSE_SIZE = HEADER + 12288


def elements(prefix, count, start=0):
    return [f"{prefix}{i}" for i in range(start, start + count)]


def pfadd_batches(conn, key, items, batch=1000):
    changed = 0
    for i in range(0, len(items), batch):
        changed |= conn.call("PFADD", key, *items[i:i + batch])
    return changed


# ------------------------------------------------------------ basic replies

def test_pfadd_creates_an_empty_sparse_sketch(conn):
    assert conn.call("PFADD", "h") == 1
    assert conn.call("PFADD", "h") == 0
    value = conn.call("GET", "h")
    assert value == b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80" + b"\x7f\xff"
    assert conn.call("PFCOUNT", "h") == 0
    # The count is now cached: the stale flag is cleared.
    assert conn.call("GET", "h") == b"HYLL\x01" + b"\x00" * 11 + b"\x7f\xff"
    assert conn.call("OBJECT", "ENCODING", "h") == b"raw"
    assert conn.call("TYPE", "h") == b"string"


def test_pfadd_reports_register_changes(conn):
    assert conn.call("PFADD", "h", "a", "b", "c") == 1
    assert conn.call("PFADD", "h", "a", "b", "c") == 0
    assert conn.call("PFADD", "h", "") == 1
    assert conn.call("PFADD", "h", "") == 0
    assert conn.call("PFCOUNT", "h") == 4
    assert conn.call("PFCOUNT", "missing") == 0


def test_pfcount_is_within_the_standard_error(conn):
    items = elements("item:", 20000)
    pfadd_batches(conn, "h", items)
    estimate = conn.call("PFCOUNT", "h")
    assert abs(estimate - 20000) < 20000 * 0.0081 * 5
    assert conn.call("PFDEBUG", "ENCODING", "h") == b"dense"


def test_pfcount_cache_is_invalidated_by_changes(conn):
    assert conn.call("PFADD", "h", "a") == 1
    assert conn.call("PFCOUNT", "h") == 1
    assert conn.call("GETRANGE", "h", 8, 15) == struct.pack("<Q", 1)
    assert conn.call("PFADD", "h", "a") == 0
    assert conn.call("GETRANGE", "h", 15, 15) == b"\x00"
    assert conn.call("PFADD", "h", "b") == 1
    assert conn.call("GETRANGE", "h", 15, 15) == b"\x80"
    assert conn.call("PFCOUNT", "h") == 2


def test_cached_value_is_returned_as_stored(conn):
    """PFCOUNT trusts a valid cache without recounting, as Redis does."""
    assert conn.call("PFADD", "h", "a", "b") == 1
    assert conn.call("PFCOUNT", "h") == 2
    assert conn.call("SETRANGE", "h", 8, struct.pack("<Q", 12345)) > 0
    assert conn.call("PFCOUNT", "h") == 12345


def test_pfcount_of_several_keys_is_the_union(conn):
    pfadd_batches(conn, "h1", elements("x", 300))
    pfadd_batches(conn, "h2", elements("x", 300, 200))
    union = conn.call("PFCOUNT", "h1", "h2", "missing")
    assert abs(union - 500) <= 10
    # The union is not stored anywhere.
    assert conn.call("EXISTS", "missing") == 0


def test_pfmerge(conn):
    pfadd_batches(conn, "h1", elements("x", 300))
    pfadd_batches(conn, "h2", elements("x", 300, 200))
    assert conn.call("PFMERGE", "dest", "h1", "h2") == b"OK"
    assert conn.call("PFCOUNT", "dest") == conn.call("PFCOUNT", "h1", "h2")
    assert conn.call("PFMERGE", "empty") == b"OK"
    assert conn.call("PFCOUNT", "empty") == 0
    assert conn.call("PFMERGE", "h1") == b"OK"


def test_pfdebug(conn):
    assert conn.call("PFADD", "h", "a", "b") == 1
    assert conn.call("PFDEBUG", "ENCODING", "h") == b"sparse"
    decoded = conn.call("PFDEBUG", "DECODE", "h")
    assert decoded.startswith(b"Z:") and b"v:" in decoded
    registers = conn.call("PFDEBUG", "GETREG", "h")
    assert len(registers) == 16384 and sum(1 for r in registers if r) == 2
    # GETREG converted it.
    assert conn.call("PFDEBUG", "ENCODING", "h") == b"dense"
    assert conn.call("STRLEN", "h") == DENSE_SIZE
    assert conn.call("PFDEBUG", "DECODE", "h") == err("ERR HLL encoding is not sparse")
    assert conn.call("PFDEBUG", "TODENSE", "h") == 0
    assert conn.call("PFADD", "s", "a") == 1
    assert conn.call("PFDEBUG", "TODENSE", "s") == 1
    assert conn.call("PFDEBUG", "GETREG", "s") == conn.call("PFDEBUG", "GETREG", "s")
    assert conn.call("PFDEBUG", "GETREG", "missing") == err("ERR The specified key does not exist")
    assert conn.call("PFDEBUG", "FOO", "h") == err("ERR Unknown PFDEBUG subcommand 'FOO'")
    assert conn.call("PFDEBUG", "FOO", "missing") == err("ERR The specified key does not exist")
    assert conn.call("PFDEBUG", "GETREG") == err("ERR wrong number of arguments for 'pfdebug' command")


def test_pfselftest(conn):
    assert conn.call("PFSELFTEST") == b"OK"


# ------------------------------------------------------------ type checks

def test_strings_that_are_not_sketches(conn):
    assert conn.call("SET", "s", "hello") == b"OK"
    assert conn.call("SET", "n", 123) == b"OK"
    assert conn.call("SET", "short", "HYLL\x01") == b"OK"
    for key in ("s", "n", "short"):
        assert conn.call("PFADD", key, "a") == NOT_HLL
        assert conn.call("PFCOUNT", key) == NOT_HLL
        assert conn.call("PFCOUNT", "missing", key) == NOT_HLL
        assert conn.call("PFMERGE", key, "missing") == NOT_HLL
        assert conn.call("PFMERGE", "dest", key) == NOT_HLL
        assert conn.call("PFDEBUG", "GETREG", key) == NOT_HLL
    assert conn.call("EXISTS", "dest") == 0


@pytest.mark.needs_commands("RPUSH")
def test_sketch_commands_on_a_list_are_wrongtype(conn):
    assert conn.call("RPUSH", "l", "x") == 1
    assert conn.call("PFADD", "l", "a") == WRONGTYPE
    assert conn.call("PFCOUNT", "l") == WRONGTYPE
    assert conn.call("PFCOUNT", "missing", "l") == WRONGTYPE
    assert conn.call("PFMERGE", "l", "missing") == WRONGTYPE
    assert conn.call("PFDEBUG", "ENCODING", "l") == WRONGTYPE


def test_broken_headers_are_not_sketches(conn):
    assert conn.call("PFADD", "h", "a", "b", "c") == 1
    assert conn.call("SETRANGE", "h", 0, "0123") > 0            # magic
    assert conn.call("PFCOUNT", "h") == NOT_HLL
    assert conn.call("DEL", "h") == 1
    assert conn.call("PFADD", "h", "a", "b", "c") == 1
    assert conn.call("SETRANGE", "h", 4, "x") > 0               # encoding
    assert conn.call("PFCOUNT", "h") == NOT_HLL
    assert conn.call("DEL", "h") == 1
    assert conn.call("PFADD", "h", "a", "b", "c") == 1
    assert conn.call("SETRANGE", "h", 4, "\x00") > 0            # dense of sparse length
    assert conn.call("PFADD", "h", "d") == NOT_HLL


def test_corrupted_sparse_sketches_are_detected(conn):
    assert conn.call("PFADD", "h", "a", "b", "c") == 1
    assert conn.call("APPEND", "h", "hello") > 0                # opcodes past the last register
    assert conn.call("PFCOUNT", "h") == CORRUPTED
    assert conn.call("PFCOUNT", "h", "missing") == CORRUPTED
    assert conn.call("PFMERGE", "d", "h") == CORRUPTED
    assert conn.call("PFDEBUG", "TODENSE", "h") == CORRUPTED
    assert conn.call("SET", "short", b"HYLL\x01" + b"\x00" * 10 + b"\x80\x40") == b"OK"
    assert conn.call("PFCOUNT", "short") == CORRUPTED


def test_runs_past_the_last_register_are_corrupted(conn):
    """A run that ends past register 16383 makes the sketch invalid for every
    command, even when the registers before it add up exactly (the bounds
    checks of CVE-2025-32023, which the reference build carries)."""
    header = b"HYLL\x01" + b"\x00" * 10 + b"\x80"
    for tail in (b"\x7f\xff\x81", b"\x7f\xff\x00", b"\x7f\xfe\x81", b"\x7f\xff\x40\x00"):
        assert conn.call("SET", "h", header + tail) == b"OK"
        assert conn.call("PFCOUNT", "h") == CORRUPTED
        assert conn.call("PFCOUNT", "h", "missing") == CORRUPTED
        assert conn.call("PFMERGE", "m", "h") == CORRUPTED
        assert conn.call("PFDEBUG", "TODENSE", "h") == CORRUPTED
        assert conn.call("PFDEBUG", "GETREG", "h") == CORRUPTED
    assert conn.call("EXISTS", "m") == 0


def test_random_corruption_never_crashes_the_server(conn):
    """Like Redis's HLL fuzzing test: overwrite random bytes of a sketch and
    keep using it; every reply must be a number, OK, or one of the errors."""
    rng = random.Random(3)
    allowed = {CORRUPTED, NOT_HLL}
    for round_ in range(300):
        conn.call("DEL", "h")
        count = rng.choice([5, 50, 500, 5000])
        pfadd_batches(conn, "h", elements(f"r{round_}-", count))
        length = conn.call("STRLEN", "h")
        for _ in range(rng.randint(1, 10)):
            position = rng.randrange(HEADER, length)
            conn.call("SETRANGE", "h", position, bytes([rng.randrange(256)]))
        for argv in (("PFADD", "h", *elements("more", 20)), ("PFCOUNT", "h"),
                     ("PFCOUNT", "h", "h"), ("PFMERGE", "m", "h"), ("PFDEBUG", "TODENSE", "h"),
                     ("PFDEBUG", "DECODE", "h"), ("PFCOUNT", "h")):
            reply = conn.call(*argv)
            assert isinstance(reply, int) or reply in (b"OK",) or reply in allowed or \
                (argv[1] == "DECODE" and isinstance(reply, bytes)) or \
                reply == err("ERR HLL encoding is not sparse"), (argv, reply)
    assert conn.call("PING") == b"PONG"


def test_sketch_from_a_small_set_is_read_as_raw(conn):
    """PFCOUNT unshares the value: a sketch stored by SET as a short string
    becomes a raw string, as in Redis."""
    assert conn.call("PFADD", "h", "a") == 1
    value = conn.call("GET", "h")
    assert len(value) <= 44
    assert conn.call("SET", "copy", value) == b"OK"
    assert conn.call("OBJECT", "ENCODING", "copy") == b"embstr"
    assert conn.call("PFCOUNT", "copy") == 1
    assert conn.call("OBJECT", "ENCODING", "copy") == b"raw"


def test_hll_sparse_max_bytes_config(conn):
    assert conn.call("CONFIG", "GET", "hll-sparse-max-bytes") == [b"hll-sparse-max-bytes", b"3000"]
    assert conn.call("CONFIG", "SET", "hll-sparse-max-bytes", "1kb") == b"OK"
    assert conn.call("CONFIG", "GET", "hll-sparse-max-bytes") == [b"hll-sparse-max-bytes", b"1024"]
    assert conn.call("CONFIG", "SET", "hll-sparse-max-bytes", -1) == err(
        "ERR CONFIG SET failed (possibly related to argument 'hll-sparse-max-bytes') - "
        "argument must be a memory value")
    assert conn.call("CONFIG", "SET", "hll-sparse-max-bytes", 30) == b"OK"
    assert conn.call("PFADD", "h", *elements("e", 10)) == 1
    assert conn.call("PFDEBUG", "ENCODING", "h") == b"dense"


def test_sketches_are_shared_between_clients(raw):
    a, b = raw(), raw()
    assert a.call("PFADD", "h", "x", "y") == 1
    assert b.call("PFADD", "h", "y", "z") == 1
    assert a.call("PFCOUNT", "h") == 3
    assert b.call("GET", "h") == a.call("GET", "h")


# ------------------------------------------------- against real Redis 7.0

class Pair:
    """The server under test and real Redis, fed the same commands."""

    def __init__(self, server, reference):
        self.test = RawConnection(server.port, timeout=60)
        self.ref = RawConnection(reference.port, timeout=60)

    def both(self, *argv):
        got, want = self.test.call_raw(*argv), self.ref.call_raw(*argv)
        assert got == want, f"{argv[:4]}...: redwing {got[:120]!r}, redis {want[:120]!r}"
        return want

    def add(self, key, items, batch=500):
        for i in range(0, len(items), batch):
            self.both("PFADD", key, *items[i:i + batch])

    def same_sketch(self, key):
        self.both("GET", key)
        self.both("PFDEBUG", "ENCODING", key)
        self.both("PFCOUNT", key)
        self.both("GET", key)          # now with the cached count

    def close(self):
        self.test.close()
        self.ref.close()


@pytest.fixture
def pair(server, reference):
    p = Pair(server, reference)
    yield p
    p.close()


@pytest.mark.parametrize("size", [1, 7, 100, 500, 1000, 2000, 3000, 10000, 100000])
def test_sketch_bytes_match_redis(pair, size):
    pair.add("h", elements("member:", size))
    pair.same_sketch("h")
    # Adding again changes nothing.
    pair.both("PFADD", "h", *elements("member:", min(size, 500)))
    pair.both("GET", "h")


def test_sketch_bytes_match_redis_while_growing(pair):
    """Every step of the sparse phase, through the promotion to dense."""
    rng = random.Random(11)
    for step in range(400):
        batch = [str(rng.getrandbits(40)) for _ in range(rng.randint(1, 12))]
        pair.both("PFADD", "h", *batch)
        pair.both("GET", "h")
        if step % 25 == 0:
            pair.both("PFCOUNT", "h")


def test_binary_and_odd_length_elements_hash_like_redis(pair):
    rng = random.Random(5)
    items = [bytes(rng.randrange(256) for _ in range(n)) for n in range(0, 40)] * 3
    items += [b"\x00" * n for n in range(1, 20)] + [b"x" * 1000]
    pair.add("h", items, batch=50)
    pair.same_sketch("h")


def test_pfmerge_matches_redis(pair):
    pair.add("small1", elements("a", 50))
    pair.add("small2", elements("b", 60))
    pair.add("mid", elements("c", 1500))
    pair.add("big", elements("d", 20000))
    pair.both("PFMERGE", "m1", "small1", "small2")          # sparse into new sparse
    pair.same_sketch("m1")
    pair.both("PFMERGE", "m2", "small1", "mid")             # grows past the sparse limit
    pair.same_sketch("m2")
    pair.both("PFMERGE", "m3", "small2", "big", "missing")  # dense input: dense result
    pair.same_sketch("m3")
    pair.both("PFMERGE", "small1", "small2")                # into an existing sparse sketch
    pair.same_sketch("small1")
    pair.both("PFMERGE", "big", "mid")                      # into an existing dense sketch
    pair.same_sketch("big")
    pair.both("PFCOUNT", "small2", "mid", "big")
    pair.both("PFCOUNT", "m1", "m2", "m3", "missing")


@pytest.mark.parametrize("limit", [0, 50, 1000, 12000])
def test_sparse_limit_matches_redis(pair, limit):
    pair.both("CONFIG", "SET", "hll-sparse-max-bytes", limit)
    for step in range(30):
        pair.add("h", elements(f"s{step}-", 40))
        pair.both("GET", "h")
    pair.same_sketch("h")
    pair.both("PFMERGE", "m", "h", "missing")
    pair.same_sketch("m")


def test_pfdebug_matches_redis(pair):
    pair.add("h", elements("z", 200))
    pair.both("PFDEBUG", "DECODE", "h")
    pair.both("PFDEBUG", "GETREG", "h")
    pair.same_sketch("h")
    pair.add("t", elements("y", 20))
    pair.both("PFDEBUG", "TODENSE", "t")
    pair.same_sketch("t")


def test_estimates_of_crafted_dense_sketches_match_redis(pair):
    """The estimator's extremes: all registers at one value, including the
    largest a hash can produce (51) and values only a crafted string holds."""
    rng = random.Random(8)
    for fill in [0, 1, 5, 20, 32, 33, 50, 51, 52, 63, "random", "mixed-high"]:
        registers = []
        for i in range(16384):
            if fill == "random":
                registers.append(rng.randrange(64))
            elif fill == "mixed-high":
                registers.append(rng.choice([0, 51, 63]))
            else:
                registers.append(fill)
        packed = bytearray(12288 + 1)
        for i, r in enumerate(registers):
            bit = i * 6
            packed[bit // 8] |= (r << (bit % 8)) & 0xff
            packed[bit // 8 + 1] |= r >> (8 - bit % 8)
        value = b"HYLL\x00\x00\x00\x00" + b"\x00" * 7 + b"\x80" + bytes(packed[:12288])
        pair.both("SET", "crafted", value)
        pair.both("PFCOUNT", "crafted")
        pair.both("GET", "crafted")
        pair.both("PFCOUNT", "crafted", "missing")
        pair.both("PFADD", "crafted", *elements("w", 30))
        pair.both("GET", "crafted")
