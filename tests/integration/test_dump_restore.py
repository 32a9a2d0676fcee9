"""DUMP and RESTORE: Redis's payload format both ways, every option and error, and fuzzed
payloads that must be refused without touching the keyspace."""

from __future__ import annotations

import os
import random
import struct

import pytest
import redis

from dataset import dump_dataset, fill_every_type
from rdb_builder import crc64
from server_process import REFERENCE_BINARY


def reseal(body: bytes, version: int = 10) -> bytes:
    """A payload around `body` (type byte + value) with a correct footer."""
    head = body + struct.pack("<H", version)
    return head + struct.pack("<Q", crc64(head))


def test_crc64_helper_matches_the_check_value():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


def test_every_type_round_trips_through_dump_and_restore(r):
    fill_every_type(r, seed=11, dbs=(0,))
    before = dump_dataset(r)[0]
    for key, (t, v, has_ttl) in before.items():
        payload = r.dump(key)
        assert payload is not None
        assert r.restore(b"copy:" + key, 0, payload) in (True, b"OK")
        assert r.type(b"copy:" + key).decode() == t
        assert r.object("encoding", b"copy:" + key) == r.object("encoding", key)
    after = dump_dataset(r)[0]
    for key, (t, v, _) in before.items():
        assert after[b"copy:" + key][:2] == (t, v)


def test_dump_of_a_missing_key_is_nil(r):
    assert r.dump("nope") is None


def test_restore_options_and_errors(r):
    r.set("src", "value")
    payload = r.dump("src")
    with pytest.raises(redis.ResponseError, match="^BUSYKEY Target key name already exists."):
        r.restore("src", 0, payload)
    assert r.restore("src", 0, payload, replace=True) in (True, b"OK")
    with pytest.raises(redis.ResponseError, match="Invalid TTL value, must be >= 0"):
        r.restore("k1", -1, payload)
    with pytest.raises(redis.ResponseError, match="value is not an integer"):
        r.restore("k1", "abc", payload)
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        r.restore("k1", 0, payload[:-1] + bytes([payload[-1] ^ 1]))
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        r.restore("k1", 0, reseal(payload[:-10], version=11))
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        r.restore("k1", 0, b"short")
    with pytest.raises(redis.ResponseError, match="Bad data format"):
        r.restore("k1", 0, reseal(b"\x2a\x01k"))
    with pytest.raises(redis.ResponseError, match="Invalid IDLETIME value, must be >= 0"):
        r.execute_command("RESTORE", "k1", 0, payload, "IDLETIME", -1)
    with pytest.raises(redis.ResponseError, match="Invalid FREQ value, must be >= 0 and <= 255"):
        r.execute_command("RESTORE", "k1", 0, payload, "FREQ", 256)
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("RESTORE", "k1", 0, payload, "IDLETIME", 5, "FREQ", 5)
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("RESTORE", "k1", 0, payload, "BOGUS")
    assert r.exists("k1") == 0
    assert r.execute_command("RESTORE", "k2", 0, payload, "IDLETIME", 1000) == b"OK"
    assert r.object("idletime", "k2") >= 1000


def test_restore_ttl_relative_absolute_and_past(r):
    r.set("src", "v")
    payload = r.dump("src")
    r.restore("rel", 5000, payload)
    assert 4000 < r.pttl("rel") <= 5000
    future = int(r.time()[0]) * 1000 + 60000
    r.restore("abs", future, payload, absttl=True)
    assert 50000 < r.pttl("abs") <= 60000
    r.restore("past", 1, payload, absttl=True)
    assert r.exists("past") == 0
    r.set("gone", "old")
    r.restore("gone", 1, payload, absttl=True, replace=True)
    assert r.exists("gone") == 0


@pytest.mark.skipif(os.environ.get("REDWING_BIN") is not None, reason="Redwing's decoder")
def test_fuzzed_payloads_are_refused_and_leave_the_keyspace_alone(r):
    fill_every_type(r, seed=12, dbs=(0,))
    keys = [k for k in r.scan_iter(count=1000) if not k.startswith(b"d0:s:")]
    payloads = [r.dump(k) for k in keys]
    before = r.dbsize()
    rnd = random.Random(12)
    refused = 0
    for case in range(4000):
        body = bytearray(rnd.choice(payloads)[:-10])
        kind = case % 3
        if kind == 0:
            for _ in range(rnd.randint(1, 6)):
                body[rnd.randrange(len(body))] = rnd.randrange(256)
        elif kind == 1:
            body = body[: rnd.randrange(1, len(body) + 1)]
        else:
            i = rnd.randrange(len(body))
            body[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        try:
            r.restore("fuzz", 0, reseal(bytes(body)), replace=True)
            r.delete("fuzz")
        except redis.ResponseError as e:
            assert "Bad data format" in str(e), str(e)
            refused += 1
    assert refused > 2000
    assert r.dbsize() == before
    assert r.ping()


needs_reference = pytest.mark.skipif(
    not REFERENCE_BINARY.exists() or "REDWING_BIN" in os.environ,
    reason="needs /usr/bin/redis-server, and Redwing under test")


@needs_reference
def test_payloads_move_between_redis_and_redwing_both_ways(r, start_server):
    ref = start_server(binary=REFERENCE_BINARY).client()
    fill_every_type(ref, seed=13, dbs=(0,))
    fill_every_type(r, seed=14, dbs=(0,))
    for src, dst in ((ref, r), (r, ref)):
        for key in list(src.scan_iter(count=1000)):
            payload = src.dump(key)
            assert dst.restore(b"moved:" + key, 0, payload) in (True, b"OK"), key
            assert dst.type(b"moved:" + key) == src.type(key)
            assert dst.object("encoding", b"moved:" + key) == src.object("encoding", key), key
        a = dump_dataset(src)[0]
        b = {k[len(b"moved:"):]: v for k, v in dump_dataset(dst)[0].items() if k.startswith(b"moved:")}
        assert b == {k: (t, v, False) for k, (t, v, _) in a.items()}
