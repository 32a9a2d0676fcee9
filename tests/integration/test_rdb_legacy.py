"""RDB files in the older formats (versions 6 to 9, Redis 2.6 ... 6.2) load as they should.

Each file is made by ``rdb_builder`` with every value encoding such files hold (plain,
int-encoded and LZF strings; the plain list, set, hash and text-score zset; the zset-2; zipmap,
ziplist and intset blobs, some LZF-compressed; quicklists of ziplists), keys in several
databases, expiries in seconds and milliseconds (some already past) and, in version 9, IDLE and
FREQ. The server under test must load exactly the dataset the builder intended, with the
encodings Redis 7.0 converts those old encodings to, and agree with a real redis-server 7.0
loading the same file. Damaged blobs must be refused at start-up, naming the problem and where.

With ``REDWING_BIN=/usr/bin/redis-server`` the comparisons with the intended dataset run
against real Redis, which is how the intended encodings were checked.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import time

import pytest

import rdb_builder as rb
from dataset import dump_dataset, encodings
from server_process import REFERENCE_BINARY, ServerProcess, binary_under_test
from test_rdb import start_with_file

CHECK_RDB = shutil.which("redis-check-rdb")
INF = float("inf")

# ------------------------------------------------------------------------- the dataset


class LegacyFile:
    """An RDB file being built together with what loading it must give: the dataset in
    `dump_dataset`'s form, each key's OBJECT ENCODING, and each TTL's absolute time."""

    def __init__(self, version: int, checksum: bool = True):
        self.b = rb.RDBBuilder(version, checksum)
        self.version = version
        self.dataset: dict[int, dict] = {}
        self.encoding: dict[tuple[int, bytes], bytes] = {}
        self.expire_at: dict[tuple[int, bytes], int] = {}
        self.expired: list[tuple[int, bytes]] = []
        self.db = 0
        self.pending: list[tuple] = []

    def select(self, db: int) -> None:
        self._flush()
        self.db = db

    def add(self, key, typed_value, intended, encoding: str, *, expire_ms=None, expire_s=None,
            idle=None, freq=None, key_how="auto", expired=False) -> None:
        """One key, its value as the builder writes it and as it must read back (`intended`:
        (type, value) as `dump_dataset` gives it), and the encoding it must end in."""
        kb = str(key).encode() if isinstance(key, int) else key
        self.pending.append((key, typed_value, dict(expire_ms=expire_ms, expire_s=expire_s,
                                                    idle=idle, freq=freq, key_how=key_how)))
        at = expire_ms if expire_ms is not None else None if expire_s is None else expire_s * 1000
        if expired:
            self.expired.append((self.db, kb))
            return
        self.dataset.setdefault(self.db, {})[kb] = (*intended, at is not None)
        self.encoding[(self.db, kb)] = encoding.encode()
        if at is not None:
            self.expire_at[(self.db, kb)] = at

    def _flush(self) -> None:
        if not self.pending:
            return
        self.b.select_db(self.db)
        if self.version >= 7:
            expires = sum(1 for _, _, o in self.pending
                          if o["expire_ms"] is not None or o["expire_s"] is not None)
            self.b.resize_db(len(self.pending), expires)
        for key, value, options in self.pending:
            self.b.key(key, value, **options)
        self.pending = []

    def finish(self) -> bytes:
        self._flush()
        return self.b.finish()


def as_list(items):
    return "list", tuple(x if isinstance(x, bytes) else str(x).encode() for x in items)


def as_set(members):
    return "set", tuple(sorted(m if isinstance(m, bytes) else str(m).encode() for m in members))


def as_hash(pairs):
    return "hash", tuple(sorted((f, v if isinstance(v, bytes) else str(v).encode()) for f, v in pairs))


def as_zset(pairs):
    return "zset", tuple(sorted(((m, float(s)) for m, s in pairs), key=lambda p: (p[1], p[0])))


def legacy_file(version: int, now_ms: int, checksum: bool = True) -> LegacyFile:
    """Every old encoding, in databases 0, 1 and 15, with the encodings Redis 7.0 gives them."""
    rnd = random.Random(version)
    f = LegacyFile(version, checksum)
    b = f.b
    if version >= 7:
        b.aux("redis-ver", {7: b"3.2.13", 8: b"4.0.14", 9: b"6.2.14"}[version])
        b.aux("redis-bits", 64)
        b.aux("ctime", now_ms // 1000)
        b.aux("used-mem", 1048576)
    if version >= 8:
        b.aux("aof-preamble", 0)
    if version >= 9:
        b.aux("repl-stream-db", 0)
        b.aux("repl-id", b"%040x" % rnd.getrandbits(160))
        b.aux("repl-offset", 0)

    # --- strings (type 0): plain, 8/16/32-bit integers, LZF with and without back references.
    f.select(0)
    text = lambda v: ("string", v)  # noqa: E731
    f.add(b"str:plain", rb.string_value(b"hello"), text(b"hello"), "embstr")
    f.add(b"str:empty", rb.string_value(b""), text(b""), "embstr")
    f.add(b"str:int8", rb.string_value(-128, "int"), text(b"-128"), "int")
    f.add(b"str:int16", rb.string_value(-30000, "int"), text(b"-30000"), "int")
    f.add(b"str:int32", rb.string_value(2000000000, "int"), text(b"2000000000"), "int")
    f.add(b"str:int-as-text", rb.string_value(b"123456789012", "plain"), text(b"123456789012"), "int")
    f.add(b"str:leading-zero", rb.string_value(b"007", "plain"), text(b"007"), "embstr")
    f.add(b"str:long", rb.string_value(b"q" * 200, "plain"), text(b"q" * 200), "raw")
    compressible = b"abcdefgh" * 300 + b"the end"
    f.add(b"str:lzf", rb.string_value(compressible, "lzf"), text(compressible), "raw")
    noise = bytes(rnd.randrange(256) for _ in range(300))
    f.add(b"str:lzf-literals", rb.string_value(noise, "lzf-literals"), text(noise), "raw")
    f.add(b"str:lzf-short", rb.string_value(b"x" * 30, "lzf"), text(b"x" * 30), "embstr")
    f.add(b"str:lzf-int", rb.string_value(b"123456789012345", "lzf-literals"),
          text(b"123456789012345"), "int")
    f.add(4242, rb.string_value(b"int-encoded key"), text(b"int-encoded key"), "embstr", key_how="int")
    f.add(b"k" * 40, rb.string_value(b"LZF key"), text(b"LZF key"), "embstr", key_how="lzf")

    # --- plain list, set, hash, text-score zset (types 1-4) and zset-2 (type 5).
    items = [b"a", 1, -70000, b"x" * 300, b"", 2**40]
    f.add(b"list:plain", rb.list_value(items), as_list(items), "quicklist")
    ints = [3, 1, 2, -5, 100000, 2**40]
    f.add(b"set:plain-ints", rb.set_value(ints), as_set(ints), "intset")
    strs = [b"a", b"b", b"007"]
    f.add(b"set:plain-strings", rb.set_value(strs), as_set(strs), "hashtable")
    mixed = [1, 2, b"x"]
    f.add(b"set:plain-mixed", rb.set_value(mixed), as_set(mixed), "hashtable")
    many = list(range(600))
    f.add(b"set:plain-many-ints", rb.set_value(many), as_set(many), "hashtable")
    f.add(b"set:plain-512-ints", rb.set_value(many[:512]), as_set(many[:512]), "intset")
    f.add(b"set:plain-513-ints", rb.set_value(many[:513]), as_set(many[:513]), "hashtable")
    huge = [1, b"99999999999999999999"]
    f.add(b"set:plain-past-int64", rb.set_value(huge), as_set(huge), "hashtable")
    zs = [(b"a", 1.5), (b"b", -3), (b"c", INF), (b"d", -INF), (b"e", 0.1), (b"f", 1e300), (b"7", 7)]
    f.add(b"zset:text", rb.zset_value(zs), as_zset(zs), "listpack")
    zbig = [(b"m%d" % i, rnd.uniform(-1e6, 1e6)) for i in range(200)]
    f.add(b"zset:text-many", rb.zset_value(zbig), as_zset(zbig), "skiplist")
    zlong = [(b"y" * 100, 1), (b"z", 2)]
    f.add(b"zset:text-long-member", rb.zset_value(zlong), as_zset(zlong), "skiplist")
    z128 = zbig[:128]
    f.add(b"zset:text-128", rb.zset_value(z128), as_zset(z128), "listpack")
    z2 = [(b"a", 0.25), (b"b", -INF), (b"c", 2**53), (b"d", -1e-300)]
    f.add(b"zset2:small", rb.zset2_value(z2), as_zset(z2), "listpack")
    z2big = [(b"n%d" % i, rnd.uniform(-1, 1)) for i in range(150)]
    f.add(b"zset2:many", rb.zset2_value(z2big), as_zset(z2big), "skiplist")
    hs = [(b"f1", b"v1"), (b"f2", 2), (b"f3", b"x" * 64)]
    f.add(b"hash:plain", rb.hash_value(hs), as_hash(hs), "listpack")
    hlong = [(b"f1", b"v"), (b"f2", b"w" * 65)]
    f.add(b"hash:plain-long-value", rb.hash_value(hlong), as_hash(hlong), "hashtable")
    hmany = [(b"field%d" % i, i) for i in range(513)]
    f.add(b"hash:plain-many", rb.hash_value(hmany), as_hash(hmany), "hashtable")
    f.add(b"hash:plain-512", rb.hash_value(hmany[:512]), as_hash(hmany[:512]), "listpack")

    # --- zipmap hashes (type 9): free space, 5-byte lengths, a count past 253.
    zm = [(b"name", b"redis"), (b"n", b"12"), (b"empty", b"")]
    f.add(b"zipmap:small", rb.hash_zipmap_value(zm, free={0: 3, 2: 1}), as_hash(zm), "listpack")
    zmbig = [(b"K" * 260, b"V" * 300), (b"k", b"v")]
    f.add(b"zipmap:long", rb.hash_zipmap_value(zmbig, compress=True), as_hash(zmbig), "hashtable")
    zmmany = [(b"f%d" % i, b"v%d" % i) for i in range(600)]
    f.add(b"zipmap:many", rb.hash_zipmap_value(zmmany, compress=True), as_hash(zmmany), "hashtable")

    # --- ziplist lists (type 10): every entry encoding, 5-byte prevlens (one forced).
    every = ([0, 5, 12, 13, -1, 127, -128, 128, 1000, -32768, 32768, 100000, -8388608, 8388608,
              10**9, -2**31, 2**31, 10**15, -2**63, 2**63 - 1]
             + [b"short", b"", b"s" * 63, b"m" * 64, b"L" * 300, b"after-300", b"B" * 20000,
                b"after-big", b"12x", b"-0", b"+1", b"99999999999999999999"])
    f.add(b"ziplist:every", rb.list_ziplist_value(every, wide_prevlen=[3]), as_list(every), "quicklist")
    f.add(b"ziplist:every-lzf", rb.list_ziplist_value(every, compress=True), as_list(every), "quicklist")
    uncounted = [i % 13 for i in range(70000)]  # zllen 65535: "count the entries"
    f.add(b"ziplist:uncounted", rb.list_ziplist_value(uncounted), as_list(uncounted), "quicklist")

    # --- intsets (type 11) of each width, and one past set-max-intset-entries.
    for width, values in ((2, [-5, 1, 300]), (4, [-100000, 0, 100000]), (8, [-2**40, 7, 2**62])):
        f.add(b"intset:%d" % width, rb.set_intset_value(values, width), as_set(values), "intset")
    # An intset keeps its width when its wide members go: small values at 8 bytes each.
    f.add(b"intset:wide-small", rb.set_intset_value([1, 2, 3], 8), as_set([1, 2, 3]), "intset")
    big = list(range(-300, 300))
    f.add(b"intset:many", rb.set_intset_value(big, 2, compress=True), as_set(big), "hashtable")
    f.add(b"intset:512", rb.set_intset_value(big[:512], 2), as_set(big[:512]), "intset")

    # --- ziplist sorted sets (type 12) and hashes (type 13).
    zz = [(b"a", 1), (b"b", 2.5), (b"c", INF), (b"d", -INF), (b"5", 5), (b"e", -0.5), (b"f", 1e-7)]
    f.add(b"zsetzl:small", rb.zset_ziplist_value(zz), as_zset(zz), "listpack")
    zzmany = [(b"m%d" % i, i * 1.5) for i in range(129)]
    f.add(b"zsetzl:many", rb.zset_ziplist_value(zzmany, compress=True), as_zset(zzmany), "skiplist")
    f.add(b"zsetzl:128", rb.zset_ziplist_value(zzmany[:128]), as_zset(zzmany[:128]), "listpack")
    zzlong = [(b"y" * 100, 1), (b"z", 2)]
    f.add(b"zsetzl:long-member", rb.zset_ziplist_value(zzlong), as_zset(zzlong), "listpack")
    hz = [(b"a", 1), (b"b", b"two"), (b"c", -100000), (b"d", b"")]
    f.add(b"hashzl:small", rb.hash_ziplist_value(hz), as_hash(hz), "listpack")
    hzmany = [(b"f%d" % i, b"v%d" % i) for i in range(513)]
    f.add(b"hashzl:many", rb.hash_ziplist_value(hzmany, compress=True), as_hash(hzmany), "hashtable")
    f.add(b"hashzl:512", rb.hash_ziplist_value(hzmany[:512]), as_hash(hzmany[:512]), "listpack")
    hzlong = [(b"a", b"v" * 100), (b"b", 1)]
    f.add(b"hashzl:long-value", rb.hash_ziplist_value(hzlong), as_hash(hzlong), "listpack")

    # --- quicklists of ziplists (type 14), with an empty node as Redis < 7.0 could leave.
    nodes = [[b"a", 1, b"b"], [], [2**40, b"z" * 100], [b"last"]]
    f.add(b"quicklist", rb.quicklist_value(nodes), as_list(sum(nodes, [])), "quicklist")
    long_nodes = [[b"e%d" % (i * 50 + j) for j in range(50)] for i in range(20)]
    f.add(b"quicklist:lzf", rb.quicklist_value(long_nodes, compress=True),
          as_list(sum(long_nodes, [])), "quicklist")

    # --- expiries: future and past, in milliseconds and in seconds.
    f.add(b"ttl:ms", rb.list_ziplist_value([b"a", 1]), as_list([b"a", 1]), "quicklist",
          expire_ms=now_ms + 10**8)
    f.add(b"ttl:s", rb.string_value(b"v"), text(b"v"), "embstr", expire_s=now_ms // 1000 + 10**5)
    f.add(b"gone:ms", rb.string_value(b"v"), None, "", expire_ms=now_ms - 10000, expired=True)
    f.add(b"gone:s", rb.hash_ziplist_value([(b"a", b"b")]), None, "",
          expire_s=now_ms // 1000 - 100, expired=True)
    if version >= 9:
        f.add(b"idle", rb.string_value(b"idle"), text(b"idle"), "embstr", idle=5000)
        f.add(b"freq", rb.string_value(b"freq"), text(b"freq"), "embstr", freq=7)

    # --- other databases.
    f.select(1)
    f.add(b"db1:zipmap", rb.hash_zipmap_value([(b"a", b"1")]), as_hash([(b"a", b"1")]), "listpack")
    f.add(b"db1:intset", rb.set_intset_value([1, 2], 2), as_set([1, 2]), "intset",
          expire_ms=now_ms + 10**9)
    f.add(b"str:plain", rb.string_value(b"same key, other db"), text(b"same key, other db"), "embstr")
    f.select(15)
    f.add(b"db15:list", rb.list_value([b"x"]), as_list([b"x"]), "quicklist")
    f.add(b"db15:gone", rb.set_value([b"x"]), None, "", expire_ms=now_ms - 1, expired=True)
    return f


# ----------------------------------------------------------------------------- helpers

VERSIONS = [(6, True), (7, True), (8, True), (9, True), (9, False)]
IDS = ["v6", "v7", "v8", "v9", "v9-no-checksum"]

have_reference = REFERENCE_BINARY.exists()


def pexpiretimes(client, keys) -> dict:
    out = {}
    for db, k in keys:
        client.execute_command("SELECT", db)
        out[(db, k)] = client.pexpiretime(k)
    client.execute_command("SELECT", 0)
    return out


def loaded_state(server, f: LegacyFile) -> dict:
    c = server.client()
    # First, before any read touches the key.
    idle = c.object("idletime", b"idle") if f.version >= 9 else None
    present = []
    for db, k in f.expired:
        c.execute_command("SELECT", db)
        if c.exists(k):
            present.append((db, k))
    c.execute_command("SELECT", 0)
    state = {
        "dataset": dump_dataset(c),
        "encoding": encodings(c),
        "expire_at": pexpiretimes(c, f.expire_at),
        "expired_present": present,
        "keys_expired": c.info("persistence").get("rdb_last_load_keys_expired"),
        "idle": idle,
    }
    return state


def differences(got: dict, want: dict) -> list:
    """The keys (or (db, key) pairs) whose entries differ, with both sides, for a readable
    failure; works on `dump_dataset` results (nested by db) and on flat dicts alike."""
    out = []
    for k in sorted(set(got) | set(want), key=repr):
        a, b = got.get(k), want.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += [(k, *d) for d in differences(a, b)]
        elif a != b:
            out.append((k, repr(a)[:200], repr(b)[:200]))
    return out


def assert_same(got: dict, want: dict) -> None:
    diff = differences(got, want)
    assert not diff, "\n".join(map(str, diff))


def write_file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------- tests

def test_crc64_matches_the_check_value():
    assert rb.crc64(b"123456789") == 0xE9C6D914C4B8D9CA
    assert rb.crc64(b"56789", rb.crc64(b"1234")) == 0xE9C6D914C4B8D9CA


def test_ziplist_encoder_matches_the_format_example():
    # The two-entry ziplist ["2", "5"] of the format's description: 15 bytes, tail at 12,
    # two entries, each an immediate integer after a one-byte prevlen.
    assert rb.ziplist([b"2", b"5"]) == bytes.fromhex("0f000000" "0c000000" "0200" "00f3" "02f6" "ff")
    wide = rb.ziplist([b"L" * 300, b"x"])
    assert wide[10 + 1 + 2 + 300:][:5] == b"\xfe" + struct.pack("<I", 1 + 2 + 300)


def test_lzf_streams_round_trip_through_a_python_decoder():
    def decompress(packed: bytes) -> bytes:
        out, i = bytearray(), 0
        while i < len(packed):
            ctrl = packed[i]
            i += 1
            if ctrl < 32:
                out += packed[i:i + ctrl + 1]
                i += ctrl + 1
                continue
            n = ctrl >> 5
            if n == 7:
                n += packed[i]
                i += 1
            ref = len(out) - ((ctrl & 0x1F) << 8) - packed[i] - 1
            i += 1
            for k in range(n + 2):
                out.append(out[ref + k])
        return bytes(out)

    rnd = random.Random(1)
    for data in [b"", b"a", b"abcabcabcabc", b"x" * 1000, bytes(rnd.randrange(4) for _ in range(5000))]:
        assert decompress(rb.lzf_compress(data)) == data
        assert decompress(rb.lzf_literals(data)) == data
    assert len(rb.lzf_compress(b"x" * 1000)) < 30


@pytest.mark.skipif(CHECK_RDB is None, reason="needs redis-check-rdb")
@pytest.mark.parametrize("version,checksum", VERSIONS, ids=IDS)
def test_built_files_pass_redis_check_rdb(tmp_path, version, checksum):
    data = legacy_file(version, int(time.time() * 1000), checksum).finish()
    path = write_file(tmp_path, "legacy.rdb", data)
    done = subprocess.run([CHECK_RDB, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "RDB looks OK" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("version,checksum", VERSIONS, ids=IDS)
def test_legacy_file_loads_the_intended_dataset_as_redis_does(start_server, tmp_path, version, checksum):
    now_ms = int(time.time() * 1000)
    f = legacy_file(version, now_ms, checksum)
    path = write_file(tmp_path, "legacy.rdb", f.finish())
    under_test = loaded_state(start_with_file(start_server, binary_under_test(), path, tmp_path), f)

    assert_same(under_test["dataset"], f.dataset)
    assert_same(under_test["encoding"], f.encoding)
    assert under_test["expire_at"] == f.expire_at
    assert under_test["expired_present"] == []
    assert under_test["keys_expired"] == len(f.expired)
    if version >= 9:
        assert 5000 <= under_test["idle"] <= 5000 + 60

    if have_reference:
        reference = loaded_state(start_with_file(start_server, REFERENCE_BINARY, path, tmp_path), f)
        assert_same(under_test["dataset"], reference["dataset"])
        assert_same(under_test["encoding"], reference["encoding"])
        assert under_test["expire_at"] == reference["expire_at"]
        assert reference["expired_present"] == []


@pytest.mark.parametrize("binary", ["under_test", "reference"])
def test_freq_of_a_version_9_file_is_kept_under_lfu(start_server, tmp_path, binary):
    if binary == "reference" and not have_reference:
        pytest.skip("needs /usr/bin/redis-server")
    b = rb.RDBBuilder(9)
    b.select_db(0)
    b.key(b"hot", rb.string_value(b"v"), freq=42)
    b.key(b"cold", rb.string_value(b"v"), freq=0, idle=100)
    path = write_file(tmp_path, "freq.rdb", b.finish())
    executable = binary_under_test() if binary == "under_test" else REFERENCE_BINARY
    server = start_with_file(start_server, executable, path, tmp_path,
                             extra=["--maxmemory-policy", "allkeys-lfu"])
    c = server.client()
    # One less when a minute boundary passes between loading and asking (LFU decay).
    assert c.object("freq", b"hot") in (41, 42)
    assert c.object("freq", b"cold") == 0


# ----------------------------------------------------------------------- empty collections

EMPTY = {
    "list": rb.list_value([]), "set": rb.set_value([]), "zset": rb.zset_value([]),
    "hash": rb.hash_value([]), "zset2": rb.zset2_value([]), "ziplist": rb.list_ziplist_value([]),
    "zset-ziplist": rb.zset_ziplist_value([]), "hash-ziplist": rb.hash_ziplist_value([]),
    "quicklist": rb.quicklist_value([]), "quicklist-of-empty-nodes": rb.quicklist_value([[], []]),
}


@pytest.mark.parametrize("name", list(EMPTY))
def test_empty_collections_are_skipped_as_redis_does(start_server, tmp_path, name):
    """Files of Redis < 7.0 could hold empty collections; Redis 7.0 skips such keys."""
    b = rb.RDBBuilder(8)
    b.select_db(0)
    b.key(b"before", rb.string_value(b"v"))
    b.key(b"empty", EMPTY[name])
    b.key(b"after", rb.string_value(b"w"))
    path = write_file(tmp_path, "empty.rdb", b.finish())
    c = start_with_file(start_server, binary_under_test(), path, tmp_path).client()
    assert sorted(c.keys()) == [b"after", b"before"]


# ------------------------------------------------------------------------- damaged blobs

def damaged_file(typed_value) -> bytes:
    b = rb.RDBBuilder(9)
    b.aux("redis-ver", b"6.2.14")
    b.select_db(0)
    b.key(b"good", rb.string_value(b"v"))
    b.key(b"bad", typed_value)
    return b.finish()


def bad_zlbytes():
    zl = bytearray(rb.ziplist([b"a", b"b", 3]))
    zl[0:4] = struct.pack("<I", len(zl) + 1)
    return rb.TYPE_LIST_ZIPLIST, rb.string(bytes(zl), "plain")


def overrunning_zipmap():
    zm = bytearray(rb.zipmap([(b"key", b"value")]))
    zm[1] = 200  # the key's length now runs past the end of the blob
    return rb.TYPE_HASH_ZIPMAP, rb.string(bytes(zm), "plain")


def unsorted_intset():
    return rb.TYPE_SET_INTSET, rb.string(rb.intset([3, 1, 2], 2), "plain")


def empty_zipmap():
    return rb.TYPE_HASH_ZIPMAP, rb.string(rb.zipmap([]), "plain")


def empty_intset():
    return rb.TYPE_SET_INTSET, rb.string(rb.intset([], 2), "plain")


# What redis-server 7.0.15 does with the same files (recorded, not asserted). With the default
# sanitize-dump-payload no it checks a ziplist's or intset's header only while loading a file,
# but walks a zipmap whole (it converts it entry by entry):
# - bad zlbytes: refuses to start (exit 1), "Internal error in RDB reading offset 0, function
#   at rdb.c:2189 -> List ziplist integrity check failed.";
# - overrunning zipmap: refuses to start (exit 1), "... rdb.c:2130 -> Zipmap integrity check
#   failed.";
# - unsorted intset: loads it as it is; SMEMBERS answers 3 1 2, yet SISMEMBER of 3 and of 1
#   answers 0 (the binary search relies on the order);
# - empty zipmap: refuses to start, "... -> Zipmap integrity check failed.", and an empty
#   intset, "... -> Intset integrity check failed." (other empty collections it skips).
DAMAGED = [
    pytest.param(bad_zlbytes, ["ziplist header says", "offset"], id="ziplist-zlbytes"),
    pytest.param(overrunning_zipmap, ["zipmap pair 0 overruns the blob", "offset"], id="zipmap-overrun"),
    pytest.param(unsorted_intset, ["intset member 1 is not greater than the one before it", "offset"],
                 id="intset-unsorted"),
    pytest.param(empty_zipmap, ["zipmap is empty", "offset"], id="zipmap-empty"),
    pytest.param(empty_intset, ["intset is empty", "offset"], id="intset-empty"),
]


@pytest.mark.skipif("REDWING_BIN" in os.environ, reason="Redwing's refusals and log lines")
@pytest.mark.parametrize("make,fragments", DAMAGED)
def test_damaged_blob_refuses_start_naming_problem_and_offset(tmp_path, make, fragments):
    d = tmp_path / "srv"
    d.mkdir()
    (d / "dump.rdb").write_bytes(damaged_file(make()))
    proc = ServerProcess(binary=binary_under_test(), workdir=d)
    try:
        with pytest.raises(Exception):
            proc.start(timeout=5, attempts=1)
        assert proc.wait_exit(5) not in (None, 0)
        log = proc.log_text()
        for fragment in fragments:
            assert fragment in log, log
    finally:
        proc.stop()
